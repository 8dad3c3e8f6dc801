/* The card printer's address as the command line and the settings write it: each accepted form, and a clear
 * error naming the text for everything else. */
#include <string.h>

#include "cl-driver-error.h"
#include "printer/cl-evolis-printer.h"
#include "printer/cl-printer-address.h"

static void
test_accepted (void)
{
  static const struct
  {
    const char *text;
    const char *host;
    guint16 port, vid, pid;
  } cases[] = {
    { "tcp://127.0.0.1:9100", "127.0.0.1", 9100, 0, 0 },
    { "tcp://printer.desk-3.local:1", "printer.desk-3.local", 1, 0, 0 },
    { "tcp://[::1]:9100", "::1", 9100, 0, 0 },
    { "tcp:192.168.4.20:9100", "192.168.4.20", 9100, 0, 0 },
    { "tcp:zenius:65535", "zenius", 65535, 0, 0 },
    { "usb", NULL, 0, CL_EVOLIS_USB_VENDOR_ID, 0 },
    { "usb:", NULL, 0, CL_EVOLIS_USB_VENDOR_ID, 0 },
    { "usb:0f49:6d01", NULL, 0, 0x0f49, 0x6d01 },
    { "usb:F49:0", NULL, 0, 0x0f49, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (ClPrinterAddress) address = { 0 };
      g_autoptr (GError) error = NULL;

      g_test_message ("%s", cases[i].text);
      g_assert_true (cl_printer_address_parse (cases[i].text, &address, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (address.host, ==, cases[i].host);
      g_assert_cmpuint (address.port, ==, cases[i].port);
      g_assert_cmpuint (address.vid, ==, cases[i].vid);
      g_assert_cmpuint (address.pid, ==, cases[i].pid);
    }
}

static void
test_refused (void)
{
  static const char *const cases[] = {
    "",         "tcp://",         "tcp://host", "tcp://host:0",  "tcp://host:65536", "tcp://:9100",
    "tcp:host", "tcp::9100",      "tcp:host:",  "tcp:host:port", "tcp:host:-1",      "tcp:host:70000",
    "usb:0f49", "usb:0f49:",      "usb::6d01",  "usb:0:6d01",    "usb:10000:1",      "usb:0f49:10000",
    "usb:g:1",  "usb:0f49:6d01x", "USB",        "lpd://host",    "ipp://host:631",   "zenius",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (ClPrinterAddress) address = { 0 };
      g_autoptr (GError) error = NULL;

      g_test_message ("%s", cases[i]);
      g_assert_false (cl_printer_address_parse (cases[i], &address, &error));
      g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, "expected tcp://HOST:PORT"));
      g_assert_null (address.host);
    }
  {
    g_auto (ClPrinterAddress) address = { 0 };
    g_autoptr (GError) error = NULL;

    g_assert_false (cl_printer_address_parse (NULL, &address, &error));
    g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/printer-address/accepted", test_accepted);
  g_test_add_func ("/printer-address/refused", test_refused);
  return g_test_run ();
}
