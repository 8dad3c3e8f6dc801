/* cl-sql.h: the one door from the store to its database, SQLite or PostgreSQL.
 *
 * The cl-store-*.c files speak SQL through these calls only; the backend files (cl-sql-sqlite.c, cl-sql-pg.c)
 * are the only ones that include sqlite3.h or libpq-fe.h, and translate their errors once, here. Statements use
 * '?' placeholders (numbered 1.. in order); the PostgreSQL backend rewrites them to $1.. . SQL is written in the
 * subset both speak (SQLite >= 3.35: ON CONFLICT ... DO NOTHING/UPDATE, RETURNING, COALESCE, CAST); where the
 * two must differ, the caller picks by cl_sql_backend() and says why in a comment.
 *
 * Not thread-safe: a connection belongs to one ClStore, whose lock serialises every call. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ClSql ClSql;
typedef struct _ClSqlStmt ClSqlStmt;

typedef enum
{
  CL_SQL_SQLITE,
  CL_SQL_POSTGRESQL,
} ClSqlBackend;

/* What a failed call means to the caller; the GError (CL_ERROR, CL_ERROR_STORE) carries the database's text. */
typedef enum
{
  CL_SQL_FAULT_NONE,
  CL_SQL_FAULT_UNIQUE,      /* a UNIQUE or PRIMARY KEY constraint refused the row */
  CL_SQL_FAULT_FOREIGN_KEY, /* a FOREIGN KEY constraint refused the row */
  CL_SQL_FAULT_CHECK,       /* a CHECK/NOT NULL constraint or a trigger's RAISE refused the row */
  CL_SQL_FAULT_CONFLICT,    /* busy, locked, serialization failure, deadlock: the transaction may be retried */
  CL_SQL_FAULT_UNREACHABLE, /* the connection is gone or the server refuses work: a station part is down */
  CL_SQL_FAULT_OTHER,
} ClSqlFault;

typedef enum
{
  CL_SQL_NULL,
  CL_SQL_INTEGER,
  CL_SQL_FLOAT,
  CL_SQL_TEXT,
  CL_SQL_BLOB,
} ClSqlType;

typedef enum
{
  CL_SQL_STEP_ERROR = -1,
  CL_SQL_STEP_DONE = 0,
  CL_SQL_STEP_ROW = 1,
} ClSqlStep;

/* path: a file name; read_only opens it without write access (and never creates it). */
ClSql *cl_sql_open_sqlite (const char *path, gboolean read_only, GError **error);
/* uri: a libpq connection URI ("postgresql:///cardline?host=/run/dir"). */
ClSql *cl_sql_open_postgresql (const char *uri, GError **error);
void cl_sql_close (ClSql *sql);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClSql, cl_sql_close)

ClSqlBackend cl_sql_backend (ClSql *sql);
/* What a log line may name: the file, or the URI without its password. */
const char *cl_sql_describe (ClSql *sql);
/* The fault of the last failed call on this connection. */
ClSqlFault cl_sql_last_fault (ClSql *sql);

/* Runs a script of one or more statements without parameters or results (migrations, BEGIN, COMMIT). */
gboolean cl_sql_exec (ClSql *sql, const char *script, GError **error);

/* A statement with '?' placeholders. Kept prepared for its next use: releasing it (cl_sql_stmt_release, or the
 * g_autoptr) resets it and returns it to the connection's cache. */
ClSqlStmt *cl_sql_prepare (ClSql *sql, const char *query, GError **error);
void cl_sql_stmt_release (ClSqlStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClSqlStmt, cl_sql_stmt_release)

/* Binding, index from 1. Values are copied. */
void cl_sql_bind_int64 (ClSqlStmt *stmt, int index, gint64 value);
void cl_sql_bind_double (ClSqlStmt *stmt, int index, double value);
void cl_sql_bind_text (ClSqlStmt *stmt, int index, const char *text); /* NULL binds SQL NULL */
void cl_sql_bind_blob (ClSqlStmt *stmt, int index, const void *data, gsize len);
void cl_sql_bind_null (ClSqlStmt *stmt, int index);
/* Back to the first row and no bindings, for a statement run again in a loop. */
void cl_sql_reset (ClSqlStmt *stmt);

/* The first call runs the statement; each call then moves to the next row. ERROR sets error. */
ClSqlStep cl_sql_step (ClSqlStmt *stmt, GError **error);
/* Steps a statement that returns no rows to its end. */
gboolean cl_sql_step_done (ClSqlStmt *stmt, GError **error);

/* Columns of the current row, index from 0. Booleans of PostgreSQL read as 0/1; text is valid until the next
 * step or reset. */
int cl_sql_column_count (ClSqlStmt *stmt);
const char *cl_sql_column_name (ClSqlStmt *stmt, int index);
ClSqlType cl_sql_column_type (ClSqlStmt *stmt, int index);
gint64 cl_sql_column_int64 (ClSqlStmt *stmt, int index);
double cl_sql_column_double (ClSqlStmt *stmt, int index);
const char *cl_sql_column_text (ClSqlStmt *stmt, int index);
const guint8 *cl_sql_column_blob (ClSqlStmt *stmt, int index, gsize *len);

/* Rows changed by the last INSERT, UPDATE or DELETE stepped on this connection. */
gint64 cl_sql_changes (ClSql *sql);

/* A number that moves whenever the database may have changed, by this connection or another one's commit: a
 * reader polls it to skip re-reading what has not changed. A backend that cannot tell moves it on every call. */
guint64 cl_sql_change_stamp (ClSql *sql);

G_END_DECLS
