/* bench-sql: the records of one card in raw SQL through cl-sql.h (an attempt inserted RETURNING its id, identified,
 * 8 steps, ended, its disposition; one transaction per card, as the line commits them), on SQLite (WAL,
 * synchronous FULL, as the store opens it) and on PostgreSQL (the rig's, CARDLINE_TEST_PG_URI; default settings,
 * fsync on), each with its schema and yield triggers. Prints cards/s and ms per card for each.
 * Usage: rig-run --parts pg -- bench-sql [N] */
#include <glib/gstdio.h>

#include "store/cl-sql.h"
#include "store/cl-store-private.h"
#include "store/cl-store-schema-pg.h"

static void
check (gboolean ok, GError *error)
{
  if (!ok)
    g_error ("bench-sql: %s", error ? error->message : "failed");
}

static void
run_done (ClSql *sql, ClSqlStmt *stmt)
{
  g_autoptr (GError) error = NULL;
  check (cl_sql_step_done (stmt, &error), error);
  cl_sql_reset (stmt);
}

static void
record_card (ClSql *sql, gint64 batch, guint n, gint64 t)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *chip = g_strdup_printf ("4790%08X", n);
  g_autoptr (ClSqlStmt) card = cl_sql_prepare (
    sql, "INSERT INTO cards (chip_id, first_seen, last_seen, state) VALUES (?, ?, ?, 'BLANK')", &error);
  g_autoptr (ClSqlStmt) begin = cl_sql_prepare (sql,
                                                "INSERT INTO attempts (batch_id, kind, station, reader, started) "
                                                "VALUES (?, 'PRODUCTION', 'line-1', 'Reader 0', ?) RETURNING id",
                                                &error);
  g_autoptr (ClSqlStmt) identify = cl_sql_prepare (sql, "UPDATE attempts SET chip_id = ? WHERE id = ?", &error);
  g_autoptr (ClSqlStmt) step = cl_sql_prepare (sql,
                                               "INSERT INTO steps (attempt_id, step, started, duration_us, result, "
                                               "last_sw) VALUES (?, ?, ?, 900000, 'OK', 36864)",
                                               &error);
  g_autoptr (ClSqlStmt) end
    = cl_sql_prepare (sql, "UPDATE attempts SET ended = ?, result = 'GOOD', last_sw = 36864 WHERE id = ?", &error);
  g_autoptr (ClSqlStmt) dispose = cl_sql_prepare (
    sql, "INSERT INTO dispositions (attempt_id, destination, decided) VALUES (?, 'OUTPUT', ?)", &error);
  static const char *const steps[]
    = { "IDENTIFY", "OPEN_KST", "CONFIGURE", "ROTATE_KEYS", "LOAD_APPLET", "INIT_APPLET", "CERTIFY", "VERIFY" };
  gint64 id;

  check (dispose != NULL, error);
  check (cl_sql_exec (sql, "BEGIN", &error), error);
  cl_sql_bind_text (card, 1, chip);
  cl_sql_bind_int64 (card, 2, t);
  cl_sql_bind_int64 (card, 3, t);
  run_done (sql, card);
  cl_sql_bind_int64 (begin, 1, batch);
  cl_sql_bind_int64 (begin, 2, t);
  check (cl_sql_step (begin, &error) == CL_SQL_STEP_ROW, error);
  id = cl_sql_column_int64 (begin, 0);
  check (cl_sql_step (begin, &error) == CL_SQL_STEP_DONE, error);
  cl_sql_reset (begin);
  cl_sql_bind_text (identify, 1, chip);
  cl_sql_bind_int64 (identify, 2, id);
  run_done (sql, identify);
  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      cl_sql_bind_int64 (step, 1, id);
      cl_sql_bind_text (step, 2, steps[s]);
      cl_sql_bind_int64 (step, 3, t + s * G_USEC_PER_SEC);
      run_done (sql, step);
    }
  cl_sql_bind_int64 (end, 1, t + 8 * G_USEC_PER_SEC);
  cl_sql_bind_int64 (end, 2, id);
  run_done (sql, end);
  cl_sql_bind_int64 (dispose, 1, id);
  cl_sql_bind_int64 (dispose, 2, t + 8 * G_USEC_PER_SEC);
  run_done (sql, dispose);
  check (cl_sql_exec (sql, "COMMIT", &error), error);
}

static void
bench (ClSql *sql, const char *name, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTimer) timer = g_timer_new ();
  g_autoptr (ClSqlStmt) batch = cl_sql_prepare (
    sql,
    "INSERT INTO batches (name, profile_name, profile_hash, quantity, created, state) VALUES ('BENCH', "
    "'smartcard-hsm', '0000000000000000000000000000000000000000000000000000000000000000', ?, 1, 'RUNNING') "
    "RETURNING id",
    &error);
  gint64 batch_id, t0 = (gint64)1700000000 * G_USEC_PER_SEC;
  double s;

  check (batch != NULL, error);
  cl_sql_bind_int64 (batch, 1, n);
  check (cl_sql_step (batch, &error) == CL_SQL_STEP_ROW, error);
  batch_id = cl_sql_column_int64 (batch, 0);
  /* SQLite keeps the insert's write transaction open until its statement is done. */
  check (cl_sql_step (batch, &error) == CL_SQL_STEP_DONE, error);
  g_timer_start (timer);
  for (guint i = 0; i < n; i++)
    record_card (sql, batch_id, i, t0 + (gint64)i * 10 * G_USEC_PER_SEC);
  s = g_timer_elapsed (timer, NULL);
  g_print ("%-10s %u cards in %.2f s: %.0f cards/s, %.2f ms per card (12 statements, one transaction)\n", name, n, s,
           n / s, 1000.0 * s / n);
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 500;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-sql-XXXXXX", &error);
  g_autofree char *path = NULL;
  const char *uri = g_getenv ("CARDLINE_TEST_PG_URI");

  check (dir != NULL, error);
  path = g_build_filename (dir, "bench.db", NULL);
  {
    g_autoptr (ClSql) lite = cl_sql_open_sqlite (path, FALSE, &error);
    check (lite != NULL, error);
    check (
      cl_sql_exec (lite, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", &error),
      error);
    for (guint v = 0; v < cl_store_n_migrations; v++)
      check (cl_sql_exec (lite, cl_store_migrations[v], &error), error);
    bench (lite, "SQLite", n);
  }
  if (!uri)
    g_error ("bench-sql: CARDLINE_TEST_PG_URI is not set: run under tests/rig/rig-run --parts pg");
  {
    g_autoptr (ClSql) pg = cl_sql_open_postgresql (uri, &error);
    check (pg != NULL, error);
    check (cl_store_pg_migrate (pg, &error), error);
    bench (pg, "PostgreSQL", n);
  }
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
  return 0;
}
