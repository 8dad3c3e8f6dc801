/* EMV option A and ISO 9564 format 0, host side, against published vectors. */
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "keys/cl-emv.h"

static void
assert_hex (const guint8 *data, gsize len, const char *expected)
{
  g_autofree char *hex = cl_hex_encode (data, len);
  g_assert_cmpstr (hex, ==, expected);
}

/* pyemv (github.com/knovichikhin/pyemv) README, "ICC Master Key derivation method A":
 * IMK 0123456789ABCDEFFEDCBA9876543210, PAN 99012345678901234, PSN 45 -> 67F8292358083E5EA7AB7FDA58D53B6B;
 * pyemv tests/test_cvn.py: PAN 12345678901234567 PSN 45 -> check digits FF08; 9901234567890123/45 -> 1DA5. */
static void
test_option_a (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) imk = cl_hex_decode ("0123456789ABCDEFFEDCBA9876543210", &error);
  guint8 mk[16], kcv[3];

  g_assert_true (cl_emv_option_a_host (g_bytes_get_data (imk, NULL), "99012345678901234", "45", mk, &error));
  g_assert_no_error (error);
  assert_hex (mk, 16, "67F8292358083E5EA7AB7FDA58D53B6B");

  g_assert_true (cl_emv_option_a_host (g_bytes_get_data (imk, NULL), "12345678901234567", "45", mk, &error));
  g_assert_true (cl_kcv_des3 (mk, 16, kcv, &error));
  assert_hex (kcv, 2, "FF08");
  g_assert_true (cl_emv_option_a_host (g_bytes_get_data (imk, NULL), "9901234567890123", "45", mk, &error));
  g_assert_true (cl_kcv_des3 (mk, 16, kcv, &error));
  assert_hex (kcv, 2, "1DA5");

  g_assert_false (cl_emv_option_a_host (g_bytes_get_data (imk, NULL), "4111x11111111111", "00", mk, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

/* ID TECH knowledge base / EFTlab BP-Tools "PIN blocks", ISO-0: PAN 43219876543210987, PIN 1234 ->
 * 0412AC89ABCDEF67. IBM "ANSI X9.8" PIN block format: PIN 92389, PAN 4000001234562 -> 0592789FFFEDCBA9. */
static void
test_pin_block (void)
{
  g_autoptr (GError) error = NULL;
  guint8 block[8];

  g_assert_true (cl_pin_block_iso0 ("1234", "43219876543210987", block, &error));
  assert_hex (block, 8, "0412AC89ABCDEF67");
  g_assert_true (cl_pin_block_iso0 ("92389", "4000001234562", block, &error));
  assert_hex (block, 8, "0592789FFFEDCBA9");
  g_assert_false (cl_pin_block_iso0 ("123", "43219876543210987", block, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/keys/emv/option-a", test_option_a);
  g_test_add_func ("/keys/emv/pin-block", test_pin_block);
  return g_test_run ();
}
