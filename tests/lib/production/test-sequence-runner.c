/* test-sequence-runner: the contract of ClCardSequence's runner (cl-card-sequence.h), in-process against the virtual
 * card with keys in SoftHSM2 (run under tests/rig/rig-run --parts hsm):
 *   - the plan and the order of events (BEGIN, STARTED/STEP per step, DISPOSED), with and without the printer-fed
 *     line's face and dispose funcs, and the store's step records equal to the STEP events;
 *   - no silent loss: a store that fails mid-card (a step, DISPOSE, the attempt's end, everything) never leaves a
 *     card GOOD, and says so as a station fault;
 *   - transport failures in the contract's codes (apdu/cl-transport.h): a lost reader or PC/SC service is the
 *     station's fault, a pulled card CARD_REMOVED (NO_ATR if it never answered), a timeout TIMEOUT. */
#include <sqlite3.h>
#include <string.h>

#include "cl-production-fixture.h"
#include "core/cl-error.h"
#include "production/cl-card-sequence.h"
#include "production/cl-production-env.h"

static ClProductionFixture *fixture;
static ClProductionSetup *setup;
static ClStore *store;
static sqlite3 *db; /* a second, read-only connection: what is on disk */

#define INJECTED "injected: disk I/O error"

static const ClProductionStep card_steps[] = {
  CL_STEP_IDENTIFY,    CL_STEP_OPEN_KST,    CL_STEP_CONFIGURE, CL_STEP_ROTATE_KEYS,
  CL_STEP_LOAD_APPLET, CL_STEP_INIT_APPLET, CL_STEP_CERTIFY,   CL_STEP_VERIFY,
};

/* ---- what the sequence told its caller ---- */

typedef struct
{
  ClProductionStep step;
  ClStepResult result;
  gint sw;
  char *detail;
} StepSeen;

typedef struct
{
  GPtrArray *log; /* one line per event or card func call, in order */
  GArray *steps;  /* StepSeen of every STEP event */
  gboolean face_fails;
  gboolean dispose_fails;
  /* called once, at STARTED of hook_step: the fault arrives mid-card */
  ClProductionStep hook_step;
  GFunc hook;
  gpointer hook_data;
  gboolean disposed;
  ClSequenceEvent disposed_event;
} Recorder;

static void
step_seen_clear (gpointer p)
{
  g_free (((StepSeen *)p)->detail);
}

static Recorder *
recorder_new (void)
{
  Recorder *r = g_new0 (Recorder, 1);

  r->log = g_ptr_array_new_with_free_func (g_free);
  r->steps = g_array_new (FALSE, TRUE, sizeof (StepSeen));
  g_array_set_clear_func (r->steps, step_seen_clear);
  return r;
}

static void
recorder_free (Recorder *r)
{
  g_ptr_array_unref (r->log);
  g_array_unref (r->steps);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Recorder, recorder_free)

static gboolean
is_card_step (ClProductionStep step)
{
  return step <= CL_STEP_VERIFY;
}

static void
on_event (const ClSequenceEvent *event, gpointer user_data)
{
  Recorder *r = user_data;
  const char *step = cl_production_step_to_string (event->step);

  switch (event->kind)
    {
      case CL_SEQUENCE_EVENT_BEGIN:
        {
          g_autoptr (GString) line = g_string_new ("BEGIN");

          for (guint i = 0; i < event->n_plan; i++)
            g_string_append_printf (line, " %s", cl_production_step_to_string (event->plan[i]));
          g_ptr_array_add (r->log, g_string_free (g_steal_pointer (&line), FALSE));
          g_assert_null (event->chip_id);
        }
        break;
      case CL_SEQUENCE_EVENT_STARTED:
        g_ptr_array_add (r->log, g_strdup_printf ("STARTED %s", step));
        if (r->hook != NULL && event->step == r->hook_step)
          {
            r->hook (r->hook_data, r);
            r->hook = NULL;
          }
        break;
      case CL_SEQUENCE_EVENT_STEP:
        {
          StepSeen seen = { event->step, event->result, event->sw, g_strdup (event->detail) };

          g_array_append_val (r->steps, seen);
          /* a fresh card's chip steps may be OK or SKIPPED (resumption decides); only a failure matters here */
          if (is_card_step (event->step) && event->result != CL_STEP_RESULT_FAILED)
            g_ptr_array_add (r->log, g_strdup_printf ("STEP %s", step));
          else if (event->step == CL_STEP_DISPOSE)
            g_ptr_array_add (
              r->log, g_strdup_printf ("STEP %s %s %s", step, cl_step_result_to_string (event->result), event->detail));
          else
            g_ptr_array_add (r->log, g_strdup_printf ("STEP %s %s", step, cl_step_result_to_string (event->result)));
          if (event->result == CL_STEP_RESULT_FAILED)
            g_assert_nonnull (event->detail);
        }
        break;
      case CL_SEQUENCE_EVENT_DISPOSED:
        if (event->good)
          g_ptr_array_add (r->log, g_strdup_printf ("DISPOSED GOOD %s", step));
        else
          g_ptr_array_add (
            r->log, g_strdup_printf ("DISPOSED REJECTED %s %s", cl_reject_reason_to_string (event->reason), step));
        g_assert_false (r->disposed);
        r->disposed = TRUE;
        r->disposed_event = *event;
        r->disposed_event.chip_id = r->disposed_event.detail = r->disposed_event.serial = NULL;
        break;
      default:
        g_assert_not_reached ();
    }
}

static gboolean
face (const ClSequenceOutcome *outcome, gpointer user_data, GCancellable *cancellable, GError **error)
{
  Recorder *r = user_data;

  /* only a verified card, with what its face shows */
  g_assert_true (outcome->good);
  g_assert_nonnull (outcome->chip_id);
  g_assert_nonnull (outcome->serial);
  g_ptr_array_add (r->log, g_strdup ("face"));
  if (r->face_fails)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "test: the ribbon ran out");
      return FALSE;
    }
  return TRUE;
}

static gboolean
dispose (const ClSequenceOutcome *outcome, gpointer user_data, GCancellable *cancellable, GError **error)
{
  Recorder *r = user_data;

  if (outcome->good)
    g_ptr_array_add (r->log, g_strdup ("dispose good"));
  else
    g_ptr_array_add (r->log, g_strdup_printf ("dispose rejected %s %s", cl_reject_reason_to_string (outcome->reason),
                                              cl_production_step_to_string (outcome->failed_step)));
  if (r->dispose_fails)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "test: the card jammed on its way out");
      return FALSE;
    }
  return TRUE;
}

/* ---- expectations ---- */

/* The log of a card that passed every chip step; plan_face: FACE planned; then the lines that follow VERIFY. */
static GPtrArray *
expect_passed (gboolean plan_face, ...)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) begin = g_string_new ("BEGIN");
  const char *line;
  va_list args;

  for (guint i = 0; i < G_N_ELEMENTS (card_steps); i++)
    g_string_append_printf (begin, " %s", cl_production_step_to_string (card_steps[i]));
  g_string_append (begin, plan_face ? " FACE DISPOSE" : " DISPOSE");
  g_ptr_array_add (lines, g_string_free (g_steal_pointer (&begin), FALSE));
  for (guint i = 0; i < G_N_ELEMENTS (card_steps); i++)
    {
      g_ptr_array_add (lines, g_strdup_printf ("STARTED %s", cl_production_step_to_string (card_steps[i])));
      g_ptr_array_add (lines, g_strdup_printf ("STEP %s", cl_production_step_to_string (card_steps[i])));
    }
  va_start (args, plan_face);
  while ((line = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (lines, g_strdup (line));
  va_end (args);
  return lines;
}

static void
assert_log (Recorder *r, GPtrArray *expected)
{
  g_autofree char *got = NULL, *want = NULL;

  g_ptr_array_add (r->log, NULL);
  g_ptr_array_add (expected, NULL);
  got = g_strjoinv ("\n", (char **)r->log->pdata);
  want = g_strjoinv ("\n", (char **)expected->pdata);
  g_ptr_array_remove_index (r->log, r->log->len - 1);
  if (g_strcmp0 (got, want) != 0)
    g_error ("events differ\n--- expected:\n%s\n--- got:\n%s", want, got);
  g_ptr_array_unref (expected);
}

/* ---- the store, as a second connection sees it ---- */

static char *
query_text (const char *sql, gint64 arg)
{
  sqlite3_stmt *stmt = NULL;
  GString *row = g_string_new (NULL);

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("SQL %s: %s", sql, sqlite3_errmsg (db));
  sqlite3_bind_int64 (stmt, 1, arg);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    for (int i = 0; i < sqlite3_column_count (stmt); i++)
      g_string_append_printf (
        row, "%s%s", i > 0 ? "|" : "",
        sqlite3_column_type (stmt, i) == SQLITE_NULL ? "-" : (const char *)sqlite3_column_text (stmt, i));
  else
    g_string_append (row, "(none)");
  sqlite3_finalize (stmt);
  return g_string_free (row, FALSE);
}

static void
assert_attempt (gint64 attempt_id, const char *expected)
{
  g_autofree char *got = query_text ("SELECT a.result, a.reject_reason, a.failed_step, d.destination FROM attempts a "
                                     "LEFT JOIN dispositions d ON d.attempt_id = a.id WHERE a.id = ?",
                                     attempt_id);

  g_assert_cmpstr (got, ==, expected);
}

/* The store holds exactly the steps the events reported, in the same order with the same fields. */
static void
assert_steps_recorded (Recorder *r, gint64 attempt_id)
{
  sqlite3_stmt *stmt = NULL;
  guint i = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT step, result, coalesce(last_sw, -1), detail FROM steps "
                                       "WHERE attempt_id = ? ORDER BY id",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, attempt_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      StepSeen *seen;

      g_assert_cmpuint (i, <, r->steps->len);
      seen = &g_array_index (r->steps, StepSeen, i++);
      g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, cl_production_step_to_string (seen->step));
      g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 1), ==, cl_step_result_to_string (seen->result));
      g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, seen->sw);
      g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 3), ==, seen->detail);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (i, ==, r->steps->len);
}

/* What every outcome keeps: DISPOSED says what the outcome says; a station fault always has its error, and the error
 * is only there with the fault; it either interrupted the card (no verdict, no DISPOSED) or came after the card
 * moved (its end is pending). */
static void
assert_consistent (ClCardSequence *sequence, Recorder *r)
{
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);
  const GError *station = cl_card_sequence_get_station_error (sequence);

  g_assert_cmpint (o->station_fault, ==, station != NULL);
  if (o->station_fault)
    g_assert_true (o->interrupted || o->end_pending);
  if (o->interrupted)
    {
      g_assert_false (r->disposed);
      g_assert_false (o->good);
      g_assert_true (o->station_fault);
      return;
    }
  g_assert_true (r->disposed);
  g_assert_cmpint (r->disposed_event.good, ==, o->good);
  g_assert_cmpint (r->disposed_event.station_fault, ==, o->station_fault);
  if (!o->good)
    {
      g_assert_cmpint (r->disposed_event.reason, ==, o->reason);
      g_assert_cmpint (r->disposed_event.step, ==, o->failed_step);
      g_assert_nonnull (o->detail);
    }
}

/* SQL on the store through a read-write connection of its own, as another process could. */
static void
store_exec (const char *sql)
{
  sqlite3 *rw = NULL;
  char *message = NULL;

  if (sqlite3_open_v2 (cl_store_get_path (store), &rw, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    g_error ("%s: %s", cl_store_get_path (store), sqlite3_errmsg (rw));
  sqlite3_busy_timeout (rw, 10000);
  if (sqlite3_exec (rw, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("SQL %s: %s", sql, message);
  sqlite3_close (rw);
}

/* The store refuses to record step (a full disk, as far as the station can tell). */
static void
store_fail_step (const char *step)
{
  g_autofree char *sql = g_strdup_printf ("CREATE TRIGGER inject_step BEFORE INSERT ON steps WHEN new.step = '%s' "
                                          "BEGIN SELECT RAISE(ABORT, '" INJECTED "'); END;",
                                          step);

  store_exec (sql);
}

static void
store_fail_end (void)
{
  store_exec ("CREATE TRIGGER inject_end BEFORE UPDATE OF ended ON attempts "
              "BEGIN SELECT RAISE(ABORT, '" INJECTED "'); END;");
}

/* Every write of every table fails from now on. */
static void
store_fail_all (gpointer unused, gpointer unused2)
{
  g_autoptr (GString) sql = g_string_new ("BEGIN;");
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *table = (const char *)sqlite3_column_text (stmt, 0);

      g_string_append_printf (
        sql,
        "CREATE TRIGGER inject_insert_%s BEFORE INSERT ON %s BEGIN SELECT RAISE(ABORT, '" INJECTED "'); END;"
        "CREATE TRIGGER inject_update_%s BEFORE UPDATE ON %s BEGIN SELECT RAISE(ABORT, '" INJECTED "'); END;",
        table, table, table, table);
    }
  sqlite3_finalize (stmt);
  g_string_append (sql, "COMMIT;");
  store_exec (sql->str);
}

/* The operator fixed the disk. */
static void
store_repair (void)
{
  g_autoptr (GString) sql = g_string_new ("BEGIN;");
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'inject_%'",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (sql, "DROP TRIGGER %s;", (const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  g_string_append (sql, "COMMIT;");
  store_exec (sql->str);
}

/* ---- running ---- */

static ClCardSequence *
run_recorded (ClProductionSetup *with, const char *station, ClAttemptKind kind, gboolean card_funcs,
              ClTransport *transport, Recorder *r, GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;
  ClCardSequence *sequence = cl_card_sequence_new (with, 0, station, "in-process");

  cl_card_sequence_set_attempt_kind (sequence, kind);
  cl_card_sequence_set_event_func (sequence, on_event, r, NULL);
  if (card_funcs)
    cl_card_sequence_set_card_funcs (sequence, face, dispose, r);
  g_assert_true (cl_card_sequence_run (sequence, transport, cancellable, &error));
  g_assert_no_error (error);
  assert_consistent (sequence, r);
  return sequence;
}

static ClCardSequence *
run_card (ClVcardImage *image, const char *station, gboolean card_funcs, Recorder *r)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);

  return run_recorded (setup, station, CL_ATTEMPT_PRODUCTION, card_funcs, transport, r, NULL);
}

static void
assert_outcome (ClCardSequence *sequence, gboolean good, ClRejectReason reason, ClProductionStep step)
{
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  if (o->good != good || (!good && (o->reason != reason || o->failed_step != step)))
    g_error ("expected %s %s at %s, got %s %s at %s: %s", good ? "GOOD" : "REJECTED",
             cl_reject_reason_to_string (reason), cl_production_step_to_string (step), o->good ? "GOOD" : "REJECTED",
             cl_reject_reason_to_string (o->reason), cl_production_step_to_string (o->failed_step),
             o->detail ? o->detail : "");
}

/* ---- the plan and the order of events ---- */

/* A rack: no face printer, no feeder moving the card. */
static void
test_plan_rack (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (ClCardSequence) sequence = run_card (image, "runner", FALSE, r);
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  assert_log (r,
              expect_passed (FALSE, "STARTED DISPOSE", "STEP DISPOSE OK output hopper", "DISPOSED GOOD DISPOSE", NULL));
  assert_outcome (sequence, TRUE, 0, 0);
  g_assert_false (o->station_fault);
  g_assert_null (cl_card_sequence_get_station_error (sequence));
  g_assert_null (o->detail);
  assert_steps_recorded (r, o->attempt_id);
  assert_attempt (o->attempt_id, "GOOD|-|-|OUTPUT");
}

/* The printer-fed line: FACE after VERIFY, the dispose func moving the card before the disposition is recorded. */
static void
test_plan_printer (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (ClCardSequence) sequence = run_card (image, "runner", TRUE, r);
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  assert_log (r, expect_passed (TRUE, "STARTED FACE", "face", "STEP FACE OK", "STARTED DISPOSE", "dispose good",
                                "STEP DISPOSE OK output hopper", "DISPOSED GOOD DISPOSE", NULL));
  assert_outcome (sequence, TRUE, 0, 0);
  g_assert_false (o->station_fault);
  assert_steps_recorded (r, o->attempt_id);
  assert_attempt (o->attempt_id, "GOOD|-|-|OUTPUT");
}

static void
test_plan_face_fails (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (ClCardSequence) sequence = NULL;
  const ClSequenceOutcome *o;

  r->face_fails = TRUE;
  sequence = run_card (image, "runner", TRUE, r);
  o = cl_card_sequence_get_outcome (sequence);
  assert_log (r, expect_passed (TRUE, "STARTED FACE", "face", "STEP FACE FAILED", "STARTED DISPOSE",
                                "dispose rejected PRINT_FAILED FACE", "STEP DISPOSE OK reject bin",
                                "DISPOSED REJECTED PRINT_FAILED FACE", NULL));
  assert_outcome (sequence, FALSE, CL_REJECT_PRINT_FAILED, CL_STEP_FACE);
  g_assert_cmpstr (o->detail, ==, "test: the ribbon ran out");
  g_assert_false (o->station_fault);
  assert_steps_recorded (r, o->attempt_id);
  assert_attempt (o->attempt_id, "REJECTED|PRINT_FAILED|FACE|REJECT_BIN");
}

/* A good card that did not reach the output hopper: nobody can vouch for where it went. */
static void
test_plan_dispose_fails (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (ClCardSequence) sequence = NULL;
  const ClSequenceOutcome *o;

  r->dispose_fails = TRUE;
  sequence = run_card (image, "runner", TRUE, r);
  o = cl_card_sequence_get_outcome (sequence);
  assert_log (r, expect_passed (TRUE, "STARTED FACE", "face", "STEP FACE OK", "STARTED DISPOSE", "dispose good",
                                "STEP DISPOSE OK reject bin", "DISPOSED REJECTED PROTOCOL_ERROR DISPOSE", NULL));
  assert_outcome (sequence, FALSE, CL_REJECT_PROTOCOL_ERROR, CL_STEP_DISPOSE);
  g_assert_cmpstr (o->detail, ==, "test: the card jammed on its way out");
  /* a jam is the printer's business (its driver pauses the line), not a station fault of the sequence */
  g_assert_false (o->station_fault);
  assert_steps_recorded (r, o->attempt_id);
  assert_attempt (o->attempt_id, "REJECTED|PROTOCOL_ERROR|DISPOSE|REJECT_BIN");
}

/* After a failure only DISPOSE runs: FACE stays in the plan but never starts. */
static void
test_plan_rejected_card (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (ClCardSequence) sequence = NULL;
  static const char *const lines[] = {
    "BEGIN IDENTIFY OPEN_KST CONFIGURE ROTATE_KEYS LOAD_APPLET INIT_APPLET CERTIFY VERIFY FACE DISPOSE",
    "STARTED IDENTIFY",
    "STEP IDENTIFY",
    "STARTED OPEN_KST",
    "STEP OPEN_KST FAILED",
    "STARTED DISPOSE",
    "dispose rejected AUTH_KST_FAILED OPEN_KST",
    "STEP DISPOSE OK reject bin",
    "DISPOSED REJECTED AUTH_KST_FAILED OPEN_KST",
  };
  g_autoptr (GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  const ClSequenceOutcome *o;

  g_assert_true (cl_vcard_image_set_defect (image, "wrong_kst", "true", NULL));
  sequence = run_card (image, "runner", TRUE, r);
  o = cl_card_sequence_get_outcome (sequence);
  assert_outcome (sequence, FALSE, CL_REJECT_AUTH_KST_FAILED, CL_STEP_OPEN_KST);
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    g_ptr_array_add (expected, g_strdup (lines[i]));
  assert_log (r, g_steal_pointer (&expected));
  assert_steps_recorded (r, o->attempt_id);
  assert_attempt (o->attempt_id, "REJECTED|AUTH_KST_FAILED|OPEN_KST|REJECT_BIN");
}

/* A QA re-test keeps the card on the QA bench. */
static void
test_plan_qa_retest (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (ClCardSequence) sequence
    = run_recorded (setup, "runner-qa", CL_ATTEMPT_QA_RETEST, FALSE, transport, r, NULL);
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  assert_log (
    r, expect_passed (FALSE, "STARTED DISPOSE", "STEP DISPOSE OK retained by QA: good", "DISPOSED GOOD DISPOSE", NULL));
  assert_steps_recorded (r, o->attempt_id);
  assert_attempt (o->attempt_id, "GOOD|-|-|RETAINED");
}

/* ---- no silent loss: the store failing mid-card ---- */

static void
assert_store_fault (ClCardSequence *sequence, const char *what)
{
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);
  const GError *station = cl_card_sequence_get_station_error (sequence);

  g_assert_true (o->station_fault);
  g_assert_error (station, CL_ERROR, CL_ERROR_STORE);
  g_assert_nonnull (strstr (station->message, INJECTED));
  if (what != NULL && strstr (station->message, what) == NULL)
    g_error ("station error \"%s\" does not name %s", station->message, what);
  g_test_message ("station error: %s", station->message);
}

/* The same sequence again on the card re-inserted: an interrupted attempt continues. */
static void
run_again (ClCardSequence *sequence, ClVcardImage *image, Recorder *r)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);
  g_autoptr (GError) error = NULL;

  cl_card_sequence_set_event_func (sequence, on_event, r, NULL);
  g_assert_true (cl_card_sequence_run (sequence, transport, NULL, &error));
  g_assert_no_error (error);
  assert_consistent (sequence, r);
}

/* VERIFY passed on the card but its record was lost: the card is not GOOD, not rejected either: the run stops
 * there (no face, no move), the attempt stays open, and the same attempt ends GOOD once the store works again. */
static void
test_store_step_lost (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (Recorder) again = recorder_new ();
  g_autoptr (ClCardSequence) sequence = NULL;
  g_autoptr (ClCardRecord) record = NULL;
  g_autofree char *verify_records = NULL;
  const ClSequenceOutcome *o;
  gint64 attempt;

  store_fail_step ("VERIFY");
  sequence = run_card (image, "runner-step", TRUE, r);
  store_repair ();
  o = cl_card_sequence_get_outcome (sequence);
  assert_log (r, expect_passed (TRUE, NULL));
  g_assert_true (o->interrupted);
  g_assert_cmpint (o->failed_step, ==, CL_STEP_VERIFY);
  assert_store_fault (sequence, "VERIFY");
  attempt = o->attempt_id;
  assert_attempt (attempt, "-|-|-|-");
  verify_records = query_text ("SELECT count(*) FROM steps WHERE attempt_id = ? AND step = 'VERIFY'", attempt);
  g_assert_cmpstr (verify_records, ==, "0");
  record = cl_store_card_lookup (store, o->chip_id, NULL);
  g_assert_nonnull (record);
  g_assert_cmpint (record->state, !=, CL_CARD_GOOD);

  run_again (sequence, image, again);
  assert_outcome (sequence, TRUE, 0, 0);
  g_assert_cmpint (o->attempt_id, ==, attempt);
  g_assert_false (o->station_fault);
  g_assert_null (cl_card_sequence_get_station_error (sequence));
  assert_attempt (attempt, "GOOD|-|-|OUTPUT");
}

/* The card reached the output hopper but DISPOSE was not recorded: the card is GOOD (verified, where it belongs),
 * but nothing says so until its records are written, which record_pending() does once the store is back. */
static void
test_store_dispose_lost (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (ClCardSequence) sequence = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dispose_records = NULL;
  const ClSequenceOutcome *o;

  store_fail_step ("DISPOSE");
  sequence = run_card (image, "runner-dispose", TRUE, r);
  o = cl_card_sequence_get_outcome (sequence);
  assert_log (r, expect_passed (TRUE, "STARTED FACE", "face", "STEP FACE OK", "STARTED DISPOSE", "dispose good",
                                "STEP DISPOSE OK output hopper", "DISPOSED GOOD DISPOSE", NULL));
  g_assert_true (o->good);
  g_assert_true (o->end_pending);
  assert_store_fault (sequence, "DISPOSE");
  assert_attempt (o->attempt_id, "-|-|-|-");
  /* still refused: it stays pending */
  g_assert_false (cl_card_sequence_record_pending (sequence, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_clear_error (&error);

  store_repair ();
  g_assert_true (cl_card_sequence_record_pending (sequence, &error));
  g_assert_no_error (error);
  g_assert_false (o->end_pending);
  assert_attempt (o->attempt_id, "GOOD|-|-|OUTPUT");
  dispose_records = query_text ("SELECT count(*) FROM steps WHERE attempt_id = ? AND step = 'DISPOSE'", o->attempt_id);
  g_assert_cmpstr (dispose_records, ==, "1");
}

/* The attempt's end could not be written: the run still ends (DISPOSED, TRUE) with the end pending; written once
 * the store is back, or, if the station is killed first, ended as abandoned when it starts again. */
static void
test_store_end_lost (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClVcardImage) image2 = cl_production_fixture_new_card (fixture);
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (Recorder) r2 = recorder_new ();
  g_autoptr (ClCardSequence) sequence = NULL, killed = NULL;
  g_autoptr (GError) error = NULL;
  const ClSequenceOutcome *o;

  store_fail_end ();
  sequence = run_card (image, "runner-end", TRUE, r);
  killed = run_card (image2, "runner-end-killed", TRUE, r2);
  store_repair ();
  o = cl_card_sequence_get_outcome (sequence);
  assert_log (r, expect_passed (TRUE, "STARTED FACE", "face", "STEP FACE OK", "STARTED DISPOSE", "dispose good",
                                "STEP DISPOSE OK output hopper", "DISPOSED GOOD DISPOSE", NULL));
  g_assert_true (o->end_pending);
  assert_store_fault (sequence, "end of attempt");
  assert_steps_recorded (r, o->attempt_id);
  assert_attempt (o->attempt_id, "-|-|-|-");
  g_assert_true (cl_card_sequence_record_pending (sequence, &error));
  g_assert_no_error (error);
  assert_attempt (o->attempt_id, "GOOD|-|-|OUTPUT");

  g_assert_cmpint (cl_store_attempt_abandon_open (store, "runner-end-killed", &error), ==, 1);
  g_assert_no_error (error);
  assert_attempt (cl_card_sequence_get_outcome (killed)->attempt_id, "REJECTED|PROTOCOL_ERROR|DISPOSE|RETAINED");
}

/* Every write fails from CERTIFY on: the certificate is not issued (its intent could not be journalled), nothing
 * claims the card GOOD or rejects it, and the same attempt continues to GOOD once the store is back. */
static void
test_store_fails_mid_card (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (Recorder) again = recorder_new ();
  g_autoptr (ClCardSequence) sequence = NULL;
  g_autofree char *certificates = NULL;
  const ClSequenceOutcome *o;
  gint64 attempt;

  r->hook_step = CL_STEP_CERTIFY;
  r->hook = store_fail_all;
  sequence = run_card (image, "runner-all", TRUE, r);
  store_repair ();
  o = cl_card_sequence_get_outcome (sequence);
  g_assert_true (o->interrupted);
  g_assert_cmpint (o->failed_step, ==, CL_STEP_CERTIFY);
  assert_store_fault (sequence, NULL);
  g_assert_cmpstr ((const char *)g_ptr_array_index (r->log, r->log->len - 1), ==, "STEP CERTIFY FAILED");
  attempt = o->attempt_id;
  certificates = query_text ("SELECT count(*) FROM certificates c JOIN attempts a ON a.chip_id = c.chip_id "
                             "WHERE a.id = ?",
                             attempt);
  g_assert_cmpstr (certificates, ==, "0");
  assert_attempt (attempt, "-|-|-|-");

  run_again (sequence, image, again);
  assert_outcome (sequence, TRUE, 0, 0);
  g_assert_cmpint (o->attempt_id, ==, attempt);
  assert_attempt (attempt, "GOOD|-|-|OUTPUT");
}

/* ---- transport failures in the contract's codes ---- */

typedef struct
{
  guint after; /* exchanges that go through first */
  GQuark domain;
  gint code;
  gulong delay_us; /* instead of failing: this slow, once */
  guint seen;
} Fault;

static GBytes *
fault_transmit (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error, gpointer user_data)
{
  Fault *fault = user_data;

  if (fault->seen++ >= fault->after)
    {
      if (fault->delay_us > 0)
        {
          if (fault->seen == fault->after + 1)
            g_usleep (fault->delay_us);
        }
      else
        {
          /* a reader or service once gone stays gone */
          g_set_error (error, fault->domain, fault->code, "test: fault after %u exchanges", fault->after);
          return NULL;
        }
    }
  return cl_transport_transmit (inner, command, cancellable, error);
}

static ClCardSequence *
run_faulty (ClProductionSetup *with, Fault *fault, Recorder *r)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClTransport) transport
    = cl_production_fixture_filter_new (cl_production_fixture_insert (image), fault_transmit, fault, NULL);

  return run_recorded (with, "runner-transport", CL_ATTEMPT_PRODUCTION, TRUE, transport, r, NULL);
}

static void
check_transport_fault (guint after, GQuark domain, gint code, ClRejectReason reason, gboolean station_fault)
{
  Fault fault = { after, domain, code };
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (ClCardSequence) sequence = run_faulty (setup, &fault, r);
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);
  const GError *station = cl_card_sequence_get_station_error (sequence);
  g_autofree char *attempt = NULL;

  g_test_message ("%s %d after %u: %s at %s: %s", g_quark_to_string (domain), code, after,
                  cl_reject_reason_to_string (o->reason), cl_production_step_to_string (o->failed_step), o->detail);
  g_assert_false (o->good);
  g_assert_cmpint (o->station_fault, ==, station_fault);
  if (station_fault)
    {
      /* the reader or pcscd went: the card is not blamed and not moved, its attempt waits for it */
      g_assert_error (station, domain, code);
      g_assert_true (o->interrupted);
      g_assert_false (g_ptr_array_find_with_equal_func (r->log, "STARTED DISPOSE", g_str_equal, NULL));
      assert_attempt (o->attempt_id, "-|-|-|-");
      return;
    }
  g_assert_null (station);
  g_assert_cmpstr (cl_reject_reason_to_string (o->reason), ==, cl_reject_reason_to_string (reason));
  /* FACE never runs for a card that failed; DISPOSE always does */
  g_assert_false (g_ptr_array_find_with_equal_func (r->log, "face", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (r->log, "STEP DISPOSE OK reject bin", g_str_equal, NULL));
  attempt = g_strdup_printf ("REJECTED|%s|%s|REJECT_BIN", cl_reject_reason_to_string (reason),
                             cl_production_step_to_string (o->failed_step));
  assert_attempt (o->attempt_id, attempt);
}

/* The reader unplugged or pcscd gone under the card: the station's fault, not the card's (not even NO_ATR when it
 * happens before the card's first answer). */
static void
test_transport_station_faults (void)
{
  check_transport_fault (5, CL_ERROR, CL_ERROR_READER_GONE, CL_REJECT_PROTOCOL_ERROR, TRUE);
  check_transport_fault (0, CL_ERROR, CL_ERROR_READER_GONE, CL_REJECT_PROTOCOL_ERROR, TRUE);
  check_transport_fault (5, CL_ERROR, CL_ERROR_SERVICE_LOST, CL_REJECT_PROTOCOL_ERROR, TRUE);
  check_transport_fault (0, CL_ERROR, CL_ERROR_SERVICE_LOST, CL_REJECT_PROTOCOL_ERROR, TRUE);
}

/* The card's doing: pulled (NO_ATR if it never answered), too slow; a transport outside the contract counts as a
 * generic transport failure, filed as before. */
static void
test_transport_card_faults (void)
{
  check_transport_fault (5, CL_ERROR, CL_ERROR_CARD_REMOVED, CL_REJECT_CARD_REMOVED, FALSE);
  check_transport_fault (0, CL_ERROR, CL_ERROR_CARD_REMOVED, CL_REJECT_NO_ATR, FALSE);
  check_transport_fault (5, CL_ERROR, CL_ERROR_TIMEOUT, CL_REJECT_TIMEOUT, FALSE);
  check_transport_fault (5, CL_ERROR, CL_ERROR_TRANSPORT, CL_REJECT_CARD_REMOVED, FALSE);
  check_transport_fault (5, G_IO_ERROR, G_IO_ERROR_FAILED, CL_REJECT_CARD_REMOVED, FALSE);
}

/* The profile's card timeout, enforced by the sequence itself between two commands. */
static void
test_transport_deadline (void)
{
  g_autofree char *source = g_build_filename (fixture->data_dir, "profiles", "smartcard-hsm.profile", NULL);
  g_autofree char *path = g_build_filename (fixture->work_dir, "one-second.profile", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) profile = NULL;
  g_autoptr (ClProductionSetup) quick = NULL;
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (ClCardSequence) sequence = NULL;
  g_auto (GStrv) parts = NULL;
  Fault slow = { 5, 0, 0, 1200 * 1000 };

  g_assert_true (g_file_get_contents (source, &text, NULL, &error));
  parts = g_strsplit (text, "card-timeout=60", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  g_free (text);
  text = g_strjoinv ("card-timeout=1", parts);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  profile = cl_profile_new_for_station (path, fixture->data_dir, fixture->pki_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_profile_get_card_timeout (profile), ==, 1);
  quick = cl_production_fixture_setup_new (fixture, profile, store);

  sequence = run_faulty (quick, &slow, r);
  assert_outcome (sequence, FALSE, CL_REJECT_TIMEOUT, cl_card_sequence_get_outcome (sequence)->failed_step);
  g_assert_false (cl_card_sequence_get_outcome (sequence)->station_fault);
  g_test_message ("deadline: %s", cl_card_sequence_get_outcome (sequence)->detail);
}

static void
cancel (gpointer cancellable, gpointer unused)
{
  g_cancellable_cancel (cancellable);
}

/* The card pulled (as the reader monitor reports it) while OPEN_KST runs. */
static void
test_transport_cancelled (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (Recorder) r = recorder_new ();
  g_autoptr (ClCardSequence) sequence = NULL;

  r->hook_step = CL_STEP_OPEN_KST;
  r->hook = cancel;
  r->hook_data = cancellable;
  sequence = run_recorded (setup, "runner-transport", CL_ATTEMPT_PRODUCTION, FALSE, transport, r, cancellable);
  assert_outcome (sequence, FALSE, CL_REJECT_CARD_REMOVED, CL_STEP_OPEN_KST);
  g_assert_false (cl_card_sequence_get_outcome (sequence)->station_fault);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  fixture = cl_production_fixture_new ("cardline-runner-XXXXXX", TRUE);
  store = cl_production_fixture_open_store (fixture, "store.db");
  setup = cl_production_fixture_setup_for (fixture, "smartcard-hsm.profile", store);
  if (sqlite3_open_v2 (cl_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("%s: %s", cl_store_get_path (store), sqlite3_errmsg (db));
  sqlite3_busy_timeout (db, 10000);

  g_test_add_func ("/runner/plan/rack", test_plan_rack);
  g_test_add_func ("/runner/plan/printer", test_plan_printer);
  g_test_add_func ("/runner/plan/face-fails", test_plan_face_fails);
  g_test_add_func ("/runner/plan/dispose-fails", test_plan_dispose_fails);
  g_test_add_func ("/runner/plan/rejected-card", test_plan_rejected_card);
  g_test_add_func ("/runner/plan/qa-retest", test_plan_qa_retest);
  g_test_add_func ("/runner/store/step-lost", test_store_step_lost);
  g_test_add_func ("/runner/store/dispose-lost", test_store_dispose_lost);
  g_test_add_func ("/runner/store/end-lost", test_store_end_lost);
  g_test_add_func ("/runner/store/fails-mid-card", test_store_fails_mid_card);
  g_test_add_func ("/runner/transport/station-faults", test_transport_station_faults);
  g_test_add_func ("/runner/transport/card-faults", test_transport_card_faults);
  g_test_add_func ("/runner/transport/deadline", test_transport_deadline);
  g_test_add_func ("/runner/transport/cancelled", test_transport_cancelled);
  status = g_test_run ();

  sqlite3_close (db);
  g_clear_object (&setup);
  g_clear_object (&store);
  g_clear_pointer (&fixture, cl_production_fixture_free);
  return status;
}
