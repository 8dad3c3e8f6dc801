/* cl-sql.c: what the backends share: dispatch through their class, the fault of the last failed call, and the
 * count of statements out, so a connection closed while one is out lives until it comes back. */
#include "store/cl-sql-private.h"

#include "core/cl-error.h"

void
cl_sql_init (ClSql *sql, const ClSqlClass *klass, ClSqlBackend backend, const char *description)
{
  sql->klass = klass;
  sql->backend = backend;
  sql->description = g_strdup (description);
  sql->last_fault = CL_SQL_FAULT_NONE;
}

void
cl_sql_clear (ClSql *sql)
{
  g_clear_pointer (&sql->description, g_free);
}

void
cl_sql_fail (ClSql *sql, ClSqlFault fault, const char *message, GError **error)
{
  sql->last_fault = fault;
  g_set_error (error, CL_ERROR, CL_ERROR_STORE, "%s (%s)", message, sql->description);
}

#ifndef CL_HAVE_SQL_PG
/* Replaced by cl-sql-pg.c when the PostgreSQL backend is built in. */
ClSql *
cl_sql_open_postgresql (const char *uri, GError **error)
{
  (void)uri;
  g_set_error_literal (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED,
                       "This build of Cardline has no PostgreSQL backend: the store can only be an SQLite file");
  return NULL;
}
#endif

void
cl_sql_close (ClSql *sql)
{
  if (sql == NULL)
    return;
  sql->closed = TRUE;
  if (sql->n_out == 0)
    sql->klass->free (sql);
}

ClSqlBackend
cl_sql_backend (ClSql *sql)
{
  return sql->backend;
}

const char *
cl_sql_describe (ClSql *sql)
{
  return sql->description;
}

ClSqlFault
cl_sql_last_fault (ClSql *sql)
{
  return sql->last_fault;
}

/* A call that may fail clears the fault first: cl_sql_last_fault() never names an earlier call's. */
gboolean
cl_sql_exec (ClSql *sql, const char *script, GError **error)
{
  sql->last_fault = CL_SQL_FAULT_NONE;
  return sql->klass->exec (sql, script, error);
}

ClSqlStmt *
cl_sql_prepare (ClSql *sql, const char *query, GError **error)
{
  ClSqlStmt *stmt;

  sql->last_fault = CL_SQL_FAULT_NONE;
  stmt = sql->klass->prepare (sql, query, error);

  if (stmt != NULL)
    sql->n_out++;
  return stmt;
}

void
cl_sql_stmt_release (ClSqlStmt *stmt)
{
  ClSql *sql;

  if (stmt == NULL)
    return;
  sql = stmt->sql;
  sql->klass->release (stmt);
  if (--sql->n_out == 0 && sql->closed)
    sql->klass->free (sql);
}

void
cl_sql_bind_int64 (ClSqlStmt *stmt, int index, gint64 value)
{
  stmt->sql->klass->bind_int64 (stmt, index, value);
}

void
cl_sql_bind_double (ClSqlStmt *stmt, int index, double value)
{
  stmt->sql->klass->bind_double (stmt, index, value);
}

void
cl_sql_bind_text (ClSqlStmt *stmt, int index, const char *text)
{
  if (text == NULL)
    stmt->sql->klass->bind_null (stmt, index);
  else
    stmt->sql->klass->bind_text (stmt, index, text);
}

void
cl_sql_bind_blob (ClSqlStmt *stmt, int index, const void *data, gsize len)
{
  stmt->sql->klass->bind_blob (stmt, index, data, len);
}

void
cl_sql_bind_null (ClSqlStmt *stmt, int index)
{
  stmt->sql->klass->bind_null (stmt, index);
}

void
cl_sql_reset (ClSqlStmt *stmt)
{
  stmt->sql->klass->reset (stmt);
}

ClSqlStep
cl_sql_step (ClSqlStmt *stmt, GError **error)
{
  stmt->sql->last_fault = CL_SQL_FAULT_NONE;
  return stmt->sql->klass->step (stmt, error);
}

gboolean
cl_sql_step_done (ClSqlStmt *stmt, GError **error)
{
  ClSqlStep step = cl_sql_step (stmt, error);

  if (step == CL_SQL_STEP_ROW)
    {
      cl_sql_fail (stmt->sql, CL_SQL_FAULT_OTHER, "A statement that should return no rows returned one", error);
      return FALSE;
    }
  return step == CL_SQL_STEP_DONE;
}

int
cl_sql_column_count (ClSqlStmt *stmt)
{
  return stmt->sql->klass->column_count (stmt);
}

const char *
cl_sql_column_name (ClSqlStmt *stmt, int index)
{
  return stmt->sql->klass->column_name (stmt, index);
}

ClSqlType
cl_sql_column_type (ClSqlStmt *stmt, int index)
{
  return stmt->sql->klass->column_type (stmt, index);
}

gint64
cl_sql_column_int64 (ClSqlStmt *stmt, int index)
{
  return stmt->sql->klass->column_int64 (stmt, index);
}

double
cl_sql_column_double (ClSqlStmt *stmt, int index)
{
  return stmt->sql->klass->column_double (stmt, index);
}

const char *
cl_sql_column_text (ClSqlStmt *stmt, int index)
{
  return stmt->sql->klass->column_text (stmt, index);
}

const guint8 *
cl_sql_column_blob (ClSqlStmt *stmt, int index, gsize *len)
{
  return stmt->sql->klass->column_blob (stmt, index, len);
}

gint64
cl_sql_changes (ClSql *sql)
{
  return sql->klass->changes (sql);
}

guint64
cl_sql_change_stamp (ClSql *sql)
{
  if (sql->klass->change_stamp == NULL)
    return ++sql->calls;
  return sql->klass->change_stamp (sql);
}
