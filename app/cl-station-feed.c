#include "cl-station-feed.h"

#include "line/cl-line-text.h"

static char *
sw_text (gint sw)
{
  return sw < 0 ? g_strdup ("-") : g_strdup_printf ("%04X", (guint)sw);
}

static ClReaderStepState
step_state (ClStepResult result)
{
  switch (result)
    {
      case CL_STEP_RESULT_OK:
        return CL_READER_STEP_OK;
      case CL_STEP_RESULT_SKIPPED:
        return CL_READER_STEP_SKIPPED;
      case CL_STEP_RESULT_FAILED:
      default:
        return CL_READER_STEP_FAILED;
    }
}

/* The banner's line: the serial, or reason, its description, step and SW. */
static char *
result_text (ClLineEvent *event)
{
  g_autofree char *sw = NULL;

  if (cl_line_event_get_kind (event) == CL_LINE_EVENT_GOOD)
    return g_strdup_printf ("Serial %s",
                            cl_line_event_get_serial (event) != NULL ? cl_line_event_get_serial (event) : "—");
  sw = sw_text (cl_line_event_get_sw (event));
  return g_strdup_printf ("%s — %s at %s, SW %s", cl_reject_reason_to_string (cl_line_event_get_reason (event)),
                          cl_reject_reason_describe (cl_line_event_get_reason (event)),
                          cl_production_step_to_string (cl_line_event_get_step (event)), sw);
}

/* The panel's one-line status ("GOOD 1234", "REJECT LOAD_FAILED at LOAD_APPLET (SW 6581)"). */
static char *
status_text (ClLineEvent *event)
{
  g_autofree char *sw = sw_text (cl_line_event_get_sw (event));

  switch (cl_line_event_get_kind (event))
    {
      case CL_LINE_EVENT_GOOD:
        return g_strdup_printf ("GOOD %s", cl_line_event_get_serial (event));
      case CL_LINE_EVENT_REJECTED:
        return g_strdup_printf ("%s %s at %s (SW %s)",
                                cl_line_event_get_fields (event)->whereabouts_unknown ? "WHEREABOUTS UNKNOWN"
                                                                                      : "REJECT",
                                cl_reject_reason_to_string (cl_line_event_get_reason (event)),
                                cl_production_step_to_string (cl_line_event_get_step (event)), sw);
      case CL_LINE_EVENT_FAULT:
        return g_strdup (cl_line_event_get_instruction (event));
      case CL_LINE_EVENT_FAULT_CLEARED:
        return g_strdup ("Resumed");
      default:
        return NULL;
    }
}

static void
apply_to_station (ClReader *station, ClLineEvent *event, gboolean holds_cards)
{
  const ClLineEventFields *f = cl_line_event_get_fields (event);
  g_autofree char *status = status_text (event);

  if (f->chip_id != NULL)
    cl_reader_set_chip_id (station, f->chip_id);
  if (f->row_display != NULL)
    cl_reader_set_row_display (station, f->row_display);
  switch (cl_line_event_get_kind (event))
    {
      case CL_LINE_EVENT_CARD_PRESENT:
        if (f->plan != NULL)
          cl_reader_card_started (station, f->plan);
        break;
      case CL_LINE_EVENT_STEP_STARTED:
        cl_reader_step_started (station, cl_production_step_to_string (f->step));
        break;
      case CL_LINE_EVENT_STEP_FINISHED:
        cl_reader_step_ended (station, cl_production_step_to_string (f->step), step_state (f->result), f->duration_us,
                              f->sw, f->note);
        break;
      case CL_LINE_EVENT_GOOD:
      case CL_LINE_EVENT_REJECTED:
        {
          g_autofree char *text = result_text (event);

          cl_reader_card_finished (station, cl_line_event_get_kind (event) == CL_LINE_EVENT_GOOD, text);
          /* a printer's card has left the contact station; a rack's waits for its operator */
          if (holds_cards)
            cl_reader_set_state (station, CL_READER_EMPTY);
          else if (cl_reader_get_state (station) == CL_READER_PRODUCING)
            cl_reader_set_state (station, CL_READER_CARD_PRESENT);
        }
        break;
      case CL_LINE_EVENT_FAULT:
        cl_reader_set_fault (station, f->instruction);
        break;
      case CL_LINE_EVENT_SERVICE_NOTIFY:
        /* the service's progress is the live status of the card's SERVICE step */
        cl_reader_step_progress (station, CL_STATION_FEED_SERVICE_STEP, f->note);
        if (f->note != NULL)
          cl_reader_set_last_event (station, f->note, cl_line_event_get_time (event));
        break;
      case CL_LINE_EVENT_SERVICE_ENDED:
        cl_reader_step_ended (station, CL_STATION_FEED_SERVICE_STEP, step_state (f->result), f->duration_us, f->sw,
                              f->note);
        break;
      case CL_LINE_EVENT_FAULT_CLEARED:
        if (cl_reader_get_state (station) == CL_READER_FAULT)
          cl_reader_set_state (station, cl_reader_get_result (station) == CL_READER_RESULT_NONE
                                            && g_list_model_get_n_items (cl_reader_get_steps (station)) > 0
                                          ? CL_READER_PRODUCING
                                          : CL_READER_EMPTY);
        break;
      default:
        break;
    }
  if (status != NULL)
    cl_reader_set_last_event (station, status, cl_line_event_get_time (event));
}

void
cl_station_feed_apply (ClLine *line, ClLineEvent *event, gboolean holds_cards)
{
  const char *reader = cl_line_event_get_reader (event);
  GListModel *stations = G_LIST_MODEL (cl_line_get_stations (line));

  g_return_if_fail (CL_IS_LINE (line));
  g_return_if_fail (CL_IS_LINE_EVENT (event));

  if (cl_line_event_has_line (event))
    cl_event_log_append (cl_line_get_events (line), event);
  if (reader != NULL)
    {
      ClReader *station = cl_reader_list_find (cl_line_get_stations (line), reader, NULL);

      if (station != NULL)
        apply_to_station (station, event, holds_cards);
      return;
    }
  /* a station-wide fault (the store) shows on every reader of the station */
  if (cl_line_event_get_kind (event) == CL_LINE_EVENT_FAULT
      || cl_line_event_get_kind (event) == CL_LINE_EVENT_FAULT_CLEARED)
    for (guint i = 0; i < g_list_model_get_n_items (stations); i++)
      {
        g_autoptr (ClReader) station = g_list_model_get_item (stations, i);

        if (cl_reader_get_state (station) != CL_READER_GONE)
          apply_to_station (station, event, holds_cards);
      }
}

static void
on_run_event (ClBatchRun *run, ClLineEvent *event, gpointer user_data)
{
  cl_station_feed_apply (CL_LINE (user_data), event,
                         cl_feeder_get_finish_cards_on_stop (cl_batch_run_get_feeder (run)));
}

void
cl_station_feed_follow (ClLine *line, ClBatchRun *run)
{
  g_return_if_fail (CL_IS_LINE (line));
  g_return_if_fail (CL_IS_BATCH_RUN (run));
  g_signal_connect_object (run, "event", G_CALLBACK (on_run_event), line, 0);
}

typedef struct
{
  ClLine *line;
  ClLineEvent *event;
} Posted;

static gboolean
posted_dispatch (gpointer data)
{
  Posted *posted = data;

  cl_station_feed_apply (posted->line, posted->event, FALSE);
  return G_SOURCE_REMOVE;
}

static void
posted_free (gpointer data)
{
  Posted *posted = data;

  g_object_unref (posted->line);
  g_object_unref (posted->event);
  g_free (posted);
}

void
cl_station_feed_post (ClLine *line, GMainContext *context, ClLineEvent *event)
{
  Posted *posted = g_new0 (Posted, 1);

  posted->line = g_object_ref (line);
  posted->event = g_object_ref (event);
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, posted_dispatch, posted, posted_free);
}

/* A reader the monitor finds after the fault shows it too: nothing clears this fault but a restart. */
static void
on_stations_changed (GListModel *stations, guint position, guint removed, guint added, gpointer user_data)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (ClReader) station = g_list_model_get_item (stations, i);

      apply_to_station (station, CL_LINE_EVENT (user_data), FALSE);
    }
}

void
cl_station_feed_fault (ClLine *line, ClLineFault fault, const char *detail)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  ClLineEvent *event;

  fields.fault = fault;
  fields.instruction = cl_line_fault_instruction (fault);
  fields.note = detail;
  event = cl_line_text_event_new (CL_LINE_EVENT_FAULT, NULL, &fields, NULL);
  cl_station_feed_apply (line, event, FALSE);
  if (!cl_line_fault_clears_by_itself (fault))
    g_signal_connect_data (cl_line_get_stations (line), "items-changed", G_CALLBACK (on_stations_changed), event,
                           (GClosureNotify)(void (*) (void))g_object_unref, 0);
  else
    g_object_unref (event);
}
