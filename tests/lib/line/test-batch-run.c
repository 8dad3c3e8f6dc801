/* test-batch-run: the line engine in process (run under tests/rig/rig-run --parts hsm): ClBatchRun over the fake
 * feeders with virtual cards on cardline-vcard's dispatcher and the DEMO keys in SoftHSM2. A batch to completion,
 * pause / resume / stop, a feeder fault and its recovery, a rack's cards in parallel and cancelled by Stop, a card
 * the reader cannot reach, a store that fails mid-card (the line pauses, the card is never GOOD), two batch runs
 * sharing one store, and a restart after a kill. Every wait is bounded and keyed on the event it waits for. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "cups/cl-cups-face-printer.h"
#include "cl-fake-feeder.h"
#include "cl-production-fixture.h"
#include "core/cl-error.h"
#include "keys/cl-audit-checkpoint.h"
#include "line/cl-batch-run.h"
#include "store/cl-yield-summary.h"

#define WAIT_SECONDS 120 /* generous: CI machines are loaded; a wait ends as soon as its event is seen */

static ClProductionFixture *fixture;

typedef struct
{
  ClStore *store;
  ClProductionSetup *setup;
  ClFakeFeeder *feeder;
  ClBatchRun *run;
  GPtrArray *events; /* ClLineEvent, as the main context saw them */
  gboolean finished;
} Line;

static void
on_event (ClBatchRun *run, ClLineEvent *event, Line *line)
{
  g_ptr_array_add (line->events, g_object_ref (event));
  if (cl_line_event_has_line (event))
    g_test_message ("%s", cl_line_event_get_line (event));
}

static void
on_finished (ClBatchRun *run, Line *line)
{
  line->finished = TRUE;
}

static guint
count (Line *line, ClLineEventKind kind)
{
  guint n = 0;

  for (guint i = 0; i < line->events->len; i++)
    n += cl_line_event_get_kind (line->events->pdata[i]) == kind;
  return n;
}

static ClLineEvent *
last (Line *line, ClLineEventKind kind)
{
  for (guint i = line->events->len; i > 0; i--)
    if (cl_line_event_get_kind (line->events->pdata[i - 1]) == kind)
      return line->events->pdata[i - 1];
  return NULL;
}

typedef gboolean (*Predicate) (Line *line, gpointer data);

static gboolean tick (gpointer data);

static void
wait_for (Line *line, Predicate predicate, gpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  /* the iteration below blocks until a source fires: this one makes sure one does, so the deadline is kept even
   * when the awaited event never comes (a failure with its reason, never a hang until the harness kills it) */
  guint ticker = g_timeout_add (200, tick, NULL);

  while (!predicate (line, data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("waited %d s for %s; %u events seen, the last: %s", WAIT_SECONDS, what, line->events->len,
                 line->events->len > 0 ? cl_line_event_get_line (line->events->pdata[line->events->len - 1]) : "-");
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (ticker);
}

static gboolean
has_events (Line *line, gpointer data)
{
  const guint *want = data; /* kind, n */

  return count (line, (ClLineEventKind)want[0]) >= want[1];
}

static void
wait_events (Line *line, ClLineEventKind kind, guint n)
{
  guint want[2] = { kind, n };
  g_autofree char *what = g_strdup_printf ("%u %s events", n, cl_line_event_kind_to_string (kind));

  wait_for (line, has_events, want, what);
}

/* data: how many cards the IDENTIFY step finished for, at least */
static gboolean
has_identified (Line *line, gpointer data)
{
  guint n = 0;

  for (guint i = 0; i < line->events->len; i++)
    n += cl_line_event_get_kind (line->events->pdata[i]) == CL_LINE_EVENT_STEP_FINISHED
         && cl_line_event_get_step (line->events->pdata[i]) == CL_STEP_IDENTIFY;
  return n >= GPOINTER_TO_UINT (data);
}

static gboolean
is_finished (Line *line, gpointer data)
{
  return line->finished;
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static Line *
line_new (ClStore *store, ClFakeFeeder *feeder, const char *station, const char *batch, guint quantity)
{
  Line *line = g_new0 (Line, 1);
  g_autoptr (GError) error = NULL;

  line->store = g_object_ref (store);
  line->setup = cl_production_fixture_setup_for (fixture, "smartcard-hsm.profile", store);
  line->feeder = g_object_ref (feeder);
  line->events = g_ptr_array_new_with_free_func (g_object_unref);
  line->run = cl_batch_run_new (line->setup, CL_FEEDER (feeder), station, batch, quantity, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (line->run, "event", G_CALLBACK (on_event), line);
  g_signal_connect (line->run, "finished", G_CALLBACK (on_finished), line);
  return line;
}

static void
line_free (Line *line)
{
  g_signal_handlers_disconnect_by_data (line->run, line);
  g_clear_object (&line->run);
  g_clear_object (&line->feeder);
  g_clear_object (&line->setup);
  g_clear_object (&line->store);
  g_ptr_array_unref (line->events);
  g_free (line);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Line, line_free)

static void
stop_and_wait (Line *line)
{
  cl_batch_run_stop_async (line->run, "tester", NULL, NULL, NULL);
  wait_for (line, is_finished, NULL, "the run to finish");
}

static void
add_good_cards (ClFakeFeeder *feeder, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
      g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);

      cl_fake_feeder_add_card (feeder, transport);
    }
}

/* A card whose commands pass through transmit (a fault injected at a chosen command). */
static void
add_filtered_card (ClFakeFeeder *feeder, ClProductionFixtureTransmitFunc transmit, gpointer data)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClTransport) transport
    = cl_production_fixture_filter_new (cl_production_fixture_insert (image), transmit, data, NULL);

  cl_fake_feeder_add_card (feeder, transport);
}

static ClBatchState
batch_state (Line *line)
{
  ClBatchState state = CL_BATCH_RUNNING;
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_store_batch_get_state (line->store, cl_batch_run_get_batch_id (line->run), &state, &error));
  g_assert_no_error (error);
  return state;
}

static ClStore *
open_store (const char *name)
{
  return cl_production_fixture_open_store (fixture, name);
}

/* Threads of this process named name (Linux: /proc/self/task/<tid>/comm). */
static guint
count_threads (const char *name)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL))
        n += g_str_equal (g_strchomp (comm), name);
    }
  return n;
}

static gboolean
has_batch_watches (Line *line, gpointer data)
{
  return count_threads ("batch-watch") >= GPOINTER_TO_UINT (data);
}

/* ---- tests ---- */

static void
test_complete (void)
{
  g_autoptr (ClStore) store = open_store ("complete.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-a", "B-complete", 3);
  g_autoptr (ClYieldSummary) summary = NULL;
  ClBatchCounters *counters = cl_batch_run_get_counters (line->run);

  add_good_cards (feeder, 3);
  cl_batch_run_start (line->run);
  /* alone on its store: the batch watch never asks the store (the feed decided before its first card) */
  wait_events (line, CL_LINE_EVENT_GOOD, 1);
  g_assert_cmpuint (count_threads ("batch-watch"), ==, 0);
  wait_for (line, is_finished, NULL, "the batch to complete and the run to finish");
  g_assert_true (g_cancellable_is_cancelled (cl_batch_run_get_done (line->run)));
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 3);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_CARD_PRESENT), ==, 3);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_STEP_STARTED), ==, count (line, CL_LINE_EVENT_STEP_FINISHED));
  g_assert_cmpuint (count (line, CL_LINE_EVENT_BATCH_DONE), ==, 1);
  g_assert_true (cl_line_event_get_fields (last (line, CL_LINE_EVENT_BATCH_DONE))->good);
  /* typed: the serial is a field, and the machine line is the one scripts have always read */
  g_assert_nonnull (cl_line_event_get_serial (last (line, CL_LINE_EVENT_GOOD)));
  g_assert_cmpstr (cl_line_event_get_fields (last (line, CL_LINE_EVENT_GOOD))->station, ==, "station-a");
  g_assert_cmpstr (cl_line_event_get_fields (last (line, CL_LINE_EVENT_BATCH_DONE))->station, ==, "station-a");
  g_assert_true (strstr (cl_line_event_get_line (last (line, CL_LINE_EVENT_GOOD)), " note fake ") != NULL);
  g_assert_true (strstr (cl_line_event_get_line (last (line, CL_LINE_EVENT_GOOD)), " good chip=") != NULL);
  g_assert_cmpuint (cl_fake_feeder_get_output (feeder), ==, 3);
  g_assert_cmpuint (cl_fake_feeder_get_released (feeder), ==, 3);
  g_assert_true (cl_fake_feeder_get_shut_down (feeder));
  g_assert_cmpuint (cl_batch_counters_get_good (counters), ==, 3);
  g_assert_cmpuint (cl_batch_counters_get_fed (counters), ==, 3);
  g_assert_true (cl_batch_counters_get_ended (counters));
  g_assert_cmpint (batch_state (line), ==, CL_BATCH_CLOSED);
  summary = cl_store_yield_summary (store, cl_batch_run_get_batch_id (line->run), 0, 0, NULL);
  g_assert_cmpuint (summary->good, ==, 3);
  g_assert_cmpuint (summary->fed, ==, 3);
}

static void
test_pause_resume_stop (void)
{
  g_autoptr (ClStore) store = open_store ("pause.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-a", "B-pause", 5);
  guint id = g_timeout_add (100, tick, NULL);

  add_good_cards (feeder, 1);
  cl_batch_run_start (line->run);
  wait_events (line, CL_LINE_EVENT_GOOD, 1);
  cl_batch_run_set_paused (line->run, TRUE, "tester");
  wait_events (line, CL_LINE_EVENT_PAUSED, 1);
  g_assert_true (cl_batch_run_get_paused (line->run));
  /* paused: a card that arrives is not taken (the feed thread never asks the feeder while paused) */
  add_good_cards (feeder, 1);
  {
    guint feeds = cl_fake_feeder_get_feeds (feeder);
    gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 1);
    g_assert_cmpuint (cl_fake_feeder_get_feeds (feeder), <=, feeds + 1);
  }
  g_assert_cmpint (batch_state (line), ==, CL_BATCH_PAUSED);
  cl_batch_run_set_paused (line->run, FALSE, "tester");
  wait_events (line, CL_LINE_EVENT_GOOD, 2);
  stop_and_wait (line);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_RESUMED), ==, 1);
  g_assert_false (cl_line_event_get_fields (last (line, CL_LINE_EVENT_BATCH_DONE))->good);
  g_assert_cmpint (batch_state (line), ==, CL_BATCH_ABORTED);
  g_assert_cmpuint (cl_batch_counters_get_good (cl_batch_run_get_counters (line->run)), ==, 2);
  g_source_remove (id);
}

static void
test_feeder_fault (void)
{
  g_autoptr (ClStore) store = open_store ("fault.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-a", "B-fault", 1);
  ClLineEvent *fault;

  cl_fake_feeder_set_fault (feeder, CL_LINE_FAULT_FEEDER_EMPTY);
  cl_batch_run_start (line->run);
  wait_events (line, CL_LINE_EVENT_FAULT, 1);
  fault = last (line, CL_LINE_EVENT_FAULT);
  g_assert_cmpint (cl_line_event_get_fault (fault), ==, CL_LINE_FAULT_FEEDER_EMPTY);
  g_assert_true (g_str_has_prefix (cl_line_event_get_instruction (fault), "Load blank cards"));
  g_assert_true (strstr (cl_line_event_get_line (fault), "fault fault=feeder-empty card-inside=no") != NULL);
  /* the operator loads cards: the printer reports the fault gone, the line resumes by itself */
  add_good_cards (feeder, 1);
  cl_fake_feeder_clear_fault (feeder);
  wait_events (line, CL_LINE_EVENT_FAULT_CLEARED, 1);
  g_assert_true (
    g_str_has_suffix (cl_line_event_get_line (last (line, CL_LINE_EVENT_FAULT_CLEARED)), "resumed fault=feeder-empty"));
  wait_for (line, is_finished, NULL, "the batch to complete after the fault");
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 1);

  /* the operator's Resume retries at once, without waiting for the printer */
  {
    g_autoptr (ClStore) store2 = open_store ("fault-retry.db");
    g_autoptr (ClFakeFeeder) feeder2 = cl_fake_feeder_new ();
    g_autoptr (Line) line2 = line_new (store2, feeder2, "station-a", "B-retry", 1);

    cl_fake_feeder_set_fault (feeder2, CL_LINE_FAULT_JAM);
    cl_batch_run_start (line2->run);
    wait_events (line2, CL_LINE_EVENT_FAULT, 1);
    add_good_cards (feeder2, 1);
    cl_batch_run_retry (line2->run);
    wait_for (line2, is_finished, NULL, "the batch to complete after Resume");
    g_assert_cmpuint (count (line2, CL_LINE_EVENT_GOOD), ==, 1);
  }
}

static void
test_unreachable_card (void)
{
  g_autoptr (ClStore) store = open_store ("unreachable.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-a", "B-unreachable", 2);
  ClLineEvent *rejected;

  cl_fake_feeder_add_card (feeder, NULL);
  add_good_cards (feeder, 1);
  cl_batch_run_start (line->run);
  wait_for (line, is_finished, NULL, "the batch to complete");
  /* a card the printer fed but the reader never saw is recorded and in the reject bin: bin and store agree */
  rejected = last (line, CL_LINE_EVENT_REJECTED);
  g_assert_nonnull (rejected);
  g_assert_cmpint (cl_line_event_get_reason (rejected), ==, CL_REJECT_NO_ATR);
  g_assert_cmpint (cl_line_event_get_step (rejected), ==, CL_STEP_IDENTIFY);
  g_assert_cmpuint (cl_fake_feeder_get_rejected (feeder), ==, 1);
  g_assert_cmpuint (cl_fake_feeder_get_output (feeder), ==, 1);
  g_assert_cmpuint (cl_batch_counters_get_rejected (cl_batch_run_get_counters (line->run)), ==, 1);
}

static void
test_rack_parallel_and_stop (void)
{
  g_autoptr (ClStore) store = open_store ("rack.db");
  g_autoptr (ClFakeFeeder) rack = cl_fake_rack_new ();
  g_autoptr (Line) line = line_new (store, rack, "station-r", "B-rack", 10);

  add_good_cards (rack, 3);
  cl_batch_run_start (line->run);
  wait_events (line, CL_LINE_EVENT_GOOD, 3);
  /* cards in flight when the rack stops are cancelled: CARD_REMOVED, as the operator pulls them. Both new cards are
   * in production first (identified): one step of either was not enough on a loaded machine, where the other card's
   * reader had not taken it yet, and a card never started has no end to count. */
  add_good_cards (rack, 2);
  wait_for (line, has_identified, GUINT_TO_POINTER (5), "both new cards identified");
  stop_and_wait (line);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD) + count (line, CL_LINE_EVENT_REJECTED), ==, 5);
  for (guint i = 0; i < line->events->len; i++)
    if (cl_line_event_get_kind (line->events->pdata[i]) == CL_LINE_EVENT_REJECTED)
      g_assert_cmpint (cl_line_event_get_reason (line->events->pdata[i]), ==, CL_REJECT_CARD_REMOVED);
  g_assert_cmpuint (cl_fake_feeder_get_output (rack), ==, 0); /* nothing moves a rack's cards */
  g_assert_cmpint (batch_state (line), ==, CL_BATCH_ABORTED);
}

/* ---- a store that fails mid-card ---- */

typedef struct
{
  char *path;
  gboolean failing;
} Breaker;

static void
store_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* From INSTALL [for load] on, the store refuses every step record: the card is mid-sequence, keys rotated, when
 * its records can no longer be written (what a full disk does, injected through a trigger on a second connection). */
static GBytes *
break_at_load (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error, gpointer user_data)
{
  Breaker *breaker = user_data;
  const guint8 *c = g_bytes_get_data (command, NULL);

  if (!breaker->failing && g_bytes_get_size (command) > 4 && (c[0] & 0xF0) == 0x80 && c[1] == 0xE6 && c[2] == 0x02)
    {
      breaker->failing = TRUE;
      store_exec (breaker->path, "CREATE TRIGGER inject_steps BEFORE INSERT ON steps "
                                 "BEGIN SELECT RAISE(ABORT, 'disk full (injected by the test)'); END;");
    }
  return cl_transport_transmit (inner, command, cancellable, error);
}

/* ---- the records prove the line: checked with SQL afterwards ---- */

static gint64
sql_count (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* No attempt without an end, no GOOD without its records (steps through VERIFY and DISPOSE, the certificate, the
 * output hopper), the bins hold what the store says, and no card was rejected for the station's fault. */
static void
assert_records (ClStore *store, ClFakeFeeder *feeder, guint good)
{
  const char *path = cl_store_get_path (store);

  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM attempts WHERE ended IS NULL"), ==, 0);
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM attempts a WHERE a.result = 'GOOD' AND ("
                                    " NOT EXISTS (SELECT 1 FROM steps s WHERE s.attempt_id = a.id"
                                    "   AND s.step = 'VERIFY' AND s.result = 'OK')"
                                    " OR NOT EXISTS (SELECT 1 FROM steps s WHERE s.attempt_id = a.id"
                                    "   AND s.step = 'DISPOSE' AND s.result = 'OK')"
                                    " OR NOT EXISTS (SELECT 1 FROM certificates c WHERE c.chip_id = a.chip_id)"
                                    " OR NOT EXISTS (SELECT 1 FROM dispositions d WHERE d.attempt_id = a.id"
                                    "   AND d.destination = 'OUTPUT'))"),
                   ==, 0);
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM attempts WHERE result = 'GOOD'"), ==, good);
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM attempts WHERE result = 'REJECTED'"), ==, 0);
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM dispositions WHERE destination = 'OUTPUT'"), ==,
                   cl_fake_feeder_get_output (feeder));
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM dispositions WHERE destination = 'REJECT_BIN'"), ==,
                   cl_fake_feeder_get_rejected (feeder));
  /* one card, one attempt: a card resumed after the fault continued its attempt */
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM attempts"), ==, good);
}

static void
test_store_fails_mid_card (void)
{
  g_autoptr (ClStore) store = open_store ("failing.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-a", "B-store", 2);
  Breaker breaker = { g_strdup (cl_store_get_path (store)), FALSE };
  ClBatchCounters *counters = cl_batch_run_get_counters (line->run);
  ClLineEvent *fault;

  add_filtered_card (feeder, break_at_load, &breaker);
  cl_batch_run_start (line->run);
  wait_events (line, CL_LINE_EVENT_FAULT, 1);
  fault = last (line, CL_LINE_EVENT_FAULT);
  g_assert_cmpint (cl_line_event_get_fault (fault), ==, CL_LINE_FAULT_STORE);
  g_assert_true (strstr (cl_line_event_get_note (fault), "disk full") != NULL);
  g_assert_true (cl_batch_run_get_faulted (line->run));
  /* the card is neither GOOD nor rejected: it waits where it is, its attempt open, nothing in a bin */
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 0);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_output (feeder) + cl_fake_feeder_get_rejected (feeder), ==, 0);
  /* the line feeds no next card while the store cannot record it */
  add_good_cards (feeder, 1);
  g_assert_cmpuint (cl_fake_feeder_get_feeds (feeder), ==, 1);

  /* the disk is freed: without anyone pressing Resume the line gets past the fault, the waiting card continues its
   * attempt and is GOOD, then the next card is produced */
  store_exec (breaker.path, "DROP TRIGGER inject_steps");
  wait_events (line, CL_LINE_EVENT_FAULT_CLEARED, 1);
  wait_for (line, is_finished, NULL, "the batch to complete after the store came back");
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 2);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_feeds (feeder), ==, 2);
  /* the batch's report counts what the bins hold */
  g_assert_cmpuint (cl_batch_counters_get_good (counters), ==, 2);
  g_assert_cmpuint (cl_batch_counters_get_fed (counters), ==, 2);
  g_assert_cmpuint (cl_batch_counters_get_rejected (counters), ==, 0);
  g_assert_cmpint (batch_state (line), ==, CL_BATCH_CLOSED);
  assert_records (store, feeder, 2);
  g_free (breaker.path);
}

/* The card is in the output hopper when the store refuses its disposition (RAISE(FAIL) from a second connection,
 * as EROFS would): its attempt must not stay open and the line must not stall; once the store takes writes again the
 * end is written, the card counts GOOD, and the batch goes on by itself. */
static GBytes *
break_at_verify (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error, gpointer user_data)
{
  Breaker *breaker = user_data;
  const guint8 *c = g_bytes_get_data (command, NULL);

  /* the first SELECT of VERIFY's fresh check comes after CERTIFY wrote EF.C_DevAut: break from there on */
  if (!breaker->failing && g_bytes_get_size (command) > 4 && c[0] == 0x00 && c[1] == 0xB1)
    {
      breaker->failing = TRUE;
      store_exec (breaker->path, "CREATE TRIGGER inject_end BEFORE INSERT ON dispositions "
                                 "BEGIN SELECT RAISE(FAIL, 'read-only file system (injected by the test)'); END;");
    }
  return cl_transport_transmit (inner, command, cancellable, error);
}

static void
test_store_fails_at_end (void)
{
  g_autoptr (ClStore) store = open_store ("failing-end.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-a", "B-store-end", 2);
  Breaker breaker = { g_strdup (cl_store_get_path (store)), FALSE };

  add_filtered_card (feeder, break_at_verify, &breaker);
  add_good_cards (feeder, 1);
  cl_batch_run_start (line->run);
  wait_events (line, CL_LINE_EVENT_FAULT, 1);
  g_assert_true (breaker.failing);
  g_assert_cmpint (cl_line_event_get_fault (last (line, CL_LINE_EVENT_FAULT)), ==, CL_LINE_FAULT_STORE);
  g_assert_true (strstr (cl_line_event_get_note (last (line, CL_LINE_EVENT_FAULT)), "read-only") != NULL);
  /* the card went where it belongs; its record waits, and no GOOD is claimed before the record is there */
  g_assert_cmpuint (cl_fake_feeder_get_output (feeder), ==, 1);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD) + count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_feeds (feeder), ==, 1);

  store_exec (breaker.path, "DROP TRIGGER inject_end");
  wait_for (line, is_finished, NULL, "the batch to complete after the store came back");
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 2);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_FAULT_CLEARED), ==, 1);
  g_assert_cmpuint (cl_batch_counters_get_good (cl_batch_run_get_counters (line->run)), ==, 2);
  g_assert_cmpuint (cl_batch_counters_get_rejected (cl_batch_run_get_counters (line->run)), ==, 0);
  assert_records (store, feeder, 2);
  g_free (breaker.path);
}

/* The store refuses to close the batch (as it does for a batch shipped initialised whose good cards lack their PIN
 * envelopes): every card is made, but the run does not announce a closed batch. */
static void
test_close_refused (void)
{
  g_autoptr (ClStore) store = open_store ("close-refused.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-a", "B-close-refused", 1);
  const char *done;

  store_exec (cl_store_get_path (store),
              "CREATE TRIGGER refuse_close BEFORE UPDATE OF state ON batches "
              "WHEN NEW.state = 'CLOSED' BEGIN SELECT RAISE(FAIL, 'envelopes missing'); END");
  add_good_cards (feeder, 1);
  cl_batch_run_start (line->run);
  wait_for (line, is_finished, NULL, "the run to finish");
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 1);
  done = cl_line_event_get_line (last (line, CL_LINE_EVENT_BATCH_DONE));
  g_assert_nonnull (strstr (done, "not closed"));
  g_assert_nonnull (strstr (done, "envelopes missing"));
  g_assert_null (strstr (done, "batch closed"));
  g_assert_cmpint (batch_state (line), !=, CL_BATCH_CLOSED);
}

/* ---- the HSM goes away mid-card ---- */

typedef struct
{
  char *tokens;   /* the SoftHSM2 token directory */
  guint8 ins;     /* break when the card gets this command (class 8x) */
  gboolean armed; /* the next such command breaks the HSM */
  gboolean broken;
} HsmBreaker;

static void
hsm_move (HsmBreaker *breaker, gboolean away)
{
  g_autofree char *aside = g_strconcat (breaker->tokens, ".away", NULL);

  /* SoftHSM2 finds its token gone at the next call (CKR_OBJECT_HANDLE_INVALID, CKR_GENERAL_ERROR) and only finds it
   * again on a new C_Initialize: what a token pulled out, or a network HSM restarted, looks like to the station */
  if (away)
    g_assert_cmpint (g_rename (breaker->tokens, aside), ==, 0);
  else
    g_assert_cmpint (g_rename (aside, breaker->tokens), ==, 0);
  breaker->broken = away;
}

static GBytes *
break_hsm (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error, gpointer user_data)
{
  HsmBreaker *breaker = user_data;
  const guint8 *c = g_bytes_get_data (command, NULL);
  g_autoptr (GBytes) response = cl_transport_transmit (inner, command, cancellable, error);

  /* after the card answered: the host's next step needs the HSM (session keys, the certificate's signature) */
  if (breaker->armed && g_bytes_get_size (command) > 4 && (c[0] & 0xF0) == 0x80 && c[1] == breaker->ins)
    {
      breaker->armed = FALSE;
      hsm_move (breaker, TRUE);
    }
  return g_steal_pointer (&response);
}

static void
hsm_outage (guint8 ins, const char *name)
{
  g_autofree char *db = g_strdup_printf ("hsm-%s.db", name);
  g_autofree char *batch = g_strdup_printf ("B-hsm-%s", name);
  g_autoptr (ClStore) store = open_store (db);
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-h", batch, 2);
  HsmBreaker breaker = { g_build_filename (g_getenv ("CARDLINE_RIG_DIR"), "hsm", "tokens", NULL), ins, TRUE, FALSE };
  ClLineEvent *fault;

  add_filtered_card (feeder, break_hsm, &breaker);
  add_good_cards (feeder, 1);
  cl_batch_run_start (line->run);
  wait_events (line, CL_LINE_EVENT_FAULT, 1);
  fault = last (line, CL_LINE_EVENT_FAULT);
  g_assert_cmpint (cl_line_event_get_fault (fault), ==, CL_LINE_FAULT_HSM);
  g_assert_true (g_str_has_prefix (cl_line_event_get_instruction (fault), "The HSM"));
  g_assert_true (strstr (cl_line_event_get_line (fault), "fault fault=hsm card-inside=yes") != NULL);
  g_assert_true (cl_batch_run_get_faulted (line->run));
  /* the card is not blamed: nothing rejected, nothing moved, no next card fed while the HSM is away */
  g_assert_true (breaker.broken);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_rejected (feeder) + cl_fake_feeder_get_output (feeder), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_feeds (feeder), ==, 1);

  /* the token comes back: the line reconnects, looks the keys up again and finishes the same card by itself */
  hsm_move (&breaker, FALSE);
  wait_events (line, CL_LINE_EVENT_FAULT_CLEARED, 1);
  g_assert_cmpint (cl_line_event_get_fault (last (line, CL_LINE_EVENT_FAULT_CLEARED)), ==, CL_LINE_FAULT_HSM);
  wait_for (line, is_finished, NULL, "the batch to complete after the HSM came back");
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 2);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  g_assert_cmpint (batch_state (line), ==, CL_BATCH_CLOSED);
  assert_records (store, feeder, 2);
  g_free (breaker.tokens);
}

/* The token goes away as the secure channel with the KST opens (INITIALIZE UPDATE answered, the session keys are
 * the HSM's to derive): what used to reject cards as AUTH_KST_FAILED. */
static void
test_hsm_outage_open (void)
{
  hsm_outage (0x50, "open");
}

/* The token goes away after the keys were rotated (INSTALL [for load]): the card keys, session objects of the lost
 * sessions, and the DICA key must be found again; what used to reject cards as KEY_ROTATION_FAILED / CERT_FAILED. */
static void
test_hsm_outage_loaded (void)
{
  hsm_outage (0xE6, "loaded");
}

/* A rack's cards in parallel when the HSM goes: every card holding a session fails over to waiting, one reconnect
 * (never a C_Finalize under another card's call) brings them all back, and none is rejected. */
static void
test_hsm_outage_rack (void)
{
  g_autoptr (ClStore) store = open_store ("hsm-rack.db");
  g_autoptr (ClFakeFeeder) rack = cl_fake_rack_new ();
  g_autoptr (Line) line = line_new (store, rack, "station-hr", "B-hsm-rack", 3);
  HsmBreaker breaker = { g_build_filename (g_getenv ("CARDLINE_RIG_DIR"), "hsm", "tokens", NULL), 0xE6, TRUE, FALSE };
  const char *path = cl_store_get_path (store);

  add_filtered_card (rack, break_hsm, &breaker);
  add_good_cards (rack, 2);
  cl_batch_run_start (line->run);
  wait_events (line, CL_LINE_EVENT_FAULT, 1);
  g_assert_cmpint (cl_line_event_get_fault (last (line, CL_LINE_EVENT_FAULT)), ==, CL_LINE_FAULT_HSM);
  hsm_move (&breaker, FALSE);
  wait_for (line, is_finished, NULL, "the rack's batch to complete after the HSM came back");
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 3);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM attempts WHERE ended IS NULL"), ==, 0);
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM attempts WHERE result = 'GOOD'"), ==, 3);
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM attempts"), ==, 3);
  g_free (breaker.tokens);
}

/* The operator stops the line while the HSM is away: the waiting card's attempt is not left open (it ends as a
 * killed station's would: RETAINED, the card still where it was), nothing is rejected, the batch is ABORTED. */
static void
test_stop_while_faulted (void)
{
  g_autoptr (ClStore) store = open_store ("hsm-stop.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-s", "B-hsm-stop", 2);
  HsmBreaker breaker = { g_build_filename (g_getenv ("CARDLINE_RIG_DIR"), "hsm", "tokens", NULL), 0x50, TRUE, FALSE };
  const char *path = cl_store_get_path (store);
  g_autoptr (GError) error = NULL;

  add_filtered_card (feeder, break_hsm, &breaker);
  cl_batch_run_start (line->run);
  wait_events (line, CL_LINE_EVENT_FAULT, 1);
  g_assert_cmpint (cl_line_event_get_fault (last (line, CL_LINE_EVENT_FAULT)), ==, CL_LINE_FAULT_HSM);
  stop_and_wait (line);
  /* nobody reconnected the token: the tests after this one need it back */
  hsm_move (&breaker, FALSE);
  g_assert_true (cl_p11_token_reconnect (fixture->token, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED) + count (line, CL_LINE_EVENT_GOOD), ==, 0);
  g_assert_cmpint (batch_state (line), ==, CL_BATCH_ABORTED);
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM attempts WHERE ended IS NULL"), ==, 0);
  g_assert_cmpint (sql_count (path, "SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id "
                                    "WHERE d.destination = 'RETAINED' AND a.reject_reason = 'PROTOCOL_ERROR'"),
                   ==, 1);
  g_free (breaker.tokens);
}

/* ---- the PC/SC service goes away under a card ---- */

typedef struct
{
  gboolean armed; /* INSTALL [for load] takes the service down */
  gboolean down;  /* every exchange fails as pcscd gone would (the transport contract's SERVICE_LOST) */
} ServiceBreaker;

static GBytes *
break_service (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error, gpointer user_data)
{
  ServiceBreaker *breaker = user_data;
  const guint8 *c = g_bytes_get_data (command, NULL);

  if (breaker->armed && g_bytes_get_size (command) > 4 && (c[0] & 0xF0) == 0x80 && c[1] == 0xE6)
    {
      breaker->armed = FALSE;
      g_atomic_int_set (&breaker->down, TRUE);
    }
  if (g_atomic_int_get (&breaker->down))
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_SERVICE_LOST, "the PC/SC service is not reachable (test)");
      return NULL;
    }
  return cl_transport_transmit (inner, command, cancellable, error);
}

/* pcscd went away with the card in its reader: the card is not rejected (neither PROTOCOL_ERROR nor CARD_REMOVED),
 * the line pauses with service-lost, keeps reaching for the card, and continues the same attempt once the service
 * answers again. */
static void
test_service_lost (void)
{
  g_autoptr (ClStore) store = open_store ("service.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-p", "B-service", 2);
  ServiceBreaker breaker = { TRUE, FALSE };
  ClLineEvent *fault;

  add_filtered_card (feeder, break_service, &breaker);
  add_good_cards (feeder, 1);
  cl_batch_run_start (line->run);
  wait_events (line, CL_LINE_EVENT_FAULT, 1);
  fault = last (line, CL_LINE_EVENT_FAULT);
  g_assert_cmpint (cl_line_event_get_fault (fault), ==, CL_LINE_FAULT_SERVICE_LOST);
  g_assert_true (strstr (cl_line_event_get_line (fault), "fault fault=service-lost card-inside=yes") != NULL);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_output (feeder) + cl_fake_feeder_get_rejected (feeder), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_feeds (feeder), ==, 1);

  g_atomic_int_set (&breaker.down, FALSE);
  wait_events (line, CL_LINE_EVENT_FAULT_CLEARED, 1);
  wait_for (line, is_finished, NULL, "the batch to complete after the service came back");
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 2);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  assert_records (store, feeder, 2);
}

/* ---- the card-face queue dies and comes back ---- */

/* The rig's ippeveprinter, as recorded in its pid file: stopped (the queue's service is gone: connections are
 * refused) and started again with its own command line and environment; the pid file then names the new process,
 * so that the rig stops it in the end. */
typedef struct
{
  char *pid_file;
  char **argv;
  char **envp;
  guint port;
} Queue;

static char *
rig_file (const char *name)
{
  return g_build_filename (g_getenv ("CARDLINE_RIG_DIR"), name, NULL);
}

static char **
proc_strings (GPid pid, const char *what)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int)pid, what);
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  for (gsize i = 0; i < len; i += strlen (text + i) + 1)
    g_strv_builder_add (builder, text + i);
  return g_strv_builder_end (builder);
}

/* Field 22 of /proc/PID/stat, as the rig records it; NULL once the process is gone or a zombie. */
static char *
proc_starttime (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int)pid);
  g_autofree char *stat = NULL;
  g_auto (GStrv) fields = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (rest = strrchr (stat, ')')) == NULL)
    return NULL;
  fields = g_strsplit (rest + 2, " ", 0);
  if (g_strv_length (fields) < 20 || g_str_equal (fields[0], "Z"))
    return NULL;
  return g_strdup (fields[19]);
}

static GPid
queue_pid (Queue *queue)
{
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (queue->pid_file, &text, NULL, NULL));
  return (GPid)g_ascii_strtoll (text, NULL, 10);
}

static gboolean
queue_answers (Queue *queue)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;

  g_socket_client_set_timeout (client, 2);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", queue->port, NULL, NULL);
  return connection != NULL;
}

static void
queue_stop (Queue *queue)
{
  GPid pid = queue_pid (queue);
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  g_autofree char *port = NULL;
  g_autofree char *port_file = rig_file ("ipp/port");

  g_assert_true (g_file_get_contents (port_file, &port, NULL, NULL));
  queue->port = (guint)g_ascii_strtoull (port, NULL, 10);
  queue->argv = proc_strings (pid, "cmdline");
  queue->envp = proc_strings (pid, "environ");
  g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
  /* bounded and keyed on the event: the process is gone and its port refuses connections */
  for (;;)
    {
      g_autofree char *alive = proc_starttime (pid);

      if (alive == NULL && !queue_answers (queue))
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("ippeveprinter (pid %d) did not stop", (int)pid);
      g_usleep (20 * 1000);
    }
}

static void
queue_start (Queue *queue)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *starttime = NULL;
  g_autofree char *record = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  GPid pid;

  g_assert_true (g_spawn_async (NULL, queue->argv, queue->envp,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                NULL, &pid, &error));
  g_assert_no_error (error);
  starttime = proc_starttime (pid);
  g_assert_nonnull (starttime);
  record = g_strdup_printf ("%d %s\n", (int)pid, starttime);
  g_assert_true (g_file_set_contents (queue->pid_file, record, -1, NULL));
  while (!queue_answers (queue))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("ippeveprinter did not come back on port %u", queue->port);
      g_usleep (20 * 1000);
    }
}

static guint
printed_count (void)
{
  g_autoptr (GDir) dir = g_dir_open (g_getenv ("CARDLINE_PRINTED_DIR"), 0, NULL);
  guint n = 0;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    n += !g_str_has_suffix (name, ".part");
  return n;
}

/* A dead card-face queue used to send fully personalised, certified cards to the reject bin one after another. Now
 * the card waits at the contact station, the line pauses with a "printer-queue" fault and no next card is fed; when
 * the queue is back the same card gets its face and goes to the output hopper. */
static void
test_print_queue_dead (void)
{
  g_autoptr (ClStore) store = open_store ("queue.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-q", "B-queue", 2);
  g_autofree char *template
    = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "faces", "default.face", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCupsFacePrinter) face = cl_cups_face_printer_new (template, g_getenv ("CARDLINE_IPP_URI"), &error);
  Queue queue = { rig_file ("pids/ippeveprinter") };
  guint printed = printed_count ();
  ClLineEvent *fault;

  g_assert_no_error (error);
  cl_batch_run_set_face_printer (line->run, CL_FACE_PRINTER (face));
  queue_stop (&queue);
  add_good_cards (feeder, 2);
  cl_batch_run_start (line->run);
  wait_events (line, CL_LINE_EVENT_FAULT, 1);
  fault = last (line, CL_LINE_EVENT_FAULT);
  g_assert_cmpint (cl_line_event_get_fault (fault), ==, CL_LINE_FAULT_PRINTER_QUEUE);
  g_assert_true (strstr (cl_line_event_get_line (fault), "fault fault=printer-queue card-inside=yes") != NULL);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_output (feeder) + cl_fake_feeder_get_rejected (feeder), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_feeds (feeder), ==, 1);

  queue_start (&queue);
  wait_events (line, CL_LINE_EVENT_FAULT_CLEARED, 1);
  wait_for (line, is_finished, NULL, "the batch to complete after the queue came back");
  g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 2);
  g_assert_cmpuint (count (line, CL_LINE_EVENT_REJECTED), ==, 0);
  assert_records (store, feeder, 2);
  /* each card's face printed once: a resumed card is not printed twice */
  g_assert_cmpint (sql_count (cl_store_get_path (store), "SELECT count(*) FROM steps WHERE step = 'FACE' AND result = "
                                                         "'OK'"),
                   ==, 2);
  {
    gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

    while (printed_count () < printed + 2 && g_get_monotonic_time () < deadline)
      g_usleep (20 * 1000);
    g_assert_cmpuint (printed_count (), ==, printed + 2);
  }
  g_free (queue.pid_file);
  g_strfreev (queue.argv);
  g_strfreev (queue.envp);
}

static void
test_two_runs_one_store (void)
{
  g_autoptr (ClStore) store_a = open_store ("shared.db");
  g_autoptr (ClStore) store_b = open_store ("shared.db");
  g_autoptr (ClFakeFeeder) feeder_a = cl_fake_feeder_new ();
  g_autoptr (ClFakeFeeder) feeder_b = cl_fake_feeder_new ();
  g_autoptr (Line) a = line_new (store_a, feeder_a, "station-a", "B-shared-a", 2);
  g_autoptr (Line) b = line_new (store_b, feeder_b, "station-b", "B-shared-b", 2);
  g_autoptr (ClYieldSummary) summary_a = NULL, summary_b = NULL;

  add_good_cards (feeder_a, 2);
  add_good_cards (feeder_b, 2);
  cl_batch_run_start (a->run);
  cl_batch_run_start (b->run);
  wait_for (a, is_finished, NULL, "station a's batch");
  wait_for (b, is_finished, NULL, "station b's batch");
  summary_a = cl_store_yield_summary (store_a, cl_batch_run_get_batch_id (a->run), 0, 0, NULL);
  summary_b = cl_store_yield_summary (store_a, cl_batch_run_get_batch_id (b->run), 0, 0, NULL);
  g_assert_cmpuint (summary_a->good, ==, 2);
  g_assert_cmpuint (summary_b->good, ==, 2);
}

/* Two stations (two connections) produce one batch (issue 18): the places the store hands out stop them at exactly
 * its quantity of disposed cards between them, however the cards fall, both end the batch as complete, and the cards
 * left in their feeders are never fed. */
static void
test_two_stations_one_batch (void)
{
  g_autoptr (ClStore) store_a = open_store ("fleet.db");
  g_autoptr (ClStore) store_b = open_store ("fleet.db");
  g_autoptr (ClFakeFeeder) feeder_a = cl_fake_feeder_new ();
  g_autoptr (ClFakeFeeder) feeder_b = cl_fake_feeder_new ();
  g_autoptr (Line) a = line_new (store_a, feeder_a, "station-a", "B-fleet", 5);
  g_autoptr (Line) b = line_new (store_b, feeder_b, "station-b", "B-fleet", 5);
  g_autoptr (ClYieldSummary) summary = NULL;
  g_autoptr (GError) error = NULL;
  gint64 batch = cl_batch_run_get_batch_id (a->run);
  guint good_a, good_b;

  g_assert_cmpint (cl_batch_run_get_batch_id (b->run), ==, batch);
  /* each feeder could make the whole batch alone */
  add_good_cards (feeder_a, 5);
  add_good_cards (feeder_b, 5);
  cl_batch_run_start (a->run);
  cl_batch_run_start (b->run);
  wait_for (a, is_finished, NULL, "station a's end of the shared batch");
  wait_for (b, is_finished, NULL, "station b's end of the shared batch");
  good_a = count (a, CL_LINE_EVENT_GOOD);
  good_b = count (b, CL_LINE_EVENT_GOOD);
  g_test_message ("station a made %u cards, station b %u", good_a, good_b);
  g_assert_cmpuint (good_a + good_b, ==, 5);
  g_assert_cmpuint (cl_fake_feeder_get_output (feeder_a) + cl_fake_feeder_get_output (feeder_b), ==, 5);
  g_assert_cmpint (cl_store_batch_count_disposed (store_b, batch, &error), ==, 5);
  g_assert_no_error (error);
  summary = cl_store_yield_summary (store_a, batch, 0, 0, NULL);
  g_assert_cmpuint (summary->fed, ==, 5);
  g_assert_cmpuint (summary->good, ==, 5);
  g_assert_true (cl_line_event_get_fields (last (a, CL_LINE_EVENT_BATCH_DONE))->good);
  g_assert_true (cl_line_event_get_fields (last (b, CL_LINE_EVENT_BATCH_DONE))->good);
  g_assert_cmpint (batch_state (a), ==, CL_BATCH_CLOSED);
}

/* A rack's readers waiting for the operator hold no place: a station with cards ready makes the whole shared batch,
 * and the idle rack ends with it (its batch watch asks the store, the fleet's records showing the other station). */
static void
test_rack_waits_without_place (void)
{
  g_autoptr (ClStore) store_a = open_store ("rack-share.db");
  g_autoptr (ClStore) store_b = open_store ("rack-share.db");
  g_autoptr (ClFakeFeeder) rack = cl_fake_rack_new ();
  g_autoptr (ClFakeFeeder) printer = cl_fake_feeder_new ();
  g_autoptr (Line) a = line_new (store_a, rack, "station-ra", "B-rack-share", 3);
  g_autoptr (Line) b = line_new (store_b, printer, "station-pb", "B-rack-share", 3);

  add_good_cards (printer, 3);
  cl_batch_run_start (a->run);
  cl_batch_run_start (b->run);
  wait_for (b, is_finished, NULL, "the printer station to make the whole batch");
  wait_for (a, is_finished, NULL, "the idle rack's end once the other station completed the batch");
  g_assert_cmpuint (count (b, CL_LINE_EVENT_GOOD), ==, 3);
  g_assert_cmpuint (count (a, CL_LINE_EVENT_GOOD) + count (a, CL_LINE_EVENT_REJECTED), ==, 0);
  g_assert_true (cl_line_event_get_fields (last (a, CL_LINE_EVENT_BATCH_DONE))->good);
  g_assert_true (cl_line_event_get_fields (last (b, CL_LINE_EVENT_BATCH_DONE))->good);
}

static gboolean
has_note (Line *line, gpointer data)
{
  for (guint i = 0; i < line->events->len; i++)
    if (cl_line_event_get_kind (line->events->pdata[i]) == CL_LINE_EVENT_NOTE
        && strstr (cl_line_event_get_line (line->events->pdata[i]), data) != NULL)
      return TRUE;
  return FALSE;
}

/* No place free (another station's card holds the batch's only one): a rack's card present is not produced (its
 * chip never touched, nothing recorded) and the operator is told why, at its reader; a printer never feeds a card it
 * has no place for. Once the other station completes the batch, both end and the rack's card is left unproduced. */
static void
test_card_without_place (void)
{
  g_autoptr (ClStore) store = open_store ("no-place.db");
  g_autoptr (ClFakeFeeder) rack = cl_fake_rack_new ();
  g_autoptr (ClFakeFeeder) printer = cl_fake_feeder_new ();
  g_autoptr (Line) a = line_new (store, rack, "station-rc", "B-no-place", 1);
  g_autoptr (Line) p = line_new (store, printer, "station-pc", "B-no-place", 1);
  gint64 batch = cl_batch_run_get_batch_id (a->run);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClYieldSummary) summary = NULL;
  ClAttemptEnd end = { CL_ATTEMPT_REJECTED, CL_REJECT_PROTOCOL_ERROR, CL_STEP_IDENTIFY, -1, CL_DISPOSITION_REJECT_BIN };
  gint64 attempt
    = cl_store_attempt_begin (store, batch, CL_ATTEMPT_PRODUCTION, "station-x", "x 0", g_get_real_time (), &error);

  g_assert_no_error (error);
  g_assert_cmpint (attempt, >, 0);
  add_good_cards (rack, 1);
  add_good_cards (printer, 1);
  cl_batch_run_start (a->run);
  cl_batch_run_start (p->run);
  wait_for (a, has_note, (gpointer) "fake 0 batch B-no-place: no place left for this card",
            "the rack's card waiting for a place");
  wait_for (p, has_note, (gpointer) "no place left for another card", "the printer waiting for a place");
  g_assert_cmpuint (cl_fake_feeder_get_feeds (CL_FAKE_FEEDER (printer)), ==, 0);
  g_assert_cmpuint (count (a, CL_LINE_EVENT_CARD_PRESENT), ==, 0);
  /* places held by another station: both watch the batch */
  wait_for (a, has_batch_watches, GUINT_TO_POINTER (2), "both stations' batch watches");

  /* the other station's card is disposed: the batch is complete */
  g_assert_true (cl_store_attempt_end (store, attempt, &end, &error));
  g_assert_no_error (error);
  wait_for (a, is_finished, NULL, "the rack's end once the batch was completed elsewhere");
  wait_for (p, is_finished, NULL, "the printer's end once the batch was completed elsewhere");
  g_assert_true (has_note (a, (gpointer) "fake 0 card not produced: batch B-no-place is complete at other stations"));
  g_assert_cmpuint (count (a, CL_LINE_EVENT_CARD_PRESENT), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_released (rack), ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_feeds (printer), ==, 0);
  g_assert_true (cl_line_event_get_fields (last (a, CL_LINE_EVENT_BATCH_DONE))->good);
  g_assert_true (cl_line_event_get_fields (last (p, CL_LINE_EVENT_BATCH_DONE))->good);
  summary = cl_store_yield_summary (store, batch, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary->fed, ==, 1); /* station-x's card only */
}

static void
test_restart_after_kill (void)
{
  g_autoptr (ClStore) store = open_store ("restart.db");
  g_autoptr (GError) error = NULL;
  gint64 batch, attempt;

  /* a station killed mid-card left its batch RUNNING and one attempt open */
  {
    g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
    g_autoptr (Line) line = line_new (store, feeder, "station-k", "B-restart", 3);

    add_good_cards (feeder, 1);
    cl_batch_run_start (line->run);
    wait_events (line, CL_LINE_EVENT_GOOD, 1);
    stop_and_wait (line);
    batch = cl_batch_run_get_batch_id (line->run);
  }
  attempt
    = cl_store_attempt_begin (store, batch, CL_ATTEMPT_PRODUCTION, "station-k", "fake 9", g_get_real_time (), &error);
  g_assert_no_error (error);
  g_assert_cmpint (attempt, >, 0);

  /* the restarted station closes that attempt, continues the batch and counts what was disposed */
  {
    g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
    g_autoptr (Line) line = line_new (store, feeder, "station-k", "B-restart", 3);

    g_assert_cmpint (cl_batch_run_get_batch_id (line->run), ==, batch);
    g_assert_cmpuint (cl_batch_counters_get_good (cl_batch_run_get_counters (line->run)), ==, 1);
    add_good_cards (feeder, 2);
    cl_batch_run_start (line->run);
    wait_for (line, is_finished, NULL, "the continued batch to complete");
    g_assert_cmpuint (count (line, CL_LINE_EVENT_GOOD), ==, 2);
    g_assert_cmpint (batch_state (line), ==, CL_BATCH_CLOSED);
    g_assert_cmpuint (cl_batch_counters_get_good (cl_batch_run_get_counters (line->run)), ==, 3);
  }
}

/* The end of a batch run signs the audit chain's head with the token's audit key; the checkpoint verifies, and a
 * second process cannot run as the same station meanwhile. Last: it leaves the audit key in the token. */
static void
test_checkpoint_signed (void)
{
  g_autoptr (ClStore) store = open_store ("checkpoint.db");
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (Line) line = line_new (store, feeder, "station-c", "B-checkpoint", 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11EcKey) key = NULL;
  g_autoptr (GPtrArray) checkpoints = NULL;
  g_auto (ClAuditCheckpointReport) report = { 0 };
  gint64 seq;
  guint8 head[32];

  key = cl_audit_key_create (cl_production_setup_get_token (line->setup), NULL, &error);
  g_assert_no_error (error);
  add_good_cards (feeder, 1);
  cl_batch_run_start (line->run);
  wait_for (line, is_finished, NULL, "the batch to complete");
  g_assert_true (strstr (cl_line_event_get_line (last (line, CL_LINE_EVENT_NOTE)), "audit checkpoint signed at record")
                 != NULL);
  checkpoints = cl_store_audit_checkpoints (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (checkpoints->len, ==, 1);
  g_assert_true (cl_store_audit_latest (store, &seq, head, &error));
  g_assert_cmpint (((ClAuditCheckpoint *)g_ptr_array_index (checkpoints, 0))->seq, ==, seq);
  g_assert_true (cl_audit_checkpoints_verify (store, NULL, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.n_checkpoints, ==, 1);
  g_assert_true (cl_store_verify_records (store, NULL, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  fixture = cl_production_fixture_new ("cardline-batch-run-XXXXXX", TRUE);
  g_test_add_func ("/line/complete", test_complete);
  g_test_add_func ("/line/pause-resume-stop", test_pause_resume_stop);
  g_test_add_func ("/line/feeder-fault", test_feeder_fault);
  g_test_add_func ("/line/unreachable-card", test_unreachable_card);
  g_test_add_func ("/line/rack-parallel-stop", test_rack_parallel_and_stop);
  g_test_add_func ("/line/store-fails-mid-card", test_store_fails_mid_card);
  g_test_add_func ("/line/store-fails-at-end", test_store_fails_at_end);
  g_test_add_func ("/line/two-runs-one-store", test_two_runs_one_store);
  g_test_add_func ("/line/two-stations-one-batch", test_two_stations_one_batch);
  g_test_add_func ("/line/rack-waits-without-place", test_rack_waits_without_place);
  g_test_add_func ("/line/card-without-place", test_card_without_place);
  g_test_add_func ("/line/hsm-outage-open", test_hsm_outage_open);
  g_test_add_func ("/line/hsm-outage-loaded", test_hsm_outage_loaded);
  g_test_add_func ("/line/print-queue-dead", test_print_queue_dead);
  g_test_add_func ("/line/stop-while-faulted", test_stop_while_faulted);
  g_test_add_func ("/line/hsm-outage-rack", test_hsm_outage_rack);
  g_test_add_func ("/line/service-lost", test_service_lost);
  g_test_add_func ("/line/restart-after-kill", test_restart_after_kill);
  g_test_add_func ("/line/checkpoint-signed", test_checkpoint_signed);
  g_test_add_func ("/line/close-refused", test_close_refused);
  status = g_test_run ();
  cl_production_fixture_free (fixture);
  return status;
}
