/* Unit tests of the DKEK share file format (dkek.txt). The real iteration count costs seconds, so the vector
 * goes through one derivation: it is decrypted with the real count. Encryption needs no second one: CBC with the
 * same key, IV and deterministic padding maps the decrypted share back to exactly the vector's ciphertext, and
 * the round trip below (small count) proves encryption and decryption share the derivation and the layout. */
#include <string.h>

#include "cl-test-vectors.h"
#include "core/cl-error.h"
#include "schsm/cl-dkek-share.h"

static void
test_vector (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("dkek.txt");
  g_autoptr (GBytes) file = cl_test_vectors_get_hex (v, "single_share", "file");
  g_autoptr (GBytes) share = cl_test_vectors_get_hex (v, "single_share", "share");
  g_autoptr (GBytes) salt = cl_test_vectors_get_hex (v, "single_share", "salt");
  const char *password = cl_test_vectors_get (v, "single_share", "password");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) again = NULL;
  g_autoptr (GBytes) again_file = NULL;
  guint8 out[CL_DKEK_SHARE_LEN];

  g_assert_true (cl_dkek_share_decrypt (g_bytes_get_data (file, NULL), g_bytes_get_size (file), password,
                                        strlen (password), out, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out, sizeof out, g_bytes_get_data (share, NULL), g_bytes_get_size (share));

  /* with the vector's salt, encryption is deterministic: same header and salt, 64 bytes */
  again = cl_dkek_share_encrypt_full (g_bytes_get_data (share, NULL), password, strlen (password),
                                      g_bytes_get_data (salt, NULL), 1, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (again, NULL), 16, g_bytes_get_data (file, NULL), 16);
  g_assert_cmpuint (g_bytes_get_size (again), ==, g_bytes_get_size (file));
  if (g_test_slow ())
    {
      again_file = cl_dkek_share_encrypt (g_bytes_get_data (share, NULL), password, strlen (password),
                                          g_bytes_get_data (salt, NULL), &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (again_file, file));
    }
}

static void
test_round_trip_and_errors (void)
{
  guint8 share[CL_DKEK_SHARE_LEN], out[CL_DKEK_SHARE_LEN];
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) file = NULL;
  g_autofree guint8 *bad = NULL;

  for (guint i = 0; i < sizeof share; i++)
    share[i] = (guint8)(0xA5 ^ i);
  file = cl_dkek_share_encrypt_full (share, "secret", 6, NULL, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (file), ==, CL_DKEK_SHARE_FILE_LEN);
  g_assert_true (
    cl_dkek_share_decrypt_full (g_bytes_get_data (file, NULL), CL_DKEK_SHARE_FILE_LEN, "secret", 6, 1000, out, &error));
  g_assert_cmpmem (out, sizeof out, share, sizeof share);

  /* a wrong password almost always breaks the padding; when it does not, the length check catches it */
  g_assert_false (
    cl_dkek_share_decrypt_full (g_bytes_get_data (file, NULL), CL_DKEK_SHARE_FILE_LEN, "secreT", 6, 1000, out, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_assert_null (strstr (error->message, "secre"));
  g_clear_error (&error);

  g_assert_false (cl_dkek_share_decrypt_full (g_bytes_get_data (file, NULL), 63, "secret", 6, 1000, out, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_clear_error (&error);
  bad = g_memdup2 (g_bytes_get_data (file, NULL), CL_DKEK_SHARE_FILE_LEN);
  bad[0] = 's';
  g_assert_false (cl_dkek_share_decrypt_full (bad, CL_DKEK_SHARE_FILE_LEN, "secret", 6, 1000, out, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/dkek-share/vector", test_vector);
  g_test_add_func ("/dkek-share/round-trip-and-errors", test_round_trip_and_errors);
  return g_test_run ();
}
