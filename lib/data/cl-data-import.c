/* cl-data-import.c: ClDataFile -> cl_store_rows_import. */
#include "data/cl-data-import.h"

#include "core/cl-error.h"
#include "production/cl-production-env.h"
#include "store/cl-store-dashboard.h"

/* The profile batch_id was created with, found as the station finds profiles by name. */
static ClProfile *
batch_profile (ClStore *store, gint64 batch_id, GError **error)
{
  g_autoptr (GPtrArray) batches = cl_store_batch_list (store, error);

  if (batches == NULL)
    return NULL;
  for (guint i = 0; i < batches->len; i++)
    {
      ClBatchInfo *info = g_ptr_array_index (batches, i);

      if (info->id == batch_id)
        return cl_production_profile_open (info->profile_name, error);
    }
  g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "no batch with id %" G_GINT64_FORMAT, batch_id);
  return NULL;
}

ClDataMapping *
cl_data_mapping_for_batch (ClStore *store, gint64 batch_id, GError **error)
{
  g_autoptr (ClProfile) profile = batch_profile (store, batch_id, error);

  if (profile == NULL)
    return NULL;
  if (cl_profile_get_data_mapping (profile) == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                   "profile %s has no [data] mapping for a data file: give a mapping file",
                   cl_profile_get_name (profile));
      return NULL;
    }
  return g_object_ref (cl_profile_get_data_mapping (profile));
}

gboolean
cl_data_mapping_check_for_batch (ClStore *store, gint64 batch_id, ClDataMapping *mapping, GError **error)
{
  g_autoptr (ClProfile) profile = batch_profile (store, batch_id, error);

  return profile != NULL && cl_profile_check_data_mapping (profile, mapping, TRUE, error);
}

guint
cl_data_file_count_refused (ClDataFile *file)
{
  return cl_data_file_get_row_count (file) - cl_data_file_get_good_rows (file)->len;
}

static gboolean
read_photo (ClDataFile *file, const ClDataRow *row, ClRowImport *out, GError **error)
{
  g_autoptr (GError) local = NULL;
  char *bytes = NULL;
  gsize len = 0;

  if (row->photo == NULL)
    return TRUE;
  if (!g_file_get_contents (row->photo, &bytes, &len, &local) || len == 0 || len > CL_STORE_ROW_PHOTO_MAX)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "%s:%u: photo %s changed since it was checked: %s",
                   cl_data_file_get_name (file), row->line, row->photo, local ? local->message : "its size");
      g_free (bytes);
      return FALSE;
    }
  out->photo = g_bytes_new_take (bytes, len);
  out->photo_type = row->photo_type;
  return TRUE;
}

gint64
cl_data_import (ClStore *store, gint64 batch_id, ClDataFile *file, ClDataMapping *mapping, gboolean good_only,
                const char *actor, ClRowsImportOutcome *outcome, GError **error)
{
  GPtrArray *good = cl_data_file_get_good_rows (file);
  guint refused = cl_data_file_count_refused (file);
  guint problems = cl_data_problems_count (cl_data_file_get_problems (file));
  g_autofree ClRowImport *rows = NULL;
  ClDataFileImport import = { 0 };
  gint64 id = 0;

  if (!cl_data_mapping_check_for_batch (store, batch_id, mapping, error))
    return 0;
  if (problems > 0 && !good_only)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "%s: %u problem(s) in %u row(s): nothing imported (a supervisor may import only its %u good row(s))",
                   cl_data_file_get_name (file), problems, refused, good->len);
      return 0;
    }
  if (good->len == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: no good row: nothing to import",
                   cl_data_file_get_name (file));
      return 0;
    }
  rows = g_new0 (ClRowImport, good->len);
  for (guint i = 0; i < good->len; i++)
    {
      const ClDataRow *row = g_ptr_array_index (good, i);

      rows[i].line = row->line;
      rows[i].reference = row->reference;
      rows[i].display = row->display;
      rows[i].fields = row->values;
      if (!read_photo (file, row, &rows[i], error))
        goto out;
    }
  import.file_name = cl_data_file_get_name (file);
  import.sha256 = cl_data_file_get_sha256 (file);
  import.mapping = cl_data_mapping_get_text (mapping);
  import.good_only = good_only && refused > 0;
  import.refused = refused;
  import.actor = actor;
  import.rows = rows;
  import.n_rows = good->len;
  id = cl_store_rows_import (store, batch_id, &import, outcome, error);

out:
  for (guint i = 0; i < good->len; i++)
    g_clear_pointer (&rows[i].photo, g_bytes_unref);
  return id;
}
