/* The PC/SC edge against the rig: a private pcscd with vpcd readers and cardline-testcard as the card.
 * Run under rig-run with one vpcd reader (two PC/SC slots); argv[1] is the cardline-testcard binary. */
#include <signal.h>

#include "cl-testcard.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "pcsc/cl-pcsc-transport.h"
#include "pcsc/cl-reader-monitor.h"

#define EVENT_TIMEOUT_S 15

static const char *testcard_path;

typedef struct
{
  ClReaderMonitor *monitor;
  GPtrArray *events; /* "reader-added NAME", "card-inserted NAME ATR", ... */
  char *slot0;       /* the PC/SC names of the reader's two slots */
  char *slot1;
  guint16 port0;
  guint removals; /* reader-removed and card-removed events, whether taken by expect_event or not */
} Fixture;

static void
on_reader_added (ClReaderMonitor *monitor, const char *reader, Fixture *fx)
{
  g_ptr_array_add (fx->events, g_strdup_printf ("reader-added %s", reader));
}

static void
on_reader_removed (ClReaderMonitor *monitor, const char *reader, Fixture *fx)
{
  fx->removals++;
  g_ptr_array_add (fx->events, g_strdup_printf ("reader-removed %s", reader));
}

static void
on_card_inserted (ClReaderMonitor *monitor, const char *reader, GBytes *atr, Fixture *fx)
{
  g_autofree char *hex = cl_hex_encode_bytes (atr);
  g_ptr_array_add (fx->events, g_strdup_printf ("card-inserted %s %s", reader, hex));
}

static void
on_card_removed (ClReaderMonitor *monitor, const char *reader, Fixture *fx)
{
  fx->removals++;
  g_ptr_array_add (fx->events, g_strdup_printf ("card-removed %s", reader));
}

static void
on_service_lost (ClReaderMonitor *monitor, const GError *error, Fixture *fx)
{
  g_test_message ("service lost: %s", error->message);
  g_ptr_array_add (fx->events, g_strdup_printf ("service-lost %s", error->message));
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *)user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context until an event starting with @prefix arrives; consumes events up to it. */
static void
expect_event (Fixture *fx, const char *prefix)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (EVENT_TIMEOUT_S, on_timeout, &timed_out);

  for (;;)
    {
      for (guint i = 0; i < fx->events->len; i++)
        if (g_str_has_prefix (g_ptr_array_index (fx->events, i), prefix))
          {
            g_test_message ("got: %s", (char *)g_ptr_array_index (fx->events, i));
            g_ptr_array_remove_range (fx->events, 0, i + 1);
            /* a timeout that already fired (a loaded machine) has removed itself */
            if (!timed_out)
              g_source_remove (timeout);
            return;
          }
      if (timed_out)
        {
          g_autofree char *seen = NULL;
          g_ptr_array_add (fx->events, NULL);
          seen = g_strjoinv ("; ", (char **)fx->events->pdata);
          g_error ("no '%s' within %d s; events: %s", prefix, EVENT_TIMEOUT_S, seen);
        }
      g_main_context_iteration (NULL, TRUE);
    }
}

/* pcscd announces a vpcd reader's two slots one after the other: wait until the monitor lists both. */
static void
expect_readers (Fixture *fx, const char *a, const char *b)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (EVENT_TIMEOUT_S, on_timeout, &timed_out);

  for (;;)
    {
      g_auto (GStrv) readers = cl_reader_monitor_dup_readers (fx->monitor);

      if (g_strv_contains ((const char *const *)readers, a) && g_strv_contains ((const char *const *)readers, b))
        {
          if (!timed_out)
            g_source_remove (timeout);
          return;
        }
      if (timed_out)
        g_error ("the monitor did not list both '%s' and '%s' within %d s", a, b, EVENT_TIMEOUT_S);
      g_main_context_iteration (NULL, TRUE);
    }
}

static GSubprocess *
insert_card (guint16 port, const char *atr, guint seconds)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *port_arg = g_strdup_printf ("%u", port);
  g_autofree char *seconds_arg = g_strdup_printf ("%u", seconds);
  GSubprocess *card = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, testcard_path, "--port", port_arg, "--atr",
                                        atr, "--seconds", seconds_arg, NULL);
  g_assert_no_error (error);
  return card;
}

static void
pull_card (GSubprocess *card)
{
  g_autoptr (GError) error = NULL;
  g_subprocess_send_signal (card, SIGTERM);
  g_subprocess_wait_check (card, NULL, &error);
  g_assert_no_error (error);
}

static GBytes *
transmit_hex (ClPcscTransport *transport, const char *hex, GError **error)
{
  g_autoptr (GBytes) command = cl_hex_decode (hex, NULL);
  return cl_transport_transmit (CL_TRANSPORT (transport), command, NULL, error);
}

static guint16
sw_of (GBytes *response)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (response, &len);
  g_assert_cmpuint (len, >=, 2);
  return (guint16)(data[len - 2] << 8 | data[len - 1]);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  const char *ports = g_getenv ("CARDLINE_VPCD_PORTS");
  const char *names = g_getenv ("CARDLINE_READER_NAMES");
  g_auto (GStrv) name_list = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (ports);
  g_assert_nonnull (names);
  g_assert_nonnull (g_getenv ("PCSCLITE_CSOCK_NAME"));
  fx->port0 = (guint16)g_ascii_strtoull (ports, NULL, 10);
  g_assert_cmpuint (fx->port0, >, 0);
  name_list = g_strsplit (names, ",", -1);
  fx->slot0 = g_strdup (name_list[0]);
  /* vpcd's second slot: same reader name, slot number 01. */
  g_assert_true (g_str_has_suffix (fx->slot0, " 00"));
  fx->slot1 = g_strdup (fx->slot0);
  fx->slot1[strlen (fx->slot1) - 1] = '1';

  fx->events = g_ptr_array_new_with_free_func (g_free);
  fx->monitor = cl_reader_monitor_new ();
  g_signal_connect (fx->monitor, "reader-added", G_CALLBACK (on_reader_added), fx);
  g_signal_connect (fx->monitor, "reader-removed", G_CALLBACK (on_reader_removed), fx);
  g_signal_connect (fx->monitor, "card-inserted", G_CALLBACK (on_card_inserted), fx);
  g_signal_connect (fx->monitor, "card-removed", G_CALLBACK (on_card_removed), fx);
  g_signal_connect (fx->monitor, "service-lost", G_CALLBACK (on_service_lost), fx);
  g_assert_true (cl_reader_monitor_start (fx->monitor, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  cl_reader_monitor_stop (fx->monitor);
  cl_reader_monitor_stop (fx->monitor);
  g_clear_object (&fx->monitor);
  g_ptr_array_unref (fx->events);
  g_free (fx->slot0);
  g_free (fx->slot1);
}

static void
test_card_round_trip (Fixture *fx, gconstpointer data)
{
  g_autofree char *added = g_strdup_printf ("reader-added %s", fx->slot0);
  g_autofree char *inserted = g_strdup_printf ("card-inserted %s %s", fx->slot0, CL_TESTCARD_DEFAULT_ATR);
  g_autofree char *removed = g_strdup_printf ("card-removed %s", fx->slot0);
  g_autoptr (GSubprocess) card = NULL;
  g_autoptr (ClPcscTransport) transport = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GBytes) atr = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *atr_hex = NULL;

  expect_event (fx, added);
  expect_readers (fx, fx->slot0, fx->slot1);

  /* No card yet: connecting says so. */
  transport = cl_pcsc_transport_connect (fx->slot0, NULL, &error);
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_CARD);
  g_assert_null (transport);
  g_clear_error (&error);

  card = insert_card (fx->port0, CL_TESTCARD_DEFAULT_ATR, 60);
  expect_event (fx, inserted);

  transport = cl_pcsc_transport_connect (fx->slot0, NULL, &error);
  g_assert_no_error (error);
  atr = cl_transport_get_atr (CL_TRANSPORT (transport));
  atr_hex = cl_hex_encode_bytes (atr);
  g_assert_cmpstr (atr_hex, ==, CL_TESTCARD_DEFAULT_ATR);
  /* vpcd does not report an input buffer size. */
  g_assert_false (cl_transport_supports_extended (CL_TRANSPORT (transport)));

  response = transmit_hex (transport, "0084000008", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (response), ==, 10);
  g_assert_cmphex (sw_of (response), ==, 0x9000);
  g_clear_pointer (&response, g_bytes_unref);

  response = transmit_hex (transport, "00A4040008" CL_TESTCARD_AID, &error);
  g_assert_no_error (error);
  g_assert_cmphex (sw_of (response), ==, 0x9000);
  g_clear_pointer (&response, g_bytes_unref);

  response = transmit_hex (transport, "00A4040005A000000001", &error);
  g_assert_no_error (error);
  g_assert_cmphex (sw_of (response), ==, 0x6A82);
  g_clear_pointer (&response, g_bytes_unref);

  /* Another process asking for the same card while we hold it exclusively is refused. */
  {
    g_autoptr (ClPcscTransport) second
      = cl_pcsc_transport_connect_full (fx->slot0, CL_PCSC_CONNECT_SHARED, NULL, &error);
    g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_SHARING);
    g_assert_null (second);
    g_clear_error (&error);
  }

  pull_card (card);
  expect_event (fx, removed);

  response = transmit_hex (transport, "0084000008", &error);
  g_assert_null (response);
  /* A failed exchange crosses ClTransport: lib's code (SCARD_W_REMOVED_CARD, SCARD_E_NO_SMARTCARD alike), the
   * SCARD name kept in the message. */
  g_assert_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED);
  g_test_message ("after removal: %s", error->message);
  g_assert_nonnull (strstr (error->message, "SCARD_"));
  g_clear_error (&error);

  cl_pcsc_transport_disconnect (transport, FALSE);
  cl_pcsc_transport_disconnect (transport, FALSE);
  response = transmit_hex (transport, "0084000008", &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED);
}

/* Both slots at once, shared connections, a card that pulls itself, and the same card swapped. */
static void
test_two_slots (Fixture *fx, gconstpointer data)
{
  const char *other_atr = "3B02AABB";
  g_autofree char *added = g_strdup_printf ("reader-added %s", fx->slot1);
  g_autofree char *inserted0 = g_strdup_printf ("card-inserted %s %s", fx->slot0, CL_TESTCARD_DEFAULT_ATR);
  g_autofree char *inserted1 = g_strdup_printf ("card-inserted %s %s", fx->slot1, other_atr);
  g_autofree char *removed0 = g_strdup_printf ("card-removed %s", fx->slot0);
  g_autofree char *removed1 = g_strdup_printf ("card-removed %s", fx->slot1);
  g_autoptr (GSubprocess) card0 = NULL;
  g_autoptr (GSubprocess) card1 = NULL;
  g_autoptr (ClPcscTransport) a = NULL;
  g_autoptr (ClPcscTransport) b = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autoptr (GError) error = NULL;

  expect_event (fx, added);
  card1 = insert_card (fx->port0 + 1, other_atr, 2);
  expect_event (fx, inserted1);
  card0 = insert_card (fx->port0, CL_TESTCARD_DEFAULT_ATR, 60);
  expect_event (fx, inserted0);

  a = cl_pcsc_transport_connect_full (fx->slot0, CL_PCSC_CONNECT_SHARED, NULL, &error);
  g_assert_no_error (error);
  b = cl_pcsc_transport_connect_full (fx->slot0, CL_PCSC_CONNECT_SHARED, NULL, &error);
  g_assert_no_error (error);
  response = transmit_hex (a, "0084000004", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (response), ==, 6);
  g_clear_pointer (&response, g_bytes_unref);
  response = transmit_hex (b, "00CA9F7F00", &error);
  g_assert_no_error (error);
  g_assert_cmphex (sw_of (response), ==, 0x6D00);
  g_clear_pointer (&response, g_bytes_unref);
  cl_pcsc_transport_disconnect (a, TRUE);
  cl_pcsc_transport_disconnect (b, FALSE);

  /* The card in slot 1 ran with --seconds 2. */
  expect_event (fx, removed1);
  g_assert_true (g_subprocess_wait_check (card1, NULL, &error));
  g_assert_no_error (error);

  pull_card (card0);
  expect_event (fx, removed0);
  g_clear_object (&card0);
  card0 = insert_card (fx->port0, CL_TESTCARD_DEFAULT_ATR, 60);
  expect_event (fx, inserted0);
  pull_card (card0);
  expect_event (fx, removed0);
}

/* Last, because it takes the rig's pcscd away: the monitor reports the service lost, but not the readers or their
 * cards gone (a card stays in its reader while pcscd restarts; the line must not end its attempt as pulled). */
static void
test_service_lost (Fixture *fx, gconstpointer data)
{
  g_autofree char *added = g_strdup_printf ("reader-added %s", fx->slot0);
  g_autofree char *pid_file = g_build_filename (g_getenv ("CARDLINE_RIG_DIR"), "pids", "pcscd", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) readers = NULL;
  gint64 pid;

  expect_event (fx, added);
  g_assert_true (g_file_get_contents (pid_file, &contents, NULL, &error));
  g_assert_no_error (error);
  pid = g_ascii_strtoll (contents, NULL, 10);
  g_assert_cmpint (pid, >, 1);
  fx->removals = 0;
  g_assert_cmpint (kill ((pid_t)pid, SIGTERM), ==, 0);

  expect_event (fx, "service-lost ");
  g_assert_cmpuint (fx->removals, ==, 0);
  readers = cl_reader_monitor_dup_readers (fx->monitor);
  g_assert_true (g_strv_contains ((const char *const *)readers, fx->slot0));
  /* The monitor keeps retrying; stopping it must still be prompt. */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: %s CARDLINE-TESTCARD (run under tests/rig/rig-run)", argv[0]);
  testcard_path = argv[1];

  g_test_add ("/pcsc-rig/card-round-trip", Fixture, NULL, fixture_setup, test_card_round_trip, fixture_teardown);
  g_test_add ("/pcsc-rig/two-slots", Fixture, NULL, fixture_setup, test_two_slots, fixture_teardown);
  g_test_add ("/pcsc-rig/service-lost", Fixture, NULL, fixture_setup, test_service_lost, fixture_teardown);
  return g_test_run ();
}
