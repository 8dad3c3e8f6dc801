/* Printer addresses come from the command line and the settings: any text parses to an address or a clear error. */
#include <stdint.h>
#include <string.h>

#include "printer/cl-printer-address.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *)data, size);
  g_auto (ClPrinterAddress) address = { 0 };
  g_autoptr (GError) error = NULL;

  if (!cl_printer_address_parse (text, &address, &error))
    {
      g_assert_nonnull (error);
      g_assert_null (address.host);
      return 0;
    }
  g_assert_no_error (error);
  /* TCP has a host and a port; USB has a vendor */
  if (address.host != NULL)
    g_assert_cmpuint (address.port, >, 0);
  else
    g_assert_cmpuint (address.vid, >, 0);
  return 0;
}
