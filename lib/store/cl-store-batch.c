/* cl-store-batch.c: batches. */
#include "store/cl-store-private.h"

#include "core/cl-error.h"

#include <string.h>

/* *exists: the insert lost to a batch of that name (another station's, also one created a moment ago) */
static gint64
batch_create (ClStore *self, const char *name, const char *profile_name, const char *profile_hash, guint quantity,
              const char *actor, gboolean *exists, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *detail = NULL;
  gint64 id;

  if (!cl_store_check_name ("Batch name", name, error) || !cl_store_check_name ("Profile name", profile_name, error))
    return 0;
  if (profile_hash == NULL || strlen (profile_hash) != 64)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Profile hash of batch %s must be 64 hex digits", name);
      return 0;
    }
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)))
    return 0;
  stmt = cl_store_prepare (self,
                           "INSERT INTO batches (name, profile_name, profile_hash, quantity, created, state) "
                           "VALUES (?, ?, ?, ?, ?, 'OPEN') RETURNING id",
                           error);
  if (stmt == NULL)
    return 0;
  cl_sql_bind_text (stmt, 1, name);
  cl_sql_bind_text (stmt, 2, profile_name);
  cl_sql_bind_text (stmt, 3, profile_hash);
  cl_sql_bind_int64 (stmt, 4, quantity);
  cl_sql_bind_int64 (stmt, 5, g_get_real_time ());
  if ((id = cl_store_step_insert (self, stmt, "Creating a batch", error)) == 0)
    {
      if (cl_sql_last_fault (self->sql) == CL_SQL_FAULT_UNIQUE)
        {
          *exists = TRUE;
          g_clear_error (error);
          g_set_error (error, CL_ERROR, CL_ERROR_STORE, "A batch named %s already exists", name);
        }
      return 0;
    }
  detail = g_strdup_printf ("profile %s sha256 %s quantity %u", profile_name, profile_hash, quantity);
  if (!cl_store_audit_append_locked (self, actor, "batch-create", name, detail, error))
    return 0;
  if (!cl_store_txn_commit (txn, error))
    return 0;
  return id;
}

gint64
cl_store_batch_create (ClStore *self, const char *name, const char *profile_name, const char *profile_hash,
                       guint quantity, const char *actor, GError **error)
{
  gboolean exists = FALSE;

  return batch_create (self, name, profile_name, profile_hash, quantity, actor, &exists, error);
}

gint64
cl_store_batch_lookup (ClStore *self, const char *name, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, "SELECT id FROM batches WHERE name = ?", error);
  ClSqlStep rc;

  if (stmt == NULL)
    return 0;
  cl_store_bind_text (stmt, 1, name);
  if ((rc = cl_sql_step (stmt, error)) != CL_SQL_STEP_ROW)
    {
      if (rc == CL_SQL_STEP_DONE)
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No batch named %s", name ? name : "(null)");
      return 0;
    }
  return cl_sql_column_int64 (stmt, 0);
}

static gint64
batch_open (ClStore *self, const char *name, const char *profile_name, const char *profile_hash, guint quantity,
            const char *actor, gboolean *exists, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *known_name = NULL, *known_hash = NULL;
  gint64 id, known_quantity;
  ClSqlStep rc;

  if (!cl_store_check_name ("Batch name", name, error))
    return 0;
  locker = g_mutex_locker_new (&self->lock);
  stmt = cl_store_prepare (self, "SELECT id, profile_name, profile_hash, quantity FROM batches WHERE name = ?", error);
  if (stmt == NULL)
    return 0;
  cl_sql_bind_text (stmt, 1, name);
  rc = cl_sql_step (stmt, error);
  if (rc == CL_SQL_STEP_ERROR)
    return 0;
  if (rc == CL_SQL_STEP_DONE)
    {
      g_clear_pointer (&stmt, cl_sql_stmt_release);
      g_clear_pointer (&locker, g_mutex_locker_free);
      return batch_create (self, name, profile_name, profile_hash, quantity, actor, exists, error);
    }
  id = cl_sql_column_int64 (stmt, 0);
  known_name = cl_store_column_dup_text (stmt, 1);
  known_hash = cl_store_column_dup_text (stmt, 2);
  known_quantity = cl_sql_column_int64 (stmt, 3);
  if (g_strcmp0 (known_hash, profile_hash) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Batch %s was created with profile %s (SHA-256 %.16s…); it cannot continue with profile %s "
                   "(SHA-256 %.16s…): use the batch's profile, or start a new batch",
                   name, known_name, known_hash ? known_hash : "", profile_name, profile_hash ? profile_hash : "");
      return 0;
    }
  if (known_quantity != quantity)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Batch %s was created for %" G_GINT64_FORMAT " cards; it cannot continue with quantity %u: give "
                   "--quantity %" G_GINT64_FORMAT ", or start a new batch",
                   name, known_quantity, quantity, known_quantity);
      return 0;
    }
  return id;
}

gint64
cl_store_batch_open (ClStore *self, const char *name, const char *profile_name, const char *profile_hash,
                     guint quantity, const char *actor, GError **error)
{
  gboolean exists = FALSE;
  GError *lost = NULL;
  gint64 id = batch_open (self, name, profile_name, profile_hash, quantity, actor, &exists, &lost);

  /* stations starting a new batch at once: the one whose insert lost joins the batch that won (checked as any) */
  if (id == 0 && exists)
    {
      g_clear_error (&lost);
      return batch_open (self, name, profile_name, profile_hash, quantity, actor, &exists, error);
    }
  if (lost != NULL)
    g_propagate_error (error, lost);
  return id;
}

gboolean
cl_store_batch_set_state (ClStore *self, gint64 batch_id, ClBatchState state, const char *actor, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClStoreTxn) txn = cl_store_txn_begin (self, error);
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *subject = g_strdup_printf ("batch %" G_GINT64_FORMAT, batch_id);

  if (txn == NULL)
    return FALSE;
  /* a batch whose cards the station initialised delivers their PINs through the export: every good card needs its
   * envelope before the batch counts as closed */
  if (state == CL_BATCH_CLOSED)
    {
      gint64 sealed = 0, unsealed_good = 0;

      if (!cl_store_pin_escrow_count_locked (self, batch_id, NULL, &sealed, &unsealed_good, error))
        return FALSE;
      if (sealed > 0 && unsealed_good > 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_FAILED,
                       "batch %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT " good card(s) have no PIN envelope for the "
                       "customer's export; not closed",
                       batch_id, unsealed_good);
          return FALSE;
        }
    }
  if (!(stmt = cl_store_prepare (self, "UPDATE batches SET state = ? WHERE id = ?", error)))
    return FALSE;
  cl_sql_bind_text (stmt, 1, cl_batch_state_to_string (state));
  cl_sql_bind_int64 (stmt, 2, batch_id);
  if (!cl_store_step_done (self, stmt, "Setting a batch state", error))
    return FALSE;
  if (cl_sql_changes (self->sql) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No batch %" G_GINT64_FORMAT, batch_id);
      return FALSE;
    }
  if (!cl_store_audit_append_locked (self, actor, "batch-state", subject, cl_batch_state_to_string (state), error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}

gboolean
cl_store_batch_get_state (ClStore *self, gint64 batch_id, ClBatchState *state, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, "SELECT state FROM batches WHERE id = ?", error);
  ClSqlStep rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  if ((rc = cl_sql_step (stmt, error)) != CL_SQL_STEP_ROW)
    {
      if (rc == CL_SQL_STEP_DONE)
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No batch %" G_GINT64_FORMAT, batch_id);
      return FALSE;
    }
  return cl_batch_state_from_string (cl_sql_column_text (stmt, 0), state, error);
}

gint64
cl_store_batch_count_disposed (ClStore *self, gint64 batch_id, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (
    self,
    "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id "
    "WHERE a.batch_id = ? AND a.kind = 'PRODUCTION' AND d.destination IN ('OUTPUT','REJECT_BIN','UNKNOWN')",
    error);

  if (stmt == NULL)
    return -1;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Counting the disposed cards of a batch");
      return -1;
    }
  return cl_sql_column_int64 (stmt, 0);
}
