/* One process per station identity (issue 19): a second process with a live station's name is refused, naming
 * the first one's host and pid; stations with different names on one store leave each other's open attempts and
 * claims alone; a SIGKILLed station's lease is taken over once it has ended, and its open attempts are closed by
 * the killed-station rule. Other processes are real ones (fork, or the test binary run again). */
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "store/cl-station-lease.h"
#include "store/cl-store-claim.h"
#include "store/cl-store-station.h"
#include "station-child.h"
#include "store-fixture.h"

#define MINUTE ((gint64)60 * G_USEC_PER_SEC)

typedef StoreFixture Fixture;
#define fixture_setup    store_fixture_setup
#define fixture_teardown store_fixture_teardown
#define raw_int          store_fixture_raw_int

/* The store path shared with the subprocess run of the same test. */
static const char *
shared_path (Fixture *f)
{
  if (g_test_subprocess ())
    return g_getenv ("CL_TEST_STATION_STORE");
  g_setenv ("CL_TEST_STATION_STORE", f->path, TRUE);
  return f->path;
}

static void
test_same_identity (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr (ClStore) store = cl_store_open (shared_path (f), &error);

      g_assert_no_error (error);
      g_assert_false (cl_store_station_acquire (store, "line-A", MINUTE, &error));
      g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
      g_printerr ("%s\n", error->message);
      return;
    }
  shared_path (f);
  g_assert_true (cl_store_station_acquire (f->store, "line-A", MINUTE, &error));
  g_assert_no_error (error);
  /* this process again: a renewal, not a refusal */
  g_assert_true (cl_store_station_acquire (f->store, "line-A", MINUTE, &error));
  g_assert_no_error (error);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT);
  g_test_trap_assert_passed ();
  {
    g_autofree char *pattern
      = g_strdup_printf ("*Station *line-A* is already running on host %s as process %d (its lease holds*",
                         g_get_host_name (), (int)getpid ());

    g_test_trap_assert_stderr (pattern);
  }
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM stations"), ==, 1);
}

/* Two stations with a live card each, in two processes: each one's start leaves the other's attempt and claim. */
static void
test_two_identities (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr (ClStore) store = cl_store_open (shared_path (f), &error);
      g_autofree char *owner = cl_store_chip_owner ("line-B", "Reader 0");
      gint64 id;

      g_assert_no_error (error);
      g_assert_true (cl_store_station_acquire (store, "line-B", MINUTE, &error));
      g_assert_cmpint (cl_store_attempt_abandon_open (store, "line-B", &error), ==, 0);
      id = cl_store_attempt_begin (store, 0, CL_ATTEMPT_PRODUCTION, "line-B", "Reader 0", 0, &error);
      g_assert_true (cl_store_chip_claim (store, "0B", owner, id, MINUTE, &error));
      g_assert_no_error (error);
      return;
    }
  shared_path (f);
  {
    g_autofree char *owner = cl_store_chip_owner ("line-A", "Reader 0");
    gint64 id;

    g_assert_true (cl_store_station_acquire (f->store, "line-A", MINUTE, &error));
    g_assert_cmpint (cl_store_attempt_abandon_open (f->store, "line-A", &error), ==, 0);
    id = cl_store_attempt_begin (f->store, 0, CL_ATTEMPT_PRODUCTION, "line-A", "Reader 0", 0, &error);
    g_assert_true (cl_store_chip_claim (f->store, "0A", owner, id, MINUTE, &error));
    g_assert_no_error (error);
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  /* line-B started (and ended no attempt of line-A's); line-A starting again ends none of line-B's */
  g_assert_cmpint (cl_store_attempt_abandon_open (f->store, "line-A", &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM attempts WHERE station = 'line-B' AND ended IS NULL"), ==, 1);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM chip_claims WHERE chip_id = '0B' AND owner LIKE 'line-B/%'"), ==,
                   1);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM audit WHERE action = 'attempt-abandoned' AND actor = 'line-B'"),
                   ==, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM stations"), ==, 2);
}

/* A child holding name with a live card in production; returns its pid once it holds them. */
static pid_t
spawn_holder (Fixture *f, const char *name, gint64 lease)
{
  StationChild child = { f->path, name, lease, FALSE, NULL };

  return station_child_spawn (&child);
}

static void
assert_taken_over (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *takeovers
    = g_strdup_printf ("SELECT count(*) FROM audit WHERE action = 'station-takeover' AND subject = '%s'", name);
  g_autofree char *pid = g_strdup_printf ("SELECT pid FROM stations WHERE name = '%s'", name);
  g_autofree char *retained = g_strdup_printf ("SELECT count(*) FROM attempts a JOIN dispositions d ON "
                                               "d.attempt_id = a.id WHERE a.station = '%s' AND d.destination = "
                                               "'RETAINED'",
                                               name);

  g_assert_cmpint (raw_int (f, takeovers), ==, 1);
  g_assert_cmpint (raw_int (f, pid), ==, getpid ());
  /* and the killed station's open attempt gets its one disposition, RETAINED */
  g_assert_cmpint (cl_store_attempt_abandon_open (f->store, name, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, retained), ==, 1);
}

/* SIGKILLed, not yet reaped (its pid still exists, as a process hung or on another host would look): the lease
 * decides. Refused until it ends, taken over after. */
static void
test_killed_owner_lease (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const gint64 lease = 500 * 1000;
  pid_t child = spawn_holder (f, "line-K", lease);
  gint64 lease_until, deadline;

  g_assert_false (cl_store_station_acquire (f->store, "line-K", lease, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_clear_error (&error);
  g_assert_cmpint (kill (child, SIGKILL), ==, 0);
  /* the dead owner's lease holds until it ends: wait for that instant, read from the store */
  lease_until = raw_int (f, "SELECT lease_until FROM stations WHERE name = 'line-K'");
  g_assert_false (cl_store_station_acquire (f->store, "line-K", lease, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_clear_error (&error);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_real_time () <= lease_until)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (MAX (lease_until - g_get_real_time () + 1000, 1000));
    }
  g_assert_true (cl_store_station_acquire (f->store, "line-K", MINUTE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (waitpid (child, NULL, 0), ==, child);
  assert_taken_over (f, "line-K");
}

/* SIGKILLed and gone, on this host: a restarted station takes over at once, its lease notwithstanding. */
static void
test_killed_owner_restart (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  pid_t child = spawn_holder (f, "line-R", MINUTE);

  station_child_kill (child);
  g_assert_true (cl_store_station_acquire (f->store, "line-R", MINUTE, &error));
  g_assert_no_error (error);
  assert_taken_over (f, "line-R");
}

/* The lease object renews from its own thread, and gives the name up when dropped. */
static void
test_heartbeat (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const gint64 lease = 300 * 1000;
  ClStationLease *held = cl_station_lease_new (f->store, "line-H", lease, &error);
  gint64 first, deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  first = raw_int (f, "SELECT lease_until FROM stations WHERE name = 'line-H'");
  /* wait for the first renewal (keyed on the row changing) and then past the first lease's end */
  while (raw_int (f, "SELECT lease_until FROM stations WHERE name = 'line-H'") == first || g_get_real_time () <= first)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
  g_assert_true (cl_station_lease_is_held (held));
  g_assert_cmpint (raw_int (f, "SELECT lease_until FROM stations WHERE name = 'line-H'"), >, first);
  g_object_unref (held);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM stations WHERE name = 'line-H'"), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/store/station/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("same-identity-refused", test_same_identity);
  ADD ("two-identities", test_two_identities);
  ADD ("killed-owner-lease-ends", test_killed_owner_lease);
  ADD ("killed-owner-restart", test_killed_owner_restart);
  ADD ("heartbeat", test_heartbeat);
#undef ADD
  return g_test_run ();
}
