/* Stations as records (issue 18 item 3): a station registers and publishes its state, beats from its lease's thread,
 * is found lost when it stops beating (or its process of this host is gone), and a lost station's open attempts are
 * closed and its claims expired by another process, audited; the watch reports changes. Run on SQLite, and on the
 * rig's PostgreSQL (meson test store-fleet-pg, store-fixture.h). Other processes are real ones (fork). */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "store/cl-sql.h"
#include "store/cl-station-lease.h"
#include "store/cl-store-claim.h"
#include "store/cl-store-fleet.h"
#include "store/cl-store-station.h"
#include "store/cl-store-watch.h"
#include "station-child.h"
#include "store-fixture.h"

#define MINUTE  ((gint64)60 * G_USEC_PER_SEC)
#define WAIT_US ((gint64)20 * G_USEC_PER_SEC)

typedef StoreFixture Fixture;
#define fixture_setup    store_fixture_setup
#define fixture_teardown store_fixture_teardown

/* One number, read with a connection of its own as another process would. */
static gint64
raw_int (Fixture *f, gconstpointer data, const char *query)
{
  return store_fixture_raw_int (f, query);
}

static void
register_station (ClStore *store, const char *name, gint64 lease_us)
{
  const char *readers[] = { "Reader 0", "Reader 1", NULL };
  ClFleetRegistration reg = { name, CL_FLEET_FEEDER_RACK, readers, NULL, NULL, lease_us };
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_store_fleet_register (store, &reg, &error));
  g_assert_no_error (error);
}

static void
test_register_list (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) stations = NULL;
  const ClFleetStation *s;
  ClFleetRegistration printer
    = { "printer-1", CL_FLEET_FEEDER_PRINTER, NULL, "ipp://localhost:8631/ipp/print", "9.9", 0 };

  register_station (f->store, "rack-1", MINUTE);
  g_assert_true (cl_store_fleet_register (f->store, &printer, &error));
  g_assert_no_error (error);
  stations = cl_store_fleet_list (f->store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stations->len, ==, 2);
  s = g_ptr_array_index (stations, 1);
  g_assert_cmpstr (s->name, ==, "rack-1");
  g_assert_cmpint (s->feeder, ==, CL_FLEET_FEEDER_RACK);
  g_assert_cmpstr (s->host, ==, g_get_host_name ());
  g_assert_cmpint (s->pid, ==, getpid ());
  g_assert_cmpint (s->state, ==, CL_FLEET_RUNNING);
  g_assert_null (s->instruction);
  g_assert_false (s->lost);
  g_assert_cmpint (s->lease_us, ==, MINUTE);
  g_assert_cmpuint (s->readers->len, ==, 2);
  g_assert_cmpstr (((ClFleetReader *)g_ptr_array_index (s->readers, 1))->reader, ==, "Reader 1");
  g_assert_false (((ClFleetReader *)g_ptr_array_index (s->readers, 1))->card_present);
  g_assert_cmpfloat (cl_fleet_station_yield (s), <, 0);
  s = g_ptr_array_index (stations, 0);
  g_assert_cmpstr (s->name, ==, "printer-1");
  g_assert_cmpint (s->feeder, ==, CL_FLEET_FEEDER_PRINTER);
  g_assert_cmpstr (s->printer, ==, "ipp://localhost:8631/ipp/print");
  g_assert_cmpstr (s->version, ==, "9.9");
  g_assert_cmpint (s->lease_us, ==, CL_STATION_LEASE_US);
  g_assert_cmpuint (s->readers->len, ==, 0);
  /* lost once its lease has passed without a heartbeat, at the reader's clock */
  {
    g_autoptr (ClFleetStation) later = cl_store_fleet_get (f->store, "rack-1", s->heartbeat + MINUTE + 1, &error);

    g_assert_no_error (error);
    g_assert_true (later->lost);
  }
  g_assert_null (cl_store_fleet_get (f->store, "nowhere", 0, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
}

static void
test_publish (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClFleetStation) s = NULL;
  ClFleetLive live = { CL_FLEET_FAULT, "Reader 1 is gone: plug it back in.", 9, 1, 1000000, 1000000 + 9 * MINUTE / 9 };
  ClFleetReader readers[] = {
    { (char *)"Reader 1", (char *)"0A1B", CL_STEP_CERTIFY, TRUE },
    { (char *)"Reader 7", NULL, -1, FALSE },
  };
  gint64 revision;

  register_station (f->store, "rack-1", MINUTE);
  revision = raw_int (f, data, "SELECT revision FROM fleet_stations");
  g_assert_true (cl_store_fleet_publish (f->store, "rack-1", &live, readers, G_N_ELEMENTS (readers), &error));
  g_assert_no_error (error);
  s = cl_store_fleet_get (f->store, "rack-1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (s->revision, ==, revision + 1);
  g_assert_cmpint (s->state, ==, CL_FLEET_FAULT);
  g_assert_cmpstr (s->instruction, ==, "Reader 1 is gone: plug it back in.");
  g_assert_cmpint (s->good, ==, 9);
  g_assert_cmpint (s->rejected, ==, 1);
  g_assert_cmpfloat_with_epsilon (cl_fleet_station_yield (s), 0.9, 1e-9);
  /* 10 cards over 1 min: 9 intervals */
  g_assert_cmpfloat_with_epsilon (cl_fleet_station_throughput (s), 9.0, 1e-9);
  g_assert_cmpuint (s->readers->len, ==, 3);
  {
    const ClFleetReader *r1 = g_ptr_array_index (s->readers, 1);
    const ClFleetReader *r7 = g_ptr_array_index (s->readers, 2);

    g_assert_cmpstr (r1->chip_id, ==, "0A1B");
    g_assert_cmpint (r1->step, ==, CL_STEP_CERTIFY);
    g_assert_true (r1->card_present);
    g_assert_cmpstr (r7->reader, ==, "Reader 7");
    g_assert_null (r7->chip_id);
    g_assert_cmpint (r7->step, ==, -1);
  }
  /* a fault needs its instruction; states outside the store's are refused */
  live.instruction = NULL;
  g_assert_false (cl_store_fleet_set_live (f->store, "rack-1", &live, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* running clears the instruction */
  live.state = CL_FLEET_RUNNING;
  g_assert_true (cl_store_fleet_set_live (f->store, "rack-1", &live, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, data, "SELECT count(*) FROM fleet_stations WHERE instruction IS NULL"), ==, 1);
  g_assert_false (cl_store_fleet_set_live (f->store, "nowhere", &live, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
}

static pid_t
spawn_station (Fixture *f, const char *name, gint64 lease_us)
{
  StationChild child = { f->path, name, lease_us, TRUE, "0C" };

  return station_child_spawn (&child);
}

/* Killed: lost at once (its process of this host is gone); another process closes its attempt and expires its
 * claim, once; the lease is taken from it. */
static void
test_recover_killed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClFleetStation) s = NULL;
  pid_t child = spawn_station (f, "rack-k", MINUTE);

  /* alive: nothing is taken from it */
  g_assert_cmpint (cl_store_fleet_recover_lost (f->store, "rack-k", "admin", &error), ==, -1);
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_clear_error (&error);
  station_child_kill (child);
  s = cl_store_fleet_get (f->store, "rack-k", 0, &error);
  g_assert_no_error (error);
  g_assert_true (s->lost);
  g_assert_cmpint (cl_store_fleet_recover_all_lost (f->store, "admin", &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, data, "SELECT count(*) FROM attempts WHERE station = 'rack-k' AND ended IS NULL"), ==,
                   0);
  g_assert_cmpint (raw_int (f, data,
                            "SELECT count(*) FROM dispositions d JOIN attempts a ON a.id = d.attempt_id "
                            "WHERE a.station = 'rack-k' AND d.destination = 'RETAINED'"),
                   ==, 1);
  g_assert_cmpint (raw_int (f, data, "SELECT count(*) FROM chip_claims"), ==, 0);
  g_assert_cmpint (raw_int (f, data,
                            "SELECT count(*) FROM audit WHERE action = 'station-recovered' AND actor = 'admin' "
                            "AND subject = 'rack-k'"),
                   ==, 1);
  g_assert_cmpint (raw_int (f, data, "SELECT count(*) FROM audit WHERE action = 'attempt-abandoned'"), ==, 1);
  g_assert_cmpint (raw_int (f, data, "SELECT count(*) FROM stations WHERE name = 'rack-k' AND pid = 0"), ==, 1);
  {
    g_autoptr (ClFleetStation) after = cl_store_fleet_get (f->store, "rack-k", 0, &error);

    g_assert_true (after->lost);
    g_assert_cmpint (after->recovered, >, 0);
    g_assert_cmpstr (after->recovered_by, ==, "admin");
    g_assert_cmpint (after->revision, ==, s->revision + 1);
  }
  /* once */
  g_assert_cmpint (cl_store_fleet_recover_lost (f->store, "rack-k", "admin", &error), ==, 0);
  g_assert_no_error (error);
  /* the station's name is free: a new process takes it over and registers afresh */
  g_assert_true (cl_store_station_acquire (f->store, "rack-k", MINUTE, &error));
  g_assert_no_error (error);
  register_station (f->store, "rack-k", MINUTE);
  {
    g_autoptr (ClFleetStation) again = cl_store_fleet_get (f->store, "rack-k", 0, &error);

    g_assert_false (again->lost);
    g_assert_cmpint (again->recovered, ==, 0);
  }
}

/* A station whose lease ran out without a heartbeat (hung, or cut off) is lost; once recovered, its process cannot
 * beat or publish any more and its lease renewal tells it to stop producing. A stopped station is never lost. */
static void
test_lost_by_lease (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const gint64 lease = 20 * 1000; /* 20 ms */
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  ClFleetLive live = { CL_FLEET_PAUSED, NULL, 0, 0, 0, 0 };

  g_assert_true (cl_store_station_acquire (f->store, "rack-h", lease, &error));
  register_station (f->store, "rack-h", lease);
  g_assert_true (cl_store_fleet_heartbeat (f->store, "rack-h", &error));
  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr (ClFleetStation) s = cl_store_fleet_get (f->store, "rack-h", 0, &error);

      g_assert_no_error (error);
      if (s->lost)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (lease / 4);
    }
  g_assert_cmpint (cl_store_fleet_recover_lost (f->store, "rack-h", "rack-other", &error), ==, 0);
  g_assert_no_error (error);
  g_assert_false (cl_store_fleet_heartbeat (f->store, "rack-h", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_clear_error (&error);
  g_assert_false (cl_store_fleet_set_live (f->store, "rack-h", &live, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_clear_error (&error);
  g_assert_false (cl_store_station_renew (f->store, "rack-h", lease, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_clear_error (&error);

  register_station (f->store, "rack-s", lease);
  live.state = CL_FLEET_STOPPED;
  g_assert_true (cl_store_fleet_set_live (f->store, "rack-s", &live, &error));
  {
    g_autoptr (ClFleetStation) s = cl_store_fleet_get (f->store, "rack-s", g_get_real_time () + MINUTE, &error);

    g_assert_false (s->lost);
  }
}

/* Another process cannot beat for a station this one registered. */
static void
test_heartbeat_owner (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr (ClStore) store = cl_store_open (g_getenv ("CL_TEST_FLEET_STORE"), &error);

      g_assert_no_error (error);
      g_assert_false (cl_store_fleet_heartbeat (store, "rack-1", &error));
      g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
      g_printerr ("%s\n", error->message);
      return;
    }
  register_station (f->store, "rack-1", MINUTE);
  g_assert_false (cl_store_fleet_heartbeat (f->store, "rack-9", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_setenv ("CL_TEST_FLEET_STORE", f->path, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*registered by host * process *, not this process*");
}

/* ClStationLease beats from its own thread once the station is registered. */
static void
test_lease_beats (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStationLease) G_GNUC_UNUSED lease = cl_station_lease_new (f->store, "rack-b", 30 * 1000, &error);
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  g_autoptr (ClFleetStation) first = NULL;

  g_assert_no_error (error);
  register_station (f->store, "rack-b", 30 * 1000);
  first = cl_store_fleet_get (f->store, "rack-b", 0, &error);
  for (;;)
    {
      g_autoptr (ClFleetStation) s = cl_store_fleet_get (f->store, "rack-b", 0, &error);

      g_assert_no_error (error);
      if (s->heartbeat > first->heartbeat)
        {
          /* a heartbeat is not a state change: the watch is not told */
          g_assert_cmpint (s->revision, ==, first->revision);
          break;
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
}

static void
on_changed (ClStoreWatch *watch, const char *station, gpointer data)
{
  g_async_queue_push (data, g_strdup (station != NULL ? station : "*"));
}

/* The next notice, waited for up to WAIT_US. */
static char *
next_notice (GAsyncQueue *queue)
{
  char *notice = g_async_queue_timeout_pop (queue, WAIT_US);

  g_assert_nonnull (notice);
  return notice;
}

static void
test_watch (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncQueue) queue = g_async_queue_new_full (g_free);
  g_autoptr (ClStoreWatch) watch = cl_store_watch_new (f->store);
  ClFleetLive live = { CL_FLEET_FAULT, "Feed cards.", 1, 0, 1, 1 };

  register_station (f->store, "rack-w", MINUTE);
  g_signal_connect (watch, "station-changed", G_CALLBACK (on_changed), queue);
  cl_store_watch_start (watch);
  {
    g_autofree char *first = next_notice (queue);

    g_assert_cmpstr (first, ==, "*");
  }
  /* from another connection (this process's store) and from another process */
  g_assert_true (cl_store_fleet_set_live (f->store, "rack-w", &live, &error));
  g_assert_no_error (error);
  {
    g_autofree char *changed = next_notice (queue);

    g_assert_cmpstr (changed, ==, "rack-w");
  }
  /* a heartbeat alone is no notice; the next state change is */
  g_assert_true (cl_store_fleet_heartbeat (f->store, "rack-w", &error));
  register_station (f->store, "rack-x", MINUTE);
  {
    g_autofree char *changed = next_notice (queue);

    g_assert_cmpstr (changed, ==, "rack-x");
  }
  {
    pid_t child = spawn_station (f, "rack-y", MINUTE);
    g_autofree char *changed = next_notice (queue);

    g_assert_cmpstr (changed, ==, "rack-y");
    station_child_kill (child);
  }
  g_clear_object (&watch);
  g_assert_cmpint (g_async_queue_length (queue), ==, 0);
}

int
main (int argc, char **argv)
{
  gconstpointer backend = NULL;

  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/store/fleet/" path, Fixture, backend, fixture_setup, fn, fixture_teardown)
  ADD ("register-list", test_register_list);
  ADD ("publish", test_publish);
  ADD ("recover-killed", test_recover_killed);
  ADD ("lost-by-lease", test_lost_by_lease);
  ADD ("heartbeat-owner", test_heartbeat_owner);
  ADD ("lease-beats", test_lease_beats);
  ADD ("watch", test_watch);
  return g_test_run ();
}
