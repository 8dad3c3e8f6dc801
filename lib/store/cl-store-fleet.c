/* cl-store-fleet.c: a station's registration, live state and heartbeat, and the fleet read back (cl-store-fleet.h).
 * Recovering a lost station is cl-store-fleet-recover.c's. */
#include "store/cl-store-fleet.h"

#include <unistd.h>

#include "cardline-config.h"
#include "core/cl-error.h"
#include "store/cl-store-private.h"
#include "store/cl-store-station.h"

CL_STORE_DEFINE_ENUM_STRINGS (ClFleetFeeder, cl_fleet_feeder, "feeder kind", "RACK", "PRINTER", "REMOTE")
CL_STORE_DEFINE_ENUM_STRINGS (ClFleetState, cl_fleet_state, "station state", "RUNNING", "PAUSED", "FAULT", "STOPPED")

void
cl_fleet_reader_free (ClFleetReader *reader)
{
  if (reader == NULL)
    return;
  g_free (reader->reader);
  g_free (reader->chip_id);
  g_free (reader);
}

void
cl_fleet_station_free (ClFleetStation *station)
{
  if (station == NULL)
    return;
  g_free (station->name);
  g_free (station->host);
  g_free (station->printer);
  g_free (station->version);
  g_free (station->instruction);
  g_free (station->recovered_by);
  g_clear_pointer (&station->readers, g_ptr_array_unref);
  g_free (station);
}

double
cl_fleet_station_throughput (const ClFleetStation *station)
{
  gint64 cards = station->good + station->rejected;
  gint64 span = station->last_card - station->counting_since;

  if (cards < 2 || station->counting_since <= 0 || span <= 0)
    return 0;
  /* the first card opens the span: n cards make n - 1 intervals */
  return (double)(cards - 1) * 60.0 * G_USEC_PER_SEC / (double)span;
}

double
cl_fleet_station_yield (const ClFleetStation *station)
{
  gint64 cards = station->good + station->rejected;

  return cards > 0 ? (double)station->good / (double)cards : -1;
}

/* ---- writes ---- */

static gboolean
check_live (const ClFleetLive *live, GError **error)
{
  if ((guint)live->state >= G_N_ELEMENTS (cl_fleet_state_names) || live->good < 0 || live->rejected < 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A station's state or counters are out of range");
      return FALSE;
    }
  if (live->state == CL_FLEET_FAULT && (live->instruction == NULL || *live->instruction == '\0'))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A station's fault needs the operator's instruction");
      return FALSE;
    }
  return TRUE;
}

/* After an UPDATE ... WHERE name AND process AND recovered IS NULL changed nothing: why. */
static void
set_not_ours (ClStore *self, const char *station, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self, "SELECT pid, host, recovered_by FROM fleet_stations WHERE name = ?", error);

  if (stmt == NULL)
    return;
  cl_sql_bind_text (stmt, 1, station);
  switch (cl_sql_step (stmt, error))
    {
      case CL_SQL_STEP_DONE:
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Station “%s” is not registered in the store", station);
        break;
      case CL_SQL_STEP_ROW:
        if (cl_sql_column_text (stmt, 2) != NULL)
          g_set_error (error, CL_ERROR, CL_ERROR_CLAIMED,
                       "Station “%s” was found lost and recovered by %s: this process must stop producing", station,
                       cl_sql_column_text (stmt, 2));
        else
          g_set_error (error, CL_ERROR, CL_ERROR_CLAIMED,
                       "Station “%s” is registered by host %s process %" G_GINT64_FORMAT ", not this process", station,
                       cl_sql_column_text (stmt, 1), cl_sql_column_int64 (stmt, 0));
        break;
      default:
        cl_store_set_error (self, error, "Reading a station's registration");
    }
}

static gboolean
put_reader_locked (ClStore *self, const char *station, gint64 slot, const ClFleetReader *reader, GError **error)
{
  /* slot < 0: after the station's known readers */
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (
    self,
    "INSERT INTO fleet_readers (station, slot, reader, card_present, chip_id, step) VALUES (?, "
    "CASE WHEN CAST(? AS BIGINT) >= 0 THEN CAST(? AS BIGINT) ELSE "
    "(SELECT coalesce(max(slot) + 1, 0) FROM fleet_readers WHERE station = ?) END, ?, ?, ?, ?) "
    "ON CONFLICT (station, reader) DO UPDATE SET card_present = excluded.card_present, chip_id = excluded.chip_id, "
    "step = excluded.step",
    error);

  if (stmt == NULL)
    return FALSE;
  if (reader->reader == NULL || *reader->reader == '\0'
      || (reader->step >= 0 && cl_production_step_to_string ((ClProductionStep)reader->step) == NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A reader of station “%s” has no name or a bad step",
                   station);
      return FALSE;
    }
  cl_sql_bind_text (stmt, 1, station);
  cl_sql_bind_int64 (stmt, 2, slot);
  cl_sql_bind_int64 (stmt, 3, slot);
  cl_sql_bind_text (stmt, 4, station);
  cl_sql_bind_text (stmt, 5, reader->reader);
  cl_sql_bind_int64 (stmt, 6, reader->card_present ? 1 : 0);
  cl_store_bind_text (stmt, 7, reader->card_present ? reader->chip_id : NULL);
  cl_store_bind_text (
    stmt, 8,
    reader->card_present && reader->step >= 0 ? cl_production_step_to_string ((ClProductionStep)reader->step) : NULL);
  return cl_store_step_done (self, stmt, "Recording a station's reader", error);
}

gboolean
cl_store_fleet_register (ClStore *self, const ClFleetRegistration *reg, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (ClSqlStmt) clear = NULL;
  g_autofree char *process = cl_store_process_id ();
  gint64 now = g_get_real_time ();
  gint64 lease_us;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  g_return_val_if_fail (reg != NULL, FALSE);
  if (!cl_store_check_name ("Station name", reg->name, error))
    return FALSE;
  if ((guint)reg->feeder >= G_N_ELEMENTS (cl_fleet_feeder_names) || reg->lease_us < 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Station “%s”: bad feeder kind or lease", reg->name);
      return FALSE;
    }
  lease_us = reg->lease_us > 0 ? reg->lease_us : CL_STATION_LEASE_US;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  stmt = cl_store_prepare (
    self,
    "INSERT INTO fleet_stations (name, host, pid, process, feeder, printer, version, state, instruction, good, "
    "rejected, counting_since, last_card, registered, updated, heartbeat, lease_us, revision, recovered, "
    "recovered_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'RUNNING', NULL, 0, 0, 0, 0, ?, ?, ?, ?, 1, NULL, NULL) "
    "ON CONFLICT (name) DO UPDATE SET host = excluded.host, pid = excluded.pid, process = excluded.process, "
    "feeder = excluded.feeder, printer = excluded.printer, version = excluded.version, state = 'RUNNING', "
    "instruction = NULL, good = 0, rejected = 0, counting_since = 0, last_card = 0, registered = excluded.registered, "
    "updated = excluded.updated, heartbeat = excluded.heartbeat, lease_us = excluded.lease_us, "
    "revision = fleet_stations.revision + 1, recovered = NULL, recovered_by = NULL",
    error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, reg->name);
  cl_sql_bind_text (stmt, 2, g_get_host_name ());
  cl_sql_bind_int64 (stmt, 3, (gint64)getpid ());
  cl_sql_bind_text (stmt, 4, process);
  cl_sql_bind_text (stmt, 5, cl_fleet_feeder_names[reg->feeder]);
  cl_store_bind_text (stmt, 6, reg->printer);
  cl_sql_bind_text (stmt, 7, reg->version != NULL ? reg->version : PACKAGE_VERSION);
  cl_sql_bind_int64 (stmt, 8, now);
  cl_sql_bind_int64 (stmt, 9, now);
  cl_sql_bind_int64 (stmt, 10, now);
  cl_sql_bind_int64 (stmt, 11, lease_us);
  if (!cl_store_step_done (self, stmt, "Registering the station", error))
    return FALSE;
  clear = cl_store_prepare (self, "DELETE FROM fleet_readers WHERE station = ?", error);
  if (clear == NULL)
    return FALSE;
  cl_sql_bind_text (clear, 1, reg->name);
  if (!cl_store_step_done (self, clear, "Clearing the station's readers", error))
    return FALSE;
  for (guint i = 0; reg->readers != NULL && reg->readers[i] != NULL; i++)
    {
      ClFleetReader empty = { (char *)reg->readers[i], NULL, -1, FALSE };

      if (!put_reader_locked (self, reg->name, i, &empty, error))
        return FALSE;
    }
  return cl_store_txn_commit (txn, error);
}

gboolean
cl_store_fleet_publish (ClStore *self, const char *station, const ClFleetLive *live, const ClFleetReader *readers,
                        guint n_readers, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreRelaxed) G_GNUC_UNUSED relaxed = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *process = cl_store_process_id ();

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_name ("Station name", station, error) || (live != NULL && !check_live (live, error)))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  /* station state is not a record: a power cut loses at most the last one, and the next write restores it. Relaxed
   * before BEGIN: SQLite refuses to change the setting inside a transaction. */
  relaxed = cl_store_relax (self);
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  /* the revision moves even when only readers changed: it is what the watch reports */
  stmt = cl_store_prepare (
    self,
    live != NULL ? "UPDATE fleet_stations SET state = ?, instruction = ?, good = ?, rejected = ?, counting_since = ?, "
                   "last_card = ?, updated = ?, revision = revision + 1 "
                   "WHERE name = ? AND process = ? AND recovered IS NULL"
                 : "UPDATE fleet_stations SET updated = ?, revision = revision + 1 "
                   "WHERE name = ? AND process = ? AND recovered IS NULL",
    error);
  if (stmt == NULL)
    return FALSE;
  if (live != NULL)
    {
      cl_sql_bind_text (stmt, 1, cl_fleet_state_names[live->state]);
      cl_store_bind_text (stmt, 2, live->state == CL_FLEET_FAULT ? live->instruction : NULL);
      cl_sql_bind_int64 (stmt, 3, live->good);
      cl_sql_bind_int64 (stmt, 4, live->rejected);
      cl_sql_bind_int64 (stmt, 5, live->counting_since);
      cl_sql_bind_int64 (stmt, 6, live->last_card);
    }
  {
    int at = live != NULL ? 7 : 1;

    cl_sql_bind_int64 (stmt, at, g_get_real_time ());
    cl_sql_bind_text (stmt, at + 1, station);
    cl_sql_bind_text (stmt, at + 2, process);
  }
  if (!cl_store_step_done (self, stmt, "Recording the station's state", error))
    return FALSE;
  if (cl_sql_changes (self->sql) != 1)
    {
      set_not_ours (self, station, error);
      return FALSE;
    }
  for (guint i = 0; i < n_readers; i++)
    if (!put_reader_locked (self, station, -1, &readers[i], error))
      return FALSE;
  return cl_store_txn_commit (txn, error);
}

gboolean
cl_store_fleet_set_live (ClStore *self, const char *station, const ClFleetLive *live, GError **error)
{
  g_return_val_if_fail (live != NULL, FALSE);
  return cl_store_fleet_publish (self, station, live, NULL, 0, error);
}

gboolean
cl_store_fleet_heartbeat (ClStore *self, const char *station, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *process = cl_store_process_id ();

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_name ("Station name", station, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  stmt = cl_store_prepare (
    self, "UPDATE fleet_stations SET heartbeat = ? WHERE name = ? AND process = ? AND recovered IS NULL", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, g_get_real_time ());
  cl_sql_bind_text (stmt, 2, station);
  cl_sql_bind_text (stmt, 3, process);
  cl_store_relax_sync (self);
  if (!cl_store_step_done (self, stmt, "Recording the station's heartbeat", error))
    {
      cl_store_restore_sync (self);
      return FALSE;
    }
  cl_store_restore_sync (self);
  if (cl_sql_changes (self->sql) == 1)
    return TRUE;
  set_not_ours (self, station, error);
  return FALSE;
}

/* ---- reads ---- */

#define STATION_COLUMNS                                                                                                \
  "name, host, pid, feeder, printer, version, state, instruction, good, rejected, counting_since, last_card, "         \
  "registered, updated, heartbeat, lease_us, revision, recovered, recovered_by"

static ClFleetStation *
station_from_row (ClSqlStmt *stmt, gint64 now)
{
  g_autoptr (ClFleetStation) s = g_new0 (ClFleetStation, 1);
  ClFleetFeeder feeder = CL_FLEET_FEEDER_RACK;
  ClFleetState state = CL_FLEET_RUNNING;

  s->name = cl_store_column_dup_text (stmt, 0);
  s->host = cl_store_column_dup_text (stmt, 1);
  s->pid = cl_sql_column_int64 (stmt, 2);
  /* the CHECK constraints admit only known names */
  cl_fleet_feeder_from_string (cl_sql_column_text (stmt, 3), &feeder, NULL);
  s->feeder = feeder;
  s->printer = cl_store_column_dup_text (stmt, 4);
  s->version = cl_store_column_dup_text (stmt, 5);
  cl_fleet_state_from_string (cl_sql_column_text (stmt, 6), &state, NULL);
  s->state = state;
  s->instruction = cl_store_column_dup_text (stmt, 7);
  s->good = cl_sql_column_int64 (stmt, 8);
  s->rejected = cl_sql_column_int64 (stmt, 9);
  s->counting_since = cl_sql_column_int64 (stmt, 10);
  s->last_card = cl_sql_column_int64 (stmt, 11);
  s->registered = cl_sql_column_int64 (stmt, 12);
  s->updated = cl_sql_column_int64 (stmt, 13);
  s->heartbeat = cl_sql_column_int64 (stmt, 14);
  s->lease_us = cl_sql_column_int64 (stmt, 15);
  s->revision = cl_sql_column_int64 (stmt, 16);
  s->recovered = MAX (cl_store_column_opt_int (stmt, 17), 0);
  s->recovered_by = cl_store_column_dup_text (stmt, 18);
  /* as a lease is taken over: a station of this host whose process is gone is lost at once */
  s->lost = s->state != CL_FLEET_STOPPED
            && (now - s->heartbeat > s->lease_us || cl_store_host_process_gone (s->host, s->pid));
  s->readers = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_fleet_reader_free);
  return g_steal_pointer (&s);
}

static gboolean
read_readers_locked (ClStore *self, const char *only, GHashTable *by_name, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self,
                        only != NULL ? "SELECT station, reader, card_present, chip_id, step FROM fleet_readers "
                                       "WHERE station = ? ORDER BY station, slot"
                                     : "SELECT station, reader, card_present, chip_id, step FROM fleet_readers "
                                       "ORDER BY station, slot",
                        error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (only != NULL)
    cl_sql_bind_text (stmt, 1, only);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClFleetStation *s = g_hash_table_lookup (by_name, cl_sql_column_text (stmt, 0));
      ClFleetReader *r;
      ClProductionStep step;

      if (s == NULL)
        continue;
      r = g_new0 (ClFleetReader, 1);
      r->reader = cl_store_column_dup_text (stmt, 1);
      r->card_present = cl_sql_column_int64 (stmt, 2) != 0;
      r->chip_id = cl_store_column_dup_text (stmt, 3);
      r->step = cl_sql_column_text (stmt, 4) != NULL
                    && cl_production_step_from_string (cl_sql_column_text (stmt, 4), &step, NULL)
                  ? (gint)step
                  : -1;
      g_ptr_array_add (s->readers, r);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the stations' readers");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_stations_locked (ClStore *self, const char *only, gint64 now, GPtrArray *stations, GError **error)
{
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self,
                        only != NULL ? "SELECT " STATION_COLUMNS " FROM fleet_stations WHERE name = ?"
                                     : "SELECT " STATION_COLUMNS " FROM fleet_stations ORDER BY name",
                        error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (only != NULL)
    cl_sql_bind_text (stmt, 1, only);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClFleetStation *s = station_from_row (stmt, now);

      g_ptr_array_add (stations, s);
      g_hash_table_insert (by_name, s->name, s);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the stations");
      return FALSE;
    }
  return read_readers_locked (self, only, by_name, error);
}

static GPtrArray *
read_stations (ClStore *self, const char *only, gint64 now, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (GPtrArray) stations = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_fleet_station_free);

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  if (now <= 0)
    now = g_get_real_time ();
  locker = g_mutex_locker_new (&self->lock);
  /* one snapshot for the stations and their readers */
  if (!cl_store_exec (self, "BEGIN", error))
    return NULL;
  if (!read_stations_locked (self, only, now, stations, error))
    {
      cl_store_exec (self, "ROLLBACK", NULL);
      return NULL;
    }
  if (!cl_store_exec (self, "COMMIT", error))
    return NULL;
  return g_steal_pointer (&stations);
}

GPtrArray *
cl_store_fleet_list (ClStore *self, gint64 now, GError **error)
{
  return read_stations (self, NULL, now, error);
}

ClFleetStation *
cl_store_fleet_get (ClStore *self, const char *station, gint64 now, GError **error)
{
  g_autoptr (GPtrArray) found = NULL;

  if (!cl_store_check_name ("Station name", station, error))
    return NULL;
  found = read_stations (self, station, now, error);
  if (found == NULL)
    return NULL;
  if (found->len == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Station “%s” is not registered in the store", station);
      return NULL;
    }
  return g_ptr_array_steal_index (found, 0);
}
