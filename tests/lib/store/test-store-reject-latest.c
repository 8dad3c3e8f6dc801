/* Each chip's latest rejection kept by schema version 14's triggers (cl-store-schema-rejects.h): the Rejects list and
 * serial search read from reject_latest must list exactly what the query over the attempts listed before it, for a
 * store of chips rejected and left, re-fed good or rejected again, recovered by QA, scrapped, retained by a killed
 * station, printed after their rejection; and the migration's backfill of an existing store must give the same.
 * Version 15's trigram index (searches of three characters or more) and the scan of shorter ones must too. */
#include <string.h>

#include "store/cl-store-dashboard.h"
#include "store/cl-store-private.h"
#include "store/cl-store-schema-rejects.h"
#include "store-fixture.h"

#define PROFILE_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define T0           ((gint64)1800000000 * G_USEC_PER_SEC)
#define N_CHIPS      60

typedef StoreFixture Fixture;

/* The Rejects query before version 14: the latest non-RETAINED rejected production attempt found per chip by a
 * correlated subquery over the attempts. The reference the new structure is held to (its time and batch parameters
 * cast to BIGINT, as the new query's now are: PostgreSQL took an untyped ? = 0 for an INTEGER and refused a time). */
static const char old_query[]
  = "SELECT c.chip_id, c.printed_serial, coalesce(a.batch_id, 0), b.name, a.reject_reason, a.failed_step, a.last_sw, "
    "a.ended, c.state, (SELECT count(*) FROM attempts x WHERE x.chip_id = c.chip_id AND x.kind = 'PRODUCTION'), "
    "coalesce(d.destination, 'REJECT_BIN') "
    "FROM attempts a JOIN cards c ON c.chip_id = a.chip_id LEFT JOIN batches b ON b.id = a.batch_id "
    "LEFT JOIN dispositions d ON d.attempt_id = a.id "
    "WHERE a.kind = 'PRODUCTION' AND a.result = 'REJECTED' "
    "AND (CAST(? AS BIGINT) = 0 OR a.batch_id = ?) AND (CAST(? AS TEXT) IS NULL OR a.reject_reason = ?) "
    "AND (CAST(? AS BIGINT) = 0 OR a.ended >= ?) AND (CAST(? AS BIGINT) = 0 OR a.ended < ?) "
    "AND (CAST(? AS TEXT) IS NULL OR upper(c.chip_id) LIKE upper(?) ESCAPE '\\' "
    "OR upper(coalesce(c.printed_serial, '')) LIKE upper(?) ESCAPE '\\') "
    "AND (? <> 0 OR c.state = 'REJECTED') "
    "AND a.id = (SELECT max(y.id) FROM attempts y LEFT JOIN dispositions e ON e.attempt_id = y.id "
    "WHERE y.chip_id = c.chip_id AND y.kind = 'PRODUCTION' AND y.result = 'REJECTED' "
    "AND e.destination IS DISTINCT FROM 'RETAINED') ORDER BY a.ended DESC, a.id DESC LIMIT ?";

/* The old query's rows, one line each, as row_line formats the new one's. */
static GPtrArray *
old_rows (ClStore *store, const ClRejectQuery *q)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_mutex_lock (&store->lock);
  stmt = cl_store_prepare (store, old_query, &error);
  g_assert_no_error (error);
  cl_store_reject_query_bind (stmt, q);
  while ((rc = cl_sql_step (stmt, &error)) == CL_SQL_STEP_ROW)
    g_ptr_array_add (
      lines,
      g_strdup_printf ("%s|%s|%" G_GINT64_FORMAT "|%s|%s|%s|%s|%" G_GINT64_FORMAT "|%s|%" G_GINT64_FORMAT "|%s",
                       cl_sql_column_text (stmt, 0), cl_sql_column_text (stmt, 1) ? cl_sql_column_text (stmt, 1) : "-",
                       cl_sql_column_int64 (stmt, 2), cl_sql_column_text (stmt, 3), cl_sql_column_text (stmt, 4),
                       cl_sql_column_text (stmt, 5), cl_sql_column_text (stmt, 6) ? cl_sql_column_text (stmt, 6) : "-",
                       cl_sql_column_int64 (stmt, 7), cl_sql_column_text (stmt, 8), cl_sql_column_int64 (stmt, 9),
                       cl_sql_column_text (stmt, 10)));
  g_mutex_unlock (&store->lock);
  g_assert_no_error (error);
  g_assert_cmpint (rc, ==, CL_SQL_STEP_DONE);
  return lines;
}

static GPtrArray *
new_rows (ClStore *store, const ClRejectQuery *q)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = cl_store_reject_search (store, q, &error);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      const ClRejectRow *r = g_ptr_array_index (rows, i);
      g_autofree char *sw = r->last_sw >= 0 ? g_strdup_printf ("%d", r->last_sw) : g_strdup ("-");

      g_ptr_array_add (
        lines, g_strdup_printf (
                 "%s|%s|%" G_GINT64_FORMAT "|%s|%s|%s|%s|%" G_GINT64_FORMAT "|%s|%u|%s", r->chip_id,
                 r->printed_serial ? r->printed_serial : "-", r->batch_id, r->batch_name ? r->batch_name : "(null)",
                 cl_reject_reason_to_string (r->reason), cl_production_step_to_string (r->failed_step), sw, r->rejected,
                 cl_card_state_to_string (r->state), r->attempts, cl_disposition_to_string (r->disposition)));
    }
  return lines;
}

static void
set_serial (ClStore *store, const char *chip, guint i)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *serial = g_strdup_printf ("DE%08u", i);

  g_assert_true (cl_store_card_set_printed_serial (store, chip, serial, &error));
  g_assert_no_error (error);
}

static gint64
ended_attempt (ClStore *store, gint64 batch, ClAttemptKind kind, const char *chip, gint64 start, ClAttemptResult result,
               ClRejectReason reason, ClDisposition disposition, guint serial)
{
  g_autoptr (GError) error = NULL;
  ClAttemptEnd end = { result,
                       reason,
                       CL_STEP_IDENTIFY + (ClProductionStep)(reason % 6),
                       result == CL_ATTEMPT_GOOD ? 0x9000 : 0x6A80 + (gint)reason,
                       disposition,
                       start + G_USEC_PER_SEC };
  gint64 id = cl_store_attempt_begin (store, kind == CL_ATTEMPT_QA_RETEST ? 0 : batch, kind, "line-1", "Reader 0",
                                      start, &error);

  g_assert_no_error (error);
  cl_store_attempt_identify (store, id, chip, start + 1, NULL, &error);
  g_assert_no_error (error);
  if (serial > 0)
    set_serial (store, chip, serial);
  cl_store_attempt_end (store, id, &end, &error);
  g_assert_no_error (error);
  return id;
}

/* N_CHIPS chips in two batches, by i % 10: 0 good; 1, 2 rejected and left; 3 re-fed good; 4 rejected again; 5
 * recovered by a QA re-test; 6 scrapped; 7 re-fed and retained by a killed station; 8 only ever retained; 9 printed
 * after its rejection. Pairs of chips end at the same time (the list's order falls back to the attempt). */
static void
fill (ClStore *store, gint64 batches[2])
{
  g_autoptr (GError) error = NULL;

  for (guint b = 0; b < 2; b++)
    {
      g_autofree char *name = g_strdup_printf ("B-%u", b + 1);

      batches[b] = cl_store_batch_open (store, name, "demo", PROFILE_HASH, 1000, "tester", &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < N_CHIPS; i++)
    {
      g_autofree char *chip = g_strdup_printf ("4790%016X", 0xAB00 + i);
      gint64 batch = batches[i % 2];
      gint64 start = T0 + (gint64)(i / 2) * 10 * G_USEC_PER_SEC, later = start + (gint64)3600 * G_USEC_PER_SEC;
      guint fate = i % 10;
      ClRejectReason reason = (ClRejectReason)(1 + i % 7);

      guint serial = i % 3 == 0 && fate != 9 ? 1000 + i : 0;

      if (fate == 0)
        {
          ended_attempt (store, batch, CL_ATTEMPT_PRODUCTION, chip, start, CL_ATTEMPT_GOOD, 0, CL_DISPOSITION_OUTPUT,
                         serial);
          continue;
        }
      ended_attempt (store, batch, CL_ATTEMPT_PRODUCTION, chip, start, CL_ATTEMPT_REJECTED, reason,
                     fate == 8 ? CL_DISPOSITION_RETAINED : CL_DISPOSITION_REJECT_BIN, serial);
      switch (fate)
        {
          case 3:
            ended_attempt (store, batch, CL_ATTEMPT_PRODUCTION, chip, later, CL_ATTEMPT_GOOD, 0, CL_DISPOSITION_OUTPUT,
                           0);
            break;
          case 4:
            ended_attempt (store, batches[1 - i % 2], CL_ATTEMPT_PRODUCTION, chip, later, CL_ATTEMPT_REJECTED,
                           (ClRejectReason)(1 + (i + 3) % 7),
                           i % 4 ? CL_DISPOSITION_REJECT_BIN : CL_DISPOSITION_UNKNOWN, 0);
            break;
          case 5:
            {
              gint64 retest = ended_attempt (store, 0, CL_ATTEMPT_QA_RETEST, chip, later, CL_ATTEMPT_GOOD, 0,
                                             CL_DISPOSITION_OUTPUT, 0);

              cl_store_qa_record (store, chip, CL_QA_RECOVER, retest, "qa", "re-tested good", &error);
              g_assert_no_error (error);
            }
            break;
          case 6:
            cl_store_qa_record (store, chip, CL_QA_SCRAP, 0, "qa", "cracked", &error);
            g_assert_no_error (error);
            break;
          case 7:
            ended_attempt (store, batch, CL_ATTEMPT_PRODUCTION, chip, later, CL_ATTEMPT_REJECTED, CL_REJECT_TIMEOUT,
                           CL_DISPOSITION_RETAINED, 0);
            break;
          case 9:
            set_serial (store, chip, 1000 + i);
            break;
          default:
            break;
        }
    }
}

/* Every query the Rejects view makes, old and new, row for row; returns how many rows they listed in all. */
static guint
compare_all (ClStore *store, const gint64 batches[2])
{
  /* Terms of three characters or more go through the trigram index (version 15), shorter ones through the scan:
   * both kinds hit serials only (DE…), chips only (…AB…) and both ("10": serial DE00001010, chip …AB10), in either
   * case, whole or in part, or nothing; with LIKE's and FTS5's own characters taken literally. */
  const char *searches[] = { NULL,
                             "de0000",
                             "DE000010",
                             "DE00001003",
                             "de00001059",
                             "4790",
                             "ab1",
                             "%",
                             "_",
                             "\\",
                             "000000000000ab2a",
                             "4790000000000000AB3B",
                             "4",
                             "b",
                             "ab",
                             "3B",
                             "De",
                             "10",
                             "9",
                             "Z",
                             "zz",
                             "%_",
                             "\\%",
                             "e0_",
                             "0%1",
                             "\"ab",
                             "ab\"\"",
                             "AB* OR 4790",
                             "\xc3\xa9"
                             "10" };
  guint total = 0;

  for (guint s = 0; s < G_N_ELEMENTS (searches); s++)
    for (guint closed = 0; closed < 2; closed++)
      for (guint variant = 0; variant < 5; variant++)
        {
          ClRejectQuery q = { .reason = -1, .search = searches[s], .include_closed = closed };
          g_autoptr (GPtrArray) before = NULL;
          g_autoptr (GPtrArray) after = NULL;

          if (variant == 1)
            q.batch_id = batches[1];
          else if (variant == 2)
            q.reason = (ClRejectReason)3;
          else if (variant == 3)
            {
              q.from = T0 + 60 * G_USEC_PER_SEC;
              q.to = T0 + (gint64)3600 * G_USEC_PER_SEC + 200 * G_USEC_PER_SEC;
            }
          else if (variant == 4)
            q.limit = 7;
          before = old_rows (store, &q);
          after = new_rows (store, &q);
          for (guint i = 0; i < MAX (before->len, after->len); i++)
            g_assert_cmpstr (i < before->len ? (char *)g_ptr_array_index (before, i) : "(none)", ==,
                             i < after->len ? (char *)g_ptr_array_index (after, i) : "(none)");
          total += after->len;
        }
  return total;
}

static void
test_same_as_before (Fixture *f, gconstpointer data)
{
  gint64 batches[2];
  ClRejectQuery all = { .reason = -1, .include_closed = TRUE };
  g_autoptr (GPtrArray) listed = NULL;

  fill (f->store, batches);
  listed = new_rows (f->store, &all);
  /* every chip but the good and the only-retained ones, and the store had something to compare */
  g_assert_cmpuint (listed->len, ==, N_CHIPS - 2 * N_CHIPS / 10);
  g_assert_cmpint (store_fixture_raw_int (f, "SELECT count(*) FROM reject_latest"), ==, N_CHIPS - 2 * N_CHIPS / 10);
  g_assert_cmpuint (compare_all (f->store, batches), >, 100);
}

/* A store of version 13 (reject_latest emptied as if it never was, the version set back) migrates to 14: the backfill
 * gives the rows the triggers gave. */
static void
test_backfill (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batches[2];
  const char *rows_text = "SELECT count(*) FROM reject_latest";
  gint64 kept_rows;

  fill (f->store, batches);
  kept_rows = store_fixture_raw_int (f, rows_text);
  g_clear_object (&f->store);
  g_assert_true (store_fixture_raw_exec (f, "DELETE FROM reject_latest", NULL));
  g_assert_true (store_fixture_raw_exec (
    f, store_fixture_is_postgresql () ? "UPDATE schema_version SET version = 13" : "PRAGMA user_version = 13", NULL));
  g_assert_cmpint (store_fixture_raw_int (f, rows_text), ==, 0);
  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (store_fixture_raw_int (f, rows_text), ==, kept_rows);
  g_assert_cmpuint (compare_all (f->store, batches), >, 100);
  /* and the triggers keep it after the migration ran again */
  ended_attempt (f->store, batches[0], CL_ATTEMPT_PRODUCTION, "4790000000000000AB00",
                 T0 + (gint64)7200 * G_USEC_PER_SEC, CL_ATTEMPT_REJECTED, CL_REJECT_TIMEOUT, CL_DISPOSITION_REJECT_BIN,
                 0);
  g_assert_cmpint (store_fixture_raw_int (f, rows_text), ==, kept_rows + 1);
  compare_all (f->store, batches);
}

/* A store of version 14 (the search's index dropped as if it never was, the version set back) migrates to 15: the
 * index is made from the rows there are, and the searches find what the old query finds (a search of three
 * characters or more on SQLite reads its rows from the index only: an index without them would find nothing). */
static void
test_search_index_backfill (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batches[2];
  gboolean pg = store_fixture_is_postgresql ();
  const char *indexes_text
    = pg ? "SELECT count(*) FROM pg_indexes WHERE tablename = 'reject_latest' AND indexdef LIKE '%gin_trgm_ops%'"
         : "SELECT count(*) FROM sqlite_master WHERE name = 'reject_search' OR tbl_name = 'reject_latest' AND type = "
           "'trigger' AND name LIKE 'reject_search%'";
  ClRejectQuery one = { .reason = -1, .include_closed = TRUE, .search = "000000000000ab01" };
  g_autoptr (GPtrArray) found = NULL;

  fill (f->store, batches);
  g_assert_cmpint (store_fixture_raw_int (f, indexes_text), ==, pg ? 2 : 4);
  g_clear_object (&f->store);
  g_assert_true (store_fixture_raw_exec (
    f,
    pg ? "DROP INDEX reject_latest_chip_trgm; DROP INDEX reject_latest_serial_trgm; DROP EXTENSION pg_trgm; "
         "UPDATE schema_version SET version = 14"
       : "DROP TRIGGER reject_search_insert; DROP TRIGGER reject_search_delete; DROP TRIGGER reject_search_update; "
         "DROP TABLE reject_search; PRAGMA user_version = 14",
    NULL));
  g_assert_cmpint (store_fixture_raw_int (f, indexes_text), ==, 0);
  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (store_fixture_raw_int (f, indexes_text), ==, pg ? 2 : 4);
  g_assert_cmpuint (compare_all (f->store, batches), >, 100);
  found = new_rows (f->store, &one);
  g_assert_cmpuint (found->len, ==, 1);
  /* and the triggers keep the index after the migration: a chip rejected again and a serial printed since */
  ended_attempt (f->store, batches[0], CL_ATTEMPT_PRODUCTION, "4790000000000000AB00",
                 T0 + (gint64)7200 * G_USEC_PER_SEC, CL_ATTEMPT_REJECTED, CL_REJECT_TIMEOUT, CL_DISPOSITION_REJECT_BIN,
                 0);
  set_serial (f->store, "4790000000000000AB01", 77777);
  compare_all (f->store, batches);
  {
    ClRejectQuery serial = { .reason = -1, .include_closed = TRUE, .search = "E00077777" };
    g_autoptr (GPtrArray) printed = new_rows (f->store, &serial);

    g_assert_cmpuint (printed->len, ==, 1);
  }
}

/* reject_grams holds exactly the grams of reject_latest's rows as they are now. */
static void
assert_grams_kept (Fixture *f)
{
  g_assert_cmpint (store_fixture_raw_int (f,
                                          "SELECT count(*) FROM (SELECT gram, chip_id FROM reject_grams EXCEPT "
                                          "SELECT gram, chip_id FROM (" REJECT_GRAMS_SELECT ("reject_latest") ") a) x"),
                   ==, 0);
  g_assert_cmpint (store_fixture_raw_int (f, "SELECT count(*) FROM (SELECT gram, chip_id FROM (" REJECT_GRAMS_SELECT (
                                               "reject_latest") ") a EXCEPT SELECT gram, chip_id FROM reject_grams) x"),
                   ==, 0);
}

/* A store of version 15 (the grams dropped as if they never were) migrates to 16: the grams are made from the rows
 * there are, the triggers keep them, and searches of one or two characters find what the old query finds, in a
 * serial longer than the grams' positions too (a short search reads only the chips its gram names). */
static void
test_grams_backfill (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batches[2];
  gboolean pg = store_fixture_is_postgresql ();
  const char *grams_text = "SELECT count(*) FROM reject_grams";
  g_autofree char *long_serial
    = g_strdup_printf ("DE%s", "000000000000000000000000000000000000000000000000000000000000000000000Q");

  fill (f->store, batches);
  g_assert_cmpint (store_fixture_raw_int (f, grams_text), >, 500);
  assert_grams_kept (f);
  g_clear_object (&f->store);
  g_assert_true (store_fixture_raw_exec (
    f,
    pg ? "DROP TRIGGER reject_grams_insert ON reject_latest; DROP TRIGGER reject_grams_delete ON reject_latest; "
         "DROP TRIGGER reject_grams_update ON reject_latest; DROP FUNCTION cl_reject_grams_add(); "
         "DROP FUNCTION cl_reject_grams_remove(); DROP FUNCTION cl_reject_grams_change(); DROP TABLE reject_grams; "
         "DROP TABLE reject_gram_positions; UPDATE schema_version SET version = 15"
       : "DROP TRIGGER reject_grams_insert; DROP TRIGGER reject_grams_delete; DROP TRIGGER reject_grams_update; "
         "DROP TABLE reject_grams; DROP TABLE reject_gram_positions; PRAGMA user_version = 15",
    NULL));
  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (store_fixture_raw_int (f, grams_text), >, 500);
  g_assert_cmpint (store_fixture_raw_int (f, "SELECT count(*) FROM reject_gram_positions"), ==, 64);
  assert_grams_kept (f);
  g_assert_cmpuint (compare_all (f->store, batches), >, 100);
  /* the triggers after the migration: a chip rejected again, a serial printed since, one longer than the positions */
  ended_attempt (f->store, batches[0], CL_ATTEMPT_PRODUCTION, "4790000000000000AB00",
                 T0 + (gint64)7200 * G_USEC_PER_SEC, CL_ATTEMPT_REJECTED, CL_REJECT_TIMEOUT, CL_DISPOSITION_REJECT_BIN,
                 0);
  set_serial (f->store, "4790000000000000AB01", 77777);
  g_assert_true (cl_store_card_set_printed_serial (f->store, "4790000000000000AB02", long_serial, &error));
  g_assert_no_error (error);
  assert_grams_kept (f);
  compare_all (f->store, batches);
  {
    ClRejectQuery q = { .reason = -1, .include_closed = TRUE, .search = "q" };
    g_autoptr (GPtrArray) found = new_rows (f->store, &q);
    g_autoptr (GPtrArray) expected = old_rows (f->store, &q);

    g_assert_cmpuint (found->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (found, 0), ==, g_ptr_array_index (expected, 0));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/reject-latest/same-as-before", Fixture, NULL, store_fixture_setup, test_same_as_before,
              store_fixture_teardown);
  g_test_add ("/store/reject-latest/backfill", Fixture, NULL, store_fixture_setup, test_backfill,
              store_fixture_teardown);
  g_test_add ("/store/reject-latest/search-index-backfill", Fixture, NULL, store_fixture_setup,
              test_search_index_backfill, store_fixture_teardown);
  g_test_add ("/store/reject-latest/grams-backfill", Fixture, NULL, store_fixture_setup, test_grams_backfill,
              store_fixture_teardown);
  return g_test_run ();
}
