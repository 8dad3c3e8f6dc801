/* A small card manager session over the scripted transport: SELECT ISD (with the 6A82 fallback),
 * GET DATA CPLC, GET STATUS with 6310 paging, DELETE not found. */
#include <string.h>

#include "apdu/cl-card-channel.h"
#include "cl-script-transport.h"
#include "core/cl-error.h"
#include "gp/cl-gp-card.h"

static ClCardChannel *
channel_for (ClScriptTransport *transport)
{
  return cl_card_channel_new (CL_TRANSPORT (transport));
}

static void
test_session (void)
{
  g_autoptr (ClScriptTransport) t = cl_script_transport_new ();
  g_autoptr (ClCardChannel) ch = channel_for (t);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) apps = NULL;
  g_autofree char *chip = NULL;
  g_autofree char *cplc_hex = NULL;
  ClGpFci fci;
  ClCplc cplc;

  /* The GlobalPlatform default ISD is absent; the Visa one answers. */
  cl_script_transport_expect (t, "00A4040008A00000015100000000", "6A82");
  cl_script_transport_expect (t, "00A4040008A00000000300000000", "6F0C8408A000000003000000A500 9000");
  /* CPLC: fabricator 4790, type 5040, serial 11223344, batch 5566 */
  cplc_hex = g_strconcat ("9F7F2A", "4790", "5040", "0000", "0000", "0000", "0000", "11223344", "5566",
                          "000000000000000000000000000000000000000000000000", "9000", NULL);
  cl_script_transport_expect (t, "80CA9F7F00", cplc_hex);
  cl_script_transport_expect (t, "80F24002024F0000", "E3104F07A00000015100019F700107C50100 6310");
  cl_script_transport_expect (t, "80F24003024F0000", "E3114F08D0D1D2D3D4D501019F700107C50100 9000");
  cl_script_transport_expect (t, "80E40000094F07D0D1D2D3D4D50100", "6A88");

  g_assert_true (cl_gp_select_isd (ch, &fci, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fci.aid_len, ==, 8);

  g_assert_true (cl_gp_get_cplc (ch, &cplc, NULL, &error));
  g_assert_no_error (error);
  chip = cl_cplc_chip_id (&cplc);
  g_assert_cmpstr (chip, ==, "479050405566" "11223344");

  apps = cl_gp_get_status (ch, CL_GP_STATUS_APPLICATIONS, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (apps->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (((ClGpRegistryEntry *)g_ptr_array_index (apps, 1))->aid), ==, 8);

  g_assert_false (cl_gp_delete (ch, (const guint8 *)"\xD0\xD1\xD2\xD3\xD4\xD5\x01", 7, FALSE, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  cl_script_transport_assert_done (t);
}

static void
test_status_errors (void)
{
  g_autoptr (ClScriptTransport) t = cl_script_transport_new ();
  g_autoptr (ClCardChannel) ch = channel_for (t);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) none = NULL;
  g_autoptr (GPtrArray) empty = NULL;

  /* Nothing of that kind: an empty list. */
  cl_script_transport_expect (t, "80F22002024F0000", "6A88");
  empty = cl_gp_get_status (ch, CL_GP_STATUS_LOAD_FILES, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty->len, ==, 0);

  /* Security status not satisfied: a card status error with the SW. */
  cl_script_transport_expect (t, "80F28002024F0000", "6982");
  none = cl_gp_get_status (ch, CL_GP_STATUS_ISD, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, CL_ERROR, CL_ERROR_CARD_STATUS);
  g_assert_cmphex (cl_error_get_sw (error), ==, 0x6982);
  g_clear_error (&error);

  /* A hostile card that pages forever is cut off. */
  cl_script_transport_set_default_response (t, "E3104F07A00000015100019F700107C50100 6310");
  none = cl_gp_get_status (ch, CL_GP_STATUS_APPLICATIONS, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "more data after"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gp/session/basic", test_session);
  g_test_add_func ("/gp/session/status-errors", test_status_errors);
  return g_test_run ();
}
