/* Token access: opening by label, login errors that never show the PIN, PIN file permissions, mechanisms. */
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <glib/gstdio.h>

#include "core/cl-error.h"
#include "p11-test-token.h"
#include "p11/cl-p11-key-store.h"

static char *
pin_wrong (const char *label, gpointer user_data, GError **error)
{
  return g_strdup ("98765432");
}

static char *
pin_cancelled (const char *label, gpointer user_data, GError **error)
{
  g_set_error (error, CL_ERROR, CL_ERROR_CANCELLED, "PIN entry cancelled");
  return NULL;
}

/* Runs first: the login is per process and would hide a wrong PIN afterwards. */
static void
test_wrong_pin (void)
{
  g_autoptr (ClP11Token) token = p11_test_token_open (FALSE);
  g_autoptr (GError) error = NULL;

  g_assert_false (cl_p11_token_login (token, pin_wrong, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_TOKEN);
  g_assert_nonnull (strstr (error->message, "CKR_PIN_INCORRECT"));
  g_assert_nonnull (strstr (error->message, cl_p11_token_get_label (token)));
  g_assert_null (strstr (error->message, "98765432"));
  g_assert_false (cl_p11_token_is_logged_in (token));
  g_clear_error (&error);

  g_assert_false (cl_p11_token_login (token, pin_cancelled, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CANCELLED);
}

static void
test_pin_file_mode_refused (void)
{
  g_autoptr (ClP11Token) token = p11_test_token_open (FALSE);
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "cl-p11-pin-0644-XXXXXX", NULL);
  int fd;

  g_file_get_contents (p11_test_env ("CARDLINE_P11_PIN_FILE"), &contents, NULL, &error);
  g_assert_no_error (error);
  fd = g_mkstemp_full (path, O_RDWR, 0644);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, contents, strlen (contents)), ==, (gssize)strlen (contents));
  close (fd);
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);

  g_assert_false (cl_p11_token_login_with_pin_file (token, path, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "0644"));
  g_assert_false (cl_p11_token_is_logged_in (token));
  g_unlink (path);
}

static void
test_login (void)
{
  g_autoptr (ClP11Token) token = p11_test_token_open (TRUE);

  g_assert_true (cl_p11_token_is_logged_in (token));
  g_assert_cmpstr (cl_p11_token_get_label (token), ==, p11_test_env ("CARDLINE_P11_TOKEN"));
}

static void
test_unknown_label (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11Token) token = cl_p11_token_open (p11_test_env ("CARDLINE_P11_MODULE"), "no-such-token", &error);

  g_assert_null (token);
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-token"));
}

static void
test_unknown_module (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11Token) token = cl_p11_token_open ("/nonexistent/libnothing.so", "x", &error);

  g_assert_null (token);
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/libnothing.so"));
}

/* What the key custody design relies on; the report lists the result for SoftHSM2. */
static void
test_mechanisms (void)
{
  g_autoptr (ClP11Token) token = p11_test_token_open (FALSE);

  g_assert_true (cl_p11_token_has_mechanism (token, CKM_AES_CMAC, CKF_SIGN));
  g_assert_true (cl_p11_token_has_mechanism (token, CKM_AES_ECB, CKF_ENCRYPT));
  g_assert_true (cl_p11_token_has_mechanism (token, CKM_DES3_ECB, CKF_ENCRYPT));
  g_assert_true (cl_p11_token_has_mechanism (token, CKM_AES_ECB_ENCRYPT_DATA, CKF_DERIVE));
  g_assert_true (cl_p11_token_has_mechanism (token, CKM_DES3_ECB_ENCRYPT_DATA, CKF_DERIVE));
  g_assert_true (cl_p11_token_has_mechanism (token, CKM_AES_CBC, CKF_WRAP));
  g_assert_true (cl_p11_token_has_mechanism (token, CKM_ECDSA, CKF_SIGN));
  g_test_message ("CKM_AES_ECB wrap: %d, CKM_DES3_ECB wrap: %d, CKM_DES3_CBC wrap: %d",
                  cl_p11_token_has_mechanism (token, CKM_AES_ECB, CKF_WRAP),
                  cl_p11_token_has_mechanism (token, CKM_DES3_ECB, CKF_WRAP),
                  cl_p11_token_has_mechanism (token, CKM_DES3_CBC, CKF_WRAP));
}

static void
move_tokens (gboolean away)
{
  g_autofree char *tokens = g_build_filename (p11_test_env ("CARDLINE_RIG_DIR"), "hsm", "tokens", NULL);
  g_autofree char *aside = g_strconcat (tokens, ".away", NULL);

  g_assert_cmpint (away ? g_rename (tokens, aside) : g_rename (aside, tokens), ==, 0);
}

/* The token goes away under live handles (SoftHSM2 whose token directory vanished, as a pulled token or a restarted
 * network HSM looks): key operations fail as CL_ERROR_HSM_LOST, a reconnect fails while it is away and works once it
 * is back, and a key set found before the reconnect is refused rather than used with handles that may now name
 * other objects. */
static void
test_reconnect (void)
{
  g_autoptr (ClP11Token) token = p11_test_token_open (TRUE);
  g_autofree char *name = p11_test_unique_name ("reconnect");
  guint8 value[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
  g_autoptr (GBytes) key = g_bytes_new (value, sizeof value);
  g_autoptr (ClP11KeySet) before = NULL;
  g_autoptr (GError) error = NULL;
  guint8 kcv[3];
  guint generation = cl_p11_token_get_generation (token);

  g_assert_true (
    cl_p11_token_import_key_set (token, name, 1, CL_KEY_TYPE_AES, key, key, key, CL_P11_KEY_SET_FLAGS_NONE, &error));
  g_assert_no_error (error);
  before = cl_p11_token_find_key_set (token, name, 1, CL_P11_KEY_SET_OPTIONS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (cl_key_set_check_value (CL_KEY_SET (before), CL_KEY_ROLE_ENC, kcv, &error));
  g_assert_no_error (error);

  move_tokens (TRUE);
  g_assert_false (cl_key_set_check_value (CL_KEY_SET (before), CL_KEY_ROLE_ENC, kcv, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_HSM_LOST);
  g_test_message ("token away: %s", error->message);
  g_clear_error (&error);
  g_assert_false (cl_p11_token_reconnect (token, &error));
  g_assert_nonnull (error);
  g_test_message ("reconnect while away: %s", error->message);
  g_clear_error (&error);

  move_tokens (FALSE);
  g_assert_true (cl_p11_token_reconnect (token, &error));
  g_assert_no_error (error);
  g_assert_true (cl_p11_token_is_logged_in (token));
  g_assert_cmpuint (cl_p11_token_get_generation (token), >, generation);
  /* the handles found before are never used again */
  g_assert_false (cl_key_set_check_value (CL_KEY_SET (before), CL_KEY_ROLE_ENC, kcv, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_HSM_LOST);
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/p11/token/wrong-pin", test_wrong_pin);
  g_test_add_func ("/p11/token/pin-file-mode-refused", test_pin_file_mode_refused);
  g_test_add_func ("/p11/token/login", test_login);
  g_test_add_func ("/p11/token/unknown-label", test_unknown_label);
  g_test_add_func ("/p11/token/unknown-module", test_unknown_module);
  g_test_add_func ("/p11/token/mechanisms", test_mechanisms);
  g_test_add_func ("/p11/token/reconnect", test_reconnect);
  return g_test_run ();
}
