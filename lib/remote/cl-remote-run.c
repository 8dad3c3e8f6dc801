#include "remote/cl-remote-run.h"

#include "core/cl-error.h"
#include "line/cl-feed-pause.h"
#include "line/cl-line-text.h"
#include "remote/cl-remote-card-job.h"

#define WAIT_SLICE_US (100 * 1000)

struct _ClRemoteRun
{
  GObject parent_instance;

  ClFeeder *feeder;
  ClRamRelay *relay;
  ClCvc *srca;
  ClFacePrinter *face;
  char *station;
  char *batch_name;
  guint quantity;
  gboolean no_place;         /* the service has no place left in the batch: it is complete, whoever made its cards */
  ClBatchCounters *counters; /* main context */
  GMainContext *main_context;
  GThread *feed_thread;
  GCancellable *done;
  GCancellable *feed_cancellable; /* the next card being waited for; NULL between feeds */
  GCancellable *job_cancellable;  /* the card in flight */

  GMutex lock;
  GCond cond; /* paused or stopping changed */
  gboolean running;
  gboolean stopping;
  gboolean paused;
  gboolean faulted;
  ClLineFault fault;
  guint retries; /* Resume presses */
  guint disposed;
  guint round_trips;
  guint64 bytes_sent, bytes_received;
};

G_DEFINE_FINAL_TYPE (ClRemoteRun, cl_remote_run, G_TYPE_OBJECT)

enum
{
  SIGNAL_EVENT,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cl_remote_run_finalize (GObject *object)
{
  ClRemoteRun *self = CL_REMOTE_RUN (object);

  g_clear_object (&self->feeder);
  g_clear_object (&self->relay);
  g_clear_object (&self->srca);
  g_clear_object (&self->face);
  g_clear_object (&self->counters);
  g_clear_object (&self->done);
  g_clear_object (&self->feed_cancellable);
  g_clear_object (&self->job_cancellable);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_free (self->station);
  g_free (self->batch_name);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (cl_remote_run_parent_class)->finalize (object);
}

static void
cl_remote_run_class_init (ClRemoteRunClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_remote_run_finalize;
  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, CL_TYPE_LINE_EVENT);
  signals[SIGNAL_FINISHED]
    = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cl_remote_run_init (ClRemoteRun *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->done = g_cancellable_new ();
  self->job_cancellable = g_cancellable_new ();
}

ClRemoteRun *
cl_remote_run_new (ClFeeder *feeder, ClRamRelay *relay, ClCvc *srca, const char *station, const char *batch_name,
                   guint quantity)
{
  ClRemoteRun *self;

  g_return_val_if_fail (CL_IS_FEEDER (feeder), NULL);
  g_return_val_if_fail (CL_IS_RAM_RELAY (relay), NULL);
  g_return_val_if_fail (CL_IS_CVC (srca), NULL);

  self = g_object_new (CL_TYPE_REMOTE_RUN, NULL);
  self->feeder = g_object_ref (feeder);
  self->relay = g_object_ref (relay);
  self->srca = g_object_ref (srca);
  self->station = g_strdup (station);
  self->batch_name = g_strdup (batch_name != NULL ? batch_name : "remote");
  self->quantity = quantity;
  self->counters = cl_batch_counters_new (self->batch_name);
  cl_batch_counters_set (self->counters, quantity, 0, 0, 0);
  return self;
}

void
cl_remote_run_set_face_printer (ClRemoteRun *self, ClFacePrinter *face)
{
  g_return_if_fail (CL_IS_REMOTE_RUN (self));
  g_set_object (&self->face, face);
}

ClFeeder *
cl_remote_run_get_feeder (ClRemoteRun *self)
{
  g_return_val_if_fail (CL_IS_REMOTE_RUN (self), NULL);
  return self->feeder;
}

/* ---- onto the main context ---- */

typedef struct
{
  ClRemoteRun *self;
  ClLineEvent *event; /* NULL: "finished" */
} Posted;

static void
posted_free (gpointer data)
{
  Posted *posted = data;

  g_object_unref (posted->self);
  g_clear_object (&posted->event);
  g_free (posted);
}

static gboolean
posted_dispatch (gpointer data)
{
  Posted *posted = data;
  ClLineEventKind kind;

  if (posted->event == NULL)
    {
      g_mutex_lock (&posted->self->lock);
      posted->self->running = FALSE;
      g_mutex_unlock (&posted->self->lock);
      cl_batch_counters_set_ended (posted->self->counters, TRUE);
      g_signal_emit (posted->self, signals[SIGNAL_FINISHED], 0);
      return G_SOURCE_REMOVE;
    }
  kind = cl_line_event_get_kind (posted->event);
  if (kind == CL_LINE_EVENT_GOOD || kind == CL_LINE_EVENT_REJECTED)
    cl_batch_counters_add (posted->self->counters, kind == CL_LINE_EVENT_GOOD);
  g_signal_emit (posted->self, signals[SIGNAL_EVENT], 0, posted->event);
  return G_SOURCE_REMOVE;
}

static void
post (ClRemoteRun *self, ClLineEvent *event)
{
  Posted *posted = g_new0 (Posted, 1);

  posted->self = g_object_ref (self);
  posted->event = event != NULL ? g_object_ref (event) : NULL;
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, posted_dispatch, posted, posted_free);
}

static void
post_fault (ClRemoteRun *self, ClLineEventKind kind, const char *reader, ClLineFault fault, const char *note)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  g_autoptr (ClLineEvent) event = NULL;

  fields.station = self->station;
  fields.fault = fault;
  fields.card_inside = TRUE;
  fields.instruction = cl_line_fault_instruction (fault);
  fields.note = note;
  event = cl_line_text_event_new (kind, reader, &fields, NULL);
  post (self, event);
}

/* ---- the card job's waits ---- */

static void
on_job_event (ClRemoteCardJob *job, ClLineEvent *event, gpointer user_data)
{
  post (user_data, event);
}

static gboolean
on_job_wait (ClRemoteCardJob *job, ClLineFault fault, const GError *error, guint tries, GCancellable *cancellable,
             gpointer user_data)
{
  ClRemoteRun *self = user_data;
  /* back off, up to 8 s between tries; Resume tries at once */
  gint64 until = g_get_monotonic_time () + MIN ((gint64)G_USEC_PER_SEC / 2 << MIN (tries, 4), 8 * G_USEC_PER_SEC);
  guint retries;
  gboolean go_on;

  g_mutex_lock (&self->lock);
  if (!self->faulted || self->fault != fault)
    {
      self->faulted = TRUE;
      self->fault = fault;
      post_fault (self, CL_LINE_EVENT_FAULT, NULL, fault, error != NULL ? error->message : NULL);
    }
  else if (error != NULL)
    {
      /* each try says what it ran into: the operator sees the network change from cut to slow */
      g_autofree char *text = g_strdup_printf ("still waiting (%s): %s", cl_line_fault_to_nick (fault), error->message);
      g_autoptr (ClLineEvent) event = cl_line_event_new (NULL, CL_LINE_EVENT_NOTE, NULL, text);

      post (self, event);
    }
  retries = self->retries;
  g_mutex_unlock (&self->lock);
  /* in slices, so a stop or a cancel is seen without a second thread to wake us */
  while (g_get_monotonic_time () < until && !g_cancellable_is_cancelled (cancellable))
    {
      g_mutex_lock (&self->lock);
      go_on = self->retries == retries && !self->stopping;
      g_mutex_unlock (&self->lock);
      if (!go_on)
        break;
      g_usleep (MIN (WAIT_SLICE_US, until - g_get_monotonic_time () + 1));
    }
  g_mutex_lock (&self->lock);
  go_on = !self->stopping;
  g_mutex_unlock (&self->lock);
  return go_on && !g_cancellable_is_cancelled (cancellable);
}

static void
on_job_cleared (ClRemoteCardJob *job, ClLineFault fault, gpointer user_data)
{
  ClRemoteRun *self = user_data;

  g_mutex_lock (&self->lock);
  if (self->faulted)
    {
      self->faulted = FALSE;
      post_fault (self, CL_LINE_EVENT_FAULT_CLEARED, NULL, self->fault, NULL);
    }
  g_mutex_unlock (&self->lock);
}

/* ---- the feed thread ---- */

/* With the lock held. */
static gboolean
ending_locked (ClRemoteRun *self)
{
  return self->stopping || self->no_place || (self->quantity > 0 && self->disposed >= self->quantity);
}

/* Waits out a pause; then, unless the run ends, the cancellable for the next card's feed (a pause or a stop cancels
 * it). */
static GCancellable *
next_feed (ClRemoteRun *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  while (self->paused && !ending_locked (self))
    g_cond_wait (&self->cond, &self->lock);
  if (ending_locked (self))
    return NULL;
  g_clear_object (&self->feed_cancellable);
  self->feed_cancellable = g_cancellable_new ();
  return g_object_ref (self->feed_cancellable);
}

static gpointer
feed_thread (gpointer data)
{
  ClRemoteRun *self = data;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GCancellable) feed = next_feed (self);
      g_autoptr (ClFeederCard) card = NULL;
      g_autoptr (ClRemoteCardJob) job = NULL;
      guint trips;
      guint64 sent, received;
      gboolean disposed, complete;

      if (feed == NULL)
        break;
      card = cl_feeder_next_card (self->feeder, feed, &error);
      g_mutex_lock (&self->lock);
      g_clear_object (&self->feed_cancellable);
      g_mutex_unlock (&self->lock);
      if (card == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        continue; /* paused or stopping: next_feed decides */
      if (card == NULL)
        {
          g_autofree char *text = g_strdup_printf ("the feeder cannot go on: %s", error->message);
          g_autoptr (ClLineEvent) event = cl_line_event_new (NULL, CL_LINE_EVENT_NOTE, NULL, text);

          post (self, event);
          break;
        }
      job = cl_remote_card_job_new (self->relay, self->srca, self->feeder, card, self->station, self->batch_name);
      cl_remote_card_job_set_face_printer (job, self->face);
      cl_remote_card_job_set_event_func (job, on_job_event, self);
      cl_remote_card_job_set_wait_func (job, on_job_wait, on_job_cleared, self);
      disposed = cl_remote_card_job_run (job, self->job_cancellable, &error);
      cl_remote_card_job_get_traffic (job, &trips, &sent, &received);
      g_mutex_lock (&self->lock);
      self->round_trips += trips;
      self->bytes_sent += sent;
      self->bytes_received += received;
      if (disposed)
        self->disposed++;
      else if (g_error_matches (error, CL_ERROR, CL_ERROR_BATCH_FULL))
        self->no_place = TRUE;
      complete = self->no_place || (self->quantity > 0 && self->disposed >= self->quantity);
      g_mutex_unlock (&self->lock);
      /* outside the lock: whoever listens may stop the run, which takes it */
      if (complete)
        g_cancellable_cancel (self->done);
      if (!disposed)
        {
          g_autofree char *text
            = g_strdup_printf ("card left where it is: %s", error != NULL ? error->message : "the line stopped");
          g_autoptr (ClLineEvent) event
            = cl_line_event_new (NULL, CL_LINE_EVENT_NOTE, cl_feeder_card_get_reader (card), text);

          post (self, event);
        }
    }
  cl_feeder_shutdown (self->feeder);
  post (self, NULL);
  g_object_unref (self);
  return NULL;
}

void
cl_remote_run_start (ClRemoteRun *self)
{
  g_return_if_fail (CL_IS_REMOTE_RUN (self));
  g_return_if_fail (self->feed_thread == NULL);

  self->main_context = g_main_context_ref_thread_default ();
  self->running = TRUE;
  self->feed_thread = g_thread_new ("remote-feed", feed_thread, g_object_ref (self));
  /* the thread owns its reference; it ends on its own */
  g_thread_unref (self->feed_thread);
}

void
cl_remote_run_retry (ClRemoteRun *self)
{
  g_return_if_fail (CL_IS_REMOTE_RUN (self));
  g_mutex_lock (&self->lock);
  self->retries++;
  g_mutex_unlock (&self->lock);
  cl_feeder_retry (self->feeder);
}

void
cl_remote_run_stop (ClRemoteRun *self)
{
  g_autoptr (GCancellable) feed = NULL;

  g_return_if_fail (CL_IS_REMOTE_RUN (self));
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  feed = self->feed_cancellable != NULL ? g_object_ref (self->feed_cancellable) : NULL;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (feed != NULL)
    g_cancellable_cancel (feed);
  /* a rack's operator pulls the cards; a printer's card finishes (it must not stay inside) */
  if (!cl_feeder_get_finish_cards_on_stop (self->feeder))
    g_cancellable_cancel (self->job_cancellable);
}

void
cl_remote_run_set_paused (ClRemoteRun *self, gboolean paused)
{
  ClFeedPause pause
    = { self->feeder, &self->lock, &self->cond, &self->stopping, &self->paused, &self->feed_cancellable };
  g_autoptr (ClLineEvent) event = NULL;

  g_return_if_fail (CL_IS_REMOTE_RUN (self));
  paused = !!paused;
  if (!cl_feed_pause_set (&pause, paused))
    return;

  cl_batch_counters_set_paused (self->counters, paused);
  /* one card at a time */
  event = cl_line_pause_event_new (self->station, paused, cl_feeder_get_finish_cards_on_stop (self->feeder), TRUE);
  post (self, event);
}

gboolean
cl_remote_run_get_paused (ClRemoteRun *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;

  g_return_val_if_fail (CL_IS_REMOTE_RUN (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);
  return self->paused;
}

gboolean
cl_remote_run_get_running (ClRemoteRun *self)
{
  gboolean running;

  g_return_val_if_fail (CL_IS_REMOTE_RUN (self), FALSE);
  g_mutex_lock (&self->lock);
  running = self->running;
  g_mutex_unlock (&self->lock);
  return running;
}

GCancellable *
cl_remote_run_get_done (ClRemoteRun *self)
{
  g_return_val_if_fail (CL_IS_REMOTE_RUN (self), NULL);
  return self->done;
}

ClBatchCounters *
cl_remote_run_get_counters (ClRemoteRun *self)
{
  g_return_val_if_fail (CL_IS_REMOTE_RUN (self), NULL);
  return self->counters;
}

void
cl_remote_run_get_traffic (ClRemoteRun *self, guint *cards, guint *round_trips, guint64 *bytes_sent,
                           guint64 *bytes_received)
{
  g_return_if_fail (CL_IS_REMOTE_RUN (self));
  g_mutex_lock (&self->lock);
  *cards = self->disposed;
  *round_trips = self->round_trips;
  *bytes_sent = self->bytes_sent;
  *bytes_received = self->bytes_received;
  g_mutex_unlock (&self->lock);
}

char *
cl_remote_run_summary (ClRemoteRun *self)
{
  guint cards, trips;
  guint64 sent, received;

  g_return_val_if_fail (CL_IS_REMOTE_RUN (self), NULL);
  cl_remote_run_get_traffic (self, &cards, &trips, &sent, &received);
  return g_strdup_printf ("remote batch %s cards=%u good=%u rejected=%u round-trips=%u bytes-out=%" G_GUINT64_FORMAT
                          " bytes-in=%" G_GUINT64_FORMAT,
                          self->no_place || (self->quantity > 0 && cards >= self->quantity) ? "complete" : "stopped",
                          cards, cl_batch_counters_get_good (self->counters),
                          cl_batch_counters_get_rejected (self->counters), trips, sent, received);
}
