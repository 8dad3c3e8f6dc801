/* cl-store-fleet-recover.c: a lost station's open attempts closed and its claims expired by another process
 * (cl-store-fleet.h). */
#include "store/cl-store-fleet.h"

#include "core/cl-error.h"
#include "store/cl-store-private.h"

typedef enum
{
  MARK_RECOVERED,
  MARK_NOTHING, /* stopped cleanly, or recovered already */
} Mark;

/* Inside the transaction: the station is lost by the lease's rule too (a lease that still holds, of a process not
 * known to be gone, is a live station whose heartbeats were late), and then its lease is ended and taken from it,
 * so that a process that comes back finds it gone and stops producing. */
static gboolean
take_lease_locked (ClStore *self, const ClFleetStation *s, const char *actor, gint64 now, GError **error)
{
  g_autoptr (ClSqlStmt) read
    = cl_store_prepare (self, "SELECT lease_until, host, pid FROM stations WHERE name = ?", error);
  g_autoptr (ClSqlStmt) take = NULL;
  g_autofree char *marker = NULL;
  int rc;

  if (read == NULL)
    return FALSE;
  cl_sql_bind_text (read, 1, s->name);
  rc = cl_sql_step (read, error);
  if (rc == CL_SQL_STEP_DONE)
    return TRUE; /* no lease: nobody produces as this station */
  if (rc != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Reading a lost station's lease");
      return FALSE;
    }
  if (cl_sql_column_int64 (read, 0) > now
      && !cl_store_host_process_gone (cl_sql_column_text (read, 1), cl_sql_column_int64 (read, 2)))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_CLAIMED,
                   "Station “%s” still holds its lease for %" G_GINT64_FORMAT
                   " s: it is alive, nothing is taken from it",
                   s->name, (cl_sql_column_int64 (read, 0) - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
      return FALSE;
    }
  g_clear_pointer (&read, cl_sql_stmt_release);
  marker = g_strdup_printf ("recovered by %s", actor);
  take = cl_store_prepare (self, "UPDATE stations SET process = ?, pid = 0, lease_until = ? WHERE name = ?", error);
  if (take == NULL)
    return FALSE;
  cl_sql_bind_text (take, 1, marker);
  cl_sql_bind_int64 (take, 2, now);
  cl_sql_bind_text (take, 3, s->name);
  return cl_store_step_done (self, take, "Taking a lost station's lease", error);
}

static gboolean
mark_recovered (ClStore *self, const char *station, const char *actor, Mark *mark, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClFleetStation) s = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *detail = NULL;
  gint64 now = g_get_real_time ();

  /* read first, outside the lock (the read takes it): the verdict is checked again by the conditional UPDATE */
  if (!(s = cl_store_fleet_get (self, station, now, error)))
    return FALSE;
  *mark = MARK_NOTHING;
  if (s->recovered > 0 || s->state == CL_FLEET_STOPPED)
    return TRUE;
  if (!s->lost)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_CLAIMED,
                   "Station “%s” is alive (its last heartbeat was %" G_GINT64_FORMAT
                   " s ago): nothing is taken from it",
                   station, (now - s->heartbeat) / G_USEC_PER_SEC);
      return FALSE;
    }
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  /* of two processes recovering one station at once, one changes the row; the other finds it recovered */
  stmt = cl_store_prepare (self,
                           "UPDATE fleet_stations SET recovered = ?, recovered_by = ?, updated = ?, "
                           "revision = revision + 1 WHERE name = ? AND recovered IS NULL AND state <> 'STOPPED' "
                           "AND heartbeat = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, now);
  cl_sql_bind_text (stmt, 2, actor);
  cl_sql_bind_int64 (stmt, 3, now);
  cl_sql_bind_text (stmt, 4, station);
  cl_sql_bind_int64 (stmt, 5, s->heartbeat);
  if (!cl_store_step_done (self, stmt, "Marking a lost station recovered", error))
    return FALSE;
  if (cl_sql_changes (self->sql) != 1)
    return TRUE; /* recovered meanwhile, or it beat again: nothing to do now */
  if (!take_lease_locked (self, s, actor, now, error))
    return FALSE;
  detail
    = g_strdup_printf ("no heartbeat from host %s process %" G_GINT64_FORMAT " for %" G_GINT64_FORMAT
                       " s (lease %" G_GINT64_FORMAT " s); its open attempts are closed and its chip claims expire",
                       s->host, s->pid, (now - s->heartbeat) / G_USEC_PER_SEC, s->lease_us / G_USEC_PER_SEC);
  if (cl_store_audit_append_locked (self, actor, "station-recovered", station, detail, error) <= 0)
    return FALSE;
  if (!cl_store_txn_commit (txn, error))
    return FALSE;
  *mark = MARK_RECOVERED;
  return TRUE;
}

gint
cl_store_fleet_recover_lost (ClStore *self, const char *station, const char *actor, GError **error)
{
  Mark mark;

  g_return_val_if_fail (CL_IS_STORE (self), -1);
  if (!cl_store_check_name ("Station name", station, error) || !cl_store_check_name ("Actor", actor, error))
    return -1;
  if (!mark_recovered (self, station, actor, &mark, error))
    return -1;
  if (mark == MARK_NOTHING)
    return 0;
  /* the lease is taken and the row marked: nobody else produces as station, so the killed station's rule applies */
  return cl_store_attempt_abandon_open (self, station, error);
}

gint
cl_store_fleet_recover_all_lost (ClStore *self, const char *actor, GError **error)
{
  g_autoptr (GPtrArray) stations = cl_store_fleet_list (self, 0, error);
  gint total = 0;

  if (stations == NULL)
    return -1;
  for (guint i = 0; i < stations->len; i++)
    {
      const ClFleetStation *s = g_ptr_array_index (stations, i);
      g_autoptr (GError) local = NULL;
      gint n;

      if (!s->lost || s->recovered > 0)
        continue;
      n = cl_store_fleet_recover_lost (self, s->name, actor, &local);
      /* a station that beat again between the list and the recovery is alive: not an error */
      if (n < 0 && g_error_matches (local, CL_ERROR, CL_ERROR_CLAIMED))
        continue;
      if (n < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return -1;
        }
      total += n;
    }
  return total;
}
