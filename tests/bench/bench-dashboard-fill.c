/* bench-dashboard-fill.c: the dashboard bench's history in bulk SQL, on SQLite and on PostgreSQL.
 *
 * 100,000 cards (or N) over five days, five batches and four stations (an attempt's station by its id, so a re-fed
 * card moves): every attempt with its steps and disposition, ~8 % rejects
 * over several reasons and steps, a third of them re-fed good, some recovered or scrapped by QA. One transaction:
 * the public API's durable per-call commits would measure the disk, not the dashboard. The yield triggers are off
 * for the fill (a million rows through them one by one took over 15 minutes on SQLite) and the aggregate tables
 * are rebuilt from the rows at the end: on SQLite by the store's own migration that made them what they are
 * (version 13's, which drops, recreates and backfills them, the fleet's rows and each station's), on PostgreSQL by
 * rebuild_pg below, which bench_dashboard_check_rebuild compares with what the triggers accumulate. */
#include "bench-dashboard-fill.h"

#include <stdio.h>

#include "store/cl-store-private.h"
#include "store/cl-store-schema-stations.h"
#include "store/cl-store-schema-rejects.h"

static const ClRejectReason reasons[]
  = { CL_REJECT_NO_ATR,      CL_REJECT_AUTH_KST_FAILED, CL_REJECT_LOAD_FAILED,  CL_REJECT_INIT_FAILED,
      CL_REJECT_CERT_FAILED, CL_REJECT_VERIFY_FAILED,   CL_REJECT_CARD_REMOVED, CL_REJECT_TIMEOUT };
static const ClProductionStep reason_steps[]
  = { CL_STEP_IDENTIFY, CL_STEP_OPEN_KST, CL_STEP_LOAD_APPLET, CL_STEP_INIT_APPLET,
      CL_STEP_CERTIFY,  CL_STEP_VERIFY,   CL_STEP_ROTATE_KEYS, CL_STEP_CERTIFY };
static const gint64 step_ms[CL_PRODUCTION_STEP_COUNT] = { 120, 180, 60, 350, 2400, 1600, 900, 400, 0, 300 };

/* The tables the triggers keep: the yield aggregates and each chip's latest rejection. */
static const char *const yield_tables[]
  = { "yield_totals", "yield_chips", "yield_minutes", "yield_rejects", "yield_steps", "reject_latest" };
/* The tables whose rows the yield triggers count. */
#define DISABLE_YIELD_TRIGGERS                                                                                         \
  "ALTER TABLE attempts DISABLE TRIGGER USER; ALTER TABLE steps DISABLE TRIGGER USER; "                                \
  "ALTER TABLE qa_actions DISABLE TRIGGER USER"
#define ENABLE_YIELD_TRIGGERS                                                                                          \
  "ALTER TABLE attempts ENABLE TRIGGER USER; ALTER TABLE steps ENABLE TRIGGER USER; "                                  \
  "ALTER TABLE qa_actions ENABLE TRIGGER USER"

/* every attempt: the first feed, a good re-feed an hour later, a good QA re-test two hours later */
#define PLAN_ROWS                                                                                                      \
  "SELECT i, 0 AS o, chip, batch, 'PRODUCTION' AS kind, started, 1 AS first, fail FROM gen UNION ALL "                 \
  "SELECT i, 1, chip, batch, 'PRODUCTION', started + 3600000000, 0, NULL FROM gen "                                    \
  "WHERE fail IS NOT NULL AND fate < 3 UNION ALL "                                                                     \
  "SELECT i, 1, chip, NULL, 'QA_RETEST', started + 7200000000, 0, NULL FROM gen WHERE fail IS NOT NULL AND fate = 3"

/* What the yield triggers of cl-store-schema-pg.c accumulate, computed from the rows at once. For records inserted
 * as the fill and the API write them (nothing moves a chip's first eject or made-good time to another minute, which
 * would leave the triggers' emptied minute rows behind) it is the same, row for row: bench_dashboard_check_rebuild
 * compares. yield_chips' own triggers are off while it is filled: its figures in yield_totals and yield_minutes are
 * summed here from it. */
static const char rebuild_pg[]
  = "ALTER TABLE yield_chips DISABLE TRIGGER USER;\n"
    "TRUNCATE yield_totals, yield_chips, yield_minutes, yield_rejects, yield_steps;\n"
    /* each attempt in its (station, scope) rows: the fleet's ('') and its station's, all batches (0) and its batch */
    "CREATE TEMP VIEW scoped AS SELECT s.st, b.scope, a.* FROM attempts a "
    "CROSS JOIN LATERAL (VALUES ('', 0), (a.station, 1)) s(st, k) "
    "CROSS JOIN LATERAL (VALUES (0::BIGINT), (a.batch_id)) b(scope) "
    "WHERE a.kind = 'PRODUCTION' AND (s.k = 0 OR a.station <> '') AND b.scope IS NOT NULL;\n"
    /* a chip per station and scope it was fed in: first eject, first good eject, and what QA says of it */
    "INSERT INTO yield_chips (chip_id, station, scope, fed_at, good_at, first_pass, recovered_at, scrapped, qa_last) "
    "SELECT a.chip_id, a.st, a.scope, min(a.ended), min(a.ended) FILTER (WHERE a.result = 'GOOD'), "
    "max((a.result IS NOT DISTINCT FROM 'GOOD' AND a.first_attempt = 1)::INT), q.recovered_at, "
    "coalesce(q.scrapped, 0), q.qa_last FROM scoped a LEFT JOIN (SELECT chip_id, "
    "min(created) FILTER (WHERE action = 'RECOVER') AS recovered_at, max((action = 'SCRAP')::INT) AS scrapped, "
    "max(created) AS qa_last FROM qa_actions GROUP BY chip_id) q ON q.chip_id = a.chip_id "
    "WHERE a.chip_id IS NOT NULL GROUP BY a.chip_id, a.st, a.scope, q.recovered_at, q.scrapped, q.qa_last;\n"
    "INSERT INTO yield_totals (station, scope, fed, anonymous, chips, good, first_pass_good, rejected, recovered, "
    "scrapped, ended_count, cycle_us, first_started, last_ended, last_qa) "
    "SELECT coalesce(a.st, c.station), coalesce(a.scope, c.scope), coalesce(a.fed, 0), coalesce(a.anonymous, 0), "
    "coalesce(c.chips, 0), coalesce(c.good, 0), coalesce(c.first_pass_good, 0), coalesce(a.rejected, 0), "
    "coalesce(c.recovered, 0), coalesce(c.scrapped, 0), coalesce(a.ended_count, 0), coalesce(a.cycle_us, 0), "
    "a.first_started, a.last_ended, c.last_qa FROM (SELECT st, scope, count(*) AS fed, "
    "count(*) FILTER (WHERE chip_id IS NULL) AS anonymous, "
    "count(*) FILTER (WHERE result = 'REJECTED') AS rejected, count(ended) AS ended_count, "
    "coalesce(sum(ended - started), 0) AS cycle_us, min(started) AS first_started, max(ended) AS last_ended "
    "FROM scoped GROUP BY st, scope) a FULL JOIN (SELECT station, scope, count(*) AS chips, count(good_at) AS good, "
    "sum(first_pass) AS first_pass_good, "
    "count(*) FILTER (WHERE recovered_at IS NOT NULL AND good_at IS NULL) AS recovered, "
    "count(*) FILTER (WHERE scrapped <> 0 AND good_at IS NULL) AS scrapped, max(qa_last) AS last_qa "
    "FROM yield_chips GROUP BY station, scope) c ON c.station = a.st AND c.scope = a.scope;\n"
    /* attempts by the minute of their eject (an anonymous one counts as a chip fed), chips by the minute of their
     * first eject and of their made-good time */
    "INSERT INTO yield_minutes (station, scope, minute, fed, good, first_pass_good, rejected, chips_fed, chips_ok) "
    "SELECT st, scope, minute, sum(fed), sum(good), sum(first_pass_good), sum(rejected), sum(chips_fed), "
    "sum(chips_ok) FROM (SELECT st, scope, ended / 60000000 AS minute, count(*) AS fed, "
    "count(*) FILTER (WHERE result = 'GOOD') AS good, "
    "count(*) FILTER (WHERE result = 'GOOD' AND first_attempt = 1) AS first_pass_good, "
    "count(*) FILTER (WHERE result = 'REJECTED') AS rejected, count(*) FILTER (WHERE chip_id IS NULL) AS chips_fed, "
    "0 AS chips_ok FROM scoped WHERE ended IS NOT NULL GROUP BY 1, 2, 3 UNION ALL "
    "SELECT station, scope, fed_at / 60000000, 0, 0, 0, 0, count(*), 0 FROM yield_chips WHERE fed_at IS NOT NULL "
    "GROUP BY 1, 2, 3 UNION ALL SELECT station, scope, coalesce(good_at, recovered_at) / 60000000, 0, 0, 0, 0, 0, "
    "count(*) FROM yield_chips WHERE coalesce(good_at, recovered_at) IS NOT NULL GROUP BY 1, 2, 3) m "
    "GROUP BY st, scope, minute;\n"
    "INSERT INTO yield_rejects (station, scope, reason, step, n) SELECT st, scope, reject_reason, failed_step, "
    "count(*) FROM scoped WHERE result = 'REJECTED' GROUP BY 1, 2, 3, 4;\n"
    "INSERT INTO yield_steps (station, scope, step, n, total_us) SELECT a.st, a.scope, s.step, count(*), "
    "sum(s.duration_us) FROM steps s JOIN scoped a ON a.id = s.attempt_id GROUP BY 1, 2, 3;\n"
    "DROP VIEW scoped;\n"
    "ALTER TABLE yield_chips ENABLE TRIGGER USER;\n"
  /* and each chip's latest rejection, as the migration that made the table fills it */
  REJECT_LATEST_REBUILD;

static void
exec_or_die (ClStore *store, const char *sql)
{
  g_autoptr (GError) error = NULL;

  if (!cl_store_exec (store, sql, &error))
    g_error ("bench-dashboard: %s\n  in: %.200s", error->message, sql);
}

static gint64
create_batches (ClStore *store, guint n_cards)
{
  gint64 first_batch = 0;

  for (guint b = 0; b < 5; b++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("BATCH-%u", b + 1);
      gint64 id = cl_store_batch_create (store, name, "bench.profile",
                                         "0000000000000000000000000000000000000000000000000000000000000000",
                                         n_cards / 5, "bench", &error);

      g_assert_no_error (error);
      if (b == 0)
        first_batch = id;
      g_assert_cmpint (id, ==, first_batch + b);
    }
  return first_batch;
}

/* The history's statements, one per ";\n", in the store's dialect. */
static char *
history_sql (ClStore *store, guint n_cards)
{
  gboolean pg = cl_store_backend (store) == CL_SQL_POSTGRESQL;
  gint64 t0 = g_get_real_time () - (gint64)5 * 24 * 3600 * G_USEC_PER_SEC;
  gint64 spacing = (gint64)5 * 24 * 3600 * G_USEC_PER_SEC / n_cards;
  gint64 first_batch = create_batches (store, n_cards);
  GString *sql = g_string_new (NULL);

  g_string_append (sql, "CREATE TEMP TABLE k (s INTEGER PRIMARY KEY, name TEXT NOT NULL, ms INTEGER NOT NULL);\n"
                        "CREATE TEMP TABLE f (f INTEGER PRIMARY KEY, reason TEXT NOT NULL, step INTEGER NOT NULL);\n");
  /* the steps a card goes through (the face is not printed here) */
  for (guint st = CL_STEP_IDENTIFY; st <= CL_STEP_DISPOSE; st++)
    if (st != CL_STEP_FACE)
      g_string_append_printf (sql, "INSERT INTO k VALUES (%u, '%s', %" G_GINT64_FORMAT ");\n", st,
                              cl_production_step_to_string (st), step_ms[st]);
  for (guint r = 0; r < G_N_ELEMENTS (reasons); r++)
    g_string_append_printf (sql, "INSERT INTO f VALUES (%u, '%s', %d);\n", r, cl_reject_reason_to_string (reasons[r]),
                            (int)reason_steps[r]);
  /* each card: ~8 % rejected first (fail), and fate for those: 0-2 re-fed good, 3 recovered by a QA re-test,
   * 4 scrapped, 5-9 left rejected */
  if (pg)
    g_string_append_printf (
      sql,
      "CREATE TEMP TABLE gen AS SELECT i, format('4790%%s', lpad(upper(to_hex(i)), 12, '0')) AS chip, "
      "format('DE%%s', lpad(i::TEXT, 8, '0')) AS serial, %" G_GINT64_FORMAT " + i * %" G_GINT64_FORMAT
      " AS started, %" G_GINT64_FORMAT " + i * 5 / %u AS batch, "
      "CASE WHEN random() < 0.08 THEN floor(random() * %u)::INT END AS fail, floor(random() * 10)::INT AS fate "
      "FROM generate_series(0::BIGINT, %u) AS i;\n",
      t0, spacing, first_batch, n_cards, (guint)G_N_ELEMENTS (reasons), n_cards - 1);
  else
    g_string_append_printf (
      sql,
      "CREATE TEMP TABLE gen AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %u) "
      "SELECT i, printf('4790%%012X', i) AS chip, printf('DE%%08d', i) AS serial, %" G_GINT64_FORMAT
      " + i * %" G_GINT64_FORMAT " AS started, %" G_GINT64_FORMAT " + i * 5 / %u AS batch, "
      "CASE WHEN abs(random()) %% 100 < 8 THEN abs(random()) %% %u END AS fail, abs(random()) %% 10 AS fate FROM "
      "n;\n",
      n_cards - 1, t0, spacing, first_batch, n_cards, (guint)G_N_ELEMENTS (reasons));
  g_string_append (
    sql, "INSERT INTO cards (chip_id, first_seen, last_seen, state, printed_serial) SELECT chip, started, started, "
         "CASE WHEN fail IS NULL OR fate <= 3 THEN 'GOOD' WHEN fate = 4 THEN 'SCRAPPED' ELSE 'REJECTED' END, "
         "CASE WHEN fail IS NULL OR fate < 3 THEN serial END FROM gen ORDER BY i;\n");
  if (pg)
    g_string_append (sql, "CREATE TEMP TABLE plan AS SELECT row_number() OVER (ORDER BY i, o) AS pid, chip, batch, "
                          "kind, started, first, fail FROM (" PLAN_ROWS ") AS x;\n"
                          "ALTER TABLE plan ADD PRIMARY KEY (pid);\n");
  else
    g_string_append (sql, "CREATE TEMP TABLE plan (pid INTEGER PRIMARY KEY, chip TEXT, batch INTEGER, kind TEXT, "
                          "started INTEGER, first INTEGER, fail INTEGER);\n"
                          "INSERT INTO plan (chip, batch, kind, started, first, fail) SELECT chip, batch, kind, "
                          "started, first, fail FROM (" PLAN_ROWS ") ORDER BY i, o;\n");
  g_string_append (
    sql, "CREATE INDEX plan_chip ON plan (chip, kind);\n"
         /* a rejected attempt ends at its failed step, without a dispose step; len: the step's length in µs */
         "CREATE TEMP VIEW plan_steps AS SELECT p.pid, p.started, p.fail, k.s, k.name, f.step AS fail_step, "
         "(k.ms * 1000 + ((p.pid * 1103515245 + k.s * 12345) % 200000)) AS len "
         "FROM plan p JOIN k ON true LEFT JOIN f ON f.f = p.fail WHERE p.fail IS NULL OR k.s <= f.step;\n"
         "INSERT INTO attempts (id, chip_id, batch_id, kind, station, reader, started, ended, result, reject_reason, "
         "failed_step, last_sw, first_attempt) SELECT p.pid, p.chip, p.batch, p.kind, 'bench-' || (p.pid % 4), "
         "'Reader 0', p.started, "
         "p.started + t.total, CASE WHEN p.fail IS NULL THEN 'GOOD' ELSE 'REJECTED' END, "
         "(SELECT reason FROM f WHERE f.f = p.fail), (SELECT name FROM k JOIN f ON k.s = f.step WHERE f.f = p.fail), "
         "CASE WHEN p.fail IS NULL THEN 36864 ELSE 27010 END, p.first "
         "FROM plan p JOIN (SELECT pid, sum(len) AS total FROM plan_steps GROUP BY pid) t ON t.pid = p.pid "
         "ORDER BY p.pid;\n"
         /* a step starts when the ones before it have taken their lengths */
         "INSERT INTO steps (attempt_id, step, started, duration_us, result, last_sw) SELECT pid, name, started "
         "+ coalesce(sum(len) OVER (PARTITION BY pid ORDER BY s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), "
         "len, CASE WHEN s IS NOT DISTINCT FROM fail_step THEN 'FAILED' ELSE 'OK' END, "
         "CASE WHEN s IS NOT DISTINCT FROM fail_step THEN 27010 ELSE 36864 END FROM plan_steps ORDER BY pid, s;\n"
         "INSERT INTO dispositions (attempt_id, destination, decided) SELECT id, "
         "CASE result WHEN 'REJECTED' THEN 'REJECT_BIN' ELSE 'OUTPUT' END, ended FROM attempts ORDER BY "
         "id;\n"
         "INSERT INTO qa_actions (chip_id, attempt_id, action, user_name, note, created) SELECT g.chip, "
         "CASE WHEN g.fate = 3 THEN (SELECT pid FROM plan WHERE plan.chip = g.chip AND plan.kind = "
         "'QA_RETEST') END, "
         "CASE WHEN g.fate = 3 THEN 'RECOVER' ELSE 'SCRAP' END, 'qa', "
         "CASE WHEN g.fate = 3 THEN 're-test good' ELSE 'cracked' END, g.started + 7300000000 FROM gen "
         "g "
         "WHERE g.fail IS NOT NULL AND g.fate IN (3, 4) ORDER BY g.i;\n");
  /* the ids above were given, not drawn from the identity's sequence */
  if (pg)
    g_string_append (sql, "SELECT setval(pg_get_serial_sequence('attempts', 'id'), (SELECT max(id) FROM attempts));\n");
  g_string_append (sql, "DROP VIEW plan_steps;\nDROP TABLE plan;\nDROP TABLE gen;\nDROP TABLE k;\nDROP TABLE f");
  return g_string_free (sql, FALSE);
}

/* Statement by statement (split: at each ";\n"), timed: the fill's own cost shows where a larger store would spend
 * its time. */
static void
exec_timed (ClStore *store, const char *script, gboolean split, const char *what)
{
  g_auto (GStrv) parts = split ? g_strsplit (script, ";\n", -1) : g_strdupv ((char *[]){ (char *)script, NULL });
  gint64 start = g_get_monotonic_time ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      gint64 t = g_get_monotonic_time ();

      if (*parts[i] == '\0')
        continue;
      exec_or_die (store, parts[i]);
      if (g_get_monotonic_time () - t > G_USEC_PER_SEC)
        printf ("  fill: %.1f s  %.60s...\n", (g_get_monotonic_time () - t) / 1e6, parts[i]);
    }
  if (what != NULL)
    printf ("  fill: %.1f s  %s\n", (g_get_monotonic_time () - start) / 1e6, what);
}

void
bench_dashboard_fill (ClStore *store, guint n_cards)
{
  gboolean pg = cl_store_backend (store) == CL_SQL_POSTGRESQL;
  g_autofree char *sql = history_sql (store, n_cards);

  g_mutex_lock (&store->lock);
  /* room to sort and hash the fill's rows in memory; on SQLite a cache that holds the new pages until the commit,
   * instead of spilling them to the WAL over and over */
  exec_or_die (store, pg ? "SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'"
                         : "PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY");
  exec_or_die (store, "BEGIN");
  exec_or_die (store, pg ? DISABLE_YIELD_TRIGGERS
                         : "DROP TRIGGER attempts_yield_insert; DROP TRIGGER attempts_yield_identify; "
                           "DROP TRIGGER attempts_yield_end; DROP TRIGGER steps_yield_insert; "
                           "DROP TRIGGER qa_actions_yield_insert");
  exec_timed (store, sql, TRUE, NULL);
  if (pg)
    {
      exec_timed (store, rebuild_pg, TRUE, "the yield aggregates rebuilt from the rows (rebuild_pg)");
      exec_or_die (store, ENABLE_YIELD_TRIGGERS);
    }
  else
    exec_timed (store, cl_store_migration_yield_stations_sqlite, FALSE,
                "the yield aggregates rebuilt (cl_store_migration_yield_stations_sqlite)");
  exec_or_die (store, "COMMIT");
  exec_or_die (store,
               pg ? "ANALYZE; RESET work_mem; RESET maintenance_work_mem" : "ANALYZE; PRAGMA cache_size = -2000");
  g_mutex_unlock (&store->lock);
}

static gint64
query_int (ClStore *store, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (store, sql, &error);

  if (stmt == NULL || cl_sql_step (stmt, &error) != CL_SQL_STEP_ROW)
    g_error ("bench-dashboard: %s\n  in: %s", error ? error->message : "no row", sql);
  return cl_sql_column_int64 (stmt, 0);
}

static void
print_rows (ClStore *store, const char *side, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (store, sql, &error);

  g_assert_no_error (error);
  for (guint n = 0; n < 10 && cl_sql_step (stmt, &error) == CL_SQL_STEP_ROW; n++)
    printf ("    only %s: %s\n", side, cl_sql_column_text (stmt, 0));
  g_assert_no_error (error);
}

void
bench_dashboard_check_rebuild (ClStore *store, guint n_cards)
{
  g_autofree char *sql = history_sql (store, n_cards);
  guint differing = 0;

  g_assert_true (cl_store_backend (store) == CL_SQL_POSTGRESQL);
  g_mutex_lock (&store->lock);
  /* the same history, through the triggers row by row */
  exec_or_die (store, "BEGIN");
  exec_timed (store, sql, TRUE, "the history through the yield triggers");
  exec_or_die (store, "COMMIT");
  for (guint t = 0; t < G_N_ELEMENTS (yield_tables); t++)
    {
      g_autofree char *keep
        = g_strdup_printf ("CREATE TEMP TABLE by_triggers_%s AS SELECT * FROM %s", yield_tables[t], yield_tables[t]);

      exec_or_die (store, keep);
    }
  exec_or_die (store, "BEGIN");
  exec_timed (store, rebuild_pg, TRUE, "the yield aggregates rebuilt from the rows (rebuild_pg)");
  exec_or_die (store, "COMMIT");
  for (guint t = 0; t < G_N_ELEMENTS (yield_tables); t++)
    {
      const char *table = yield_tables[t];
      g_autofree char *count_kept = g_strdup_printf ("SELECT count(*) FROM by_triggers_%s", table);
      g_autofree char *count_rebuilt = g_strdup_printf ("SELECT count(*) FROM %s", table);
      g_autofree char *only_kept = g_strdup_printf (
        "SELECT d::TEXT FROM (SELECT * FROM by_triggers_%s EXCEPT ALL SELECT * FROM %s) d", table, table);
      g_autofree char *only_rebuilt = g_strdup_printf (
        "SELECT d::TEXT FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM by_triggers_%s) d", table, table);
      g_autofree char *count_kept_only = g_strdup_printf ("SELECT count(*) FROM (%s) x", only_kept);
      g_autofree char *count_rebuilt_only = g_strdup_printf ("SELECT count(*) FROM (%s) x", only_rebuilt);
      gint64 kept = query_int (store, count_kept), rebuilt = query_int (store, count_rebuilt);
      gint64 kept_only = query_int (store, count_kept_only), rebuilt_only = query_int (store, count_rebuilt_only);

      printf ("  rebuild check: %-13s %6" G_GINT64_FORMAT " rows by the triggers, %6" G_GINT64_FORMAT
              " rebuilt, %" G_GINT64_FORMAT " + %" G_GINT64_FORMAT " differ\n",
              table, kept, rebuilt, kept_only, rebuilt_only);
      /* an empty table would compare equal and prove nothing */
      if (kept == 0)
        g_error ("bench-dashboard: the triggers left %s empty: the history did not reach it", table);
      if (kept_only + rebuilt_only > 0)
        {
          print_rows (store, "by the triggers", only_kept);
          print_rows (store, "rebuilt", only_rebuilt);
          differing++;
        }
    }
  g_mutex_unlock (&store->lock);
  if (differing > 0)
    g_error ("bench-dashboard: the rebuilt yield aggregates differ from the triggers' in %u tables", differing);
  printf ("rebuild check: every yield aggregate table rebuilt from %u cards equals the triggers', row for row\n",
          n_cards);
}
