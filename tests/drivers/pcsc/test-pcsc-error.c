/* test-pcsc-error: SCARD_* codes translated once, in cl-pcsc-error.c: into CL_DRIVER_ERROR for the driver's own
 * API and into lib/'s transport codes (apdu/cl-transport.h) for what crosses ClTransport, where the card is blamed
 * only for what the card did. */
#include <pcsclite.h>
#include <string.h>

#include "apdu/cl-transport.h"
#include "core/cl-error.h"
#include "pcsc/cl-pcsc-error.h"

typedef struct
{
  LONG rv;
  ClError transport;
  gboolean station_fault;
} Expected;

static const Expected expected[] = {
  /* the card's doing */
  { SCARD_W_REMOVED_CARD, CL_ERROR_CARD_REMOVED, FALSE },
  { SCARD_W_RESET_CARD, CL_ERROR_CARD_REMOVED, FALSE },
  { SCARD_E_NO_SMARTCARD, CL_ERROR_CARD_REMOVED, FALSE },
  { SCARD_W_UNRESPONSIVE_CARD, CL_ERROR_CARD_REMOVED, FALSE },
  { SCARD_W_UNPOWERED_CARD, CL_ERROR_CARD_REMOVED, FALSE },
  { SCARD_E_TIMEOUT, CL_ERROR_TIMEOUT, FALSE },
  { SCARD_F_WAITED_TOO_LONG, CL_ERROR_TIMEOUT, FALSE },
  /* the station's */
  { SCARD_E_READER_UNAVAILABLE, CL_ERROR_READER_GONE, TRUE },
  { SCARD_E_UNKNOWN_READER, CL_ERROR_READER_GONE, TRUE },
  { SCARD_E_NO_READERS_AVAILABLE, CL_ERROR_READER_GONE, TRUE },
  { SCARD_E_NO_SERVICE, CL_ERROR_SERVICE_LOST, TRUE },
  { SCARD_E_SERVICE_STOPPED, CL_ERROR_SERVICE_LOST, TRUE },
  { SCARD_F_COMM_ERROR, CL_ERROR_SERVICE_LOST, TRUE },
  /* neither for sure */
  { SCARD_E_CANCELLED, CL_ERROR_CANCELLED, FALSE },
  { SCARD_E_SHARING_VIOLATION, CL_ERROR_TRANSPORT, FALSE },
  { SCARD_F_INTERNAL_ERROR, CL_ERROR_TRANSPORT, FALSE },
  { SCARD_E_INVALID_HANDLE, CL_ERROR_TRANSPORT, FALSE },
  { (LONG)0x8010FFFF, CL_ERROR_TRANSPORT, FALSE },
};

static void
test_transport_codes (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_cmpint (cl_pcsc_transport_code (expected[i].rv), ==, expected[i].transport);
      g_assert_false (cl_pcsc_check_transport (expected[i].rv, &error, "transmitting to %s", "Reader 0"));
      g_assert_error (error, CL_ERROR, (gint)expected[i].transport);
      /* the driver's words stay in the message, for the operator and the log */
      g_assert_true (g_str_has_prefix (error->message, "transmitting to Reader 0: "));
      if (expected[i].rv != (LONG)0x8010FFFF)
        g_assert_nonnull (strstr (error->message, cl_pcsc_error_name (expected[i].rv)));
      g_assert_true (cl_transport_error_is_transport (error));
      g_assert_cmpint (cl_transport_error_is_station_fault (error), ==, expected[i].station_fault);
    }
}

/* The driver's own API keeps its domain: connecting says NO_CARD, not lib's CARD_REMOVED. */
static void
test_driver_codes (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_pcsc_check_transport (SCARD_S_SUCCESS, &error, "nothing"));
  g_assert_true (cl_pcsc_check (SCARD_S_SUCCESS, &error, "nothing"));
  g_assert_no_error (error);
  g_assert_false (cl_pcsc_check (SCARD_E_NO_SMARTCARD, &error, "connecting"));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_CARD);
  g_clear_error (&error);
  g_assert_false (cl_pcsc_check (SCARD_E_NO_SERVICE, &error, "connecting"));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_SERVICE);
  g_assert_false (cl_transport_error_is_transport (error));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pcsc-error/transport-codes", test_transport_codes);
  g_test_add_func ("/pcsc-error/driver-codes", test_driver_codes);
  return g_test_run ();
}
