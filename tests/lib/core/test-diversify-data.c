#include <string.h>

#include "core/cl-diversify-data.h"
#include "core/cl-hex.h"

static const guint8 kdd[10] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

static void
assert_hex (const guint8 *data, gsize len, const char *want)
{
  g_autofree char *got = cl_hex_encode (data, len);
  g_assert_cmpstr (got, ==, want);
}

static void
test_des_templates (void)
{
  guint8 out[16];

  cl_diversify_data_des (CL_DIVERSIFY_EMV, kdd, CL_KEY_ROLE_MAC, out);
  assert_hex (out, 16,
              "040506070809F002040506070809"
              "0F02");
  cl_diversify_data_des (CL_DIVERSIFY_VISA2, kdd, CL_KEY_ROLE_DEK, out);
  assert_hex (out, 16,
              "000104050607F003000104050607"
              "0F03");
}

static void
test_aes_templates (void)
{
  guint8 out[32];

  g_assert_cmpuint (cl_diversify_data_aes_ecb (kdd, CL_KEY_ROLE_ENC, 16, out), ==, 16);
  assert_hex (out, 16,
              "00010203040506070809"
              "0101"
              "00000000");
  g_assert_cmpuint (cl_diversify_data_aes_ecb (kdd, CL_KEY_ROLE_ENC, 32, out), ==, 32);
  assert_hex (out + 16, 16,
              "00010203040506070809"
              "0102"
              "00000000");
  cl_diversify_data_kdf3 (kdd, CL_KEY_ROLE_MAC, 2, out);
  assert_hex (out, 16,
              "02000000"
              "0200"
              "00010203040506070809");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/diversify-data/des", test_des_templates);
  g_test_add_func ("/core/diversify-data/aes", test_aes_templates);
  return g_test_run ();
}
