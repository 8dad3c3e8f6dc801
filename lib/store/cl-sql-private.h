/* cl-sql-private.h: what a backend of cl-sql.h (cl-sql-sqlite.c, cl-sql-pg.c) implements, and what cl-sql.c
 * keeps for all of them.
 *
 * A backend allocates its connection and statement structs with ClSql / ClSqlStmt as their first member, fills
 * the class, and reports failures through cl_sql_fail(), which records the fault and builds the one GError
 * (CL_ERROR_STORE "database message (description)"). cl-sql.c counts the statements out: a statement released
 * after its connection was closed is still given back, and the backend frees the connection only once none is
 * out. */
#pragma once

#include "store/cl-sql.h"

G_BEGIN_DECLS

typedef struct
{
  /* Frees the connection: its cached statements, the database handle, the struct. Called once the owner has
   * closed it and no statement is out. */
  void (*free) (ClSql *sql);
  gboolean (*exec) (ClSql *sql, const char *script, GError **error);
  /* A statement ready to bind: a cached one of the same text, or a new one. */
  ClSqlStmt *(*prepare) (ClSql *sql, const char *query, GError **error);
  /* Resets the statement and clears its bindings; keeps it for its next prepare or frees it. */
  void (*release) (ClSqlStmt *stmt);
  void (*bind_int64) (ClSqlStmt *stmt, int index, gint64 value);
  void (*bind_double) (ClSqlStmt *stmt, int index, double value);
  void (*bind_text) (ClSqlStmt *stmt, int index, const char *text); /* never NULL: cl-sql.c binds NULL for it */
  void (*bind_blob) (ClSqlStmt *stmt, int index, const void *data, gsize len);
  void (*bind_null) (ClSqlStmt *stmt, int index);
  void (*reset) (ClSqlStmt *stmt);
  ClSqlStep (*step) (ClSqlStmt *stmt, GError **error);
  int (*column_count) (ClSqlStmt *stmt);
  const char *(*column_name) (ClSqlStmt *stmt, int index);
  ClSqlType (*column_type) (ClSqlStmt *stmt, int index);
  gint64 (*column_int64) (ClSqlStmt *stmt, int index);
  double (*column_double) (ClSqlStmt *stmt, int index);
  const char *(*column_text) (ClSqlStmt *stmt, int index);
  const guint8 *(*column_blob) (ClSqlStmt *stmt, int index, gsize *len);
  gint64 (*changes) (ClSql *sql);
  /* cl_sql_change_stamp(); NULL: a stamp that moves on every call */
  guint64 (*change_stamp) (ClSql *sql);
} ClSqlClass;

struct _ClSql
{
  const ClSqlClass *klass;
  ClSqlBackend backend;
  char *description; /* cl_sql_describe(): set by the backend, freed by cl-sql.c */
  ClSqlFault last_fault;
  /* statements prepared and not yet released, and whether the owner has closed the connection */
  guint n_out;
  gboolean closed;
  guint64 calls; /* the stamp of a backend without change_stamp */
};

struct _ClSqlStmt
{
  ClSql *sql;
};

/* Fills the common part of a new connection. */
void cl_sql_init (ClSql *sql, const ClSqlClass *klass, ClSqlBackend backend, const char *description);
/* Frees what cl_sql_init set (the backend's free calls it last). */
void cl_sql_clear (ClSql *sql);
/* Records fault on sql and sets CL_ERROR_STORE "message (description)". */
void cl_sql_fail (ClSql *sql, ClSqlFault fault, const char *message, GError **error);

G_END_DECLS
