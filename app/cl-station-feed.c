#include "cl-station-feed.h"

/* A copy of the event: the worker's strings do not outlive its callback. */
typedef struct
{
  ClLine *line;
  char *reader;
  ClSequenceEventKind kind;
  ClProductionStep step;
  ClStepResult result;
  gint64 duration_us;
  gint sw;
  char *chip_id;
  char *detail;
  gboolean good;
  ClRejectReason reason;
  char *serial;
  GStrv plan;
} Posted;

static void
posted_free (gpointer user_data)
{
  Posted *p = user_data;

  g_object_unref (p->line);
  g_free (p->reader);
  g_free (p->chip_id);
  g_free (p->detail);
  g_free (p->serial);
  g_strfreev (p->plan);
  g_free (p);
}

static char *
sw_text (gint sw)
{
  return sw < 0 ? g_strdup ("-") : g_strdup_printf ("%04X", (guint)sw);
}

static ClStationStepState
step_state (ClStepResult result)
{
  switch (result)
    {
      case CL_STEP_RESULT_OK:
        return CL_STATION_STEP_OK;
      case CL_STEP_RESULT_SKIPPED:
        return CL_STATION_STEP_SKIPPED;
      case CL_STEP_RESULT_FAILED:
      default:
        return CL_STATION_STEP_FAILED;
    }
}

/* The step line the event log (and headless output, which scripts parse) has always carried. */
static void
log_step (Posted *p)
{
  g_autofree char *sw = sw_text (p->sw);
  g_autofree char *text = g_strdup_printf (
    "step chip=%s step=%s result=%s ms=%.1f sw=%s%s%s", p->chip_id != NULL ? p->chip_id : "-",
    cl_production_step_to_string (p->step), cl_step_result_to_string (p->result), p->duration_us / 1000.0, sw,
    p->detail != NULL ? " detail=" : "", p->detail != NULL ? p->detail : "");

  cl_event_log_add (cl_line_get_events (p->line), CL_LINE_EVENT_NOTE, p->reader, text);
}

static char *
result_text (Posted *p)
{
  g_autofree char *sw = NULL;

  if (p->good)
    return g_strdup_printf ("Serial %s", p->serial != NULL ? p->serial : "—");
  sw = sw_text (p->sw);
  return g_strdup_printf ("%s — %s at %s, SW %s", cl_reject_reason_to_string (p->reason),
                          cl_reject_reason_describe (p->reason), cl_production_step_to_string (p->step), sw);
}

static gboolean
posted_dispatch (gpointer user_data)
{
  Posted *p = user_data;
  ClStation *station = cl_station_list_find (cl_line_get_stations (p->line), p->reader, NULL);

  if (p->kind == CL_SEQUENCE_EVENT_STEP)
    log_step (p);
  if (station == NULL)
    return G_SOURCE_REMOVE;
  if (p->chip_id != NULL)
    cl_station_set_chip_id (station, p->chip_id);
  switch (p->kind)
    {
      case CL_SEQUENCE_EVENT_BEGIN:
        cl_station_card_started (station, (const char *const *)p->plan);
        break;
      case CL_SEQUENCE_EVENT_STARTED:
        cl_station_step_started (station, cl_production_step_to_string (p->step));
        break;
      case CL_SEQUENCE_EVENT_STEP:
        cl_station_step_ended (station, cl_production_step_to_string (p->step), step_state (p->result), p->duration_us,
                               p->sw, p->detail);
        break;
      case CL_SEQUENCE_EVENT_DISPOSED:
        {
          g_autofree char *text = result_text (p);

          cl_station_card_finished (station, p->good, text);
        }
        break;
      default:
        break;
    }
  return G_SOURCE_REMOVE;
}

void
cl_station_feed_post (ClLine *line, GMainContext *context, const char *reader, const ClSequenceEvent *event)
{
  Posted *p;

  g_return_if_fail (CL_IS_LINE (line));
  g_return_if_fail (reader != NULL && event != NULL);

  p = g_new0 (Posted, 1);
  p->line = g_object_ref (line);
  p->reader = g_strdup (reader);
  p->kind = event->kind;
  p->step = event->step;
  p->result = event->result;
  p->duration_us = event->duration_us;
  p->sw = event->sw;
  p->chip_id = g_strdup (event->chip_id);
  /* one event, one line: a detail never breaks a parser's line */
  p->detail = event->detail != NULL ? g_strdelimit (g_strdup (event->detail), "\r\n", ' ') : NULL;
  p->good = event->good;
  p->reason = event->reason;
  p->serial = g_strdup (event->serial);
  if (event->kind == CL_SEQUENCE_EVENT_BEGIN)
    {
      p->plan = g_new0 (char *, event->n_plan + 1);
      for (guint i = 0; i < event->n_plan; i++)
        p->plan[i] = g_strdup (cl_production_step_to_string (event->plan[i]));
    }
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, posted_dispatch, p, posted_free);
}
