/* test-sql.c: cl-sql.h on both backends: the same cases against an SQLite file and the rig's PostgreSQL (rig part
 * pg, CARDLINE_TEST_PG_URI), then what only PostgreSQL has: the '?' rewrite, a password kept out of messages, the
 * store's schema (cl-store-schema-pg.c) and a server that stops and comes back (rig pg-stop / pg-start). */
#include <glib/gstdio.h>
#include <string.h>

#include "core/cl-error.h"
#include "store/cl-sql-pg.h"
#include "store/cl-sql.h"
#include "store/cl-store-private.h"
#include "store/cl-store-schema-pg.h"
#include "store-fixture.h"

typedef struct
{
  ClSqlBackend backend;
  char *dir;
  char *path;
} Db;

static const char *
pg_uri (void)
{
  const char *uri = g_getenv ("CARDLINE_TEST_PG_URI");
  if (!uri)
    g_error ("CARDLINE_TEST_PG_URI is not set: run under tests/rig/rig-run --parts pg");
  return uri;
}

/* A fresh, empty database of the backend: a new file, or PostgreSQL's public schema made again. */
static ClSql *
db_open (Db *db)
{
  g_autoptr (GError) error = NULL;
  ClSql *sql;

  if (db->backend == CL_SQL_SQLITE)
    {
      if (!db->path)
        {
          db->dir = g_dir_make_tmp ("test-sql-XXXXXX", &error);
          g_assert_no_error (error);
          db->path = g_build_filename (db->dir, "store.db", NULL);
        }
      sql = cl_sql_open_sqlite (db->path, FALSE, &error);
      g_assert_no_error (error);
      g_assert_true (cl_sql_exec (sql, "PRAGMA foreign_keys = ON", &error));
      return sql;
    }
  sql = cl_sql_open_postgresql (pg_uri (), &error);
  g_assert_no_error (error);
  g_assert_cmpint (cl_sql_backend (sql), ==, CL_SQL_POSTGRESQL);
  return sql;
}

static ClSql *
db_fresh (Db *db)
{
  g_autoptr (GError) error = NULL;
  ClSql *sql = db_open (db);
  if (db->backend == CL_SQL_POSTGRESQL)
    g_assert_true (cl_sql_exec (sql, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &error));
  g_assert_no_error (error);
  return sql;
}

static void
db_done (Db *db)
{
  if (db->path)
    {
      g_autofree char *wal = g_strconcat (db->path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (db->path, "-shm", NULL);
      g_unlink (db->path);
      g_unlink (wal);
      g_unlink (shm);
      g_rmdir (db->dir);
    }
  g_clear_pointer (&db->path, g_free);
  g_clear_pointer (&db->dir, g_free);
}

static void
exec_ok (ClSql *sql, const char *script)
{
  g_autoptr (GError) error = NULL;
  g_assert_true (cl_sql_exec (sql, script, &error));
  g_assert_no_error (error);
}

static gint64
query_int (ClSql *sql, const char *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, query, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cl_sql_step (stmt, &error), ==, CL_SQL_STEP_ROW);
  return cl_sql_column_int64 (stmt, 0);
}

/* The id column and blob type of each backend: the one place the DDL of these tests differs. */
static const char *
id_column (ClSql *sql)
{
  return cl_sql_backend (sql) == CL_SQL_SQLITE ? "id INTEGER PRIMARY KEY"
                                               : "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
}

static const char *
blob_type (ClSql *sql)
{
  return cl_sql_backend (sql) == CL_SQL_SQLITE ? "BLOB" : "BYTEA";
}

static void
test_types (gconstpointer data)
{
  Db db = { .backend = GPOINTER_TO_INT (data) };
  g_autoptr (ClSql) sql = db_fresh (&db);
  g_autoptr (GError) error = NULL;
  static const guint8 zeros[] = { 0, 1, 0, 0xff, 0 };
  g_autofree char *ddl = g_strdup_printf ("CREATE TABLE t (%s, i BIGINT, f DOUBLE PRECISION, s TEXT, b %s, n TEXT)",
                                          id_column (sql), blob_type (sql));
  const gint64 ints[] = { G_MININT64, -1, 0, G_MAXINT64 };
  gsize len = 99;

  exec_ok (sql, ddl);
  for (gsize k = 0; k < G_N_ELEMENTS (ints); k++)
    {
      g_autoptr (ClSqlStmt) ins = cl_sql_prepare (sql, "INSERT INTO t (i, f, s, b, n) VALUES (?, ?, ?, ?, ?)", &error);
      g_assert_no_error (error);
      cl_sql_bind_int64 (ins, 1, ints[k]);
      cl_sql_bind_double (ins, 2, k == 0 ? 0.1 : 1e300);
      cl_sql_bind_text (ins, 3, "Grüße ' ? -- $1 \\ end");
      cl_sql_bind_blob (ins, 4, zeros, k == 1 ? 0 : sizeof zeros);
      if (k == 2)
        cl_sql_bind_text (ins, 5, NULL);
      else
        cl_sql_bind_null (ins, 5);
      g_assert_true (cl_sql_step_done (ins, &error));
      g_assert_no_error (error);
      g_assert_cmpint (cl_sql_changes (sql), ==, 1);
    }

  g_autoptr (ClSqlStmt) sel = cl_sql_prepare (sql, "SELECT i, f, s, b, n FROM t WHERE i >= ? ORDER BY i", &error);
  g_assert_no_error (error);
  cl_sql_bind_int64 (sel, 1, G_MININT64);
  for (gsize k = 0; k < G_N_ELEMENTS (ints); k++)
    {
      const guint8 *b;
      g_assert_cmpint (cl_sql_step (sel, &error), ==, CL_SQL_STEP_ROW);
      g_assert_cmpint (cl_sql_column_count (sel), ==, 5);
      g_assert_cmpstr (cl_sql_column_name (sel, 3), ==, "b");
      g_assert_cmpint (cl_sql_column_type (sel, 0), ==, CL_SQL_INTEGER);
      g_assert_cmpint (cl_sql_column_int64 (sel, 0), ==, ints[k]);
      g_assert_cmpint (cl_sql_column_type (sel, 1), ==, CL_SQL_FLOAT);
      g_assert_cmpfloat (cl_sql_column_double (sel, 1), ==, k == 0 ? 0.1 : 1e300);
      g_assert_cmpint (cl_sql_column_type (sel, 2), ==, CL_SQL_TEXT);
      g_assert_cmpstr (cl_sql_column_text (sel, 2), ==, "Grüße ' ? -- $1 \\ end");
      b = cl_sql_column_blob (sel, 3, &len);
      if (k == 1)
        g_assert_cmpuint (len, ==, 0);
      else
        {
          g_assert_cmpint (cl_sql_column_type (sel, 3), ==, CL_SQL_BLOB);
          g_assert_cmpmem (b, len, zeros, sizeof zeros);
        }
      g_assert_cmpint (cl_sql_column_type (sel, 4), ==, CL_SQL_NULL);
      g_assert_null (cl_sql_column_text (sel, 4));
      g_assert_cmpint (cl_sql_column_int64 (sel, 4), ==, 0);
    }
  g_assert_cmpint (cl_sql_step (sel, &error), ==, CL_SQL_STEP_DONE);
  g_assert_no_error (error);

  /* Run again after a reset, with another binding: the statement is reused. */
  cl_sql_reset (sel);
  cl_sql_bind_int64 (sel, 1, G_MAXINT64);
  g_assert_cmpint (cl_sql_step (sel, &error), ==, CL_SQL_STEP_ROW);
  g_assert_cmpint (cl_sql_column_int64 (sel, 0), ==, G_MAXINT64);
  g_assert_cmpint (cl_sql_step (sel, &error), ==, CL_SQL_STEP_DONE);

  /* Comparisons are booleans in PostgreSQL and read as 1/0 like SQLite's; a '?' in a string is no placeholder. */
  {
    g_autoptr (ClSqlStmt) q = cl_sql_prepare (sql, "SELECT 1 = 1, 1 = 0, '?' || 'x', ? /* ? */ -- ?\n", &error);
    g_assert_no_error (error);
    cl_sql_bind_text (q, 1, "bound");
    g_assert_cmpint (cl_sql_step (q, &error), ==, CL_SQL_STEP_ROW);
    g_assert_cmpint (cl_sql_column_type (q, 0), ==, CL_SQL_INTEGER);
    g_assert_cmpint (cl_sql_column_int64 (q, 0), ==, 1);
    g_assert_cmpint (cl_sql_column_int64 (q, 1), ==, 0);
    g_assert_cmpstr (cl_sql_column_text (q, 0), ==, "1");
    g_assert_cmpstr (cl_sql_column_text (q, 2), ==, "?x");
    g_assert_cmpstr (cl_sql_column_text (q, 3), ==, "bound");
  }
  /* sum() of integers is numeric in PostgreSQL: still an integer to the caller. */
  g_assert_cmpint (query_int (sql, "SELECT sum(i) FROM t WHERE i >= 0"), ==, G_MAXINT64);
  {
    g_autoptr (ClSqlStmt) q = cl_sql_prepare (sql, "SELECT sum(i) FROM t WHERE i = 0", &error);
    g_assert_cmpint (cl_sql_step (q, &error), ==, CL_SQL_STEP_ROW);
    g_assert_cmpint (cl_sql_column_type (q, 0), ==, CL_SQL_INTEGER);
  }
  db_done (&db);
}

static void
test_returning_changes (gconstpointer data)
{
  Db db = { .backend = GPOINTER_TO_INT (data) };
  g_autoptr (ClSql) sql = db_fresh (&db);
  g_autoptr (GError) error = NULL;
  g_autofree char *ddl = g_strdup_printf ("CREATE TABLE r (%s, name TEXT NOT NULL, n BIGINT)", id_column (sql));
  gint64 ids[3];

  exec_ok (sql, ddl);
  for (int k = 0; k < 3; k++)
    {
      g_autoptr (ClSqlStmt) ins = cl_sql_prepare (sql, "INSERT INTO r (name, n) VALUES (?, ?) RETURNING id, n", &error);
      g_assert_no_error (error);
      cl_sql_bind_text (ins, 1, "row");
      cl_sql_bind_int64 (ins, 2, k * 10);
      g_assert_cmpint (cl_sql_step (ins, &error), ==, CL_SQL_STEP_ROW);
      ids[k] = cl_sql_column_int64 (ins, 0);
      g_assert_cmpint (cl_sql_column_int64 (ins, 1), ==, k * 10);
      g_assert_cmpint (cl_sql_step (ins, &error), ==, CL_SQL_STEP_DONE);
      if (k > 0)
        g_assert_cmpint (ids[k], >, ids[k - 1]);
    }
  {
    g_autoptr (ClSqlStmt) up = cl_sql_prepare (sql, "UPDATE r SET n = n + 1 WHERE n >= ?", &error);
    cl_sql_bind_int64 (up, 1, 10);
    g_assert_true (cl_sql_step_done (up, &error));
    g_assert_cmpint (cl_sql_changes (sql), ==, 2);
  }
  /* A SELECT leaves the count of the last change as it was. */
  g_assert_cmpint (query_int (sql, "SELECT count(*) FROM r"), ==, 3);
  g_assert_cmpint (cl_sql_changes (sql), ==, 2);
  {
    g_autoptr (ClSqlStmt) del = cl_sql_prepare (sql, "DELETE FROM r WHERE n > 1000", &error);
    g_assert_true (cl_sql_step_done (del, &error));
    g_assert_cmpint (cl_sql_changes (sql), ==, 0);
  }
  db_done (&db);
}

/* SQL built with values in it: every text works, and PostgreSQL keeps a bounded number prepared. An UPDATE run as a
 * script counts in cl_sql_changes() too. */
static void
test_many_texts (gconstpointer data)
{
  Db db = { .backend = GPOINTER_TO_INT (data) };
  g_autoptr (ClSql) sql = db_fresh (&db);
  g_autoptr (GError) error = NULL;

  for (int k = 0; k < 700; k++)
    {
      g_autofree char *q = g_strdup_printf ("SELECT ? + %d", k);
      g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, q, &error);
      g_assert_no_error (error);
      cl_sql_bind_int64 (stmt, 1, 1000000);
      g_assert_cmpint (cl_sql_step (stmt, &error), ==, CL_SQL_STEP_ROW);
      g_assert_cmpint (cl_sql_column_int64 (stmt, 0), ==, 1000000 + k);
    }
  if (db.backend == CL_SQL_POSTGRESQL)
    g_assert_cmpint (query_int (sql, "SELECT count(*) FROM pg_prepared_statements"), <=, 520);
  exec_ok (sql, "CREATE TABLE m (n BIGINT); INSERT INTO m (n) VALUES (1), (2), (3);");
  exec_ok (sql, "UPDATE m SET n = n + 1 WHERE n > 1");
  g_assert_cmpint (cl_sql_changes (sql), ==, 2);
  db_done (&db);
}

/* Runs query with one text parameter and checks it fails with fault. */
static void
expect_fault (ClSql *sql, const char *query, const char *param, ClSqlFault fault)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, query, &error);
  g_assert_no_error (error);
  cl_sql_bind_text (stmt, 1, param);
  g_assert_cmpint (cl_sql_step (stmt, &error), ==, CL_SQL_STEP_ERROR);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_test_message ("%s -> %s", query, error->message);
  g_assert_cmpint (cl_sql_last_fault (sql), ==, fault);
}

static void
test_faults (gconstpointer data)
{
  Db db = { .backend = GPOINTER_TO_INT (data) };
  g_autoptr (ClSql) sql = db_fresh (&db);
  g_autoptr (GError) error = NULL;

  exec_ok (sql, "CREATE TABLE parent (name TEXT PRIMARY KEY NOT NULL, code TEXT UNIQUE);"
                "CREATE TABLE child (parent TEXT NOT NULL REFERENCES parent(name), "
                "state TEXT CHECK (state IN ('A','B')));"
                "INSERT INTO parent (name, code) VALUES ('p', 'c');");
  expect_fault (sql, "INSERT INTO parent (name, code) VALUES (?, 'c2')", "p", CL_SQL_FAULT_UNIQUE);
  expect_fault (sql, "INSERT INTO parent (name, code) VALUES ('q', ?)", "c", CL_SQL_FAULT_UNIQUE);
  expect_fault (sql, "INSERT INTO child (parent, state) VALUES (?, 'A')", "nobody", CL_SQL_FAULT_FOREIGN_KEY);
  expect_fault (sql, "INSERT INTO child (parent, state) VALUES ('p', ?)", "Z", CL_SQL_FAULT_CHECK);
  expect_fault (sql, "INSERT INTO child (parent, state) VALUES (?, 'A')", NULL, CL_SQL_FAULT_CHECK);
  /* A syntax error is none of these. */
  g_assert_null (cl_sql_prepare (sql, "SELEKT 1", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_assert_cmpint (cl_sql_last_fault (sql), ==, CL_SQL_FAULT_OTHER);
  g_clear_error (&error);
  /* The connection still works after the refusals. */
  g_assert_cmpint (query_int (sql, "SELECT count(*) FROM child"), ==, 0);
  db_done (&db);
}

static void
test_rollback (gconstpointer data)
{
  Db db = { .backend = GPOINTER_TO_INT (data) };
  g_autoptr (ClSql) sql = db_fresh (&db);
  g_autoptr (GError) error = NULL;

  exec_ok (sql, "CREATE TABLE k (name TEXT PRIMARY KEY NOT NULL)");
  exec_ok (sql, "BEGIN");
  exec_ok (sql, "INSERT INTO k (name) VALUES ('one')");
  {
    g_autoptr (ClSqlStmt) ins = cl_sql_prepare (sql, "INSERT INTO k (name) VALUES (?)", &error);
    cl_sql_bind_text (ins, 1, "two");
    g_assert_true (cl_sql_step_done (ins, &error));
  }
  /* A refused statement inside the transaction, then the caller rolls back. */
  expect_fault (sql, "INSERT INTO k (name) VALUES (?)", "one", CL_SQL_FAULT_UNIQUE);
  exec_ok (sql, "ROLLBACK");
  g_assert_cmpint (query_int (sql, "SELECT count(*) FROM k"), ==, 0);
  /* And a committed one stays. */
  exec_ok (sql, "BEGIN; INSERT INTO k (name) VALUES ('three'); COMMIT;");
  g_assert_cmpint (query_int (sql, "SELECT count(*) FROM k"), ==, 1);
  db_done (&db);
}

typedef struct
{
  Db *db;
  gboolean won;
  ClSqlFault fault;
} Racer;

static gpointer
race_second (gpointer data)
{
  Racer *r = data;
  g_autoptr (ClSql) sql = db_open (r->db);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) up
    = cl_sql_prepare (sql, "UPDATE job SET state = 'TAKEN', owner = 'b' WHERE id = 1 AND state = 'PENDING'", &error);
  g_assert_no_error (error);
  if (cl_sql_step_done (up, &error))
    r->won = cl_sql_changes (sql) == 1;
  else
    r->fault = cl_sql_last_fault (sql);
  return NULL;
}

/* Waits (bounded) until a PostgreSQL session waits on a lock: the second racer is inside its UPDATE. */
static void
wait_for_lock_waiter (ClSql *watch)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (query_int (watch, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }
}

static void
test_race (gconstpointer data)
{
  Db db = { .backend = GPOINTER_TO_INT (data) };
  g_autoptr (ClSql) a = db_fresh (&db);
  g_autoptr (GError) error = NULL;
  Racer second = { .db = &db };
  GThread *thread;

  exec_ok (a, "CREATE TABLE job (id BIGINT PRIMARY KEY, state TEXT NOT NULL, owner TEXT);"
              "INSERT INTO job (id, state) VALUES (1, 'PENDING');");
  exec_ok (a, "BEGIN");
  {
    g_autoptr (ClSqlStmt) up
      = cl_sql_prepare (a, "UPDATE job SET state = 'TAKEN', owner = 'a' WHERE id = 1 AND state = 'PENDING'", &error);
    g_assert_true (cl_sql_step_done (up, &error));
    g_assert_cmpint (cl_sql_changes (a), ==, 1);
  }
  thread = g_thread_new ("second", race_second, &second);
  if (db.backend == CL_SQL_POSTGRESQL)
    {
      g_autoptr (ClSql) watch = db_open (&db);
      wait_for_lock_waiter (watch);
    }
  exec_ok (a, "COMMIT");
  g_thread_join (thread);
  /* The second waited for the first and found the row taken (PostgreSQL re-checks the WHERE after the lock), or
   * was told to retry (SQLite's busy timeout); it never took it too. */
  g_assert_false (second.won);
  g_assert_true (second.fault == CL_SQL_FAULT_NONE || second.fault == CL_SQL_FAULT_CONFLICT);
  {
    g_autoptr (ClSqlStmt) who = cl_sql_prepare (a, "SELECT owner FROM job WHERE id = 1", &error);
    g_assert_cmpint (cl_sql_step (who, &error), ==, CL_SQL_STEP_ROW);
    g_assert_cmpstr (cl_sql_column_text (who, 0), ==, "a");
  }
  db_done (&db);
}

static void
test_rewrite (void)
{
  static const struct
  {
    const char *in, *out;
    int n;
  } cases[] = {
    { "SELECT ?, ?", "SELECT $1, $2", 2 },
    { "SELECT '?', \"a?b\", ? -- ?\n", "SELECT '?', \"a?b\", $1 -- ?\n", 1 },
    { "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1 },
    { "SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1 },
    { "/* ? /* ? */ ? */ ?", "/* ? /* ? */ ? */ $1", 1 },
    { "DO $$ ? $$; SELECT $f$?$f$, ?", "DO $$ ? $$; SELECT $f$?$f$, $1", 1 },
    { "SELECT a$b, ?", "SELECT a$b, $1", 1 },
    { "SELECT 'open ?", "SELECT 'open ?", 0 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int n = -1;
      g_autofree char *out = cl_sql_pg_rewrite_placeholders (cases[i].in, &n);
      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_cmpint (n, ==, cases[i].n);
    }
}

/* The URI's password shows nowhere: not in the description, a statement's error or a refused URI's error. */
static void
test_password_hidden (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("postgresql://cardline:Sekr1tPw@/cardline?%s", strchr (pg_uri (), '?') + 1);
  g_autoptr (ClSql) sql = cl_sql_open_postgresql (uri, &error);
  ClSql *bad;

  g_assert_no_error (error);
  g_assert_null (strstr (cl_sql_describe (sql), "Sekr1tPw"));
  g_assert_nonnull (strstr (cl_sql_describe (sql), "cardline"));
  g_assert_null (cl_sql_prepare (sql, "SELECT * FROM no_such_table", &error));
  g_assert_null (strstr (error->message, "Sekr1tPw"));
  g_clear_error (&error);

  bad = cl_sql_open_postgresql ("postgresql://cardline:Sekr1tPw@/cardline?host=/nonexistent-dir", &error);
  g_assert_null (bad);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_assert_null (strstr (error->message, "Sekr1tPw"));
  g_clear_error (&error);
  bad = cl_sql_open_postgresql ("postgresql://cardline:Sekr1tPw%zz@/cardline", &error);
  g_assert_null (bad);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_test_message ("%s", error->message);
  g_assert_null (strstr (error->message, "Sekr1tPw"));
  g_clear_error (&error);
  bad = cl_sql_open_postgresql ("host=/nonexistent-dir password=Sekr1tPw dbname", &error);
  g_assert_null (bad);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_assert_null (strstr (error->message, "Sekr1tPw"));
}

/* Names of one kind of object, from a query of one text column. */
static GPtrArray *
names (ClSql *sql, const char *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, query, &error);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_assert_no_error (error);
  while (cl_sql_step (stmt, &error) == CL_SQL_STEP_ROW)
    g_ptr_array_add (out, g_strdup (cl_sql_column_text (stmt, 0)));
  g_assert_no_error (error);
  return out;
}

/* Every name of the SQLite schema is in the PostgreSQL one (which may have more, such as TRUNCATE guards). */
static void
assert_names_within (GPtrArray *lite, GPtrArray *pg, const char *what)
{
  for (guint i = 0; i < lite->len; i++)
    if (!cl_store_schema_sqlite_only (lite->pdata[i])
        && !g_ptr_array_find_with_equal_func (pg, lite->pdata[i], g_str_equal, NULL))
      g_error ("%s %s of the SQLite schema is missing from the PostgreSQL one", what, (char *)lite->pdata[i]);
}

static void
assert_same_names (GPtrArray *lite, GPtrArray *pg, const char *what)
{
  assert_names_within (lite, pg, what);
  assert_names_within (pg, lite, what);
}

static void
insert_ok (ClSql *sql, const char *query, gint64 *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, query, &error);
  g_assert_no_error (error);
  if (id)
    {
      g_assert_cmpint (cl_sql_step (stmt, &error), ==, CL_SQL_STEP_ROW);
      *id = cl_sql_column_int64 (stmt, 0);
    }
  g_assert_true (cl_sql_step_done (stmt, &error));
  g_assert_no_error (error);
}

static void
expect_refused (ClSql *sql, const char *query, ClSqlFault fault, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, query, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cl_sql_step (stmt, &error), ==, CL_SQL_STEP_ERROR);
  g_test_message ("%s -> %s", query, error->message);
  g_assert_cmpint (cl_sql_last_fault (sql), ==, fault);
  if (message && !strstr (error->message, message))
    g_error ("%s: expected \"%s\" in \"%s\"", query, message, error->message);
}

/* The PostgreSQL schema: the same tables, columns, indexes and triggers as SQLite's at the current version (with
 * the tables SQLite's store makes on first use), its
 * constraints and triggers at work, and the version bookkeeping. */
static void
test_pg_schema (void)
{
  Db lite_db = { .backend = CL_SQL_SQLITE };
  Db db = { .backend = CL_SQL_POSTGRESQL };
  g_autoptr (ClSql) sql = db_fresh (&db);
  g_autoptr (ClSql) lite = db_fresh (&lite_db);
  g_autoptr (GError) error = NULL;
  gint64 batch, attempt, open_attempt;

  g_assert_true (cl_store_pg_migrate (sql, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (sql, "SELECT version FROM schema_version"), ==, CL_STORE_SCHEMA_VERSION);
  /* Again: nothing to do. */
  g_assert_true (cl_store_pg_migrate (sql, &error));
  g_assert_cmpint (query_int (sql, "SELECT count(*) FROM schema_version"), ==, 1);

  for (guint v = 0; v < cl_store_n_migrations; v++)
    exec_ok (lite, cl_store_migrations[v]);
  exec_ok (lite, cl_store_pin_escrow_sql);
  exec_ok (lite, cl_store_credentials_sql);
  {
    g_autoptr (GPtrArray) lt = names (lite, "SELECT name FROM sqlite_schema WHERE type = 'table'");
    g_autoptr (GPtrArray) pt = names (sql, "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                           "'public' AND table_name <> 'schema_version'");
    g_autoptr (GPtrArray) lc = names (lite, "SELECT t.name || '.' || c.name FROM sqlite_schema t, "
                                            "pragma_table_info(t.name) c WHERE t.type = 'table'");
    g_autoptr (GPtrArray) pc
      = names (sql, "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE table_schema = "
                    "'public' AND table_name <> 'schema_version'");
    g_autoptr (GPtrArray) li = names (lite, "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL");
    g_autoptr (GPtrArray) pi = names (sql, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'");
    g_autoptr (GPtrArray) ltr = names (lite, "SELECT name FROM sqlite_schema WHERE type = 'trigger'");
    g_autoptr (GPtrArray) ptr = names (sql, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal");
    assert_same_names (lt, pt, "table");
    assert_same_names (lc, pc, "column");
    assert_names_within (li, pi, "index");
    assert_names_within (ltr, ptr, "trigger");
  }

  /* Records in, yield figures out. */
  insert_ok (sql,
             "INSERT INTO batches (name, profile_name, profile_hash, quantity, created, state) VALUES ('b1', 'p', "
             "repeat('a', 64), 10, 1, 'RUNNING') RETURNING id",
             &batch);
  insert_ok (sql, "INSERT INTO cards (chip_id, first_seen, last_seen, state) VALUES ('chip-1', 1, 1, 'GOOD')", NULL);
  {
    g_autofree char *q
      = g_strdup_printf ("INSERT INTO attempts (chip_id, batch_id, kind, station, reader, started, ended, result) "
                         "VALUES ('chip-1', %" G_GINT64_FORMAT ", 'PRODUCTION', 's', 'r', 60000000, 120000000, 'GOOD') "
                         "RETURNING id",
                         batch);
    insert_ok (sql, q, &attempt);
  }
  {
    g_autofree char *q = g_strdup_printf ("INSERT INTO attempts (batch_id, kind, station, reader, started) VALUES "
                                          "(%" G_GINT64_FORMAT ", 'PRODUCTION', 's', 'r', 130000000) RETURNING id",
                                          batch);
    insert_ok (sql, q, &open_attempt);
  }
  {
    g_autofree char *q = g_strdup_printf ("UPDATE attempts SET ended = 190000000, result = 'REJECTED', reject_reason = "
                                          "'LOAD_FAILED', failed_step = 'LOAD_APPLET' WHERE id = %" G_GINT64_FORMAT,
                                          open_attempt);
    insert_ok (sql, q, NULL);
  }
  {
    g_autofree char *q = g_strdup_printf ("INSERT INTO steps (attempt_id, step, started, duration_us, result) VALUES "
                                          "(%" G_GINT64_FORMAT ", 'IDENTIFY', 60000000, 2500, 'OK')",
                                          attempt);
    insert_ok (sql, q, NULL);
  }
  /* the fleet's rows (station '') and station s's, which made every attempt: the same figures */
  for (int scope = 0; scope < 4; scope++)
    {
      const char *station = scope < 2 ? "" : "s";
      g_autofree char *q = g_strdup_printf (
        "SELECT fed * 1000000 + chips * 100000 + good * 10000 + rejected * 1000 "
        "+ anonymous * 100 + ended_count FROM yield_totals WHERE scope = %" G_GINT64_FORMAT " AND station = '%s'",
        scope % 2 ? batch : 0, station);
      g_autofree char *m = g_strdup_printf ("SELECT sum(fed) * 100 + sum(good) * 10 + sum(rejected) FROM yield_minutes "
                                            "WHERE scope = %" G_GINT64_FORMAT " AND station = '%s'",
                                            scope % 2 ? batch : 0, station);
      g_assert_cmpint (query_int (sql, q), ==, 2111102); /* 2 fed, 1 chip, 1 good, 1 rejected, 1 anonymous, 2 ended */
      g_assert_cmpint (query_int (sql, m), ==, 211);
    }
  g_assert_cmpint (
    query_int (sql, "SELECT n FROM yield_rejects WHERE scope = 0 AND reason = 'LOAD_FAILED' AND station = 's'"), ==, 1);
  g_assert_cmpint (
    query_int (sql, "SELECT total_us FROM yield_steps WHERE scope = 0 AND step = 'IDENTIFY' AND station = ''"), ==,
    2500);
  g_assert_cmpint (query_int (sql, "SELECT first_pass FROM yield_chips WHERE chip_id = 'chip-1' AND scope = 0"), ==, 1);
  /* QA scraps the chip: the chip's figures follow. */
  insert_ok (sql,
             "INSERT INTO qa_actions (chip_id, action, user_name, created) VALUES ('chip-1', 'SCRAP', 'q', 200000000)",
             NULL);
  g_assert_cmpint (query_int (sql, "SELECT scrapped FROM yield_chips WHERE chip_id = 'chip-1' AND scope = 0"), ==, 1);
  g_assert_cmpint (query_int (sql, "SELECT last_qa FROM yield_totals WHERE scope = 0 AND station = 's'"), ==,
                   200000000);

  /* The guards. */
  expect_refused (sql, "UPDATE steps SET duration_us = 1", CL_SQL_FAULT_CHECK, "steps records are append-only");
  expect_refused (sql, "DELETE FROM qa_actions", CL_SQL_FAULT_CHECK, "qa_actions records are append-only");
  {
    g_autofree char *q = g_strdup_printf ("INSERT INTO pin_escrow (chip_id, attempt_id, created, recipient, contents, "
                                          "envelope) VALUES ('chip-1', %" G_GINT64_FORMAT ", 1, repeat('0', 64), "
                                          "'so-pin', decode('01', 'hex'))",
                                          attempt);
    insert_ok (sql, q, NULL);
  }
  expect_refused (sql, "DELETE FROM pin_escrow", CL_SQL_FAULT_CHECK, "pin_escrow records are append-only");
  expect_refused (sql, "TRUNCATE steps", CL_SQL_FAULT_CHECK, "steps records are append-only");
  {
    g_autofree char *q = g_strdup_printf ("INSERT INTO dispositions (attempt_id, destination, decided) VALUES "
                                          "(%" G_GINT64_FORMAT ", 'OUTPUT', 1)",
                                          attempt);
    insert_ok (sql, q, NULL);
    expect_refused (sql, q, CL_SQL_FAULT_UNIQUE, NULL);
  }
  expect_refused (sql,
                  "INSERT INTO attempts (batch_id, kind, station, reader, started) VALUES (999999, 'PRODUCTION', 's', "
                  "'r', 1)",
                  CL_SQL_FAULT_FOREIGN_KEY, NULL);
  expect_refused (sql,
                  "INSERT INTO attempts (kind, station, reader, started, ended) VALUES ('PRODUCTION', 's', 'r', "
                  "1, 2)",
                  CL_SQL_FAULT_CHECK, NULL);
  insert_ok (sql, "INSERT INTO users (name, role, created) VALUES ('olga', 'OPERATOR', 1)", NULL);
  expect_refused (sql, "UPDATE users SET role = 'ADMIN' WHERE name = 'olga'", CL_SQL_FAULT_CHECK, "role never changes");

  /* A database newer than this build is refused and left as it is. */
  exec_ok (sql, "UPDATE schema_version SET version = 999");
  g_assert_false (cl_store_pg_migrate (sql, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "newer than this Cardline"));
  g_assert_cmpint (query_int (sql, "SELECT version FROM schema_version"), ==, 999);
  db_done (&lite_db);
}

/* A production history in SQL both backends speak: attempts anonymous then identified, ended at insert or later,
 * first and later attempts, two batches, a QA retest (not counted), steps, and QA actions before and after a chip's
 * attempts. */
static const char history[]
  = "INSERT INTO batches (id, name, profile_name, profile_hash, quantity, created, state) VALUES "
    "(1, 'b1', 'p', '"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "', 10, 1, 'RUNNING'), "
    "(2, 'b2', 'p', '"
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    "', 10, 1, 'RUNNING');\n"
    "INSERT INTO cards (chip_id, first_seen, last_seen, state) VALUES ('c1', 1, 1, 'GOOD'), ('c2', 1, 1, 'GOOD'), "
    "('c3', 1, 1, 'GOOD'), ('c4', 1, 1, 'REJECTED'), ('c5', 1, 1, 'REJECTED'), ('c6', 1, 1, 'REJECTED');\n"
    "INSERT INTO attempts (id, batch_id, kind, station, reader, started) VALUES (1, 1, 'PRODUCTION', 's', 'r', "
    "60000000);\n"
    "UPDATE attempts SET chip_id = 'c1' WHERE id = 1;\n"
    "UPDATE attempts SET ended = 125000000, result = 'GOOD' WHERE id = 1;\n"
    "INSERT INTO attempts (id, chip_id, batch_id, kind, station, reader, started, ended, result, reject_reason, "
    "failed_step) VALUES (2, 'c2', 1, 'PRODUCTION', 's', 'r', 130000000, 190000000, 'REJECTED', 'LOAD_FAILED', "
    "'LOAD_APPLET');\n"
    "INSERT INTO attempts (id, chip_id, batch_id, kind, station, reader, started, first_attempt) VALUES "
    "(3, 'c2', 1, 'PRODUCTION', 's', 'r', 200000000, 0);\n"
    "UPDATE attempts SET ended = 250000000, result = 'GOOD' WHERE id = 3;\n"
    "INSERT INTO attempts (id, batch_id, kind, station, reader, started, ended, result, reject_reason, failed_step) "
    "VALUES (4, 2, 'PRODUCTION', 's', 'r', 300000000, 310000000, 'REJECTED', 'NO_ATR', 'IDENTIFY');\n"
    "INSERT INTO attempts (id, batch_id, kind, station, reader, started, ended, result) VALUES "
    "(5, 2, 'PRODUCTION', 's', 'r', 320000000, 380000000, 'GOOD');\n"
    "UPDATE attempts SET chip_id = 'c3' WHERE id = 5;\n"
    "INSERT INTO attempts (id, chip_id, kind, station, reader, started) VALUES (6, 'c2', 'QA_RETEST', 's', 'r', "
    "400000000);\n"
    "INSERT INTO attempts (id, chip_id, batch_id, kind, station, reader, started, ended, result, reject_reason, "
    "failed_step) VALUES (7, 'c4', 1, 'PRODUCTION', 's', 'r', 410000000, 420000000, 'REJECTED', 'TIMEOUT', "
    "'CERTIFY'), (8, 'c5', 2, 'PRODUCTION', 's', 'r', 430000000, 440000000, 'REJECTED', 'TIMEOUT', 'CERTIFY');\n"
    "INSERT INTO steps (attempt_id, step, started, duration_us, result) VALUES (1, 'IDENTIFY', 60000000, 1000, "
    "'OK'), (2, 'LOAD_APPLET', 130000000, 5000, 'FAILED'), (4, 'IDENTIFY', 300000000, 700, 'FAILED'), "
    "(6, 'IDENTIFY', 400000000, 900, 'OK'), (3, 'IDENTIFY', 200000000, 1100, 'OK');\n"
    "INSERT INTO qa_actions (chip_id, action, user_name, created) VALUES ('c4', 'RECOVER', 'q', 500000000), "
    "('c5', 'SCRAP', 'q', 510000000), ('c5', 'NOTE', 'q', 520000000), ('c6', 'RECOVER', 'q', 530000000);\n"
    "INSERT INTO attempts (id, chip_id, batch_id, kind, station, reader, started, ended, result, reject_reason, "
    "failed_step) VALUES (9, 'c6', 1, 'PRODUCTION', 's', 'r', 540000000, 600000000, 'REJECTED', 'VERIFY_FAILED', "
    "'VERIFY');\n";

/* A table's rows as text, in its key's order. */
static char *
dump (ClSql *sql, const char *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, query, &error);
  GString *out = g_string_new (NULL);
  g_assert_no_error (error);
  while (cl_sql_step (stmt, &error) == CL_SQL_STEP_ROW)
    {
      for (int i = 0; i < cl_sql_column_count (stmt); i++)
        g_string_append_printf (out, "%s%s", i ? "|" : "",
                                cl_sql_column_type (stmt, i) == CL_SQL_NULL ? "-" : cl_sql_column_text (stmt, i));
      g_string_append_c (out, '\n');
    }
  g_assert_no_error (error);
  return g_string_free (out, FALSE);
}

/* The yield triggers mean the same on both backends: one history, the same figures row for row. */
static void
test_pg_yield_same (void)
{
  static const char *const tables[] = {
    /* by name: version 13 put station first on SQLite, last on PostgreSQL (added in place) */
    "SELECT station, scope, fed, anonymous, chips, good, first_pass_good, rejected, recovered, scrapped, ended_count, "
    "cycle_us, first_started, last_ended, last_qa FROM yield_totals ORDER BY station, scope",
    "SELECT chip_id, station, scope, fed_at, good_at, first_pass, recovered_at, scrapped, qa_last FROM yield_chips "
    "ORDER BY chip_id, station, scope",
    "SELECT station, scope, minute, fed, good, first_pass_good, rejected, chips_fed, chips_ok FROM yield_minutes "
    "ORDER BY station, scope, minute",
    "SELECT station, scope, reason, step, n FROM yield_rejects ORDER BY station, scope, reason, step",
    "SELECT station, scope, step, n, total_us FROM yield_steps ORDER BY station, scope, step",
  };
  Db lite_db = { .backend = CL_SQL_SQLITE };
  Db db = { .backend = CL_SQL_POSTGRESQL };
  g_autoptr (ClSql) sql = db_fresh (&db);
  g_autoptr (ClSql) lite = db_fresh (&lite_db);
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_store_pg_migrate (sql, &error));
  g_assert_no_error (error);
  for (guint v = 0; v < cl_store_n_migrations; v++)
    exec_ok (lite, cl_store_migrations[v]);
  exec_ok (lite, history);
  exec_ok (sql, history);
  for (gsize i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *want = dump (lite, tables[i]);
      g_autofree char *got = dump (sql, tables[i]);
      g_test_message ("%s:\n%s", tables[i], want);
      g_assert_cmpstr (want, !=, "");
      g_assert_cmpstr (got, ==, want);
    }
  db_done (&lite_db);
}

static gboolean
step_fails_with (ClSql *sql, ClSqlStmt *stmt, ClSqlFault fault)
{
  g_autoptr (GError) error = NULL;
  if (cl_sql_step (stmt, &error) != CL_SQL_STEP_ERROR)
    return FALSE;
  g_test_message ("%s", error->message);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  return cl_sql_last_fault (sql) == fault;
}

/* The server goes away under an open connection: the call that finds it fails UNREACHABLE, calls while it is down
 * fail UNREACHABLE, and once it is back the same connection and statements work again without the caller doing
 * anything. A transaction open at the loss is refused until rolled back, so none of it runs outside it. */
static void
test_reconnect (void)
{
  Db db = { .backend = CL_SQL_POSTGRESQL };
  g_autoptr (ClSql) sql = db_fresh (&db);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) ins = NULL;
  g_autoptr (ClSqlStmt) count = NULL;

  exec_ok (sql, "CREATE TABLE kept (name TEXT PRIMARY KEY NOT NULL)");
  ins = cl_sql_prepare (sql, "INSERT INTO kept (name) VALUES (?)", &error);
  count = cl_sql_prepare (sql, "SELECT count(*) FROM kept", &error);
  g_assert_no_error (error);
  cl_sql_bind_text (ins, 1, "before");
  g_assert_true (cl_sql_step_done (ins, &error));
  cl_sql_reset (ins);

  /* Lost outside a transaction. */
  store_fixture_rig_pg ("pg-stop");
  g_assert_true (step_fails_with (sql, count, CL_SQL_FAULT_UNREACHABLE));
  cl_sql_reset (count);
  g_assert_true (step_fails_with (sql, count, CL_SQL_FAULT_UNREACHABLE));
  cl_sql_reset (count);
  g_assert_false (cl_sql_exec (sql, "SELECT 1", &error));
  g_assert_cmpint (cl_sql_last_fault (sql), ==, CL_SQL_FAULT_UNREACHABLE);
  g_clear_error (&error);
  store_fixture_rig_pg ("pg-start");
  g_assert_cmpint (cl_sql_step (count, &error), ==, CL_SQL_STEP_ROW);
  g_assert_no_error (error);
  g_assert_cmpint (cl_sql_column_int64 (count, 0), ==, 1);
  cl_sql_reset (count);

  /* Lost inside a transaction: the row inserted before the loss is gone with it, and the next insert is refused
   * until the caller rolls back. */
  exec_ok (sql, "BEGIN");
  cl_sql_bind_text (ins, 1, "in-lost-transaction");
  g_assert_true (cl_sql_step_done (ins, &error));
  cl_sql_reset (ins);
  store_fixture_rig_pg ("pg-stop");
  cl_sql_bind_text (ins, 1, "during-outage");
  g_assert_true (step_fails_with (sql, ins, CL_SQL_FAULT_UNREACHABLE));
  cl_sql_reset (ins);
  store_fixture_rig_pg ("pg-start");
  cl_sql_bind_text (ins, 1, "after-outage");
  g_assert_true (step_fails_with (sql, ins, CL_SQL_FAULT_CONFLICT));
  cl_sql_reset (ins);
  exec_ok (sql, "ROLLBACK");
  cl_sql_bind_text (ins, 1, "after-rollback");
  g_assert_true (cl_sql_step_done (ins, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (sql, "SELECT count(*) FROM kept"), ==, 2);
  g_assert_cmpint (query_int (sql, "SELECT count(*) FROM kept WHERE name IN ('before', 'after-rollback')"), ==, 2);
}

int
main (int argc, char **argv)
{
  static const struct
  {
    const char *name;
    GTestDataFunc func;
  } cases[] = {
    { "types", test_types },   { "returning-changes", test_returning_changes },
    { "faults", test_faults }, { "rollback", test_rollback },
    { "race", test_race },     { "many-texts", test_many_texts },
  };

  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *lite = g_strdup_printf ("/sql/sqlite/%s", cases[i].name);
      g_autofree char *pg = g_strdup_printf ("/sql/postgresql/%s", cases[i].name);
      g_test_add_data_func (lite, GINT_TO_POINTER (CL_SQL_SQLITE), cases[i].func);
      g_test_add_data_func (pg, GINT_TO_POINTER (CL_SQL_POSTGRESQL), cases[i].func);
    }
  g_test_add_func ("/sql/postgresql/rewrite", test_rewrite);
  g_test_add_func ("/sql/postgresql/password-hidden", test_password_hidden);
  g_test_add_func ("/sql/postgresql/schema", test_pg_schema);
  g_test_add_func ("/sql/postgresql/yield-same", test_pg_yield_same);
  /* Last: it stops and starts the server. */
  g_test_add_func ("/sql/postgresql/reconnect", test_reconnect);
  return g_test_run ();
}
