/* The Evolis framing and reply parsers, branch by branch. */
#include <string.h>

#include "printer/cl-evolis-reply.h"
#include "cl-driver-error.h"

static gboolean
parse (const char *text, ClEvolisReply *reply, GError **error)
{
  return cl_evolis_reply_parse ((const guint8 *)text, strlen (text), reply, error);
}

static void
test_frame (void)
{
  const char *const params[] = { "2", NULL };
  g_autoptr (GBytes) sis = cl_evolis_frame ("Sis", NULL);
  g_autoptr (GBytes) pem = cl_evolis_frame ("Pem", params);
  g_autofree char *parsed = NULL;

  g_assert_cmpmem (g_bytes_get_data (sis, NULL), g_bytes_get_size (sis), "\x1bSis\r", 5);
  g_assert_cmpmem (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem), "\x1bPem;2\r", 7);
  parsed = cl_evolis_frame_parse (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem));
  g_assert_cmpstr (parsed, ==, "Pem;2");
  g_assert_null (cl_evolis_frame_parse ((const guint8 *)"Sis\r", 4));
}

static void
test_kinds (void)
{
  g_autoptr (GError) error = NULL;
  ClPrinterFault fault;

  {
    g_auto (ClEvolisReply) r = { 0 };
    g_assert_true (parse ("OK\r", &r, &error));
    g_assert_cmpint (r.kind, ==, CL_EVOLIS_REPLY_OK);
  }
  {
    g_auto (ClEvolisReply) r = { 0 };
    g_assert_true (parse ("NACK;C\r", &r, &error));
    g_assert_cmpint (r.kind, ==, CL_EVOLIS_REPLY_NACK);
    g_assert_cmpint (r.nack, ==, 'C');
    g_assert_true (cl_evolis_nack_fault (r.nack, &fault));
    g_assert_cmpint (fault, ==, CL_PRINTER_FAULT_COVER_OPEN);
  }
  {
    const struct
    {
      char code;
      ClPrinterFault fault;
    } map[]
      = { { 'T', CL_PRINTER_FAULT_JAM }, { 'F', CL_PRINTER_FAULT_FEEDER_EMPTY }, { 'R', CL_PRINTER_FAULT_RIBBON_OUT } };
    for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
      {
        g_assert_true (cl_evolis_nack_fault (map[i].code, &fault));
        g_assert_cmpint (fault, ==, map[i].fault);
      }
    g_assert_false (cl_evolis_nack_fault ('1', &fault));
    g_assert_false (cl_evolis_nack_fault ('2', &fault));
    g_assert_cmpstr (cl_evolis_nack_meaning ('2'), ==, "parameter error");
  }
  {
    g_auto (ClEvolisReply) r = { 0 };
    g_assert_true (parse ("ERR CARD\r", &r, &error));
    g_assert_cmpint (r.kind, ==, CL_EVOLIS_REPLY_ERR);
    g_assert_cmpstr (r.text, ==, "CARD");
  }
  {
    g_auto (ClEvolisReply) r = { 0 };
    g_assert_true (parse ("Primacy\r\n", &r, &error));
    g_assert_cmpint (r.kind, ==, CL_EVOLIS_REPLY_VALUE);
    g_assert_cmpstr (r.text, ==, "Primacy");
  }
  g_assert_no_error (error);
}

static void
test_malformed (void)
{
  const char *const bad[] = { "", "\r", "NACK;X\r", "NACK\r", "NACK;CC", "ERR\r", "ERR", "O\x01K", "\xc3\xa9" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto (ClEvolisReply) r = { 0 };
      g_autoptr (GError) error = NULL;

      g_assert_false (parse (bad[i], &r, &error));
      g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "malformed printer reply \""));
    }
  {
    g_autofree char *long_reply = g_strnfill (300, 'A');
    g_auto (ClEvolisReply) r = { 0 };
    g_autoptr (GError) error = NULL;
    g_assert_false (parse (long_reply, &r, &error));
    g_assert_nonnull (strstr (error->message, "longer than 256"));
  }
}

static void
test_values (void)
{
  g_autoptr (GError) error = NULL;
  ClEvolisFeeder feeder;
  ClEvolisCardPosition position;
  gboolean sensor;
  guint64 counter;

  {
    g_auto (ClEvolisReply) r = { 0 };
    g_assert_true (parse ("3", &r, &error));
    g_assert_true (cl_evolis_parse_feeder (&r, &feeder, &error));
    g_assert_cmpint (feeder, ==, CL_EVOLIS_FEEDER_EMPTY);
    g_assert_true (cl_evolis_parse_sensor (&(ClEvolisReply){ CL_EVOLIS_REPLY_VALUE, 0, (char *)"1" }, &sensor, &error));
    g_assert_true (sensor);
  }
  {
    g_auto (ClEvolisReply) r = { 0 };
    g_assert_true (parse ("ERR CARD", &r, &error));
    g_assert_true (cl_evolis_parse_card_position (&r, &position, &error));
    g_assert_cmpint (position, ==, CL_EVOLIS_CARD_ERROR);
  }
  {
    g_auto (ClEvolisReply) r = { 0 };
    g_assert_true (parse ("CARD CONTACT", &r, &error));
    g_assert_true (cl_evolis_parse_card_position (&r, &position, &error));
    g_assert_cmpint (position, ==, CL_EVOLIS_CARD_CONTACT);
  }
  {
    g_auto (ClEvolisReply) r = { 0 };
    g_assert_true (parse ("0000004711", &r, &error));
    g_assert_true (cl_evolis_parse_counter (&r, &counter, &error));
    g_assert_cmpuint (counter, ==, 4711);
  }
  g_assert_no_error (error);
  {
    g_auto (ClEvolisReply) r = { 0 };
    g_assert_true (parse ("CARD SOMEWHERE", &r, &error));
    g_assert_false (cl_evolis_parse_card_position (&r, &position, &error));
    g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL);
    g_assert_nonnull (strstr (error->message, "CARD SOMEWHERE"));
    g_clear_error (&error);
    g_assert_false (cl_evolis_parse_feeder (&r, &feeder, &error));
    g_assert_nonnull (strstr (error->message, "Sk;f"));
    g_clear_error (&error);
    g_assert_false (cl_evolis_parse_counter (&r, &counter, &error));
    g_clear_error (&error);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/evolis-reply/frame", test_frame);
  g_test_add_func ("/evolis-reply/kinds", test_kinds);
  g_test_add_func ("/evolis-reply/malformed", test_malformed);
  g_test_add_func ("/evolis-reply/values", test_values);
  return g_test_run ();
}
