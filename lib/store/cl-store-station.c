/* cl-store-station.c: station identity leases (cl-store-station.h). */
#include "store/cl-store-station.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "store/cl-store-private.h"

const char *
cl_station_identity (const char *given)
{
  const char *env = g_getenv ("CARDLINE_STATION");

  if (given != NULL && *given != '\0')
    return given;
  if (env != NULL && *env != '\0')
    return env;
  return g_get_host_name ();
}

typedef struct
{
  char *host;
  gint64 pid;
  char *process;
  gint64 lease_until;
} Holder;

static void
holder_clear (Holder *holder)
{
  g_clear_pointer (&holder->host, g_free);
  g_clear_pointer (&holder->process, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Holder, holder_clear)

static gboolean
read_holder (ClStore *self, const char *station, Holder *holder, gboolean *found, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self, "SELECT host, pid, process, lease_until FROM stations WHERE name = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, station);
  rc = cl_sql_step (stmt, error);
  if (rc != CL_SQL_STEP_ROW && rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the station's lease");
      return FALSE;
    }
  *found = rc == CL_SQL_STEP_ROW;
  if (*found)
    {
      holder->host = cl_store_column_dup_text (stmt, 0);
      holder->pid = cl_sql_column_int64 (stmt, 1);
      holder->process = cl_store_column_dup_text (stmt, 2);
      holder->lease_until = cl_sql_column_int64 (stmt, 3);
    }
  return TRUE;
}

/* A holder on this host whose process no longer exists (killed, crashed) holds nothing: a station restarted after
 * a crash takes over at once instead of waiting for the lease. A pid reused by another process still looks alive,
 * and then the lease decides. */
static gboolean
holder_is_gone (const Holder *held)
{
  return g_str_equal (held->host, g_get_host_name ()) && held->pid > 0 && held->pid <= G_MAXINT
         && kill ((pid_t)held->pid, 0) != 0 && errno == ESRCH;
}

static gboolean
check_args (const char *station, gint64 lease_us, GError **error)
{
  if (!cl_store_check_name ("Station name", station, error))
    return FALSE;
  if (lease_us < 1000 || lease_us > (gint64)3600 * G_USEC_PER_SEC)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "A station's lease must be 1 ms to 1 h, not %" G_GINT64_FORMAT " µs", lease_us);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_store_station_acquire (ClStore *self, const char *station, gint64 lease_us, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *process = cl_store_process_id ();
  g_auto (Holder) held = { NULL, 0, NULL, 0 };
  gboolean found = FALSE;
  gint64 now;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!check_args (station, lease_us, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  /* BEGIN IMMEDIATE: of two processes starting as one station, the second reads after the first committed */
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  now = g_get_real_time ();
  if (!read_holder (self, station, &held, &found, error))
    return FALSE;
  if (found && !g_str_equal (held.process, process))
    {
      gboolean gone = holder_is_gone (&held);

      if (held.lease_until > now && !gone)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_CLAIMED,
                       "Station “%s” is already running on host %s as process %" G_GINT64_FORMAT
                       " (its lease holds for %" G_GINT64_FORMAT
                       " s more): stop that process first, or start this one with another --station name",
                       station, held.host, held.pid, (held.lease_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
          return FALSE;
        }
      {
        g_autofree char *detail
          = gone ? g_strdup_printf ("process %" G_GINT64_FORMAT " of this host %s is gone; taken over by process %d",
                                    held.pid, held.host, (int)getpid ())
                 : g_strdup_printf ("lease of host %s process %" G_GINT64_FORMAT " ended %" G_GINT64_FORMAT
                                    " ms ago; taken over by host %s process %d",
                                    held.host, held.pid, (now - held.lease_until) / 1000, g_get_host_name (),
                                    (int)getpid ());

        if (cl_store_audit_append_locked (self, station, "station-takeover", station, detail, error) <= 0)
          return FALSE;
      }
    }
  stmt = cl_store_prepare (self,
                           "INSERT INTO stations (name, host, pid, process, acquired, lease_until) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET host = ?, pid = ?, "
                           "process = ?, acquired = CASE WHEN stations.process = ? THEN stations.acquired ELSE ? END, "
                           "lease_until = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, station);
  cl_sql_bind_text (stmt, 2, g_get_host_name ());
  cl_sql_bind_text (stmt, 7, g_get_host_name ());
  cl_sql_bind_int64 (stmt, 3, (gint64)getpid ());
  cl_sql_bind_int64 (stmt, 8, (gint64)getpid ());
  cl_sql_bind_text (stmt, 4, process);
  cl_sql_bind_text (stmt, 9, process);
  cl_sql_bind_text (stmt, 10, process);
  cl_sql_bind_int64 (stmt, 5, now);
  cl_sql_bind_int64 (stmt, 11, now);
  cl_sql_bind_int64 (stmt, 6, now + lease_us);
  cl_sql_bind_int64 (stmt, 12, now + lease_us);
  if (!cl_store_step_done (self, stmt, "Taking the station's lease", error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}

gboolean
cl_store_station_renew (ClStore *self, const char *station, gint64 lease_us, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *process = cl_store_process_id ();
  g_auto (Holder) held = { NULL, 0, NULL, 0 };
  gboolean found = FALSE;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!check_args (station, lease_us, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  stmt = cl_store_prepare (self, "UPDATE stations SET lease_until = ? WHERE name = ? AND process = ?", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, g_get_real_time () + lease_us);
  cl_sql_bind_text (stmt, 2, station);
  cl_sql_bind_text (stmt, 3, process);
  if (!cl_store_step_done (self, stmt, "Renewing the station's lease", error))
    return FALSE;
  if (cl_sql_changes (self->sql) == 1)
    return cl_store_txn_commit (txn, error);
  if (!read_holder (self, station, &held, &found, error))
    return FALSE;
  if (!found)
    g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Station “%s” holds no lease", station);
  else
    g_set_error (error, CL_ERROR, CL_ERROR_CLAIMED,
                 "Station “%s” was taken over by host %s process %" G_GINT64_FORMAT
                 " after this process's lease ended: stop producing",
                 station, held.host, held.pid);
  return FALSE;
}

gboolean
cl_store_station_release (ClStore *self, const char *station, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *process = cl_store_process_id ();

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_name ("Station name", station, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  stmt = cl_store_prepare (self, "DELETE FROM stations WHERE name = ? AND process = ?", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, station);
  cl_sql_bind_text (stmt, 2, process);
  return cl_store_step_done (self, stmt, "Releasing the station's lease", error);
}
