/* cl-batch-run-watch.c: a batch run's batch watch (the batch completed by other stations). */
#include "line/cl-batch-run-private.h"

#include "store/cl-store-place.h"

/* How often a station asks the store whether its batch was completed by the others: every station's cards count
 * (a batch may be shared, cl-store-place.h), and only the store sees the others'. */
#define BATCH_WATCH_MS 1000

/* The batch watch, on its own thread while the feed runs: a station whose feed waits (for a card, for a place, or for
 * cards in flight to make room) learns from the store that the other stations completed the batch, and ends too. The
 * store is asked without the lock, so a slow or unreachable store holds up nothing else. */
gpointer
cl_batch_run_watch_thread (gpointer data)
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
