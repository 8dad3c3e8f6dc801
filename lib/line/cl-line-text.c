#include "line/cl-line-text.h"

#include <string.h>

static char *
sw_text (gint sw)
{
  return sw < 0 ? g_strdup ("-") : g_strdup_printf ("%04X", (guint)sw);
}

static char *
machine_text (ClLineEventKind kind, const ClLineEventFields *f)
{
  g_autofree char *sw = sw_text (f->sw);
  const char *chip = f->chip_id != NULL ? f->chip_id : "-";

  switch (kind)
    {
      case CL_LINE_EVENT_STEP_FINISHED:
        return g_strdup_printf ("step chip=%s step=%s result=%s ms=%.1f sw=%s%s%s", chip,
                                cl_production_step_to_string (f->step), cl_step_result_to_string (f->result),
                                f->duration_us / 1000.0, sw, f->note != NULL ? " detail=" : "",
                                f->note != NULL ? f->note : "");
      case CL_LINE_EVENT_GOOD:
        return g_strdup_printf ("good chip=%s serial=%s ms=%.1f apdus=%" G_GUINT64_FORMAT, chip,
                                f->serial != NULL ? f->serial : "-", f->duration_us / 1000.0, f->apdus);
      case CL_LINE_EVENT_REJECTED:
        return g_strdup_printf (
          "reject chip=%s reason=%s step=%s sw=%s ms=%.1f apdus=%" G_GUINT64_FORMAT "%s detail=%s", chip,
          cl_reject_reason_to_string (f->reason), cl_production_step_to_string (f->step), sw, f->duration_us / 1000.0,
          f->apdus, f->whereabouts_unknown ? " disposition=UNKNOWN" : "", f->note != NULL ? f->note : "");
      case CL_LINE_EVENT_FAULT:
        return g_strdup_printf ("fault fault=%s card-inside=%s instruction=%s detail=%s",
                                cl_line_fault_to_nick (f->fault), f->card_inside ? "yes" : "no",
                                f->instruction != NULL ? f->instruction : "", f->note != NULL ? f->note : "");
      case CL_LINE_EVENT_FAULT_CLEARED:
        return g_strdup_printf ("resumed fault=%s", cl_line_fault_to_nick (f->fault));
      default:
        return NULL;
    }
}

ClLineEvent *
cl_line_text_event_new (ClLineEventKind kind, const char *reader, const ClLineEventFields *fields, const char *text)
{
  g_autofree char *machine = machine_text (kind, fields);

  return cl_line_event_new_typed (kind, reader, fields, machine != NULL ? machine : text);
}

ClLineEvent *
cl_line_pause_event_new (const char *station, gboolean paused, gboolean feeder_holds, gboolean one_card)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  g_autofree char *text = NULL;

  if (paused)
    text = g_strdup_printf ("line paused: %s, no new card is %s",
                            one_card ? "the card in production finishes" : "cards in production finish",
                            feeder_holds ? "fed" : "taken");
  else
    text = g_strdup_printf ("line resumed: %s cards again", feeder_holds ? "feeding" : "taking");
  fields.station = station;
  /* the view's sentence explains it from the note; the machine line is the one scripts know */
  fields.note = strchr (text, ':') + 2;
  return cl_line_text_event_new (paused ? CL_LINE_EVENT_PAUSED : CL_LINE_EVENT_RESUMED, NULL, &fields, text);
}
