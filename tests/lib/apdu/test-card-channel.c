#include <string.h>

#include "apdu/cl-card-channel.h"
#include "cl-script-transport.h"
#include "cl-test-vectors.h"
#include "core/cl-error.h"

/* A stand-in secure channel: CLA|04 and two trailer bytes, so tests can see wrapping happen. */
#define TEST_TYPE_FAKE_SC (test_fake_sc_get_type ())
G_DECLARE_FINAL_TYPE (TestFakeSc, test_fake_sc, TEST, FAKE_SC, GObject)
struct _TestFakeSc
{
  GObject parent_instance;
  guint wraps;
  guint unwraps;
};
static void test_fake_sc_iface_init (ClSecureChannelInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestFakeSc, test_fake_sc, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_SECURE_CHANNEL, test_fake_sc_iface_init))

static ClApdu *
fake_wrap (ClSecureChannel *sc, const ClApdu *plain, GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  gsize len = 0;
  const guint8 *p = plain->data ? g_bytes_get_data (plain->data, &len) : NULL;

  TEST_FAKE_SC (sc)->wraps++;
  if (len)
    g_byte_array_append (data, p, len);
  g_byte_array_append (data, (const guint8 *)"\xEE\xEE", 2);
  return cl_apdu_new (plain->cla | 0x04, plain->ins, plain->p1, plain->p2, data->data, data->len, plain->ne);
}

static ClResponse *
fake_unwrap (ClSecureChannel *sc, const ClResponse *response, GError **error)
{
  TEST_FAKE_SC (sc)->unwraps++;
  return cl_response_copy (response);
}

static gsize
fake_max (ClSecureChannel *sc, gsize max_wire_data)
{
  return MIN (max_wire_data, 100);
}

static void
test_fake_sc_iface_init (ClSecureChannelInterface *iface)
{
  iface->wrap = fake_wrap;
  iface->unwrap = fake_unwrap;
  iface->max_plain_data = fake_max;
}
static void
test_fake_sc_class_init (TestFakeScClass *klass)
{
}
static void
test_fake_sc_init (TestFakeSc *self)
{
}

typedef struct
{
  ClScriptTransport *transport;
  ClCardChannel *channel;
  GPtrArray *trace;
} Fixture;

static void
record_trace (ClTraceDirection direction, const char *line, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s %s", direction == CL_TRACE_COMMAND ? ">" : "<", line));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->transport = cl_script_transport_new ();
  f->channel = cl_card_channel_new (CL_TRANSPORT (f->transport));
  f->trace = g_ptr_array_new_with_free_func (g_free);
  cl_card_channel_set_trace_func (f->channel, record_trace, g_ptr_array_ref (f->trace),
                                  (GDestroyNotify)g_ptr_array_unref);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->channel);
  g_clear_object (&f->transport);
  g_ptr_array_unref (f->trace);
}

static void
test_simple (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) apdu = cl_apdu_new (0x00, 0xA4, 0x04, 0x00, (const guint8 *)"\xA0\x00", 2, 256);
  g_autoptr (ClResponse) r = NULL;

  cl_script_transport_expect (f->transport, "00A4040002A00000", "6F00 9000");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->sw, ==, 0x9000);
  g_assert_cmpuint (g_bytes_get_size (r->data), ==, 2);
  g_assert_cmpuint (cl_card_channel_get_apdu_count (f->channel), ==, 1);
  g_assert_cmpuint (cl_card_channel_get_bytes_sent (f->channel), ==, 8);
  g_assert_cmpuint (cl_card_channel_get_bytes_received (f->channel), ==, 4);
  g_assert_cmpstr (g_ptr_array_index (f->trace, 0), ==, "> 00A4040002A00000");
  g_assert_cmpstr (g_ptr_array_index (f->trace, 1), ==, "< 6F009000");
  cl_script_transport_assert_done (f->transport);
}

/* A PIN command's encoded bytes are wiped once sent: the channel leaves no copy of the PINs in freed memory. The
 * trace shows its header and length only. An ordinary command is left as it was. */
static void
test_sensitive_wiped (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) verify = cl_apdu_new (0x00, 0x20, 0x00, 0x81, (const guint8 *)"648219", 6, 0);
  g_autoptr (ClApdu) select = cl_apdu_new (0x00, 0xA4, 0x04, 0x00, (const guint8 *)"\xA0\x00", 2, 256);
  g_autoptr (ClResponse) r = NULL;
  gsize len;
  const guint8 *sent;

  verify->flags |= CL_APDU_FLAG_SENSITIVE;
  cl_script_transport_expect (f->transport, "0020008106363438323139", "9000");
  r = cl_card_channel_transmit (f->channel, verify, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->sw, ==, 0x9000);
  sent = g_bytes_get_data (cl_script_transport_get_last_command (f->transport), &len);
  g_assert_cmpuint (len, ==, 11);
  for (gsize i = 0; i < len; i++)
    g_assert_cmpuint (sent[i], ==, 0);
  g_assert_null (strstr (g_ptr_array_index (f->trace, 0), "363438323139"));
  g_clear_pointer (&r, cl_response_free);

  cl_script_transport_expect (f->transport, "00A4040002A00000", "9000");
  r = cl_card_channel_transmit (f->channel, select, NULL, &error);
  g_assert_no_error (error);
  sent = g_bytes_get_data (cl_script_transport_get_last_command (f->transport), &len);
  g_assert_cmpuint (sent[1], ==, 0xA4);
  cl_script_transport_assert_done (f->transport);
}

static void
test_get_response_chain (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) apdu = cl_apdu_new (0x80, 0xCA, 0x9F, 0x7F, NULL, 0, 256);
  g_autoptr (ClResponse) r = NULL;

  cl_script_transport_expect (f->transport, "80CA9F7F00", "0102 6104");
  cl_script_transport_expect (f->transport, "00C0000004", "03040506 6100");
  cl_script_transport_expect (f->transport, "00C0000000", "6C02");
  cl_script_transport_expect (f->transport, "00C0000002", "0708 9000");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->sw, ==, 0x9000);
  cl_test_assert_bytes_hex (r->data, "0102030405060708", "concatenated response");
  cl_script_transport_assert_done (f->transport);
}

static void
test_wrong_le (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) apdu = cl_apdu_new (0x00, 0xB0, 0x00, 0x00, NULL, 0, 256);
  g_autoptr (ClResponse) r = NULL;

  cl_script_transport_expect (f->transport, "00B0000000", "6C03");
  cl_script_transport_expect (f->transport, "00B0000003", "AABBCC 9000");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_no_error (error);
  cl_test_assert_bytes_hex (r->data, "AABBCC", "data after 6Cxx");
  cl_script_transport_assert_done (f->transport);
}

static void
test_chaining (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint8 big[600];
  g_autoptr (ClApdu) apdu = NULL;
  g_autoptr (ClResponse) r = NULL;
  g_autoptr (GString) part1 = g_string_new ("10DA0102FF");
  g_autoptr (GString) part3 = g_string_new ("00DA01025A");

  memset (big, 0x11, sizeof big);
  for (int i = 0; i < 255; i++)
    g_string_append (part1, "11");
  for (int i = 0; i < 90; i++)
    g_string_append (part3, "11");
  g_string_append (part3, "00");
  apdu = cl_apdu_new (0x00, 0xDA, 0x01, 0x02, big, sizeof big, 256);
  cl_script_transport_expect (f->transport, part1->str, "9000");
  cl_script_transport_expect (f->transport, part1->str, "9000");
  cl_script_transport_expect (f->transport, part3->str, "CAFE 9000");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_no_error (error);
  cl_test_assert_bytes_hex (r->data, "CAFE", "last part's response");

  /* A failing part stops the chain and its SW is returned. */
  cl_script_transport_expect (f->transport, part1->str, "6A80");
  g_clear_pointer (&r, cl_response_free);
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->sw, ==, 0x6A80);
  cl_script_transport_assert_done (f->transport);
}

static void
test_extended (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint8 big[300];
  g_autoptr (ClApdu) apdu = NULL;
  g_autoptr (ClApdu) small = cl_apdu_new (0x00, 0xB0, 0, 0, NULL, 0, 16);
  g_autoptr (ClResponse) r = NULL;
  g_autoptr (GString) expect = g_string_new ("00DA0000 00012C");

  memset (big, 0x22, sizeof big);
  for (int i = 0; i < 300; i++)
    g_string_append (expect, "22");
  g_string_append (expect, "0000");
  cl_script_transport_set_extended (f->transport, TRUE);
  apdu = cl_apdu_new (0x00, 0xDA, 0, 0, big, sizeof big, 65536);
  cl_script_transport_expect (f->transport, expect->str, "9000");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&r, cl_response_free);

  /* Forced extended even on a short command. */
  small->flags |= CL_APDU_FLAG_EXTENDED;
  cl_script_transport_expect (f->transport, "00B00000000010", "9000");
  r = cl_card_channel_transmit (f->channel, small, NULL, &error);
  g_assert_no_error (error);
  cl_script_transport_assert_done (f->transport);
}

static void
test_large_ne_without_extended (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) apdu = cl_apdu_new (0x00, 0xB0, 0, 0, NULL, 0, 1000);
  g_autoptr (ClResponse) r = NULL;

  cl_script_transport_expect (f->transport, "00B0000000", "AA 6101");
  cl_script_transport_expect (f->transport, "00C0000001", "BB 9000");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_no_error (error);
  cl_test_assert_bytes_hex (r->data, "AABB", "data");
}

static void
test_masking (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) verify = cl_apdu_new (0x00, 0x20, 0x00, 0x81, (const guint8 *)"123456", 6, 0);
  g_autoptr (ClResponse) r = NULL;
  g_autoptr (TestFakeSc) sc = g_object_new (TEST_TYPE_FAKE_SC, NULL);

  verify->flags |= CL_APDU_FLAG_SENSITIVE;
  cl_script_transport_expect (f->transport, "0020008106313233343536", "63C2");
  r = cl_card_channel_transmit (f->channel, verify, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_ptr_array_index (f->trace, 0), ==, "> 0020008106 <masked 6 bytes>");
  g_assert_cmpstr (g_ptr_array_index (f->trace, 1), ==, "< 63C2");
  g_clear_pointer (&r, cl_response_free);

  /* Wrapped: the ciphertext of a sensitive command is not traced either. */
  cl_card_channel_set_secure_channel (f->channel, CL_SECURE_CHANNEL (sc));
  cl_script_transport_expect (f->transport, "0420008108313233343536EEEE", "9000");
  r = cl_card_channel_transmit (f->channel, verify, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_ptr_array_index (f->trace, 2), ==, "> 0420008108 <masked 8 bytes>");
  for (guint i = 0; i < f->trace->len; i++)
    g_assert_null (strstr (g_ptr_array_index (f->trace, i), "313233"));
  g_assert_cmpuint (sc->wraps, ==, 1);
  g_assert_cmpuint (sc->unwraps, ==, 1);
}

static void
test_secure_chaining (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint8 big[150];
  g_autoptr (ClApdu) apdu = NULL;
  g_autoptr (ClResponse) r = NULL;
  g_autoptr (TestFakeSc) sc = g_object_new (TEST_TYPE_FAKE_SC, NULL);

  memset (big, 0x33, sizeof big);
  apdu = cl_apdu_new (0x80, 0xE8, 0x00, 0x00, big, sizeof big, 0);
  cl_card_channel_set_secure_channel (f->channel, CL_SECURE_CHANNEL (sc));
  cl_script_transport_expect (f->transport, NULL, "9000");
  cl_script_transport_expect (f->transport, NULL, "9000");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sc->wraps, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->trace, 0), "> 94E8000066"));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->trace, 2), "> 84E8000034"));
  cl_script_transport_assert_done (f->transport);
}

static void
test_hostile (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) apdu = cl_apdu_new (0x00, 0xB0, 0, 0, NULL, 0, 256);
  ClResponse *r;
  guint before;

  cl_script_transport_expect (f->transport, NULL, "");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_clear_error (&error);

  cl_script_transport_expect (f->transport, NULL, "90");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_clear_error (&error);

  /* 61xx forever is bounded. */
  before = cl_script_transport_get_transmit_count (f->transport);
  cl_script_transport_set_default_response (f->transport, "00 6100");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_assert_cmpuint (cl_script_transport_get_transmit_count (f->transport) - before, <=, 302);
  g_clear_error (&error);

  /* 6Cxx forever: re-issued once, then returned. */
  cl_script_transport_set_default_response (f->transport, "6C10");
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->sw, ==, 0x6C10);
  cl_response_free (r);

  cl_script_transport_fail_next (f->transport);
  r = cl_card_channel_transmit (f->channel, apdu, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, CL_ERROR, CL_ERROR_TRANSPORT);
}

static void
test_transmit_ok (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) apdu = cl_apdu_new (0x00, 0xA4, 0x04, 0x00, (const guint8 *)"\xA0", 1, 0);
  g_autoptr (GBytes) b = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  cl_script_transport_expect (f->transport, "00A4040001A0", "6A82");
  b = cl_card_channel_transmit_ok (f->channel, apdu, "SELECT ISD", NULL, &error);
  g_assert_null (b);
  g_assert_error (error, CL_ERROR, CL_ERROR_CARD_STATUS);
  g_assert_cmpuint (cl_error_get_sw (error), ==, 0x6A82);
  g_clear_error (&error);

  g_cancellable_cancel (cancellable);
  b = cl_card_channel_transmit_ok (f->channel, apdu, "SELECT ISD", cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/card-channel/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("simple", test_simple);
  ADD ("sensitive-wiped", test_sensitive_wiped);
  ADD ("get-response-chain", test_get_response_chain);
  ADD ("wrong-le", test_wrong_le);
  ADD ("chaining", test_chaining);
  ADD ("extended", test_extended);
  ADD ("large-ne-without-extended", test_large_ne_without_extended);
  ADD ("masking", test_masking);
  ADD ("secure-chaining", test_secure_chaining);
  ADD ("hostile", test_hostile);
  ADD ("transmit-ok", test_transmit_ok);
  return g_test_run ();
}
