/* The Evolis driver over TCP against cardline-printer-sim, whose contact station is the rig's first vpcd
 * reader: a fed card must show up in PC/SC, eject/reject must move its image, faults must arrive typed.
 *
 *   test-evolis-sim SIM VCARD      (under rig-run --readers 1 --parts pcsc) */
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cl-test-dir.h"

#include "pcsc/cl-reader-monitor.h"
#include "printer/cl-evolis-printer.h"
#include "printer/cl-tcp-transport.h"

#define WAIT_S 15

static const char *sim_exe, *vcard_exe;

typedef struct
{
  char *dir, *hopper, *output, *reject;
  GPid pid;
  guint16 port;
  ClPrinterTransport *transport;
  ClCardPrinter *printer;
  GArray *faults; /* ClPrinterFault */
  gboolean last_card_inside;
} Fixture;

static void
on_fault (ClCardPrinter *printer, ClPrinterFault fault, gboolean card_inside, const char *message, Fixture *fx)
{
  g_test_message ("fault %s (card inside: %d): %s", cl_printer_fault_to_nick (fault), card_inside, message);
  g_array_append_val (fx->faults, fault);
  fx->last_card_inside = card_inside;
}

static void
manufacture (const char *dir, guint count)
{
  const char *kst = "404142434445464748494A4B4C4D4E4F";
  g_autofree char *n = g_strdup_printf ("%u", count);
  const char *argv[]
    = { vcard_exe, "manufacture", "--out", dir,         "--count", n,           "--kst-type", "aes", "--kst-version",
        "30",      "--kst-enc",   kst,     "--kst-mac", kst,       "--kst-dek", kst,          NULL };
  g_autoptr (GError) error = NULL;
  int status;

  g_assert_true (
    g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static guint
count_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
start_sim (Fixture *fx, const char *fault)
{
  const char *ports = g_getenv ("CARDLINE_VPCD_PORTS");
  g_auto (GStrv) port_list = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOChannel) channel = NULL;
  g_autofree char *line = NULL;
  int out_fd;

  g_assert_nonnull (ports);
  port_list = g_strsplit (ports, ",", -1);
  g_ptr_array_add (argv, (char *)sim_exe);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  g_ptr_array_add (argv, (gpointer) "--hopper");
  g_ptr_array_add (argv, fx->hopper);
  g_ptr_array_add (argv, (gpointer) "--output");
  g_ptr_array_add (argv, fx->output);
  g_ptr_array_add (argv, (gpointer) "--reject");
  g_ptr_array_add (argv, fx->reject);
  g_ptr_array_add (argv, (gpointer) "--vpcd-port");
  g_ptr_array_add (argv, port_list[0]);
  g_ptr_array_add (argv, (gpointer) "--vcard");
  g_ptr_array_add (argv, (char *)vcard_exe);
  g_ptr_array_add (argv, (gpointer) "--timing");
  if (fault != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--fault");
      g_ptr_array_add (argv, (char *)fault);
    }
  g_ptr_array_add (argv, NULL);
  g_spawn_async_with_pipes (NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &fx->pid, NULL,
                            &out_fd, NULL, &error);
  g_assert_no_error (error);
  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_assert_cmpint (g_io_channel_read_line (channel, &line, NULL, NULL, &error), ==, G_IO_STATUS_NORMAL);
  fx->port = (guint16)atoi (line);
  g_assert_cmpuint (fx->port, >, 0);

  fx->transport = cl_tcp_transport_new ("127.0.0.1", fx->port, 2000, NULL, &error);
  g_assert_no_error (error);
  fx->printer = cl_evolis_printer_new (fx->transport);
  cl_card_printer_set_timeouts (fx->printer, 2000, 10000);
  g_signal_connect (fx->printer, "fault", G_CALLBACK (on_fault), fx);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fx->dir = g_dir_make_tmp ("cardline-printer-sim-XXXXXX", &error);
  g_assert_no_error (error);
  fx->hopper = g_build_filename (fx->dir, "hopper", NULL);
  fx->output = g_build_filename (fx->dir, "output", NULL);
  fx->reject = g_build_filename (fx->dir, "reject", NULL);
  g_mkdir (fx->hopper, 0700);
  g_mkdir (fx->output, 0700);
  g_mkdir (fx->reject, 0700);
  fx->faults = g_array_new (FALSE, FALSE, sizeof (ClPrinterFault));
  manufacture (fx->hopper, GPOINTER_TO_UINT (data));
  start_sim (fx, NULL);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  int status;

  g_clear_object (&fx->printer);
  g_clear_object (&fx->transport);
  kill (fx->pid, SIGTERM);
  waitpid (fx->pid, &status, 0);
  g_spawn_close_pid (fx->pid);
  cl_test_remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->hopper);
  g_free (fx->output);
  g_free (fx->reject);
  g_array_unref (fx->faults);
}

typedef struct
{
  gboolean inserted, removed;
  char *reader;
} CardEvents;

static void
on_card_inserted (ClReaderMonitor *monitor, const char *reader, GBytes *atr, CardEvents *events)
{
  g_test_message ("card inserted in %s", reader);
  events->inserted = TRUE;
}

static void
on_card_removed (ClReaderMonitor *monitor, const char *reader, CardEvents *events)
{
  events->removed = TRUE;
}

static void
wait_for (gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
  while (!*flag)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

static void
test_identify (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPrinterIdentity) id = cl_card_printer_identify (fx->printer, NULL, &error);
  ClPrinterStatus status;

  g_assert_no_error (error);
  g_assert_cmpstr (id->model, ==, "Primacy (cardline-printer-sim)");
  g_assert_cmpstr (id->serial, ==, "SIM00001");
  g_assert_cmpstr (id->firmware, ==, "1.0.0-sim");
  g_assert_true (cl_card_printer_get_status (fx->printer, &status, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status.feeder, ==, CL_PRINTER_FEEDER_LOW);
  g_assert_cmpint (status.card, ==, CL_PRINTER_CARD_NONE);
  g_assert_false (status.cover_open);
  g_assert_cmpuint (status.card_count, ==, 0);
}

static void
feed_and_see (Fixture *fx, CardEvents *events, ClReaderMonitor *monitor)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_card_printer_feed_to_contact (fx->printer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cl_card_printer_has_card (fx->printer));
  wait_for (&events->inserted);
}

static void
test_produce (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClReaderMonitor) monitor = cl_reader_monitor_new ();
  g_autoptr (GError) error = NULL;
  CardEvents events = { 0 };
  ClPrinterStatus status;

  g_signal_connect (monitor, "card-inserted", G_CALLBACK (on_card_inserted), &events);
  g_signal_connect (monitor, "card-removed", G_CALLBACK (on_card_removed), &events);
  g_assert_true (cl_reader_monitor_start (monitor, &error));
  g_assert_no_error (error);

  feed_and_see (fx, &events, monitor);
  g_assert_true (cl_card_printer_get_status (fx->printer, &status, NULL, &error));
  g_assert_cmpint (status.card, ==, CL_PRINTER_CARD_AT_CONTACT);
  g_assert_true (cl_card_printer_eject (fx->printer, NULL, &error));
  g_assert_no_error (error);
  wait_for (&events.removed);
  g_assert_cmpuint (count_files (fx->output), ==, 1);
  g_assert_cmpuint (count_files (fx->hopper), ==, 1);

  events.inserted = events.removed = FALSE;
  feed_and_see (fx, &events, monitor);
  g_assert_true (cl_card_printer_reject (fx->printer, NULL, &error));
  g_assert_no_error (error);
  wait_for (&events.removed);
  g_assert_cmpuint (count_files (fx->reject), ==, 1);
  g_assert_false (cl_card_printer_has_card (fx->printer));

  /* The hopper is empty now: the next feed is a feeder fault. */
  g_assert_false (cl_card_printer_feed_to_contact (fx->printer, NULL, &error));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_DEVICE_FAULT);
  g_assert_nonnull (strstr (error->message, "NACK F"));
  g_assert_cmpuint (fx->faults->len, ==, 1);
  g_assert_cmpint (g_array_index (fx->faults, ClPrinterFault, 0), ==, CL_PRINTER_FAULT_FEEDER_EMPTY);
  cl_reader_monitor_stop (monitor);
}

static void
control (Fixture *fx, const char *command)
{
  g_autofree char *text = g_strdup_printf ("\x1b%s\r", command);
  g_autoptr (GBytes) frame = g_bytes_new (text, strlen (text));
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_printer_transport_send (fx->transport, frame, 1000, NULL, &error));
  reply = cl_printer_transport_receive (fx->transport, 1000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), "OK\r", 3);
}

static void
test_faults (Fixture *fx, gconstpointer data)
{
  const struct
  {
    const char *name;
    ClPrinterFault fault;
    char code;
  } cases[] = {
    { "jam", CL_PRINTER_FAULT_JAM, 'T' },
    { "cover-open", CL_PRINTER_FAULT_COVER_OPEN, 'C' },
    { "ribbon-out", CL_PRINTER_FAULT_RIBBON_OUT, 'R' },
    { "feeder-empty", CL_PRINTER_FAULT_FEEDER_EMPTY, 'F' },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *command = g_strdup_printf ("Xfault;%s", cases[i].name);
      g_autofree char *nack = g_strdup_printf ("NACK %c", cases[i].code);

      control (fx, command);
      g_assert_false (cl_card_printer_feed_to_contact (fx->printer, NULL, &error));
      g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_DEVICE_FAULT);
      g_assert_nonnull (strstr (error->message, nack));
      g_assert_cmpuint (fx->faults->len, ==, i + 1);
      g_assert_cmpint (g_array_index (fx->faults, ClPrinterFault, i), ==, cases[i].fault);
      g_assert_false (cl_card_printer_has_card (fx->printer));
    }
  /* Cleared, the same printer feeds again: a fault leaves the driver usable. */
  control (fx, "Xfault;none");
  {
    g_autoptr (GError) error = NULL;
    g_assert_true (cl_card_printer_feed_to_contact (fx->printer, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (cl_card_printer_eject (fx->printer, NULL, &error));
    g_assert_no_error (error);
  }
}

static void
test_fault_option (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ClPrinterStatus status;

  /* Restart the simulator with the cover open from the start. */
  fixture_teardown (fx, data);
  fixture_setup (fx, data);
  g_clear_object (&fx->printer);
  g_clear_object (&fx->transport);
  kill (fx->pid, SIGTERM);
  waitpid (fx->pid, NULL, 0);
  start_sim (fx, "cover-open");

  g_assert_true (cl_card_printer_get_status (fx->printer, &status, NULL, &error));
  g_assert_true (status.cover_open);
  g_assert_false (cl_card_printer_feed_to_contact (fx->printer, NULL, &error));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_DEVICE_FAULT);
  g_assert_cmpint (g_array_index (fx->faults, ClPrinterFault, 0), ==, CL_PRINTER_FAULT_COVER_OPEN);
}

static void
test_drop (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = g_strdup ("\x1bXdrop\r");
  g_autoptr (GBytes) frame = g_bytes_new (text, strlen (text));

  g_assert_true (cl_card_printer_feed_to_contact (fx->printer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cl_printer_transport_send (fx->transport, frame, 1000, NULL, &error));
  g_assert_false (cl_card_printer_eject (fx->printer, NULL, &error));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER);
  g_assert_cmpuint (fx->faults->len, ==, 1);
  g_assert_cmpint (g_array_index (fx->faults, ClPrinterFault, 0), ==, CL_PRINTER_FAULT_COMMUNICATION_LOST);
  g_assert_true (fx->last_card_inside);
  g_assert_false (cl_card_printer_has_card (fx->printer));
}

typedef struct
{
  GError *error;
  gboolean done;
} AsyncState;

static void
on_moved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncState *state = user_data;

  cl_card_printer_move_finish (CL_CARD_PRINTER (source), result, &state->error);
  state->done = TRUE;
}

static void
test_async (Fixture *fx, gconstpointer data)
{
  AsyncState state = { 0 };

  cl_card_printer_feed_to_contact_async (fx->printer, NULL, on_moved, &state);
  wait_for (&state.done);
  g_assert_no_error (state.error);
  state.done = FALSE;
  cl_card_printer_reject_async (fx->printer, NULL, on_moved, &state);
  wait_for (&state.done);
  g_assert_no_error (state.error);
  g_assert_cmpuint (count_files (fx->reject), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 3);
  /* meson passes build-relative paths; the simulator spawns the card from its own working directory. */
  sim_exe = g_canonicalize_filename (argv[1], NULL);
  vcard_exe = g_canonicalize_filename (argv[2], NULL);
  g_test_add ("/printer-sim/identify", Fixture, GUINT_TO_POINTER (2), fixture_setup, test_identify, fixture_teardown);
  g_test_add ("/printer-sim/produce", Fixture, GUINT_TO_POINTER (2), fixture_setup, test_produce, fixture_teardown);
  g_test_add ("/printer-sim/faults", Fixture, GUINT_TO_POINTER (2), fixture_setup, test_faults, fixture_teardown);
  g_test_add ("/printer-sim/fault-option", Fixture, GUINT_TO_POINTER (1), fixture_setup, test_fault_option,
              fixture_teardown);
  g_test_add ("/printer-sim/drop", Fixture, GUINT_TO_POINTER (1), fixture_setup, test_drop, fixture_teardown);
  g_test_add ("/printer-sim/async", Fixture, GUINT_TO_POINTER (1), fixture_setup, test_async, fixture_teardown);
  return g_test_run ();
}
