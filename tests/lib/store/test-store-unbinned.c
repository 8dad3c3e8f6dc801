/* Attempts whose card went to neither bin (issue 19): RETAINED (a killed station's card, never made, fed again)
 * counts as neither fed nor rejected, UNKNOWN (a card whose whereabouts nobody can vouch for, after a printer lost
 * power with it inside) as fed but no reject, in the summary, the dashboard's per-minute series (from the records
 * and from the aggregates) and the Rejects view's list; schema version 5 adds UNKNOWN to the dispositions without
 * breaking their append-only triggers, the schema check or the seals. */
#include <string.h>

#include "core/cl-error.h"
#include "store/cl-store-dashboard.h"
#include "store/cl-store-private.h"
#include "store/cl-store-records.h"
#include "store/cl-store-users.h"
#include "store-fixture.h"

#define MINUTE       ((gint64)60 * G_USEC_PER_SEC)
#define PROFILE_HASH "0000000000000000000000000000000000000000000000000000000000000000"
/* a whole minute, so that a series of whole minutes is read from the aggregates */
#define T0 ((gint64)1800000000 * G_USEC_PER_SEC)

typedef StoreFixture Fixture;
#define fixture_setup    store_fixture_setup
#define fixture_teardown store_fixture_teardown
#define raw_int          store_fixture_raw_int

static gint64
new_batch (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;
  gint64 id = cl_store_batch_open (f->store, name, "demo", PROFILE_HASH, 10, "tester", &error);

  g_assert_no_error (error);
  return id;
}

/* One production attempt of chip, ended at start + 1 s with disposition (OUTPUT: good; otherwise rejected at
 * DISPOSE). */
static gint64
attempt (Fixture *f, gint64 batch, const char *chip, gint64 start, ClDisposition disposition)
{
  g_autoptr (GError) error = NULL;
  gboolean good = disposition == CL_DISPOSITION_OUTPUT;
  ClAttemptEnd end = { good ? CL_ATTEMPT_GOOD : CL_ATTEMPT_REJECTED,
                       CL_REJECT_PROTOCOL_ERROR,
                       CL_STEP_DISPOSE,
                       0x9000,
                       disposition,
                       start + G_USEC_PER_SEC };
  gint64 id = cl_store_attempt_begin (f->store, batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 0", start, &error);

  g_assert_no_error (error);
  cl_store_attempt_identify (f->store, id, chip, start + 1, NULL, &error);
  g_assert_no_error (error);
  cl_store_attempt_end (f->store, id, &end, &error);
  g_assert_no_error (error);
  return id;
}

/* A good card, a card in the reject bin, a card of unknown whereabouts, all in the first minute; a card a killed
 * station left in its reader, ended RETAINED in the second minute. */
static gint64
mixed_batch (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  gint64 batch = new_batch (f, "B-unbinned");
  ClAttemptEnd retained = { CL_ATTEMPT_REJECTED,     CL_REJECT_PROTOCOL_ERROR,        CL_STEP_VERIFY, -1,
                            CL_DISPOSITION_RETAINED, T0 + MINUTE + 5 * G_USEC_PER_SEC };
  gint64 open;

  attempt (f, batch, "47900000000000000001", T0 + 1 * G_USEC_PER_SEC, CL_DISPOSITION_OUTPUT);
  attempt (f, batch, "47900000000000000002", T0 + 10 * G_USEC_PER_SEC, CL_DISPOSITION_REJECT_BIN);
  attempt (f, batch, "47900000000000000003", T0 + 20 * G_USEC_PER_SEC, CL_DISPOSITION_UNKNOWN);
  open = cl_store_attempt_begin (f->store, batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 1", T0 + 30 * G_USEC_PER_SEC,
                                 &error);
  g_assert_no_error (error);
  cl_store_attempt_identify (f->store, open, "47900000000000000004", T0 + 31 * G_USEC_PER_SEC, NULL, &error);
  g_assert_no_error (error);
  /* as cl_store_attempt_abandon_open() ends it on the restart, at a time of the test's choosing */
  cl_store_attempt_end (f->store, open, &retained, &error);
  g_assert_no_error (error);
  return batch;
}

static void
test_summary (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batch = mixed_batch (f);

  for (guint from_rows = 0; from_rows < 2; from_rows++)
    {
      g_autoptr (ClYieldSummary) s = NULL;
      g_autofree char *json = NULL;
      g_autofree char *csv = NULL;
      g_autofree char *text = NULL;

      cl_store_set_yield_from_rows (f->store, from_rows);
      s = cl_store_yield_summary (f->store, batch, 0, 0, &error);
      g_assert_no_error (error);
      /* the unknown card was fed and is not good; the reject bin received one card */
      g_assert_cmpuint (s->fed, ==, 3);
      g_assert_cmpuint (s->good, ==, 1);
      g_assert_cmpuint (s->rejected, ==, 1);
      g_assert_cmpuint (s->unknown, ==, 1);
      g_assert_cmpuint (s->retained, ==, 1);
      g_assert_cmpuint (s->rejects_by_step[CL_STEP_DISPOSE], ==, 1);
      g_assert_cmpuint (s->rejects_by_step[CL_STEP_VERIFY], ==, 0);
      g_assert_cmpfloat_with_epsilon (s->first_pass_yield, 1.0 / 3.0, 1e-9);
      json = cl_yield_summary_to_json (s);
      g_assert_nonnull (strstr (json, "\"rejected\":1,"));
      g_assert_nonnull (strstr (json, "\"unknown\":1,"));
      csv = cl_yield_summary_to_csv (s);
      g_assert_nonnull (strstr (csv, "\nunknown,,1\n"));
      text = cl_yield_summary_to_text (s);
      g_assert_nonnull (strstr (text, "Whereabouts unknown: 1"));
    }
  /* --quantity: the unknown card left the line for good; the retained one is fed again */
  g_assert_cmpint (cl_store_batch_count_disposed (f->store, batch, &error), ==, 3);
  g_assert_no_error (error);
}

static void
assert_bucket (const ClYieldBucket *b, guint64 fed, guint64 good, guint64 rejected)
{
  g_assert_cmpuint (b->fed, ==, fed);
  g_assert_cmpuint (b->good, ==, good);
  g_assert_cmpuint (b->rejected, ==, rejected);
}

/* The dashboard's per-minute series: the retained attempt's minute shows nothing; the first minute three fed, one
 * rejected. Whole minutes come from the aggregates, a ragged series from the records: both agree. */
static void
test_series (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batch = mixed_batch (f);

  for (guint from_rows = 0; from_rows < 2; from_rows++)
    {
      g_autoptr (GArray) minutes = NULL;
      g_autoptr (GArray) ragged = NULL;

      cl_store_set_yield_from_rows (f->store, from_rows);
      minutes = cl_store_yield_series (f->store, batch, T0, T0 + 2 * MINUTE, MINUTE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (minutes->len, ==, 2);
      assert_bucket (&g_array_index (minutes, ClYieldBucket, 0), 3, 1, 1);
      assert_bucket (&g_array_index (minutes, ClYieldBucket, 1), 0, 0, 0);
      /* not whole minutes: read from the records */
      ragged = cl_store_yield_series (f->store, 0, T0 + 1, T0 + 2 * MINUTE + 1, MINUTE, &error);
      g_assert_no_error (error);
      assert_bucket (&g_array_index (ragged, ClYieldBucket, 0), 3, 1, 1);
      assert_bucket (&g_array_index (ragged, ClYieldBucket, 1), 0, 0, 0);
    }
}

/* The Rejects view lists the card in the reject bin and the one of unknown whereabouts (saying so), not the card a
 * killed station left in its reader. */
static void
test_reject_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  ClRejectQuery query = { 0 };
  gboolean seen_bin = FALSE, seen_unknown = FALSE;

  query.batch_id = mixed_batch (f);
  query.reason = -1;
  rows = cl_store_reject_search (f->store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint i = 0; i < rows->len; i++)
    {
      const ClRejectRow *row = g_ptr_array_index (rows, i);

      g_assert_cmpstr (row->chip_id, !=, "47900000000000000004");
      if (g_strcmp0 (row->chip_id, "47900000000000000002") == 0)
        seen_bin = row->disposition == CL_DISPOSITION_REJECT_BIN;
      if (g_strcmp0 (row->chip_id, "47900000000000000003") == 0)
        seen_unknown = row->disposition == CL_DISPOSITION_UNKNOWN;
    }
  g_assert_true (seen_bin);
  g_assert_true (seen_unknown);
}

static gboolean
raw_exec (Fixture *f, const char *sql)
{
  return store_fixture_raw_exec (f, sql, NULL);
}

/* A store of version 4 with sealed dispositions migrates to 5: the rows, their seals, the schema check and the
 * append-only triggers all hold, and UNKNOWN is a destination the table now takes (and nothing else new). The first
 * administrator's role is sealed like every account's. */
static void
test_migration (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 n = 0;

  g_assert_true (cl_store_user_add_first_admin (f->store, "ada", "long enough password", &error));
  g_assert_no_error (error);
  mixed_batch (f);
  g_clear_object (&f->store);
  /* back to version 4: the migration to 5 runs on open, over rows sealed before it */
  g_assert_true (raw_exec (f, "PRAGMA user_version = 4"));
  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "PRAGMA user_version"), ==, CL_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM dispositions WHERE destination = 'UNKNOWN'"), ==, 1);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM dispositions"), ==, 4);
  g_assert_true (cl_store_verify_schema (f->store, &error));
  g_assert_no_error (error);
  g_assert_true (cl_store_verify_records (f->store, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 5); /* four attempts, one user */
  g_assert_false (raw_exec (f, "UPDATE dispositions SET destination = 'OUTPUT' WHERE destination = 'UNKNOWN'"));
  g_assert_false (raw_exec (f, "DELETE FROM dispositions"));
  g_assert_false (raw_exec (f, "PRAGMA ignore_check_constraints = 0; "
                               "INSERT INTO dispositions (attempt_id, destination, decided) VALUES (99, 'LOST', 0)"));
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM dispositions"), ==, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/store-unbinned/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("summary", test_summary);
  ADD ("series", test_series);
  ADD ("reject-list", test_reject_list);
  /* an SQLite file of version 4 (PostgreSQL's schema starts at a later baseline) */
  if (!store_fixture_is_postgresql ())
    ADD ("migration", test_migration);
#undef ADD
  return g_test_run ();
}
