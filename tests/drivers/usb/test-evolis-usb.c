/* The Evolis driver over its real USB transport (libusb, usbdevfs), against a printer that umockdev replays:
 * evolis.umockdev describes the device, SCENARIO.ioctl (or the timeout capture) scripts the bulk traffic.
 *
 *   umockdev-run -d evolis.umockdev -i /dev/bus/usb/001/007=SCENARIO.ioctl -- test-evolis-usb SCENARIO
 *
 * The replay refuses any OUT transfer the script does not expect, so every scenario also asserts the
 * command bytes the driver puts on the wire. */
#include <string.h>

#include "printer/cl-evolis-printer.h"
#include "printer/cl-usb-transport.h"

/* What evolis.umockdev declares. */
#define PRODUCT_ID  0x1001
#define DESCRIPTION "printer at usb 001/007 0f49:1001"

/* Short, so that the timeout scenario ends quickly; the replay itself answers at once. */
#define COMMAND_TIMEOUT_MS 300
#define MOTION_TIMEOUT_MS  600

typedef struct
{
  ClPrinterFault fault;
  gboolean card_inside;
  char *message;
} FaultEvent;

typedef struct
{
  ClPrinterTransport *transport;
  ClCardPrinter *printer;
  GArray *faults; /* FaultEvent */
} Fixture;

static void
fault_event_clear (gpointer data)
{
  g_free (((FaultEvent *)data)->message);
}

static void
on_fault (ClCardPrinter *printer, ClPrinterFault fault, gboolean card_inside, const char *message, Fixture *fx)
{
  FaultEvent event = { fault, card_inside, g_strdup (message) };

  g_test_message ("fault %s (card inside: %d): %s", cl_printer_fault_to_nick (fault), card_inside, message);
  g_array_append_val (fx->faults, event);
}

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* Outside umockdev-run libusb would look at the host's real buses; the test is meaningless there. */
  g_assert_nonnull (g_getenv ("UMOCKDEV_DIR"));
  fx->transport = cl_usb_transport_new (CL_EVOLIS_USB_VENDOR_ID, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->transport);
  g_assert_cmpuint (cl_usb_transport_get_product_id (CL_USB_TRANSPORT (fx->transport)), ==, PRODUCT_ID);
  g_assert_cmpstr (cl_printer_transport_describe (fx->transport), ==, DESCRIPTION);
  g_assert_false (cl_usb_transport_is_gone (CL_USB_TRANSPORT (fx->transport)));

  fx->printer = cl_evolis_printer_new (fx->transport);
  cl_card_printer_set_timeouts (fx->printer, COMMAND_TIMEOUT_MS, MOTION_TIMEOUT_MS);
  fx->faults = g_array_new (FALSE, TRUE, sizeof (FaultEvent));
  g_array_set_clear_func (fx->faults, fault_event_clear);
  g_signal_connect (fx->printer, "fault", G_CALLBACK (on_fault), fx);
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->printer);
  g_clear_object (&fx->transport);
  g_clear_pointer (&fx->faults, g_array_unref);
}

/* Fault events are dispatched through the main context the printer was created in. */
static void
flush_events (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
assert_no_faults (Fixture *fx)
{
  flush_events ();
  g_assert_cmpuint (fx->faults->len, ==, 0);
}

static void
assert_one_fault (Fixture *fx, ClPrinterFault fault, gboolean card_inside, const char *in_message)
{
  const FaultEvent *event;

  flush_events ();
  g_assert_cmpuint (fx->faults->len, ==, 1);
  event = &g_array_index (fx->faults, FaultEvent, 0);
  g_assert_cmpstr (cl_printer_fault_to_nick (event->fault), ==, cl_printer_fault_to_nick (fault));
  g_assert_cmpint (event->card_inside, ==, card_inside);
  g_assert_nonnull (strstr (event->message, in_message));
}

static void
identify (Fixture *fx)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPrinterIdentity) identity = cl_card_printer_identify (fx->printer, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (identity->model, ==, "Primacy");
  g_assert_cmpstr (identity->serial, ==, "CL0000042");
  g_assert_cmpstr (identity->firmware, ==, "R1.4.2");
}

static void
feed (Fixture *fx)
{
  g_autoptr (GError) error = NULL;

  gboolean ok = cl_card_printer_feed_to_contact (fx->printer, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (cl_card_printer_has_card (fx->printer));
}

static void
test_produce (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean ok;

  identify (fx);
  feed (fx);
  ok = cl_card_printer_eject (fx->printer, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_false (cl_card_printer_has_card (fx->printer));
  assert_no_faults (fx);
}

static void
test_reject (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gboolean ok;

  identify (fx);
  feed (fx);
  ok = cl_card_printer_reject (fx->printer, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_false (cl_card_printer_has_card (fx->printer));
  assert_no_faults (fx);
}

/* Sis refused with a mechanical NACK: a typed fault, and no card counted as inside. */
static void
feed_refused (Fixture *fx, ClPrinterFault fault, const char *meaning)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("printer refused Sis: %s", meaning);

  g_assert_false (cl_card_printer_feed_to_contact (fx->printer, NULL, &error));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_DEVICE_FAULT);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_false (cl_card_printer_has_card (fx->printer));
  assert_one_fault (fx, fault, FALSE, expected);
}

static void
test_nack_cover (Fixture *fx, gconstpointer data)
{
  feed_refused (fx, CL_PRINTER_FAULT_COVER_OPEN, "cover open (NACK C)");
}

static void
test_nack_feeder (Fixture *fx, gconstpointer data)
{
  feed_refused (fx, CL_PRINTER_FAULT_FEEDER_EMPTY, "feeder (NACK F)");
}

static void
test_nack_ribbon (Fixture *fx, gconstpointer data)
{
  feed_refused (fx, CL_PRINTER_FAULT_RIBBON_OUT, "ribbon (NACK R)");
}

/* A jam on the way out: the card is still inside, so the line keeps tracking it. */
static void
test_nack_mechanical (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  feed (fx);
  g_assert_false (cl_card_printer_eject (fx->printer, NULL, &error));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_DEVICE_FAULT);
  g_assert_nonnull (strstr (error->message, "printer refused Se: mechanical error or time-out (NACK T)"));
  g_assert_true (cl_card_printer_has_card (fx->printer));
  assert_one_fault (fx, CL_PRINTER_FAULT_JAM, TRUE, "NACK T");
}

/* The printer never answers Se: the call ends after the motion timeout, the connection counts as lost and
 * the card inside as rejected. */
static void
test_timeout (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 start;
  double elapsed_ms;

  feed (fx);
  start = g_get_monotonic_time ();
  g_assert_false (cl_card_printer_eject (fx->printer, NULL, &error));
  elapsed_ms = (double)(g_get_monotonic_time () - start) / 1000.0;
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "nothing within 600 ms"));
  /* Bounded by the timeout, not by the replay ending (generous upper bound for loaded CI machines). */
  g_assert_cmpfloat (elapsed_ms, >=, MOTION_TIMEOUT_MS - 50);
  g_assert_cmpfloat (elapsed_ms, <, MOTION_TIMEOUT_MS + 5000);
  g_assert_false (cl_card_printer_has_card (fx->printer));
  g_assert_false (cl_usb_transport_is_gone (CL_USB_TRANSPORT (fx->transport)));
  assert_one_fault (fx, CL_PRINTER_FAULT_COMMUNICATION_LOST, TRUE, "nothing within 600 ms");
}

/* Unplugged while waiting for the Se reply: COMMUNICATION_LOST with the card inside, and every later call
 * fails at once without touching the bus (the script has nothing more to match). */
static void
test_unplug (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) again = NULL;

  feed (fx);
  g_assert_false (cl_card_printer_eject (fx->printer, NULL, &error));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER);
  g_assert_nonnull (strstr (error->message, "the printer was unplugged"));
  g_assert_true (cl_usb_transport_is_gone (CL_USB_TRANSPORT (fx->transport)));
  g_assert_false (cl_card_printer_has_card (fx->printer));
  assert_one_fault (fx, CL_PRINTER_FAULT_COMMUNICATION_LOST, TRUE, "unplugged");

  g_assert_false (cl_card_printer_reject (fx->printer, NULL, &again));
  g_assert_error (again, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER);
}

static const struct
{
  const char *name;
  void (*func) (Fixture *, gconstpointer);
} scenarios[] = {
  { "produce", test_produce },         { "reject", test_reject },           { "nack-cover", test_nack_cover },
  { "nack-feeder", test_nack_feeder }, { "nack-ribbon", test_nack_ribbon }, { "nack-mechanical", test_nack_mechanical },
  { "timeout", test_timeout },         { "unplug", test_unplug },
};

int
main (int argc, char **argv)
{
  const char *scenario = NULL;
  g_autofree char *path = NULL;

  /* The scenario comes first so that the g_test options (-v, --tap) may follow it. */
  if (argc >= 2 && argv[1][0] != '-')
    {
      scenario = argv[1];
      argv[1] = argv[0];
      argv++, argc--;
    }
  g_test_init (&argc, &argv, NULL);
  if (scenario == NULL)
    {
      g_printerr ("usage: test-evolis-usb SCENARIO (under umockdev-run)\n");
      return 2;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (strcmp (scenarios[i].name, scenario) == 0)
      {
        path = g_strdup_printf ("/drivers/evolis-usb/%s", scenario);
        g_test_add (path, Fixture, NULL, fixture_set_up, scenarios[i].func, fixture_tear_down);
      }
  if (path == NULL)
    {
      g_printerr ("test-evolis-usb: unknown scenario \"%s\"\n", scenario);
      return 2;
    }
  return g_test_run ();
}
