#include <string.h>

#include "cl-test-vectors.h"
#include "core/cl-diversify-data.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "crypto/cl-plain-key-set.h"

static guint vectors_passed;

static ClKeySet *
key_set_from (GBytes *key, ClKeyType type, guint8 version)
{
  g_autoptr (GError) error = NULL;
  const guint8 *k = g_bytes_get_data (key, NULL);
  ClKeySet *ks = cl_plain_key_set_new (type, version, k, k, k, g_bytes_get_size (key), &error);

  g_assert_no_error (error);
  return ks;
}

static void
assert_kcv (ClKeySet *ks, ClKeyRole role, const char *expected, const char *what)
{
  g_autoptr (GError) error = NULL;
  guint8 kcv[3];
  g_autoptr (GBytes) b = NULL;

  g_assert_true (cl_key_set_check_value (ks, role, kcv, &error));
  g_assert_no_error (error);
  b = g_bytes_new (kcv, 3);
  cl_test_assert_bytes_hex (b, expected, what);
}

static void
test_kcv_vectors (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("kcv.txt");
  const char *const *sections = cl_test_vectors_sections (v);
  guint n = 0;

  for (guint i = 0; sections[i]; i++)
    {
      const char *s = sections[i];
      g_autoptr (GBytes) key = cl_test_vectors_get_hex (v, s, "key");
      gboolean aes = g_strcmp0 (cl_test_vectors_get (v, s, "type"), "aes") == 0;
      g_autoptr (ClKeySet) ks = key_set_from (key, aes ? CL_KEY_TYPE_AES : CL_KEY_TYPE_DES3, 1);
      g_autoptr (GError) error = NULL;
      guint8 kcv[3];
      g_autoptr (GBytes) direct = NULL;

      assert_kcv (ks, CL_KEY_ROLE_DEK, cl_test_vectors_get (v, s, "kcv"), s);
      if (aes)
        g_assert_true (cl_kcv_aes (g_bytes_get_data (key, NULL), g_bytes_get_size (key), kcv, &error));
      else
        g_assert_true (cl_kcv_des3 (g_bytes_get_data (key, NULL), g_bytes_get_size (key), kcv, &error));
      direct = g_bytes_new (kcv, 3);
      cl_test_assert_bytes_hex (direct, cl_test_vectors_get (v, s, "kcv"), s);
      n++;
    }
  g_assert_cmpuint (n, ==, 5);
  vectors_passed += n;
}

static void
test_diversification_vectors (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("diversification.txt");
  const char *const *sections = cl_test_vectors_sections (v);
  guint n = 0;

  for (guint i = 0; sections[i]; i++)
    {
      const char *s = sections[i];
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) master = cl_test_vectors_get_hex (v, s, "master");
      g_autoptr (GBytes) kdd = cl_test_vectors_get_hex (v, s, "kdd");
      ClDiversification method;
      ClKeyType type;
      g_autoptr (ClKeySet) ks = NULL;
      g_autoptr (ClKeySet) card = NULL;

      g_assert_true (cl_diversification_from_string (cl_test_vectors_get (v, s, "method"), &method, &error));
      type = (method == CL_DIVERSIFY_KDF3 || method == CL_DIVERSIFY_AES_ECB) ? CL_KEY_TYPE_AES : CL_KEY_TYPE_DES3;
      ks = key_set_from (master, type, 0x30);
      g_assert_cmpuint (g_bytes_get_size (kdd), ==, 10);
      card = cl_key_set_diversify (ks, method, g_bytes_get_data (kdd, NULL), 0x31, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (cl_key_set_get_version (card), ==, 0x31);
      g_assert_cmpuint (cl_key_set_get_key_length (card), ==, g_bytes_get_size (master));
      if (cl_test_vectors_has (v, s, "kcv_enc"))
        {
          assert_kcv (card, CL_KEY_ROLE_ENC, cl_test_vectors_get (v, s, "kcv_enc"), s);
          assert_kcv (card, CL_KEY_ROLE_MAC, cl_test_vectors_get (v, s, "kcv_mac"), s);
          assert_kcv (card, CL_KEY_ROLE_DEK, cl_test_vectors_get (v, s, "kcv_dek"), s);
        }
      if (cl_test_vectors_has (v, s, "key_enc"))
        {
          g_autoptr (GBytes) expected = cl_test_vectors_get_hex (v, s, "key_enc");
          g_autoptr (ClKeySet) ref = key_set_from (expected, type, 0);
          guint8 kcv[3];
          g_autofree char *hex = NULL;

          g_assert_true (cl_key_set_check_value (ref, CL_KEY_ROLE_ENC, kcv, &error));
          hex = cl_hex_encode (kcv, 3);
          assert_kcv (card, CL_KEY_ROLE_ENC, hex, s);
        }
      n++;
    }
  g_assert_cmpuint (n, ==, 6);
  vectors_passed += n;
}

static void
test_aes_ecb_diversification (void)
{
  g_autoptr (GError) error = NULL;
  guint8 master[32], kdd[10], block[32], expected[32], kcv[3];
  g_autoptr (ClKeySet) ks = NULL;
  g_autoptr (ClKeySet) card = NULL;
  g_autoptr (GBytes) got = NULL;
  g_autoptr (GBytes) want = NULL;

  for (gsize len = 16; len <= 32; len += 8)
    {
      for (guint i = 0; i < 32; i++)
        master[i] = (guint8)(0x40 + i);
      for (guint i = 0; i < 10; i++)
        kdd[i] = (guint8)i;
      ks = cl_plain_key_set_new (CL_KEY_TYPE_AES, 1, master, master, master, len, &error);
      g_assert_no_error (error);
      card = cl_key_set_diversify (ks, CL_DIVERSIFY_AES_ECB, kdd, 2, &error);
      g_assert_no_error (error);
      cl_diversify_data_aes_ecb_block (kdd, CL_KEY_ROLE_MAC, 1, block);
      cl_diversify_data_aes_ecb_block (kdd, CL_KEY_ROLE_MAC, 2, block + 16);
      g_assert_cmpuint (block[10], ==, 2);
      g_assert_cmpuint (block[11], ==, 1);
      g_assert_true (
        cl_cipher_encrypt (CL_CIPHER_AES, CL_CIPHER_MODE_ECB, master, len, NULL, block, 32, expected, &error));
      g_assert_true (cl_key_set_check_value (card, CL_KEY_ROLE_MAC, kcv, &error));
      got = g_bytes_new (kcv, 3);
      g_assert_true (cl_kcv_aes (expected, len, kcv, &error));
      want = g_bytes_new (kcv, 3);
      g_assert_true (g_bytes_equal (got, want));
      g_clear_object (&ks);
      g_clear_object (&card);
      g_clear_pointer (&got, g_bytes_unref);
      g_clear_pointer (&want, g_bytes_unref);
    }

  /* The worked vector of the Cardline-specific scheme as docs/diversification.md gives it (computed there with
   * Python's cryptography package): master 40..4F, KDD 00..09, KCV per role. */
  {
    static const char *const kcvs[] = { "767E43", "3E854C", "68C318" };

    ks = cl_plain_key_set_new (CL_KEY_TYPE_AES, 1, master, master, master, 16, &error);
    card = cl_key_set_diversify (ks, CL_DIVERSIFY_AES_ECB, kdd, 2, &error);
    g_assert_no_error (error);
    for (guint role = 0; role < 3; role++)
      {
        g_autofree char *hex = NULL;

        g_assert_true (cl_key_set_check_value (card, (ClKeyRole)(CL_KEY_ROLE_ENC + role), kcv, &error));
        hex = cl_hex_encode (kcv, 3);
        g_assert_cmpstr (hex, ==, kcvs[role]);
      }
    g_clear_object (&ks);
    g_clear_object (&card);
  }

  /* Methods that do not fit the key type are refused. */
  ks = cl_plain_key_set_new (CL_KEY_TYPE_AES, 1, master, master, master, 16, &error);
  card = cl_key_set_diversify (ks, CL_DIVERSIFY_EMV, kdd, 2, &error);
  g_assert_null (card);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

static void
test_padding (void)
{
  gsize len = 0, unpadded = 0;
  g_autofree guint8 *p = cl_pad_iso9797_m2 ((const guint8 *)"abc", 3, 8, &len);
  g_autofree guint8 *q = cl_pad_iso9797_m2 ((const guint8 *)"abcdefgh", 8, 8, &len);

  g_assert_cmpuint (len, ==, 16);
  g_assert_cmpuint (q[8], ==, 0x80);
  g_assert_true (cl_unpad_iso9797_m2 (q, 16, &unpadded));
  g_assert_cmpuint (unpadded, ==, 8);
  g_assert_cmpuint (p[3], ==, 0x80);
  g_assert_true (cl_unpad_iso9797_m2 (p, 8, &unpadded));
  g_assert_cmpuint (unpadded, ==, 3);
  g_assert_false (cl_unpad_iso9797_m2 ((const guint8 *)"\0\0\0\0", 4, &unpadded));
  g_assert_false (cl_unpad_iso9797_m2 ((const guint8 *)"\x01\x02", 2, &unpadded));
  g_assert_false (cl_unpad_iso9797_m2 (NULL, 0, &unpadded));
}

static void
test_ciphers (void)
{
  g_autoptr (GError) error = NULL;
  guint8 key[32], data[48], enc[48], dec[48], iv[16];

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8)(i * 7);
  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8)i;
  memset (iv, 0x5A, sizeof iv);
  for (gsize len = 16; len <= 32; len += 8)
    for (int mode = CL_CIPHER_MODE_ECB; mode <= CL_CIPHER_MODE_CBC; mode++)
      {
        g_assert_true (cl_cipher_encrypt (CL_CIPHER_AES, mode, key, len, iv, data, 48, enc, &error));
        g_assert_true (cl_cipher_decrypt (CL_CIPHER_AES, mode, key, len, iv, enc, 48, dec, &error));
        g_assert_no_error (error);
        g_assert_cmpmem (dec, 48, data, 48);
        if (len != 32)
          {
            g_assert_true (cl_cipher_encrypt (CL_CIPHER_DES3, mode, key, len, iv, data, 48, enc, &error));
            g_assert_true (cl_cipher_decrypt (CL_CIPHER_DES3, mode, key, len, iv, enc, 48, dec, &error));
            g_assert_no_error (error);
            g_assert_cmpmem (dec, 48, data, 48);
          }
      }
  /* Single DES equals 3DES with K1 = K2 = K3. */
  memcpy (key + 8, key, 8);
  memcpy (key + 16, key, 8);
  g_assert_true (cl_cipher_encrypt (CL_CIPHER_DES, CL_CIPHER_MODE_ECB, key, 8, NULL, data, 8, enc, &error));
  g_assert_true (cl_cipher_encrypt (CL_CIPHER_DES3, CL_CIPHER_MODE_ECB, key, 24, NULL, data, 8, dec, &error));
  g_assert_cmpmem (enc, 8, dec, 8);
  /* With K1 = K2 the retail MAC is the full 3DES MAC. */
  g_assert_true (cl_retail_mac (key, 16, NULL, data, 20, enc, &error));
  g_assert_true (cl_des3_mac (key, 16, NULL, data, 20, dec, &error));
  g_assert_cmpmem (enc, 8, dec, 8);

  g_assert_false (cl_cipher_encrypt (CL_CIPHER_AES, CL_CIPHER_MODE_ECB, key, 16, NULL, data, 15, enc, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cl_cipher_encrypt (CL_CIPHER_AES, CL_CIPHER_MODE_ECB, key, 20, NULL, data, 16, enc, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cl_aes_cmac (key, 8, data, 16, enc, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

static void
test_digest_random (void)
{
  g_autoptr (GError) error = NULL;
  guint8 out[32], a[16] = { 0 }, b[16] = { 0 };
  g_autofree char *hex = NULL;

  /* FIPS 180-2 "abc" */
  cl_sha256 ((const guint8 *)"abc", 3, out);
  hex = cl_hex_encode (out, 4);
  g_assert_cmpstr (hex, ==, "BA7816BF");
  g_assert_true (cl_random_bytes (a, 16, &error));
  g_assert_true (cl_random_bytes (b, 16, &error));
  g_assert_false (memcmp (a, b, 16) == 0);
}

static void
test_key_set_misc (void)
{
  g_autoptr (GError) error = NULL;
  guint8 k[16] = { 1 }, out[16];
  g_autoptr (ClKeySet) des = cl_plain_key_set_new (CL_KEY_TYPE_DES3, 1, k, k, k, 16, &error);
  g_autoptr (ClKeySet) bad = cl_plain_key_set_new (CL_KEY_TYPE_DES3, 1, k, k, k, 32, &error);

  g_assert_null (bad);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cl_key_set_cmac (des, CL_KEY_ROLE_MAC, k, 16, out, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/crypto/kcv-vectors", test_kcv_vectors);
  g_test_add_func ("/crypto/diversification-vectors", test_diversification_vectors);
  g_test_add_func ("/crypto/aes-ecb-diversification", test_aes_ecb_diversification);
  g_test_add_func ("/crypto/padding", test_padding);
  g_test_add_func ("/crypto/ciphers", test_ciphers);
  g_test_add_func ("/crypto/digest-random", test_digest_random);
  g_test_add_func ("/crypto/key-set-misc", test_key_set_misc);
  rc = g_test_run ();
  g_test_message ("vectors passed: %u", vectors_passed);
  g_print ("# vectors passed: %u\n", vectors_passed);
  return rc;
}
