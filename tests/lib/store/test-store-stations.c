/* The yield figures by station (schema version 13, cl-store-schema-stations.h): two stations' attempts, each
 * station's and the fleet's figures against numbers this test works out itself from the history it wrote, the
 * aggregates against the records, the station check, and a version-12 store migrated with the same fleet figures. */
#include <glib/gstdio.h>
#include <string.h>

#include "core/cl-error.h"
#include "store/cl-store-dashboard.h"
#include "store/cl-store-private.h"
#include "store/cl-store-schema-pg.h"
#include "store-fixture.h"
#include "yield-assert.h"

#define HASH_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define SEC    G_USEC_PER_SEC
#define MINUTE ((gint64)60 * SEC)
/* A whole minute, so that minute-bucket series read the aggregate tables. */
#define TM ((gint64)1700000040 * G_USEC_PER_SEC)

typedef StoreFixture Fixture;

/* One production attempt as the test wrote it. chip NULL: never identified. */
typedef struct
{
  const char *station;
  gint64 batch;
  const char *chip;
  gint64 start, length;
  gboolean good;
  gboolean open; /* still in the reader */
} Feed;

typedef struct
{
  GArray *feeds;     /* Feed, in the order written */
  GHashTable *qa;    /* chip -> its ClQaAction + 1, RECOVER or SCRAP (at most one each here) */
  GHashTable *first; /* chip -> index of its first production attempt */
} History;

static void
history_init (History *h)
{
  h->feeds = g_array_new (FALSE, TRUE, sizeof (Feed));
  h->qa = g_hash_table_new (g_str_hash, g_str_equal);
  h->first = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
history_clear (History *h)
{
  g_array_unref (h->feeds);
  g_hash_table_unref (h->qa);
  g_hash_table_unref (h->first);
}

static gint64
new_batch (ClStore *store, const char *name)
{
  g_autoptr (GError) error = NULL;
  gint64 id = cl_store_batch_create (store, name, "smartcard-hsm", HASH_A, 10000, "supervisor", &error);

  g_assert_no_error (error);
  return id;
}

/* Feeds a card at station: good, rejected (LOAD_FAILED at LOAD_APPLET) or left open; recorded in h too. */
static void
feed (ClStore *store, History *h, const char *station, gint64 batch, const char *chip, gint64 start, gint64 length,
      gboolean good, gboolean open)
{
  g_autoptr (GError) error = NULL;
  ClAttemptEnd end = { 0 };
  Feed f = { station, batch, chip, start, length, good, open };
  gint64 id = cl_store_attempt_begin (store, batch, CL_ATTEMPT_PRODUCTION, station, "Reader 0", start, &error);

  g_assert_no_error (error);
  if (chip)
    {
      cl_store_attempt_identify (store, id, chip, start + 1, NULL, &error);
      g_assert_no_error (error);
      if (!g_hash_table_contains (h->first, chip))
        g_hash_table_insert (h->first, (gpointer)chip, GUINT_TO_POINTER (h->feeds->len));
    }
  g_array_append_val (h->feeds, f);
  if (open)
    return;
  cl_store_attempt_add_step (store, id, CL_STEP_IDENTIFY, start, length / 2, CL_STEP_RESULT_OK, 0x9000, NULL, &error);
  g_assert_no_error (error);
  end.result = good ? CL_ATTEMPT_GOOD : CL_ATTEMPT_REJECTED;
  end.reason = good ? 0 : (chip ? CL_REJECT_LOAD_FAILED : CL_REJECT_NO_ATR);
  end.failed_step = good ? 0 : (chip ? CL_STEP_LOAD_APPLET : CL_STEP_IDENTIFY);
  end.last_sw = good ? 0x9000 : 0x6982;
  end.disposition = good ? CL_DISPOSITION_OUTPUT : CL_DISPOSITION_REJECT_BIN;
  end.ended = start + length;
  cl_store_attempt_end (store, id, &end, &error);
  g_assert_no_error (error);
}

static void
qa (ClStore *store, History *h, const char *chip, ClQaAction action)
{
  g_autoptr (GError) error = NULL;
  gint64 retest = 0;

  if (action == CL_QA_RECOVER)
    {
      /* a recovery is a good QA re-test: no production attempt, at no production station */
      ClAttemptEnd end = { CL_ATTEMPT_GOOD, 0, 0, 0x9000, CL_DISPOSITION_OUTPUT, TM };

      retest = cl_store_attempt_begin (store, 0, CL_ATTEMPT_QA_RETEST, "qa-bench", "Reader 9", TM, &error);
      g_assert_no_error (error);
      cl_store_attempt_identify (store, retest, chip, TM, NULL, &error);
      g_assert_no_error (error);
      cl_store_attempt_end (store, retest, &end, &error);
      g_assert_no_error (error);
    }
  cl_store_qa_record (store, chip, action, retest, "anna", "by station test", &error);
  g_assert_no_error (error);
  g_hash_table_insert (h->qa, (gpointer)chip, GINT_TO_POINTER (action + 1));
}

static gboolean
in_scope (const Feed *f, gint64 batch, const char *station)
{
  return (batch == 0 || f->batch == batch) && (station == NULL || g_str_equal (f->station, station));
}

/* The figures of cl-yield-summary.h worked out in C from what the test wrote, by the rule of
 * cl-store-schema-stations.h: a chip counts at every station that fed it, good there if it came out good there,
 * first-pass good there if its first attempt anywhere was there and good, recovered or scrapped by QA wherever it
 * was fed and not made good. */
static ClYieldSummary *
expected (const History *h, gint64 batch, const char *station)
{
  ClYieldSummary *s = cl_yield_summary_new ();
  g_autoptr (GHashTable) chips = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) good = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 cycle_us = 0;
  GHashTableIter iter;
  gpointer chip;

  for (guint i = 0; i < h->feeds->len; i++)
    {
      const Feed *f = &g_array_index (h->feeds, Feed, i);

      if (!in_scope (f, batch, station))
        continue;
      s->fed++;
      if (f->chip == NULL)
        s->distinct_chips++;
      else
        g_hash_table_add (chips, (gpointer)f->chip);
      if (f->open)
        continue;
      s->cycle_count++;
      cycle_us += f->length;
      s->step_count[CL_STEP_IDENTIFY]++;
      if (!f->good)
        {
          s->rejected++;
          s->rejects_by_reason[f->chip ? CL_REJECT_LOAD_FAILED : CL_REJECT_NO_ATR]++;
          continue;
        }
      if (f->chip)
        {
          if (!g_hash_table_contains (good, f->chip) && GPOINTER_TO_UINT (g_hash_table_lookup (h->first, f->chip)) == i)
            s->first_pass_good++;
          g_hash_table_add (good, (gpointer)f->chip);
        }
    }
  s->distinct_chips += g_hash_table_size (chips);
  s->good = g_hash_table_size (good);
  g_hash_table_iter_init (&iter, chips);
  while (g_hash_table_iter_next (&iter, &chip, NULL))
    {
      gint action = GPOINTER_TO_INT (g_hash_table_lookup (h->qa, chip)) - 1;

      if (action == CL_QA_RECOVER && !g_hash_table_contains (good, chip))
        s->recovered++;
      else if (action == CL_QA_SCRAP && !g_hash_table_contains (good, chip))
        s->scrapped++;
    }
  s->cycle_time_mean_s = s->cycle_count ? (double)cycle_us / (double)s->cycle_count / 1e6 : 0.0;
  return s;
}

static void
assert_figures (ClStore *store, const History *h, gint64 batch, const char *station)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClYieldSummary) want = expected (h, batch, station);

  for (guint rows = 0; rows < 2; rows++)
    {
      g_autoptr (ClYieldSummary) got = NULL;

      cl_store_set_yield_from_rows (store, rows);
      got = cl_store_yield_summary_at (store, batch, station, 0, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got->station, ==, station);
      g_assert_cmpuint (got->fed, ==, want->fed);
      g_assert_cmpuint (got->distinct_chips, ==, want->distinct_chips);
      g_assert_cmpuint (got->good, ==, want->good);
      g_assert_cmpuint (got->first_pass_good, ==, want->first_pass_good);
      g_assert_cmpuint (got->rejected, ==, want->rejected);
      g_assert_cmpuint (got->recovered, ==, want->recovered);
      g_assert_cmpuint (got->scrapped, ==, want->scrapped);
      g_assert_cmpuint (got->cycle_count, ==, want->cycle_count);
      g_assert_cmpfloat_with_epsilon (got->cycle_time_mean_s, want->cycle_time_mean_s, 1e-9);
      g_assert_cmpmem (got->rejects_by_reason, sizeof got->rejects_by_reason, want->rejects_by_reason,
                       sizeof want->rejects_by_reason);
      g_assert_cmpmem (got->step_count, sizeof got->step_count, want->step_count, sizeof want->step_count);
    }
  cl_store_set_yield_from_rows (store, FALSE);
}

/* The series over whole minutes (the aggregates) and the span, against the records, for one scope. */
static void
assert_series_match (ClStore *store, gint64 batch, const char *station)
{
  g_autoptr (GError) error = NULL;
  gint64 from[2], to[2];
  GArray *series[2], *final[2];

  for (guint rows = 0; rows < 2; rows++)
    {
      cl_store_set_yield_from_rows (store, rows);
      g_assert_true (cl_store_production_span_at (store, batch, station, &from[rows], &to[rows], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (from[0], ==, from[1]);
  g_assert_cmpint (to[0], ==, to[1]);
  if (to[0] <= from[0])
    return;
  /* QA actions are stamped now, which stretches the span to today: the series cover the history's hours. */
  for (guint rows = 0; rows < 2; rows++)
    {
      gint64 start = from[0] - from[0] % MINUTE;
      gint64 stop = TM + (gint64)3 * 3600 * SEC;

      cl_store_set_yield_from_rows (store, rows);
      series[rows] = cl_store_yield_series_at (store, batch, station, start, stop, MINUTE, &error);
      g_assert_no_error (error);
      final[rows] = cl_store_final_yield_series_at (store, batch, station, start, stop, MINUTE, &error);
      g_assert_no_error (error);
    }
  yield_assert_series_same (series, final);
  cl_store_set_yield_from_rows (store, FALSE);
}

/* Two stations, north and south, one batch and none:
 *   0A  rejected at north, then good at south: a chip that moved (a loss at north, good at south, first-pass
 *       nowhere)
 *   0B  good at north on its first attempt
 *   0C  rejected twice at south, then recovered by QA
 *   0D  rejected at north, scrapped by QA
 *   0E  good at south on its first attempt, no batch
 *   an unidentified feed at north, and an attempt still open at south. */
static void
two_stations (ClStore *store, History *h, gint64 b1)
{
  feed (store, h, "north", b1, "0A", TM, 20 * SEC, FALSE, FALSE);
  feed (store, h, "north", b1, "0B", TM + 30 * SEC, 25 * SEC, TRUE, FALSE);
  feed (store, h, "south", b1, "0C", TM + 40 * SEC, 30 * SEC, FALSE, FALSE);
  feed (store, h, "south", b1, "0A", TM + 2 * MINUTE, 40 * SEC, TRUE, FALSE);
  feed (store, h, "north", b1, NULL, TM + 3 * MINUTE, 5 * SEC, FALSE, FALSE);
  feed (store, h, "south", b1, "0C", TM + 3 * MINUTE + 10 * SEC, 30 * SEC, FALSE, FALSE);
  feed (store, h, "north", b1, "0D", TM + 4 * MINUTE, 35 * SEC, FALSE, FALSE);
  feed (store, h, "south", 0, "0E", TM + 5 * MINUTE, 45 * SEC, TRUE, FALSE);
  feed (store, h, "south", b1, "0F", TM + 6 * MINUTE, 0, FALSE, TRUE);
  qa (store, h, "0C", CL_QA_RECOVER);
  qa (store, h, "0D", CL_QA_SCRAP);
}

static void
test_figures (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *const stations[] = { NULL, "north", "south" };
  gint64 b1 = new_batch (f->store, "B1");
  gint64 batches[] = { 0, b1 };
  History h;

  history_init (&h);
  two_stations (f->store, &h, b1);
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    for (guint s = 0; s < G_N_ELEMENTS (stations); s++)
      {
        assert_figures (f->store, &h, batches[b], stations[s]);
        assert_series_match (f->store, batches[b], stations[s]);
      }
  {
    /* The chip that moved, by hand: at north one chip of 0A, 0B, 0D and the unidentified feed is good (0B, first
     * pass); at south 0A and 0E are good (0E first pass), 0C recovered; the fleet counts 0A once. */
    g_autoptr (ClYieldSummary) north = cl_store_yield_summary_at (f->store, b1, "north", 0, 0, &error);
    g_autoptr (ClYieldSummary) south = cl_store_yield_summary_at (f->store, 0, "south", 0, 0, &error);
    g_autoptr (ClYieldSummary) fleet = cl_store_yield_summary (f->store, 0, 0, 0, &error);

    g_assert_cmpuint (north->distinct_chips, ==, 4);
    g_assert_cmpuint (north->good, ==, 1);
    g_assert_cmpuint (north->first_pass_good, ==, 1);
    g_assert_cmpuint (north->scrapped, ==, 1);
    g_assert_cmpfloat_with_epsilon (north->final_yield, 1.0 / 4.0, 1e-12);
    g_assert_cmpuint (south->distinct_chips, ==, 4);
    g_assert_cmpuint (south->good, ==, 2);
    g_assert_cmpuint (south->first_pass_good, ==, 1);
    g_assert_cmpuint (south->recovered, ==, 1);
    g_assert_cmpuint (fleet->distinct_chips, ==, 7);
    g_assert_cmpuint (fleet->fed, ==, north->fed + south->fed);
    g_assert_cmpuint (fleet->rejected, ==, north->rejected + south->rejected);
    g_assert_cmpuint (fleet->good, ==, 3);
  }
  {
    /* The series for one station holds only its ejects. */
    g_autoptr (GArray) series = cl_store_yield_series_at (f->store, 0, "north", TM, TM + 10 * MINUTE, MINUTE, &error);
    guint64 fed = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < series->len; i++)
      fed += g_array_index (series, ClYieldBucket, i).fed;
    g_assert_cmpuint (fed, ==, 4);
  }
  history_clear (&h);
}

static void
test_station_check (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) stations = NULL;
  g_autofree char *json = NULL;
  g_autoptr (ClYieldSummary) s = NULL;
  History h;

  history_init (&h);
  two_stations (f->store, &h, new_batch (f->store, "B1"));
  stations = cl_store_yield_station_list (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stations->len, ==, 2);
  g_assert_cmpstr (stations->pdata[0], ==, "north");
  g_assert_cmpstr (stations->pdata[1], ==, "south");
  g_assert_true (cl_store_check_yield_station (f->store, NULL, &error));
  g_assert_true (cl_store_check_yield_station (f->store, "south", &error));
  g_assert_no_error (error);
  g_assert_false (cl_store_check_yield_station (f->store, "west", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "“west”"));
  g_assert_nonnull (strstr (error->message, "north, south"));
  /* The summary says whose it is. */
  s = cl_store_yield_summary_at (f->store, 0, "north", 0, 0, NULL);
  json = cl_yield_summary_to_json (s);
  g_assert_nonnull (strstr (json, "\"station\":\"north\""));
  history_clear (&h);
}

/* A random history at three stations through the API: every scope's aggregates against the records. */
static void
test_random (Fixture *f, gconstpointer data)
{
  static const char *const names[] = { "north", "south", "east" };
  const char *const stations[] = { NULL, "north", "south", "east" };
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261207);
  gint64 batches[] = { 0, new_batch (f->store, "B1"), new_batch (f->store, "B2") };
  g_auto (GStrv) chips = g_new0 (char *, 41);
  History h;

  history_init (&h);
  for (guint i = 0; i < 40; i++)
    chips[i] = g_strdup_printf ("C%02u", i);
  for (guint i = 0; i < 300; i++)
    {
      int fate = g_rand_int_range (rand, 0, 20);
      const char *chip = fate == 0 ? NULL : chips[g_rand_int_range (rand, 0, 40)];
      gint64 start = TM + (gint64)g_rand_int_range (rand, 0, 2 * 3600) * SEC;

      feed (f->store, &h, names[g_rand_int_range (rand, 0, 3)], batches[g_rand_int_range (rand, 0, 3)], chip, start,
            (gint64)g_rand_int_range (rand, 1, 120) * SEC, fate > 8, fate == 1 && chip);
      if (fate == 2 && chip && !g_hash_table_contains (h.qa, chip))
        qa (f->store, &h, chip, g_rand_boolean (rand) ? CL_QA_RECOVER : CL_QA_SCRAP);
    }
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    for (guint s = 0; s < G_N_ELEMENTS (stations); s++)
      {
        assert_figures (f->store, &h, batches[b], stations[s]);
        assert_series_match (f->store, batches[b], stations[s]);
      }
  history_clear (&h);
}

/* Every row of query as text, a line each. */
static char *
dump (ClSql *sql, const char *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, query, &error);
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  while (cl_sql_step (stmt, &error) == CL_SQL_STEP_ROW)
    {
      for (int c = 0; c < cl_sql_column_count (stmt); c++)
        g_string_append_printf (out, "%s|",
                                cl_sql_column_type (stmt, c) == CL_SQL_NULL ? "NULL" : cl_sql_column_text (stmt, c));
      g_string_append_c (out, '\n');
    }
  g_assert_no_error (error);
  return g_string_free (out, FALSE);
}

/* The five yield tables: a version-12 store's rows (V12), a later store's fleet rows in version 12's columns (FLEET:
 * version 13 adds station, '' is the fleet), or every row with its station (ALL). */
typedef enum
{
  ROWS_V12,
  ROWS_FLEET,
  ROWS_ALL,
} Rows;

static char *
dump_yield (ClSql *sql, Rows which)
{
  static const char *const tables[][3] = {
    { "yield_totals",
      "scope, fed, anonymous, chips, good, first_pass_good, rejected, recovered, scrapped, "
      "ended_count, cycle_us, first_started, last_ended, last_qa",
      "scope" },
    { "yield_chips", "chip_id, scope, fed_at, good_at, first_pass, recovered_at, scrapped, qa_last", "chip_id, scope" },
    { "yield_minutes", "scope, minute, fed, good, first_pass_good, rejected, chips_fed, chips_ok", "scope, minute" },
    { "yield_rejects", "scope, reason, step, n", "scope, reason, step" },
    { "yield_steps", "scope, step, n, total_us", "scope, step" },
  };
  GString *out = g_string_new (NULL);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      const char *station = which == ROWS_ALL ? "station, " : "";
      g_autofree char *query
        = g_strdup_printf ("SELECT %s%s FROM %s %s ORDER BY %s%s", station, tables[t][1], tables[t][0],
                           which == ROWS_FLEET ? "WHERE station = ''" : "", station, tables[t][2]);
      g_autofree char *rows = dump (sql, query);

      g_string_append_printf (out, "%s:\n%s", tables[t][0], rows);
    }
  return g_string_free (out, FALSE);
}

/* The records of a store as INSERT statements with literal values, which both backends take. */
static char *
records_sql (ClSql *sql)
{
  static const char *const tables[][2]
    = { { "batches", "id" }, { "cards", "chip_id" },           { "attempts", "id" },
        { "steps", "id" },   { "dispositions", "attempt_id" }, { "qa_actions", "id" } };
  g_autoptr (GError) error = NULL;
  GString *out = g_string_new (NULL);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *query = g_strdup_printf ("SELECT * FROM %s ORDER BY %s", tables[t][0], tables[t][1]);
      g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, query, &error);

      g_assert_no_error (error);
      while (cl_sql_step (stmt, &error) == CL_SQL_STEP_ROW)
        {
          g_string_append_printf (out, "INSERT INTO %s (", tables[t][0]);
          for (int c = 0; c < cl_sql_column_count (stmt); c++)
            g_string_append_printf (out, "%s%s", c ? ", " : "", cl_sql_column_name (stmt, c));
          g_string_append (out, ") VALUES (");
          for (int c = 0; c < cl_sql_column_count (stmt); c++)
            {
              g_autoptr (GString) value = g_string_new (cl_sql_column_text (stmt, c));

              g_string_replace (value, "'", "''", 0);
              g_string_append_printf (out, cl_sql_column_type (stmt, c) == CL_SQL_NULL ? "%sNULL" : "%s'%s'",
                                      c ? ", " : "", value->str);
            }
          g_string_append (out, ");\n");
        }
      g_assert_no_error (error);
    }
  return g_string_free (out, FALSE);
}

/* A store of schema version 12 holding two stations' records (made through the API on a scratch store and written
 * into the version-12 one row for row, so version 12's triggers made its aggregates) is migrated on open: the
 * fleet's rows are what they were, every row is what the triggers kept on the scratch store, the stations' figures
 * are right, SQLite's integrity_check passes (version 13 rebuilds WITHOUT ROWID tables), and the triggers carry on. */
static void
test_migrate_v12 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *records = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *live = NULL;
  g_autofree char *migrated = NULL;
  ClSql *sql;
  gint64 b1;
  History h;

  history_init (&h);
  {
    g_autofree char *scratch = store_fixture_new_location (f, "scratch.db");
    g_autoptr (ClStore) store = cl_store_open (scratch, &error);

    g_assert_no_error (error);
    b1 = new_batch (store, "B1");
    two_stations (store, &h, b1);
    records = records_sql (store->sql);
    live = dump_yield (store->sql, ROWS_ALL);
    g_clear_object (&store);
    /* the fixture drops its PostgreSQL databases, not the files it did not make */
    for (guint i = 0; !store_fixture_is_postgresql () && i < 3; i++)
      {
        g_autofree char *file = g_strconcat (scratch, (const char *[]){ "", "-wal", "-shm" }[i], NULL);

        g_unlink (file);
      }
  }

  g_clear_object (&f->store);
  store_fixture_remove_files (f);
  if (store_fixture_is_postgresql ())
    {
      sql = cl_sql_open_postgresql (f->path, &error);
      g_assert_no_error (error);
      g_assert_true (cl_store_pg_migrate_to (sql, 12, &error));
      g_assert_no_error (error);
    }
  else
    {
      sql = cl_sql_open_sqlite (f->path, FALSE, &error);
      g_assert_no_error (error);
      g_assert_true (cl_sql_exec (sql, "BEGIN", &error));
      for (guint v = 0; v < 12; v++)
        g_assert_true (cl_sql_exec (sql, cl_store_migrations[v], &error));
      g_assert_true (cl_sql_exec (sql, "PRAGMA user_version = 12; COMMIT", &error));
      g_assert_no_error (error);
    }
  g_assert_true (cl_sql_exec (sql, records, &error));
  g_assert_no_error (error);
  if (store_fixture_is_postgresql ())
    {
      /* the ids were given, not drawn from the identities */
      g_assert_true (
        cl_sql_exec (sql,
                     "SELECT setval(pg_get_serial_sequence('batches', 'id'), (SELECT max(id) FROM batches));"
                     "SELECT setval(pg_get_serial_sequence('attempts', 'id'), (SELECT max(id) FROM attempts));"
                     "SELECT setval(pg_get_serial_sequence('steps', 'id'), (SELECT max(id) FROM steps));"
                     "SELECT setval(pg_get_serial_sequence('qa_actions', 'id'), (SELECT max(id) FROM qa_actions))",
                     &error));
      g_assert_no_error (error);
    }
  before = dump_yield (sql, ROWS_V12);
  g_assert_nonnull (strstr (before, "|"));
  cl_sql_close (sql);

  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_store_get_schema_version (f->store), ==, CL_STORE_SCHEMA_VERSION);
  after = dump_yield (f->store->sql, ROWS_FLEET);
  g_assert_cmpstr (after, ==, before);
  /* every row, each station's too, as the triggers kept them while the API wrote the same history */
  migrated = dump_yield (f->store->sql, ROWS_ALL);
  g_assert_nonnull (strstr (migrated, "\nnorth|"));
  g_assert_cmpstr (migrated, ==, live);
  if (!store_fixture_is_postgresql ())
    {
      g_autoptr (ClSqlStmt) check = cl_sql_prepare (f->store->sql, "PRAGMA integrity_check", &error);

      g_assert_no_error (error);
      g_assert_true (cl_sql_step (check, &error) == CL_SQL_STEP_ROW);
      g_assert_cmpstr (cl_sql_column_text (check, 0), ==, "ok");
      g_assert_true (cl_sql_step (check, &error) == CL_SQL_STEP_DONE);
    }
  {
    const char *const stations[] = { NULL, "north", "south" };

    for (guint s = 0; s < G_N_ELEMENTS (stations); s++)
      {
        assert_figures (f->store, &h, 0, stations[s]);
        assert_figures (f->store, &h, b1, stations[s]);
        assert_series_match (f->store, b1, stations[s]);
      }
    /* and on as records arrive */
    feed (f->store, &h, "north", b1, "0A", TM + 10 * MINUTE, 30 * SEC, TRUE, FALSE);
    feed (f->store, &h, "west", b1, "1A", TM + 11 * MINUTE, 30 * SEC, TRUE, FALSE);
    for (guint s = 0; s < G_N_ELEMENTS (stations); s++)
      assert_figures (f->store, &h, b1, stations[s]);
    assert_figures (f->store, &h, b1, "west");
  }
  history_clear (&h);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn)                                                                                                  \
  g_test_add ("/store-stations/" path, Fixture, NULL, store_fixture_setup, fn, store_fixture_teardown)
  ADD ("figures", test_figures);
  ADD ("station-check", test_station_check);
  ADD ("random", test_random);
  ADD ("migrate-v12", test_migrate_v12);
  return g_test_run ();
}
