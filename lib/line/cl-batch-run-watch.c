/* cl-batch-run-watch.c: a batch run's batch watch (the batch completed by other stations).
 *
 * Only the store sees other stations' cards, so a station whose feed waits learns only by asking it that they
 * completed the batch. The watch asks only for a batch another station can complete: on a PostgreSQL store (the
 * fleet's, shared by design), when the fleet's records show another live station on the store as the feed starts,
 * or once the run finds no place free that it does not hold itself (cl_batch_run_take_place: the others hold
 * them). A station alone on its SQLite file completes its batch itself, its own dispositions keep the count, and
 * the store is never polled for it. And while a card of this station is in flight its place keeps the batch open:
 * the card's end counts the batch again (job thread), so the watch asks only while none is. */
#include "line/cl-batch-run-private.h"

#include "store/cl-store-fleet.h"

/* How often a station asks the store whether its batch was completed by the others. */
#define BATCH_WATCH_MS 1000

static gpointer
watch_thread (gpointer data)
{
  ClBatchRun *self = data;

  g_mutex_lock (&self->lock);
  while (!self->stopping && !self->feed_done)
    {
      gint64 until = g_get_monotonic_time () + BATCH_WATCH_MS * G_TIME_SPAN_MILLISECOND;
      gint64 n;

      while (!self->stopping && !self->feed_done && g_cond_wait_until (&self->cond, &self->lock, until))
        ;
      if (self->stopping || self->feed_done)
        break;
      if (self->in_flight > 0)
        continue;
      /* asked without the lock, so a slow or unreachable store holds up nothing else */
      g_mutex_unlock (&self->lock);
      n = cl_store_batch_count_disposed (cl_production_setup_get_store (self->setup), self->batch_id, NULL);
      g_mutex_lock (&self->lock);
      if (n > (gint64)self->disposed)
        self->disposed = (guint)n;
      if (cl_batch_run_over (self))
        {
          if (self->feed_cancellable != NULL)
            g_cancellable_cancel (self->feed_cancellable);
          g_cond_broadcast (&self->cond);
        }
    }
  g_mutex_unlock (&self->lock);
  g_object_unref (self);
  return NULL;
}

void
cl_batch_run_watch_start (ClBatchRun *self)
{
  if (self->watching || self->stopping || self->feed_done)
    return;
  self->watching = TRUE;
  g_thread_unref (g_thread_new ("batch-watch", watch_thread, g_object_ref (self)));
}

/* Whether another station may produce this batch now: the store is the fleet's, or its records show another live
 * station. A store that cannot say counts as shared: the watch's polls cost little, a station left running does not. */
static gboolean
store_shared (ClBatchRun *self)
{
  ClStore *store = cl_production_setup_get_store (self->setup);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) stations = NULL;

  if (cl_store_is_shared (store))
    return TRUE;
  stations = cl_store_fleet_list (store, 0, &error);
  if (stations == NULL)
    {
      g_warning ("store: the fleet's stations are not known: %s", error->message);
      return TRUE;
    }
  for (guint i = 0; i < stations->len; i++)
    {
      const ClFleetStation *s = g_ptr_array_index (stations, i);

      if (g_strcmp0 (s->name, self->station) != 0 && s->state != CL_FLEET_STOPPED && !s->lost)
        return TRUE;
    }
  return FALSE;
}

void
cl_batch_run_watch_start_if_shared (ClBatchRun *self)
{
  gboolean shared = store_shared (self);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  if (shared)
    cl_batch_run_watch_start (self);
}
