/* Unit tests of lib/store/cl-store-claim: chip claims with an owner and a lease, shared by every connection to the
 * store, and the schema migration that adds them. */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "store/cl-store-claim.h"
#include "store/cl-store-private.h"
#include "store-fixture.h"

#define CHIP    "47900000000000000001"
#define OWNER_A "line-1/100.1700000000/Reader 0"
#define OWNER_B "line-2/200.1700000000/Reader 3"
#define MINUTE  ((gint64)60 * G_USEC_PER_SEC)

typedef StoreFixture Fixture;
#define fixture_setup      store_fixture_setup
#define fixture_teardown   store_fixture_teardown
#define remove_store_files store_fixture_remove_files

static void
raw_sql (Fixture *f, const char *sql)
{
  g_autofree char *msg = NULL;

  store_fixture_raw_exec (f, sql, &msg);
  g_assert_cmpstr (msg, ==, NULL);
}

#define raw_int  store_fixture_raw_int
#define raw_text store_fixture_raw_text

static gint64
new_attempt (ClStore *store, const char *reader)
{
  g_autoptr (GError) error = NULL;
  gint64 id = cl_store_attempt_begin (store, 0, CL_ATTEMPT_PRODUCTION, "line-1", reader, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
assert_claimed_by (ClStore *store, const char *chip, const char *holder, const char *claimant)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (cl_store_chip_claim (store, chip, claimant, 0, MINUTE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_assert_nonnull (strstr (error->message, holder));
}

static void
test_owner (void)
{
  g_autofree char *owner = cl_store_chip_owner ("line/1%", "Reader 0/slot 1");
  g_autofree char *again = cl_store_chip_owner ("line/1%", "Reader 0/slot 1");
  g_autofree char *process = g_strdup_printf ("/%d.", (int)getpid ());
  char **parts = NULL;

  /* the station part ends at the first '/', whatever the station is called; the reader is the rest */
  g_assert_true (g_str_has_prefix (owner, "line%2F1%25/"));
  g_assert_true (g_str_has_suffix (owner, "/Reader 0/slot 1"));
  g_assert_nonnull (strstr (owner, process));
  parts = g_strsplit (owner, "/", 3);
  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  g_assert_cmpstr (parts[2], ==, "Reader 0/slot 1");
  g_strfreev (parts);
  /* the same process and reader: the same owner, so that claiming again renews */
  g_assert_cmpstr (owner, ==, again);
}

/* A claim is taken once; another owner is refused with the holder, its attempt and the lease's end named; the
 * holder claiming again renews. */
static void
test_claim (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 attempt = new_attempt (f->store, "Reader 0");
  gint64 before = g_get_real_time ();
  gint64 claimed, until;
  g_autofree char *owner = NULL;
  g_autofree char *attempt_text = g_strdup_printf ("attempt %" G_GINT64_FORMAT, attempt);

  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_A, attempt, MINUTE, &error));
  g_assert_no_error (error);
  owner = raw_text (f, "SELECT owner FROM chip_claims WHERE chip_id = '" CHIP "'");
  g_assert_cmpstr (owner, ==, OWNER_A);
  g_assert_cmpint (raw_int (f, "SELECT attempt_id FROM chip_claims"), ==, attempt);
  claimed = raw_int (f, "SELECT claimed FROM chip_claims");
  until = raw_int (f, "SELECT lease_until FROM chip_claims");
  g_assert_cmpint (claimed, >=, before);
  g_assert_cmpint (until, ==, claimed + MINUTE);

  g_assert_false (cl_store_chip_claim (f->store, CHIP, OWNER_B, 0, MINUTE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, CHIP));
  g_assert_nonnull (strstr (error->message, OWNER_A));
  g_assert_nonnull (strstr (error->message, attempt_text));
  g_assert_nonnull (strstr (error->message, "until 20")); /* an ISO 8601 time */
  g_clear_error (&error);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims WHERE owner = '" OWNER_B "'"), ==, 0);

  /* the holder again: a renewal that keeps when it was first claimed and the attempt it does not name */
  g_usleep (2000);
  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_A, 0, 2 * MINUTE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT claimed FROM chip_claims"), ==, claimed);
  g_assert_cmpint (raw_int (f, "SELECT lease_until FROM chip_claims"), >, until + MINUTE);
  g_assert_cmpint (raw_int (f, "SELECT attempt_id FROM chip_claims"), ==, attempt);

  /* other chips are free */
  g_assert_true (cl_store_chip_claim (f->store, "47900000000000000002", OWNER_B, 0, MINUTE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims"), ==, 2);
}

static void
test_arguments (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *long_owner = g_strnfill (257, 'x');

  g_assert_false (cl_store_chip_claim (f->store, "4790ab01", OWNER_A, 0, MINUTE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cl_store_chip_claim (f->store, CHIP, "", 0, MINUTE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cl_store_chip_claim (f->store, CHIP, long_owner, 0, MINUTE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cl_store_chip_claim (f->store, CHIP, OWNER_A, 0, 0, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cl_store_chip_claim (f->store, CHIP, OWNER_A, 0, CL_STORE_CLAIM_MAX_LEASE_US + 1, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cl_store_chip_renew (f->store, CHIP, OWNER_A, -1, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (cl_store_chip_release (f->store, NULL, OWNER_A, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (cl_store_chip_release_stale (f->store, "", &error), ==, -1);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* an attempt that does not exist is the store's refusal (foreign key), not a claim */
  g_assert_false (cl_store_chip_claim (f->store, CHIP, OWNER_A, 999, MINUTE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_clear_error (&error);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims"), ==, 0);
}

static void
test_renew (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 until;

  g_assert_false (cl_store_chip_renew (f->store, CHIP, OWNER_A, MINUTE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_A, 0, G_USEC_PER_SEC, &error));
  g_assert_no_error (error);
  until = raw_int (f, "SELECT lease_until FROM chip_claims");
  g_assert_true (cl_store_chip_renew (f->store, CHIP, OWNER_A, MINUTE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT lease_until FROM chip_claims"), >=, until - G_USEC_PER_SEC + MINUTE);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims WHERE owner = '" OWNER_A "'"), ==, 1);

  /* only the holder renews */
  g_assert_false (cl_store_chip_renew (f->store, CHIP, OWNER_B, MINUTE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_assert_nonnull (strstr (error->message, OWNER_A));
  g_clear_error (&error);

  /* a lease that ended with nobody taking it over is still the holder's to renew */
  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_A, 0, 1000, &error));
  g_assert_no_error (error);
  g_usleep (5000);
  g_assert_true (cl_store_chip_renew (f->store, CHIP, OWNER_A, MINUTE, &error));
  g_assert_no_error (error);
  assert_claimed_by (f->store, CHIP, OWNER_A, OWNER_B);
}

/* Release drops only the holder's claim; anyone else's release leaves it. */
static void
test_release (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* nothing to release: not an error */
  g_assert_true (cl_store_chip_release (f->store, CHIP, OWNER_A, &error));
  g_assert_no_error (error);

  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_A, 0, MINUTE, &error));
  g_assert_no_error (error);
  g_assert_true (cl_store_chip_release (f->store, CHIP, OWNER_B, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims WHERE owner = '" OWNER_A "'"), ==, 1);
  assert_claimed_by (f->store, CHIP, OWNER_A, OWNER_B);

  g_assert_true (cl_store_chip_release (f->store, CHIP, OWNER_A, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims"), ==, 0);
  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_B, 0, MINUTE, &error));
  g_assert_no_error (error);
}

/* A claim whose lease ended is taken over by the next claimant, audited; its former holder can neither release nor
 * renew it any more. */
static void
test_expired (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 attempt = new_attempt (f->store, "Reader 0");
  g_autofree char *detail = NULL;
  g_autofree char *actor = NULL;
  guint64 n_audit = 0;

  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_A, attempt, 1000, &error));
  g_assert_no_error (error);
  g_usleep (5000);
  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_B, 0, MINUTE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims WHERE owner = '" OWNER_B "'"), ==, 1);
  /* the attempt was the former holder's */
  g_assert_cmpint (raw_int (f, "SELECT coalesce(attempt_id, -1) FROM chip_claims"), ==, -1);

  detail = raw_text (f, "SELECT detail FROM audit WHERE action = 'chip-claim-takeover' AND subject = '" CHIP "'");
  g_assert_nonnull (detail);
  g_assert_nonnull (strstr (detail, OWNER_A));
  actor = raw_text (f, "SELECT actor FROM audit WHERE action = 'chip-claim-takeover'");
  g_assert_cmpstr (actor, ==, OWNER_B);
  g_assert_true (cl_store_verify_audit_chain (f->store, &n_audit, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_audit, ==, 1);

  g_assert_true (cl_store_chip_release (f->store, CHIP, OWNER_A, &error));
  g_assert_no_error (error);
  g_assert_false (cl_store_chip_renew (f->store, CHIP, OWNER_A, MINUTE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_assert_nonnull (strstr (error->message, OWNER_B));
  g_clear_error (&error);
  assert_claimed_by (f->store, CHIP, OWNER_B, OWNER_A);

  /* the holder renewing or reclaiming its own ended lease is no takeover */
  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_B, 0, 1000, &error));
  g_assert_no_error (error);
  g_usleep (5000);
  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_B, 0, MINUTE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM audit"), ==, 1);
}

/* A restarted station drops the claims its earlier process left, not its own, not other stations'. */
static void
test_release_stale (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *mine = cl_store_chip_owner ("line/1", "Reader 0");
  g_autofree char *open_attempt = NULL;
  gint64 attempt;

  g_assert_true (g_str_has_prefix (mine, "line%2F1/"));
  g_assert_true (cl_store_chip_claim (f->store, "0001", "line%2F1/1.1/Reader 0", 0, MINUTE, &error));
  g_assert_true (cl_store_chip_claim (f->store, "0002", "line%2F1/1.1/Reader 1", 0, MINUTE, &error));
  g_assert_true (cl_store_chip_claim (f->store, "0003", mine, 0, MINUTE, &error));
  /* stations whose names share a prefix with it */
  g_assert_true (cl_store_chip_claim (f->store, "0004", "line/1.1/Reader 0", 0, MINUTE, &error));
  g_assert_true (cl_store_chip_claim (f->store, "0005", "line%2F10/1.1/Reader 0", 0, MINUTE, &error));
  g_assert_true (cl_store_chip_claim (f->store, "0006", "line_2F1/1.1/Reader 0", 0, MINUTE, &error));
  g_assert_no_error (error);

  g_assert_cmpint (cl_store_chip_release_stale (f->store, "line/1", &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims WHERE chip_id IN ('0001', '0002')"), ==, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims"), ==, 4);
  g_assert_cmpint (cl_store_chip_release_stale (f->store, "line/1", &error), ==, 0);
  g_assert_no_error (error);

  /* a station's start (cl_store_attempt_abandon_open) drops them too */
  g_assert_true (cl_store_chip_claim (f->store, "0001", "line-1/1.1/Reader 0", 0, MINUTE, &error));
  attempt = new_attempt (f->store, "Reader 0");
  g_assert_cmpint (cl_store_attempt_abandon_open (f->store, "line-1", &error), ==, 1);
  g_assert_no_error (error);
  open_attempt
    = g_strdup_printf ("SELECT count(*) FROM attempts WHERE id = %" G_GINT64_FORMAT " AND ended IS NULL", attempt);
  g_assert_cmpint (raw_int (f, open_attempt), ==, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims WHERE chip_id = '0001'"), ==, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims"), ==, 4);
}

/* ---- two connections (two ClStore handles on one file) competing for the same chips ---- */

#define N_CHIPS 40

/* Both contenders start each chip together, so that their claims meet in the store rather than one after the
 * other. */
typedef struct
{
  GMutex lock;
  GCond cond;
  guint waiting, round;
} Barrier;

static void
barrier_wait (Barrier *b)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&b->lock);
  guint round = b->round;

  if (++b->waiting == 2)
    {
      b->waiting = 0;
      b->round++;
      g_cond_broadcast (&b->cond);
      return;
    }
  while (b->round == round)
    g_cond_wait (&b->cond, &b->lock);
}

typedef struct
{
  ClStore *store;
  const char *owner;
  Barrier *barrier;
  gint *wins; /* per chip, shared */
  guint won, refused;
} Contender;

static gpointer
contend (gpointer data)
{
  Contender *c = data;

  for (guint i = 0; i < N_CHIPS; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *chip = g_strdup_printf ("4790%04X", i);

      barrier_wait (c->barrier);
      if (cl_store_chip_claim (c->store, chip, c->owner, 0, MINUTE, &error))
        {
          g_atomic_int_inc (&c->wins[i]);
          c->won++;
        }
      else
        {
          /* losing is being told who holds the chip, never a busy store */
          g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
          c->refused++;
        }
    }
  return NULL;
}

static void
test_two_connections (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) other = cl_store_open (f->path, &error);
  gint wins[N_CHIPS] = { 0 };
  Barrier barrier = { 0 };
  Contender a = { f->store, OWNER_A, &barrier, wins, 0, 0 };
  Contender b = { other, OWNER_B, &barrier, wins, 0, 0 };
  g_autofree char *holder = NULL;
  GThread *ta, *tb;

  g_assert_no_error (error);
  ta = g_thread_new ("contender-a", contend, &a);
  tb = g_thread_new ("contender-b", contend, &b);
  g_thread_join (ta);
  g_thread_join (tb);
  g_mutex_clear (&barrier.lock);
  g_cond_clear (&barrier.cond);

  for (guint i = 0; i < N_CHIPS; i++)
    g_assert_cmpint (wins[i], ==, 1);
  g_assert_cmpuint (a.won + b.won, ==, N_CHIPS);
  g_assert_cmpuint (a.refused + b.refused, ==, N_CHIPS);
  g_test_message ("%u chips to the first store, %u to the second", a.won, b.won);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims"), ==, N_CHIPS);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims WHERE owner = '" OWNER_A "'"), ==, a.won);

  /* both handles see every claim, whichever of them took it */
  holder = raw_text (f, "SELECT owner FROM chip_claims WHERE chip_id = '47900000'");
  assert_claimed_by (f->store, "47900000", holder, "line-3/300.1/Reader 0");
  assert_claimed_by (other, "47900000", holder, "line-3/300.1/Reader 0");
}

/* A store of schema version 2 (the previous one), with an attempt open in it, migrates to the latest on open; the
 * records stay, and the claims table works. Setting the version back and opening again keeps the claims. */
static void
test_migrate_v2 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = NULL;
  char *msg = NULL;
  guint64 n_audit = 0;

  g_assert_cmpuint (CL_STORE_SCHEMA_VERSION, >=, 3);
  g_clear_object (&f->store);
  remove_store_files (f);

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; BEGIN", NULL, NULL, &msg);
  g_assert_cmpstr (msg, ==, NULL);
  for (guint v = 0; v < 2; v++)
    {
      sqlite3_exec (db, cl_store_migrations[v], NULL, NULL, &msg);
      g_assert_cmpstr (msg, ==, NULL);
    }
  sqlite3_exec (db,
                "INSERT INTO batches (id, name, profile_name, profile_hash, quantity, created, state) VALUES "
                "(1, 'B1', 'smartcard-hsm', '" /* 64 hex digits */
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 10, 1, 'RUNNING');"
                "INSERT INTO cards (chip_id, first_seen, last_seen, state) VALUES ('" CHIP "', 2, 2, 'BLANK');"
                "INSERT INTO attempts (id, chip_id, batch_id, kind, station, reader, started) VALUES "
                "(7, '" CHIP "', 1, 'PRODUCTION', 'line-1', 'Reader 0', 2);"
                "PRAGMA user_version = 2; COMMIT",
                NULL, NULL, &msg);
  g_assert_cmpstr (msg, ==, NULL);
  g_assert_cmpint (sqlite3_exec (db, "SELECT * FROM chip_claims", NULL, NULL, NULL), !=, SQLITE_OK);
  sqlite3_close (db);

  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_store_get_schema_version (f->store), ==, CL_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (f, "PRAGMA user_version"), ==, CL_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM attempts WHERE id = 7 AND ended IS NULL"), ==, 1);
  g_assert_true (cl_store_chip_claim (f->store, CHIP, OWNER_A, 7, MINUTE, &error));
  g_assert_no_error (error);
  assert_claimed_by (f->store, CHIP, OWNER_A, OWNER_B);
  g_assert_true (cl_store_integrity_check (f->store, &error));
  g_assert_no_error (error);
  g_assert_true (cl_store_verify_audit_chain (f->store, &n_audit, &error));
  g_assert_no_error (error);

  /* version 3 again over itself (user_version set back): the claim that holds stays */
  g_clear_object (&f->store);
  raw_sql (f, "PRAGMA user_version = 2");
  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_store_get_schema_version (f->store), ==, CL_STORE_SCHEMA_VERSION);
  assert_claimed_by (f->store, CHIP, OWNER_A, OWNER_B);
  g_assert_cmpint (raw_int (f, "SELECT attempt_id FROM chip_claims"), ==, 7);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/claim/owner", test_owner);
#define ADD(path, fn) g_test_add ("/store/claim/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("claim", test_claim);
  ADD ("arguments", test_arguments);
  ADD ("renew", test_renew);
  ADD ("release", test_release);
  ADD ("expired-taken-over", test_expired);
  ADD ("release-stale", test_release_stale);
  ADD ("two-connections", test_two_connections);
  /* an SQLite file of version 2 (PostgreSQL's schema starts at a later baseline) */
  if (!store_fixture_is_postgresql ())
    ADD ("migrate-v2", test_migrate_v2);
#undef ADD
  return g_test_run ();
}
