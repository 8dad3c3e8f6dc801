/* test-tear-resume: the card is pulled at every APDU of its sequence in turn, then re-inserted (a new session on the
 * same card image, the same store) until it ends; DESIGN §2's rules must hold for every tear point:
 *
 *   - the torn attempt is REJECTED as CARD_REMOVED at the step that was running (NO_ATR when the pull came before
 *     the chip answered anything: a chip that never answered cannot be told from a mute one);
 *   - the card ends GOOD after re-insertion, and no attempt is GOOD without a VERIFY that passed in it;
 *   - every attempt has exactly one disposition (output hopper iff good), at most one GOOD attempt per chip;
 *   - no certificate is issued twice for a chip; no journal intent stays open; the audit chain verifies.
 *
 * Two kinds of tear, because the write-ahead journal must cope with both: the command never reaches the chip
 * (pulled before), and the chip executes the command but its answer is lost (pulled after: PUT KEY done while
 * the host believes nothing). The resumed attempts are themselves torn again at a random point now and then
 * (seeded by g_test's seed, printed with --verbose), so resumption from a resumed state is covered as well.
 *
 * In-process (the vcard's dispatcher, keys in the rig's SoftHSM2 token): run under tests/rig/rig-run --parts hsm. */
#include <sqlite3.h>
#include <string.h>

#include "cl-production-fixture.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "production/cl-card-sequence.h"
#include "production/cl-demo-pki.h"
#include "production/cl-production-env.h"

#define MAX_ATTEMPTS 8

static ClProductionFixture *fixture;
static ClProductionSetup *setup;
static ClStore *store;
static char *db_path;
static sqlite3 *db; /* a second, read-only connection: what an auditor would see on disk */

/* The clean sequence of one card: how many APDUs, and after how many of them each step had ended. */
static guint64 clean_total;
static guint64 step_end[CL_PRODUCTION_STEP_COUNT];
static gboolean step_seen[CL_PRODUCTION_STEP_COUNT];

/* ---- a reader whose card is pulled at APDU n (0-based) ---- */

typedef enum
{
  TEAR_BEFORE, /* APDU n never reaches the chip */
  TEAR_AFTER,  /* the chip executes APDU n, its answer is lost */
} TearMode;

typedef struct
{
  guint64 tear_at; /* G_MAXUINT64: never */
  TearMode mode;
  guint64 count;
  gboolean torn;
} Tear;

static GBytes *
tear_transmit (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error, gpointer user_data)
{
  Tear *self = user_data;
  guint64 index = self->count++;

  if (!self->torn && index == self->tear_at)
    {
      self->torn = TRUE;
      if (self->mode == TEAR_AFTER)
        {
          /* the chip commits what the command does; only the answer is lost with the pull */
          g_autoptr (GBytes) G_GNUC_UNUSED lost = cl_transport_transmit (inner, command, cancellable, NULL);
        }
    }
  if (self->torn)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "test: card pulled at APDU %" G_GUINT64_FORMAT,
                   self->tear_at);
      return NULL;
    }
  return cl_transport_transmit (inner, command, cancellable, error);
}

/* A fresh insertion of image (a new session: the chip's RAM is gone), pulled at APDU tear_at; *state (when asked
 * for) tells whether the pull happened, and lives as long as the transport. */
static ClTransport *
insert (ClVcardImage *image, guint64 tear_at, TearMode mode, const Tear **state)
{
  Tear *tear = g_new0 (Tear, 1);

  tear->tear_at = tear_at;
  tear->mode = mode;
  if (state != NULL)
    *state = tear;
  return cl_production_fixture_filter_new (cl_production_fixture_insert (image), tear_transmit, tear, g_free);
}

/* ---- helpers ---- */

static void
on_step (const ClSequenceEvent *event, gpointer user_data)
{
  ClCardSequence *sequence = user_data;

  if (event->kind != CL_SEQUENCE_EVENT_STEP)
    return;
  step_end[event->step] = cl_card_sequence_get_apdu_count (sequence);
  step_seen[event->step] = TRUE;
}

static ClCardSequence *
run_once (ClTransport *transport, gboolean map_steps)
{
  g_autoptr (GError) error = NULL;
  ClCardSequence *sequence = cl_card_sequence_new (setup, 0, "tear-test", "in-process");

  if (map_steps)
    cl_card_sequence_set_event_func (sequence, on_step, sequence, NULL);
  g_assert_true (cl_card_sequence_run (sequence, transport, NULL, &error));
  g_assert_no_error (error);
  return sequence;
}

/* The step that was running when APDU index went out, on the clean path. */
static ClProductionStep
step_of_apdu (guint64 index)
{
  for (guint s = CL_STEP_IDENTIFY; s <= CL_STEP_VERIFY; s++)
    if (step_seen[s] && index < step_end[s])
      return (ClProductionStep)s;
  g_assert_not_reached ();
}

static gint64
query_int (const char *sql, gint64 arg, const char *text_arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("SQL %s: %s", sql, sqlite3_errmsg (db));
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  else if (strchr (sql, '?') != NULL)
    sqlite3_bind_int64 (stmt, 1, arg);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("SQL %s returned no row: %s", sql, sqlite3_errmsg (db));
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* One attempt as the store holds it: ended with the outcome's result and exactly one matching disposition; a GOOD
 * one has a VERIFY step that passed in that same attempt. */
static void
check_attempt_record (const ClSequenceOutcome *o, const char *where)
{
  gint64 id = o->attempt_id;

  g_assert_cmpint (query_int ("SELECT count(*) FROM attempts WHERE id = ? AND ended IS NOT NULL", id, NULL), ==, 1);
  if (query_int ("SELECT count(*) FROM dispositions WHERE attempt_id = ?", id, NULL) != 1)
    g_error ("%s: attempt %" G_GINT64_FORMAT " has %" G_GINT64_FORMAT " dispositions", where, id,
             query_int ("SELECT count(*) FROM dispositions WHERE attempt_id = ?", id, NULL));
  if (o->good)
    {
      g_assert_cmpint (query_int ("SELECT count(*) FROM attempts WHERE id = ? AND result = 'GOOD'", id, NULL), ==, 1);
      g_assert_cmpint (
        query_int ("SELECT count(*) FROM dispositions WHERE attempt_id = ? AND destination = 'OUTPUT'", id, NULL), ==,
        1);
      if (query_int ("SELECT count(*) FROM steps WHERE attempt_id = ? AND step = 'VERIFY' AND result = 'OK'", id, NULL)
          != 1)
        g_error ("%s: attempt %" G_GINT64_FORMAT " is GOOD without a passed VERIFY in it", where, id);
    }
  else
    {
      g_assert_cmpint (query_int ("SELECT count(*) FROM attempts WHERE id = ? AND result = 'REJECTED'", id, NULL), ==,
                       1);
      g_assert_cmpint (
        query_int ("SELECT count(*) FROM dispositions WHERE attempt_id = ? AND destination = 'REJECT_BIN'", id, NULL),
        ==, 1);
    }
}

static void
check_chip (const char *chip_id, const char *where)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) open = NULL;
  g_autoptr (ClCardRecord) record = NULL;
  gint64 certificates, good;

  certificates = query_int ("SELECT count(*) FROM certificates WHERE chip_id = ?", 0, chip_id);
  if (certificates != 1)
    g_error ("%s: chip %s has %" G_GINT64_FORMAT " certificates", where, chip_id, certificates);
  good = query_int ("SELECT count(*) FROM attempts WHERE chip_id = ? AND result = 'GOOD'", 0, chip_id);
  if (good != 1)
    g_error ("%s: chip %s has %" G_GINT64_FORMAT " GOOD attempts", where, chip_id, good);
  open = cl_store_journal_open_intents (store, chip_id, &error);
  g_assert_no_error (error);
  if (open->len != 0)
    g_error ("%s: chip %s has %u open journal intents (first: %s)", where, chip_id, open->len,
             cl_journal_op_to_string (((ClJournalIntent *)open->pdata[0])->op));
  record = cl_store_card_lookup (store, chip_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->state, ==, CL_CARD_GOOD);
}

/* ---- tests ---- */

/* The clean run every tear point refers to. */
static void
test_clean_sequence (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClTransport) transport = insert (image, G_MAXUINT64, TEAR_BEFORE, NULL);
  g_autoptr (ClCardSequence) sequence = run_once (transport, TRUE);
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  if (!o->good)
    g_error ("clean run: %s at %s: %s", cl_reject_reason_to_string (o->reason),
             cl_production_step_to_string (o->failed_step), o->detail);
  clean_total = o->apdus;
  g_assert_cmpuint (clean_total, >, 10);
  g_assert_cmpuint (step_end[CL_STEP_VERIFY], ==, clean_total);
  for (guint s = CL_STEP_IDENTIFY; s <= CL_STEP_VERIFY; s++)
    g_test_message ("%-12s ends after APDU %" G_GUINT64_FORMAT, cl_production_step_to_string ((ClProductionStep)s),
                    step_end[s]);
  check_attempt_record (o, "clean run");
  check_chip (o->chip_id, "clean run");
}

static void
tear_everywhere (TearMode mode)
{
  const char *mode_name = mode == TEAR_BEFORE ? "before" : "after";
  guint attempts_total = 0;

  g_assert_cmpuint (clean_total, >, 0);
  for (guint64 i = 0; i < clean_total; i++)
    {
      g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
      g_autofree char *where = NULL;
      g_autofree char *chip_id = NULL;
      gboolean good = FALSE;
      guint attempt;

      for (attempt = 0; attempt < MAX_ATTEMPTS && !good; attempt++)
        {
          guint64 tear_at = G_MAXUINT64;
          g_autoptr (ClTransport) transport = NULL;
          g_autoptr (ClCardSequence) sequence = NULL;
          const Tear *tear = NULL;
          const ClSequenceOutcome *o;

          if (attempt == 0)
            tear_at = i;
          /* re-insertions are torn again now and then, never past the retry budget */
          else if (attempt < MAX_ATTEMPTS - 2 && g_test_rand_bit ())
            tear_at = (guint64)g_test_rand_int_range (1, (gint32)clean_total);
          transport = insert (image, tear_at, mode, &tear);
          sequence = run_once (transport, FALSE);
          o = cl_card_sequence_get_outcome (sequence);
          attempts_total++;
          g_free (where);
          where = g_strdup_printf ("tear %s APDU %" G_GUINT64_FORMAT ", attempt %u (torn at %" G_GINT64_FORMAT ")",
                                   mode_name, i, attempt + 1, tear_at == G_MAXUINT64 ? (gint64)-1 : (gint64)tear_at);
          check_attempt_record (o, where);
          if (o->chip_id != NULL && chip_id == NULL)
            chip_id = g_strdup (o->chip_id);

          if (o->good)
            {
              good = TRUE;
              break;
            }
          if (tear->torn)
            {
              /* the first tear hits the clean path exactly: the failed step is known */
              ClRejectReason expected = (attempt == 0 && i == 0) ? CL_REJECT_NO_ATR : CL_REJECT_CARD_REMOVED;

              if (o->reason != expected || (attempt == 0 && o->failed_step != step_of_apdu (i)))
                g_error ("%s: expected %s at %s, got %s at %s: %s", where, cl_reject_reason_to_string (expected),
                         attempt == 0 ? cl_production_step_to_string (step_of_apdu (i)) : "any",
                         cl_reject_reason_to_string (o->reason), cl_production_step_to_string (o->failed_step),
                         o->detail);
              continue;
            }
          /* an intact insertion of a torn card must finish it: nothing may stay half done */
          g_error ("%s: re-inserted intact, rejected %s at %s (SW %04X): %s", where,
                   cl_reject_reason_to_string (o->reason), cl_production_step_to_string (o->failed_step), o->last_sw,
                   o->detail);
        }
      if (!good)
        g_error ("tear %s APDU %" G_GUINT64_FORMAT ": not good after %d attempts", mode_name, i, MAX_ATTEMPTS);
      g_assert_nonnull (chip_id);
      check_chip (chip_id, where);
    }
  g_test_message ("tear %s: %" G_GUINT64_FORMAT " tear points, %u attempts, every card good", mode_name, clean_total,
                  attempts_total);
}

static void
test_tear_before (void)
{
  tear_everywhere (TEAR_BEFORE);
}

static void
test_tear_after (void)
{
  tear_everywhere (TEAR_AFTER);
}

/* The whole store, after everything above. */
static void
test_store_invariants (void)
{
  g_autoptr (GError) error = NULL;
  guint64 n_records = 0;

  g_assert_cmpint (query_int ("SELECT count(*) FROM attempts WHERE ended IS NULL", 0, NULL), ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM attempts a WHERE "
                              "(SELECT count(*) FROM dispositions d WHERE d.attempt_id = a.id) != 1",
                              0, NULL),
                   ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM attempts a WHERE result = 'GOOD' AND NOT EXISTS "
                              "(SELECT 1 FROM steps s WHERE s.attempt_id = a.id AND s.step = 'VERIFY' "
                              "AND s.result = 'OK')",
                              0, NULL),
                   ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM (SELECT chip_id FROM attempts WHERE result = 'GOOD' "
                              "GROUP BY chip_id HAVING count(*) > 1)",
                              0, NULL),
                   ==, 0);
  g_assert_cmpint (query_int ("SELECT count(*) FROM (SELECT chip_id FROM certificates GROUP BY chip_id "
                              "HAVING count(*) > 1)",
                              0, NULL),
                   ==, 0);
  /* an intent is open while it has no outcome or its latest outcome is UNKNOWN */
  g_assert_cmpint (query_int ("SELECT count(*) FROM journal i WHERE i.kind = 'INTENT' AND coalesce("
                              "(SELECT o.outcome FROM journal o WHERE o.intent_id = i.id ORDER BY o.id DESC LIMIT 1),"
                              " 'UNKNOWN') = 'UNKNOWN'",
                              0, NULL),
                   ==, 0);
  g_assert_true (cl_store_integrity_check (store, &error));
  g_assert_no_error (error);
  g_assert_true (cl_store_verify_audit_chain (store, &n_records, &error));
  g_assert_no_error (error);
  g_test_message ("store: %" G_GINT64_FORMAT " attempts, %" G_GINT64_FORMAT " chips, %" G_GINT64_FORMAT
                  " certificates, %" G_GINT64_FORMAT " journal rows, %" G_GUINT64_FORMAT " audit records",
                  query_int ("SELECT count(*) FROM attempts", 0, NULL),
                  query_int ("SELECT count(*) FROM cards", 0, NULL),
                  query_int ("SELECT count(*) FROM certificates", 0, NULL),
                  query_int ("SELECT count(*) FROM journal", 0, NULL), n_records);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  fixture = cl_production_fixture_new ("cardline-tear-XXXXXX", TRUE);
  store = cl_production_fixture_open_store (fixture, "store.db");
  db_path = g_strdup (cl_store_get_path (store));
  setup = cl_production_fixture_setup_for (fixture, "smartcard-hsm.profile", store);
  if (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("%s: %s", db_path, sqlite3_errmsg (db));
  sqlite3_busy_timeout (db, 10000);

  /* in this order: the clean run maps the tear points, the invariants look at everything */
  g_test_add_func ("/tear/clean-sequence", test_clean_sequence);
  g_test_add_func ("/tear/before-command", test_tear_before);
  g_test_add_func ("/tear/after-command", test_tear_after);
  g_test_add_func ("/tear/store-invariants", test_store_invariants);
  status = g_test_run ();

  sqlite3_close (db);
  g_clear_object (&setup);
  g_clear_object (&store);
  g_clear_pointer (&fixture, cl_production_fixture_free);
  g_free (db_path);
  return status;
}
