/* cl-headless-output.c: headless mode's three output formats (cl-headless-output.h).
 *
 * JSON is written by hand: the project has no JSON library (json-glib is not a dependency) and one escaper for
 * strings is all the objects here need; everything else is an integer, a boolean or a nick. */
#include "cl-headless-output.h"

#include "core/cl-json.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "core/cl-name.h"
#include "line/cl-event-words.h"

/* Back to the start of the line and erase it: where the progress line is redrawn, and what an event overwrites. */
#define CLEAR_LINE "\r\033[K"

struct _ClHeadlessWriter
{
  GObject parent_instance;

  ClHeadlessOutput output;
  FILE *stream;
  gboolean terminal;
  ClBatchCounters *counters;
  gboolean progress_shown; /* the progress line is on screen, without a newline after it */
};

G_DEFINE_FINAL_TYPE (ClHeadlessWriter, cl_headless_writer, G_TYPE_OBJECT)

static const char *const output_names[] = { "lines", "human", "json" };

gboolean
cl_headless_output_parse (const char *name, ClHeadlessOutput *out, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (output_names); i++)
    if (g_strcmp0 (name, output_names[i]) == 0)
      {
        *out = (ClHeadlessOutput)i;
        return TRUE;
      }
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Unknown output format “%s” (expected lines, human or json)",
               name != NULL ? name : "(null)");
  return FALSE;
}

const char *
cl_headless_output_to_string (ClHeadlessOutput output)
{
  return (guint)output < G_N_ELEMENTS (output_names) ? output_names[output] : "lines";
}

ClHeadlessOutput
cl_headless_output_default (void)
{
  return isatty (STDOUT_FILENO) ? CL_HEADLESS_OUTPUT_HUMAN : CL_HEADLESS_OUTPUT_LINES;
}

/* ---- JSON ---- */

static void
member_string (GString *out, const char *key, const char *value)
{
  if (value == NULL)
    return;
  g_string_append_printf (out, ",\"%s\":", key);
  cl_json_append_string (out, value);
}

static void
member_int (GString *out, const char *key, gint64 value)
{
  g_string_append_printf (out, ",\"%s\":%" G_GINT64_FORMAT, key, value);
}

static void
member_bool (GString *out, const char *key, gboolean value)
{
  g_string_append_printf (out, ",\"%s\":%s", key, value ? "true" : "false");
}

/* Nicks as the machine lines and the store spell them; "UNKNOWN" / "unknown" out of range, never a wrong name. */
static void
member_step (GString *out, const ClLineEventFields *f)
{
  member_string (out, "step", cl_production_step_to_string (f->step));
}

static void
member_sw (GString *out, const ClLineEventFields *f)
{
  char sw[8];

  if (f->sw < 0 || f->sw > 0xffff)
    return;
  g_snprintf (sw, sizeof sw, "%04X", (guint)f->sw);
  member_string (out, "sw", sw);
}

static void
member_fault (GString *out, const ClLineEventFields *f)
{
  member_string (out, "fault", (guint)f->fault < CL_LINE_FAULT_COUNT ? cl_line_fault_to_nick (f->fault) : "unknown");
}

static void
members_typed (GString *out, ClLineEventKind kind, const ClLineEventFields *f)
{
  /* which station made it: a fleet's supervisor merges several stations' streams */
  if (f->station != NULL)
    member_string (out, "station", f->station);
  switch (kind)
    {
      case CL_LINE_EVENT_CARD_PRESENT:
        member_string (out, "chip", f->chip_id);
        member_string (out, "atr", f->atr);
        if (f->plan != NULL)
          {
            g_string_append (out, ",\"plan\":[");
            for (guint i = 0; f->plan[i] != NULL; i++)
              {
                if (i > 0)
                  g_string_append_c (out, ',');
                cl_json_append_string (out, f->plan[i]);
              }
            g_string_append_c (out, ']');
          }
        break;
      case CL_LINE_EVENT_STEP_STARTED:
        member_string (out, "chip", f->chip_id);
        member_step (out, f);
        break;
      case CL_LINE_EVENT_STEP_FINISHED:
        member_string (out, "chip", f->chip_id);
        member_step (out, f);
        member_string (out, "result", cl_step_result_to_string (f->result));
        member_sw (out, f);
        member_int (out, "duration_us", f->duration_us);
        member_string (out, "note", f->note);
        break;
      case CL_LINE_EVENT_GOOD:
        member_string (out, "chip", f->chip_id);
        member_string (out, "serial", f->serial);
        member_int (out, "duration_us", f->duration_us);
        g_string_append_printf (out, ",\"apdus\":%" G_GUINT64_FORMAT, f->apdus);
        break;
      case CL_LINE_EVENT_REJECTED:
        member_string (out, "chip", f->chip_id);
        member_string (out, "reason", cl_reject_reason_to_string (f->reason));
        member_step (out, f);
        member_sw (out, f);
        member_int (out, "duration_us", f->duration_us);
        g_string_append_printf (out, ",\"apdus\":%" G_GUINT64_FORMAT, f->apdus);
        member_string (out, "disposition", f->whereabouts_unknown ? "UNKNOWN" : "REJECT_BIN");
        member_string (out, "note", f->note);
        break;
      case CL_LINE_EVENT_FAULT:
        member_fault (out, f);
        member_bool (out, "card_inside", f->card_inside);
        member_string (out, "instruction", f->instruction);
        member_string (out, "note", f->note);
        break;
      case CL_LINE_EVENT_FAULT_CLEARED:
        member_fault (out, f);
        break;
      case CL_LINE_EVENT_PAUSED:
      case CL_LINE_EVENT_RESUMED:
        member_string (out, "note", f->note);
        break;
      case CL_LINE_EVENT_BATCH_DONE:
        /* the field is "good"; what it means for a batch is that its quantity was reached */
        member_bool (out, "complete", f->good);
        member_string (out, "note", f->note);
        break;
      case CL_LINE_EVENT_SERVICE_NOTIFY:
        member_string (out, "note", f->note);
        member_int (out, "duration_us", f->duration_us);
        break;
      case CL_LINE_EVENT_SERVICE_ENDED:
        member_bool (out, "completed", f->result == CL_STEP_RESULT_OK);
        member_int (out, "duration_us", f->duration_us);
        g_string_append_printf (out, ",\"apdus\":%" G_GUINT64_FORMAT, f->apdus);
        member_string (out, "note", f->note);
        break;
      default:
        break;
    }
}

char *
cl_headless_event_to_json (ClLineEvent *event)
{
  GString *out = g_string_new ("{\"kind\":");
  ClLineEventKind kind;
  g_autofree char *time = NULL;

  g_return_val_if_fail (CL_IS_LINE_EVENT (event), NULL);

  kind = cl_line_event_get_kind (event);
  cl_json_append_string (out, cl_line_event_kind_to_string (kind));
  time = g_date_time_format_iso8601 (cl_line_event_get_time (event));
  member_string (out, "time", time);
  /* always there, null for the line's own events: readers of the stream key on it */
  if (cl_line_event_get_reader (event) != NULL)
    member_string (out, "reader", cl_line_event_get_reader (event));
  else
    g_string_append (out, ",\"reader\":null");
  if (kind >= CL_LINE_EVENT_CARD_PRESENT && kind <= CL_LINE_EVENT_LAST_TYPED)
    members_typed (out, kind, cl_line_event_get_fields (event));
  else
    /* the reader monitor's and free notes: their text is all they have */
    member_string (out, "text", cl_line_event_get_detail (event));
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* ---- human ---- */

char *
cl_headless_event_to_human (ClLineEvent *event)
{
  g_auto (ClEventWords) words = { 0 };
  g_autofree char *time = NULL, *reader = NULL, *title = NULL, *details = NULL;
  GString *out;

  g_return_val_if_fail (CL_IS_LINE_EVENT (event), NULL);

  cl_event_words_for_event (event, &words);
  time = cl_line_event_dup_time_text (event);
  /* a terminal acts on ESC and CR: names and notes reach it escaped (cl-name.h) */
  reader = cl_text_escape (words.reader);
  title = cl_text_escape (words.title);
  details = cl_text_escape (words.details);
  out = g_string_new (time);
  /* in brackets: reader names have spaces ("Cardline Rig 0 00 00") */
  if (reader != NULL)
    g_string_append_printf (out, " [%s]", reader);
  g_string_append_printf (out, " %s", title);
  if (details != NULL)
    g_string_append_printf (out, "%s%s", CL_EVENT_WORDS_SEPARATOR, details);
  return g_string_free (out, FALSE);
}

char *
cl_headless_progress_text (ClBatchCounters *counters, gint64 elapsed_us)
{
  guint quantity, good, rejected, done;
  GString *out;

  g_return_val_if_fail (CL_IS_BATCH_COUNTERS (counters), NULL);

  quantity = cl_batch_counters_get_quantity (counters);
  good = cl_batch_counters_get_good (counters);
  rejected = cl_batch_counters_get_rejected (counters);
  /* as the Line view's bar counts them: a card is done when it is good or in the reject bin */
  done = good + rejected;
  out = g_string_new (NULL);
  if (quantity > 0)
    g_string_append_printf (out, _ ("%u of %u cards done"), MIN (done, quantity), quantity);
  else
    g_string_append_printf (out, g_dngettext (NULL, "%u card done", "%u cards done", done), done);
  g_string_append_printf (out, " · ");
  g_string_append_printf (out, _ ("%u good"), good);
  g_string_append_printf (out, " · ");
  g_string_append_printf (out, _ ("%u rejected"), rejected);
  if (elapsed_us > 0)
    {
      gint64 s = elapsed_us / G_USEC_PER_SEC;

      /* over the run's own time, however short: the rate it has kept so far */
      g_string_append_printf (out, " · ");
      g_string_append_printf (out, _ ("%.0f good cards/h"), (double)good * 3600e6 / (double)elapsed_us);
      g_string_append_printf (out, " · %" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int)(s / 60 % 60), (int)(s % 60));
    }
  if (cl_batch_counters_get_ended (counters))
    g_string_append_printf (out, " · %s", _ ("stopped"));
  else if (cl_batch_counters_get_paused (counters))
    g_string_append_printf (out, " · %s", _ ("paused"));
  return g_string_free (out, FALSE);
}

/* ---- the writer ---- */

static void
cl_headless_writer_finalize (GObject *object)
{
  ClHeadlessWriter *self = CL_HEADLESS_WRITER (object);

  g_clear_object (&self->counters);
  G_OBJECT_CLASS (cl_headless_writer_parent_class)->finalize (object);
}

static void
cl_headless_writer_class_init (ClHeadlessWriterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_headless_writer_finalize;
}

static void
cl_headless_writer_init (ClHeadlessWriter *self)
{
}

ClHeadlessWriter *
cl_headless_writer_new (ClHeadlessOutput output, FILE *stream)
{
  ClHeadlessWriter *self;
  int fd;

  g_return_val_if_fail (stream != NULL, NULL);

  self = g_object_new (CL_TYPE_HEADLESS_WRITER, NULL);
  self->output = (guint)output < G_N_ELEMENTS (output_names) ? output : CL_HEADLESS_OUTPUT_LINES;
  self->stream = stream;
  fd = fileno (stream);
  self->terminal = fd >= 0 && isatty (fd);
  return self;
}

ClHeadlessOutput
cl_headless_writer_get_output (ClHeadlessWriter *self)
{
  g_return_val_if_fail (CL_IS_HEADLESS_WRITER (self), CL_HEADLESS_OUTPUT_LINES);
  return self->output;
}

gboolean
cl_headless_writer_get_terminal (ClHeadlessWriter *self)
{
  g_return_val_if_fail (CL_IS_HEADLESS_WRITER (self), FALSE);
  return self->terminal;
}

void
cl_headless_writer_set_terminal (ClHeadlessWriter *self, gboolean terminal)
{
  g_return_if_fail (CL_IS_HEADLESS_WRITER (self));
  self->terminal = terminal;
}

void
cl_headless_writer_set_counters (ClHeadlessWriter *self, ClBatchCounters *counters)
{
  g_return_if_fail (CL_IS_HEADLESS_WRITER (self));
  g_return_if_fail (counters == NULL || CL_IS_BATCH_COUNTERS (counters));
  g_set_object (&self->counters, counters);
}

static gboolean
shows_progress (ClHeadlessWriter *self)
{
  return self->output == CL_HEADLESS_OUTPUT_HUMAN && self->terminal && self->counters != NULL;
}

static void
draw_progress (ClHeadlessWriter *self, gint64 elapsed_us)
{
  g_autofree char *text = cl_headless_progress_text (self->counters, elapsed_us);

  fprintf (self->stream, CLEAR_LINE "%s", text);
  self->progress_shown = TRUE;
}

void
cl_headless_writer_write_event (ClHeadlessWriter *self, ClLineEvent *event, gint64 elapsed_us)
{
  g_autofree char *text = NULL;

  g_return_if_fail (CL_IS_HEADLESS_WRITER (self));
  g_return_if_fail (CL_IS_LINE_EVENT (event));

  switch (self->output)
    {
      case CL_HEADLESS_OUTPUT_JSON:
        text = cl_headless_event_to_json (event);
        fprintf (self->stream, "%s\n", text);
        break;
      case CL_HEADLESS_OUTPUT_HUMAN:
        /* the same events as the lines: those without one (a step started) are not for a log */
        if (cl_line_event_has_line (event))
          {
            text = cl_headless_event_to_human (event);
            /* the event takes the progress line's place; the progress line comes back under it */
            fprintf (self->stream, "%s%s\n", self->progress_shown ? CLEAR_LINE : "", text);
            self->progress_shown = FALSE;
          }
        if (shows_progress (self))
          draw_progress (self, elapsed_us);
        break;
      case CL_HEADLESS_OUTPUT_LINES:
      default:
        if (cl_line_event_has_line (event))
          fprintf (self->stream, "%s\n", cl_line_event_get_line (event));
        break;
    }
  fflush (self->stream);
}

void
cl_headless_writer_update_progress (ClHeadlessWriter *self, gint64 elapsed_us)
{
  g_return_if_fail (CL_IS_HEADLESS_WRITER (self));

  if (!shows_progress (self))
    return;
  draw_progress (self, elapsed_us);
  fflush (self->stream);
}

void
cl_headless_writer_finish (ClHeadlessWriter *self)
{
  g_return_if_fail (CL_IS_HEADLESS_WRITER (self));

  if (!self->progress_shown)
    return;
  fputs (CLEAR_LINE, self->stream);
  self->progress_shown = FALSE;
  fflush (self->stream);
}
