/* cl-event-text.c: line events in the operator's words (cl-event-text.h).
 *
 * The machine lines come from app/cl-production-line.c, app/cl-station-feed.c and app/cl-printer-station.c: a verb,
 * then key=value pairs, "detail=" last and taking the rest of the line. Their format belongs to headless mode and its
 * scripts; this side only reads them, tolerating keys it does not know, values missing or mangled, and lines cut
 * short, since a line it cannot read is still worth showing as it is. */
#include "cl-event-text.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "store/cl-production-types.h"

#define ID_CHARS     10 /* of a chip ID or an ATR before "…": enough to tell cards apart at a glance */
#define SERIAL_CHARS 24 /* a serial is what the operator matches against the card: whole, unless absurd */

static const struct
{
  const char *done; /* the step went well */
  const char *noun; /* the step, mid-sentence */
} steps[] = {
  [CL_STEP_IDENTIFY] = { N_ ("Card identified"), N_ ("identification") },
  [CL_STEP_OPEN_KST] = { N_ ("Secure channel opened"), N_ ("secure channel") },
  [CL_STEP_CONFIGURE] = { N_ ("Card configured"), N_ ("configuration") },
  [CL_STEP_ROTATE_KEYS] = { N_ ("Keys rotated"), N_ ("key rotation") },
  [CL_STEP_LOAD_APPLET] = { N_ ("Applet loaded"), N_ ("applet load") },
  [CL_STEP_INIT_APPLET] = { N_ ("Applet initialised"), N_ ("applet initialisation") },
  [CL_STEP_CERTIFY] = { N_ ("Certificate written"), N_ ("certification") },
  [CL_STEP_VERIFY] = { N_ ("Card verified"), N_ ("verification") },
  [CL_STEP_FACE] = { N_ ("Card face printed"), N_ ("face printing") },
  [CL_STEP_DISPOSE] = { N_ ("Card ejected"), N_ ("ejection") },
};
G_STATIC_ASSERT (G_N_ELEMENTS (steps) == CL_PRODUCTION_STEP_COUNT);

/* Printer faults by the nick the printer station logs (drivers/printer/cl-printer-fault.h; "printer-error" is the
 * station's own, for a refusal outside the list). */
static const struct
{
  const char *nick;
  const char *fault;
  const char *cleared;
} faults[] = {
  { "feeder-empty", N_ ("Feeder empty"), N_ ("Feeder refilled, printer resumed") },
  { "jam", N_ ("Card jam"), N_ ("Jam cleared, printer resumed") },
  { "cover-open", N_ ("Cover open"), N_ ("Cover closed, printer resumed") },
  { "ribbon-out", N_ ("Ribbon out"), N_ ("Ribbon replaced, printer resumed") },
  { "card-not-present", N_ ("No card at the contact station"), N_ ("Card path clear, printer resumed") },
  { "communication-lost", N_ ("Printer not answering"), N_ ("Printer answering again") },
  { "printer-error", N_ ("Printer error"), N_ ("Printer error cleared, printer resumed") },
};

/* ---- key=value fields ---- */

typedef struct
{
  const char *key;
  gsize key_len;
  const char *value;
  gsize value_len;
} Field;

static gboolean
is_key (const char *start, gsize len)
{
  if (len == 0 || !g_ascii_islower (start[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_islower (start[i]) && !g_ascii_isdigit (start[i]) && start[i] != '-')
      return FALSE;
  return TRUE;
}

/* The pairs of text, pointing into it. A word that is not "key=…" continues the value before it (a fault's
 * instruction is a sentence). NULL when text does not start with a pair: then it is prose, not a machine line. */
static GArray *
parse_fields (const char *text)
{
  g_autoptr (GArray) fields = g_array_new (FALSE, FALSE, sizeof (Field));
  const char *p = text;

  while (*p != '\0')
    {
      const char *word, *eq;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      word = p;
      while (*p != '\0' && *p != ' ')
        p++;
      eq = memchr (word, '=', (gsize)(p - word));
      if (eq != NULL && is_key (word, (gsize)(eq - word)))
        {
          Field field = { word, (gsize)(eq - word), eq + 1, (gsize)(p - eq - 1) };

          if (field.key_len == 6 && strncmp (word, "detail", 6) == 0)
            {
              /* the last field, free text that may hold anything, "=" included */
              field.value_len = strlen (field.value);
              while (field.value_len > 0 && field.value[field.value_len - 1] == ' ')
                field.value_len--;
              g_array_append_val (fields, field);
              break;
            }
          g_array_append_val (fields, field);
        }
      else if (fields->len > 0)
        {
          Field *last = &g_array_index (fields, Field, fields->len - 1);

          last->value_len = (gsize)(p - last->value);
        }
      else
        return NULL;
    }
  return g_steal_pointer (&fields);
}

/* The first value of key, NULL if absent or empty ("-" is how the lines say "none"). */
static char *
field (GArray *fields, const char *key)
{
  gsize len = strlen (key);

  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      Field *f = &g_array_index (fields, Field, i);

      if (f->key_len == len && strncmp (f->key, key, len) == 0)
        {
          if (f->value_len == 0 || (f->value_len == 1 && f->value[0] == '-'))
            return NULL;
          return g_strndup (f->value, f->value_len);
        }
    }
  return NULL;
}

/* ---- values ---- */

static char *
duration_text (const char *ms)
{
  char *end = NULL;
  double value;

  if (ms == NULL)
    return NULL;
  value = g_ascii_strtod (ms, &end);
  if (end == ms || *end != '\0' || !isfinite (value) || value < 0)
    return NULL;
  if (value < 1000)
    return g_strdup_printf (_ ("%.1f ms"), value);
  return g_strdup_printf (_ ("%.1f s"), value / 1000);
}

static char *
sw_text (const char *sw)
{
  if (sw == NULL || strlen (sw) != 4)
    return NULL;
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_isxdigit (sw[i]))
      return NULL;
  return g_ascii_strup (sw, -1);
}

static char *
apdus_text (const char *apdus)
{
  g_autofree char *count = NULL;
  guint64 n;

  if (apdus == NULL || !g_ascii_string_to_unsigned (apdus, 10, 0, G_MAXUINT64, &n, NULL))
    return NULL;
  /* the number goes in as text: xgettext cannot expand G_GUINT64_FORMAT in a msgid */
  count = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  return g_strdup_printf (g_dngettext (NULL, "%s APDU", "%s APDUs", (gulong)MIN (n, G_MAXULONG)), count);
}

static char *
shortened (const char *id, glong keep)
{
  g_autofree char *head = NULL;

  if (id == NULL)
    return NULL;
  if (g_utf8_strlen (id, -1) <= keep + 1)
    return g_strdup (id);
  head = g_utf8_substring (id, 0, keep);
  return g_strconcat (head, "…", NULL);
}

static char *
capitalised (const char *text)
{
  char first[8] = { 0 };

  if (*text == '\0')
    return g_strdup (text);
  g_unichar_to_utf8 (g_unichar_totitle (g_utf8_get_char (text)), first);
  return g_strconcat (first, g_utf8_next_char (text), NULL);
}

/* The step's noun, or its name as logged when this side does not know it. */
static const char *
step_noun (const char *name, gint *index)
{
  ClProductionStep step;

  *index = -1;
  if (name == NULL)
    return NULL;
  if (!cl_production_step_from_string (name, &step, NULL))
    return name;
  *index = (gint)step;
  return _ (steps[step].noun);
}

static gint
fault_index (const char *nick)
{
  for (guint i = 0; nick != NULL && i < G_N_ELEMENTS (faults); i++)
    if (g_str_equal (faults[i].nick, nick))
      return (gint)i;
  return -1;
}

/* "cover-open" -> "Cover open" for a fault this side does not know. */
static char *
nick_text (const char *nick)
{
  g_autofree char *spaced = g_strdelimit (g_strdup (nick), "-_", ' ');

  return capitalised (spaced);
}

/* ---- sentences ---- */

static char join_end[1]; /* ends join_taken's arguments, which may be NULL themselves */

/* Joins the non-empty parts (taken) with separator; NULL when there are none. */
static char *
join_taken (const char *separator, ...)
{
  g_autoptr (GString) text = g_string_new (NULL);
  gboolean any = FALSE;
  va_list args;
  char *part;

  va_start (args, separator);
  while ((part = va_arg (args, char *)) != join_end)
    {
      if (part != NULL && *part != '\0')
        {
          g_string_append_printf (text, "%s%s", any ? separator : "", part);
          any = TRUE;
        }
      g_free (part);
    }
  va_end (args);
  return any ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

#define JOIN(separator, ...) join_taken (separator, __VA_ARGS__, join_end)
#define DOT                  " · "

static void
set (ClEventText *out, char *title, char *subtitle, ClEventTone tone)
{
  out->title = title;
  out->subtitle = subtitle;
  out->tone = tone;
}

/* ", "-joined duration and status word of a step or a card ("4.9 ms, SW 9000"); NULL without either. */
static char *
timing (GArray *fields)
{
  g_autofree char *ms = field (fields, "ms");
  g_autofree char *raw_sw = field (fields, "sw");
  g_autofree char *sw = sw_text (raw_sw);

  return JOIN (", ", duration_text (ms), sw != NULL ? g_strdup_printf (_ ("SW %s"), sw) : NULL);
}

static gboolean
format_step (GArray *fields, const char *reader, ClEventText *out)
{
  g_autofree char *name = field (fields, "step");
  g_autofree char *result = field (fields, "result");
  g_autofree char *noun = NULL, *phrase = NULL, *extras = NULL;
  ClEventTone tone = CL_EVENT_TONE_NEUTRAL;
  gint index;

  if (name == NULL)
    return FALSE;
  noun = capitalised (step_noun (name, &index));
  if (g_strcmp0 (result, "OK") == 0)
    phrase = index >= 0 ? g_strdup (_ (steps[index].done)) : g_strdup_printf (_ ("%s done"), noun);
  else if (g_strcmp0 (result, "FAILED") == 0)
    {
      phrase = g_strdup_printf (_ ("%s failed"), noun);
      tone = CL_EVENT_TONE_ERROR;
    }
  else if (g_strcmp0 (result, "SKIPPED") == 0)
    phrase = g_strdup_printf (_ ("%s skipped: already done"), noun);
  else if (result != NULL)
    phrase = g_strdup_printf ("%s: %s", noun, result);
  else
    phrase = g_strdup (noun);

  extras = timing (fields);
  set (out, extras != NULL ? g_strdup_printf ("%s — %s", phrase, extras) : g_steal_pointer (&phrase),
       JOIN (DOT, g_strdup (reader), field (fields, "detail")), tone);
  return TRUE;
}

static gboolean
format_good (GArray *fields, const char *reader, ClEventText *out)
{
  g_autofree char *serial = field (fields, "serial");
  g_autofree char *chip = field (fields, "chip");
  g_autofree char *ms = field (fields, "ms");
  g_autofree char *apdus = field (fields, "apdus");
  g_autofree char *id = serial != NULL ? shortened (serial, SERIAL_CHARS) : shortened (chip, ID_CHARS);
  g_autofree char *figures = JOIN (", ", apdus_text (apdus), duration_text (ms));
  g_autoptr (GString) title = g_string_new (_ ("Good card"));

  /* The serial is what the operator finds printed and in the output hopper; the chip goes underneath. */
  if (id != NULL)
    g_string_append_printf (title, " %s", id);
  if (figures != NULL)
    g_string_append_printf (title, " (%s)", figures);
  set (out, g_string_free (g_steal_pointer (&title), FALSE),
       JOIN (DOT, g_strdup (reader), serial != NULL && chip != NULL ? g_strdup_printf (_ ("chip %s"), chip) : NULL),
       CL_EVENT_TONE_GOOD);
  return TRUE;
}

static gboolean
format_reject (GArray *fields, const char *reader, ClEventText *out)
{
  g_autofree char *reason_name = field (fields, "reason");
  g_autofree char *step_name = field (fields, "step");
  g_autofree char *raw_sw = field (fields, "sw");
  g_autofree char *sw = sw_text (raw_sw);
  g_autofree char *chip = field (fields, "chip");
  g_autoptr (GString) title = g_string_new (_ ("Rejected"));
  ClRejectReason reason;
  const char *noun;
  gint index;

  if (reason_name != NULL)
    g_string_append_printf (
      title, ": %s",
      cl_reject_reason_from_string (reason_name, &reason, NULL) ? cl_reject_reason_describe (reason) : reason_name);
  if ((noun = step_noun (step_name, &index)) != NULL)
    g_string_append_printf (title, _ (" at %s"), noun);
  if (sw != NULL)
    g_string_append_printf (title, _ (" (SW %s)"), sw);
  set (out, g_string_free (g_steal_pointer (&title), FALSE),
       JOIN (DOT, g_strdup (reader), chip != NULL ? g_strdup_printf (_ ("chip %s"), chip) : NULL,
             field (fields, "detail")),
       CL_EVENT_TONE_ERROR);
  return TRUE;
}

static gboolean
format_printer (GArray *fields, const char *reader, ClEventText *out)
{
  g_autofree char *model = field (fields, "model");
  g_autofree char *serial = field (fields, "serial");
  g_autofree char *firmware = field (fields, "firmware");

  if (model == NULL && serial == NULL && firmware == NULL)
    return FALSE;
  set (out, model != NULL ? g_strdup_printf (_ ("Printer %s connected"), model) : g_strdup (_ ("Printer connected")),
       JOIN (DOT, g_strdup (reader), serial != NULL ? g_strdup_printf (_ ("serial %s"), serial) : NULL,
             firmware != NULL ? g_strdup_printf (_ ("firmware %s"), firmware) : NULL),
       CL_EVENT_TONE_NEUTRAL);
  return TRUE;
}

static char *
fault_text (const char *nick, gboolean cleared)
{
  gint i = fault_index (nick);
  g_autofree char *words = NULL;

  if (i >= 0)
    return g_strdup (_ (cleared ? faults[i].cleared : faults[i].fault));
  words = nick_text (nick);
  return cleared ? g_strdup_printf (_ ("%s cleared, printer resumed"), words) : g_steal_pointer (&words);
}

static gboolean
format_fault (GArray *fields, const char *reader, ClEventText *out)
{
  g_autofree char *nick = field (fields, "fault");
  g_autofree char *inside = field (fields, "card-inside");
  g_autofree char *what = NULL;

  if (nick == NULL)
    return FALSE;
  what = fault_text (nick, FALSE);
  set (out, g_strdup_printf (_ ("Printer fault: %s"), what),
       JOIN (DOT, g_strdup (reader), field (fields, "instruction"),
             g_strcmp0 (inside, "yes") == 0 ? g_strdup (_ ("a card is inside")) : NULL, field (fields, "detail")),
       CL_EVENT_TONE_WARNING);
  return TRUE;
}

static gboolean
format_resumed (GArray *fields, const char *reader, ClEventText *out)
{
  g_autofree char *nick = field (fields, "fault");
  g_autofree char *what = NULL;

  if (nick == NULL)
    return FALSE;
  what = fault_text (nick, TRUE);
  set (out, g_steal_pointer (&what), JOIN (DOT, g_strdup (reader)), CL_EVENT_TONE_GOOD);
  return TRUE;
}

static gboolean
format_recovered (GArray *fields, const char *reader, ClEventText *out)
{
  g_autofree char *rejected = field (fields, "card-rejected");

  set (out,
       g_strdup (g_strcmp0 (rejected, "yes") == 0 ? _ ("Printer recovered; the card inside went to the reject bin")
                                                  : _ ("Printer recovered")),
       JOIN (DOT, g_strdup (reader)), CL_EVENT_TONE_NEUTRAL);
  return TRUE;
}

static const struct
{
  const char *verb;
  gboolean (*format) (GArray *fields, const char *reader, ClEventText *out);
} machine_lines[] = {
  { "step", format_step },           { "good", format_good },   { "reject", format_reject },
  { "printer", format_printer },     { "fault", format_fault }, { "resumed", format_resumed },
  { "recovered", format_recovered },
};

/* A note that is a machine line, in words; FALSE for anything else (prose, or a line it cannot make out). */
static gboolean
format_machine_line (const char *detail, const char *reader, ClEventText *out)
{
  const char *space = strchr (detail, ' ');
  gsize verb_len = space != NULL ? (gsize)(space - detail) : strlen (detail);

  if (g_str_equal (detail, "feed"))
    {
      set (out, g_strdup (_ ("Card fed")), JOIN (DOT, g_strdup (reader)), CL_EVENT_TONE_NEUTRAL);
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (machine_lines); i++)
    if (strlen (machine_lines[i].verb) == verb_len && strncmp (detail, machine_lines[i].verb, verb_len) == 0)
      {
        g_autoptr (GArray) fields = parse_fields (detail + verb_len);

        return fields != NULL && machine_lines[i].format (fields, reader, out);
      }
  return FALSE;
}

static void
format_card_inserted (const char *reader, const char *detail, ClEventText *out)
{
  if (g_strcmp0 (detail, "ATR none") == 0)
    {
      set (out, g_strdup (_ ("Card inserted, no answer to reset")), JOIN (DOT, g_strdup (reader)),
           CL_EVENT_TONE_WARNING);
      return;
    }
  if (detail != NULL && g_str_has_prefix (detail, "ATR "))
    {
      g_autofree char *atr = shortened (detail + 4, ID_CHARS);

      set (out, g_strdup (_ ("Card inserted")),
           JOIN (DOT, g_strdup (reader), atr != NULL && *atr != '\0' ? g_strdup_printf (_ ("ATR %s"), atr) : NULL),
           CL_EVENT_TONE_NEUTRAL);
      return;
    }
  set (out, g_strdup (_ ("Card inserted")), JOIN (DOT, g_strdup (reader), g_strdup (detail)), CL_EVENT_TONE_NEUTRAL);
}

void
cl_event_text_format (ClLineEventKind kind, const char *reader, const char *detail, ClEventText *out)
{
  /* Labels take UTF-8 only; a reader name or a card's bytes in a detail may be anything. */
  g_autofree char *r = reader != NULL && *reader != '\0' ? g_utf8_make_valid (reader, -1) : NULL;
  g_autofree char *d = detail != NULL && *detail != '\0' ? g_utf8_make_valid (detail, -1) : NULL;

  g_return_if_fail (out != NULL);

  switch (kind)
    {
      case CL_LINE_EVENT_READER_ADDED:
        set (out, g_strdup (_ ("Reader connected")), JOIN (DOT, g_strdup (r), g_strdup (d)), CL_EVENT_TONE_NEUTRAL);
        return;
      case CL_LINE_EVENT_READER_REMOVED:
        set (out, g_strdup (_ ("Reader disconnected")), JOIN (DOT, g_strdup (r), g_strdup (d)), CL_EVENT_TONE_WARNING);
        return;
      case CL_LINE_EVENT_CARD_INSERTED:
        format_card_inserted (r, d, out);
        return;
      case CL_LINE_EVENT_CARD_REMOVED:
        set (out, g_strdup (_ ("Card removed")), JOIN (DOT, g_strdup (r), g_strdup (d)), CL_EVENT_TONE_NEUTRAL);
        return;
      case CL_LINE_EVENT_SERVICE_UNAVAILABLE:
        set (out, g_strdup (_ ("PC/SC service not reachable")), JOIN (DOT, g_strdup (r), g_strdup (d)),
             CL_EVENT_TONE_ERROR);
        return;
      case CL_LINE_EVENT_SERVICE_LOST:
        set (out, g_strdup (_ ("PC/SC service lost")), JOIN (DOT, g_strdup (r), g_strdup (d)), CL_EVENT_TONE_ERROR);
        return;
      case CL_LINE_EVENT_SERVICE_RESTORED:
        /* its detail only says the same again */
        set (out, g_strdup (_ ("PC/SC service reachable again")), JOIN (DOT, g_strdup (r)), CL_EVENT_TONE_GOOD);
        return;
      case CL_LINE_EVENT_NOTE:
      default:
        if (d != NULL && format_machine_line (d, r, out))
          return;
        set (out, d != NULL ? g_steal_pointer (&d) : g_strdup (_ ("Note")), JOIN (DOT, g_strdup (r)),
             CL_EVENT_TONE_NEUTRAL);
        return;
    }
}

void
cl_event_text_for_event (ClLineEvent *event, ClEventText *out)
{
  g_return_if_fail (CL_IS_LINE_EVENT (event));
  cl_event_text_format (cl_line_event_get_kind (event), cl_line_event_get_reader (event),
                        cl_line_event_get_detail (event), out);
}

void
cl_event_text_clear (ClEventText *text)
{
  g_clear_pointer (&text->title, g_free);
  g_clear_pointer (&text->subtitle, g_free);
  text->tone = CL_EVENT_TONE_NEUTRAL;
}

char *
cl_event_text_dup_sentence (const ClEventText *text)
{
  const char *title = text->title != NULL ? text->title : "";

  if (text->subtitle == NULL)
    return g_strdup (title);
  return g_strdup_printf (g_str_has_suffix (title, ".") ? "%s %s" : "%s. %s", title, text->subtitle);
}
