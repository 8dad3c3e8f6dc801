/* cl-fleet-model.c: the fleet's stations, refreshed on the store's change notices (cl-fleet-model.h). */
#include "cl-fleet-model.h"

#include "store/cl-store-watch.h"

/* A lease deadline is read a little after it passed, so that the store's verdict (at its reader's clock) has turned. */
#define LOST_MARGIN_MS 200

struct _ClFleetModel
{
  GObject parent_instance;

  ClStore *store;
  ClStoreWatch *watch;
  GMainContext *context; /* where notices are marshalled and "updated" is emitted */
  GPtrArray *stations;   /* ClFleetStation * */
  GCancellable *cancellable;
  guint coalesce_source;
  guint lost_source;
  gboolean busy;
  gboolean again; /* a read was asked for while one ran */
  guint reads;
};

G_DEFINE_FINAL_TYPE (ClFleetModel, cl_fleet_model, G_TYPE_OBJECT)

enum
{
  UPDATED,
  FAILED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void start_read (ClFleetModel *self);

static void
cl_fleet_model_dispose (GObject *object)
{
  ClFleetModel *self = CL_FLEET_MODEL (object);

  /* The watch's thread is joined here: no notice arrives after it. */
  if (self->watch != NULL)
    g_signal_handlers_disconnect_by_data (self->watch, self);
  g_clear_object (&self->watch);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->coalesce_source, g_source_remove);
  g_clear_handle_id (&self->lost_source, g_source_remove);
  g_clear_pointer (&self->stations, g_ptr_array_unref);
  g_clear_object (&self->store);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (cl_fleet_model_parent_class)->dispose (object);
}

static void
cl_fleet_model_class_init (ClFleetModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_fleet_model_dispose;

  signals[UPDATED]
    = g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (const GError *error): a read failed; the last stations stay shown. */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
cl_fleet_model_init (ClFleetModel *self)
{
  self->stations = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_fleet_station_free);
  self->cancellable = g_cancellable_new ();
}

GPtrArray *
cl_fleet_model_get_stations (ClFleetModel *self)
{
  g_return_val_if_fail (CL_IS_FLEET_MODEL (self), NULL);
  return self->stations;
}

const ClFleetStation *
cl_fleet_model_lookup (ClFleetModel *self, const char *name)
{
  g_return_val_if_fail (CL_IS_FLEET_MODEL (self), NULL);
  for (guint i = 0; i < self->stations->len; i++)
    {
      const ClFleetStation *station = g_ptr_array_index (self->stations, i);

      if (g_strcmp0 (station->name, name) == 0)
        return station;
    }
  return NULL;
}

guint
cl_fleet_model_get_reads (ClFleetModel *self)
{
  g_return_val_if_fail (CL_IS_FLEET_MODEL (self), 0);
  return self->reads;
}

static void
read_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *stations = cl_store_fleet_list (task_data, 0, &error);

  if (stations == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, stations, (GDestroyNotify)g_ptr_array_unref);
}

static gboolean
on_lost_deadline (gpointer user_data)
{
  ClFleetModel *self = user_data;

  self->lost_source = 0;
  start_read (self);
  return G_SOURCE_REMOVE;
}

/* One read when the first station still beating would be lost if its next heartbeat did not come. */
static void
arm_lost_deadline (ClFleetModel *self)
{
  gint64 first = G_MAXINT64;
  gint64 now = g_get_real_time ();

  g_clear_handle_id (&self->lost_source, g_source_remove);
  for (guint i = 0; i < self->stations->len; i++)
    {
      const ClFleetStation *station = g_ptr_array_index (self->stations, i);

      if (!station->lost && station->state != CL_FLEET_STOPPED)
        first = MIN (first, station->heartbeat + station->lease_us);
    }
  if (first == G_MAXINT64)
    return;
  /* A deadline already past at this clock (another host's clock is behind) is looked at again a second later, not
   * in a tight loop. */
  self->lost_source
    = g_timeout_add (first > now ? (guint)((first - now) / 1000) + LOST_MARGIN_MS : 1000, on_lost_deadline, self);
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *stations = g_task_propagate_pointer (G_TASK (result), &error);
  ClFleetModel *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CL_FLEET_MODEL (source);
  self->busy = FALSE;
  if (stations == NULL)
    g_signal_emit (self, signals[FAILED], 0, error);
  else
    {
      g_ptr_array_unref (self->stations);
      self->stations = stations;
      self->reads++;
      arm_lost_deadline (self);
      g_signal_emit (self, signals[UPDATED], 0);
    }
  if (self->again)
    {
      self->again = FALSE;
      start_read (self);
    }
}

static void
start_read (ClFleetModel *self)
{
  g_autoptr (GTask) task = NULL;

  if (self->busy)
    {
      self->again = TRUE;
      return;
    }
  self->busy = TRUE;
  task = g_task_new (self, self->cancellable, on_read, NULL);
  g_task_set_source_tag (task, start_read);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, read_in_thread);
}

void
cl_fleet_model_refresh (ClFleetModel *self)
{
  g_return_if_fail (CL_IS_FLEET_MODEL (self));
  start_read (self);
}

static gboolean
on_coalesced (gpointer user_data)
{
  ClFleetModel *self = user_data;

  self->coalesce_source = 0;
  start_read (self);
  return G_SOURCE_REMOVE;
}

/* In the model's main context: the first notice of a burst arms the read, the others join it. */
static gboolean
on_notice (gpointer user_data)
{
  ClFleetModel *self = user_data;

  if (self->store != NULL && self->coalesce_source == 0)
    self->coalesce_source = g_timeout_add (CL_FLEET_MODEL_COALESCE_MS, on_coalesced, self);
  return G_SOURCE_REMOVE;
}

/* On the watch's thread. */
static void
on_station_changed (ClStoreWatch *watch, const char *station, gpointer user_data)
{
  ClFleetModel *self = user_data;

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, on_notice, g_object_ref (self), g_object_unref);
}

ClFleetModel *
cl_fleet_model_new (ClStore *store)
{
  ClFleetModel *self;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  self = g_object_new (CL_TYPE_FLEET_MODEL, NULL);
  self->store = g_object_ref (store);
  self->context = g_main_context_ref_thread_default ();
  self->watch = cl_store_watch_new (store);
  g_signal_connect (self->watch, "station-changed", G_CALLBACK (on_station_changed), self);
  cl_store_watch_start (self->watch);
  /* The watch's first notice comes once it listens; this read does not wait for it. */
  start_read (self);
  return self;
}
