/* Fuzz target for lib/cap: bytes -> zip -> CAP components -> Load File Data Block and blocks. */
#include <stdint.h>

#include <glib.h>

#include "cap/cl-cap-file.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCapFile) cap = cl_cap_file_new_from_bytes (bytes, &error);

  if (cap == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  g_assert (cl_cap_file_get_package_aid (cap) != NULL);
  g_assert (cl_cap_file_get_applet_aids (cap) != NULL);
  for (int with_descriptor = 0; with_descriptor <= 1; with_descriptor++)
    {
      g_autoptr (GBytes) lfdb = cl_cap_file_build_load_file_data_block (cap, with_descriptor, &error);
      g_autoptr (GBytes) hash = NULL;
      g_autoptr (GPtrArray) blocks = NULL;
      gsize total = 0;

      if (lfdb == NULL)
        {
          g_assert (error != NULL);
          g_clear_error (&error);
          continue;
        }
      hash = cl_cap_file_compute_load_file_hash (cap, with_descriptor, CL_CAP_HASH_SHA256, &error);
      g_assert (hash != NULL && g_bytes_get_size (hash) == 32);
      blocks = cl_cap_split_blocks (lfdb, 239, &error);
      g_assert (blocks != NULL);
      for (guint i = 0; i < blocks->len; i++)
        total += g_bytes_get_size (g_ptr_array_index (blocks, i));
      g_assert (total == g_bytes_get_size (lfdb));
    }
  return 0;
}
