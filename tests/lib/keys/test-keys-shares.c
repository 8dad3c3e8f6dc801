/* DKEK password shares (n-of-m over a 64-bit prime) and share files. */
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "keys/cl-password-shares.h"
#include "schsm/cl-dkek-share.h"

#define TEST_ITERATIONS 1000

static void
test_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  ClPasswordShare shares[5], pick[3];
  guint8 password[8], back[8];
  guint64 prime;

  g_assert_true (cl_password_shares_split (3, 5, &prime, password, shares, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (prime >> 63, ==, 1);
  g_assert_cmpuint (password[0] & 0x80, ==, 0x80);

  /* every 3-subset reconstructs */
  for (guint a = 0; a < 5; a++)
    for (guint b = a + 1; b < 5; b++)
      for (guint c = b + 1; c < 5; c++)
        {
          pick[0] = shares[a];
          pick[1] = shares[b];
          pick[2] = shares[c];
          g_assert_true (cl_password_shares_combine (prime, pick, 3, back, &error));
          g_assert_true (memcmp (back, password, 8) == 0);
        }
  /* two of three do not */
  g_assert_true (cl_password_shares_combine (prime, shares, 2, back, &error));
  g_assert_false (memcmp (back, password, 8) == 0);
  /* duplicates are refused */
  pick[1] = pick[0];
  g_assert_false (cl_password_shares_combine (prime, pick, 3, back, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

static void
test_format_parse (void)
{
  g_autoptr (GError) error = NULL;
  ClPasswordShare share = { 7, G_GUINT64_CONSTANT (0x00A1B2C3D4E5F607) };
  g_autofree char *text = cl_password_share_format (G_GUINT64_CONSTANT (0xE3A1B2C3D4E5F6C7), &share);
  guint64 v;
  guint id;

  g_assert_cmpstr (text, ==,
                   "Prime       : E3:A1:B2:C3:D4:E5:F6:C7\nShare ID    : 7\nShare value : 00:A1:B2:C3:D4:E5:F6:07\n");
  /* sc-hsm-tool prints the value without its leading zero byte */
  g_assert_true (cl_password_share_parse_hex ("A1:B2:C3:D4:E5:F6:07", &v, &error));
  g_assert_cmphex (v, ==, share.value);
  g_assert_true (cl_password_share_parse_id ("12", &id, &error));
  g_assert_cmpuint (id, ==, 12); /* decimal, as printed (sc-hsm-tool would read 0x12) */
  g_assert_false (cl_password_share_parse_id ("x1", &id, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

/* vectors/dkek.txt [single_share] */
static void
test_dkek_vector (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) file = cl_hex_decode ("53616C7465645F5F01020304050607082585D4F5F834ED0D917B9811186CBFB588380A503C"
                                           "9F2839F4B48EBADF59E8A9412FC1F3F65BCBFE0B66B041DF8EC330",
                                           &error);
  g_autoptr (GBytes) expected
    = cl_hex_decode ("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", &error);
  guint8 share[32];
  gsize len;
  const guint8 *data = g_bytes_get_data (file, &len);

  g_assert_true (cl_dkek_share_decrypt (data, len, "password", 8, share, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (share, g_bytes_get_data (expected, NULL), 32) == 0);
}

/* A share file protected by a 3-of-5 password split: any 3 open it, 2 do not. */
static void
test_dkek_threshold (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) file = NULL;
  ClPasswordShare shares[5];
  guint8 password[8], back[8], share[32], out[32];
  guint64 prime;

  for (guint i = 0; i < 32; i++)
    share[i] = (guint8)i;
  g_assert_true (cl_password_shares_split (3, 5, &prime, password, shares, &error));
  file = cl_dkek_share_encrypt_full (share, (const char *)password, 8, NULL, TEST_ITERATIONS, &error);
  g_assert_no_error (error);

  g_assert_true (cl_password_shares_combine (prime, shares + 2, 3, back, &error));
  g_assert_true (cl_dkek_share_decrypt_full (g_bytes_get_data (file, NULL), 64, (const char *)back, 8, TEST_ITERATIONS,
                                             out, &error));
  g_assert_no_error (error);
  g_assert_true (memcmp (out, share, 32) == 0);

  g_assert_true (cl_password_shares_combine (prime, shares, 2, back, &error));
  g_assert_false (cl_dkek_share_decrypt_full (g_bytes_get_data (file, NULL), 64, (const char *)back, 8, TEST_ITERATIONS,
                                              out, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keys/shares/round-trip", test_round_trip);
  g_test_add_func ("/keys/shares/format-parse", test_format_parse);
  g_test_add_func ("/keys/shares/dkek-vector", test_dkek_vector);
  g_test_add_func ("/keys/shares/dkek-threshold", test_dkek_threshold);
  return g_test_run ();
}
