/* cl-store-row-claim.c: a batch's rows through production, exactly once (see cl-store-rows.h). */
#include "store/cl-store-rows.h"

#include "core/cl-error.h"
#include "store/cl-store-private.h"

#include <string.h>

static const char *const row_states[] = { "PENDING", "IN_PRODUCTION", "DONE", "FAILED" };

const char *
cl_row_state_to_string (ClRowState state)
{
  return (guint)state < G_N_ELEMENTS (row_states) ? row_states[state] : "PENDING";
}

static ClRowState
row_state_from_string (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (row_states); i++)
    if (g_strcmp0 (text, row_states[i]) == 0)
      return (ClRowState)i;
  return CL_ROW_PENDING;
}

void
cl_batch_row_free (ClBatchRow *row)
{
  if (row == NULL)
    return;
  g_free (row->reference);
  g_free (row->display);
  g_clear_pointer (&row->fields, g_hash_table_unref);
  g_clear_pointer (&row->photo, g_bytes_unref);
  g_free (row->photo_type);
  g_free (row->chip_id);
  g_free (row->failure);
  g_free (row);
}

const char *
cl_batch_row_get (const ClBatchRow *row, const char *name)
{
  return row != NULL && row->fields != NULL ? g_hash_table_lookup (row->fields, name) : NULL;
}

#define ROW_COLUMNS "id, batch_id, line, reference, display, state, attempt_id, chip_id, failure, photo_type, photo"

static gboolean
read_fields_locked (ClStore *self, ClBatchRow *row, GError **error)
{
  /* the two read a JSON object's members by different names; both give (key, value as text) */
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (
    self,
    cl_sql_backend (self->sql) == CL_SQL_POSTGRESQL
      ? "SELECT j.key, j.value FROM batch_rows r, json_each_text(CAST(r.fields AS json)) j WHERE r.id = ?"
      : "SELECT j.key, j.value FROM batch_rows r, json_each(r.fields) j WHERE r.id = ?",
    error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, row->id);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    g_hash_table_insert (row->fields, cl_store_column_dup_text (stmt, 0), cl_store_column_dup_text (stmt, 1));
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading a row's fields");
      return FALSE;
    }
  return TRUE;
}

/* The row the statement (selecting ROW_COLUMNS) is on; with_photo FALSE leaves the photo out. */
static ClBatchRow *
row_from_stmt (ClStore *self, ClSqlStmt *stmt, gboolean with_photo, GError **error)
{
  g_autoptr (ClBatchRow) row = g_new0 (ClBatchRow, 1);

  row->id = cl_sql_column_int64 (stmt, 0);
  row->batch_id = cl_sql_column_int64 (stmt, 1);
  row->line = (guint)cl_sql_column_int64 (stmt, 2);
  row->reference = cl_store_column_dup_text (stmt, 3);
  row->display = cl_store_column_dup_text (stmt, 4);
  row->state = row_state_from_string (cl_sql_column_text (stmt, 5));
  row->attempt_id = cl_store_column_opt_int (stmt, 6);
  row->chip_id = cl_store_column_dup_text (stmt, 7);
  row->failure = cl_store_column_dup_text (stmt, 8);
  row->photo_type = cl_store_column_dup_text (stmt, 9);
  if (with_photo && cl_sql_column_type (stmt, 10) == CL_SQL_BLOB)
    row->photo = cl_store_column_bytes (stmt, 10);
  row->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!read_fields_locked (self, row, error))
    return NULL;
  return g_steal_pointer (&row);
}

/* The one row where column = value (an integer when text is NULL); *row NULL when there is none. */
static gboolean
find_row_locked (ClStore *self, const char *column, const char *text, gint64 value, ClBatchRow **row, GError **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT " ROW_COLUMNS " FROM batch_rows WHERE %s = ?", column);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, sql, error);
  int rc;

  *row = NULL;
  if (stmt == NULL)
    return FALSE;
  if (text != NULL)
    cl_sql_bind_text (stmt, 1, text);
  else
    cl_sql_bind_int64 (stmt, 1, value);
  rc = cl_sql_step (stmt, error);
  if (rc == CL_SQL_STEP_ROW)
    return (*row = row_from_stmt (self, stmt, TRUE, error)) != NULL;
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading a row");
      return FALSE;
    }
  return TRUE;
}

static gboolean
batch_has_rows_locked (ClStore *self, gint64 batch_id, gboolean *has, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, "SELECT 1 FROM batch_rows WHERE batch_id = ? LIMIT 1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  rc = cl_sql_step (stmt, error);
  if (rc != CL_SQL_STEP_ROW && rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading a batch's rows");
      return FALSE;
    }
  *has = rc == CL_SQL_STEP_ROW;
  return TRUE;
}

/* The chip's own row moves to this attempt: a torn, re-fed or QA-resumed card goes on with its row. */
static gboolean
reclaim_locked (ClStore *self, const ClBatchRow *held, gint64 batch_id, gint64 attempt_id, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;

  if (held->state == CL_ROW_DONE || (batch_id > 0 && held->batch_id != batch_id))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_CLAIMED,
                   "Chip %s %s row %s (line %u) of batch %" G_GINT64_FORMAT " already", held->chip_id,
                   held->state == CL_ROW_DONE ? "is bound to" : "holds", held->reference, held->line, held->batch_id);
      return FALSE;
    }
  stmt
    = cl_store_prepare (self,
                        "UPDATE batch_rows SET state = 'IN_PRODUCTION', attempt_id = ?, claimed = ?, failure = NULL, "
                        "finished = NULL WHERE id = ? AND chip_id = ? AND state IN ('IN_PRODUCTION', 'FAILED')",
                        error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, attempt_id);
  cl_sql_bind_int64 (stmt, 2, g_get_real_time ());
  cl_sql_bind_int64 (stmt, 3, held->id);
  cl_sql_bind_text (stmt, 4, held->chip_id);
  return cl_store_step_done (self, stmt, "Claiming the chip's row again", error);
}

/* The batch's first PENDING row, taken in one conditional UPDATE: whoever else looked at the same row, only one
 * UPDATE finds it still PENDING. */
static gboolean
claim_pending_locked (ClStore *self, gint64 batch_id, gint64 attempt_id, const char *chip_id, gboolean *taken,
                      GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (
    self,
    "UPDATE batch_rows SET state = 'IN_PRODUCTION', attempt_id = ?, chip_id = ?, claimed = ? WHERE id = "
    "(SELECT id FROM batch_rows WHERE batch_id = ? AND state = 'PENDING' ORDER BY id LIMIT 1) AND state = 'PENDING'",
    error);

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, attempt_id);
  cl_store_bind_text (stmt, 2, chip_id);
  cl_sql_bind_int64 (stmt, 3, g_get_real_time ());
  cl_sql_bind_int64 (stmt, 4, batch_id);
  if (!cl_store_step_done (self, stmt, "Claiming a row", error))
    return FALSE;
  *taken = cl_sql_changes (self->sql) == 1;
  return TRUE;
}

gboolean
cl_store_rows_claim (ClStore *self, gint64 batch_id, gint64 attempt_id, const char *chip_id, ClBatchRow **row,
                     GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClBatchRow) held = NULL;
  gboolean taken = FALSE, has_rows = FALSE;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  g_return_val_if_fail (row != NULL, FALSE);
  *row = NULL;
  if (!cl_store_check_chip_id (chip_id, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  cl_store_check_thread (self, "batch_rows claim");
  /* A batch without data, a chip without a row: nothing to write, so no write transaction (and no fsync) per card */
  if (!find_row_locked (self, "chip_id", chip_id, 0, &held, error)
      || (held == NULL && batch_id > 0 && !batch_has_rows_locked (self, batch_id, &has_rows, error)))
    return FALSE;
  if (held == NULL && (batch_id <= 0 || !has_rows))
    return TRUE;
  g_clear_pointer (&held, cl_batch_row_free);
  if (!(txn = cl_store_txn_begin (self, error)) || !find_row_locked (self, "chip_id", chip_id, 0, &held, error))
    return FALSE;
  if (held != NULL)
    {
      if (held->attempt_id != attempt_id && !reclaim_locked (self, held, batch_id, attempt_id, error))
        return FALSE;
    }
  else if (batch_id > 0)
    {
      if (!claim_pending_locked (self, batch_id, attempt_id, chip_id, &taken, error))
        return FALSE;
      if (!taken)
        {
          if (!batch_has_rows_locked (self, batch_id, &has_rows, error))
            return FALSE;
          if (has_rows)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND,
                           "Batch %" G_GINT64_FORMAT " has no pending data row left for chip %s", batch_id, chip_id);
              return FALSE;
            }
          return cl_store_txn_commit (txn, error);
        }
    }
  else
    return cl_store_txn_commit (txn, error);
  g_clear_pointer (&held, cl_batch_row_free);
  if (!find_row_locked (self, "attempt_id", NULL, attempt_id, &held, error) || !cl_store_txn_commit (txn, error))
    return FALSE;
  *row = g_steal_pointer (&held);
  return TRUE;
}

ClBatchRow *
cl_store_rows_lookup_chip (ClStore *self, const char *chip_id, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  ClBatchRow *row = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  if (!cl_store_check_chip_id (chip_id, error))
    return NULL;
  locker = g_mutex_locker_new (&self->lock);
  cl_store_check_thread (self, "batch_rows lookup");
  if (!find_row_locked (self, "chip_id", chip_id, 0, &row, error))
    return NULL;
  if (row == NULL)
    g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Chip %s holds no data row", chip_id);
  return row;
}

GPtrArray *
cl_store_rows_list (ClStore *self, gint64 batch_id, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_batch_row_free);
  int rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  locker = g_mutex_locker_new (&self->lock);
  cl_store_check_thread (self, "batch_rows list");
  stmt = cl_store_prepare (self, "SELECT " ROW_COLUMNS " FROM batch_rows WHERE batch_id = ? ORDER BY id", error);
  if (stmt == NULL)
    return NULL;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClBatchRow *row = row_from_stmt (self, stmt, FALSE, error);

      if (row == NULL)
        return NULL;
      g_ptr_array_add (rows, row);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Listing a batch's rows");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* A rejected chip keeps its row when it may still come back with it or already carries the row's identity. */
static gboolean
chip_keeps_row_locked (ClStore *self, const ClBatchRow *row, const ClAttemptEnd *end, gboolean *keeps, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  int rc;

  *keeps = end->reason == CL_REJECT_CARD_REMOVED || end->disposition == CL_DISPOSITION_RETAINED
           || end->disposition == CL_DISPOSITION_UNKNOWN;
  if (*keeps || row->chip_id == NULL)
    return TRUE;
  stmt = cl_store_prepare (self, "SELECT 1 FROM certificates WHERE chip_id = ? LIMIT 1", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, row->chip_id);
  rc = cl_sql_step (stmt, error);
  if (rc != CL_SQL_STEP_ROW && rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading a chip's certificates");
      return FALSE;
    }
  *keeps = rc == CL_SQL_STEP_ROW;
  return TRUE;
}

/* One more of the row's cards rejected (max-attempts counts them): *rejections is its count now. */
static gboolean
count_rejection_locked (ClStore *self, gint64 row_id, gint64 *rejections, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self,
                        "INSERT INTO batch_row_rejections (row_id, rejections) VALUES (?, 1) "
                        "ON CONFLICT (row_id) DO UPDATE SET rejections = batch_row_rejections.rejections + 1 "
                        "RETURNING rejections",
                        error);

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, row_id);
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Counting a row's rejected cards");
      return FALSE;
    }
  *rejections = cl_sql_column_int64 (stmt, 0);
  return TRUE;
}

gboolean
cl_store_rows_settle_locked (ClStore *self, gint64 attempt_id, const ClAttemptEnd *end, gint64 ended, GError **error)
{
  g_autoptr (ClBatchRow) row = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *failure = NULL;
  gboolean keeps = FALSE;
  int first;

  if (!find_row_locked (self, "attempt_id", NULL, attempt_id, &row, error))
    return FALSE;
  if (row == NULL || row->state != CL_ROW_IN_PRODUCTION)
    return TRUE;
  /* each statement ends in "WHERE id = ? AND attempt_id = ?", bound from first */
  if (end->result == CL_ATTEMPT_GOOD)
    {
      stmt = cl_store_prepare (self,
                               "UPDATE batch_rows SET state = 'DONE', finished = ?, chip_id = coalesce(chip_id, "
                               "(SELECT chip_id FROM attempts WHERE id = ?)) WHERE state = 'IN_PRODUCTION' AND "
                               "id = ? AND attempt_id = ?",
                               error);
      if (stmt == NULL)
        return FALSE;
      cl_sql_bind_int64 (stmt, 1, ended);
      cl_sql_bind_int64 (stmt, 2, attempt_id);
      first = 3;
    }
  else
    {
      gint64 rejections = 0;
      gboolean fails;

      if (!chip_keeps_row_locked (self, row, end, &keeps, error))
        return FALSE;
      if (keeps)
        return TRUE;
      if (!count_rejection_locked (self, row->id, &rejections, error))
        return FALSE;
      /* on-reject=fail, or this was the row's max-attempts-th rejected card */
      fails = end->row_fails_on_reject || (end->row_max_attempts > 0 && rejections >= end->row_max_attempts);
      if (fails)
        {
          failure = g_strdup_printf ("%s at %s", cl_reject_reason_to_string (end->reason),
                                     cl_production_step_to_string (end->failed_step));
          if (!end->row_fails_on_reject)
            {
              char *longer = g_strdup_printf ("%s (its cards rejected %" G_GINT64_FORMAT
                                              " times: max-attempts %" G_GINT64_FORMAT ")",
                                              failure, rejections, (gint64)end->row_max_attempts);
              g_free (failure);
              failure = longer;
            }
          stmt = cl_store_prepare (self,
                                   "UPDATE batch_rows SET state = 'FAILED', finished = ?, failure = ? "
                                   "WHERE state = 'IN_PRODUCTION' AND id = ? AND attempt_id = ?",
                                   error);
          if (stmt == NULL)
            return FALSE;
          cl_sql_bind_int64 (stmt, 1, ended);
          cl_sql_bind_text (stmt, 2, failure);
          first = 3;
        }
      else
        {
          stmt = cl_store_prepare (self,
                                   "UPDATE batch_rows SET state = 'PENDING', attempt_id = NULL, chip_id = NULL, "
                                   "claimed = NULL, failure = NULL, finished = NULL "
                                   "WHERE state = 'IN_PRODUCTION' AND id = ? AND attempt_id = ?",
                                   error);
          if (stmt == NULL)
            return FALSE;
          first = 1;
        }
    }
  cl_sql_bind_int64 (stmt, first, row->id);
  cl_sql_bind_int64 (stmt, first + 1, attempt_id);
  return cl_store_step_done (self, stmt, "Settling the attempt's row", error);
}

gboolean
cl_store_rows_release_chip_locked (ClStore *self, const char *chip_id, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self,
                        "UPDATE batch_rows SET state = 'PENDING', attempt_id = NULL, chip_id = NULL, claimed = NULL, "
                        "failure = NULL, finished = NULL WHERE chip_id = ? AND state = 'IN_PRODUCTION'",
                        error);

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, chip_id);
  return cl_store_step_done (self, stmt, "Giving a scrapped chip's row back", error);
}

gboolean
cl_store_rows_face_of (ClStore *self, const char *chip_id, char **serial, char **batch, ClBatchRow **row,
                       GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *chr = NULL, *printed = NULL;
  const char *state;
  ClSqlStep rc;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_chip_id (chip_id, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  cl_store_check_thread (self, "face of a card");
  stmt = cl_store_prepare (
    self,
    "SELECT c.state, c.printed_serial, (SELECT chr FROM certificates WHERE chip_id = c.chip_id ORDER BY issue DESC, "
    "id DESC LIMIT 1), (SELECT b.name FROM attempts a JOIN batches b ON b.id = a.batch_id WHERE a.chip_id = "
    "c.chip_id AND a.kind = 'PRODUCTION' ORDER BY a.id DESC LIMIT 1) FROM cards c WHERE c.chip_id = ?",
    error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, chip_id);
  if ((rc = cl_sql_step (stmt, error)) != CL_SQL_STEP_ROW)
    {
      if (rc == CL_SQL_STEP_DONE)
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Chip %s was never identified", chip_id);
      return FALSE;
    }
  state = cl_sql_column_text (stmt, 0);
  printed = cl_store_column_dup_text (stmt, 1);
  chr = cl_store_column_dup_text (stmt, 2);
  if (g_strcmp0 (state, "GOOD") != 0 || (printed == NULL && (chr == NULL || strlen (chr) <= 5)))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Chip %s is %s%s: only a good card with a serial gets its face again", chip_id, state,
                   printed == NULL && chr == NULL ? " without a certificate" : "");
      return FALSE;
    }
  *serial = printed != NULL ? g_steal_pointer (&printed) : g_strndup (chr, strlen (chr) - 5);
  *batch = cl_store_column_dup_text (stmt, 3);
  return find_row_locked (self, "chip_id", chip_id, 0, row, error);
}
