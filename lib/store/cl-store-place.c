/* cl-store-place.c: places in a batch with a quantity (cl-store-place.h). */
#include "store/cl-store-place.h"

#include "core/cl-error.h"
#include "store/cl-store-private.h"

#include <string.h>

/* Inside the caller's transaction: locks the batch's row until the transaction ends (PostgreSQL; SQLite holds the
 * database's write lock already), so that the reads that decide a place see every place taken before. *quantity is
 * the batch's. */
static gboolean
lock_batch (ClStore *self, gint64 batch_id, gint64 *quantity, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self, "UPDATE batches SET state = state WHERE id = ? RETURNING quantity", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  rc = cl_sql_step (stmt, error);
  if (rc == CL_SQL_STEP_DONE)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No batch %" G_GINT64_FORMAT, batch_id);
      return FALSE;
    }
  if (rc != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Locking a batch");
      return FALSE;
    }
  *quantity = cl_sql_column_int64 (stmt, 0);
  return cl_store_step_done (self, stmt, "Locking a batch", error);
}

/* Steps a statement that returns the place it took (RETURNING place): the place, 0 when it took none, -1. */
static gint64
step_place (ClStore *self, ClSqlStmt *stmt, GError **error)
{
  gint64 place;
  int rc = cl_sql_step (stmt, error);

  if (rc == CL_SQL_STEP_DONE)
    return 0;
  if (rc != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Taking a place in a batch");
      return -1;
    }
  place = cl_sql_column_int64 (stmt, 0);
  return cl_store_step_done (self, stmt, "Taking a place in a batch", error) ? place : -1;
}

/* Inside the caller's transaction, the batch locked: one place of the batch (the first that where takes) for station
 * and attempt_id (when > 0). The place, 0 when where matched none, -1. */
static gint64
reuse (ClStore *self, gint64 batch_id, const char *where, const char *station, gint64 attempt_id, gint64 now,
       GError **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE batch_places SET station = ?, attempt_id = ?, taken = ? "
                                          "WHERE batch_id = ? AND place = (SELECT min(p.place) FROM batch_places p "
                                          "WHERE p.batch_id = ? AND %s) RETURNING place",
                                          where);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, sql, error);

  if (stmt == NULL)
    return -1;
  cl_sql_bind_text (stmt, 1, station);
  cl_store_bind_opt_int (stmt, 2, attempt_id > 0 ? attempt_id : -1);
  cl_sql_bind_int64 (stmt, 3, now);
  cl_sql_bind_int64 (stmt, 4, batch_id);
  cl_sql_bind_int64 (stmt, 5, batch_id);
  if (strchr (where, '?') != NULL)
    cl_sql_bind_int64 (stmt, 6, now);
  return step_place (self, stmt, error);
}

/* Inside the caller's transaction, the batch locked: a place for station (and attempt_id, when > 0): one given back,
 * else the next number while one is left, else one a station whose lease ended took and never bound. Places are
 * never deleted, so they are numbered 1..count without gaps. 0 when none is free. */
static gint64
take_locked (ClStore *self, gint64 batch_id, const char *station, gint64 attempt_id, GError **error)
{
  gint64 now = g_get_real_time (), place;
  g_autoptr (ClSqlStmt) next = NULL;

  if ((place = reuse (self, batch_id, "p.station IS NULL", station, attempt_id, now, error)) != 0)
    return place;
  next = cl_store_prepare (
    self,
    "INSERT INTO batch_places (batch_id, quantity, place, station, attempt_id, taken) "
    "SELECT b.id, b.quantity, (SELECT count(*) FROM batch_places p WHERE p.batch_id = b.id) + 1, ?, ?, ? "
    "FROM batches b WHERE b.id = ? AND (SELECT count(*) FROM batch_places p WHERE p.batch_id = b.id) < b.quantity "
    "RETURNING place",
    error);
  if (next == NULL)
    return -1;
  cl_sql_bind_text (next, 1, station);
  cl_store_bind_opt_int (next, 2, attempt_id > 0 ? attempt_id : -1);
  cl_sql_bind_int64 (next, 3, now);
  cl_sql_bind_int64 (next, 4, batch_id);
  if ((place = step_place (self, next, error)) != 0)
    return place;
  return reuse (self, batch_id,
                "p.attempt_id IS NULL AND NOT EXISTS (SELECT 1 FROM stations s WHERE s.name = p.station AND "
                "s.lease_until > ?)",
                station, attempt_id, now, error);
}

gint64
cl_store_place_take (ClStore *self, gint64 batch_id, const char *station, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  gint64 quantity, place;

  g_return_val_if_fail (CL_IS_STORE (self), -1);
  if (!cl_store_check_name ("Station", station, error))
    return -1;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)) || !lock_batch (self, batch_id, &quantity, error))
    return -1;
  if (quantity == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Batch %" G_GINT64_FORMAT " has no quantity, so it has no places to take", batch_id);
      return -1;
    }
  place = take_locked (self, batch_id, station, 0, error);
  if (place < 0 || !cl_store_txn_commit (txn, error))
    return -1;
  return place;
}

gboolean
cl_store_place_give_back (ClStore *self, gint64 batch_id, const char *station, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);
  /* one statement: its own transaction */
  stmt = cl_store_prepare (self,
                           "UPDATE batch_places SET station = NULL, taken = NULL WHERE batch_id = ? AND place = "
                           "(SELECT max(place) FROM batch_places WHERE batch_id = ? AND station = ? AND "
                           "attempt_id IS NULL) AND attempt_id IS NULL",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  cl_sql_bind_int64 (stmt, 2, batch_id);
  cl_sql_bind_text (stmt, 3, station);
  if (!cl_store_step_done (self, stmt, "Giving back a place in a batch", error))
    return FALSE;
  if (cl_sql_changes (self->sql) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Station %s holds no unused place in batch %" G_GINT64_FORMAT,
                   station, batch_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_store_place_count (ClStore *self, gint64 batch_id, ClPlaceCounts *out, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);
  stmt = cl_store_prepare (
    self,
    "SELECT b.quantity, (SELECT count(*) FROM batch_places p WHERE p.batch_id = b.id AND p.station IS NOT NULL), "
    "(SELECT count(*) FROM attempts a JOIN dispositions d ON d.attempt_id = a.id WHERE a.batch_id = b.id "
    "AND a.kind = 'PRODUCTION' AND d.destination IN ('OUTPUT','REJECT_BIN','UNKNOWN')) FROM batches b WHERE b.id = ?",
    error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, batch_id);
  switch (cl_sql_step (stmt, error))
    {
      case CL_SQL_STEP_ROW:
        out->quantity = cl_sql_column_int64 (stmt, 0);
        out->held = cl_sql_column_int64 (stmt, 1);
        out->disposed = cl_sql_column_int64 (stmt, 2);
        return cl_store_step_done (self, stmt, "Counting a batch's places", error);
      case CL_SQL_STEP_DONE:
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No batch %" G_GINT64_FORMAT, batch_id);
        return FALSE;
      default:
        cl_store_set_error (self, error, "Counting a batch's places");
        return FALSE;
    }
}

gboolean
cl_store_place_bind_locked (ClStore *self, gint64 batch_id, const char *station, gint64 attempt_id, GError **error)
{
  g_autoptr (ClSqlStmt) bind = NULL;
  gint64 quantity, place;

  if (!lock_batch (self, batch_id, &quantity, error))
    return FALSE;
  if (quantity == 0)
    return TRUE; /* no quantity: no places */
  bind = cl_store_prepare (self,
                           "UPDATE batch_places SET attempt_id = ? WHERE batch_id = ? AND place = "
                           "(SELECT min(place) FROM batch_places WHERE batch_id = ? AND station = ? AND "
                           "attempt_id IS NULL) AND attempt_id IS NULL",
                           error);
  if (bind == NULL)
    return FALSE;
  cl_sql_bind_int64 (bind, 1, attempt_id);
  cl_sql_bind_int64 (bind, 2, batch_id);
  cl_sql_bind_int64 (bind, 3, batch_id);
  cl_sql_bind_text (bind, 4, station);
  if (!cl_store_step_done (self, bind, "Binding a place to an attempt", error))
    return FALSE;
  if (cl_sql_changes (self->sql) > 0)
    return TRUE;
  place = take_locked (self, batch_id, station, attempt_id, error);
  if (place < 0)
    return FALSE;
  if (place == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_BATCH_FULL,
                   "Batch %" G_GINT64_FORMAT " has no place left: all its %" G_GINT64_FORMAT
                   " cards are made or in production",
                   batch_id, quantity);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_store_place_release_locked (ClStore *self, gint64 attempt_id, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (
    self, "UPDATE batch_places SET station = NULL, attempt_id = NULL, taken = NULL WHERE attempt_id = ?", error);

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, attempt_id);
  return cl_store_step_done (self, stmt, "Giving back an attempt's place", error);
}

gboolean
cl_store_place_drop_unbound_locked (ClStore *self, const char *station, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (
    self, "UPDATE batch_places SET station = NULL, taken = NULL WHERE station = ? AND attempt_id IS NULL", error);

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, station);
  return cl_store_step_done (self, stmt, "Giving back a station's unused places", error);
}
