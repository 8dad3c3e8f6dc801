#include "line/cl-batch-run.h"

#include "core/cl-error.h"
#include "line/cl-batch-state-writer.h"
#include "line/cl-card-job.h"
#include "keys/cl-audit-checkpoint.h"
#include "line/cl-line-text.h"
#include "line/cl-station-publisher.h"
#include "production/cl-station-keys.h"
#include "store/cl-station-lease.h"
#include "store/cl-store-place.h"
#include "store/cl-store-rows.h"
#include "store/cl-store-station.h"

#include <string.h>

struct _ClBatchRun
{
  GObject parent_instance;

  ClProductionSetup *setup;
  ClFeeder *feeder;
  ClFacePrinter *face;
  gboolean face_behind; /* cl_batch_run_set_face_ahead (FALSE) */
  char *station;
  ClStationLease *lease;         /* this process is the station (cl-store-station.h) */
  ClStationPublisher *publisher; /* its live state in the fleet's records (any thread) */
  char *batch_name;
  char *user; /* who runs the batch: its audit actor unless a command names another */
  gint64 batch_id;
  guint quantity;
  gboolean has_rows; /* the batch has a data file: it ends when no row is left to claim */
  GCancellable *done;
  ClBatchStateWriter *state_writer;
  char *close_refused;        /* why the store did not close the batch (e.g. a good card's PIN envelope is missing) */
  ClBatchCounters *counters;  /* main context */
  GMainContext *main_context; /* from cl_batch_run_start() */
  GThread *feed_thread;
  GPtrArray *stop_tasks; /* main context */
  gboolean running;      /* main context */

  /* shared between the main context, the feed thread and the card jobs */
  GMutex lock;
  GCond cond;
  gboolean paused;
  gboolean stopping;
  gboolean feed_done;    /* the feed thread stopped feeding: the batch watch ends */
  guint retries;         /* the operator's Resume presses */
  gboolean faulted;      /* a station fault holds the line until the part is back (or Resume) */
  ClLineFault fault;     /* which, while faulted */
  gboolean reconnecting; /* a card job is re-opening the HSM for every job */
  guint reconnects;      /* HSM reconnects that worked: a job waiting on one goes on with the new setup */
  gboolean feeder_out;   /* the feeder cannot go on: idle until Stop */
  char *end_user;
  guint disposed; /* the batch's, every station's, as the store last said */
  guint run_disposed;
  guint in_flight;
  GHashTable *jobs; /* reader -> GCancellable of its card job */
  GCancellable *feed_cancellable;
  gboolean place_fault;  /* the store could not hand out a place: said once, cleared when it can again */
  gboolean place_waited; /* no place free while other stations' cards are in production: said once */
  gint64 first_card_us, last_dispose_us;
};

G_DEFINE_FINAL_TYPE (ClBatchRun, cl_batch_run, G_TYPE_OBJECT)

/* The batch's PENDING rows; a store that cannot say lets cards through (their claim will say what is wrong). */
static gint64
rows_pending (ClBatchRun *self)
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
static void
refresh_disposed (ClBatchRun *self, guint at_least)
{
  g_autoptr (GError) error = NULL;
  gint64 n = cl_store_batch_count_disposed (cl_production_setup_get_store (self->setup), self->batch_id, &error);

  if (n < 0)
    g_warning ("store: the batch's disposed cards are not known: %s", error->message);
  self->disposed = n < 0 ? MAX (self->disposed, at_least) : (guint)n;
}

/* With the lock held: a batch with data is over once no row is pending and no card is in flight to give its row
 * back; otherwise once its quantity of cards was disposed. */
static gboolean
batch_over (ClBatchRun *self)
{
  if (self->disposed >= self->quantity)
    return TRUE;
  return self->has_rows && self->in_flight == 0 && rows_pending (self) == 0;
}

enum
{
  SIGNAL_EVENT,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- onto the main context ---- */

typedef struct
{
  ClBatchRun *self;
  ClLineEvent *event;
} Posted;

static void
posted_free (gpointer data)
{
  Posted *posted = data;

  g_object_unref (posted->self);
  g_object_unref (posted->event);
  g_free (posted);
}

static gboolean
posted_dispatch (gpointer data)
{
  Posted *posted = data;
  ClLineEventKind kind = cl_line_event_get_kind (posted->event);

  /* one attempt ended: the counters agree with the store's yield summary, where a card of unknown whereabouts is
   * fed but no reject */
  if (kind == CL_LINE_EVENT_REJECTED && cl_line_event_get_fields (posted->event)->whereabouts_unknown)
    {
      ClBatchCounters *c = posted->self->counters;

      cl_batch_counters_set (c, cl_batch_counters_get_quantity (c), cl_batch_counters_get_fed (c) + 1,
                             cl_batch_counters_get_good (c), cl_batch_counters_get_rejected (c));
    }
  else if (kind == CL_LINE_EVENT_GOOD || kind == CL_LINE_EVENT_REJECTED)
    cl_batch_counters_add (posted->self->counters, kind == CL_LINE_EVENT_GOOD);
  g_signal_emit (posted->self, signals[SIGNAL_EVENT], 0, posted->event);
  return G_SOURCE_REMOVE;
}

/* Any thread; the main context sees events in the order they were posted. */
static void
post_event (ClBatchRun *self, ClLineEvent *event)
{
  Posted *posted = g_new0 (Posted, 1);

  if (self->publisher != NULL)
    cl_station_publisher_event (self->publisher, event);
  posted->self = g_object_ref (self);
  posted->event = g_object_ref (event);
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, posted_dispatch, posted, posted_free);
}

static void
post_typed (ClBatchRun *self, ClLineEventKind kind, const char *reader, const ClLineEventFields *fields,
            const char *text)
{
  ClLineEventFields stamped = *fields;
  g_autoptr (ClLineEvent) event = NULL;

  stamped.station = self->station;
  event = cl_line_text_event_new (kind, reader, &stamped, text);
  post_event (self, event);
}

static void
post_note (ClBatchRun *self, const char *reader, const char *text)
{
  g_autoptr (ClLineEvent) event = cl_line_event_new (NULL, CL_LINE_EVENT_NOTE, reader, text);

  post_event (self, event);
}

static gboolean
is_station_part (ClLineFault fault)
{
  return fault == CL_LINE_FAULT_STORE || fault == CL_LINE_FAULT_READER_GONE || fault == CL_LINE_FAULT_SERVICE_LOST
         || fault == CL_LINE_FAULT_HSM || fault == CL_LINE_FAULT_PRINTER_QUEUE
         || fault == CL_LINE_FAULT_PRODUCTION_SERVICE;
}

static char *
fault_instruction (ClLineFault fault)
{
  if (fault == CL_LINE_FAULT_COMMUNICATION_LOST)
    return g_strdup_printf ("%s The line reconnects by itself.", cl_line_fault_instruction (fault));
  if (is_station_part (fault))
    return g_strdup_printf ("%s The line keeps reconnecting and resumes by itself (Resume tries at once).",
                            cl_line_fault_instruction (fault));
  if (cl_line_fault_clears_by_itself (fault))
    return g_strdup_printf ("%s The line resumes by itself once the printer reports it cleared (or press Resume).",
                            cl_line_fault_instruction (fault));
  return g_strdup (cl_line_fault_instruction (fault));
}

static void
post_fault (ClBatchRun *self, const char *reader, ClLineFault fault, gboolean card_inside, const char *detail)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  g_autofree char *instruction = fault_instruction (fault);

  fields.fault = fault;
  fields.card_inside = card_inside;
  fields.instruction = instruction;
  fields.note = detail;
  post_typed (self, CL_LINE_EVENT_FAULT, reader, &fields, NULL);
}

static void
post_fault_cleared (ClBatchRun *self, const char *reader, ClLineFault fault)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;

  fields.fault = fault;
  post_typed (self, CL_LINE_EVENT_FAULT_CLEARED, reader, &fields, NULL);
}

/* The heartbeat thread found this station taken over (this process hung past its lease): another process now
 * produces as this station, so this one must not go on as if it were. */
static void
on_lease_lost (ClStationLease *lease, gpointer user_data)
{
  ClBatchRun *self = user_data;
  g_autofree char *detail = g_strdup_printf (
    "station %s lost its lease on the store to another process: stop this one (its attempts are the other's now)",
    self->station);

  post_fault (self, NULL, CL_LINE_FAULT_STORE, FALSE, detail);
}

/* ---- the feeder's reports (any thread) ---- */

static void
on_feeder_fault (ClFeeder *feeder, const char *reader, ClLineFault fault, gboolean card_inside, const char *detail,
                 gpointer user_data)
{
  post_fault (user_data, reader, fault, card_inside, detail);
}

static void
on_feeder_fault_cleared (ClFeeder *feeder, const char *reader, ClLineFault fault, gpointer user_data)
{
  post_fault_cleared (user_data, reader, fault);
}

static void
on_feeder_card_removed (ClFeeder *feeder, const char *reader, gpointer user_data)
{
  ClBatchRun *self = user_data;
  g_autoptr (GCancellable) job = NULL;

  g_mutex_lock (&self->lock);
  job = g_hash_table_lookup (self->jobs, reader);
  if (job != NULL)
    g_object_ref (job);
  g_mutex_unlock (&self->lock);
  /* the card's sequence ends CARD_REMOVED, as the operator pulled it */
  if (job != NULL)
    g_cancellable_cancel (job);
}

static void
on_feeder_note (ClFeeder *feeder, const char *text, gpointer user_data)
{
  post_note (user_data, NULL, text);
}

/* ---- card jobs, each on its own thread ---- */

/* Back-off between tries to reach a lost part: quick for a blip, at most a few seconds for an outage. */
#define RECOVER_FIRST_MS 200
#define RECOVER_MAX_MS   5000

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
      post_fault (self, reader, fault, TRUE, error->message);
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
    post_fault_cleared (self, cl_feeder_card_get_reader (cl_card_job_get_card (job)), fault);
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
  post_event (user_data, event);
}

/* With the lock held (released meanwhile): gives back a place taken for a card that was not fed. */
static void
give_back_place (ClBatchRun *self)
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
      refresh_disposed (self, self->disposed + 1);
      self->run_disposed++;
      self->last_dispose_us = g_get_monotonic_time ();
    }
  /* a card that got no attempt leaves the place taken for it unused: back to the batch */
  if (!cl_card_job_began_attempt (running->job))
    give_back_place (self);
  /* a job gives up only when the line stops, or a card could not be accounted for: then the line holds */
  stopping = self->stopping;
  if (!ok && !stopping)
    {
      self->faulted = TRUE;
      self->fault = cl_card_job_get_fault (running->job);
    }
  complete = batch_over (self);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (!ok && !stopping)
    post_fault (self, reader, cl_card_job_get_fault (running->job), TRUE, error->message);
  if (complete)
    g_cancellable_cancel (self->done);
  g_object_unref (running->job);
  g_object_unref (running->cancellable);
  g_object_unref (running->self);
  g_free (running);
  return NULL;
}

/* How long a station without a free place waits before it asks the store again: the places come free as other
 * stations' cards are disposed (or given back), which only the store sees. */
#define PLACE_POLL_MS 250

/* With the lock held (released meanwhile): takes a place in the batch for the next card (cl-store-place.h). TRUE:
 * taken. FALSE: none now; the caller's loop decides again (the batch may be over, or a place may come free). */
static gboolean
take_place (ClBatchRun *self)
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
          post_fault_cleared (self, NULL, CL_LINE_FAULT_STORE);
          g_mutex_lock (&self->lock);
        }
      return TRUE;
    }
  if (place < 0 && !was_fault)
    {
      g_mutex_unlock (&self->lock);
      post_fault (self, NULL, CL_LINE_FAULT_STORE, FALSE, error->message);
      g_mutex_lock (&self->lock);
    }
  if (place == 0)
    {
      refresh_disposed (self, self->disposed);
      if (batch_over (self))
        return FALSE;
      if (!self->place_waited)
        {
          g_autofree char *text = g_strdup_printf (
            "batch %s: no place left for another card while other stations' cards are in production; the line feeds "
            "again if one of them is given back, and ends when they are disposed",
            self->batch_name);

          self->place_waited = TRUE;
          g_mutex_unlock (&self->lock);
          post_note (self, NULL, text);
          g_mutex_lock (&self->lock);
        }
    }
  until = g_get_monotonic_time () + (place < 0 ? RECOVER_MAX_MS : PLACE_POLL_MS) * G_TIME_SPAN_MILLISECOND;
  while (!self->stopping && g_cond_wait_until (&self->cond, &self->lock, until))
    ;
  return FALSE;
}

/* With the lock held. */
static void
start_job (ClBatchRun *self, ClFeederCard *card)
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

/* ---- the feed thread ---- */

/* With the lock held: whether the feeder may be asked for a card now. */
static gboolean
may_feed (ClBatchRun *self)
{
  guint max = cl_feeder_get_max_cards_in_flight (self->feeder);

  return !self->paused && !self->faulted && !self->feeder_out && (max == 0 || self->in_flight < max)
         && self->disposed + self->in_flight < self->quantity
         /* each card in flight may still claim a row: never more cards than rows */
         && (!self->has_rows || rows_pending (self) > (gint64)self->in_flight);
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

      while (!self->stopping && !batch_over (self) && !may_feed (self))
        g_cond_wait (&self->cond, &self->lock);
      if (self->stopping || batch_over (self))
        return;
      /* no card is fed without its place in the batch: the batch's quantity is shared by every station on it */
      if (!take_place (self))
        continue;
      /* a Stop or Pause that came while the lock was released for the store found no feed to cancel */
      if (self->stopping || !may_feed (self))
        {
          give_back_place (self);
          continue;
        }

      cancellable = g_cancellable_new ();
      g_set_object (&self->feed_cancellable, cancellable);
      g_mutex_unlock (&self->lock);
      card = cl_feeder_next_card (self->feeder, cancellable, &error);
      g_mutex_lock (&self->lock);
      g_clear_object (&self->feed_cancellable);

      if (card == NULL)
        {
          give_back_place (self);
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            continue; /* paused or stopping: the loop's wait decides */
          self->feeder_out = TRUE;
          g_mutex_unlock (&self->lock);
          post_fault (self, NULL, CL_LINE_FAULT_PRINTER_ERROR, FALSE, error->message);
          g_mutex_lock (&self->lock);
          continue;
        }
      /* A rack's card that arrives as the run stops stays in its reader; a card the feeder holds is finished. */
      if (self->stopping && !cl_feeder_get_finish_cards_on_stop (self->feeder))
        {
          give_back_place (self);
          return;
        }
      start_job (self, card);
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
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
  for (guint i = 0; i < tasks->len; i++)
    g_task_return_boolean (g_ptr_array_index (tasks, i), TRUE);
  return G_SOURCE_REMOVE;
}

static void
on_batch_state_failed (ClBatchState state, const GError *error, gpointer user_data)
{
  ClBatchRun *self = user_data;
  g_autofree char *text
    = g_strdup_printf ("store: batch not marked %s: %s", cl_batch_state_to_string (state), error->message);

  if (state == CL_BATCH_CLOSED)
    {
      g_mutex_lock (&self->lock);
      g_free (self->close_refused);
      self->close_refused = g_strdup (error->message);
      g_mutex_unlock (&self->lock);
    }
  post_note (self, NULL, text);
  post_fault (self, NULL, CL_LINE_FAULT_STORE, FALSE, error->message);
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
  post_note (self, NULL, text);
}

/* How often a station asks the store whether its batch was completed by the others: every station's cards count
 * (a batch may be shared, cl-store-place.h), and only the store sees the others'. */
#define BATCH_WATCH_MS 1000

/* The batch watch, on its own thread while the feed runs: a station whose feed waits (for a card, for a place, or for
 * cards in flight to make room) learns from the store that the other stations completed the batch, and ends too. The
 * store is asked without the lock, so a slow or unreachable store holds up nothing else. */
static gpointer
batch_watch_thread (gpointer data)
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
      if (batch_over (self))
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

static gpointer
feed_thread (gpointer data)
{
  ClBatchRun *self = data;
  g_autofree char *user = NULL;
  gboolean complete;

  feed_cards (self);

  /* the cards in flight end where they belong (a rack's were cancelled by Stop) */
  g_mutex_lock (&self->lock);
  self->feed_done = TRUE;
  g_cond_broadcast (&self->cond);
  while (self->in_flight > 0)
    g_cond_wait (&self->cond, &self->lock);
  complete = batch_over (self);
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
    post_typed (self, CL_LINE_EVENT_BATCH_DONE, NULL, &fields, text);
  }
  /* completed by the other stations on a shared batch: no card of this one's ended it, so it is said here */
  if (complete)
    g_cancellable_cancel (self->done);
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, finished_dispatch, g_object_ref (self),
                              g_object_unref);
  g_object_unref (self); /* the thread's own, from cl_batch_run_start() */
  return NULL;
}

/* ---- public ---- */

void
cl_batch_run_start (ClBatchRun *self)
{
  g_return_if_fail (CL_IS_BATCH_RUN (self));
  g_return_if_fail (self->main_context == NULL);

  self->main_context = g_main_context_ref_thread_default ();
  self->running = TRUE;
  g_signal_connect_object (self->feeder, "fault", G_CALLBACK (on_feeder_fault), self, 0);
  g_signal_connect_object (self->feeder, "fault-cleared", G_CALLBACK (on_feeder_fault_cleared), self, 0);
  g_signal_connect_object (self->feeder, "card-removed", G_CALLBACK (on_feeder_card_removed), self, 0);
  g_signal_connect_object (self->feeder, "note", G_CALLBACK (on_feeder_note), self, 0);
  self->feed_thread = g_thread_new ("batch-run", feed_thread, g_object_ref (self));
  g_thread_unref (g_thread_new ("batch-watch", batch_watch_thread, g_object_ref (self)));
}

/* With the lock held; held: the feeder holds its next card itself. */
static void
set_paused_locked (ClBatchRun *self, gboolean paused, gboolean held)
{
  self->paused = paused;
  /* a feed still waiting (for an insertion) gives way, unless the feeder holds it (a printer keeps watching its
   * fault while paused); a card already fed still comes */
  if (paused && !held && self->feed_cancellable != NULL)
    g_cancellable_cancel (self->feed_cancellable);
  g_cond_broadcast (&self->cond);
}

void
cl_batch_run_set_paused (ClBatchRun *self, gboolean paused, const char *user)
{
  gboolean holds = cl_feeder_get_finish_cards_on_stop (self->feeder);
  g_autoptr (ClLineEvent) event = NULL;
  gboolean held;

  g_return_if_fail (CL_IS_BATCH_RUN (self));

  paused = !!paused;
  g_mutex_lock (&self->lock);
  if (self->stopping || self->paused == paused)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  g_mutex_unlock (&self->lock);
  /* outside the lock: the feeder takes its own, and its reports come back into ours */
  held = cl_feeder_hold (self->feeder, paused);
  g_mutex_lock (&self->lock);
  set_paused_locked (self, paused, held);
  g_mutex_unlock (&self->lock);

  cl_batch_counters_set_paused (self->counters, paused);
  cl_batch_state_writer_push (self->state_writer, paused ? CL_BATCH_PAUSED : CL_BATCH_RUNNING,
                              user != NULL ? user : self->user);
  /* a printer holds one card at a time, a rack has several in production */
  event = cl_line_pause_event_new (self->station, paused, holds, holds);
  post_event (self, event);
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
    post_note (self, NULL, "station fault cleared by the operator: taking cards again");
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

  return self->stopping || batch_over (self);
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

  /* One process per station identity: another live one would end this one's attempts as abandoned. */
  self->lease = cl_station_lease_new (store, self->station, CL_STATION_LEASE_US, error);
  if (self->lease == NULL)
    return NULL;
  g_signal_connect_object (self->lease, "lost", G_CALLBACK (on_lease_lost), self, G_CONNECT_DEFAULT);
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
  self->state_writer = cl_batch_state_writer_new (store, self->batch_id, on_batch_state_failed, self);
  if (!cl_store_rows_count (store, self->batch_id, &rows, error))
    return NULL;
  self->has_rows = rows.pending + rows.in_production + rows.done + rows.failed > 0;
  if (batch_over (self))
    g_cancellable_cancel (self->done);
  return g_steal_pointer (&self);
}
