/* cl-batch-run-places.c: a batch run's count of the batch (every station's cards) and its places in it
 * (cl-store-place.h): a card is produced only in a place of the batch. */
#include "line/cl-batch-run-private.h"

#include "store/cl-store-place.h"
#include "store/cl-store-rows.h"

/* The batch's PENDING rows; a store that cannot say lets cards through (their claim will say what is wrong). */
gint64
cl_batch_run_rows_pending (ClBatchRun *self)
{
  g_autoptr (GError) error = NULL;
  ClRowCounts counts;

  if (!cl_store_rows_count (cl_production_setup_get_store (self->setup), self->batch_id, &counts, &error))
    {
      g_warning ("store: the batch's pending rows are not known: %s", error->message);
      return G_MAXINT64;
    }
  return counts.pending;
}

/* With the lock held: the batch's disposed cards, every station's (a batch may be shared: cl-store-place.h); at least
 * at_least when the store cannot say. */
void
cl_batch_run_refresh_disposed (ClBatchRun *self, guint at_least)
{
  g_autoptr (GError) error = NULL;
  gint64 n = cl_store_batch_count_disposed (cl_production_setup_get_store (self->setup), self->batch_id, &error);

  if (n < 0)
    g_warning ("store: the batch's disposed cards are not known: %s", error->message);
  self->disposed = n < 0 ? MAX (self->disposed, at_least) : (guint)n;
}

/* With the lock held: a batch with data is over once no row is pending and no card is in flight to give its row
 * back; otherwise once its quantity of cards was disposed. */
gboolean
cl_batch_run_over (ClBatchRun *self)
{
  if (self->disposed >= self->quantity)
    return TRUE;
  return self->has_rows && self->in_flight == 0 && cl_batch_run_rows_pending (self) == 0;
}

/* With the lock held (released meanwhile): gives back a place taken for a card that was not fed. */
void
cl_batch_run_give_back_place (ClBatchRun *self)
{
  g_autoptr (GError) error = NULL;
  gboolean ok;

  g_mutex_unlock (&self->lock);
  ok = cl_store_place_give_back (cl_production_setup_get_store (self->setup), self->batch_id, self->station, &error);
  g_mutex_lock (&self->lock);
  /* not given back: the station gives it back when it starts again, or another station takes it over once this
   * one's lease has ended */
  if (!ok)
    g_warning ("store: a place in batch %s was not given back: %s", self->batch_name, error->message);
}

/* How long a station without a free place waits before it asks the store again: the places come free as other
 * stations' cards are disposed (or given back), which only the store sees. */
#define PLACE_POLL_MS 250

/* With the lock held (released meanwhile): takes a place in the batch for the next card (cl-store-place.h), or for
 * the card present at reader. TRUE: taken. FALSE: none now; the caller's loop decides again (the batch may be over,
 * or a place may come free). */
gboolean
cl_batch_run_take_place (ClBatchRun *self, const char *reader)
{
  g_autoptr (GError) error = NULL;
  gint64 place, until;
  gboolean was_fault;

  g_mutex_unlock (&self->lock);
  place = cl_store_place_take (cl_production_setup_get_store (self->setup), self->batch_id, self->station, &error);
  g_mutex_lock (&self->lock);
  was_fault = self->place_fault;
  self->place_fault = place < 0;
  if (place > 0)
    {
      self->place_waited = FALSE;
      if (was_fault)
        {
          g_mutex_unlock (&self->lock);
          cl_batch_run_post_fault_cleared (self, NULL, CL_LINE_FAULT_STORE);
          g_mutex_lock (&self->lock);
        }
      return TRUE;
    }
  if (place < 0 && !was_fault)
    {
      g_mutex_unlock (&self->lock);
      cl_batch_run_post_fault (self, NULL, CL_LINE_FAULT_STORE, FALSE, error->message);
      g_mutex_lock (&self->lock);
    }
  if (place == 0)
    {
      cl_batch_run_refresh_disposed (self, self->disposed);
      if (cl_batch_run_over (self))
        return FALSE;
      /* the places this run does not hold are other stations': they may complete the batch while this one waits */
      cl_batch_run_watch_start (self);
      if (!self->place_waited)
        {
          g_autofree char *text
            = reader != NULL
                ? g_strdup_printf ("batch %s: no place left for this card while other stations' cards are in "
                                   "production; it is produced if one of them is given back, else left unproduced",
                                   self->batch_name)
                : g_strdup_printf ("batch %s: no place left for another card while other stations' cards are in "
                                   "production; the line feeds again if one of them is given back, and ends when "
                                   "they are disposed",
                                   self->batch_name);

          self->place_waited = TRUE;
          g_mutex_unlock (&self->lock);
          cl_batch_run_post_note (self, reader, text);
          g_mutex_lock (&self->lock);
        }
    }
  until = g_get_monotonic_time () + (place < 0 ? RECOVER_MAX_MS : PLACE_POLL_MS) * G_TIME_SPAN_MILLISECOND;
  while (!self->stopping && g_cond_wait_until (&self->cond, &self->lock, until))
    ;
  return FALSE;
}
