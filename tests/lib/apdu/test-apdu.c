#include <string.h>

#include "apdu/cl-apdu.h"
#include "cl-test-vectors.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"

static GBytes *
hex (const char *text)
{
  g_autoptr (GError) error = NULL;
  GBytes *b = cl_hex_decode (text, &error);

  g_assert_no_error (error);
  return b;
}

static void
roundtrip (const char *encoded, gsize lc, guint32 ne, gboolean extended)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) raw = hex (encoded);
  g_autoptr (ClApdu) apdu = cl_apdu_parse (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), &error);
  g_autoptr (GBytes) again = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (cl_apdu_get_lc (apdu), ==, lc);
  g_assert_cmpuint (apdu->ne, ==, ne);
  g_assert_cmpint (!!(apdu->flags & CL_APDU_FLAG_EXTENDED), ==, extended);
  again = cl_apdu_encode (apdu, &error);
  g_assert_no_error (error);
  cl_test_assert_bytes_hex (again, encoded, "re-encoded APDU");
}

static void
test_cases_short (void)
{
  roundtrip ("00A40400", 0, 0, FALSE);
  roundtrip ("00B0000000", 0, 256, FALSE);
  roundtrip ("00B0000010", 0, 16, FALSE);
  roundtrip ("00A4040003A00001", 3, 0, FALSE);
  roundtrip ("00A4040003A0000100", 3, 256, FALSE);
  roundtrip ("00A4040003A0000120", 3, 32, FALSE);
}

static void
test_cases_extended (void)
{
  roundtrip ("00B00000000000", 0, 65536, TRUE);
  roundtrip ("00B00000000100", 0, 256, TRUE);
  roundtrip ("00D6000000000301 02 03", 3, 0, TRUE);
  roundtrip ("00D60000000003010203 0000", 3, 65536, TRUE);
  roundtrip ("00D60000000003010203 0102", 3, 258, TRUE);
}

static void
test_encode_choice (void)
{
  g_autoptr (GError) error = NULL;
  guint8 big[300];
  g_autoptr (ClApdu) a = NULL;
  g_autoptr (ClApdu) b = NULL;
  g_autoptr (ClApdu) c = NULL;
  g_autoptr (GBytes) enc = NULL;

  memset (big, 0xAB, sizeof big);
  a = cl_apdu_new (0x00, 0xD6, 0, 0, big, sizeof big, 0);
  enc = cl_apdu_encode (a, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (enc), ==, 4 + 3 + 300);
  g_clear_pointer (&enc, g_bytes_unref);

  b = cl_apdu_new (0x00, 0xB0, 0, 0, NULL, 0, 300);
  enc = cl_apdu_encode (b, &error);
  g_assert_no_error (error);
  cl_test_assert_bytes_hex (enc, "00B00000 00012C", "Ne 300 goes extended");
  g_clear_pointer (&enc, g_bytes_unref);

  c = cl_apdu_new (0x00, 0xB0, 0, 0, NULL, 0, 70000);
  enc = cl_apdu_encode (c, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_null (enc);
  g_clear_error (&error);

  c->ne = 16;
  c->flags |= CL_APDU_FLAG_EXTENDED;
  enc = cl_apdu_encode (c, &error);
  g_assert_no_error (error);
  cl_test_assert_bytes_hex (enc, "00B00000 000010", "forced extended");
}

static void
test_parse_malformed (void)
{
  const char *bad[] = {
    "",
    "00",
    "00A404",
    "00A4040003A000",
    "00A4040003A00001020304",
    "00A404000000",
    "00A4040000000300",
    "00A40400000003010203040506",
    "00A4040000000001",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) raw = hex (bad[i]);
      g_autoptr (ClApdu) apdu = cl_apdu_parse (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), &error);

      g_assert_null (apdu);
      g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
    }
}

static void
test_response (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClResponse) r = cl_response_parse ((const guint8 *)"\x01\x02\x90\x00", 4, &error);
  g_autoptr (ClResponse) bad = NULL;
  g_autoptr (GBytes) enc = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (r->sw, ==, 0x9000);
  g_assert_cmpuint (g_bytes_get_size (r->data), ==, 2);
  enc = cl_response_encode (r);
  cl_test_assert_bytes_hex (enc, "01029000", "response");

  bad = cl_response_parse ((const guint8 *)"\x90", 1, &error);
  g_assert_null (bad);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_clear_error (&error);
  bad = cl_response_parse (NULL, 0, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
}

static void
test_sw (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_sw_is_success (0x9000));
  g_assert_true (cl_sw_is_success (0x6110));
  g_assert_false (cl_sw_is_success (0x6982));
  g_assert_cmpstr (cl_sw_describe (0x6982), ==, "security status not satisfied");
  g_assert_cmpstr (cl_sw_describe (0x63C2), ==, "verification failed, retries left in low nibble");
  g_assert_cmpstr (cl_sw_describe (0x6A88), ==, "referenced data not found");

  cl_set_sw_error (&error, 0x6A82, "SELECT ISD");
  g_assert_error (error, CL_ERROR, CL_ERROR_CARD_STATUS);
  g_assert_cmpstr (error->message, ==, "SELECT ISD: card answered 6A82 (file or application not found)");
  g_assert_cmpuint (cl_error_get_sw (error), ==, 0x6A82);
  g_prefix_error (&error, "Step identify (card answered 9000 before): ");
  g_assert_cmpuint (cl_error_get_sw (error), ==, 0x6A82);
  g_clear_error (&error);
  g_set_error (&error, CL_ERROR, CL_ERROR_FAILED, "card answered 6982");
  g_assert_cmpuint (cl_error_get_sw (error), ==, 0);
  g_assert_cmpuint (cl_error_get_sw (NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/apdu/cases-short", test_cases_short);
  g_test_add_func ("/apdu/cases-extended", test_cases_extended);
  g_test_add_func ("/apdu/encode-choice", test_encode_choice);
  g_test_add_func ("/apdu/parse-malformed", test_parse_malformed);
  g_test_add_func ("/apdu/response", test_response);
  g_test_add_func ("/apdu/sw", test_sw);
  return g_test_run ();
}
