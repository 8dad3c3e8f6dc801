/* cl-store-rows.c: importing a batch's data file (see cl-store-rows.h). */
#include "store/cl-store-rows.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-json.h"
#include "store/cl-store-private.h"

static gboolean
is_suffix_name (const char *s)
{
  gsize n = strlen (s);

  if (n < 1 || n > 64)
    return FALSE;
  for (; *s != '\0'; s++)
    if (!(g_ascii_islower (*s) || g_ascii_isdigit (*s) || *s == '_' || *s == '-'))
      return FALSE;
  return TRUE;
}

gboolean
cl_store_rows_is_target (const char *name)
{
  if (name == NULL)
    return FALSE;
  if (g_str_equal (name, "chr.holder") || g_str_equal (name, "token-label"))
    return TRUE;
  if (g_str_has_prefix (name, "face."))
    return is_suffix_name (name + strlen ("face."));
  if (g_str_has_prefix (name, "store-data."))
    return is_suffix_name (name + strlen ("store-data."));
  return FALSE;
}

static gboolean
is_sha256_hex (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s) && !(*s >= 'a' && *s <= 'f'))
      return FALSE;
  return TRUE;
}

/* What goes on the chip must fit there: a row the card cannot take would reject every blank card fed for it. */
static gboolean
check_chip_value (const char *file_name, guint line, const char *key, const char *value, GError **error)
{
  gsize n = strlen (value);

  if (g_str_equal (key, "chr.holder"))
    {
      gboolean ok = n >= 1 && n <= CL_STORE_ROW_HOLDER_MAX;

      for (const char *p = value; ok && *p != '\0'; p++)
        ok = g_ascii_isupper (*p) || g_ascii_isdigit (*p);
      if (!ok)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s:%u: chr.holder “%s” must be 1 to %d of A-Z 0-9",
                       file_name, line, value, CL_STORE_ROW_HOLDER_MAX);
          return FALSE;
        }
    }
  else if (g_str_has_prefix (key, "store-data."))
    {
      const char *tag = key + strlen ("store-data.");
      gsize tag_len = strlen (tag);
      gboolean ok = (tag_len == 2 || tag_len == 4) && n <= CL_STORE_ROW_STORE_DATA_MAX;

      for (const char *p = tag; ok && *p != '\0'; p++)
        ok = g_ascii_isxdigit (*p);
      if (!ok)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                       "%s:%u: %s: STORE DATA needs a 1- or 2-byte hex tag and at most %d bytes of value", file_name,
                       line, key, CL_STORE_ROW_STORE_DATA_MAX);
          return FALSE;
        }
    }
  return TRUE;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* The fields as a JSON object with sorted keys (one text per content, so records compare). */
static char *
fields_json (const char *file_name, const ClRowImport *row, GError **error)
{
  g_autoptr (GString) out = g_string_new ("{");
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  if (row->fields != NULL)
    keys = g_hash_table_get_keys_as_array (row->fields, &n);
  if (n > 0)
    qsort (keys, n, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n; i++)
    {
      const char *key = keys[i];
      const char *value = g_hash_table_lookup (row->fields, key);

      if (!cl_store_rows_is_target (key) || g_str_equal (key, "face.photo"))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                       g_str_equal (key, "face.photo") ? "%s:%u: face.photo is the row's photo, not a text field"
                                                       : "%s:%u: %s is not a target field (face.NAME, chr.holder, "
                                                         "store-data.NAME, token-label)",
                       file_name, row->line, key);
          return NULL;
        }
      if (value == NULL || strlen (value) > CL_STORE_ROW_VALUE_MAX || !g_utf8_validate (value, -1, NULL))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s:%u: %s must be UTF-8 text of at most %d bytes",
                       file_name, row->line, key, CL_STORE_ROW_VALUE_MAX);
          return NULL;
        }
      if (!check_chip_value (file_name, row->line, key, value, error))
        return NULL;
      if (i > 0)
        g_string_append_c (out, ',');
      cl_json_append_string (out, key);
      g_string_append_c (out, ':');
      cl_json_append_string (out, value);
    }
  g_string_append_c (out, '}');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
check_row (const char *file_name, const ClRowImport *row, GHashTable *references, GError **error)
{
  g_autoptr (GError) local = NULL;
  gpointer seen;

  if (row->line < 1)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: a row has line number 0", file_name);
      return FALSE;
    }
  if (!cl_store_check_name ("reference", row->reference, &local)
      || !cl_store_check_name ("display", row->display, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s:%u: %s", file_name, row->line, local->message);
      return FALSE;
    }
  if ((row->photo == NULL) != (row->photo_type == NULL)
      || (row->photo != NULL
          && (g_bytes_get_size (row->photo) == 0 || g_bytes_get_size (row->photo) > CL_STORE_ROW_PHOTO_MAX
              || !g_str_has_prefix (row->photo_type, "image/"))))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "%s:%u: a photo needs its bytes (1 to %d) and an image/* media type", file_name, row->line,
                   CL_STORE_ROW_PHOTO_MAX);
      return FALSE;
    }
  if (g_hash_table_lookup_extended (references, row->reference, NULL, &seen))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s:%u: reference %s: duplicate of line %u", file_name,
                   row->line, row->reference, GPOINTER_TO_UINT (seen));
      return FALSE;
    }
  g_hash_table_insert (references, (gpointer)row->reference, GUINT_TO_POINTER (row->line));
  return TRUE;
}

static gboolean
check_file (const ClDataFileImport *file, GError **error)
{
  g_autoptr (GHashTable) references = g_hash_table_new (g_str_hash, g_str_equal);

  if (file == NULL || !cl_store_check_name ("Data file name", file->file_name, error))
    return FALSE;
  if (!cl_store_check_name ("Actor", file->actor, error))
    return FALSE;
  if (!is_sha256_hex (file->sha256))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: its SHA-256 must be 64 lower-case hex digits",
                   file->file_name);
      return FALSE;
    }
  if (file->mapping == NULL || !g_utf8_validate (file->mapping, -1, NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: its mapping must be UTF-8 text", file->file_name);
      return FALSE;
    }
  if (file->refused > 0 && !file->good_only)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "%s: %u rows have errors: a file with errors is imported only when its good rows alone are "
                   "asked for",
                   file->file_name, file->refused);
      return FALSE;
    }
  if (file->n_rows == 0 || file->rows == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: no row to import", file->file_name);
      return FALSE;
    }
  for (guint i = 0; i < file->n_rows; i++)
    if (!check_row (file->file_name, &file->rows[i], references, error))
      return FALSE;
  return TRUE;
}

/* The batch's name into *name; CL_ERROR_NOT_FOUND if there is no such batch. Lock held. */
static gboolean
batch_name_locked (ClStore *self, gint64 batch_id, char **name, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, "SELECT name FROM batches WHERE id = ?", error);
  ClSqlStep rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  if ((rc = cl_sql_step (stmt, error)) != CL_SQL_STEP_ROW)
    {
      if (rc == CL_SQL_STEP_DONE)
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No batch with id %" G_GINT64_FORMAT, batch_id);
      return FALSE;
    }
  *name = cl_store_column_dup_text (stmt, 0);
  return TRUE;
}

typedef struct
{
  gint64 id; /* 0: the batch has no data file */
  char *file_name;
  char *sha256;
} CurrentFile;

static void
current_file_clear (CurrentFile *current)
{
  g_clear_pointer (&current->file_name, g_free);
  g_clear_pointer (&current->sha256, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CurrentFile, current_file_clear)

/* The batch's latest imported file: the one its rows come from. Lock held. */
static gboolean
current_file_locked (ClStore *self, gint64 batch_id, CurrentFile *current, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (
    self, "SELECT id, file_name, sha256 FROM batch_files WHERE batch_id = ? ORDER BY id DESC LIMIT 1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  rc = cl_sql_step (stmt, error);
  if (rc == CL_SQL_STEP_ROW)
    {
      current->id = cl_sql_column_int64 (stmt, 0);
      current->file_name = cl_store_column_dup_text (stmt, 1);
      current->sha256 = cl_store_column_dup_text (stmt, 2);
    }
  else if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading a batch's data file");
      return FALSE;
    }
  return TRUE;
}

static gboolean
counts_locked (ClStore *self, gint64 batch_id, ClRowCounts *counts, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self, "SELECT state, count(*) FROM batch_rows WHERE batch_id = ? GROUP BY state", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  *counts = (ClRowCounts){ 0 };
  cl_sql_bind_int64 (stmt, 1, batch_id);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      const char *state = cl_sql_column_text (stmt, 0);
      gint64 n = cl_sql_column_int64 (stmt, 1);

      if (g_strcmp0 (state, "PENDING") == 0)
        counts->pending = n;
      else if (g_strcmp0 (state, "IN_PRODUCTION") == 0)
        counts->in_production = n;
      else if (g_strcmp0 (state, "DONE") == 0)
        counts->done = n;
      else if (g_strcmp0 (state, "FAILED") == 0)
        counts->failed = n;
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Counting a batch's rows");
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_store_rows_count (ClStore *self, gint64 batch_id, ClRowCounts *counts, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  ClRowCounts local;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);
  cl_store_check_thread (self, "batch_rows count");
  if (!counts_locked (self, batch_id, &local, error))
    return FALSE;
  if (counts != NULL)
    *counts = local;
  return TRUE;
}

static gint64
insert_file_locked (ClStore *self, gint64 batch_id, const ClDataFileImport *file, gint64 now, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self,
                        "INSERT INTO batch_files (batch_id, file_name, sha256, mapping, imported_by, imported, "
                        "rows_accepted, rows_refused, good_only) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        error);

  if (stmt == NULL)
    return 0;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  cl_store_bind_text (stmt, 2, file->file_name);
  cl_store_bind_text (stmt, 3, file->sha256);
  cl_store_bind_text (stmt, 4, file->mapping);
  cl_store_bind_text (stmt, 5, file->actor);
  cl_sql_bind_int64 (stmt, 6, now);
  cl_sql_bind_int64 (stmt, 7, file->n_rows);
  cl_sql_bind_int64 (stmt, 8, file->refused);
  cl_sql_bind_int64 (stmt, 9, file->good_only ? 1 : 0);
  return cl_store_step_insert (self, stmt, "Recording a data file", error);
}

static gboolean
insert_rows_locked (ClStore *self, gint64 batch_id, gint64 file_id, const ClDataFileImport *file, gint64 now,
                    GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (
    self,
    "INSERT INTO batch_rows (batch_id, file_id, line, reference, display, fields, photo, photo_type, imported) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    error);

  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < file->n_rows; i++)
    {
      const ClRowImport *row = &file->rows[i];
      g_autofree char *json = fields_json (file->file_name, row, error);

      if (json == NULL)
        return FALSE;
      cl_sql_reset (stmt);
      cl_sql_bind_int64 (stmt, 1, batch_id);
      cl_sql_bind_int64 (stmt, 2, file_id);
      cl_sql_bind_int64 (stmt, 3, row->line);
      cl_store_bind_text (stmt, 4, row->reference);
      cl_store_bind_text (stmt, 5, row->display);
      cl_store_bind_text (stmt, 6, json);
      if (row->photo != NULL)
        {
          gsize size;
          const void *data = g_bytes_get_data (row->photo, &size);

          cl_sql_bind_blob (stmt, 7, data, size);
          cl_store_bind_text (stmt, 8, row->photo_type);
        }
      cl_sql_bind_int64 (stmt, 9, now);
      if (cl_sql_step (stmt, error) != CL_SQL_STEP_DONE)
        {
          g_autofree char *what = g_strdup_printf ("%s:%u: storing the row", file->file_name, row->line);

          cl_store_set_error (self, error, what);
          return FALSE;
        }
    }
  return TRUE;
}

/* Refuses a new file once a row of the current one went into production; else drops the pending rows it
 * replaces. Lock held, inside the transaction. */
static gboolean
replace_rows_locked (ClStore *self, gint64 batch_id, const char *batch_name, const CurrentFile *current,
                     const ClDataFileImport *file, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  ClRowCounts counts;
  gint64 produced;

  if (current->id == 0)
    return TRUE;
  if (!counts_locked (self, batch_id, &counts, error))
    return FALSE;
  produced = counts.in_production + counts.done + counts.failed;
  if (produced > 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Batch %s already has %" G_GINT64_FORMAT " rows produced from %s (SHA-256 %s): another data file "
                   "(%s) is refused",
                   batch_name, produced, current->file_name, current->sha256, file->file_name);
      return FALSE;
    }
  /* a row given back by a rejected card is PENDING with its count of rejected cards: that goes with it */
  stmt = cl_store_prepare (self,
                           "DELETE FROM batch_row_rejections WHERE row_id IN (SELECT id FROM batch_rows WHERE "
                           "batch_id = ? AND state = 'PENDING')",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  if (!cl_store_step_done (self, stmt, "Dropping the replaced rows' counts of rejected cards", error))
    return FALSE;
  g_clear_pointer (&stmt, cl_sql_stmt_release);
  stmt = cl_store_prepare (self, "DELETE FROM batch_rows WHERE batch_id = ? AND state = 'PENDING'", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  return cl_store_step_done (self, stmt, "Dropping the rows of the replaced data file", error);
}

gint64
cl_store_rows_import (ClStore *self, gint64 batch_id, const ClDataFileImport *file, ClRowsImportOutcome *outcome,
                      GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_auto (CurrentFile) current = { 0 };
  g_autofree char *batch_name = NULL, *detail = NULL;
  gint64 now = g_get_real_time (), file_id;

  g_return_val_if_fail (CL_IS_STORE (self), 0);
  if (!check_file (file, error))
    return 0;
  locker = g_mutex_locker_new (&self->lock);
  cl_store_check_thread (self, "batch_rows import");
  if (!(txn = cl_store_txn_begin (self, error)))
    return 0;
  if (!batch_name_locked (self, batch_id, &batch_name, error) || !current_file_locked (self, batch_id, &current, error))
    return 0;
  if (current.id != 0 && g_str_equal (current.sha256, file->sha256))
    {
      if (outcome != NULL)
        *outcome = CL_ROWS_ALREADY_IMPORTED;
      return current.id;
    }
  if (!replace_rows_locked (self, batch_id, batch_name, &current, file, error))
    return 0;
  if (!(file_id = insert_file_locked (self, batch_id, file, now, error))
      || !insert_rows_locked (self, batch_id, file_id, file, now, error))
    return 0;
  detail = g_strdup_printf ("file %s sha256 %s rows %u refused %u good-only %s%s%s", file->file_name, file->sha256,
                            file->n_rows, file->refused, file->good_only ? "yes" : "no",
                            current.id != 0 ? " replaces " : "", current.id != 0 ? current.sha256 : "");
  if (!cl_store_audit_append_locked (self, file->actor, "batch-data-import", batch_name, detail, error))
    return 0;
  if (!cl_store_txn_commit (txn, error))
    return 0;
  if (outcome != NULL)
    *outcome = CL_ROWS_IMPORTED;
  return file_id;
}
