/* cl-batch-run-jobs.c: a batch run's card jobs, each on its own thread, and their wait for a station part that failed.
 */
#include "line/cl-batch-run-private.h"

#include "line/cl-card-job.h"

/* The HSM came back only if its token opens again and every object the batch uses is found again. */
static ClProductionSetup *
reopen_hsm (ClBatchRun *self, ClProductionSetup *setup, GError **error)
{
  ClP11Token *token = cl_production_setup_get_token (setup);

  if (!cl_p11_token_reconnect (token, error))
    return NULL;
  return cl_production_setup_new (cl_production_setup_get_profile (setup), token, cl_production_setup_get_store (setup),
                                  error);
}

/* Card job thread. The first job to meet a fault pauses the line and tells the operator; every job holding a card
 * waits here, backing off, until its part is back: the HSM once one job's reconnect worked (every job then goes on
 * with the objects looked up again), the store, reader and PC/SC service when the job's own next try gets past the
 * fault (job_resumed). Resume (cl_batch_run_retry) and Stop cut the wait short. */
static ClProductionSetup *
job_recover (ClCardJob *job, ClLineFault fault, const GError *error, guint tries, GCancellable *cancellable,
             gpointer user_data)
{
  ClBatchRun *self = user_data;
  const char *reader = cl_feeder_card_get_reader (cl_card_job_get_card (job));
  gint64 wait_ms = MIN ((gint64)RECOVER_FIRST_MS << MIN (tries, 10), RECOVER_MAX_MS);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  guint reconnects = self->reconnects;
  gboolean tell = !self->faulted || self->fault != fault;

  self->faulted = TRUE;
  self->fault = fault;
  if (tell)
    {
      g_mutex_unlock (&self->lock);
      cl_batch_run_post_fault (self, reader, fault, TRUE, error->message);
      g_mutex_lock (&self->lock);
    }
  for (;;)
    {
      gint64 until = g_get_monotonic_time () + wait_ms * G_TIME_SPAN_MILLISECOND;
      guint retries = self->retries;

      while (!self->stopping && !g_cancellable_is_cancelled (cancellable) && self->retries == retries
             && self->reconnects == reconnects)
        if (!g_cond_wait_until (&self->cond, &self->lock, until))
          break;
      if (self->stopping || g_cancellable_is_cancelled (cancellable))
        return NULL;
      /* a Resume does not let new cards in while this one still waits for its part */
      self->faulted = TRUE;
      if (self->reconnects != reconnects || fault != CL_LINE_FAULT_HSM)
        return g_object_ref (self->setup);
      if (!self->reconnecting)
        {
          g_autoptr (ClProductionSetup) current = g_object_ref (self->setup);
          g_autoptr (ClProductionSetup) setup = NULL;
          g_autoptr (GError) local = NULL;

          self->reconnecting = TRUE;
          g_mutex_unlock (&self->lock);
          setup = reopen_hsm (self, current, &local);
          g_mutex_lock (&self->lock);
          self->reconnecting = FALSE;
          if (setup != NULL)
            {
              g_set_object (&self->setup, setup);
              self->reconnects++;
              g_cond_broadcast (&self->cond);
              return g_object_ref (self->setup);
            }
          g_debug ("HSM not back yet: %s", local->message);
        }
      wait_ms = MIN (wait_ms * 2, RECOVER_MAX_MS);
    }
}

/* Card job thread: a card went on past its fault, the part works again. */
static void
job_resumed (ClCardJob *job, ClLineFault fault, gpointer user_data)
{
  ClBatchRun *self = user_data;
  gboolean was;

  g_mutex_lock (&self->lock);
  was = self->faulted && self->fault == fault;
  if (was)
    self->faulted = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (was)
    cl_batch_run_post_fault_cleared (self, cl_feeder_card_get_reader (cl_card_job_get_card (job)), fault);
}

typedef struct
{
  ClBatchRun *self;
  ClCardJob *job;
  GCancellable *cancellable;
} Running;

static void
on_job_event (ClCardJob *job, ClLineEvent *event, gpointer user_data)
{
  cl_batch_run_post_event (user_data, event);
}

static gpointer
job_thread (gpointer data)
{
  Running *running = data;
  ClBatchRun *self = running->self;
  const char *reader = cl_feeder_card_get_reader (cl_card_job_get_card (running->job));
  g_autoptr (GError) error = NULL;
  gboolean ok, complete, stopping;

  ok = cl_card_job_run (running->job, running->cancellable, &error);

  g_mutex_lock (&self->lock);
  /* a rack reader's next card may already have its own entry: only this job's is taken away */
  if (g_hash_table_lookup (self->jobs, reader) == running->cancellable)
    g_hash_table_remove (self->jobs, reader);
  self->in_flight--;
  if (cl_card_job_get_recorded (running->job))
    {
      cl_batch_run_refresh_disposed (self, self->disposed + 1);
      self->run_disposed++;
      self->last_dispose_us = g_get_monotonic_time ();
    }
  /* a card that got no attempt leaves the place taken for it unused: back to the batch */
  if (!cl_card_job_began_attempt (running->job))
    cl_batch_run_give_back_place (self);
  /* a job gives up only when the line stops, or a card could not be accounted for: then the line holds */
  stopping = self->stopping;
  if (!ok && !stopping)
    {
      self->faulted = TRUE;
      self->fault = cl_card_job_get_fault (running->job);
    }
  complete = cl_batch_run_over (self);
  /* a rack's feed may be waiting for an insertion when this card completes the batch */
  if (complete && self->feed_cancellable != NULL)
    g_cancellable_cancel (self->feed_cancellable);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (!ok && !stopping)
    cl_batch_run_post_fault (self, reader, cl_card_job_get_fault (running->job), TRUE, error->message);
  if (complete)
    g_cancellable_cancel (self->done);
  g_object_unref (running->job);
  g_object_unref (running->cancellable);
  g_object_unref (running->self);
  g_free (running);
  return NULL;
}

/* With the lock held. */
void
cl_batch_run_start_job (ClBatchRun *self, ClFeederCard *card)
{
  Running *running = g_new0 (Running, 1);
  const char *reader = cl_feeder_card_get_reader (card);

  running->self = g_object_ref (self);
  running->job = cl_card_job_new (self->setup, self->feeder, card, self->batch_id, self->batch_name, self->station);
  running->cancellable = g_cancellable_new ();
  cl_card_job_set_face_printer (running->job, self->face);
  cl_card_job_set_face_ahead (running->job, !self->face_behind);
  cl_card_job_set_event_func (running->job, on_job_event, self);
  cl_card_job_set_recover_func (running->job, job_recover, job_resumed, self);
  g_hash_table_replace (self->jobs, g_strdup (reader), g_object_ref (running->cancellable));
  self->in_flight++;
  if (self->first_card_us == 0)
    self->first_card_us = g_get_monotonic_time ();
  g_thread_unref (g_thread_new ("card-job", job_thread, running));
}
