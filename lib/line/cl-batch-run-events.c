/* cl-batch-run-events.c: a batch run's events onto the main context, its faults and the feeder's reports. */
#include "line/cl-batch-run-private.h"

#include "line/cl-line-text.h"

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
  cl_batch_run_emit_event (posted->self, posted->event);
  return G_SOURCE_REMOVE;
}

/* Any thread; the main context sees events in the order they were posted. */
void
cl_batch_run_post_event (ClBatchRun *self, ClLineEvent *event)
{
  Posted *posted = g_new0 (Posted, 1);

  if (self->publisher != NULL)
    cl_station_publisher_event (self->publisher, event);
  posted->self = g_object_ref (self);
  posted->event = g_object_ref (event);
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, posted_dispatch, posted, posted_free);
}

void
cl_batch_run_post_typed (ClBatchRun *self, ClLineEventKind kind, const char *reader, const ClLineEventFields *fields,
                         const char *text)
{
  ClLineEventFields stamped = *fields;
  g_autoptr (ClLineEvent) event = NULL;

  stamped.station = self->station;
  event = cl_line_text_event_new (kind, reader, &stamped, text);
  cl_batch_run_post_event (self, event);
}

void
cl_batch_run_post_note (ClBatchRun *self, const char *reader, const char *text)
{
  g_autoptr (ClLineEvent) event = cl_line_event_new (NULL, CL_LINE_EVENT_NOTE, reader, text);

  cl_batch_run_post_event (self, event);
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

void
cl_batch_run_post_fault (ClBatchRun *self, const char *reader, ClLineFault fault, gboolean card_inside,
                         const char *detail)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  g_autofree char *instruction = fault_instruction (fault);

  fields.fault = fault;
  fields.card_inside = card_inside;
  fields.instruction = instruction;
  fields.note = detail;
  cl_batch_run_post_typed (self, CL_LINE_EVENT_FAULT, reader, &fields, NULL);
}

void
cl_batch_run_post_fault_cleared (ClBatchRun *self, const char *reader, ClLineFault fault)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;

  fields.fault = fault;
  cl_batch_run_post_typed (self, CL_LINE_EVENT_FAULT_CLEARED, reader, &fields, NULL);
}

/* The heartbeat thread found this station taken over (this process hung past its lease): another process now
 * produces as this station, so this one must not go on as if it were. */
void
cl_batch_run_on_lease_lost (ClStationLease *lease, gpointer user_data)
{
  ClBatchRun *self = user_data;
  g_autofree char *detail = g_strdup_printf (
    "station %s lost its lease on the store to another process: stop this one (its attempts are the other's now)",
    self->station);

  cl_batch_run_post_fault (self, NULL, CL_LINE_FAULT_STORE, FALSE, detail);
}

/* ---- the feeder's reports (any thread) ---- */

static void
on_feeder_fault (ClFeeder *feeder, const char *reader, ClLineFault fault, gboolean card_inside, const char *detail,
                 gpointer user_data)
{
  cl_batch_run_post_fault (user_data, reader, fault, card_inside, detail);
}

static void
on_feeder_fault_cleared (ClFeeder *feeder, const char *reader, ClLineFault fault, gpointer user_data)
{
  cl_batch_run_post_fault_cleared (user_data, reader, fault);
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
  cl_batch_run_post_note (user_data, NULL, text);
}

void
cl_batch_run_on_state_failed (ClBatchState state, const GError *error, gpointer user_data)
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
  cl_batch_run_post_note (self, NULL, text);
  cl_batch_run_post_fault (self, NULL, CL_LINE_FAULT_STORE, FALSE, error->message);
}

void
cl_batch_run_connect_feeder (ClBatchRun *self)
{
  g_signal_connect_object (self->feeder, "fault", G_CALLBACK (on_feeder_fault), self, 0);
  g_signal_connect_object (self->feeder, "fault-cleared", G_CALLBACK (on_feeder_fault_cleared), self, 0);
  g_signal_connect_object (self->feeder, "card-removed", G_CALLBACK (on_feeder_card_removed), self, 0);
  g_signal_connect_object (self->feeder, "note", G_CALLBACK (on_feeder_note), self, 0);
}
