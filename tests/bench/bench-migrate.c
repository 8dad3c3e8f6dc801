/* bench-migrate: a version-12 SQLite store of N cards (default 1,000,000) upgraded as a station would upgrade it:
 * the time of schema version 13 (the yield figures by station, cl-store-schema-stations.h) alone, then of the whole
 * cl_store_open that follows, this process's CPU time and the machine's load over each.
 *
 *   bench-migrate [N] [KEEP-DIR]
 *
 * KEEP-DIR: the version-12 file is kept there as v12.db (before the upgrade) and the upgraded one as upgraded.db; if
 * KEEP-DIR/v12.db exists already it is upgraded instead of a new history (N is then ignored): two builds upgrade the
 * same store, and sqlite3 compares what they made.
 *
 * The history is bench-dashboard's (bench-dashboard-fill.c), written into a current store; its records are copied
 * into a store made to version 12 by the migrations themselves, with version 12's yield tables given the fleet's
 * rows ('' station) of the current one, which are version 12's (test-store-stations holds the two to each other).
 * The copy runs with the record tables' triggers dropped and made again after, so a million rows do not go through
 * them one by one. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "bench-common.h"
#include "bench-dashboard-fill.h"
#include "store/cl-store-private.h"

static const char *const records[] = { "batches", "cards", "attempts", "steps", "dispositions", "qa_actions" };
/* version 12's yield tables and their columns (version 13 adds station) */
static const char *const yield_v12[][2] = {
  { "yield_totals", "scope, fed, anonymous, chips, good, first_pass_good, rejected, recovered, scrapped, ended_count, "
                    "cycle_us, first_started, last_ended, last_qa" },
  { "yield_chips", "chip_id, scope, fed_at, good_at, first_pass, recovered_at, scrapped, qa_last" },
  { "yield_minutes", "scope, minute, fed, good, first_pass_good, rejected, chips_fed, chips_ok" },
  { "yield_rejects", "scope, reason, step, n" },
  { "yield_steps", "scope, step, n, total_us" },
};

static void
exec_or_die (ClSql *sql, const char *script)
{
  g_autoptr (GError) error = NULL;

  if (!cl_sql_exec (sql, script, &error))
    g_error ("bench-migrate: %s\n  in: %.200s", error->message, script);
}

static void
make_v12 (const char *path, const char *scratch)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSql) sql = cl_sql_open_sqlite (path, FALSE, &error);
  g_autoptr (GPtrArray) triggers = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *attach = g_strdup_printf ("ATTACH '%s' AS s", scratch);

  g_assert_no_error (error);
  exec_or_die (sql, "PRAGMA journal_mode = WAL; PRAGMA cache_size = -1048576; BEGIN");
  for (guint v = 0; v < 12; v++)
    exec_or_die (sql, cl_store_migrations[v]);
  exec_or_die (sql, "PRAGMA user_version = 12; COMMIT");
  exec_or_die (sql, attach);
  exec_or_die (sql, "BEGIN");
  {
    g_autoptr (ClSqlStmt) stmt
      = cl_sql_prepare (sql,
                        "SELECT name, sql FROM main.sqlite_schema WHERE type = 'trigger' AND tbl_name IN "
                        "('batches', 'cards', 'attempts', 'steps', 'dispositions', 'qa_actions')",
                        &error);

    g_assert_no_error (error);
    while (cl_sql_step (stmt, &error) == CL_SQL_STEP_ROW)
      {
        g_ptr_array_add (triggers, g_strdup_printf ("DROP TRIGGER main.\"%s\"", cl_sql_column_text (stmt, 0)));
        g_ptr_array_add (triggers, g_strdup (cl_sql_column_text (stmt, 1)));
      }
    g_assert_no_error (error);
  }
  for (guint i = 0; i < triggers->len; i += 2)
    exec_or_die (sql, triggers->pdata[i]);
  for (guint t = 0; t < G_N_ELEMENTS (records); t++)
    {
      g_autofree char *copy = g_strdup_printf ("INSERT INTO main.%s SELECT * FROM s.%s", records[t], records[t]);

      exec_or_die (sql, copy);
    }
  for (guint t = 0; t < G_N_ELEMENTS (yield_v12); t++)
    {
      g_autofree char *copy
        = g_strdup_printf ("DELETE FROM main.%s; INSERT INTO main.%s (%s) SELECT %s FROM s.%s WHERE station = ''",
                           yield_v12[t][0], yield_v12[t][0], yield_v12[t][1], yield_v12[t][1], yield_v12[t][0]);

      exec_or_die (sql, copy);
    }
  for (guint i = 1; i < triggers->len; i += 2)
    exec_or_die (sql, triggers->pdata[i]);
  exec_or_die (sql, "COMMIT; DETACH s; PRAGMA wal_checkpoint(TRUNCATE)");
}

/* A closed SQLite file (its WAL checkpointed into it) copied. */
static void
copy_or_die (const char *from, const char *to)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (from, &contents, &length, &error) || !g_file_set_contents (to, contents, length, &error))
    g_error ("bench-migrate: %s", error->message);
}

static gint64
count (ClSql *sql, const char *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, query, &error);

  g_assert_no_error (error);
  g_assert_true (cl_sql_step (stmt, &error) == CL_SQL_STEP_ROW);
  return cl_sql_column_int64 (stmt, 0);
}

int
main (int argc, char **argv)
{
  guint n_cards = argc > 1 ? (guint)strtoul (argv[1], NULL, 10) : 1000000;
  const char *keep = argc > 2 ? argv[2] : NULL;
  g_autofree char *kept_v12 = keep ? g_build_filename (keep, "v12.db", NULL) : NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-migrate-XXXXXX", &error);
  g_autofree char *scratch = NULL;
  g_autofree char *path = NULL;
  BenchLoad a, b;
  gint64 t;
  double cpu;

  g_assert_no_error (error);
  scratch = g_build_filename (dir, "scratch.db", NULL);
  path = g_build_filename (dir, "v12.db", NULL);
  printf ("bench-migrate: %u cards, a version-12 SQLite store upgraded to %d\n", n_cards, CL_STORE_SCHEMA_VERSION);
  if (kept_v12 && g_file_test (kept_v12, G_FILE_TEST_EXISTS))
    copy_or_die (kept_v12, path);
  else
    {
      {
        g_autoptr (ClStore) store = cl_store_open (scratch, &error);

        g_assert_no_error (error);
        bench_dashboard_fill (store, n_cards);
      }
      make_v12 (path, scratch);
      if (kept_v12)
        copy_or_die (path, kept_v12);
    }
  {
    g_autoptr (ClSql) sql = cl_sql_open_sqlite (path, FALSE, &error);

    g_assert_no_error (error);
    printf ("  version 12: %" G_GINT64_FORMAT " attempts, %" G_GINT64_FORMAT " steps, %" G_GINT64_FORMAT
            " yield_chips rows\n",
            count (sql, "SELECT count(*) FROM attempts"), count (sql, "SELECT count(*) FROM steps"),
            count (sql, "SELECT count(*) FROM yield_chips"));
    /* as cl_store_open sets up its connection, then version 13 in its transaction as migrate() runs it */
    exec_or_die (sql, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
    bench_load_read (&a);
    t = g_get_monotonic_time ();
    cpu = bench_process_cpu_s (RUSAGE_SELF);
    exec_or_die (sql, "BEGIN");
    exec_or_die (sql, cl_store_migrations[12]);
    exec_or_die (sql, "PRAGMA user_version = 13; COMMIT");
    bench_load_read (&b);
    printf ("  schema version 13 (yield by station): %.1f s (CPU %.1f s)\n", (g_get_monotonic_time () - t) / 1e6,
            bench_process_cpu_s (RUSAGE_SELF) - cpu);
    bench_load_print (&a, &b, "children");
    printf ("  version 13: %" G_GINT64_FORMAT " yield_chips rows, %" G_GINT64_FORMAT " yield_minutes rows\n",
            count (sql, "SELECT count(*) FROM yield_chips"), count (sql, "SELECT count(*) FROM yield_minutes"));
  }
  bench_load_read (&a);
  t = g_get_monotonic_time ();
  cpu = bench_process_cpu_s (RUSAGE_SELF);
  {
    g_autoptr (ClStore) G_GNUC_UNUSED store = cl_store_open (path, &error);

    g_assert_no_error (error);
  }
  bench_load_read (&b);
  printf ("  cl_store_open from version 13 on (the later migrations and the open's checks): %.1f s (CPU %.1f s)\n",
          (g_get_monotonic_time () - t) / 1e6, bench_process_cpu_s (RUSAGE_SELF) - cpu);
  bench_load_print (&a, &b, "children");
  if (keep)
    {
      g_autofree char *upgraded = g_build_filename (keep, "upgraded.db", NULL);

      copy_or_die (path, upgraded);
    }
  for (guint i = 0; i < 2; i++)
    for (guint j = 0; j < 3; j++)
      {
        g_autofree char *file = g_strconcat (i ? path : scratch, (const char *[]){ "", "-wal", "-shm" }[j], NULL);

        g_unlink (file);
      }
  g_rmdir (dir);
  return 0;
}
