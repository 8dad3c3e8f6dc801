/* Unit tests of lib/store: schema, journal, certificates, dispositions, audit chain, yield, threads. */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "core/cl-error.h"
#include "store/cl-store-dashboard.h"
#include "store/cl-store-private.h"
#include "store/cl-store-records.h"
#include "store-fixture.h"
#include "yield-assert.h"

#define HASH_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define HASH_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define T0     ((gint64)1700000000 * G_USEC_PER_SEC)
#define SEC    G_USEC_PER_SEC
#define MINUTE ((gint64)60 * SEC)
#define HOUR   ((gint64)3600 * SEC)
/* A whole minute, so that minute-bucket series read the aggregate tables. */
#define TM ((gint64)1700000040 * G_USEC_PER_SEC)

typedef StoreFixture Fixture;
#define fixture_setup    store_fixture_setup
#define fixture_teardown store_fixture_teardown

static void
reopen (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_clear_object (&f->store);
  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
}

static void
raw_sql (Fixture *f, const char *sql, gboolean expect_ok)
{
  g_autofree char *msg = NULL;
  gboolean ok = store_fixture_raw_exec (f, sql, &msg);

  if (expect_ok)
    g_assert_cmpstr (msg, ==, NULL);
  else
    g_assert_false (ok);
}

static gint64
new_batch (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;
  gint64 id = cl_store_batch_create (f->store, name, "smartcard-hsm", HASH_A, 10000, "supervisor", &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* One attempt from feed to eject; reason < 0 means good. Returns its id. */
static gint64
run_attempt (Fixture *f, gint64 batch, ClAttemptKind kind, const char *chip, gint64 start, gint64 length, int reason,
             ClProductionStep failed_step)
{
  g_autoptr (GError) error = NULL;
  ClAttemptEnd end = { 0 };
  gint64 id = cl_store_attempt_begin (f->store, batch, kind, "line-1", "Reader 0", start, &error);

  g_assert_no_error (error);
  if (chip)
    {
      cl_store_attempt_identify (f->store, id, chip, start + 1, NULL, &error);
      g_assert_no_error (error);
    }
  cl_store_attempt_add_step (f->store, id, CL_STEP_IDENTIFY, start, length / 2, CL_STEP_RESULT_OK, 0x9000, NULL,
                             &error);
  g_assert_no_error (error);
  end.result = reason < 0 ? CL_ATTEMPT_GOOD : CL_ATTEMPT_REJECTED;
  end.reason = reason < 0 ? 0 : (ClRejectReason)reason;
  end.failed_step = failed_step;
  end.last_sw = reason < 0 ? 0x9000 : 0x6982;
  end.disposition = reason < 0 ? CL_DISPOSITION_OUTPUT : CL_DISPOSITION_REJECT_BIN;
  end.ended = start + length;
  cl_store_attempt_end (f->store, id, &end, &error);
  g_assert_no_error (error);
  return id;
}

/* --quantity counts hopper and bin dispositions: an attempt abandoned by a killed station (RETAINED) does not. */
static void
test_count_disposed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batch = new_batch (f, "B-disposed");
  gint64 open_id;

  run_attempt (f, batch, CL_ATTEMPT_PRODUCTION, "47900000000000000001", 1000, 100, -1, CL_STEP_IDENTIFY);
  run_attempt (f, batch, CL_ATTEMPT_PRODUCTION, "47900000000000000002", 2000, 100, CL_REJECT_VERIFY_FAILED,
               CL_STEP_VERIFY);
  open_id = cl_store_attempt_begin (f->store, batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 1", 3000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (open_id, >, 0);
  g_assert_cmpint (cl_store_attempt_abandon_open (f->store, "line-1", &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_batch_count_disposed (f->store, batch, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_batch_count_disposed (f->store, new_batch (f, "B-empty"), &error), ==, 0);
}

/* Yield counts a RETAINED attempt (a killed station's, ended on restart) as neither fed nor rejected: the reject bin
 * never saw that card; it is found in its reader and fed again. The aggregates and the records agree on it. */
static void
test_yield_retained (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batch = new_batch (f, "B-retained");

  run_attempt (f, batch, CL_ATTEMPT_PRODUCTION, "47900000000000000001", 1000, 100, -1, CL_STEP_IDENTIFY);
  run_attempt (f, batch, CL_ATTEMPT_PRODUCTION, "47900000000000000002", 2000, 100, CL_REJECT_VERIFY_FAILED,
               CL_STEP_VERIFY);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *reader = g_strdup_printf ("Reader %u", i);

      g_assert_cmpint (cl_store_attempt_begin (f->store, batch, CL_ATTEMPT_PRODUCTION, "line-1", reader, 3000, &error),
                       >, 0);
      g_assert_no_error (error);
    }
  g_assert_cmpint (cl_store_attempt_abandon_open (f->store, "line-1", &error), ==, 3);
  g_assert_no_error (error);
  for (guint from_rows = 0; from_rows < 2; from_rows++)
    {
      g_autoptr (ClYieldSummary) s = NULL;

      cl_store_set_yield_from_rows (f->store, from_rows);
      s = cl_store_yield_summary (f->store, batch, 0, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (s->fed, ==, 2);
      g_assert_cmpuint (s->rejected, ==, 1);
      g_assert_cmpuint (s->retained, ==, 3);
      g_assert_cmpuint (s->good, ==, 1);
      g_assert_cmpfloat (s->first_pass_yield, ==, 0.5);
      g_assert_cmpuint (s->rejects_by_reason[CL_REJECT_PROTOCOL_ERROR], ==, 0);
      g_assert_cmpuint (s->rejects_by_reason[CL_REJECT_VERIFY_FAILED], ==, 1);
      g_clear_pointer (&s, cl_yield_summary_free);
      s = cl_store_yield_summary (f->store, 0, 0, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (s->fed, ==, 2);
      g_assert_cmpuint (s->rejected, ==, 1);
    }
}

/* A batch's profile and quantity are fixed when it is created: continuing it with others is refused, naming both. */
static void
test_batch_open (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 id = cl_store_batch_open (f->store, "B-fixed", "smartcard-hsm", HASH_A, 12, "olga", &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (cl_store_batch_open (f->store, "B-fixed", "smartcard-hsm", HASH_A, 12, "sam", &error), ==, id);
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_batch_open (f->store, "B-fixed", "other", HASH_B, 12, "sam", &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "created with profile smartcard-hsm"));
  g_assert_nonnull (strstr (error->message, "cannot continue with profile other"));
  g_clear_error (&error);
  /* the same name, another file with the same name: the digest decides */
  g_assert_cmpint (cl_store_batch_open (f->store, "B-fixed", "smartcard-hsm", HASH_B, 12, "sam", &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (cl_store_batch_open (f->store, "B-fixed", "smartcard-hsm", HASH_A, 50, "sam", &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "created for 12 cards; it cannot continue with quantity 50"));
  g_clear_error (&error);
  /* a name is data: a newline cannot become one */
  g_assert_cmpint (cl_store_batch_open (f->store, "B\ngood chip=00", "smartcard-hsm", HASH_A, 1, "sam", &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

static void
test_schema_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCardRecord) card = NULL;
  gint64 batch = new_batch (f, "B1");

  g_assert_cmpuint (cl_store_get_schema_version (f->store), ==, CL_STORE_SCHEMA_VERSION);
  run_attempt (f, batch, CL_ATTEMPT_PRODUCTION, "4790AB01", T0, 10 * SEC, -1, 0);
  cl_store_card_set_printed_serial (f->store, "4790AB01", "DECLB1-00001", &error);
  g_assert_no_error (error);
  reopen (f);
  g_assert_cmpuint (cl_store_get_schema_version (f->store), ==, CL_STORE_SCHEMA_VERSION);
  g_assert_cmpint (cl_store_batch_lookup (f->store, "B1", &error), ==, batch);
  g_assert_no_error (error);
  card = cl_store_card_lookup_by_serial (f->store, "DECLB1-00001", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (card->chip_id, ==, "4790AB01");
  g_assert_cmpint (card->state, ==, CL_CARD_GOOD);
  g_assert_true (cl_store_integrity_check (f->store, &error));
  g_assert_no_error (error);

  /* Bad input is named, not stored. */
  g_assert_null (cl_store_card_lookup (f->store, "nothex", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cl_store_card_set_state (f->store, "4790ab01", CL_CARD_GOOD, -1, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (cl_store_batch_create (f->store, "B1", "p", HASH_A, 1, "supervisor", &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "B1"));
}

static void
test_newer_schema_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;

  g_clear_object (&f->store);
  raw_sql (f, "PRAGMA user_version = 99", TRUE);
  store = cl_store_open (f->path, &error);
  g_assert_null (store);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "99"));
  raw_sql (f, "PRAGMA user_version = 1", TRUE);
  reopen (f);
}

static void
test_journal (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) open = NULL;
  g_autoptr (ClCardRecord) card = NULL;
  gint64 batch = new_batch (f, "B1");
  gint64 attempt = cl_store_attempt_begin (f->store, batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 0", 0, &error);
  gint64 put_key, cert;
  ClJournalIntent *intent;

  cl_store_attempt_identify (f->store, attempt, "0011223344", 0, NULL, &error);
  g_assert_no_error (error);

  /* intent -> outcome: nothing left open */
  put_key = cl_store_journal_intent (f->store, attempt, "0011223344", CL_JOURNAL_PUT_KEY, 0x30, 0x01, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cl_store_journal_outcome (f->store, put_key, CL_JOURNAL_DONE, "KCVs match", &error));
  g_assert_no_error (error);
  cl_store_card_set_state (f->store, "0011223344", CL_CARD_KEYS_ROTATED, 0x01, &error);
  g_assert_no_error (error);
  open = cl_store_journal_open_intents (f->store, "0011223344", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 0);
  g_clear_pointer (&open, g_ptr_array_unref);

  /* A crash between intent and outcome: the intent survives a reopen. */
  cert = cl_store_journal_intent (f->store, attempt, "0011223344", CL_JOURNAL_CERT_ISSUE, -1, -1, HASH_B, &error);
  g_assert_no_error (error);
  reopen (f);
  open = cl_store_journal_open_intents (f->store, "0011223344", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  intent = open->pdata[0];
  g_assert_cmpint (intent->id, ==, cert);
  g_assert_cmpint (intent->op, ==, CL_JOURNAL_CERT_ISSUE);
  g_assert_cmpstr (intent->key_hash, ==, HASH_B);
  g_assert_cmpint (intent->attempt_id, ==, attempt);
  card = cl_store_card_lookup (f->store, "0011223344", &error);
  g_assert_no_error (error);
  g_assert_cmpint (card->key_version, ==, 0x01);
  g_assert_cmpint (card->state, ==, CL_CARD_KEYS_ROTATED);
  g_clear_pointer (&open, g_ptr_array_unref);

  /* UNKNOWN keeps it open; a later DONE closes it. */
  cl_store_journal_outcome (f->store, cert, CL_JOURNAL_UNKNOWN, "card removed", &error);
  g_assert_no_error (error);
  open = cl_store_journal_open_intents (f->store, "0011223344", &error);
  g_assert_cmpuint (open->len, ==, 1);
  g_clear_pointer (&open, g_ptr_array_unref);
  cl_store_journal_outcome (f->store, cert, CL_JOURNAL_DONE, NULL, &error);
  g_assert_no_error (error);
  open = cl_store_journal_open_intents (f->store, "0011223344", &error);
  g_assert_cmpuint (open->len, ==, 0);

  g_assert_false (cl_store_journal_outcome (f->store, 9999, CL_JOURNAL_DONE, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Journal rows are append-only. */
  g_clear_object (&f->store);
  raw_sql (f, "UPDATE journal SET outcome = 'FAILED'", FALSE);
  raw_sql (f, "DELETE FROM journal", FALSE);
  reopen (f);
}

static void
test_certificate_once (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) cvc1 = g_bytes_new_static ("\x7f\x21\x01\x00", 4);
  g_autoptr (GBytes) cvc2 = g_bytes_new_static ("\x7f\x21\x01\x01", 4);
  g_autoptr (GBytes) got = NULL;
  g_autofree char *chr = NULL;
  gint64 batch = new_batch (f, "B1");

  run_attempt (f, batch, CL_ATTEMPT_PRODUCTION, "C0FFEE", T0, SEC, -1, 0);
  g_assert_cmpint (cl_store_certificate_add (f->store, "C0FFEE", HASH_A, "DECLB100001", cvc1, 0, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_certificate_add (f->store, "C0FFEE", HASH_A, "DECLB100002", cvc2, 0, &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "C0FFEE"));
  g_clear_error (&error);
  /* Another key of the same chip is another certificate. */
  g_assert_cmpint (cl_store_certificate_add (f->store, "C0FFEE", HASH_B, "DECLB100003", cvc2, 0, &error), >, 0);
  g_assert_no_error (error);
  /* Unknown chip */
  g_assert_cmpint (cl_store_certificate_add (f->store, "DEAD", HASH_A, "X", cvc1, 0, &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_clear_error (&error);

  g_assert_cmpint (cl_store_certificate_reissue (f->store, "C0FFEE", HASH_A, "DECLB100004", cvc2, "qa-anna",
                                                 "EF.C_DevAut corrupted", &error),
                   >, 0);
  g_assert_no_error (error);
  got = cl_store_certificate_lookup (f->store, "C0FFEE", HASH_A, &chr, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, cvc2));
  g_assert_cmpstr (chr, ==, "DECLB100004");
  g_assert_true (cl_store_verify_audit_chain (f->store, NULL, &error));
  g_assert_no_error (error);
}

/* The certificate and its intent's DONE outcome: both in one transaction, or neither. */
static void
test_certificate_issued (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) cvc = g_bytes_new_static ("\x7f\x21\x01\x00", 4);
  g_autoptr (GBytes) got = NULL;
  g_autoptr (GPtrArray) open = NULL;
  gint64 batch = new_batch (f, "B1");
  gint64 attempt = cl_store_attempt_begin (f->store, batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 0", 0, &error);
  gint64 intent, again;

  g_assert_true (cl_store_attempt_identify (f->store, attempt, "0011223344", 0, NULL, &error));
  intent = cl_store_journal_intent (f->store, attempt, "0011223344", CL_JOURNAL_CERT_ISSUE, -1, -1, HASH_A, &error);
  g_assert_no_error (error);

  /* an unknown intent: no certificate either */
  g_assert_cmpint (
    cl_store_certificate_add_issued (f->store, 9999, "0011223344", HASH_A, "DECLB100001", cvc, attempt, &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  got = cl_store_certificate_lookup (f->store, "0011223344", HASH_A, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* both, still there after a reopen */
  g_assert_cmpint (
    cl_store_certificate_add_issued (f->store, intent, "0011223344", HASH_A, "DECLB100001", cvc, attempt, &error), >,
    0);
  g_assert_no_error (error);
  reopen (f);
  got = cl_store_certificate_lookup (f->store, "0011223344", HASH_A, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, cvc));
  open = cl_store_journal_open_intents (f->store, "0011223344", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 0);
  g_clear_pointer (&open, g_ptr_array_unref);

  /* a second certificate for the chip and key is refused, and its intent gets no outcome */
  again = cl_store_journal_intent (f->store, attempt, "0011223344", CL_JOURNAL_CERT_ISSUE, -1, -1, HASH_A, &error);
  g_assert_no_error (error);
  g_assert_cmpint (
    cl_store_certificate_add_issued (f->store, again, "0011223344", HASH_A, "DECLB100002", cvc, attempt, &error), ==,
    0);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_clear_error (&error);
  open = cl_store_journal_open_intents (f->store, "0011223344", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  g_assert_cmpint (((ClJournalIntent *)open->pdata[0])->id, ==, again);
  g_assert_true (cl_store_verify_audit_chain (f->store, NULL, &error));
  g_assert_no_error (error);
}

static void
test_one_disposition (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batch = new_batch (f, "B1");
  gint64 id
    = run_attempt (f, batch, CL_ATTEMPT_PRODUCTION, "0102", T0, SEC, CL_REJECT_CARD_REMOVED, CL_STEP_LOAD_APPLET);
  ClAttemptEnd end = { CL_ATTEMPT_GOOD, 0, 0, -1, CL_DISPOSITION_OUTPUT, 0 };

  g_assert_false (cl_store_attempt_end (f->store, id, &end, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_clear_error (&error);
  /* A raw second disposition is refused by the schema too. */
  g_clear_object (&f->store);
  raw_sql (f, "INSERT INTO dispositions VALUES (1, 'OUTPUT', 0)", FALSE);
  g_assert_cmpint (store_fixture_raw_int (f, "SELECT count(*) FROM attempts a WHERE a.ended IS NOT NULL AND "
                                             "(SELECT count(*) FROM dispositions d WHERE d.attempt_id = a.id) != 1"),
                   ==, 0);
  reopen (f);
}

static void
test_audit_chain (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  guint64 n = 0;

  new_batch (f, "B1");
  cl_store_user_add (f->store, "anna", CL_ROLE_QA, "admin", &error);
  g_assert_no_error (error);
  cl_store_audit_append (f->store, "custodian-1", "key-ceremony", "KMC/1", "3 components, KCV 1A2B3C", &error);
  g_assert_no_error (error);
  cl_store_audit_append (f->store, "line-1", "host-derivation", "batch B1", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cl_store_verify_audit_chain (f->store, &n, &error));
  g_assert_no_error (error);
  /* batch-create, user-add and its seal, the two appended */
  g_assert_cmpuint (n, ==, 5);

  g_clear_object (&f->store);
  /* The triggers refuse an ordinary edit ... */
  raw_sql (f, "UPDATE audit SET detail = 'KCV 000000' WHERE seq = 4", FALSE);
  raw_sql (f, "DELETE FROM audit WHERE seq = 4", FALSE);
  /* ... and the chain catches one that goes around them. */
  raw_sql (f,
           store_fixture_is_postgresql ()
             ? "ALTER TABLE audit DISABLE TRIGGER audit_no_update; UPDATE audit SET detail = 'KCV 000000' WHERE seq = 4"
             : "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'KCV 000000' WHERE seq = 4",
           TRUE);
  reopen (f);
  g_assert_false (cl_store_verify_audit_chain (f->store, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "record 4"));
  g_assert_nonnull (strstr (error->message, "key-ceremony"));
  g_clear_error (&error);

  /* Removing a record in the middle is caught as a gap. */
  g_clear_object (&f->store);
  raw_sql (f,
           store_fixture_is_postgresql ()
             ? "ALTER TABLE audit DISABLE TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 2"
             : "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 2",
           TRUE);
  reopen (f);
  g_assert_false (cl_store_verify_audit_chain (f->store, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "record 3"));
}

/* A constructed history with hand-computed figures (see cl-yield-summary.h for the definitions).
 * Batch B1, production feeds (start, length):
 *   chip A: good first time                       (t0,      10 s)
 *   chip B: good first time                       (t0+20,   20 s)
 *   chip C: rejected AUTH_KST_FAILED@OPEN_KST, re-fed and good   (t0+40, 10 s), (t0+60, 10 s)
 *   chip D: rejected LOAD_FAILED@LOAD_APPLET, QA re-test good, recovered  (t0+80, 30 s)
 *   chip E: rejected CERT_FAILED@CERTIFY, scrapped by QA       (t0+120, 20 s)
 *   no chip: NO_ATR@IDENTIFY                                    (t0+150, 10 s)
 * fed 7, distinct chips 6 (A..E + the unidentified one), good 3 (A, B, C), first-pass good 2 (A, B),
 * rejected 4, recovered 1 (D), scrapped 1 (E); first-pass yield 2/7, final yield (3 + 1)/6.
 * Cycle time mean (10+20+10+10+30+20+10)/7 = 110/7 s. Throughput over the hour ending at the last eject: 3 good,
 * over the run's own 160 s (first feed t0, last eject t0+160), since the run is shorter than the hour: 67.5/h. */
static void
test_yield (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClYieldSummary) s = NULL;
  g_autoptr (ClYieldSummary) other = NULL;
  g_autoptr (GArray) series = NULL;
  g_autofree char *json = NULL, *text = NULL, *csv = NULL;
  gint64 b1 = new_batch (f, "B1");
  gint64 b2 = new_batch (f, "B2");
  gint64 retest;

  run_attempt (f, b1, CL_ATTEMPT_PRODUCTION, "0A", T0, 10 * SEC, -1, 0);
  run_attempt (f, b1, CL_ATTEMPT_PRODUCTION, "0B", T0 + 20 * SEC, 20 * SEC, -1, 0);
  run_attempt (f, b1, CL_ATTEMPT_PRODUCTION, "0C", T0 + 40 * SEC, 10 * SEC, CL_REJECT_AUTH_KST_FAILED,
               CL_STEP_OPEN_KST);
  run_attempt (f, b1, CL_ATTEMPT_PRODUCTION, "0C", T0 + 60 * SEC, 10 * SEC, -1, 0);
  run_attempt (f, b1, CL_ATTEMPT_PRODUCTION, "0D", T0 + 80 * SEC, 30 * SEC, CL_REJECT_LOAD_FAILED, CL_STEP_LOAD_APPLET);
  run_attempt (f, b1, CL_ATTEMPT_PRODUCTION, "0E", T0 + 120 * SEC, 20 * SEC, CL_REJECT_CERT_FAILED, CL_STEP_CERTIFY);
  run_attempt (f, b1, CL_ATTEMPT_PRODUCTION, NULL, T0 + 150 * SEC, 10 * SEC, CL_REJECT_NO_ATR, CL_STEP_IDENTIFY);
  /* Another batch must not leak into B1's figures. */
  run_attempt (f, b2, CL_ATTEMPT_PRODUCTION, "0F", T0 + 200 * SEC, 10 * SEC, -1, 0);

  retest = run_attempt (f, 0, CL_ATTEMPT_QA_RETEST, "0D", T0 + 500 * SEC, 40 * SEC, -1, 0);
  g_assert_cmpint (cl_store_qa_record (f->store, "0D", CL_QA_RECOVER, retest, "anna", "re-seated", &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_qa_record (f->store, "0E", CL_QA_SCRAP, 0, "anna", NULL, &error), >, 0);
  g_assert_no_error (error);
  /* Recovery needs a good re-test of that chip. */
  g_assert_cmpint (cl_store_qa_record (f->store, "0E", CL_QA_RECOVER, retest, "anna", NULL, &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  s = cl_store_yield_summary (f->store, b1, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->fed, ==, 7);
  g_assert_cmpuint (s->distinct_chips, ==, 6);
  g_assert_cmpuint (s->good, ==, 3);
  g_assert_cmpuint (s->first_pass_good, ==, 2);
  g_assert_cmpuint (s->rejected, ==, 4);
  g_assert_cmpuint (s->recovered, ==, 1);
  g_assert_cmpuint (s->scrapped, ==, 1);
  g_assert_cmpfloat_with_epsilon (s->first_pass_yield, 2.0 / 7.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (s->final_yield, 4.0 / 6.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (s->cycle_time_mean_s, 110.0 / 7.0, 1e-9);
  g_assert_cmpuint (s->throughput_good, ==, 3);
  g_assert_cmpint (s->throughput_window_us, ==, HOUR);
  g_assert_cmpint (s->throughput_span_us, ==, 160 * SEC);
  g_assert_true (cl_yield_summary_throughput_over_run (s));
  g_assert_cmpfloat_with_epsilon (s->throughput_per_hour, 3.0 * 3600 / 160, 1e-9);
  g_assert_cmpuint (s->rejects_by_reason[CL_REJECT_AUTH_KST_FAILED], ==, 1);
  g_assert_cmpuint (s->rejects_by_reason[CL_REJECT_NO_ATR], ==, 1);
  g_assert_cmpuint (s->rejects_by_reason[CL_REJECT_TIMEOUT], ==, 0);
  g_assert_cmpuint (s->rejects_by_step[CL_STEP_LOAD_APPLET], ==, 1);
  g_assert_cmpuint (s->rejects_by_step[CL_STEP_CERTIFY], ==, 1);
  g_assert_cmpuint (s->step_count[CL_STEP_IDENTIFY], ==, 7);
  g_assert_cmpfloat_with_epsilon (s->step_mean_s[CL_STEP_IDENTIFY], 55.0 / 7.0, 1e-9);
  g_assert_cmpint (s->from, ==, T0);
  g_assert_cmpint (s->until, ==, T0 + 160 * SEC);

  /* The 60 s window (t0+30, t0+90] holds two good ejects. B was fed at t0+20, before the window: the line was
   * producing all through it, so the rate is over the whole window. */
  other = cl_store_yield_summary (f->store, b1, 60 * SEC, T0 + 90 * SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other->throughput_good, ==, 2); /* B at t0+40, C at t0+70 */
  g_assert_cmpint (other->throughput_span_us, ==, 60 * SEC);
  g_assert_false (cl_yield_summary_throughput_over_run (other));
  g_assert_cmpfloat_with_epsilon (other->throughput_per_hour, 120.0, 1e-9);
  g_clear_pointer (&other, cl_yield_summary_free);

  other = cl_store_yield_summary (f->store, 0, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other->fed, ==, 8);
  g_assert_cmpuint (other->good, ==, 4);

  json = cl_yield_summary_to_json (s);
  g_assert_nonnull (strstr (json, "\"fed\":7,"));
  g_assert_nonnull (strstr (json, "\"throughput_window_s\":3600,\"throughput_good\":3,\"throughput_span_s\":160.000000,"
                                  "\"throughput_over\":\"run\",\"throughput_per_hour\":67.500000,"));
  g_assert_nonnull (strstr (json, "\"final_yield\":0.666667"));
  g_assert_nonnull (strstr (json, "\"rejects_by_reason\":{\"NO_ATR\":1,\"AUTH_KST_FAILED\":1,"));
  text = cl_yield_summary_to_text (s);
  g_assert_nonnull (strstr (text, "First-pass yield: 28.6 %"));
  g_assert_nonnull (strstr (
    text, "Throughput:       67.5 good cards/h (over the run's own 2.7 min, shorter than the 60 min window)\n"));
  csv = cl_yield_summary_to_csv (s);
  g_assert_true (g_str_has_prefix (csv, "metric,key,value\n"));
  g_assert_nonnull (strstr (csv, "rejects_by_step,CERTIFY,1\n"));
  g_assert_nonnull (strstr (csv, "throughput_per_hour,,67.500000\nthroughput_span_s,,160.000000\n"));

  /* 60 s buckets from t0: ejects at 10, 40, 50 | 70, 110 | 140, 160 s. */
  series = cl_store_yield_series (f->store, b1, T0, T0 + 180 * SEC, 60 * SEC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (series->len, ==, 3);
  g_assert_cmpuint (g_array_index (series, ClYieldBucket, 0).fed, ==, 3);
  g_assert_cmpuint (g_array_index (series, ClYieldBucket, 0).good, ==, 2);
  g_assert_cmpuint (g_array_index (series, ClYieldBucket, 1).fed, ==, 2);
  g_assert_cmpuint (g_array_index (series, ClYieldBucket, 1).good, ==, 1);
  g_assert_cmpuint (g_array_index (series, ClYieldBucket, 1).first_pass_good, ==, 0);
  g_assert_cmpuint (g_array_index (series, ClYieldBucket, 2).rejected, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (series, ClYieldBucket, 0).throughput_per_hour, 120.0, 1e-9);
}

static void
test_empty_yield (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClYieldSummary) s = cl_store_yield_summary (f->store, 0, 0, 0, &error);
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (s->fed, ==, 0);
  g_assert_cmpfloat (s->final_yield, ==, 0.0);
  json = cl_yield_summary_to_json (s);
  g_assert_true (g_str_has_prefix (json, "{\"batch_id\":0,\"from\":\"\""));
}

/* Throughput over the run's own time when the run is shorter than the window (cl-yield-summary.h): a 2-minute demo
 * of 45 good cards is some 1300 good cards/h, not 45; a run longer than the window is over the window, even when
 * the window begins between two cards; one quick card cannot make the rate absurd. */
static void
test_yield_short_run (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClYieldSummary) s = NULL;
  g_autofree char *json = NULL, *text = NULL;
  gint64 demo = new_batch (f, "DEMO");
  gint64 one = new_batch (f, "ONE");
  gint64 quick = new_batch (f, "QUICK");
  gint64 shift = new_batch (f, "SHIFT");

  /* four readers: a card fed every 2.5 s, 10 s each, the last ejected at 120 s; the first one rejected */
  for (guint i = 0; i < 46; i++)
    {
      g_autofree char *chip = g_strdup_printf ("D%02u", i);

      run_attempt (f, demo, CL_ATTEMPT_PRODUCTION, chip, T0 + (gint64)i * 2500000 - 2500000, 10 * SEC,
                   i == 0 ? CL_REJECT_WRONG_CARD : -1, CL_STEP_IDENTIFY);
    }
  s = cl_store_yield_summary (f->store, demo, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->throughput_good, ==, 45);
  /* from the rejected card's feed (t0 - 2.5 s) to the last eject (t0 + 120 s) */
  g_assert_cmpint (s->throughput_span_us, ==, 122500000);
  g_assert_cmpfloat_with_epsilon (s->throughput_per_hour, 45 * 3600 / 122.5, 1e-9);
  json = cl_yield_summary_to_json (s);
  g_assert_nonnull (strstr (json, "\"throughput_span_s\":122.500000,\"throughput_over\":\"run\""));
  text = cl_yield_summary_to_text (s);
  g_assert_nonnull (strstr (text, "good cards/h (over the run's own 2.0 min, shorter than the 60 min window)"));
  g_clear_pointer (&s, cl_yield_summary_free);

  /* looked at half an hour later: still the run's own rate, not diluted by the idle time since */
  s = cl_store_yield_summary (f->store, demo, 0, T0 + 30 * MINUTE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (s->throughput_span_us, ==, 122500000);
  g_clear_pointer (&s, cl_yield_summary_free);

  /* and once the hour has moved past its start, over the window again */
  s = cl_store_yield_summary (f->store, demo, 0, T0 + HOUR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->throughput_good, ==, 45);
  g_assert_cmpint (s->throughput_span_us, ==, HOUR);
  g_assert_cmpfloat_with_epsilon (s->throughput_per_hour, 45.0, 1e-9);
  g_clear_pointer (&s, cl_yield_summary_free);

  /* one card of 30 s: over its own cycle */
  run_attempt (f, one, CL_ATTEMPT_PRODUCTION, "0001", T0 + 2 * HOUR, 30 * SEC, -1, 0);
  s = cl_store_yield_summary (f->store, one, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (s->throughput_span_us, ==, 30 * SEC);
  g_assert_cmpfloat_with_epsilon (s->throughput_per_hour, 120.0, 1e-9);
  text = (g_free (text), cl_yield_summary_to_text (s));
  g_assert_nonnull (strstr (text, "(over the run's own 30 s, shorter than the 60 min window)"));
  g_clear_pointer (&s, cl_yield_summary_free);

  /* timestamps that claim no time at all: the floor of one second */
  run_attempt (f, quick, CL_ATTEMPT_PRODUCTION, "0002", T0 + 3 * HOUR, 0, -1, 0);
  s = cl_store_yield_summary (f->store, quick, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (s->throughput_span_us, ==, SEC);
  g_assert_cmpfloat_with_epsilon (s->throughput_per_hour, 3600.0, 1e-9);
  g_clear_pointer (&s, cl_yield_summary_free);

  /* a shift longer than the window: a card every minute for two hours, the hour's 60. The window begins 10 s
   * before a feed, with no card in production: the run still began long before. */
  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *chip = g_strdup_printf ("E%03X", i);

      run_attempt (f, shift, CL_ATTEMPT_PRODUCTION, chip, T0 + 4 * HOUR + (gint64)i * MINUTE, 50 * SEC, -1, 0);
    }
  s = cl_store_yield_summary (f->store, shift, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (s->throughput_span_us, ==, HOUR);
  g_assert_false (cl_yield_summary_throughput_over_run (s));
  g_assert_cmpfloat_with_epsilon (s->throughput_per_hour, 60.0, 1e-9);
  text = (g_free (text), cl_yield_summary_to_text (s));
  g_assert_nonnull (strstr (text, "Throughput:       60.0 good cards/h (last 60 min)\n"));
  g_clear_pointer (&s, cl_yield_summary_free);

  /* a summary built by hand, without a span, is over its window as before */
  s = cl_yield_summary_new ();
  s->throughput_window_us = HOUR;
  s->throughput_good = 45;
  cl_yield_summary_compute_ratios (s);
  g_assert_cmpfloat_with_epsilon (s->throughput_per_hour, 45.0, 1e-9);
  g_assert_false (cl_yield_summary_throughput_over_run (s));
}

/* ---- the aggregate tables (schema version 2) against the records ---- */

static void
assert_same_summary (const ClYieldSummary *a, const ClYieldSummary *r)
{
  g_assert_cmpuint (a->fed, ==, r->fed);
  g_assert_cmpuint (a->distinct_chips, ==, r->distinct_chips);
  g_assert_cmpuint (a->good, ==, r->good);
  g_assert_cmpuint (a->first_pass_good, ==, r->first_pass_good);
  g_assert_cmpuint (a->rejected, ==, r->rejected);
  g_assert_cmpuint (a->recovered, ==, r->recovered);
  g_assert_cmpuint (a->scrapped, ==, r->scrapped);
  g_assert_cmpint (a->from, ==, r->from);
  g_assert_cmpint (a->until, ==, r->until);
  g_assert_cmpuint (a->cycle_count, ==, r->cycle_count);
  g_assert_cmpfloat_with_epsilon (a->cycle_time_mean_s, r->cycle_time_mean_s, 1e-9);
  g_assert_cmpuint (a->throughput_good, ==, r->throughput_good);
  g_assert_cmpint (a->throughput_span_us, ==, r->throughput_span_us);
  g_assert_cmpfloat_with_epsilon (a->throughput_per_hour, r->throughput_per_hour, 1e-9);
  g_assert_cmpfloat_with_epsilon (a->final_yield, r->final_yield, 1e-12);
  g_assert_cmpfloat_with_epsilon (a->first_pass_yield, r->first_pass_yield, 1e-12);
  g_assert_cmpmem (a->rejects_by_reason, sizeof a->rejects_by_reason, r->rejects_by_reason,
                   sizeof r->rejects_by_reason);
  g_assert_cmpmem (a->rejects_by_step, sizeof a->rejects_by_step, r->rejects_by_step, sizeof r->rejects_by_step);
  g_assert_cmpmem (a->step_count, sizeof a->step_count, r->step_count, sizeof r->step_count);
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    g_assert_cmpfloat_with_epsilon (a->step_mean_s[i], r->step_mean_s[i], 1e-9);
}

/* Every figure of scope batch read both ways; the series over whole-minute buckets (the aggregates) and one that
 * is not (the records either way). */
static void
assert_aggregates_match (ClStore *store, gint64 batch)
{
  static const gint64 buckets[] = { MINUTE, 5 * MINUTE, HOUR, 24 * HOUR, 7 * SEC, 7 * HOUR + 13 };
  g_autoptr (GError) error = NULL;
  gint64 from[2], to[2];

  for (guint rows = 0; rows < 2; rows++)
    {
      cl_store_set_yield_from_rows (store, rows);
      g_assert_true (cl_store_production_span (store, batch, &from[rows], &to[rows], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (from[0], ==, from[1]);
  g_assert_cmpint (to[0], ==, to[1]);
  for (gint64 window = 0; window <= 2 * HOUR; window += HOUR)
    {
      g_autoptr (ClYieldSummary) a = NULL;
      g_autoptr (ClYieldSummary) r = NULL;

      cl_store_set_yield_from_rows (store, FALSE);
      a = cl_store_yield_summary (store, batch, window, 0, &error);
      g_assert_no_error (error);
      cl_store_set_yield_from_rows (store, TRUE);
      r = cl_store_yield_summary (store, batch, window, 0, &error);
      g_assert_no_error (error);
      assert_same_summary (a, r);
    }
  if (to[0] <= from[0])
    return;
  for (guint b = 0; b < G_N_ELEMENTS (buckets); b++)
    for (guint end = 0; end < 2; end++)
      {
        gint64 start = from[0] - from[0] % buckets[b] - buckets[b];
        /* The dashboard's end (last record + 1) has a ragged last minute; a whole-minute end has none. */
        gint64 stop = end == 0 ? to[0] + 1 : to[0] - to[0] % MINUTE + MINUTE;
        GArray *series[2], *final[2];

        /* QA actions are stamped now, which stretches the span from the history's times to today. */
        if ((stop - start) / buckets[b] > 50000)
          continue;
        for (guint rows = 0; rows < 2; rows++)
          {
            cl_store_set_yield_from_rows (store, rows);
            series[rows] = cl_store_yield_series (store, batch, start, stop, buckets[b], &error);
            g_assert_no_error (error);
            /* Stop short of the end too: later ejects fall outside the final yield's buckets. */
            final[rows]
              = cl_store_final_yield_series (store, batch, start, stop - (stop - start) / 3, buckets[b], &error);
            g_assert_no_error (error);
          }
        yield_assert_series_same (series, final);
      }
  cl_store_set_yield_from_rows (store, FALSE);
}

/* A random history through the API: batches and no batch, re-feeds, unidentified feeds, attempts still open, QA
 * re-tests, recoveries (some later made good in production again) and scraps. */
static void
random_history (Fixture *f, GRand *rand, gint64 *batches, guint n_batches, guint n_attempts, gint64 t0)
{
  static const ClRejectReason reasons[] = { CL_REJECT_AUTH_KST_FAILED, CL_REJECT_LOAD_FAILED, CL_REJECT_CERT_FAILED };
  static const ClProductionStep steps[] = { CL_STEP_OPEN_KST, CL_STEP_LOAD_APPLET, CL_STEP_CERTIFY };

  for (guint i = 0; i < n_attempts; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *chip = g_strdup_printf ("%04X", g_rand_int_range (rand, 0, 60));
      gint64 batch = batches[g_rand_int_range (rand, 0, (gint32)n_batches)];
      gint64 start = t0 + (gint64)g_rand_int_range (rand, 0, 3 * 3600) * SEC + g_rand_int_range (rand, 0, 1000000);
      gint64 length = (gint64)g_rand_int_range (rand, 1, 200) * SEC + g_rand_int_range (rand, 0, 1000000);
      int fate = g_rand_int_range (rand, 0, 20);
      int r = g_rand_int_range (rand, 0, G_N_ELEMENTS (reasons));
      gint64 id;

      if (fate == 0) /* unidentified */
        run_attempt (f, batch, CL_ATTEMPT_PRODUCTION, NULL, start, length, CL_REJECT_NO_ATR, CL_STEP_IDENTIFY);
      else if (fate == 1) /* still in the reader */
        {
          id = cl_store_attempt_begin (f->store, batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 1", start, &error);
          g_assert_no_error (error);
          cl_store_attempt_identify (f->store, id, chip, start, NULL, &error);
          g_assert_no_error (error);
        }
      else if (fate <= 3) /* QA: a good re-test recovers it, or it is scrapped */
        {
          id = run_attempt (f, 0, CL_ATTEMPT_QA_RETEST, chip, start, length, -1, 0);
          cl_store_qa_record (f->store, chip, fate == 2 ? CL_QA_RECOVER : CL_QA_SCRAP, fate == 2 ? id : 0, "anna",
                              "random", &error);
          g_assert_no_error (error);
        }
      else
        run_attempt (f, batch, CL_ATTEMPT_PRODUCTION, chip, start, length, fate < 12 ? (int)reasons[r] : -1, steps[r]);
    }
}

static void
test_yield_aggregates (Fixture *f, gconstpointer data)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240517);
  gint64 batches[] = { new_batch (f, "B1"), new_batch (f, "B2"), 0 };

  assert_aggregates_match (f->store, 0);
  random_history (f, rand, batches, G_N_ELEMENTS (batches), 400, TM);
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    assert_aggregates_match (f->store, batches[b]);
}

/* A store of schema version 1 with records in it (written the way version 1 did: no aggregates, no triggers) is
 * migrated to version 2 (and on to the latest) on open, with the same figures, and keeps them as records arrive. */
/* One number from the fixture's own connection. */
static gint64
store_int (Fixture *f, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (f->store->sql, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (cl_sql_step (stmt, &error), ==, CL_SQL_STEP_ROW);
  g_assert_no_error (error);
  return cl_sql_column_int64 (stmt, 0);
}

static void
test_migrate_v1 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  sqlite3 *db = NULL;
  char *msg = NULL;
  gint64 batches[3] = { 0, 0, 0 };

  g_clear_object (&f->store);
  g_unlink (f->path);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; BEGIN", NULL, NULL, &msg);
  g_assert_cmpstr (msg, ==, NULL);
  sqlite3_exec (db, cl_store_migrations[0], NULL, NULL, &msg);
  g_assert_cmpstr (msg, ==, NULL);
  sqlite3_exec (db, "PRAGMA user_version = 1; COMMIT", NULL, NULL, &msg);
  g_assert_cmpstr (msg, ==, NULL);
  sqlite3_close (db);

  {
    /* Version 1 records: a history made through the API on a scratch store, copied row for row into the
     * version 1 file, which has neither the aggregate tables nor their triggers. */
    g_autofree char *copy = NULL;
    Fixture s = { g_dir_make_tmp ("cl-store-v1-XXXXXX", NULL), NULL, NULL };

    s.path = g_build_filename (s.dir, "scratch.db", NULL);
    s.store = cl_store_open (s.path, &error);
    g_assert_no_error (error);
    batches[0] = new_batch (&s, "B1");
    batches[1] = new_batch (&s, "B2");
    random_history (&s, rand, batches, G_N_ELEMENTS (batches), 300, TM);
    g_clear_object (&s.store);
    copy = g_strdup_printf ("ATTACH '%s' AS s; BEGIN; INSERT INTO batches SELECT * FROM s.batches; "
                            "INSERT INTO cards SELECT * FROM s.cards; INSERT INTO attempts SELECT * FROM s.attempts; "
                            "INSERT INTO steps SELECT * FROM s.steps; "
                            "INSERT INTO dispositions SELECT * FROM s.dispositions; "
                            "INSERT INTO qa_actions SELECT * FROM s.qa_actions; COMMIT",
                            s.path);
    raw_sql (f, copy, TRUE);
    fixture_teardown (&s, NULL);
  }

  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_store_get_schema_version (f->store), ==, CL_STORE_SCHEMA_VERSION);
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    assert_aggregates_match (f->store, batches[b]);
  /* And the triggers carry on from the backfill. */
  random_history (f, rand, batches, G_N_ELEMENTS (batches), 150, TM + HOUR);
  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    assert_aggregates_match (f->store, batches[b]);
  g_assert_true (cl_store_integrity_check (f->store, &error));
  g_assert_no_error (error);
  /* the migration to version 4 sealed the rows it found, and the new ones are sealed as they come: every ended
   * attempt matches its seal, and the schema is the one a new store gets */
  {
    guint64 n_rows = 0;

    g_assert_true (cl_store_verify_records (f->store, &n_rows, &error));
    g_assert_no_error (error);
    g_assert_cmpint ((gint64)n_rows, >=, store_int (f, "SELECT count(*) FROM attempts WHERE ended IS NOT NULL"));
    g_assert_cmpint (store_int (f, "SELECT count(*) FROM audit WHERE action = 'record-seal' AND actor = 'migration'"),
                     >, 0);
    g_assert_true (cl_store_verify_schema (f->store, &error));
    g_assert_no_error (error);
  }
}

#define N_THREADS  4
#define PER_THREAD 50

typedef struct
{
  ClStore *store;
  gint64 batch;
  guint index;
} Worker;

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;

  for (guint i = 0; i < PER_THREAD; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *chip = g_strdup_printf ("%02X%04X", w->index, i);
      g_autofree char *reader = g_strdup_printf ("Reader %u", w->index);
      ClAttemptEnd end = { CL_ATTEMPT_GOOD, 0, 0, 0x9000, CL_DISPOSITION_OUTPUT, 0 };
      gint64 id = cl_store_attempt_begin (w->store, w->batch, CL_ATTEMPT_PRODUCTION, "line-1", reader, 0, &error);

      g_assert_no_error (error);
      cl_store_attempt_identify (w->store, id, chip, 0, NULL, &error);
      g_assert_no_error (error);
      for (guint s = 0; s < 3; s++)
        {
          cl_store_attempt_add_step (w->store, id, (ClProductionStep)s, 0, 1000, CL_STEP_RESULT_OK, 0x9000, NULL,
                                     &error);
          g_assert_no_error (error);
        }
      cl_store_journal_intent (w->store, id, chip, CL_JOURNAL_PUT_KEY, 0x30, 1, NULL, &error);
      g_assert_no_error (error);
      cl_store_audit_append (w->store, reader, "note", chip, NULL, &error);
      g_assert_no_error (error);
      cl_store_attempt_end (w->store, id, &end, &error);
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_threads (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClYieldSummary) s = NULL;
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  guint64 n = 0;

  /* Two batches, two workers each. */
  for (guint i = 0; i < N_THREADS; i++)
    workers[i] = (Worker){ f->store, i < 2 ? new_batch (f, i ? "odd" : "even") : workers[i - 2].batch, i };
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("store-worker", worker_run, &workers[i]);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  s = cl_store_yield_summary (f->store, 0, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (s->fed, ==, N_THREADS * PER_THREAD);
  g_assert_cmpuint (s->good, ==, N_THREADS * PER_THREAD);
  g_assert_cmpuint (s->first_pass_good, ==, N_THREADS * PER_THREAD);
  g_assert_cmpuint (s->step_count[CL_STEP_OPEN_KST], ==, N_THREADS * PER_THREAD);
  g_assert_true (cl_store_verify_audit_chain (f->store, &n, &error));
  g_assert_no_error (error);
  /* per attempt its note and its seal; the two batches */
  g_assert_cmpuint (n, ==, 2 * N_THREADS * PER_THREAD + 2);
  g_assert_true (cl_store_integrity_check (f->store, &error));
  g_assert_no_error (error);
}

static void
test_integrity (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_store_integrity_check (f->store, &error));
  g_assert_no_error (error);
  /* A dangling reference written behind the store's back is reported. */
  g_clear_object (&f->store);
  raw_sql (f,
           "PRAGMA foreign_keys = OFF; INSERT INTO steps (attempt_id, step, started, duration_us, result) "
           "VALUES (42, 'IDENTIFY', 0, 0, 'OK')",
           TRUE);
  reopen (f);
  g_assert_false (cl_store_integrity_check (f->store, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "steps"));
}

/* The admin tools open a store that must exist: a mistyped SQLite path is refused, not created; an existing store
 * opens, and says whether other stations share it. */
static void
test_open_existing (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) again = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "no-such-station.db", NULL);

  g_assert_cmpint (cl_store_is_shared (f->store), ==, store_fixture_is_postgresql ());
  if (!store_fixture_is_postgresql ())
    {
      g_assert_null (cl_store_open_existing (missing, &error));
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      g_assert_nonnull (strstr (error->message, missing));
      g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
      g_clear_error (&error);
    }
  again = cl_store_open_existing (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_is_shared (again), ==, store_fixture_is_postgresql ());
}

static void
test_names (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *enum_name = NULL;
  ClRejectReason reason;
  ClProductionStep step;

  for (guint i = 0; i < CL_REJECT_REASON_COUNT; i++)
    {
      g_assert_true (cl_reject_reason_from_string (cl_reject_reason_to_string (i), &reason, &error));
      g_assert_cmpuint (reason, ==, i);
      g_assert_cmpstr (cl_reject_reason_describe (i), !=, "Unknown reason");
    }
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    {
      g_assert_true (cl_production_step_from_string (cl_production_step_to_string (i), &step, &error));
      g_assert_cmpuint (step, ==, i);
    }
  g_assert_false (cl_reject_reason_from_string ("LOST", &reason, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "LOST"));
  g_clear_error (&error);
  g_assert_false (cl_production_step_from_string ("identify", &step, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  enum_name = g_enum_to_string (CL_TYPE_REJECT_REASON, CL_REJECT_DUPLICATE_CHIP);
  g_assert_cmpstr (enum_name, ==, "DUPLICATE_CHIP");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/names", test_names);
#define ADD(path, fn) g_test_add ("/store/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("schema-reopen", test_schema_reopen);
  ADD ("open-existing", test_open_existing);
  /* SQLite's file: its user_version, its own integrity checks, its version-1 files (PostgreSQL's newer database is
   * refused in test-sql) */
  if (!store_fixture_is_postgresql ())
    {
      ADD ("newer-schema-refused", test_newer_schema_refused);
      ADD ("integrity", test_integrity);
      ADD ("migrate-v1", test_migrate_v1);
    }
  ADD ("journal", test_journal);
  ADD ("certificate-once", test_certificate_once);
  ADD ("certificate-issued", test_certificate_issued);
  ADD ("one-disposition", test_one_disposition);
  ADD ("audit-chain", test_audit_chain);
  ADD ("yield", test_yield);
  ADD ("empty-yield", test_empty_yield);
  ADD ("yield-short-run", test_yield_short_run);
  ADD ("threads", test_threads);
  ADD ("yield-aggregates", test_yield_aggregates);
  ADD ("count-disposed", test_count_disposed);
  ADD ("yield-retained", test_yield_retained);
  ADD ("batch-open", test_batch_open);
  return g_test_run ();
}
