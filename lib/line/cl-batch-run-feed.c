/* cl-batch-run-feed.c: a batch run's feed thread: cards from the feeder into card jobs while the line may take
 * them, then the batch's end. */
#include "line/cl-batch-run-private.h"

#include "keys/cl-audit-checkpoint.h"

/* With the lock held: whether the feeder may be asked for a card now. */
static gboolean
may_feed (ClBatchRun *self)
{
  guint max = cl_feeder_get_max_cards_in_flight (self->feeder);

  return !self->paused && !self->faulted && !self->feeder_out && (max == 0 || self->in_flight < max)
         && self->disposed + self->in_flight < self->quantity
         /* each card in flight may still claim a row: never more cards than rows */
         && (!self->has_rows || cl_batch_run_rows_pending (self) > (gint64)self->in_flight);
}

/* With the lock held (released meanwhile): a place for a rack's card present at its reader. While none is free
 * (other stations' cards hold them) the card waits, and is produced if one of them is given back; once the others
 * complete the batch, or on Stop, the card is left in its reader unproduced and nothing is recorded for it. */
static gboolean
place_for_card (ClBatchRun *self, ClFeederCard *card)
{
  const char *reader = cl_feeder_card_get_reader (card);

  for (;;)
    {
      if (self->stopping)
        return FALSE;
      if (cl_batch_run_over (self))
        {
          g_autofree char *text = g_strdup_printf (
            "card not produced: batch %s is complete at other stations (every place in it is taken); take the card "
            "out",
            self->batch_name);

          g_mutex_unlock (&self->lock);
          cl_batch_run_post_note (self, reader, text);
          g_mutex_lock (&self->lock);
          return FALSE;
        }
      if (cl_batch_run_take_place (self, reader))
        break;
    }
  /* a Stop that came while the lock was released for the store: the card stays in its reader */
  if (self->stopping)
    {
      cl_batch_run_give_back_place (self);
      return FALSE;
    }
  return TRUE;
}

static void
feed_cards (ClBatchRun *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  for (;;)
    {
      g_autoptr (GCancellable) cancellable = NULL;
      g_autoptr (ClFeederCard) card = NULL;
      g_autoptr (GError) error = NULL;
      gboolean placed = FALSE;

      while (!self->stopping && !cl_batch_run_over (self) && !may_feed (self))
        g_cond_wait (&self->cond, &self->lock);
      if (self->stopping || cl_batch_run_over (self))
        return;
      /* No card is fed without its place in the batch: the batch's quantity is shared by every station on it. A
       * printer takes it before it feeds (a card out of the hopper cannot go back); a rack once a card is present,
       * so that its readers waiting for the operator hold no place another station's ready card could take. */
      if (!self->place_on_card)
        {
          if (!cl_batch_run_take_place (self, NULL))
            continue;
          placed = TRUE;
          /* a Stop or Pause that came while the lock was released for the store found no feed to cancel */
          if (self->stopping || !may_feed (self))
            {
              cl_batch_run_give_back_place (self);
              continue;
            }
        }

      cancellable = g_cancellable_new ();
      g_set_object (&self->feed_cancellable, cancellable);
      g_mutex_unlock (&self->lock);
      card = cl_feeder_next_card (self->feeder, cancellable, &error);
      g_mutex_lock (&self->lock);
      g_clear_object (&self->feed_cancellable);

      if (card == NULL)
        {
          if (placed)
            cl_batch_run_give_back_place (self);
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            continue; /* paused or stopping: the loop's wait decides */
          self->feeder_out = TRUE;
          g_mutex_unlock (&self->lock);
          cl_batch_run_post_fault (self, NULL, CL_LINE_FAULT_PRINTER_ERROR, FALSE, error->message);
          g_mutex_lock (&self->lock);
          continue;
        }
      /* A rack's card that arrives as the run stops stays in its reader; a card the feeder holds is finished. */
      if (self->stopping && !cl_feeder_get_finish_cards_on_stop (self->feeder))
        {
          if (placed)
            cl_batch_run_give_back_place (self);
          return;
        }
      if (!placed && !place_for_card (self, card))
        continue;
      cl_batch_run_start_job (self, card);
    }
}

static gboolean
finished_dispatch (gpointer data)
{
  ClBatchRun *self = data;
  g_autoptr (GPtrArray) tasks = g_steal_pointer (&self->stop_tasks);

  self->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->running = FALSE;
  if (self->feed_thread != NULL)
    g_thread_join (g_steal_pointer (&self->feed_thread));
  cl_batch_counters_set_ended (self->counters, TRUE);
  if (self->publisher != NULL)
    cl_station_publisher_stopped (self->publisher);
  cl_batch_run_emit_finished (self);
  for (guint i = 0; i < tasks->len; i++)
    g_task_return_boolean (g_ptr_array_index (tasks, i), TRUE);
  return G_SOURCE_REMOVE;
}

/* At the end of every batch run the audit chain's head is signed in the token (keys/cl-audit-checkpoint.h says
 * why then). A token without the audit key leaves the records hash-chained only, which the log says. */
static void
sign_checkpoint (ClBatchRun *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11EcKey) key
    = cl_p11_ec_key_find (cl_production_setup_get_token (self->setup), CL_AUDIT_KEY_LABEL, &error);
  g_autoptr (ClAuditCheckpoint) checkpoint = NULL;
  g_autofree char *text = NULL;

  if (key != NULL)
    checkpoint = cl_audit_checkpoint_sign (cl_production_setup_get_store (self->setup), key, &error);
  if (checkpoint != NULL)
    text = g_strdup_printf ("audit checkpoint signed at record %" G_GINT64_FORMAT, checkpoint->seq);
  else
    text = g_strdup_printf ("audit checkpoint not signed (%s): the records are hash-chained only", error->message);
  cl_batch_run_post_note (self, NULL, text);
}

gpointer
cl_batch_run_feed_thread (gpointer data)
{
  ClBatchRun *self = data;
  g_autofree char *user = NULL;
  gboolean complete;

  cl_batch_run_watch_start_if_shared (self);
  feed_cards (self);

  /* the cards in flight end where they belong (a rack's were cancelled by Stop) */
  g_mutex_lock (&self->lock);
  self->feed_done = TRUE;
  g_cond_broadcast (&self->cond);
  while (self->in_flight > 0)
    g_cond_wait (&self->cond, &self->lock);
  complete = cl_batch_run_over (self);
  /* a feeder that gave up holds the run until Stop: the batch is not over because a printer went away */
  while (!complete && !self->stopping)
    g_cond_wait (&self->cond, &self->lock);
  self->stopping = TRUE;
  /* complete without a Stop: the batch ends for whoever runs it */
  user = g_strdup (self->end_user != NULL ? self->end_user : self->user);
  g_mutex_unlock (&self->lock);

  cl_feeder_shutdown (self->feeder);
  cl_batch_state_writer_push (self->state_writer, complete ? CL_BATCH_CLOSED : CL_BATCH_ABORTED, user);
  /* the batch's end is on disk before anyone is told the run finished */
  cl_batch_state_writer_flush (self->state_writer);
  sign_checkpoint (self);
  {
    ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
    g_autofree char *refused = NULL;
    g_autofree char *text = NULL;

    g_mutex_lock (&self->lock);
    refused = g_steal_pointer (&self->close_refused);
    g_mutex_unlock (&self->lock);
    /* all its cards are made, but a batch the store would not close is not announced as closed */
    if (complete && refused != NULL)
      text = g_strdup_printf ("batch complete but not closed: %s", refused);
    else
      text = g_strdup (complete ? "batch closed" : "batch stopped: no more cards are taken for it");
    fields.good = complete;
    cl_batch_run_post_typed (self, CL_LINE_EVENT_BATCH_DONE, NULL, &fields, text);
  }
  /* completed by the other stations on a shared batch: no card of this one's ended it, so it is said here */
  if (complete)
    g_cancellable_cancel (self->done);
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, finished_dispatch, g_object_ref (self),
                              g_object_unref);
  g_object_unref (self); /* the thread's own, from cl_batch_run_start() */
  return NULL;
}
