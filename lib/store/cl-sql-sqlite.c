/* cl-sql-sqlite.c: the SQLite backend of cl-sql.h; with cl-store-snapshot.c the only file that includes sqlite3.h.
 *
 * Prepared statements are kept for their next use: preparing a statement on attempts or steps compiles every
 * yield trigger into it (cl-store-schema.c), and callgrind put 42 % of the station's instructions per card in
 * sqlite3_prepare_v2 (issue 14). So a released statement is reset and kept, per connection and SQL text, and the
 * next prepare of the same text hands it out again. */
#include "store/cl-sql-private.h"

#include "core/cl-error.h"
#include "store/cl-store.h"

#include <sqlite3.h>
#include <string.h>

/* Enough for every statement of the production path, a few of each at once (nested helpers); the rest are
 * finalized. */
#define MAX_PER_SQL 4
#define MAX_TEXTS   256

typedef struct
{
  ClSql parent;
  sqlite3 *db;
  GHashTable *idle; /* SQL text -> GPtrArray of idle SqliteStmt */
} SqliteSql;

typedef struct
{
  ClSqlStmt parent;
  sqlite3_stmt *stmt;
} SqliteStmt;

#define DB(sql)    (((SqliteSql *)(sql))->db)
#define STMT(stmt) (((SqliteStmt *)(stmt))->stmt)

static ClSqlFault
fault_of (int extended)
{
  switch (extended)
    {
      case SQLITE_CONSTRAINT_UNIQUE:
      case SQLITE_CONSTRAINT_PRIMARYKEY:
      case SQLITE_CONSTRAINT_ROWID:
        return CL_SQL_FAULT_UNIQUE;
      case SQLITE_CONSTRAINT_FOREIGNKEY:
        return CL_SQL_FAULT_FOREIGN_KEY;
      default:
        break;
    }
  switch (extended & 0xff)
    {
      case SQLITE_CONSTRAINT:
        return CL_SQL_FAULT_CHECK;
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return CL_SQL_FAULT_CONFLICT;
      case SQLITE_CANTOPEN:
      case SQLITE_IOERR:
      case SQLITE_FULL:
      case SQLITE_READONLY:
      case SQLITE_NOTADB:
      case SQLITE_CORRUPT:
        return CL_SQL_FAULT_UNREACHABLE;
      default:
        return CL_SQL_FAULT_OTHER;
    }
}

/* The one translation of SQLite's errors: what the connection last reported. */
static void
fail_db (ClSql *sql, GError **error)
{
  cl_sql_fail (sql, fault_of (sqlite3_extended_errcode (DB (sql))), sqlite3_errmsg (DB (sql)), error);
}

static void
stmt_free (gpointer data)
{
  SqliteStmt *stmt = data;

  sqlite3_finalize (stmt->stmt);
  g_free (stmt);
}

static void
sqlite_free (ClSql *sql)
{
  SqliteSql *self = (SqliteSql *)sql;

  g_hash_table_unref (self->idle);
  /* close_v2 defers the close until stray statements are finalized instead of failing. */
  sqlite3_close_v2 (self->db);
  cl_sql_clear (sql);
  g_free (self);
}

static ClSqlStmt *sqlite_prepare (ClSql *sql, const char *query, GError **error);
static void sqlite_release (ClSqlStmt *stmt);

/* One statement run to its end through the kept statements: BEGIN, COMMIT and the PRAGMA synchronous switches run
 * several times per card, and sqlite3_exec would compile each anew. */
static gboolean
exec_one (ClSql *sql, const char *query, GError **error)
{
  ClSqlStmt *stmt = sqlite_prepare (sql, query, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (STMT (stmt))) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    fail_db (sql, error);
  sqlite_release (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
sqlite_exec (ClSql *sql, const char *script, GError **error)
{
  char *msg = NULL;

  /* only the few texts that recur: a migration's one-off statements would crowd the production path's out */
  if ((g_str_has_prefix (script, "BEGIN") || g_str_equal (script, "COMMIT") || g_str_equal (script, "ROLLBACK")
       || g_str_has_prefix (script, "PRAGMA synchronous"))
      && strchr (script, ';') == NULL)
    return exec_one (sql, script, error);
  if (sqlite3_exec (DB (sql), script, NULL, NULL, &msg) == SQLITE_OK)
    return TRUE;
  cl_sql_fail (sql, fault_of (sqlite3_extended_errcode (DB (sql))), msg ? msg : "SQLite failed", error);
  sqlite3_free (msg);
  return FALSE;
}

static ClSqlStmt *
sqlite_prepare (ClSql *sql, const char *query, GError **error)
{
  SqliteSql *self = (SqliteSql *)sql;
  GPtrArray *idle = g_hash_table_lookup (self->idle, query);
  sqlite3_stmt *raw = NULL;
  SqliteStmt *stmt;

  if (idle != NULL && idle->len > 0)
    return g_ptr_array_steal_index_fast (idle, idle->len - 1);
  if (sqlite3_prepare_v2 (self->db, query, -1, &raw, NULL) != SQLITE_OK)
    {
      fail_db (sql, error);
      g_prefix_error (error, "Preparing a query: ");
      return NULL;
    }
  stmt = g_new0 (SqliteStmt, 1);
  stmt->parent.sql = sql;
  stmt->stmt = raw;
  return &stmt->parent;
}

static void
sqlite_release (ClSqlStmt *stmt)
{
  SqliteSql *self = (SqliteSql *)stmt->sql;
  const char *query = sqlite3_sql (STMT (stmt));
  GPtrArray *idle;

  /* a reset ends what the statement held open (a read, a half-stepped query), as finalizing did */
  sqlite3_reset (STMT (stmt));
  sqlite3_clear_bindings (STMT (stmt));
  idle = g_hash_table_lookup (self->idle, query);
  if (idle == NULL && g_hash_table_size (self->idle) < MAX_TEXTS)
    {
      idle = g_ptr_array_new_with_free_func (stmt_free);
      g_hash_table_insert (self->idle, g_strdup (query), idle);
    }
  if (idle != NULL && idle->len < MAX_PER_SQL)
    g_ptr_array_add (idle, stmt);
  else
    stmt_free (stmt);
}

static void
sqlite_bind_int64 (ClSqlStmt *stmt, int index, gint64 value)
{
  sqlite3_bind_int64 (STMT (stmt), index, value);
}

static void
sqlite_bind_double (ClSqlStmt *stmt, int index, double value)
{
  sqlite3_bind_double (STMT (stmt), index, value);
}

static void
sqlite_bind_text (ClSqlStmt *stmt, int index, const char *text)
{
  sqlite3_bind_text (STMT (stmt), index, text, -1, SQLITE_TRANSIENT);
}

static void
sqlite_bind_blob (ClSqlStmt *stmt, int index, const void *data, gsize len)
{
  sqlite3_bind_blob64 (STMT (stmt), index, data, len, SQLITE_TRANSIENT);
}

static void
sqlite_bind_null (ClSqlStmt *stmt, int index)
{
  sqlite3_bind_null (STMT (stmt), index);
}

static void
sqlite_reset (ClSqlStmt *stmt)
{
  sqlite3_reset (STMT (stmt));
  sqlite3_clear_bindings (STMT (stmt));
}

static ClSqlStep
sqlite_step (ClSqlStmt *stmt, GError **error)
{
  switch (sqlite3_step (STMT (stmt)))
    {
      case SQLITE_ROW:
        return CL_SQL_STEP_ROW;
      case SQLITE_DONE:
        return CL_SQL_STEP_DONE;
      default:
        fail_db (stmt->sql, error);
        return CL_SQL_STEP_ERROR;
    }
}

static int
sqlite_column_count (ClSqlStmt *stmt)
{
  return sqlite3_column_count (STMT (stmt));
}

static const char *
sqlite_column_name (ClSqlStmt *stmt, int index)
{
  return sqlite3_column_name (STMT (stmt), index);
}

static ClSqlType
sqlite_column_type (ClSqlStmt *stmt, int index)
{
  switch (sqlite3_column_type (STMT (stmt), index))
    {
      case SQLITE_INTEGER:
        return CL_SQL_INTEGER;
      case SQLITE_FLOAT:
        return CL_SQL_FLOAT;
      case SQLITE_TEXT:
        return CL_SQL_TEXT;
      case SQLITE_BLOB:
        return CL_SQL_BLOB;
      default:
        return CL_SQL_NULL;
    }
}

static gint64
sqlite_column_int64 (ClSqlStmt *stmt, int index)
{
  return sqlite3_column_int64 (STMT (stmt), index);
}

static double
sqlite_column_double (ClSqlStmt *stmt, int index)
{
  return sqlite3_column_double (STMT (stmt), index);
}

static const char *
sqlite_column_text (ClSqlStmt *stmt, int index)
{
  return (const char *)sqlite3_column_text (STMT (stmt), index);
}

static const guint8 *
sqlite_column_blob (ClSqlStmt *stmt, int index, gsize *len)
{
  const guint8 *data = sqlite3_column_blob (STMT (stmt), index);

  /* the length after the pointer, as SQLite asks */
  *len = (gsize)sqlite3_column_bytes (STMT (stmt), index);
  return data;
}

static gint64
sqlite_changes (ClSql *sql)
{
  return sqlite3_changes64 (DB (sql));
}

static guint64
sqlite_change_stamp (ClSql *sql)
{
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, "PRAGMA data_version", NULL);
  guint64 other = 0;

  /* data_version moves with other connections' commits, total_changes with this connection's. */
  if (stmt != NULL && cl_sql_step (stmt, NULL) == CL_SQL_STEP_ROW)
    other = (guint64)cl_sql_column_int64 (stmt, 0);
  return (other << 40) ^ (guint64)sqlite3_total_changes64 (DB (sql));
}

static const ClSqlClass sqlite_class = {
  .free = sqlite_free,
  .exec = sqlite_exec,
  .prepare = sqlite_prepare,
  .release = sqlite_release,
  .bind_int64 = sqlite_bind_int64,
  .bind_double = sqlite_bind_double,
  .bind_text = sqlite_bind_text,
  .bind_blob = sqlite_bind_blob,
  .bind_null = sqlite_bind_null,
  .reset = sqlite_reset,
  .step = sqlite_step,
  .column_count = sqlite_column_count,
  .column_name = sqlite_column_name,
  .column_type = sqlite_column_type,
  .column_int64 = sqlite_column_int64,
  .column_double = sqlite_column_double,
  .column_text = sqlite_column_text,
  .column_blob = sqlite_column_blob,
  .changes = sqlite_changes,
  .change_stamp = sqlite_change_stamp,
};

/* Without a -wal file the database file alone is the whole store, and immutable=1 keeps SQLite from creating a
 * -wal and -shm next to it. With one (a station is running, or was killed), SQLite must read it, through the
 * -shm, as any reader does. */
static char *
read_only_uri (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *escaped = g_uri_escape_string (path, "/", FALSE);

  return g_strdup_printf ("file:%s?mode=ro%s", escaped, g_file_test (wal, G_FILE_TEST_EXISTS) ? "" : "&immutable=1");
}

ClSql *
cl_sql_open_sqlite (const char *path, gboolean read_only, GError **error)
{
  sqlite3 *db = NULL;
  SqliteSql *self;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  if (read_only)
    {
      g_autofree char *uri = read_only_uri (path);

      rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI, NULL);
    }
  else
    rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Cannot open the store %s%s: %s", path,
                   read_only ? " read-only" : "", db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, CL_STORE_BUSY_TIMEOUT_MS);
  self = g_new0 (SqliteSql, 1);
  cl_sql_init (&self->parent, &sqlite_class, CL_SQL_SQLITE, path);
  self->db = db;
  self->idle = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
  return &self->parent;
}
