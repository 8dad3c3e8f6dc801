/* cl-store-qa.c: QA actions and the minimal users table. */
#include "store/cl-store-private.h"

#include "core/cl-error.h"

/* RECOVER is only a recovery when a QA re-test of this very chip verified it good. */
static gboolean
check_recovery (ClStore *self, const char *chip_id, gint64 attempt_id, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self,
                                                 "SELECT 1 FROM attempts WHERE id = ? AND chip_id = ? AND "
                                                 "kind = 'QA_RETEST' AND result = 'GOOD'",
                                                 error);
  ClSqlStep rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, attempt_id);
  cl_sql_bind_text (stmt, 2, chip_id);
  if ((rc = cl_sql_step (stmt, error)) != CL_SQL_STEP_ROW)
    {
      if (rc == CL_SQL_STEP_DONE)
        g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                     "Chip %s cannot be recovered by attempt %" G_GINT64_FORMAT ": it is not a good QA re-test of it",
                     chip_id, attempt_id);
      return FALSE;
    }
  return TRUE;
}

gint64
cl_store_qa_record (ClStore *self, const char *chip_id, ClQaAction action, gint64 attempt_id, const char *user,
                    const char *note, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (ClSqlStmt) card = NULL;
  g_autofree char *detail = NULL;
  gint64 id;

  if (!cl_store_check_chip_id (chip_id, error) || !cl_store_check_name ("QA user", user, error))
    return 0;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)))
    return 0;
  if (action == CL_QA_RECOVER && !check_recovery (self, chip_id, attempt_id, error))
    return 0;
  stmt = cl_store_prepare (self,
                           "INSERT INTO qa_actions (chip_id, attempt_id, action, user_name, note, created) "
                           "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                           error);
  if (stmt == NULL)
    return 0;
  cl_sql_bind_text (stmt, 1, chip_id);
  cl_store_bind_opt_int (stmt, 2, attempt_id > 0 ? attempt_id : -1);
  cl_sql_bind_text (stmt, 3, cl_qa_action_to_string (action));
  cl_sql_bind_text (stmt, 4, user);
  cl_store_bind_text (stmt, 5, note);
  cl_sql_bind_int64 (stmt, 6, g_get_real_time ());
  if ((id = cl_store_step_insert (self, stmt, "Recording a QA action", error)) == 0)
    {
      if (cl_sql_last_fault (self->sql) == CL_SQL_FAULT_FOREIGN_KEY)
        {
          g_clear_error (error);
          g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "QA action on unknown chip %s or attempt %" G_GINT64_FORMAT,
                       chip_id, attempt_id);
        }
      return 0;
    }
  if (action == CL_QA_RECOVER || action == CL_QA_SCRAP)
    {
      card = cl_store_prepare (self, "UPDATE cards SET state = ? WHERE chip_id = ?", error);
      if (card == NULL)
        return 0;
      cl_sql_bind_text (card, 1, action == CL_QA_RECOVER ? "GOOD" : "SCRAPPED");
      cl_sql_bind_text (card, 2, chip_id);
      if (!cl_store_step_done (self, card, "Updating the card after QA", error))
        return 0;
    }
  if (action == CL_QA_SCRAP && !cl_store_rows_release_chip_locked (self, chip_id, error))
    return 0;
  detail = g_strdup_printf ("attempt %" G_GINT64_FORMAT "%s%s", attempt_id, note ? ": " : "", note ? note : "");
  if (!cl_store_audit_append_locked (self, user, cl_qa_action_to_string (action), chip_id, detail, error))
    return 0;
  if (!cl_store_txn_commit (txn, error))
    return 0;
  return id;
}

gboolean
cl_store_user_add (ClStore *self, const char *name, ClUserRole role, const char *actor, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;

  if (!cl_store_check_name ("User name", name, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  stmt = cl_store_prepare (self, "INSERT INTO users (name, role, created) VALUES (?, ?, ?)", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, name);
  cl_sql_bind_text (stmt, 2, cl_user_role_to_string (role));
  cl_sql_bind_int64 (stmt, 3, g_get_real_time ());
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_DONE)
    {
      if (cl_sql_last_fault (self->sql) == CL_SQL_FAULT_UNIQUE)
        {
          g_clear_error (error);
          g_set_error (error, CL_ERROR, CL_ERROR_STORE, "User %s already exists", name);
        }
      else
        cl_store_set_error (self, error, "Adding a user");
      return FALSE;
    }
  if (!cl_store_audit_append_locked (self, actor, "user-add", name, cl_user_role_to_string (role), error)
      || !cl_store_seal_locked (self, CL_STORE_SEAL_USER, name, actor, error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}

gboolean
cl_store_user_get_role (ClStore *self, const char *name, ClUserRole *role, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, "SELECT role FROM users WHERE name = ? AND disabled = 0", error);
  ClSqlStep rc;

  if (stmt == NULL)
    return FALSE;
  cl_store_bind_text (stmt, 1, name);
  if ((rc = cl_sql_step (stmt, error)) != CL_SQL_STEP_ROW)
    {
      if (rc == CL_SQL_STEP_DONE)
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No active user %s", name ? name : "(null)");
      return FALSE;
    }
  return cl_user_role_from_string (cl_sql_column_text (stmt, 0), role, error);
}
