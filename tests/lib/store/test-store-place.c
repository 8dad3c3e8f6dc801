/* test-store-place.c: a batch's quantity shared by stations (store/cl-store-place.h): places handed out by the
 * database, bound by attempts, given back by a RETAINED end; the constraints that refuse an extra place; two
 * connections racing for the last places end at exactly the quantity, with one audit chain. */
#include "core/cl-error.h"
#include "store-fixture.h"
#include "store/cl-store-place.h"
#include "store/cl-store-private.h"
#include "store/cl-store-station.h"

#define HASH "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static gint64
new_batch (StoreFixture *f, const char *name, guint quantity)
{
  g_autoptr (GError) error = NULL;
  gint64 id = cl_store_batch_create (f->store, name, "smartcard-hsm", HASH, quantity, "supervisor", &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
hold_lease (ClStore *store, const char *station)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_store_station_acquire (store, station, CL_STATION_LEASE_US, &error));
  g_assert_no_error (error);
}

static gint64
take (ClStore *store, gint64 batch, const char *station)
{
  g_autoptr (GError) error = NULL;
  gint64 place = cl_store_place_take (store, batch, station, &error);

  g_assert_no_error (error);
  g_assert_cmpint (place, >=, 0);
  return place;
}

static gint64
begin (ClStore *store, gint64 batch, const char *station)
{
  g_autoptr (GError) error = NULL;
  gint64 id = cl_store_attempt_begin (store, batch, CL_ATTEMPT_PRODUCTION, station, "Reader 0", 0, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
end (ClStore *store, gint64 attempt, ClDisposition disposition)
{
  g_autoptr (GError) error = NULL;
  ClAttemptEnd e = { CL_ATTEMPT_REJECTED, CL_REJECT_CARD_REMOVED, CL_STEP_IDENTIFY, -1, disposition, 0 };

  if (disposition == CL_DISPOSITION_OUTPUT)
    e.result = CL_ATTEMPT_GOOD;
  g_assert_true (cl_store_attempt_end (store, attempt, &e, &error));
  g_assert_no_error (error);
}

static ClPlaceCounts
counts (ClStore *store, gint64 batch)
{
  g_autoptr (GError) error = NULL;
  ClPlaceCounts c;

  g_assert_true (cl_store_place_count (store, batch, &c, &error));
  g_assert_no_error (error);
  return c;
}

static gint64
sql_int (ClStore *store, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&store->lock);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (store, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (cl_sql_step (stmt, &error), ==, CL_SQL_STEP_ROW);
  return cl_sql_column_int64 (stmt, 0);
}

/* Places one by one: taken, bound by an attempt, given back by a RETAINED end or unused; none beyond quantity. */
static void
test_take_bind_give_back (StoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batch = new_batch (f, "B-places", 3);
  gint64 a1, a2, a3;

  hold_lease (f->store, "line-1");
  hold_lease (f->store, "line-2");
  g_assert_cmpint (take (f->store, batch, "line-1"), ==, 1);
  g_assert_cmpint (take (f->store, batch, "line-2"), ==, 2);
  g_assert_cmpint (take (f->store, batch, "line-1"), ==, 3);
  g_assert_cmpint (take (f->store, batch, "line-2"), ==, 0);
  g_assert_cmpint (counts (f->store, batch).held, ==, 3);

  /* line-1's attempts bind its own places; line-2's the one it took */
  a1 = begin (f->store, batch, "line-1");
  a2 = begin (f->store, batch, "line-2");
  a3 = begin (f->store, batch, "line-1");
  g_assert_cmpint (sql_int (f->store, "SELECT count(*) FROM batch_places WHERE attempt_id IS NOT NULL"), ==, 3);
  g_assert_cmpint (sql_int (f->store, "SELECT count(*) FROM batch_places p JOIN attempts a ON a.id = p.attempt_id "
                                      "WHERE a.station = p.station"),
                   ==, 3);

  /* a fourth attempt finds no place: the database refuses it, whoever asks */
  g_assert_cmpint (cl_store_attempt_begin (f->store, batch, CL_ATTEMPT_PRODUCTION, "line-3", "Reader 0", 0, &error), ==,
                   0);
  g_assert_error (error, CL_ERROR, CL_ERROR_BATCH_FULL);
  g_clear_error (&error);
  g_assert_cmpint (sql_int (f->store, "SELECT count(*) FROM attempts WHERE station = 'line-3'"), ==, 0);

  /* a card never made gives its place back; a disposed one keeps it */
  end (f->store, a1, CL_DISPOSITION_OUTPUT);
  end (f->store, a2, CL_DISPOSITION_RETAINED);
  end (f->store, a3, CL_DISPOSITION_REJECT_BIN);
  g_assert_cmpint (counts (f->store, batch).held, ==, 2);
  g_assert_cmpint (counts (f->store, batch).disposed, ==, 2);
  g_assert_cmpint (take (f->store, batch, "line-2"), ==, 2);
  g_assert_cmpint (take (f->store, batch, "line-1"), ==, 0);

  /* a place taken for a card that was not fed goes back */
  g_assert_true (cl_store_place_give_back (f->store, batch, "line-2", &error));
  g_assert_no_error (error);
  g_assert_false (cl_store_place_give_back (f->store, batch, "line-2", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  end (f->store, begin (f->store, batch, "line-1"), CL_DISPOSITION_OUTPUT);
  g_assert_cmpint (counts (f->store, batch).disposed, ==, 3);
  g_assert_cmpint (take (f->store, batch, "line-2"), ==, 0);

  /* QA re-tests and attempts outside a batch take no place */
  end (f->store, cl_store_attempt_begin (f->store, batch, CL_ATTEMPT_QA_RETEST, "qa", "Reader 0", 0, &error),
       CL_DISPOSITION_RETAINED);
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_attempt_begin (f->store, 0, CL_ATTEMPT_PRODUCTION, "qa", "Reader 0", 0, &error), >, 0);
  g_assert_no_error (error);
}

static char *
place_insert (gint64 batch, gint64 quantity, gint64 place)
{
  return g_strdup_printf (
    "INSERT INTO batch_places (batch_id, quantity, place, station, taken) VALUES (%" G_GINT64_FORMAT
    ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 's', 1)",
    batch, quantity, place);
}

/* The rule is the schema's: whatever SQL a station sends, no place beyond the quantity, no place twice, no quantity
 * other than the batch's. */
static void
test_constraints (StoreFixture *f, gconstpointer data)
{
  gint64 batch = new_batch (f, "B-constraints", 2);
  /* beyond the quantity, place 0, a quantity other than the batch's, a place taken already */
  g_autofree char *over = place_insert (batch, 2, 3);
  g_autofree char *zero = place_insert (batch, 2, 0);
  g_autofree char *bigger = place_insert (batch, 9, 3);
  g_autofree char *twice = place_insert (batch, 2, 1);
  const char *refused[] = { over, zero, bigger, twice };

  hold_lease (f->store, "s");
  g_assert_cmpint (take (f->store, batch, "s"), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&f->store->lock);

      g_assert_false (cl_store_exec (f->store, refused[i], &error));
      g_test_message ("refused: %s", error->message);
      g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
    }
  g_assert_cmpint (counts (f->store, batch).held, ==, 1);
}

/* A station that starts again gives back the places it took and never used, and its open attempts' (RETAINED);
 * a dead station's unused place (its lease ended) goes to the next station that asks. */
static void
test_station_restart (StoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batch = new_batch (f, "B-restart", 3);

  hold_lease (f->store, "line-1");
  g_assert_cmpint (take (f->store, batch, "line-1"), ==, 1);
  g_assert_cmpint (take (f->store, batch, "line-1"), ==, 2);
  begin (f->store, batch, "line-1");
  g_assert_cmpint (counts (f->store, batch).held, ==, 2);
  g_assert_cmpint (cl_store_attempt_abandon_open (f->store, "line-1", &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (counts (f->store, batch).held, ==, 0);

  /* line-9 takes a place and dies without a lease that holds: line-2 takes it over once the others are gone */
  hold_lease (f->store, "line-2");
  g_assert_cmpint (take (f->store, batch, "line-9"), ==, 1);
  g_assert_cmpint (take (f->store, batch, "line-2"), ==, 2);
  g_assert_cmpint (take (f->store, batch, "line-2"), ==, 3);
  g_assert_cmpint (take (f->store, batch, "line-2"), ==, 1);
  g_assert_cmpint (sql_int (f->store, "SELECT count(*) FROM batch_places WHERE station = 'line-2'"), ==, 3);
}

/* Two connections (two stations) race for the places of one batch, each card ending OUTPUT, in the reject bin or
 * RETAINED (its place back) until the batch has its quantity of disposed cards: exactly that many, never more, and
 * the audit chain they both wrote verifies. */
#define RACE_QUANTITY 150

typedef struct
{
  ClStore *store;
  const char *station;
  gint64 batch;
  gint *waiting; /* both start together: the last place is raced for, not taken by whoever started first */
  guint disposed, retained, full;
} Racer;

static gpointer
race (gpointer data)
{
  Racer *r = data;

  g_atomic_int_dec_and_test (r->waiting);
  while (g_atomic_int_get (r->waiting) > 0)
    g_thread_yield ();

  for (guint i = 0;; i++)
    {
      g_autoptr (GError) error = NULL;
      ClPlaceCounts c = { 0 };
      gint64 place, attempt;
      ClDisposition d;

      place = cl_store_place_take (r->store, r->batch, r->station, &error);
      g_assert_no_error (error);
      if (place == 0)
        {
          g_assert_true (cl_store_place_count (r->store, r->batch, &c, &error));
          g_assert_no_error (error);
          g_assert_cmpint (c.disposed, <=, RACE_QUANTITY);
          if (c.disposed == RACE_QUANTITY)
            return NULL;
          r->full++;
          g_thread_yield ();
          continue;
        }
      g_assert_cmpint (place, <=, RACE_QUANTITY);
      attempt = cl_store_attempt_begin (r->store, r->batch, CL_ATTEMPT_PRODUCTION, r->station, "Reader 0", 0, &error);
      g_assert_no_error (error);
      /* the card in production: the other station takes places meanwhile (SQLite's busy wait would otherwise let
       * one connection take the lock back every time) */
      g_usleep (2000);
      d = i % 5 == 4 ? CL_DISPOSITION_RETAINED : i % 3 == 2 ? CL_DISPOSITION_REJECT_BIN : CL_DISPOSITION_OUTPUT;
      end (r->store, attempt, d);
      if (d == CL_DISPOSITION_RETAINED)
        r->retained++;
      else
        r->disposed++;
    }
}

static void
test_two_connections (StoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) other = cl_store_open (f->path, &error);
  gint64 batch = new_batch (f, "B-race", RACE_QUANTITY);
  gint waiting = 2;
  Racer a = { f->store, "rack-a", batch, &waiting, 0, 0, 0 }, b = { other, "rack-b", batch, &waiting, 0, 0, 0 };
  GThread *ta, *tb;
  guint64 records = 0;

  g_assert_no_error (error);
  hold_lease (f->store, "rack-a");
  hold_lease (other, "rack-b");
  ta = g_thread_new ("rack-a", race, &a);
  tb = g_thread_new ("rack-b", race, &b);
  g_thread_join (ta);
  g_thread_join (tb);
  g_test_message ("rack-a %u disposed %u retained, rack-b %u disposed %u retained; %u times no place", a.disposed,
                  a.retained, b.disposed, b.retained, a.full + b.full);

  g_assert_cmpuint (a.disposed + b.disposed, ==, RACE_QUANTITY);
  g_assert_cmpint (counts (other, batch).disposed, ==, RACE_QUANTITY);
  g_assert_cmpint (sql_int (f->store, "SELECT count(*) FROM batch_places"), ==, RACE_QUANTITY);
  g_assert_cmpint (sql_int (f->store, "SELECT max(place) FROM batch_places"), ==, RACE_QUANTITY);
  /* every disposed card holds its own place; no place is left to a RETAINED attempt */
  g_assert_cmpint (sql_int (f->store, "SELECT count(*) FROM batch_places p JOIN dispositions d ON d.attempt_id = "
                                      "p.attempt_id WHERE d.destination <> 'RETAINED'"),
                   ==, RACE_QUANTITY);
  g_assert_cmpint (sql_int (f->store, "SELECT count(*) FROM attempts a LEFT JOIN dispositions d ON d.attempt_id = a.id "
                                      "WHERE d.attempt_id IS NULL"),
                   ==, 0);
  g_assert_true (cl_store_verify_audit_chain (other, &records, &error));
  g_assert_no_error (error);
  /* each attempt's end is sealed into the chain, whichever connection wrote it */
  g_assert_cmpuint (records, >, RACE_QUANTITY + a.retained + b.retained);
  g_assert_cmpint (sql_int (f->store, "SELECT appends FROM audit_head"), ==, (gint64)records);
}

/* A store from before places (schema version 10) gets them on its next open: the disposed attempts of each batch hold
 * places 1.., the earliest first; an open attempt one after them; a RETAINED one none. SQLite only: it sets the file's
 * user_version back. */
static void
test_migration (StoreFixture *f, gconstpointer data)
{
  gint64 batch = new_batch (f, "B-migrated", 4);
  gint64 good = begin (f->store, batch, "line-1"), retained = begin (f->store, batch, "line-1");
  gint64 rejected = begin (f->store, batch, "line-1"), open = begin (f->store, batch, "line-1");
  g_autofree char *message = NULL;
  g_autofree char *where = NULL;

  end (f->store, good, CL_DISPOSITION_OUTPUT);
  end (f->store, retained, CL_DISPOSITION_RETAINED);
  end (f->store, rejected, CL_DISPOSITION_REJECT_BIN);
  g_clear_object (&f->store);
  g_assert_true (store_fixture_raw_exec (
    f, "BEGIN; DELETE FROM batch_places; DROP TABLE audit_head; PRAGMA user_version = 10; COMMIT", &message));
  g_assert_cmpint (store_fixture_raw_int (f, "SELECT count(*) FROM batch_places"), ==, 0);

  f->store = cl_store_open (f->path, NULL);
  g_assert_nonnull (f->store);
  g_assert_cmpint (sql_int (f->store, "SELECT count(*) FROM batch_places"), ==, 3);
  where = g_strdup_printf ("SELECT place FROM batch_places WHERE attempt_id = %" G_GINT64_FORMAT, good);
  g_assert_cmpint (sql_int (f->store, where), ==, 1);
  g_free (where);
  where = g_strdup_printf ("SELECT place FROM batch_places WHERE attempt_id = %" G_GINT64_FORMAT, rejected);
  g_assert_cmpint (sql_int (f->store, where), ==, 2);
  g_free (where);
  where = g_strdup_printf ("SELECT place FROM batch_places WHERE attempt_id = %" G_GINT64_FORMAT, open);
  g_assert_cmpint (sql_int (f->store, where), ==, 3);
  g_assert_cmpint (sql_int (f->store, "SELECT count(*) FROM audit_head"), ==, 1);
  /* one place is left */
  hold_lease (f->store, "line-2");
  g_assert_cmpint (take (f->store, batch, "line-2"), ==, 4);
  g_assert_cmpint (take (f->store, batch, "line-2"), ==, 0);
}

/* A production service's attempts (chips admitted through a production URL) hold places as a station's do, so a
 * batch shared by local stations and the service ends at its quantity: the place the service took binds, a second
 * admitted attempt beyond the quantity is refused, and a RETAINED end gives the place back. */
static void
test_admitted (StoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batch = new_batch (f, "B-remote", 2);
  gint64 local, remote;

  hold_lease (f->store, "line-1");
  hold_lease (f->store, "service");
  g_assert_cmpint (take (f->store, batch, "line-1"), ==, 1);
  local = begin (f->store, batch, "line-1");
  g_assert_cmpint (take (f->store, batch, "service"), ==, 2);
  remote = cl_store_attempt_begin_admitted (f->store, batch, "service", "remote session 1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (remote, >, 0);
  g_assert_cmpint (sql_int (f->store, "SELECT count(*) FROM batch_places p JOIN attempts a ON a.id = p.attempt_id "
                                      "WHERE a.station = 'service'"),
                   ==, 1);
  g_assert_cmpint (cl_store_attempt_begin_admitted (f->store, batch, "service", "remote session 2", 0, &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_BATCH_FULL);
  g_clear_error (&error);
  g_assert_cmpint (take (f->store, batch, "service"), ==, 0);

  end (f->store, remote, CL_DISPOSITION_RETAINED);
  end (f->store, local, CL_DISPOSITION_OUTPUT);
  g_assert_cmpint (counts (f->store, batch).held, ==, 1);
  /* the service's next card takes the place back itself when it took none before */
  end (f->store, cl_store_attempt_begin_admitted (f->store, batch, "service", "remote session 1", 0, &error),
       CL_DISPOSITION_OUTPUT);
  g_assert_no_error (error);
  g_assert_cmpint (counts (f->store, batch).disposed, ==, 2);
  g_assert_cmpint (take (f->store, batch, "line-1"), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn)                                                                                                  \
  g_test_add ("/store/place/" path, StoreFixture, NULL, store_fixture_setup, fn, store_fixture_teardown)
  ADD ("take-bind-give-back", test_take_bind_give_back);
  ADD ("constraints", test_constraints);
  ADD ("admitted", test_admitted);
  ADD ("station-restart", test_station_restart);
  ADD ("two-connections", test_two_connections);
  if (!store_fixture_is_postgresql ())
    ADD ("migration", test_migration);
  return g_test_run ();
}
