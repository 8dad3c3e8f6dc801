#include "cl-production-line.h"

#include "line/cl-batch-state-writer.h"
#include "cl-station-feed.h"

#include "core/cl-error.h"
#include "pcsc/cl-pcsc-transport.h"
#include "production/cl-card-sequence.h"

struct _ClProductionLine
{
  GObject parent_instance;

  ClLine *line;
  ClProductionSetup *setup;
  gint64 batch_id;
  guint quantity;
  guint disposed;
  GHashTable *jobs; /* reader -> Job */
  GCancellable *done;
  gboolean stopping;
  gboolean paused;
  char *reserved_reader; /* the QA reader: never produced on */
  ClBatchCounters *counters;
  ClBatchStateWriter *state_writer;
};

G_DEFINE_FINAL_TYPE (ClProductionLine, cl_production_line, G_TYPE_OBJECT)

typedef struct
{
  ClProductionLine *self; /* strong */
  char *reader;
  GCancellable *cancellable;
  ClCardSequence *sequence;
  GMainContext *context;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->self);
  g_free (job->reader);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->sequence);
  g_main_context_unref (job->context);
  g_free (job);
}

static char *
sw_text (gint sw)
{
  return sw < 0 ? g_strdup ("-") : g_strdup_printf ("%04X", (guint)sw);
}

static char *
one_line (const char *text)
{
  char *copy = g_strdup (text);

  /* one event, one line: a detail never breaks a parser's line */
  g_strdelimit (copy, "\r\n", ' ');
  return copy;
}

static void
on_sequence_event (const ClSequenceEvent *event, gpointer user_data)
{
  Job *job = user_data;

  cl_station_feed_post (job->self->line, job->context, job->reader, event);
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr (ClPcscTransport) transport = NULL;
  GError *error = NULL;

  transport = cl_pcsc_transport_connect (job->reader, cancellable, &error);
  if (transport == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!cl_card_sequence_run (job->sequence, CL_TRANSPORT (transport), cancellable, &error))
    {
      cl_pcsc_transport_disconnect (transport, TRUE);
      g_task_return_error (task, error);
      return;
    }
  /* Reset: the next reader of this card (QA, the verifier) finds it powered fresh, no session left open. */
  cl_pcsc_transport_disconnect (transport, TRUE);
  g_task_return_boolean (task, TRUE);
}

static void
report_outcome (ClProductionLine *self, Job *job)
{
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (job->sequence);
  ClStation *station = cl_station_list_find (cl_line_get_stations (self->line), job->reader, NULL);
  g_autofree char *sw = sw_text (o->last_sw);
  g_autofree char *text = NULL, *status = NULL;
  g_autofree char *detail = o->detail != NULL ? one_line (o->detail) : NULL;
  ClLineEvent *event;

  if (o->good)
    {
      text = g_strdup_printf ("good chip=%s serial=%s ms=%.1f apdus=%" G_GUINT64_FORMAT, o->chip_id, o->serial,
                              o->cycle_us / 1000.0, o->apdus);
      status = g_strdup_printf ("GOOD %s", o->serial);
    }
  else
    {
      text = g_strdup_printf ("reject chip=%s reason=%s step=%s sw=%s ms=%.1f apdus=%" G_GUINT64_FORMAT " detail=%s",
                              o->chip_id != NULL ? o->chip_id : "-", cl_reject_reason_to_string (o->reason),
                              cl_production_step_to_string (o->failed_step), sw, o->cycle_us / 1000.0, o->apdus,
                              detail != NULL ? detail : "");
      status = g_strdup_printf ("REJECT %s at %s (SW %s)", cl_reject_reason_to_string (o->reason),
                                cl_production_step_to_string (o->failed_step), sw);
    }
  event = cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, job->reader, text);
  if (station != NULL)
    {
      if (cl_station_get_state (station) == CL_STATION_PRODUCING)
        cl_station_set_state (station, CL_STATION_CARD_PRESENT);
      cl_station_set_last_event (station, status, cl_line_event_get_time (event));
    }
}

static void
job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Job *job = user_data;
  ClProductionLine *self = job->self;
  g_autoptr (GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->disposed++;
      cl_batch_counters_add (self->counters, cl_card_sequence_get_outcome (job->sequence)->good);
      report_outcome (self, job);
    }
  else
    {
      /* no attempt was recorded (the card was gone before the connection, or the store failed) */
      g_autofree char *text = g_strdup_printf ("not produced: %s", error->message);
      ClStation *station = cl_station_list_find (cl_line_get_stations (self->line), job->reader, NULL);

      cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, job->reader, text);
      if (station != NULL && cl_station_get_state (station) == CL_STATION_PRODUCING)
        cl_station_set_state (station, CL_STATION_CARD_PRESENT);
    }
  g_hash_table_remove (self->jobs, job->reader);
  if (self->quantity > 0 && self->disposed >= self->quantity)
    g_cancellable_cancel (self->done);
}

static void
on_card_inserted (ClProductionLine *self, const char *reader, GBytes *atr)
{
  ClStation *station = cl_station_list_find (cl_line_get_stations (self->line), reader, NULL);
  g_autoptr (GTask) task = NULL;
  Job *job;

  if (self->stopping || g_hash_table_contains (self->jobs, reader) || g_strcmp0 (reader, self->reserved_reader) == 0)
    return;
  if (self->paused)
    {
      /* the card waits in its reader; resuming starts it */
      cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, reader, "line paused: card waits");
      return;
    }
  if (self->quantity > 0 && self->disposed + g_hash_table_size (self->jobs) >= self->quantity)
    {
      cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, reader, "batch complete: card left alone");
      return;
    }
  job = g_new0 (Job, 1);
  job->self = g_object_ref (self);
  job->reader = g_strdup (reader);
  job->cancellable = g_cancellable_new ();
  job->context = g_main_context_ref_thread_default ();
  job->sequence = cl_card_sequence_new (self->setup, self->batch_id, g_get_host_name (), reader);
  cl_card_sequence_set_event_func (job->sequence, on_sequence_event, job, NULL);
  g_hash_table_insert (self->jobs, job->reader, job);
  if (station != NULL)
    cl_station_set_state (station, CL_STATION_PRODUCING);

  task = g_task_new (NULL, job->cancellable, job_done, job);
  g_task_set_task_data (task, job, NULL);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, job_thread);
}

static void
on_card_removed (ClProductionLine *self, const char *reader)
{
  Job *job = g_hash_table_lookup (self->jobs, reader);

  if (job != NULL)
    g_cancellable_cancel (job->cancellable);
}

void
cl_production_line_stop (ClProductionLine *self)
{
  GHashTableIter iter;
  gpointer value;

  self->stopping = TRUE;
  g_signal_handlers_disconnect_by_data (self->line, self);
  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_cancellable_cancel (((Job *)value)->cancellable);
  while (g_hash_table_size (self->jobs) > 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
cl_production_line_dispose (GObject *object)
{
  ClProductionLine *self = CL_PRODUCTION_LINE (object);

  if (self->line != NULL)
    g_signal_handlers_disconnect_by_data (self->line, self);
  g_clear_object (&self->line);
  g_clear_object (&self->state_writer); /* writes what is queued */
  g_clear_object (&self->setup);
  G_OBJECT_CLASS (cl_production_line_parent_class)->dispose (object);
}

static void
cl_production_line_finalize (GObject *object)
{
  ClProductionLine *self = CL_PRODUCTION_LINE (object);

  g_hash_table_unref (self->jobs);
  g_clear_object (&self->done);
  g_free (self->reserved_reader);
  g_clear_object (&self->counters);
  G_OBJECT_CLASS (cl_production_line_parent_class)->finalize (object);
}

static void
cl_production_line_class_init (ClProductionLineClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_production_line_dispose;
  G_OBJECT_CLASS (klass)->finalize = cl_production_line_finalize;
}

static void
cl_production_line_init (ClProductionLine *self)
{
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)job_free);
  self->done = g_cancellable_new ();
}

ClProductionLine *
cl_production_line_new (ClLine *line, ClProductionSetup *setup, const char *batch_name, guint quantity, GError **error)
{
  g_autoptr (ClProductionLine) self = g_object_new (CL_TYPE_PRODUCTION_LINE, NULL);
  ClStore *store = cl_production_setup_get_store (setup);
  ClProfile *profile = cl_production_setup_get_profile (setup);
  g_autoptr (GError) local = NULL;
  g_autoptr (ClYieldSummary) summary = NULL;
  gint64 disposed;

  self->line = g_object_ref (line);
  self->setup = g_object_ref (setup);
  self->quantity = quantity;
  self->batch_id = cl_store_batch_lookup (store, batch_name, &local);
  if (self->batch_id <= 0)
    {
      if (!g_error_matches (local, CL_ERROR, CL_ERROR_NOT_FOUND))
        return g_propagate_error (error, g_steal_pointer (&local)), NULL;
      self->batch_id = cl_store_batch_create (store, batch_name, cl_profile_get_name (profile),
                                              cl_profile_get_hash (profile), quantity, g_get_user_name (), error);
      if (self->batch_id <= 0)
        return NULL;
    }
  /* Attempts this station left open when it was killed get their one disposition before it produces again. */
  if (cl_store_attempt_abandon_open (store, g_get_host_name (), error) < 0)
    return NULL;
  /* A restarted station continues its batch: what was disposed before counts. Attempts abandoned by a kill ended
   * RETAINED, not disposed: their cards were never made and count when they are fed again. */
  summary = cl_store_yield_summary (store, self->batch_id, 0, 0, error);
  if (summary == NULL)
    return NULL;
  disposed = cl_store_batch_count_disposed (store, self->batch_id, error);
  if (disposed < 0)
    return NULL;
  self->disposed = (guint)disposed;
  self->counters = cl_batch_counters_new (batch_name);
  cl_batch_counters_set (self->counters, quantity, (guint)summary->fed, (guint)summary->good, (guint)summary->rejected);
  if (!cl_store_batch_set_state (store, self->batch_id, CL_BATCH_RUNNING, g_get_user_name (), error))
    return NULL;
  self->state_writer = cl_batch_state_writer_new (store, self->batch_id, NULL, NULL);
  if (self->quantity > 0 && self->disposed >= self->quantity)
    g_cancellable_cancel (self->done);
  return g_steal_pointer (&self);
}

/* Cards inserted while the line took none (paused, or not started yet) wait in their readers. */
static void
take_waiting_cards (ClProductionLine *self)
{
  GListModel *stations = G_LIST_MODEL (cl_line_get_stations (self->line));

  for (guint i = 0; i < g_list_model_get_n_items (stations); i++)
    {
      g_autoptr (ClStation) station = g_list_model_get_item (stations, i);

      if (cl_station_get_state (station) == CL_STATION_CARD_PRESENT)
        on_card_inserted (self, cl_station_get_name (station), NULL);
    }
}

void
cl_production_line_start (ClProductionLine *self)
{
  g_return_if_fail (CL_IS_PRODUCTION_LINE (self));

  g_signal_connect_swapped (self->line, "card-inserted", G_CALLBACK (on_card_inserted), self);
  g_signal_connect_swapped (self->line, "card-removed", G_CALLBACK (on_card_removed), self);
  take_waiting_cards (self);
}

gint64
cl_production_line_get_batch_id (ClProductionLine *self)
{
  return self->batch_id;
}

GCancellable *
cl_production_line_get_done (ClProductionLine *self)
{
  return self->done;
}

static void
record_batch_state (ClProductionLine *self, ClBatchState state, const char *user)
{
  /* The store is written off the main thread, in order; the UI never waits for SQLite. */
  cl_batch_state_writer_push (self->state_writer, state, user);
}

void
cl_production_line_end (ClProductionLine *self, const char *user)
{
  gboolean complete;

  g_return_if_fail (CL_IS_PRODUCTION_LINE (self));
  if (self->stopping)
    return;
  cl_production_line_stop (self);
  complete = self->quantity > 0 && self->disposed >= self->quantity;
  cl_batch_counters_set_ended (self->counters, TRUE);
  cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, NULL,
                    complete ? "batch closed" : "batch stopped: no more cards are taken for it");
  record_batch_state (self, complete ? CL_BATCH_CLOSED : CL_BATCH_ABORTED, user);
}

void
cl_production_line_set_paused (ClProductionLine *self, gboolean paused, const char *user)
{

  g_return_if_fail (CL_IS_PRODUCTION_LINE (self));
  paused = !!paused;
  if (self->stopping || self->paused == paused)
    return;
  self->paused = paused;
  cl_batch_counters_set_paused (self->counters, paused);
  cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, NULL,
                    paused ? "line paused: cards in production finish, no new card is taken"
                           : "line resumed: taking cards again");

  record_batch_state (self, paused ? CL_BATCH_PAUSED : CL_BATCH_RUNNING, user);

  if (!paused)
    take_waiting_cards (self);
}

gboolean
cl_production_line_get_paused (ClProductionLine *self)
{
  g_return_val_if_fail (CL_IS_PRODUCTION_LINE (self), FALSE);
  return self->paused;
}

void
cl_production_line_set_reserved_reader (ClProductionLine *self, const char *reader)
{
  g_return_if_fail (CL_IS_PRODUCTION_LINE (self));
  g_free (self->reserved_reader);
  self->reserved_reader = reader != NULL && *reader != '\0' ? g_strdup (reader) : NULL;
}

ClBatchCounters *
cl_production_line_get_counters (ClProductionLine *self)
{
  g_return_val_if_fail (CL_IS_PRODUCTION_LINE (self), NULL);
  return self->counters;
}
