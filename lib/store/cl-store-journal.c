/* cl-store-journal.c: the write-ahead journal of irreversible steps (DESIGN §2). */
#include "store/cl-store-private.h"

#include "core/cl-error.h"

#include <string.h>

gint64
cl_store_journal_intent (ClStore *self, gint64 attempt_id, const char *chip_id, ClJournalOp op, gint from_version,
                         gint to_version, const char *key_hash, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;

  if (!cl_store_check_chip_id (chip_id, error))
    return 0;
  if (op == CL_JOURNAL_PUT_KEY && (from_version < 0 || from_version > 255 || to_version < 0 || to_version > 255))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "PUT KEY intent for chip %s needs key versions 0..255 (got %d -> %d)", chip_id, from_version,
                   to_version);
      return 0;
    }
  if (op == CL_JOURNAL_CERT_ISSUE && (key_hash == NULL || strlen (key_hash) != 64))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Certificate intent for chip %s needs the 64-hex-digit public key hash", chip_id);
      return 0;
    }
  locker = g_mutex_locker_new (&self->lock);
  stmt = cl_store_prepare (self,
                           "INSERT INTO journal (kind, chip_id, attempt_id, op, from_version, to_version, key_hash, "
                           "created) VALUES ('INTENT', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           error);
  if (stmt == NULL)
    return 0;
  cl_sql_bind_text (stmt, 1, chip_id);
  cl_store_bind_opt_int (stmt, 2, attempt_id > 0 ? attempt_id : -1);
  cl_sql_bind_text (stmt, 3, cl_journal_op_to_string (op));
  cl_store_bind_opt_int (stmt, 4, op == CL_JOURNAL_PUT_KEY ? from_version : -1);
  cl_store_bind_opt_int (stmt, 5, op == CL_JOURNAL_PUT_KEY ? to_version : -1);
  cl_store_bind_text (stmt, 6, op == CL_JOURNAL_CERT_ISSUE ? key_hash : NULL);
  cl_sql_bind_int64 (stmt, 7, g_get_real_time ());
  /* Autocommit: with synchronous=FULL the row is in the synced WAL when the step returns. */
  return cl_store_step_insert (self, stmt, "Journalling an intent", error);
}

gboolean
cl_store_journal_outcome_locked (ClStore *self, gint64 intent_id, ClJournalOutcome outcome, const char *detail,
                                 GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;

  stmt = cl_store_prepare (self,
                           "INSERT INTO journal (kind, chip_id, attempt_id, op, intent_id, outcome, detail, created) "
                           "SELECT 'OUTCOME', chip_id, attempt_id, op, id, ?, ?, ? FROM journal "
                           "WHERE id = ? AND kind = 'INTENT'",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, cl_journal_outcome_to_string (outcome));
  cl_store_bind_text (stmt, 2, detail);
  cl_sql_bind_int64 (stmt, 3, g_get_real_time ());
  cl_sql_bind_int64 (stmt, 4, intent_id);
  if (!cl_store_step_done (self, stmt, "Journalling an outcome", error))
    return FALSE;
  if (cl_sql_changes (self->sql) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No journal intent %" G_GINT64_FORMAT, intent_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_store_journal_outcome (ClStore *self, gint64 intent_id, ClJournalOutcome outcome, const char *detail, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  /* An outcome's commit skips the fsync: lost, it leaves its intent open, which is the case the journal is for (a
   * crash between the command and its outcome), and the next insertion finds out from the card. The WAL keeps the
   * commits in order, so the next FULL commit, the next intent before its command or the attempt's end before its
   * verdict is reported, syncs it; a process crash loses nothing. Two fsyncs per card (issue 14). */
  g_autoptr (ClStoreRelaxed) G_GNUC_UNUSED relaxed = cl_store_relax (self);

  return cl_store_journal_outcome_locked (self, intent_id, outcome, detail, error);
}

GPtrArray *
cl_store_journal_open_intents (ClStore *self, const char *chip_id, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (GPtrArray) intents = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_journal_intent_free);
  int rc;

  if (!cl_store_check_chip_id (chip_id, error))
    return NULL;
  locker = g_mutex_locker_new (&self->lock);
  /* The latest outcome decides; UNKNOWN keeps the intent open. */
  stmt = cl_store_prepare (self,
                           "SELECT i.id, i.attempt_id, i.op, i.from_version, i.to_version, i.key_hash, i.created "
                           "FROM journal i WHERE i.chip_id = ? AND i.kind = 'INTENT' AND coalesce("
                           "(SELECT o.outcome FROM journal o WHERE o.intent_id = i.id ORDER BY o.id DESC LIMIT 1),"
                           " 'UNKNOWN') = 'UNKNOWN' ORDER BY i.id",
                           error);
  if (stmt == NULL)
    return NULL;
  cl_sql_bind_text (stmt, 1, chip_id);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      g_autoptr (ClJournalIntent) intent = g_new0 (ClJournalIntent, 1);

      intent->id = cl_sql_column_int64 (stmt, 0);
      intent->chip_id = g_strdup (chip_id);
      intent->attempt_id = MAX (cl_store_column_opt_int (stmt, 1), 0);
      if (!cl_journal_op_from_string (cl_sql_column_text (stmt, 2), &intent->op, error))
        return NULL;
      intent->from_version = (gint)cl_store_column_opt_int (stmt, 3);
      intent->to_version = (gint)cl_store_column_opt_int (stmt, 4);
      intent->key_hash = cl_store_column_dup_text (stmt, 5);
      intent->created = cl_sql_column_int64 (stmt, 6);
      g_ptr_array_add (intents, g_steal_pointer (&intent));
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the journal");
      return NULL;
    }
  return g_steal_pointer (&intents);
}
