/* ClP11KeySet against the vectors and against ClPlainKeySet, the host-side reference, for the same inputs. */
#include <string.h>

#include "cl-test-vectors.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-plain-key-set.h"
#include "p11-test-token.h"
#include "p11/cl-p11-key-store.h"

static ClP11Token *token;

static const ClKeyRole roles[] = { CL_KEY_ROLE_ENC, CL_KEY_ROLE_MAC, CL_KEY_ROLE_DEK };
static const char *const kcv_names[] = { NULL, "kcv_enc", "kcv_mac", "kcv_dek" };

/* The same key in all three roles, as a master (KMC) is used by the diversification templates. */
static ClP11KeySet *
import_same (ClKeyType type, GBytes *key, ClP11KeySetFlags flags, ClP11KeySetOptions options)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = p11_test_unique_name ("test");
  ClP11KeySet *set;

  cl_p11_token_import_key_set (token, name, 1, type, key, key, key, flags | CL_P11_KEY_SET_SESSION, &error);
  g_assert_no_error (error);
  set = cl_p11_token_find_key_set (token, name, 1, options, &error);
  g_assert_no_error (error);
  return set;
}

static ClKeySet *
plain_same (ClKeyType type, GBytes *key)
{
  g_autoptr (GError) error = NULL;
  const guint8 *k = g_bytes_get_data (key, NULL);
  ClKeySet *set = cl_plain_key_set_new (type, 1, k, k, k, g_bytes_get_size (key), &error);

  g_assert_no_error (error);
  return set;
}

static char *
kcv_hex (ClKeySet *set, ClKeyRole role)
{
  g_autoptr (GError) error = NULL;
  guint8 kcv[3];

  cl_key_set_check_value (set, role, kcv, &error);
  g_assert_no_error (error);
  return cl_hex_encode (kcv, 3);
}

static void
assert_same_bytes (GBytes *a, GBytes *b, const char *what)
{
  g_autofree char *ha = cl_hex_encode_bytes (a);
  cl_test_assert_bytes_hex (b, ha, what);
}

static void
test_kcv_vectors (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("kcv.txt");
  const char *const *sections = cl_test_vectors_sections (v);

  for (guint i = 0; sections[i] != NULL; i++)
    {
      g_autoptr (GBytes) key = cl_test_vectors_get_hex (v, sections[i], "key");
      ClKeyType type
        = g_str_equal (cl_test_vectors_get (v, sections[i], "type"), "aes") ? CL_KEY_TYPE_AES : CL_KEY_TYPE_DES3;
      g_autoptr (ClP11KeySet) set = import_same (type, key, 0, 0);
      g_autofree char *kcv = kcv_hex (CL_KEY_SET (set), CL_KEY_ROLE_MAC);

      g_assert_cmpstr (kcv, ==, cl_test_vectors_get (v, sections[i], "kcv"));
    }
}

/* Diversifies every vector master in the token and compares the card keys' KCVs with the vector and with the
 * host reference. */
static void
check_diversification (ClDiversification method, ClP11KeySetOptions options)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("diversification.txt");
  const char *const *sections = cl_test_vectors_sections (v);
  guint checked = 0;

  for (guint i = 0; sections[i] != NULL; i++)
    {
      const char *m = cl_test_vectors_get (v, sections[i], "method");
      g_autoptr (GBytes) master = cl_test_vectors_get_hex (v, sections[i], "master");
      g_autoptr (GBytes) kdd = cl_test_vectors_get_hex (v, sections[i], "kdd");
      ClKeyType type = method == CL_DIVERSIFY_EMV || method == CL_DIVERSIFY_VISA2 ? CL_KEY_TYPE_DES3 : CL_KEY_TYPE_AES;
      g_autoptr (ClP11KeySet) set = NULL;
      g_autoptr (ClKeySet) plain = NULL;
      g_autoptr (ClKeySet) card = NULL;
      g_autoptr (ClKeySet) plain_card = NULL;
      g_autoptr (GError) error = NULL;

      /* AES_ECB has no vector of its own: it runs over the AES masters of the kdf3 vectors. */
      if (method == CL_DIVERSIFY_AES_ECB ? !g_str_equal (m, "kdf3")
                                         : !g_str_equal (m, cl_diversification_to_string (method)))
        continue;
      set = import_same (type, master, 0, options);
      plain = plain_same (type, master);
      card = cl_key_set_diversify (CL_KEY_SET (set), method, g_bytes_get_data (kdd, NULL), 0x30, &error);
      g_assert_no_error (error);
      plain_card = cl_key_set_diversify (plain, method, g_bytes_get_data (kdd, NULL), 0x30, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (cl_key_set_get_version (card), ==, 0x30);
      g_assert_cmpuint (cl_key_set_get_key_length (card), ==, g_bytes_get_size (master));

      for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
        {
          g_autofree char *kcv = kcv_hex (card, roles[r]);
          g_autofree char *plain_kcv = kcv_hex (plain_card, roles[r]);

          g_assert_cmpstr (kcv, ==, plain_kcv);
          if (method != CL_DIVERSIFY_AES_ECB && cl_test_vectors_has (v, sections[i], kcv_names[roles[r]]))
            g_assert_cmpstr (kcv, ==, cl_test_vectors_get (v, sections[i], kcv_names[roles[r]]));
        }
      if (method != CL_DIVERSIFY_AES_ECB && cl_test_vectors_has (v, sections[i], "key_enc"))
        {
          g_autoptr (GBytes) key_enc = cl_test_vectors_get_hex (v, sections[i], "key_enc");
          g_autoptr (ClKeySet) expected = plain_same (CL_KEY_TYPE_AES, key_enc);
          g_autofree char *kcv = kcv_hex (card, CL_KEY_ROLE_ENC);
          g_autofree char *expected_kcv = kcv_hex (expected, CL_KEY_ROLE_ENC);
          g_assert_cmpstr (kcv, ==, expected_kcv);
        }
      g_assert_cmpint (cl_p11_key_set_get_host_derived (CL_P11_KEY_SET (card)), ==, method == CL_DIVERSIFY_KDF3);
      checked++;
    }
  g_assert_cmpuint (checked, >, 0);
}

static void
test_diversify_emv (void)
{
  check_diversification (CL_DIVERSIFY_EMV, 0);
}

static void
test_diversify_visa2 (void)
{
  check_diversification (CL_DIVERSIFY_VISA2, 0);
}

static void
test_diversify_aes_ecb (void)
{
  check_diversification (CL_DIVERSIFY_AES_ECB, 0);
}

static void
test_diversify_kdf3_opt_in (void)
{
  check_diversification (CL_DIVERSIFY_KDF3, CL_P11_KEY_SET_ALLOW_HOST_DERIVATION);
}

static void
test_diversify_kdf3_refused (void)
{
  g_autoptr (GBytes) master = cl_hex_decode ("404142434445464748494A4B4C4D4E4F", NULL);
  g_autoptr (ClP11KeySet) set = import_same (CL_KEY_TYPE_AES, master, 0, 0);
  g_autoptr (GError) error = NULL;
  static const guint8 kdd[10] = { 0 };
  g_autoptr (ClKeySet) card = cl_key_set_diversify (CL_KEY_SET (set), CL_DIVERSIFY_KDF3, kdd, 0x30, &error);

  g_assert_null (card);
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "CMAC"));
}

/* A method value from nowhere (a corrupted profile field) is an error, not an abort. */
static void
test_diversify_unknown_method (void)
{
  g_autoptr (GBytes) master = cl_hex_decode ("404142434445464748494A4B4C4D4E4F", NULL);
  g_autoptr (ClP11KeySet) set = import_same (CL_KEY_TYPE_AES, master, 0, 0);
  g_autoptr (GError) error = NULL;
  static const guint8 kdd[10] = { 0 };
  g_autoptr (ClKeySet) card = cl_key_set_diversify (CL_KEY_SET (set), (ClDiversification)99, kdd, 0x30, &error);

  g_assert_null (card);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "99"));
}

/* The SCP03 KDF input for S-MAC: 00x11 || 06 || 00 || 0080 || 01 || host challenge || card challenge. */
static void
test_cmac_scp03_kdf (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("kcv.txt");
  g_autoptr (GBytes) key = cl_test_vectors_get_hex (v, "aes_4041", "key");
  g_autoptr (ClP11KeySet) set = import_same (CL_KEY_TYPE_AES, key, 0, 0);
  g_autoptr (ClKeySet) plain = plain_same (CL_KEY_TYPE_AES, key);
  g_autoptr (GError) error = NULL;
  guint8 input[32] = { [11] = 0x06, [13] = 0x00, [14] = 0x80, [15] = 0x01 };
  guint8 mac[16], plain_mac[16];

  for (guint i = 16; i < sizeof input; i++)
    input[i] = (guint8)(i * 7);
  cl_key_set_cmac (CL_KEY_SET (set), CL_KEY_ROLE_MAC, input, sizeof input, mac, &error);
  g_assert_no_error (error);
  cl_key_set_cmac (plain, CL_KEY_ROLE_MAC, input, sizeof input, plain_mac, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (mac, 16, plain_mac, 16);
}

static void
test_encrypt (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("kcv.txt");
  const char *const sections[] = { "aes_4041", "des3_4041" };
  guint8 data[32];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8)(0xA0 + i);
  for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
    {
      g_autoptr (GBytes) key = cl_test_vectors_get_hex (v, sections[s], "key");
      ClKeyType type = s == 0 ? CL_KEY_TYPE_AES : CL_KEY_TYPE_DES3;
      g_autoptr (ClP11KeySet) set = import_same (type, key, 0, 0);
      g_autoptr (ClKeySet) plain = plain_same (type, key);

      for (ClCipherMode mode = CL_CIPHER_ECB; mode <= CL_CIPHER_CBC_ZERO_IV; mode++)
        {
          g_autoptr (GError) error = NULL;
          g_autoptr (GBytes) out = cl_key_set_encrypt (CL_KEY_SET (set), CL_KEY_ROLE_ENC, mode, data, 32, &error);
          g_autoptr (GBytes) expected = NULL;

          g_assert_no_error (error);
          expected = cl_key_set_encrypt (plain, CL_KEY_ROLE_ENC, mode, data, 32, &error);
          g_assert_no_error (error);
          assert_same_bytes (expected, out, "token encryption");
        }
    }
}

/* PUT KEY: the card keys diversified from the KMC, wrapped under the DEK of the card's current (KST) set. */
static void
test_wrap_put_key_aes (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("kcv.txt");
  g_autoptr (GBytes) kmc = cl_test_vectors_get_hex (v, "aes_4041", "key");
  g_autoptr (GBytes) kst = cl_test_vectors_get_hex (v, "aes_2021", "key");
  g_autoptr (ClP11KeySet) kmc_set = import_same (CL_KEY_TYPE_AES, kmc, 0, 0);
  g_autoptr (ClP11KeySet) kst_set = import_same (CL_KEY_TYPE_AES, kst, 0, 0);
  g_autoptr (ClKeySet) plain_kmc = plain_same (CL_KEY_TYPE_AES, kmc);
  g_autoptr (ClKeySet) plain_kst = plain_same (CL_KEY_TYPE_AES, kst);
  static const guint8 kdd[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  g_autoptr (GError) error = NULL;
  g_autoptr (ClKeySet) card = cl_key_set_diversify (CL_KEY_SET (kmc_set), CL_DIVERSIFY_AES_ECB, kdd, 0x30, &error);
  g_autoptr (ClKeySet) plain_card = NULL;

  g_assert_no_error (error);
  plain_card = cl_key_set_diversify (plain_kmc, CL_DIVERSIFY_AES_ECB, kdd, 0x30, &error);
  g_assert_no_error (error);

  for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
    for (ClCipherMode mode = CL_CIPHER_ECB; mode <= CL_CIPHER_CBC_ZERO_IV; mode++)
      {
        g_autoptr (GBytes) wrapped = NULL;
        g_autoptr (GBytes) expected = NULL;

        wrapped = cl_key_set_wrap_with_key_set (card, roles[r], CL_KEY_SET (kst_set), CL_KEY_ROLE_DEK, mode, &error);
        g_assert_no_error (error);
        expected = cl_key_set_wrap_with_key_set (plain_card, roles[r], plain_kst, CL_KEY_ROLE_DEK, mode, &error);
        g_assert_no_error (error);
        assert_same_bytes (expected, wrapped, "PUT KEY data wrapped under the KST DEK");
      }
}

/* A 32-byte card key wrapped in ECB mode, which tokens offering only CBC wrapping reach block by block. */
static void
test_wrap_ecb_two_blocks (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("diversification.txt");
  g_autoptr (GBytes) kmc = cl_test_vectors_get_hex (v, "gppro_kdf3_aes256", "master");
  g_autoptr (GBytes) kdd = cl_test_vectors_get_hex (v, "gppro_kdf3_aes256", "kdd");
  g_autoptr (ClP11KeySet) kmc_set = import_same (CL_KEY_TYPE_AES, kmc, 0, 0);
  g_autoptr (ClKeySet) plain_kmc = plain_same (CL_KEY_TYPE_AES, kmc);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClKeySet) card = NULL;
  g_autoptr (ClKeySet) plain_card = NULL;

  card = cl_key_set_diversify (CL_KEY_SET (kmc_set), CL_DIVERSIFY_AES_ECB, g_bytes_get_data (kdd, NULL), 0x31, &error);
  g_assert_no_error (error);
  plain_card = cl_key_set_diversify (plain_kmc, CL_DIVERSIFY_AES_ECB, g_bytes_get_data (kdd, NULL), 0x31, &error);
  g_assert_no_error (error);
  for (ClCipherMode mode = CL_CIPHER_ECB; mode <= CL_CIPHER_CBC_ZERO_IV; mode++)
    {
      g_autoptr (GBytes) wrapped = NULL;
      g_autoptr (GBytes) expected = NULL;

      wrapped = cl_key_set_wrap_with_key_set (card, CL_KEY_ROLE_MAC, card, CL_KEY_ROLE_DEK, mode, &error);
      g_assert_no_error (error);
      expected = cl_key_set_wrap_with_key_set (plain_card, CL_KEY_ROLE_MAC, plain_card, CL_KEY_ROLE_DEK, mode, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (wrapped), ==, 32);
      assert_same_bytes (expected, wrapped, "32-byte key wrapped");
    }
}

/* SCP02 PUT KEY wraps under the session DEK, which lives in host memory. */
static void
test_wrap_with_session_key (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("kcv.txt");
  const char *const sections[] = { "aes_4041", "des3_4041" };
  static const guint8 kdd[10] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };

  for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
    {
      g_autoptr (GBytes) key = cl_test_vectors_get_hex (v, sections[s], "key");
      g_autoptr (GBytes) session_key = cl_test_vectors_get_hex (v, "aes_0001", "key");
      ClKeyType type = s == 0 ? CL_KEY_TYPE_AES : CL_KEY_TYPE_DES3;
      ClDiversification method = s == 0 ? CL_DIVERSIFY_AES_ECB : CL_DIVERSIFY_EMV;
      g_autoptr (ClP11KeySet) set = import_same (type, key, 0, 0);
      g_autoptr (ClKeySet) plain = plain_same (type, key);
      g_autoptr (GError) error = NULL;
      g_autoptr (ClKeySet) card = cl_key_set_diversify (CL_KEY_SET (set), method, kdd, 0x20, &error);
      g_autoptr (ClKeySet) plain_card = NULL;

      g_assert_no_error (error);
      plain_card = cl_key_set_diversify (plain, method, kdd, 0x20, &error);
      g_assert_no_error (error);
      for (ClCipherMode mode = CL_CIPHER_ECB; mode <= CL_CIPHER_CBC_ZERO_IV; mode++)
        {
          const guint8 *sk = g_bytes_get_data (session_key, NULL);
          g_autoptr (GBytes) wrapped = cl_key_set_wrap_with_session_key (card, CL_KEY_ROLE_ENC, sk, 16, mode, &error);
          g_autoptr (GBytes) expected = NULL;

          /* SoftHSM2 2.6 lists CKM_DES3_CBC with CKF_WRAP but its C_WrapKey accepts only AES mechanisms: the
           * failure must say so, by name. */
          if (type == CL_KEY_TYPE_DES3 && error != NULL)
            {
              g_assert_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED);
              g_assert_nonnull (strstr (error->message, "CKM_DES3_CBC"));
              g_test_message ("3DES wrapping refused by this token: %s", error->message);
              g_clear_error (&error);
              continue;
            }
          g_assert_no_error (error);
          expected = cl_key_set_wrap_with_session_key (plain_card, CL_KEY_ROLE_ENC, sk, 16, mode, &error);
          g_assert_no_error (error);
          assert_same_bytes (expected, wrapped, "key wrapped under a session key");
        }
    }
}

static void
test_master_not_extractable (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("kcv.txt");
  g_autoptr (GBytes) key = cl_test_vectors_get_hex (v, "aes_4041", "key");
  g_autoptr (GBytes) other = cl_test_vectors_get_hex (v, "aes_1011", "key");
  g_autoptr (ClP11KeySet) master = import_same (CL_KEY_TYPE_AES, key, 0, 0);
  g_autoptr (ClP11KeySet) wrapping = import_same (CL_KEY_TYPE_AES, other, 0, 0);
  g_autoptr (ClP11Session) session = cl_p11_token_acquire_session (token, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) wrapped = NULL;
  guint8 value[32];
  CK_BBOOL extractable = CK_TRUE, sensitive = CK_FALSE;
  CK_ATTRIBUTE attr = { CKA_VALUE, value, sizeof value };
  CK_ATTRIBUTE flags[] = {
    { CKA_EXTRACTABLE, &extractable, sizeof extractable },
    { CKA_SENSITIVE, &sensitive, sizeof sensitive },
  };
  CK_RV rv;

  g_assert_nonnull (session);
  rv = session->f->C_GetAttributeValue (session->handle, cl_p11_key_set_get_handle (master, CL_KEY_ROLE_ENC), &attr, 1);
  g_assert_cmpuint (rv, ==, CKR_ATTRIBUTE_SENSITIVE);
  g_assert_cmpuint (attr.ulValueLen, ==, CK_UNAVAILABLE_INFORMATION);
  rv = session->f->C_GetAttributeValue (session->handle, cl_p11_key_set_get_handle (master, CL_KEY_ROLE_ENC), flags, 2);
  g_assert_cmpuint (rv, ==, CKR_OK);
  g_assert_false (extractable);
  g_assert_true (sensitive);

  wrapped = cl_key_set_wrap_with_key_set (CL_KEY_SET (master), CL_KEY_ROLE_ENC, CL_KEY_SET (wrapping), CL_KEY_ROLE_DEK,
                                          CL_CIPHER_CBC_ZERO_IV, &error);
  g_assert_null (wrapped);
  g_assert_error (error, CL_ERROR, CL_ERROR_TOKEN);
  g_assert_nonnull (strstr (error->message, "CKR_KEY_UNEXTRACTABLE"));
}

static void
test_find_and_versions (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("kcv.txt");
  g_autoptr (GBytes) key = cl_test_vectors_get_hex (v, "aes_4041", "key");
  g_autofree char *name = p11_test_unique_name ("versions");
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) versions = NULL;
  g_autoptr (ClP11KeySet) missing = NULL;
  g_autoptr (ClP11KeySet) generated = NULL;
  const guint8 wanted[] = { 0x01, 0x20, 0x30 };

  for (gint i = G_N_ELEMENTS (wanted) - 1; i >= 1; i--)
    {
      cl_p11_token_import_key_set (token, name, wanted[i], CL_KEY_TYPE_AES, key, key, key, CL_P11_KEY_SET_SESSION,
                                   &error);
      g_assert_no_error (error);
    }
  cl_p11_token_generate_key_set (token, name, wanted[0], CL_KEY_TYPE_AES, 16, CL_P11_KEY_SET_SESSION, &error);
  g_assert_no_error (error);

  g_assert_false (
    cl_p11_token_import_key_set (token, name, 0x20, CL_KEY_TYPE_AES, key, key, key, CL_P11_KEY_SET_SESSION, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  versions = cl_p11_token_list_key_set_versions (token, name, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (versions->data, versions->len, wanted, sizeof wanted);

  generated = cl_p11_token_find_key_set (token, name, 0x01, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_key_set_get_key_type (CL_KEY_SET (generated)), ==, CL_KEY_TYPE_AES);
  g_assert_cmpuint (cl_key_set_get_key_length (CL_KEY_SET (generated)), ==, 16);

  missing = cl_p11_token_find_key_set (token, name, 0x21, 0, &error);
  g_assert_null (missing);
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, name));
  g_clear_error (&error);

  cl_p11_token_delete_key_set (token, name, 0x30, &error);
  g_assert_no_error (error);
  g_clear_pointer (&versions, g_array_unref);
  versions = cl_p11_token_list_key_set_versions (token, name, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (versions->len, ==, 2);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  token = p11_test_token_open (TRUE);

  g_test_add_func ("/p11/key-set/kcv-vectors", test_kcv_vectors);
  g_test_add_func ("/p11/key-set/diversify-emv", test_diversify_emv);
  g_test_add_func ("/p11/key-set/diversify-visa2", test_diversify_visa2);
  g_test_add_func ("/p11/key-set/diversify-aes-ecb", test_diversify_aes_ecb);
  g_test_add_func ("/p11/key-set/diversify-kdf3-refused", test_diversify_kdf3_refused);
  g_test_add_func ("/p11/key-set/diversify-kdf3-opt-in", test_diversify_kdf3_opt_in);
  g_test_add_func ("/p11/key-set/diversify-unknown-method", test_diversify_unknown_method);
  g_test_add_func ("/p11/key-set/cmac-scp03-kdf", test_cmac_scp03_kdf);
  g_test_add_func ("/p11/key-set/encrypt", test_encrypt);
  g_test_add_func ("/p11/key-set/wrap-put-key-aes", test_wrap_put_key_aes);
  g_test_add_func ("/p11/key-set/wrap-ecb-two-blocks", test_wrap_ecb_two_blocks);
  g_test_add_func ("/p11/key-set/wrap-with-session-key", test_wrap_with_session_key);
  g_test_add_func ("/p11/key-set/master-not-extractable", test_master_not_extractable);
  g_test_add_func ("/p11/key-set/find-and-versions", test_find_and_versions);
  status = g_test_run ();
  g_object_unref (token);
  return status;
}
