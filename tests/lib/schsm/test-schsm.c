/* Unit tests of lib/schsm: command builders, response parsers, and the card operations over a scripted card. */
#include <openssl/evp.h>
#include <string.h>

#include "cl-script-transport.h"
#include "cl-test-vectors.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-openssl-autoptr.h"
#include "cvc/cl-cvc-public-key.h"
#include "schsm/cl-schsm-card.h"
#include "schsm/cl-schsm-token-info.h"

static void
assert_apdu (ClApdu *apdu, const char *hex)
{
  g_autoptr (ClApdu) owned = apdu;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) encoded = cl_apdu_encode (owned, &error);

  g_assert_no_error (error);
  cl_test_assert_bytes_hex (encoded, hex, "APDU");
}

static const guint8 pin[] = "648219";
static const guint8 so_pin[] = { 0x35, 0x37, 0x36, 0x32, 0x31, 0x38, 0x38, 0x30 };

static void
test_builders (void)
{
  ClSchsmInitParams init = { 0x0001, pin, 6, so_pin, 8, 3, 1 };
  g_autoptr (GError) error = NULL;
  ClApdu *apdu;
  g_autoptr (GBytes) body = g_bytes_new ("\x5F\x29\x01\x00", 4);
  guint8 share[32];

  assert_apdu (cl_schsm_apdu_select (), "00A404040BE82B0601040181C31F020100");
  apdu = cl_schsm_apdu_initialize (&init, &error);
  g_assert_no_error (error);
  g_assert_true (apdu->flags & CL_APDU_FLAG_SENSITIVE);
  assert_apdu (apdu, "805000001C"
                     "80020001"
                     "8106363438323139"
                     "82083537363231383830"
                     "910103"
                     "920101");
  init.dkek_shares = -1;
  assert_apdu (cl_schsm_apdu_initialize (&init, NULL), "8050000019"
                                                       "80020001"
                                                       "8106363438323139"
                                                       "82083537363231383830"
                                                       "910103");
  init.user_pin_len = 5;
  g_assert_null (cl_schsm_apdu_initialize (&init, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_null (strstr (error->message, "64821")); /* no PIN in the message */

  apdu = cl_schsm_apdu_verify (CL_SCHSM_PIN_USER, pin, 6);
  g_assert_true (apdu->flags & CL_APDU_FLAG_SENSITIVE);
  assert_apdu (apdu, "0020008106363438323139");
  assert_apdu (cl_schsm_apdu_verify (CL_SCHSM_PIN_USER, NULL, 0), "00200081");
  assert_apdu (cl_schsm_apdu_change_reference_data (CL_SCHSM_PIN_USER, pin, 6, pin, 6),
               "002400810C363438323139363438323139");
  assert_apdu (cl_schsm_apdu_reset_retry_counter (so_pin, 8, pin, 6), "002C00810E3537363231383830363438323139");
  assert_apdu (cl_schsm_apdu_reset_retry_counter (so_pin, 8, NULL, 0), "002C0181083537363231383830");
  assert_apdu (cl_schsm_apdu_generate_key (1, 0, body), "00460100000004"
                                                        "5F290100"
                                                        "0000");
  assert_apdu (cl_schsm_apdu_read_binary (0x2F02, 0x0102, 256), "00B12F02045402010200");
  assert_apdu (cl_schsm_apdu_update_binary (0xCE01, 0x0010, (const guint8 *)"\x01\x02", 2), "00D7CE0108540200105302"
                                                                                            "0102");
  assert_apdu (cl_schsm_apdu_list_files (), "80580000000000");
  for (guint i = 0; i < sizeof share; i++)
    share[i] = (guint8)i;
  assert_apdu (cl_schsm_apdu_import_dkek_share (share),
               "8052000020000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F00");
  assert_apdu (cl_schsm_apdu_import_dkek_share (NULL), "8052000000");
  assert_apdu (cl_schsm_apdu_delete_file (0x2F02), "00E40200022F02");
}

static void
test_pin_status (void)
{
  ClSchsmPinStatus s;
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_schsm_pin_status_from_sw (0x9000, &s));
  g_assert_cmpint (s.state, ==, CL_SCHSM_PIN_VERIFIED);
  g_assert_true (cl_schsm_pin_status_from_sw (0x63C2, &s));
  g_assert_cmpint (s.state, ==, CL_SCHSM_PIN_NOT_VERIFIED);
  g_assert_cmpuint (s.retries_left, ==, 2);
  g_assert_true (cl_schsm_pin_status_from_sw (0x6983, &s));
  g_assert_cmpint (s.state, ==, CL_SCHSM_PIN_BLOCKED);
  g_assert_true (cl_schsm_pin_status_from_sw (0x63C0, &s));
  g_assert_cmpint (s.state, ==, CL_SCHSM_PIN_BLOCKED);
  g_assert_true (cl_schsm_pin_status_from_sw (0x6A88, &s));
  g_assert_cmpint (s.state, ==, CL_SCHSM_PIN_NOT_INITIALIZED);
  g_assert_false (cl_schsm_pin_status_from_sw (0x6982, &s));

  g_assert_false (cl_schsm_check_sw (0x6982, "DELETE FILE 2F02", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CARD_STATUS);
  g_assert_cmphex (cl_error_get_sw (error), ==, 0x6982);
  g_assert_nonnull (strstr (error->message, "DELETE FILE 2F02"));
}

static void
test_parsers (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) fcp = cl_hex_decode ("6210 8201 38 8302 E82B 8507 0000000000 0305", NULL);
  g_autoptr (GBytes) dkek = cl_hex_decode ("0201 1122334455667788", NULL);
  g_autoptr (GArray) fids = NULL;
  ClSchsmDkekStatus st;
  guint8 major = 0, minor = 0;

  g_assert_true (cl_schsm_parse_select (g_bytes_get_data (fcp, NULL), g_bytes_get_size (fcp), &major, &minor, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (major, ==, 3);
  g_assert_cmpuint (minor, ==, 5);
  g_assert_false (cl_schsm_parse_select ((const guint8 *)"\x62\x03\x82\x01\x38", 5, &major, &minor, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cl_schsm_parse_select ((const guint8 *)"\x62\x03\x85\x01\x38", 5, &major, &minor, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (cl_schsm_parse_select ((const guint8 *)"\x62\x05\x85\x01", 4, &major, &minor, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_true (cl_schsm_parse_dkek_status (g_bytes_get_data (dkek, NULL), 10, &st, &error));
  g_assert_cmpuint (st.total, ==, 2);
  g_assert_cmpuint (st.outstanding, ==, 1);
  g_assert_true (st.has_kcv);
  g_assert_cmpuint (st.kcv[7], ==, 0x88);
  g_assert_false (cl_schsm_parse_dkek_status ((const guint8 *)"\x01\x02", 2, &st, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (cl_schsm_parse_dkek_status ((const guint8 *)"\x01\x00\x00", 3, &st, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_clear_error (&error);

  fids = cl_schsm_parse_file_list ((const guint8 *)"\x2F\x02\xCC\x01", 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fids->len, ==, 2);
  g_assert_cmphex (g_array_index (fids, guint16, 1), ==, 0xCC01);
  g_assert_null (cl_schsm_parse_file_list ((const guint8 *)"\x2F", 1, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
}

typedef struct
{
  ClScriptTransport *transport;
  ClCardChannel *channel;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->transport = cl_script_transport_new ();
  cl_script_transport_set_extended (f->transport, GPOINTER_TO_INT (data));
  f->channel = cl_card_channel_new (CL_TRANSPORT (f->transport));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  cl_script_transport_assert_done (f->transport);
  g_clear_object (&f->channel);
  g_clear_object (&f->transport);
}

static void
expect_apdu (Fixture *f, ClApdu *apdu, const char *response_hex)
{
  g_autoptr (ClApdu) owned = apdu;
  g_autoptr (GBytes) command = cl_apdu_encode (owned, NULL);
  g_autoptr (GBytes) response = cl_hex_decode (response_hex, NULL);

  cl_script_transport_expect_bytes (f->transport, command, response);
}

static void
test_card_select_and_pin (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ClSchsmPinStatus st;
  guint8 major, minor;

  cl_script_transport_expect (f->transport, "00A404040BE82B0601040181C31F020100", "620A 8202 0000 8504 00000401 9000");
  g_assert_true (cl_schsm_select (f->channel, &major, &minor, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (major, ==, 4);
  g_assert_cmpuint (minor, ==, 1);

  cl_script_transport_expect (f->transport, "00200081", "63C3");
  g_assert_true (cl_schsm_verify_pin (f->channel, CL_SCHSM_PIN_USER, NULL, 0, &st, NULL, &error));
  g_assert_cmpint (st.state, ==, CL_SCHSM_PIN_NOT_VERIFIED);
  g_assert_cmpuint (st.retries_left, ==, 3);

  cl_script_transport_expect (f->transport, "0020008106363438323139", "63C2");
  g_assert_true (cl_schsm_verify_pin (f->channel, CL_SCHSM_PIN_USER, pin, 6, &st, NULL, &error));
  g_assert_cmpint (st.state, ==, CL_SCHSM_PIN_NOT_VERIFIED);
  g_assert_cmpuint (st.retries_left, ==, 2);

  cl_script_transport_expect (f->transport, "0020008106363438323139", "9000");
  g_assert_true (cl_schsm_verify_pin (f->channel, CL_SCHSM_PIN_USER, pin, 6, &st, NULL, &error));
  g_assert_cmpint (st.state, ==, CL_SCHSM_PIN_VERIFIED);

  cl_script_transport_expect (f->transport, "002C00810E3537363231383830363438323139", "6983");
  g_assert_true (cl_schsm_reset_retry_counter (f->channel, so_pin, 8, pin, 6, &st, NULL, &error));
  g_assert_cmpint (st.state, ==, CL_SCHSM_PIN_BLOCKED);

  cl_script_transport_expect (f->transport, "002400810C363438323139363438323139", "6982");
  g_assert_false (cl_schsm_change_pin (f->channel, CL_SCHSM_PIN_USER, pin, 6, pin, 6, &st, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CARD_STATUS);
  g_assert_cmphex (cl_error_get_sw (error), ==, 0x6982);
  g_clear_error (&error);

  {
    ClSchsmInitParams init = { 0x0001, pin, 6, so_pin, 8, 3, 1 };
    cl_script_transport_expect (f->transport, NULL, "9000");
    g_assert_true (cl_schsm_initialize (f->channel, &init, NULL, &error));
    g_assert_no_error (error);
  }
}

static void
test_card_files (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) content = NULL;
  g_autoptr (GBytes) got = NULL;
  g_autoptr (GArray) fids = NULL;
  guint8 buf[300];
  g_autofree char *first = NULL, *second = NULL;

  for (guint i = 0; i < sizeof buf; i++)
    buf[i] = (guint8)(i * 7);
  content = g_bytes_new (buf, sizeof buf);

  /* short APDUs: 240 + 60 bytes written, 256 + 44 read */
  expect_apdu (f, cl_schsm_apdu_update_binary (0x2F02, 0, buf, 240), "9000");
  expect_apdu (f, cl_schsm_apdu_update_binary (0x2F02, 240, buf + 240, 60), "9000");
  g_assert_true (cl_schsm_write_file (f->channel, 0x2F02, content, NULL, &error));
  g_assert_no_error (error);

  g_autofree char *first_hex = cl_hex_encode (buf, 256);
  g_autofree char *second_hex = cl_hex_encode (buf + 256, 44);

  first = g_strconcat (first_hex, "9000", NULL);
  second = g_strconcat (second_hex, "9000", NULL);
  expect_apdu (f, cl_schsm_apdu_read_binary (0x2F02, 0, 256), first);
  expect_apdu (f, cl_schsm_apdu_read_binary (0x2F02, 256, 256), second);
  got = cl_schsm_read_file (f->channel, 0x2F02, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, content));

  expect_apdu (f, cl_schsm_apdu_read_binary (0xCE05, 0, 256), "6A82");
  g_assert_null (cl_schsm_read_file (f->channel, 0xCE05, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CARD_STATUS);
  g_assert_cmphex (cl_error_get_sw (error), ==, 0x6A82);
  g_assert_nonnull (strstr (error->message, "CE05"));
  g_clear_error (&error);

  cl_script_transport_expect (f->transport, "80580000 00", "2F02 CC01 CE01 9000");
  fids = cl_schsm_list_files (f->channel, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fids->len, ==, 3);

  cl_script_transport_expect (f->transport, "00E40200022F02", "9000");
  g_assert_true (cl_schsm_delete_file (f->channel, 0x2F02, NULL, &error));
  g_assert_no_error (error);
}

static void
test_card_dkek (Fixture *f, gconstpointer data)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("dkek.txt");
  g_autoptr (GBytes) share = cl_test_vectors_get_hex (v, "single_share", "share");
  g_autoptr (GBytes) kcv = cl_test_vectors_get_hex (v, "single_share", "kcv_if_only_share");
  g_autoptr (GError) error = NULL;
  g_autofree char *response
    = g_strconcat ("0100", cl_test_vectors_get (v, "single_share", "kcv_if_only_share"), "9000", NULL);
  ClSchsmDkekStatus st;
  guint8 digest[32];
  unsigned int digest_len = 0;

  /* the KCV convention: first 8 bytes of SHA-256 over the DKEK (here the only share) */
  g_assert_true (EVP_Digest (g_bytes_get_data (share, NULL), 32, digest, &digest_len, EVP_sha256 (), NULL));
  g_assert_cmpmem (digest, 8, g_bytes_get_data (kcv, NULL), 8);

  expect_apdu (f, cl_schsm_apdu_import_dkek_share (g_bytes_get_data (share, NULL)), response);
  g_assert_true (cl_schsm_import_dkek_share (f->channel, g_bytes_get_data (share, NULL), &st, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (st.total, ==, 1);
  g_assert_cmpuint (st.outstanding, ==, 0);
  g_assert_cmpmem (st.kcv, 8, g_bytes_get_data (kcv, NULL), 8);
}

static void
test_card_generate (Fixture *f, gconstpointer data)
{
  g_autoptr (EVP_PKEY) card_key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "brainpoolP256r1");
  g_autoptr (EVP_PKEY) device_key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "brainpoolP256r1");
  g_autoptr (ClCvcBody) body = cl_cvc_body_new ();
  g_autoptr (ClCvcBody) card_body = NULL;
  g_autoptr (GBytes) request = NULL;
  g_autoptr (GBytes) contents = NULL;
  g_autoptr (ClCvcRequest) got = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *response = NULL;
  ClCvcPkeySigner inner = { card_key, CL_CVC_ALGORITHM_ECDSA_SHA256 };
  ClCvcPkeySigner outer = { device_key, CL_CVC_ALGORITHM_ECDSA_SHA256 };

  /* the host asks for a key on the curve of a template key; the card answers with its own key in the request */
  body->car = g_strdup ("UTCLDEV0000100001");
  body->chr = g_strdup ("UTCLKEY0000100001");
  g_assert_true (cl_cvc_body_set_public_key (body, device_key, CL_CVC_ALGORITHM_ECDSA_SHA256, TRUE, &error));
  contents = cl_cvc_body_encode_contents (body, &error);
  g_assert_no_error (error);

  card_body = cl_cvc_body_new ();
  card_body->car = g_strdup (body->car);
  card_body->chr = g_strdup (body->chr);
  g_assert_true (cl_cvc_body_set_public_key (card_body, card_key, CL_CVC_ALGORITHM_ECDSA_SHA256, TRUE, &error));
  request
    = cl_cvc_request_build (card_body, cl_cvc_pkey_sign, &inner, "UTCLDEV0000100001", cl_cvc_pkey_sign, &outer, &error);
  g_assert_no_error (error);
  g_autofree char *request_hex = cl_hex_encode_bytes (request);

  response = g_strconcat (request_hex, "9000", NULL);

  expect_apdu (f, cl_schsm_apdu_generate_key (1, 0, contents), response);
  got = cl_schsm_generate_key (f->channel, 1, 0, body, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cl_cvc_request_verify_inner (got, CL_CVC_CURVE_NONE, &error));
  g_assert_true (cl_cvc_request_verify_outer (got, device_key, CL_CVC_ALGORITHM_ECDSA_SHA256, &error));
  g_assert_no_error (error);
}

/* EF.TokenInfo as sc-hsm-tool --initialize --label writes it: version 0, label [0], prn-generation; read back; a
 * label is 1 to 32 bytes of UTF-8; a TokenInfo without one (or with the vcard's serial and manufacturer first) reads
 * as such; what is no TokenInfo is an error. */
static void
test_token_info (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) info = cl_schsm_token_info_encode ("Ada", &error);
  g_autoptr (GBytes) long_label = NULL, other = NULL, bare = NULL, bad = NULL;
  g_autofree char *hex = NULL, *label = NULL, *none = NULL, *from_other = NULL;

  g_assert_no_error (error);
  hex = cl_hex_encode (g_bytes_get_data (info, NULL), g_bytes_get_size (info));
  g_assert_cmpstr (hex, ==, "300C020100800341646103020520");
  label = cl_schsm_token_info_label (info, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (label, ==, "Ada");
  long_label = cl_schsm_token_info_encode ("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", &error);
  g_assert_null (long_label);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "token label: expected UTF-8 text of 1 to 32 bytes, got 33 bytes");
  g_clear_error (&error);
  g_assert_null (cl_schsm_token_info_encode ("", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (cl_schsm_token_info_encode ("\xff\xfe", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  other = cl_hex_decode ("3023 020100 0404 01020304 0C05 4163 6D65 21 800D 536D61727443617264 2D48534D 03020430", NULL);
  from_other = cl_schsm_token_info_label (other, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (from_other, ==, "SmartCard-HSM");
  bare = cl_hex_decode ("3007 020100 03020520", NULL);
  none = cl_schsm_token_info_label (bare, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  bad = cl_hex_decode ("0403 414243", NULL);
  g_assert_null (cl_schsm_token_info_label (bad, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/schsm/builders", test_builders);
  g_test_add_func ("/schsm/pin-status", test_pin_status);
  g_test_add_func ("/schsm/parsers", test_parsers);
  g_test_add ("/schsm/card/select-and-pin", Fixture, GINT_TO_POINTER (FALSE), fixture_setup, test_card_select_and_pin,
              fixture_teardown);
  g_test_add ("/schsm/card/files", Fixture, GINT_TO_POINTER (FALSE), fixture_setup, test_card_files, fixture_teardown);
  g_test_add ("/schsm/card/dkek", Fixture, GINT_TO_POINTER (FALSE), fixture_setup, test_card_dkek, fixture_teardown);
  g_test_add ("/schsm/card/generate", Fixture, GINT_TO_POINTER (TRUE), fixture_setup, test_card_generate,
              fixture_teardown);
  g_test_add_func ("/schsm/token-info", test_token_info);
  return g_test_run ();
}
