/* cl-store-pin-escrow.c: encrypted PIN envelopes (see cl-store-pin-escrow.h). */
#include "store/cl-store-pin-escrow.h"

#include "core/cl-error.h"
#include "store/cl-store-private.h"

#include <string.h>

const char cl_store_pin_escrow_sql[]
  = "CREATE TABLE IF NOT EXISTS pin_escrow (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  chip_id TEXT NOT NULL REFERENCES cards(chip_id),\n"
    "  attempt_id INTEGER NOT NULL REFERENCES attempts(id),\n"
    "  created INTEGER NOT NULL,\n"
    "  recipient TEXT NOT NULL CHECK (length(recipient) = 64),\n"
    "  contents TEXT NOT NULL CHECK (contents IN ('so-pin','so-pin,pin')),\n"
    "  envelope BLOB NOT NULL CHECK (length(envelope) > 0)\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS pin_escrow_chip ON pin_escrow(chip_id);\n"
    "CREATE TRIGGER IF NOT EXISTS pin_escrow_no_update BEFORE UPDATE ON pin_escrow BEGIN "
    "SELECT RAISE(ABORT, 'pin_escrow records are append-only'); END;\n"
    "CREATE TRIGGER IF NOT EXISTS pin_escrow_no_delete BEFORE DELETE ON pin_escrow BEGIN "
    "SELECT RAISE(ABORT, 'pin_escrow records are append-only'); END;\n";

void
cl_pin_escrow_record_free (ClPinEscrowRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->chip_id);
  g_free (record->recipient);
  g_free (record->contents);
  g_clear_pointer (&record->envelope, g_bytes_unref);
  g_free (record);
}

gint64
cl_store_pin_escrow_add (ClStore *self, gint64 attempt_id, const char *chip_id, const char *recipient,
                         const char *contents, GBytes *envelope, const char *actor, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *detail = NULL;
  gsize len = 0;
  const void *data = envelope != NULL ? g_bytes_get_data (envelope, &len) : NULL;
  gint64 id;

  if (!cl_store_check_chip_id (chip_id, error))
    return 0;
  if (recipient == NULL || strlen (recipient) != 64 || len == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "PIN envelope for chip %s: needs a 64-digit recipient fingerprint and a non-empty envelope",
                   chip_id);
      return 0;
    }
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)) || !cl_store_make_table (self, cl_store_pin_escrow_sql, error))
    return 0;
  stmt = cl_store_prepare (self,
                           "INSERT INTO pin_escrow (chip_id, attempt_id, created, recipient, contents, envelope) "
                           "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                           error);
  if (stmt == NULL)
    return 0;
  cl_sql_bind_text (stmt, 1, chip_id);
  cl_sql_bind_int64 (stmt, 2, attempt_id);
  cl_sql_bind_int64 (stmt, 3, cl_store_now (0));
  cl_sql_bind_text (stmt, 4, recipient);
  cl_sql_bind_text (stmt, 5, contents);
  cl_sql_bind_blob (stmt, 6, data, len);
  if ((id = cl_store_step_insert (self, stmt, "Recording a PIN envelope", error)) == 0)
    return 0;
  detail
    = g_strdup_printf ("attempt %" G_GINT64_FORMAT " %s encrypted to customer key %s", attempt_id, contents, recipient);
  if (!cl_store_audit_append_locked (self, actor, "pin-escrow", chip_id, detail, error)
      || !cl_store_txn_commit (txn, error))
    return 0;
  return id;
}

GPtrArray *
cl_store_pin_escrow_list (ClStore *self, gint64 batch_id, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_pin_escrow_record_free);
  int rc;

  /* a write transaction only because the table may not exist yet */
  if (!(txn = cl_store_txn_begin (self, error)) || !cl_store_make_table (self, cl_store_pin_escrow_sql, error))
    return NULL;
  stmt = cl_store_prepare (self,
                           "SELECT id, chip_id, attempt_id, created, recipient, contents, envelope FROM pin_escrow "
                           "WHERE id IN (SELECT max(e.id) FROM pin_escrow e JOIN attempts a ON a.id = e.attempt_id "
                           "WHERE a.batch_id = ? GROUP BY e.chip_id) ORDER BY chip_id",
                           error);
  if (stmt == NULL)
    return NULL;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClPinEscrowRecord *r = g_new0 (ClPinEscrowRecord, 1);

      r->id = cl_sql_column_int64 (stmt, 0);
      r->chip_id = cl_store_column_dup_text (stmt, 1);
      r->attempt_id = cl_sql_column_int64 (stmt, 2);
      r->created = cl_sql_column_int64 (stmt, 3);
      r->recipient = cl_store_column_dup_text (stmt, 4);
      r->contents = cl_store_column_dup_text (stmt, 5);
      r->envelope = cl_store_column_bytes (stmt, 6);
      g_ptr_array_add (out, r);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading PIN envelopes");
      return NULL;
    }
  g_clear_pointer (&stmt, cl_sql_stmt_release);
  if (!cl_store_txn_commit (txn, error))
    return NULL;
  return g_steal_pointer (&out);
}

gboolean
cl_store_pin_escrow_count_locked (ClStore *self, gint64 batch_id, gint64 *good, gint64 *sealed, gint64 *unsealed_good,
                                  GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;

  if (!cl_store_make_table (self, cl_store_pin_escrow_sql, error))
    return FALSE;
  stmt = cl_store_prepare (
    self,
    "SELECT (SELECT count(DISTINCT chip_id) FROM attempts WHERE batch_id = ? AND result = 'GOOD'), "
    "(SELECT count(DISTINCT e.chip_id) FROM pin_escrow e JOIN attempts b ON b.id = e.attempt_id "
    " WHERE b.batch_id = ?), "
    "(SELECT count(DISTINCT a.chip_id) FROM attempts a WHERE a.batch_id = ? AND a.result = 'GOOD' AND a.chip_id "
    " NOT IN (SELECT e.chip_id FROM pin_escrow e JOIN attempts b ON b.id = e.attempt_id WHERE b.batch_id = ?))",
    error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  cl_sql_bind_int64 (stmt, 2, batch_id);
  cl_sql_bind_int64 (stmt, 3, batch_id);
  cl_sql_bind_int64 (stmt, 4, batch_id);
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    return cl_store_set_error (self, error, "Counting PIN envelopes"), FALSE;
  if (good != NULL)
    *good = cl_sql_column_int64 (stmt, 0);
  if (sealed != NULL)
    *sealed = cl_sql_column_int64 (stmt, 1);
  if (unsealed_good != NULL)
    *unsealed_good = cl_sql_column_int64 (stmt, 2);
  return TRUE;
}

gboolean
cl_store_pin_escrow_count (ClStore *self, gint64 batch_id, gint64 *good, gint64 *sealed, gint64 *unsealed_good,
                           GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClStoreTxn) txn = NULL;

  /* a write transaction only because the table may not exist yet */
  if (!(txn = cl_store_txn_begin (self, error))
      || !cl_store_pin_escrow_count_locked (self, batch_id, good, sealed, unsealed_good, error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}

char *
cl_store_pin_escrow_recipient (ClStore *self, const char *chip_id, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  char *recipient;
  ClSqlStep rc;

  if (!(txn = cl_store_txn_begin (self, error)) || !cl_store_make_table (self, cl_store_pin_escrow_sql, error))
    return NULL;
  stmt = cl_store_prepare (self, "SELECT recipient FROM pin_escrow WHERE chip_id = ? ORDER BY id DESC LIMIT 1", error);
  if (stmt == NULL)
    return NULL;
  cl_sql_bind_text (stmt, 1, chip_id);
  if ((rc = cl_sql_step (stmt, error)) != CL_SQL_STEP_ROW)
    {
      if (rc == CL_SQL_STEP_DONE)
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No PIN envelope for chip %s", chip_id);
      return NULL;
    }
  recipient = cl_store_column_dup_text (stmt, 0);
  g_clear_pointer (&stmt, cl_sql_stmt_release);
  if (!cl_store_txn_commit (txn, error))
    {
      g_free (recipient);
      return NULL;
    }
  return recipient;
}
