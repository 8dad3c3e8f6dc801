/* cl-batch-run.c: the batch run object, its start and its public calls (cl-batch-run.h); the rest of it is in the
 * cl-batch-run-*.c files (cl-batch-run-private.h lists them). */
#include "line/cl-batch-run-private.h"

#include "core/cl-error.h"
#include "line/cl-feed-pause.h"
#include "line/cl-line-text.h"
#include "production/cl-station-keys.h"
#include "store/cl-store-rows.h"
#include "store/cl-store-station.h"

G_DEFINE_FINAL_TYPE (ClBatchRun, cl_batch_run, G_TYPE_OBJECT)

enum
{
  SIGNAL_EVENT,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
cl_batch_run_emit_event (ClBatchRun *self, ClLineEvent *event)
{
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, event);
}

void
cl_batch_run_emit_finished (ClBatchRun *self)
{
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

void
cl_batch_run_start (ClBatchRun *self)
{
  g_return_if_fail (CL_IS_BATCH_RUN (self));
  g_return_if_fail (self->main_context == NULL);

  self->main_context = g_main_context_ref_thread_default ();
  self->running = TRUE;
  cl_batch_run_connect_feeder (self);
  self->feed_thread = g_thread_new ("batch-run", cl_batch_run_feed_thread, g_object_ref (self));
}

void
cl_batch_run_set_paused (ClBatchRun *self, gboolean paused, const char *user)
{
  gboolean holds = cl_feeder_get_finish_cards_on_stop (self->feeder);
  ClFeedPause pause
    = { self->feeder, &self->lock, &self->cond, &self->stopping, &self->paused, &self->feed_cancellable };
  g_autoptr (ClLineEvent) event = NULL;

  g_return_if_fail (CL_IS_BATCH_RUN (self));

  paused = !!paused;
  if (!cl_feed_pause_set (&pause, paused))
    return;
  cl_batch_counters_set_paused (self->counters, paused);
  cl_batch_state_writer_push (self->state_writer, paused ? CL_BATCH_PAUSED : CL_BATCH_RUNNING,
                              user != NULL ? user : self->user);
  /* a printer holds one card at a time, a rack has several in production */
  event = cl_line_pause_event_new (self->station, paused, holds, holds);
  cl_batch_run_post_event (self, event);
}

gboolean
cl_batch_run_get_paused (ClBatchRun *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return self->paused;
}

void
cl_batch_run_retry (ClBatchRun *self)
{
  gboolean was_faulted;

  g_return_if_fail (CL_IS_BATCH_RUN (self));

  g_mutex_lock (&self->lock);
  was_faulted = self->faulted;
  self->faulted = FALSE;
  self->retries++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (was_faulted)
    cl_batch_run_post_note (self, NULL, "station fault cleared by the operator: taking cards again");
  cl_feeder_retry (self->feeder);
}

gboolean
cl_batch_run_get_faulted (ClBatchRun *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return self->faulted;
}

void
cl_batch_run_stop_async (ClBatchRun *self, const char *user, GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (CL_IS_BATCH_RUN (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cl_batch_run_stop_async);

  g_mutex_lock (&self->lock);
  if (!self->stopping)
    {
      self->stopping = TRUE;
      self->end_user = g_strdup (user != NULL ? user : self->user);
      if (self->feed_cancellable != NULL)
        g_cancellable_cancel (self->feed_cancellable);
      if (!cl_feeder_get_finish_cards_on_stop (self->feeder))
        {
          g_hash_table_iter_init (&iter, self->jobs);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            g_cancellable_cancel (value);
        }
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->lock);

  if (self->main_context == NULL)
    cl_batch_run_start (self); /* never started: the feed thread only records the batch's end */
  if (!self->running)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_ptr_array_add (self->stop_tasks, g_steal_pointer (&task));
}

gboolean
cl_batch_run_stop_finish (ClBatchRun *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
cl_batch_run_get_running (ClBatchRun *self)
{
  g_return_val_if_fail (CL_IS_BATCH_RUN (self), FALSE);
  return self->running;
}

gboolean
cl_batch_run_get_ending (ClBatchRun *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return self->stopping || cl_batch_run_over (self);
}

void
cl_batch_run_set_face_printer (ClBatchRun *self, ClFacePrinter *face)
{
  g_return_if_fail (CL_IS_BATCH_RUN (self));
  g_return_if_fail (self->main_context == NULL);
  g_set_object (&self->face, face);
}

void
cl_batch_run_set_face_ahead (ClBatchRun *self, gboolean ahead)
{
  g_return_if_fail (CL_IS_BATCH_RUN (self));
  g_return_if_fail (self->main_context == NULL);
  self->face_behind = !ahead;
}

ClFeeder *
cl_batch_run_get_feeder (ClBatchRun *self)
{
  g_return_val_if_fail (CL_IS_BATCH_RUN (self), NULL);
  return self->feeder;
}

gint64
cl_batch_run_get_batch_id (ClBatchRun *self)
{
  g_return_val_if_fail (CL_IS_BATCH_RUN (self), 0);
  return self->batch_id;
}

GCancellable *
cl_batch_run_get_done (ClBatchRun *self)
{
  g_return_val_if_fail (CL_IS_BATCH_RUN (self), NULL);
  return self->done;
}

ClBatchCounters *
cl_batch_run_get_counters (ClBatchRun *self)
{
  g_return_val_if_fail (CL_IS_BATCH_RUN (self), NULL);
  return self->counters;
}

guint
cl_batch_run_get_throughput (ClBatchRun *self, double *seconds)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  *seconds = self->first_card_us > 0 && self->last_dispose_us > self->first_card_us
               ? (self->last_dispose_us - self->first_card_us) / (double)G_USEC_PER_SEC
               : 0;
  return self->run_disposed;
}

void
cl_batch_run_note_reader (ClBatchRun *self, const char *reader)
{
  g_return_if_fail (CL_IS_BATCH_RUN (self));
  if (self->publisher != NULL)
    cl_station_publisher_reader (self->publisher, reader);
}

static void
cl_batch_run_dispose (GObject *object)
{
  ClBatchRun *self = CL_BATCH_RUN (object);

  /* the feed thread holds a reference until it ends: here it has ended, or never started */
  g_clear_object (&self->state_writer); /* writes what is queued */
  g_clear_object (&self->publisher);    /* writes the station's last state: STOPPED */
  G_OBJECT_CLASS (cl_batch_run_parent_class)->dispose (object);
}

static void
cl_batch_run_finalize (GObject *object)
{
  ClBatchRun *self = CL_BATCH_RUN (object);

  if (self->feed_thread != NULL)
    g_thread_unref (self->feed_thread);
  g_clear_object (&self->setup);
  g_clear_object (&self->feeder);
  g_clear_object (&self->face);
  g_clear_object (&self->done);
  g_clear_object (&self->counters);
  g_clear_object (&self->feed_cancellable);
  g_clear_pointer (&self->stop_tasks, g_ptr_array_unref);
  g_clear_pointer (&self->jobs, g_hash_table_unref);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_clear_object (&self->lease);
  g_free (self->station);
  g_free (self->batch_name);
  g_free (self->close_refused);
  g_free (self->user);
  g_free (self->end_user);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (cl_batch_run_parent_class)->finalize (object);
}

static void
cl_batch_run_class_init (ClBatchRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cl_batch_run_dispose;
  object_class->finalize = cl_batch_run_finalize;

  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, CL_TYPE_LINE_EVENT);
  signals[SIGNAL_FINISHED]
    = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cl_batch_run_init (ClBatchRun *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->done = g_cancellable_new ();
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
}

/* The station registers in the fleet's records (cl-store-fleet.h) and publishes its state from now on. */
static gboolean
publish_station (ClBatchRun *self, ClStore *store, GError **error)
{
  g_autofree char *printer = cl_feeder_dup_printer (self->feeder);
  ClFleetRegistration registration
    = { self->station, cl_feeder_get_fleet_feeder (self->feeder), NULL, printer, NULL, CL_STATION_LEASE_US };

  self->publisher = cl_station_publisher_new (store, &registration, error);
  return self->publisher != NULL;
}

ClBatchRun *
cl_batch_run_new (ClProductionSetup *setup, ClFeeder *feeder, const char *station, const char *batch_name,
                  guint quantity, const char *user, GError **error)
{
  g_autoptr (ClBatchRun) self = NULL;
  ClStore *store;
  g_autoptr (ClYieldSummary) summary = NULL;
  gint64 disposed;
  ClRowCounts rows;

  g_return_val_if_fail (CL_IS_PRODUCTION_SETUP (setup), NULL);
  g_return_val_if_fail (CL_IS_FEEDER (feeder), NULL);
  g_return_val_if_fail (batch_name != NULL, NULL);

  if (quantity == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "batch %s: the quantity must be at least 1", batch_name);
      return NULL;
    }
  store = cl_production_setup_get_store (setup);
  self = g_object_new (CL_TYPE_BATCH_RUN, NULL);
  self->setup = g_object_ref (setup);
  self->feeder = g_object_ref (feeder);
  self->station = g_strdup (cl_station_identity (station));
  self->batch_name = g_strdup (batch_name);
  self->quantity = quantity;
  self->user = g_strdup (user != NULL ? user : g_get_user_name ());
  /* a rack's card waits in its reader for as long as it takes: a feeder that moves its cards must not keep one */
  self->place_on_card = !cl_feeder_get_finish_cards_on_stop (feeder);

  /* One process per station identity: another live one would end this one's attempts as abandoned. */
  self->lease = cl_station_lease_new (store, self->station, CL_STATION_LEASE_US, error);
  if (self->lease == NULL)
    return NULL;
  g_signal_connect_object (self->lease, "lost", G_CALLBACK (cl_batch_run_on_lease_lost), self, G_CONNECT_DEFAULT);
  /* A fleet's stations produce with the same master keys: this one's are recorded and compared before any card. */
  if (!cl_station_keys_check (setup, self->station, error) || !publish_station (self, store, error))
    return NULL;

  /* found (a restarted station continues it, with the profile and quantity it was made with) or created */
  self->batch_id
    = cl_store_batch_open (store, batch_name, cl_profile_get_name (cl_production_setup_get_profile (setup)),
                           cl_profile_get_hash (cl_production_setup_get_profile (setup)), quantity, self->user, error);
  if (self->batch_id <= 0)
    return NULL;
  /* Attempts this station left open when it was killed get their one disposition before it produces again. */
  if (cl_store_attempt_abandon_open (store, self->station, error) < 0)
    return NULL;
  /* A restarted station continues its batch: what was disposed before counts. Attempts abandoned by a kill ended
   * RETAINED, not disposed: their cards were never made and count when they are fed again. */
  disposed = cl_store_batch_count_disposed (store, self->batch_id, error);
  if (disposed < 0)
    return NULL;
  self->disposed = (guint)disposed;
  summary = cl_store_yield_summary (store, self->batch_id, 0, 0, error);
  if (summary == NULL)
    return NULL;
  self->counters = cl_batch_counters_new (batch_name);
  cl_batch_counters_set (self->counters, quantity, (guint)summary->fed, (guint)summary->good, (guint)summary->rejected);
  if (!cl_store_batch_set_state (store, self->batch_id, CL_BATCH_RUNNING, self->user, error))
    return NULL;
  self->state_writer = cl_batch_state_writer_new (store, self->batch_id, cl_batch_run_on_state_failed, self);
  if (!cl_store_rows_count (store, self->batch_id, &rows, error))
    return NULL;
  self->has_rows = rows.pending + rows.in_production + rows.done + rows.failed > 0;
  if (cl_batch_run_over (self))
    g_cancellable_cancel (self->done);
  return g_steal_pointer (&self);
}
