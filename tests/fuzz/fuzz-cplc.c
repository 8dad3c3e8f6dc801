/* Fuzz target for the card manager data parsers: CPLC, key diversification data, key information
 * template and FCI (all answers a hostile card controls). */
#include <stdint.h>

#include <glib.h>

#include "gp/cl-cplc.h"
#include "gp/cl-gp-data.h"
#include "gp/cl-gp-select.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  ClCplc cplc;
  ClGpFci fci;
  guint8 kdd[CL_GP_KDD_LEN];
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) keys = NULL;

  if (cl_cplc_parse (data, size, &cplc, &error))
    {
      g_autofree char *id = cl_cplc_chip_id (&cplc);
      g_autofree char *text = cl_cplc_to_string (&cplc);

      g_assert (id != NULL && text != NULL);
    }
  g_clear_error (&error);
  if (!cl_gp_kdd_parse (data, size, kdd, &error))
    g_assert (error != NULL);
  g_clear_error (&error);
  keys = cl_gp_key_info_parse (data, size, &error);
  g_assert ((keys == NULL) == (error != NULL));
  g_clear_error (&error);
  if (cl_gp_fci_parse (data, size, &fci, &error))
    g_assert (fci.aid_len <= sizeof fci.aid);
  return 0;
}
