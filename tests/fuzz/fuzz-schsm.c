/* Fuzzes the SmartCard-HSM response parsers: the first byte picks the parser, the rest is the response (or, for the
 * token info, the content of EF.TokenInfo the card returns). */
#include <stdint.h>

#include <string.h>

#include "schsm/cl-schsm-response.h"
#include "schsm/cl-schsm-token-info.h"

/* A label read from the card is UTF-8 text; one the encoder takes reads back the same. */
static void
token_info (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  g_autoptr (GError) error = NULL;
  g_autofree char *label = cl_schsm_token_info_label (bytes, &error);
  g_autoptr (GBytes) again = NULL;
  g_autofree char *back = NULL;

  if (label == NULL)
    return;
  g_assert (g_utf8_validate (label, -1, NULL));
  again = cl_schsm_token_info_encode (label, NULL);
  if (again == NULL)
    return;
  back = cl_schsm_token_info_label (again, NULL);
  g_assert (back != NULL && strcmp (back, label) == 0);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  guint8 major, minor;
  ClSchsmDkekStatus dkek;
  ClSchsmPinStatus pin;
  GArray *fids;
  ClCvcRequest *request;

  if (size < 1)
    return 0;
  switch (data[0] % 6)
    {
      case 0:
        cl_schsm_parse_select (data + 1, size - 1, &major, &minor, NULL);
        break;
      case 1:
        cl_schsm_parse_dkek_status (data + 1, size - 1, &dkek, NULL);
        break;
      case 2:
        fids = cl_schsm_parse_file_list (data + 1, size - 1, NULL);
        if (fids)
          g_array_unref (fids);
        break;
      case 3:
        request = cl_schsm_parse_generate_response (data + 1, size - 1, NULL);
        if (request)
          {
            cl_cvc_request_verify_inner (request, CL_CVC_CURVE_BRAINPOOL_P256R1, NULL);
            g_object_unref (request);
          }
        break;
      case 5:
        token_info (data + 1, size - 1);
        break;
      default:
        if (size >= 3)
          cl_schsm_pin_status_from_sw ((guint16)(data[1] << 8 | data[2]), &pin);
        break;
    }
  return 0;
}
