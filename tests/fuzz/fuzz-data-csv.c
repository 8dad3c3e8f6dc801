/* Fuzz target for lib/data: bytes -> CSV table (libcsv) -> every row validated against a mapping with every rule
 * kind. A file is refused whole under CL_ERROR_MALFORMED, or read with its rows each good or listed as a problem:
 * good rows + rows with a problem = rows, and every good row carries its reference. */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "core/cl-error.h"
#include "data/cl-data-file.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const char mapping_text[] = "[data]\n"
                                   "reference=id\n"
                                   "display=name\n"
                                   "face.name=name\n"
                                   "chr.holder=id\n"
                                   "face.title=name\n"
                                   "store-data.c1=n\n"
                                   "[data column id]\n"
                                   "max-length=12\n"
                                   "pattern=[A-Z0-9]+\n"
                                   "[data column name]\n"
                                   "required=true\n"
                                   "[data column n]\n"
                                   "type=number\n"
                                   "unique=true\n"
                                   "[data column d]\n"
                                   "type=date\n";

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static ClDataMapping *mapping;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDataFile) file = NULL;
  GPtrArray *good;
  guint bad_rows = 0;

  if (mapping == NULL)
    {
      g_autoptr (GKeyFile) kf = g_key_file_new ();

      g_assert (g_key_file_load_from_data (kf, mapping_text, -1, G_KEY_FILE_NONE, NULL));
      mapping = cl_data_mapping_new_from_key_file (kf, "fuzz.map", NULL);
      g_assert (mapping != NULL);
    }
  file = cl_data_file_parse ("fuzz.csv", data, size, mapping, NULL, &error);
  if (file == NULL)
    {
      g_assert (error != NULL && error->domain == CL_ERROR && error->code == CL_ERROR_MALFORMED);
      return 0;
    }
  good = cl_data_file_get_good_rows (file);
  for (guint i = 0; i < cl_data_file_get_table (file)->rows->len; i++)
    bad_rows += ((ClCsvRow *)g_ptr_array_index (cl_data_file_get_table (file)->rows, i))->bad;
  g_assert (good->len + bad_rows <= cl_data_file_get_row_count (file));
  g_assert ((cl_data_problems_count (cl_data_file_get_problems (file)) == 0)
            == (good->len == cl_data_file_get_row_count (file)));
  for (guint i = 0; i < good->len; i++)
    {
      ClDataRow *row = g_ptr_array_index (good, i);

      g_assert (row->reference != NULL && *row->reference != '\0');
      g_assert (g_utf8_validate (row->display, -1, NULL));
    }
  return 0;
}
