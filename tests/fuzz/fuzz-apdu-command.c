/* Command APDU parser: whatever parses must re-encode to the same bytes and parse back to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/cl-apdu.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) apdu = cl_apdu_parse (data, size, &error);
  g_autoptr (GBytes) encoded = NULL;
  g_autoptr (ClApdu) again = NULL;

  if (apdu == NULL)
    {
      if (error == NULL)
        abort ();
      return 0;
    }
  encoded = cl_apdu_encode (apdu, &error);
  if (encoded == NULL)
    abort ();
  if (g_bytes_get_size (encoded) != size || memcmp (g_bytes_get_data (encoded, NULL), data, size) != 0)
    abort ();
  again = cl_apdu_parse (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded), &error);
  if (again == NULL || again->ne != apdu->ne || cl_apdu_get_lc (again) != cl_apdu_get_lc (apdu))
    abort ();
  return 0;
}
