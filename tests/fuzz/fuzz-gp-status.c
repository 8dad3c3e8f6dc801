/* Fuzz target for GET STATUS responses (E3 registry entries). */
#include <stdint.h>

#include <glib.h>

#include "gp/cl-gp-status.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) entries = cl_gp_registry_entries_new ();
  g_autoptr (GError) error = NULL;

  if (!cl_gp_status_parse (CL_GP_STATUS_LOAD_FILES_MODULES, data, size, entries, &error))
    {
      g_assert (error != NULL);
      g_assert (entries->len == 0);
      return 0;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      ClGpRegistryEntry *e = g_ptr_array_index (entries, i);
      gsize aid_len = g_bytes_get_size (e->aid);

      g_assert (aid_len >= 5 && aid_len <= 16);
      g_assert (e->privileges_len <= 3);
    }
  return 0;
}
