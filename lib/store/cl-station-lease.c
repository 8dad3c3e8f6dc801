/* cl-station-lease.c: the heartbeat that keeps a station's lease (cl-station-lease.h). */
#include "store/cl-station-lease.h"

#include "core/cl-error.h"
#include "store/cl-store-fleet.h"
#include "store/cl-store-station.h"

struct _ClStationLease
{
  GObject parent_instance;
  ClStore *store;
  char *station;
  gint64 lease_us;
  GThread *thread;
  GMutex lock;
  GCond cond;
  gboolean stopping; /* under lock */
  gint held;         /* atomic */
};

G_DEFINE_FINAL_TYPE (ClStationLease, cl_station_lease, G_TYPE_OBJECT)

enum
{
  SIGNAL_LOST,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* A station registered in the fleet (cl-store-fleet.h) beats there too, and closes what stations that stopped
 * beating left open: any live station of the fleet does, so a killed one's attempts do not wait for its restart. */
static void
fleet_beat (ClStationLease *self)
{
  g_autoptr (GError) error = NULL;

  if (!cl_store_fleet_heartbeat (self->store, self->station, &error))
    {
      if (!g_error_matches (error, CL_ERROR, CL_ERROR_NOT_FOUND))
        g_warning ("Station %s: recording its heartbeat: %s", self->station, error->message);
      return;
    }
  if (cl_store_fleet_recover_all_lost (self->store, self->station, &error) < 0)
    g_warning ("Station %s: closing what lost stations left open: %s", self->station, error->message);
}

static gpointer
heartbeat (gpointer data)
{
  ClStationLease *self = data;
  gint64 valid_until = g_get_real_time () + self->lease_us;
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  while (!self->stopping)
    {
      gint64 deadline = g_get_monotonic_time () + self->lease_us / 3;
      g_autoptr (GError) error = NULL;
      gboolean ok;

      while (!self->stopping && g_cond_wait_until (&self->cond, &self->lock, deadline))
        ;
      if (self->stopping)
        break;
      g_mutex_unlock (&self->lock);
      ok = cl_store_station_renew (self->store, self->station, self->lease_us, &error);
      g_mutex_lock (&self->lock);
      if (ok)
        {
          valid_until = g_get_real_time () + self->lease_us;
          g_mutex_unlock (&self->lock);
          fleet_beat (self);
          g_mutex_lock (&self->lock);
          continue;
        }
      /* a store that fails briefly is retried; a lease that another process took, or that ran out, is gone */
      if (g_error_matches (error, CL_ERROR, CL_ERROR_STORE) && g_get_real_time () < valid_until)
        {
          g_warning ("Renewing the lease of station %s: %s (retrying)", self->station, error->message);
          continue;
        }
      g_warning ("Station %s lost its lease: %s", self->station, error->message);
      g_atomic_int_set (&self->held, FALSE);
      g_mutex_unlock (&self->lock);
      g_signal_emit (self, signals[SIGNAL_LOST], 0);
      g_mutex_lock (&self->lock);
      break;
    }
  return NULL;
}

static void
cl_station_lease_dispose (GObject *object)
{
  ClStationLease *self = CL_STATION_LEASE (object);

  if (self->thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  if (self->store != NULL && g_atomic_int_get (&self->held))
    {
      g_autoptr (GError) error = NULL;

      if (!cl_store_station_release (self->store, self->station, &error))
        g_warning ("Releasing the lease of station %s: %s", self->station, error->message);
      g_atomic_int_set (&self->held, FALSE);
    }
  g_clear_object (&self->store);
  G_OBJECT_CLASS (cl_station_lease_parent_class)->dispose (object);
}

static void
cl_station_lease_finalize (GObject *object)
{
  ClStationLease *self = CL_STATION_LEASE (object);

  g_free (self->station);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (cl_station_lease_parent_class)->finalize (object);
}

static void
cl_station_lease_class_init (ClStationLeaseClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_station_lease_dispose;
  G_OBJECT_CLASS (klass)->finalize = cl_station_lease_finalize;
  signals[SIGNAL_LOST]
    = g_signal_new ("lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cl_station_lease_init (ClStationLease *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

ClStationLease *
cl_station_lease_new (ClStore *store, const char *station, gint64 lease_us, GError **error)
{
  g_autoptr (ClStationLease) self = NULL;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  if (!cl_store_station_acquire (store, station, lease_us, error))
    return NULL;
  self = g_object_new (CL_TYPE_STATION_LEASE, NULL);
  self->store = g_object_ref (store);
  self->station = g_strdup (station);
  self->lease_us = lease_us;
  self->held = TRUE;
  self->thread = g_thread_new ("station-lease", heartbeat, self);
  return g_steal_pointer (&self);
}

const char *
cl_station_lease_get_station (ClStationLease *self)
{
  g_return_val_if_fail (CL_IS_STATION_LEASE (self), NULL);
  return self->station;
}

gboolean
cl_station_lease_is_held (ClStationLease *self)
{
  g_return_val_if_fail (CL_IS_STATION_LEASE (self), FALSE);
  return g_atomic_int_get (&self->held);
}
