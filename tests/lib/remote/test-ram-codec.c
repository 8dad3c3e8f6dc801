/* Unit tests of the RAMOverHTTP codec: DESIGN §8's example session byte for byte, both directions, and the
 * encodings the dialect refuses. */
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "remote/cl-ram-codec.h"
#include "cl-test-vectors.h"

/* DESIGN §8's example session. The SELECT there is written without its Le, but its length 0E counts it. */
#define ATR        "3BF81300008131FE454A434F5076323431B7"
#define SELECT_ISD "00A4040008A00000015100000000"
#define GET_CPLC   "80CA9F7F00"
#define FCI        "6F108408A000000151000000A5049F6501FF9000"
#define CPLC                                                                                                           \
  "9F7F2A"                                                                                                             \
  "4790503247905032"                                                                                                   \
  "0000000000000000000000000000000000000000000000000000000000000000"                                                   \
  "00009000"
#define TEXT_1 "Identify: reading the chip's CPLC."
#define TEXT_2 "Identification step is complete"
#define POST_1 "E814C012" ATR
#define ANSWER_1                                                                                                       \
  "AA43E02A0201010C22"                                                                                                 \
  "%s"                                                                                                                 \
  "C30105220E" SELECT_ISD "2205" GET_CPLC
#define POST_2 "AB4A2314" FCI "232F" CPLC "800102"
#define ANSWER_2                                                                                                       \
  "AA26E0240201020C1F"                                                                                                 \
  "%s"
#define POST_3 "AB03800100"

static GBytes *
hex (const char *text)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = cl_hex_decode (text, &error);

  g_assert_no_error (error);
  return bytes;
}

static char *
text_hex (const char *text)
{
  return cl_hex_encode ((const guint8 *)text, strlen (text));
}

static void
assert_bytes_hex (GBytes *bytes, const char *expected)
{
  cl_test_assert_bytes_hex (bytes, expected, "RAMOverHTTP body");
}

static void
assert_item (GPtrArray *items, guint i, ClRamItemKind kind, const char *data_hex)
{
  ClRamItem *item;

  g_assert_cmpuint (i, <, items->len);
  item = g_ptr_array_index (items, i);
  g_assert_cmpint (item->kind, ==, kind);
  if (data_hex != NULL)
    assert_bytes_hex (item->data, data_hex);
}

static void
test_example_session (void)
{
  g_autofree char *t1 = text_hex (TEXT_1), *t2 = text_hex (TEXT_2);
  g_autofree char *answer_1 = g_strdup_printf (ANSWER_1, t1), *answer_2 = g_strdup_printf (ANSWER_2, t2);
  g_autoptr (GBytes) post_1 = hex (POST_1), post_2 = hex (POST_2), post_3 = hex (POST_3);
  g_autoptr (GBytes) expect_1 = hex (answer_1), expect_2 = hex (answer_2);
  g_auto (ClRamHello) hello = { 0 };
  g_autoptr (GPtrArray) script = cl_ram_items_new ();
  g_autoptr (GPtrArray) decoded = NULL, answers = NULL;
  g_autoptr (GBytes) body = NULL, apdu = NULL;
  g_autoptr (GError) error = NULL;
  ClRamItem *notify;

  /* service side */
  g_assert_true (cl_ram_hello_decode (g_bytes_get_data (post_1, NULL), g_bytes_get_size (post_1), &hello, &error));
  g_assert_no_error (error);
  assert_bytes_hex (hello.atr, ATR);
  g_assert_cmpuint (hello.max_command, ==, 0);
  g_assert_cmpuint (hello.max_response, ==, 0);

  g_ptr_array_add (script, cl_ram_item_new_notify (1, TEXT_1, 5));
  apdu = hex (SELECT_ISD);
  g_ptr_array_add (script, cl_ram_item_new_command (apdu));
  g_clear_pointer (&apdu, g_bytes_unref);
  apdu = hex (GET_CPLC);
  g_ptr_array_add (script, cl_ram_item_new_command (apdu));
  body = cl_ram_commands_encode (script, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (body, expect_1));

  answers = cl_ram_responses_decode (g_bytes_get_data (post_2, NULL), g_bytes_get_size (post_2), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (answers->len, ==, 2);
  assert_item (answers, 0, CL_RAM_ITEM_RESPONSE, FCI);
  assert_item (answers, 1, CL_RAM_ITEM_RESPONSE, CPLC);

  /* client side: the same bytes read back */
  decoded = cl_ram_commands_decode (g_bytes_get_data (expect_1, NULL), g_bytes_get_size (expect_1), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->len, ==, 3);
  notify = g_ptr_array_index (decoded, 0);
  g_assert_cmpint (notify->kind, ==, CL_RAM_ITEM_NOTIFY);
  g_assert_cmpint (notify->id, ==, 1);
  g_assert_cmpstr (notify->text, ==, TEXT_1);
  g_assert_cmpint (notify->seconds, ==, 5);
  assert_item (decoded, 1, CL_RAM_ITEM_COMMAND, SELECT_ISD);
  assert_item (decoded, 2, CL_RAM_ITEM_COMMAND, GET_CPLC);
  g_clear_pointer (&body, g_bytes_unref);
  body = cl_ram_responses_encode (answers, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (body, post_2));

  g_clear_pointer (&script, g_ptr_array_unref);
  script = cl_ram_items_new ();
  g_ptr_array_add (script, cl_ram_item_new_notify (2, TEXT_2, -1));
  g_clear_pointer (&body, g_bytes_unref);
  body = cl_ram_commands_encode (script, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (body, expect_2));

  g_clear_pointer (&answers, g_ptr_array_unref);
  answers = cl_ram_responses_decode (g_bytes_get_data (post_3, NULL), g_bytes_get_size (post_3), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (answers->len, ==, 0);
  g_clear_pointer (&body, g_bytes_unref);
  body = cl_ram_responses_encode (answers, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (body, post_3));

  g_clear_pointer (&body, g_bytes_unref);
  body = cl_ram_hello_encode (&hello, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (body, post_1));
}

static void
test_hello_sizes (void)
{
  g_autoptr (GBytes) atr = hex (ATR);
  ClRamHello in = { atr, 0x105, 0x80 };
  g_auto (ClRamHello) out = { 0 };
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;

  body = cl_ram_hello_encode (&in, &error);
  g_assert_no_error (error);
  /* 0x80 needs a leading zero to stay positive */
  assert_bytes_hex (body, "E81CC012" ATR "C1020105C2020080");
  g_assert_true (cl_ram_hello_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &out, &error));
  g_assert_cmpuint (out.max_command, ==, 0x105);
  g_assert_cmpuint (out.max_response, ==, 0x80);
}

static void
test_empty_and_abort (void)
{
  g_autoptr (GPtrArray) items = cl_ram_items_new ();
  g_autoptr (GPtrArray) decoded = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  ClRamItem *notify;

  body = cl_ram_commands_encode (items, &error);
  g_assert_no_error (error);
  assert_bytes_hex (body, "AA00");
  g_clear_pointer (&body, g_bytes_unref);
  g_ptr_array_add (items, cl_ram_item_new_notify (-1, "Aborted", -1));
  g_ptr_array_add (items, cl_ram_item_new_reset ());
  body = cl_ram_commands_encode (items, &error);
  g_assert_no_error (error);
  assert_bytes_hex (body, "AA11E00C0201FF0C0741626F72746564C00100");
  decoded = cl_ram_commands_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  notify = g_ptr_array_index (decoded, 0);
  g_assert_cmpint (notify->id, ==, -1);
  g_assert_cmpint (notify->seconds, ==, -1);
  assert_item (decoded, 1, CL_RAM_ITEM_RESET, NULL);
}

static void
test_card_error_and_atr (void)
{
  g_autoptr (GPtrArray) items = cl_ram_items_new ();
  g_autoptr (GPtrArray) decoded = NULL;
  g_autoptr (GBytes) body = NULL, atr = hex ("3B80800101"), sw = hex ("9000");
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (items, cl_ram_item_new_atr (atr));
  g_ptr_array_add (items, cl_ram_item_new_response (sw));
  g_ptr_array_add (items, cl_ram_item_new_card_error ("Card was removed."));
  body = cl_ram_responses_encode (items, &error);
  g_assert_no_error (error);
  decoded = cl_ram_responses_decode (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->len, ==, 3);
  assert_item (decoded, 0, CL_RAM_ITEM_ATR, "3B80800101");
  assert_item (decoded, 1, CL_RAM_ITEM_RESPONSE, "9000");
  g_assert_cmpstr (((ClRamItem *)g_ptr_array_index (decoded, 2))->text, ==, "Card was removed.");
}

static void
test_long_lengths (void)
{
  g_autoptr (GPtrArray) items = cl_ram_items_new ();
  g_autoptr (GPtrArray) decoded = NULL;
  g_autofree guint8 *big = g_malloc0 (300);
  g_autoptr (GBytes) apdu = NULL, body = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *d;

  big[0] = 0x80;
  big[1] = 0xE8;
  apdu = g_bytes_new (big, 300);
  g_ptr_array_add (items, cl_ram_item_new_command (apdu));
  body = cl_ram_commands_encode (items, &error);
  g_assert_no_error (error);
  d = g_bytes_get_data (body, NULL);
  g_assert_cmphex (d[1], ==, 0x82);
  g_assert_cmphex (d[4], ==, 0x22);
  g_assert_cmphex (d[5], ==, 0x82);
  g_assert_cmphex (d[6], ==, 0x01);
  g_assert_cmphex (d[7], ==, 0x2C);
  decoded = cl_ram_commands_decode (d, g_bytes_get_size (body), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (((ClRamItem *)g_ptr_array_index (decoded, 0))->data, apdu));
}

static void
test_batch_limit (void)
{
  g_autoptr (GPtrArray) items = cl_ram_items_new ();
  g_autoptr (GBytes) apdu = hex (GET_CPLC), body = NULL;
  g_autoptr (GError) error = NULL;

  for (int i = 0; i < CL_RAM_MAX_COMMANDS; i++)
    g_ptr_array_add (items, cl_ram_item_new_command (apdu));
  body = cl_ram_commands_encode (items, &error);
  g_assert_no_error (error);
  g_clear_pointer (&body, g_bytes_unref);
  g_ptr_array_add (items, cl_ram_item_new_command (apdu));
  body = cl_ram_commands_encode (items, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_null (body);
}

typedef struct
{
  const char *hex;
  const char *message_part;
} Bad;

static void
assert_refused (const Bad *bad, guint n, int which)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GBytes) body = hex (bad[i].hex);
      g_autoptr (GError) error = NULL;
      const guint8 *d = g_bytes_get_data (body, NULL);
      gsize len = g_bytes_get_size (body);
      gboolean ok;

      if (which == 0)
        {
          g_auto (ClRamHello) hello = { 0 };

          ok = cl_ram_hello_decode (d, len, &hello, &error);
        }
      else
        {
          g_autoptr (GPtrArray) items
            = which == 1 ? cl_ram_commands_decode (d, len, &error) : cl_ram_responses_decode (d, len, &error);

          ok = items != NULL;
        }
      g_test_message ("%s -> %s", bad[i].hex, error != NULL ? error->message : "accepted");
      g_assert_false (ok);
      g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, bad[i].message_part));
    }
}

static void
test_hostile (void)
{
  static const Bad hello[] = {
    { "", "empty" },
    { "AB00", "not E8" },
    { "E800", "no ATR" },
    { "E803C0013B00", "follow" },
    { "E804C0013B", "past the end" },
    { "E883", "not 00-7F" },
    { "E881", "truncated" },
    { "E806C0013BC0013B", "repeated" },
    { "E806C0013BC10100", "not positive" },
    { "E807C0013BC1020001", "not minimally" },
    { "E809C0013BC103010203C2", "truncated" },
    { "E80AC0013BC1050102030405", "not 1-4" },
    { "E805C0013BC500", "unknown tag C5" },
    { "E802C000", "ATR at offset 2" },
  };
  static const Bad commands[] = {
    { "AA03220100", "fewer than 4" },
    { "AA03C00101", "reset" },
    { "AA02E000", "lacks its id" },
    { "AA05E0030201FF", "lacks its text" },
    { "AA09E0070201010C02C328", "not UTF-8" },
    { "AA09E0070201010C020041", "not UTF-8" },
    { "AA0AE008020101020101"
      "0C00",
      "repeated" },
    { "AA0BE009020101"
      "0C0141"
      "C301FF",
      "negative" },
    { "AA0123", "truncated" },
    { "AA021F00", "unknown tag 1F" },
    { "AA8105"
      "2203000000",
      "fewer than 4" },
  };
  static const Bad responses[] = {
    { "AB00", "no count" },
    { "AB06230180800100", "no status word" },
    { "AB03800101", "but 0 R-APDUs" },
    { "AB0423029000", "no count" },
    { "AB0780010023029000", "follows the count" },
    { "AB0480020001", "not minimally" },
    { "AB04E1020D00", "not exactly" },
    { "AB04C0008001", "not 1-" },
    { "AB082302900080020000", "not minimally" },
  };

  assert_refused (hello, G_N_ELEMENTS (hello), 0);
  assert_refused (commands, G_N_ELEMENTS (commands), 1);
  assert_refused (responses, G_N_ELEMENTS (responses), 2);
}

static void
test_too_many_answers (void)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;
  static const guint8 head[] = { 0xAB, 0x82, 0x02, 0x04 }; /* 128 × 23 02 90 00 + 80 02 00 80 */
  static const guint8 one[] = { 0x23, 0x02, 0x90, 0x00 };
  static const guint8 count[] = { 0x80, 0x02, 0x00, 0x80 };

  g_byte_array_append (body, head, sizeof head);
  for (int i = 0; i < 128; i++)
    g_byte_array_append (body, one, sizeof one);
  g_byte_array_append (body, count, sizeof count);
  items = cl_ram_responses_decode (body->data, body->len, &error);
  g_assert_null (items);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "more than 127"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ram-codec/example-session", test_example_session);
  g_test_add_func ("/ram-codec/hello-sizes", test_hello_sizes);
  g_test_add_func ("/ram-codec/empty-and-abort", test_empty_and_abort);
  g_test_add_func ("/ram-codec/card-error-and-atr", test_card_error_and_atr);
  g_test_add_func ("/ram-codec/long-lengths", test_long_lengths);
  g_test_add_func ("/ram-codec/batch-limit", test_batch_limit);
  g_test_add_func ("/ram-codec/hostile", test_hostile);
  g_test_add_func ("/ram-codec/too-many-answers", test_too_many_answers);
  return g_test_run ();
}
