/* PostgreSQL's side of the fleet watch (issue 18 item 4), on the rig's server (rig-run --parts pg): schema version 10
 * NOTIFYs CL_STORE_FLEET_CHANNEL with the station's name when its revision is written and not on a heartbeat; the
 * listener (cl-sql-listen.h) receives it on its own connection, wakes on its wake fd, and reports a server that
 * went away as an error so that the watch opens another. */
#include <glib-unix.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "store/cl-sql-listen.h"
#include "store/cl-sql.h"
#include "store/cl-store-fleet.h"
#include "store/cl-store-schema-pg.h"
#include "store-fixture.h"

#define WAIT_MS 20000

static const char *
uri (void)
{
  const char *value = g_getenv ("CARDLINE_TEST_PG_URI");

  if (value == NULL)
    g_error ("CARDLINE_TEST_PG_URI is not set: run under tests/rig/rig-run --parts pg");
  return value;
}

static ClSql *
fresh_store (void)
{
  g_autoptr (GError) error = NULL;
  ClSql *sql = cl_sql_open_postgresql (uri (), &error);

  g_assert_no_error (error);
  g_assert_true (cl_sql_exec (sql, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &error));
  g_assert_true (cl_store_pg_migrate (sql, &error));
  g_assert_no_error (error);
  return sql;
}

static void
exec_one (ClSql *sql, const char *query, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, query, &error);

  g_assert_no_error (error);
  cl_sql_bind_text (stmt, 1, name);
  g_assert_true (cl_sql_step_done (stmt, &error));
  g_assert_no_error (error);
}

static void
add_station (ClSql *sql, const char *name)
{
  exec_one (sql,
            "INSERT INTO fleet_stations (name, host, pid, process, feeder, version, state, good, rejected, "
            "counting_since, last_card, registered, updated, heartbeat, lease_us, revision) "
            "VALUES (?, 'h', 1, '1.1', 'RACK', 'v', 'RUNNING', 0, 0, 0, 0, 1, 1, 1, 15000000, 1)",
            name);
}

/* The next payload, waited for up to WAIT_MS. */
static char *
next_payload (ClSqlListener *listener, int wake_fd)
{
  g_autoptr (GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64)WAIT_MS * 1000;

  while (payloads->len == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_true (cl_sql_listener_wait (listener, wake_fd, WAIT_MS, payloads, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (payloads->len, ==, 1);
  return g_strdup (g_ptr_array_index (payloads, 0));
}

static void
test_notify (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSql) sql = fresh_store ();
  g_autoptr (ClSqlListener) listener = cl_sql_listener_open (uri (), CL_STORE_FLEET_CHANNEL, &error);

  g_assert_no_error (error);
  add_station (sql, "rack-n");
  {
    g_autofree char *payload = next_payload (listener, -1);

    g_assert_cmpstr (payload, ==, "rack-n");
  }
  /* a heartbeat of rack-n tells nobody; the state change of rack-m after it is the next notice */
  add_station (sql, "rack-m");
  {
    g_autofree char *payload = next_payload (listener, -1);

    g_assert_cmpstr (payload, ==, "rack-m");
  }
  exec_one (sql, "UPDATE fleet_stations SET heartbeat = heartbeat + 1 WHERE name = ?", "rack-n");
  exec_one (sql, "UPDATE fleet_stations SET state = 'PAUSED', revision = revision + 1 WHERE name = ?", "rack-m");
  {
    g_autofree char *payload = next_payload (listener, -1);

    g_assert_cmpstr (payload, ==, "rack-m");
  }
  /* a rolled back change tells nobody either */
  g_assert_true (cl_sql_exec (sql, "BEGIN", &error));
  exec_one (sql, "UPDATE fleet_stations SET revision = revision + 1 WHERE name = ?", "rack-n");
  g_assert_true (cl_sql_exec (sql, "ROLLBACK", &error));
  exec_one (sql, "UPDATE fleet_stations SET revision = revision + 1 WHERE name = ?", "rack-m");
  {
    g_autofree char *payload = next_payload (listener, -1);

    g_assert_cmpstr (payload, ==, "rack-m");
  }
}

static void
test_wake (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSql) G_GNUC_UNUSED sql = fresh_store ();
  g_autoptr (ClSqlListener) listener = cl_sql_listener_open (uri (), CL_STORE_FLEET_CHANNEL, &error);
  g_autoptr (GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  int wake[2];

  g_assert_no_error (error);
  g_assert_true (g_unix_open_pipe (wake, FD_CLOEXEC, &error));
  g_assert_cmpint (write (wake[1], "x", 1), ==, 1);
  /* no time limit: only the wake fd can end this wait */
  g_assert_true (cl_sql_listener_wait (listener, wake[0], -1, payloads, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (payloads->len, ==, 0);
  close (wake[0]);
  close (wake[1]);
}

/* The server stops: the wait fails (the watch then opens another listener); after the restart a new one works. */
static void
test_server_restart (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClSqlListener) listener = NULL;
  g_autoptr (GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  gint64 deadline = g_get_monotonic_time () + (gint64)WAIT_MS * 1000;

  {
    g_autoptr (ClSql) G_GNUC_UNUSED sql = fresh_store ();
  }
  listener = cl_sql_listener_open (uri (), CL_STORE_FLEET_CHANNEL, &error);
  g_assert_no_error (error);
  store_fixture_rig_pg ("pg-stop");
  while (cl_sql_listener_wait (listener, -1, WAIT_MS, payloads, &error))
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_clear_error (&error);
  g_assert_null (cl_sql_listener_open (uri (), CL_STORE_FLEET_CHANNEL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_STORE);
  g_clear_error (&error);
  store_fixture_rig_pg ("pg-start");
  g_clear_pointer (&listener, cl_sql_listener_close);
  listener = cl_sql_listener_open (uri (), CL_STORE_FLEET_CHANNEL, &error);
  g_assert_no_error (error);
  {
    g_autoptr (ClSql) sql = cl_sql_open_postgresql (uri (), &error);
    g_autofree char *payload = NULL;

    g_assert_no_error (error);
    add_station (sql, "rack-r");
    payload = next_payload (listener, -1);
    g_assert_cmpstr (payload, ==, "rack-r");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/fleet-notify/notify", test_notify);
  g_test_add_func ("/store/fleet-notify/wake", test_wake);
  g_test_add_func ("/store/fleet-notify/server-restart", test_server_restart);
  return g_test_run ();
}
