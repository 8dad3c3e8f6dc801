/* cl-event-words.c: line events in the operator's words (cl-event-words.h).
 *
 * Typed events are worded from their fields: the fields are the truth, the machine line only their rendering for
 * scripts, so nothing here reads that line. Field strings come from cards and devices (a chip ID, a note with a
 * device's reply) and the enums may be out of range (an event from a newer engine, a fuzzer): every string is made
 * valid UTF-8 without control characters, and every enum is checked before it indexes a table. */
#include "cardline-config.h"

#include "line/cl-event-words.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define ID_CHARS     10 /* of a chip ID or an ATR before "…": enough to tell cards apart at a glance */
#define SERIAL_CHARS 24 /* a serial is what the operator matches against the card: whole, unless absurd */
#define DOT          CL_EVENT_WORDS_SEPARATOR

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

/* Whole sentences rather than "Printer fault: %s": translators see each one as it reads. The printer's faults name
 * the printer; the station's own (store, reader, service) name the part the operator has to look at. */
static const struct
{
  const char *title;
  const char *cleared;
} faults[] = {
  [CL_LINE_FAULT_FEEDER_EMPTY] = { N_ ("Printer fault: Feeder empty"), N_ ("Feeder refilled, printer resumed") },
  [CL_LINE_FAULT_JAM] = { N_ ("Printer fault: Card jam"), N_ ("Jam cleared, printer resumed") },
  [CL_LINE_FAULT_COVER_OPEN] = { N_ ("Printer fault: Cover open"), N_ ("Cover closed, printer resumed") },
  [CL_LINE_FAULT_RIBBON_OUT] = { N_ ("Printer fault: Ribbon out"), N_ ("Ribbon replaced, printer resumed") },
  [CL_LINE_FAULT_CARD_NOT_PRESENT]
  = { N_ ("Printer fault: No card at the contact station"), N_ ("Card path clear, printer resumed") },
  [CL_LINE_FAULT_COMMUNICATION_LOST] = { N_ ("Printer fault: Printer not answering"), N_ ("Printer answering again") },
  [CL_LINE_FAULT_PRINTER_ERROR]
  = { N_ ("Printer fault: Printer error"), N_ ("Printer error cleared, printer resumed") },
  [CL_LINE_FAULT_STORE]
  = { N_ ("Line stopped: the record store cannot be written"), N_ ("Record store written again, line resumed") },
  [CL_LINE_FAULT_READER_GONE]
  = { N_ ("Line stopped: the reader went away during a card"), N_ ("Reader back, line resumed") },
  [CL_LINE_FAULT_SERVICE_LOST]
  = { N_ ("Line stopped: the PC/SC service went away during a card"), N_ ("PC/SC service back, line resumed") },
  [CL_LINE_FAULT_HSM] = { N_ ("Line stopped: the HSM cannot be reached"), N_ ("HSM back, line resumed") },
  [CL_LINE_FAULT_PRINTER_QUEUE]
  = { N_ ("Line stopped: the card-face print queue takes no jobs"), N_ ("Print queue back, line resumed") },
  [CL_LINE_FAULT_PRODUCTION_SERVICE]
  = { N_ ("Line stopped: production service unreachable"), N_ ("Production service back, line resumed") },
  [CL_LINE_FAULT_FLEET_KEYS]
  = { N_ ("Station stopped: its master keys differ from the fleet's"), N_ ("Keys match the fleet's again") },
};
G_STATIC_ASSERT (G_N_ELEMENTS (faults) == CL_LINE_FAULT_COUNT);

const char *
cl_event_words_step_done (ClProductionStep step)
{
  return (guint)step < CL_PRODUCTION_STEP_COUNT ? _ (steps[step].done) : NULL;
}

const char *
cl_event_words_step_noun (ClProductionStep step)
{
  return (guint)step < CL_PRODUCTION_STEP_COUNT ? _ (steps[step].noun) : NULL;
}

const char *
cl_event_words_fault_title (ClLineFault fault)
{
  return (guint)fault < CL_LINE_FAULT_COUNT ? _ (faults[fault].title) : _ ("Line stopped by a fault");
}

const char *
cl_event_words_fault_cleared (ClLineFault fault)
{
  return (guint)fault < CL_LINE_FAULT_COUNT ? _ (faults[fault].cleared) : _ ("Fault cleared, line resumed");
}

/* ---- values ---- */

/* Valid UTF-8 on one line, trimmed; NULL for NULL or nothing left. Control characters (a newline in a device's
 * reply, an escape sequence in card data) become spaces: a terminal must not act on them, a row must stay a row. */
static char *
clean (const char *text)
{
  g_autofree char *valid = NULL;
  GString *out;

  if (text == NULL || *text == '\0')
    return NULL;
  valid = g_utf8_make_valid (text, -1);
  out = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0x2028 || c == 0x2029)
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  g_strstrip (out->str);
  if (out->str[0] == '\0')
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static char *
duration_text (gint64 us)
{
  if (us < 0)
    return NULL;
  if (us < 1000000)
    return g_strdup_printf (_ ("%.1f ms"), (double)us / 1e3);
  return g_strdup_printf (_ ("%.1f s"), (double)us / 1e6);
}

/* A status word is two bytes; anything else (-1: none) is left out. */
static char *
sw_text (gint sw)
{
  if (sw < 0 || sw > 0xffff)
    return NULL;
  return g_strdup_printf ("%04X", (guint)sw);
}

static char *
apdus_text (guint64 n)
{
  g_autofree char *count = NULL;

  if (n == 0)
    return NULL;
  /* the number goes in as text: xgettext cannot expand G_GUINT64_FORMAT in a msgid */
  count = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s APDU", "%s APDUs", (gulong)MIN (n, G_MAXULONG)), count);
}

/* id is clean (valid UTF-8) or NULL. */
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

static void
set (ClEventWords *out, char *title, char *details, ClEventTone tone)
{
  out->title = title;
  out->details = details;
  out->tone = tone;
}

/* "chip X", or NULL */
static char *
chip_text (const char *chip)
{
  g_autofree char *id = clean (chip);

  return id != NULL ? g_strdup_printf (_ ("chip %s"), id) : NULL;
}

static void
format_card_present (const ClLineEventFields *f, ClEventWords *out)
{
  g_autofree char *atr = clean (f->atr);
  g_autofree char *atr_short = shortened (atr, ID_CHARS);
  guint n_steps = f->plan != NULL ? g_strv_length ((GStrv)f->plan) : 0;

  set (out, g_strdup (_ ("Card job started")),
       JOIN (DOT, atr_short != NULL ? g_strdup_printf (_ ("ATR %s"), atr_short) : NULL,
             n_steps > 0 ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u step", "%u steps", n_steps), n_steps)
                         : NULL),
       CL_EVENT_TONE_NEUTRAL);
}

static void
format_step_started (const ClLineEventFields *f, ClEventWords *out)
{
  const char *noun = cl_event_words_step_noun (f->step);
  g_autofree char *name = noun != NULL ? capitalised (noun) : NULL;

  set (out, name != NULL ? g_strdup_printf (_ ("%s started"), name) : g_strdup (_ ("Step started")), NULL,
       CL_EVENT_TONE_NEUTRAL);
}

static void
format_step_finished (const ClLineEventFields *f, ClEventWords *out)
{
  const char *noun = cl_event_words_step_noun (f->step);
  g_autofree char *name = capitalised (noun != NULL ? noun : _ ("unknown step"));
  g_autofree char *sw = sw_text (f->sw);
  g_autofree char *phrase = NULL, *timing = NULL;
  ClEventTone tone = CL_EVENT_TONE_NEUTRAL;

  switch (f->result)
    {
      case CL_STEP_RESULT_OK:
        phrase = noun != NULL ? g_strdup (cl_event_words_step_done (f->step)) : g_strdup_printf (_ ("%s done"), name);
        break;
      case CL_STEP_RESULT_FAILED:
        phrase = g_strdup_printf (_ ("%s failed"), name);
        tone = CL_EVENT_TONE_ERROR;
        break;
      case CL_STEP_RESULT_SKIPPED:
        phrase = g_strdup_printf (_ ("%s skipped: already done"), name);
        break;
      default:
        phrase = g_steal_pointer (&name);
        break;
    }
  timing = JOIN (", ", duration_text (f->duration_us), sw != NULL ? g_strdup_printf (_ ("SW %s"), sw) : NULL);
  set (out, timing != NULL ? g_strdup_printf ("%s — %s", phrase, timing) : g_steal_pointer (&phrase), clean (f->note),
       tone);
}

static void
format_good (const ClLineEventFields *f, ClEventWords *out)
{
  g_autofree char *serial = clean (f->serial);
  g_autofree char *chip = clean (f->chip_id);
  g_autofree char *id = serial != NULL ? shortened (serial, SERIAL_CHARS) : shortened (chip, ID_CHARS);
  /* a card always takes time and APDUs: zero means the engine did not say */
  g_autofree char *figures
    = JOIN (", ", apdus_text (f->apdus), f->duration_us > 0 ? duration_text (f->duration_us) : NULL);
  g_autoptr (GString) title = g_string_new (_ ("Good card"));

  /* The serial is what the operator finds printed and in the output hopper; the chip goes underneath. */
  if (id != NULL)
    g_string_append_printf (title, " %s", id);
  if (figures != NULL)
    g_string_append_printf (title, " (%s)", figures);
  set (out, g_string_free (g_steal_pointer (&title), FALSE),
       serial != NULL && chip != NULL ? g_strdup_printf (_ ("chip %s"), chip) : NULL, CL_EVENT_TONE_GOOD);
}

static void
format_rejected (const ClLineEventFields *f, ClEventWords *out)
{
  const char *noun = cl_event_words_step_noun (f->step);
  g_autofree char *sw = sw_text (f->sw);
  g_autoptr (GString) title = g_string_new (NULL);

  /* not in the reject bin: the reason would blame the card's move on the card; the operator looks for it */
  if (f->whereabouts_unknown)
    g_string_append (title, _ ("Card not good, whereabouts unknown: its move was lost"));
  else
    /* reasons are a closed list (DESIGN §2); one from a newer engine still reads as a reject */
    g_string_append_printf (title, "%s: %s", _ ("Rejected"), cl_reject_reason_describe (f->reason));
  if (noun != NULL)
    g_string_append_printf (title, _ (" at %s"), noun);
  if (sw != NULL)
    g_string_append_printf (title, _ (" (SW %s)"), sw);
  set (out, g_string_free (g_steal_pointer (&title), FALSE),
       JOIN (DOT, chip_text (f->chip_id),
             f->whereabouts_unknown ? g_strdup (_ ("look for it in the output hopper and the reject bin")) : NULL,
             clean (f->note)),
       CL_EVENT_TONE_ERROR);
}

static void
format_fault (const ClLineEventFields *f, ClEventWords *out)
{
  g_autofree char *instruction = clean (f->instruction);

  /* the fault's own instruction when the engine gave none: the operator must always be told what to do */
  if (instruction == NULL && (guint)f->fault < CL_LINE_FAULT_COUNT)
    instruction = g_strdup (cl_line_fault_instruction (f->fault));
  set (out, g_strdup (cl_event_words_fault_title (f->fault)),
       JOIN (DOT, g_steal_pointer (&instruction), f->card_inside ? g_strdup (_ ("a card is inside")) : NULL,
             clean (f->note)),
       CL_EVENT_TONE_WARNING);
}

static void
format_typed (ClLineEventKind kind, const ClLineEventFields *f, ClEventWords *out)
{
  switch (kind)
    {
      case CL_LINE_EVENT_CARD_PRESENT:
        format_card_present (f, out);
        return;
      case CL_LINE_EVENT_STEP_STARTED:
        format_step_started (f, out);
        return;
      case CL_LINE_EVENT_STEP_FINISHED:
        format_step_finished (f, out);
        return;
      case CL_LINE_EVENT_GOOD:
        format_good (f, out);
        return;
      case CL_LINE_EVENT_REJECTED:
        format_rejected (f, out);
        return;
      case CL_LINE_EVENT_FAULT:
        format_fault (f, out);
        return;
      case CL_LINE_EVENT_FAULT_CLEARED:
        set (out, g_strdup (cl_event_words_fault_cleared (f->fault)), NULL, CL_EVENT_TONE_GOOD);
        return;
      case CL_LINE_EVENT_PAUSED:
        set (out, g_strdup (_ ("Line paused")), clean (f->note), CL_EVENT_TONE_NEUTRAL);
        return;
      case CL_LINE_EVENT_RESUMED:
        set (out, g_strdup (_ ("Line resumed")), clean (f->note), CL_EVENT_TONE_NEUTRAL);
        return;
      case CL_LINE_EVENT_BATCH_DONE:
        set (out, g_strdup (f->good ? _ ("Batch closed: quantity reached") : _ ("Batch stopped")), clean (f->note),
             CL_EVENT_TONE_NEUTRAL);
        return;
      case CL_LINE_EVENT_SERVICE_NOTIFY:
        /* the service's own words: any service's, shown as they come */
        set (out, g_strdup (_ ("Production service")), clean (f->note), CL_EVENT_TONE_NEUTRAL);
        return;
      case CL_LINE_EVENT_SERVICE_ENDED:
        set (out,
             g_strdup (f->result == CL_STEP_RESULT_OK ? _ ("Production service completed the card")
                                                      : _ ("Production service did not complete the card")),
             clean (f->note), f->result == CL_STEP_RESULT_OK ? CL_EVENT_TONE_NEUTRAL : CL_EVENT_TONE_WARNING);
        return;
      default:
        g_assert_not_reached ();
    }
}

/* The card monitor's text is "ATR <hex>" or "ATR none" (drivers/pcsc); a prefix check, not a parser. */
static void
format_card_inserted (const char *text, ClEventWords *out)
{
  if (g_strcmp0 (text, "ATR") == 0) /* cleaned of its trailing space: an ATR the monitor could not render */
    {
      set (out, g_strdup (_ ("Card inserted")), NULL, CL_EVENT_TONE_NEUTRAL);
      return;
    }
  if (g_strcmp0 (text, "ATR none") == 0)
    {
      set (out, g_strdup (_ ("Card inserted, no answer to reset")), NULL, CL_EVENT_TONE_WARNING);
      return;
    }
  if (text != NULL && g_str_has_prefix (text, "ATR "))
    {
      g_autofree char *atr = shortened (text + 4, ID_CHARS);

      set (out, g_strdup (_ ("Card inserted")), g_strdup_printf (_ ("ATR %s"), atr), CL_EVENT_TONE_NEUTRAL);
      return;
    }
  set (out, g_strdup (_ ("Card inserted")), g_strdup (text), CL_EVENT_TONE_NEUTRAL);
}

/* Untyped notes are prose, shown as they are. The few whole texts matched here are fixed strings of the printer
 * station with nothing to pick out of them. */
static void
format_note (const char *text, ClEventWords *out)
{
  if (g_strcmp0 (text, "feed") == 0)
    set (out, g_strdup (_ ("Card fed")), NULL, CL_EVENT_TONE_NEUTRAL);
  else if (g_strcmp0 (text, "recovered card-rejected=yes") == 0)
    set (out, g_strdup (_ ("Printer recovered; the card inside went to the reject bin")), NULL, CL_EVENT_TONE_NEUTRAL);
  else if (g_strcmp0 (text, "recovered card-rejected=no") == 0)
    set (out, g_strdup (_ ("Printer recovered")), NULL, CL_EVENT_TONE_NEUTRAL);
  else
    set (out, text != NULL ? g_strdup (text) : g_strdup (_ ("Note")), NULL, CL_EVENT_TONE_NEUTRAL);
}

void
cl_event_words_format (ClLineEventKind kind, const char *reader, const ClLineEventFields *fields, const char *text,
                       ClEventWords *out)
{
  static const ClLineEventFields none = CL_LINE_EVENT_FIELDS_INIT;
  g_autofree char *t = clean (text);

  g_return_if_fail (out != NULL);

  out->reader = clean (reader);
  switch (kind)
    {
      case CL_LINE_EVENT_READER_ADDED:
        set (out, g_strdup (_ ("Reader connected")), g_steal_pointer (&t), CL_EVENT_TONE_NEUTRAL);
        return;
      case CL_LINE_EVENT_READER_REMOVED:
        set (out, g_strdup (_ ("Reader disconnected")), g_steal_pointer (&t), CL_EVENT_TONE_WARNING);
        return;
      case CL_LINE_EVENT_CARD_INSERTED:
        format_card_inserted (t, out);
        return;
      case CL_LINE_EVENT_CARD_REMOVED:
        set (out, g_strdup (_ ("Card removed")), g_steal_pointer (&t), CL_EVENT_TONE_NEUTRAL);
        return;
      case CL_LINE_EVENT_SERVICE_UNAVAILABLE:
        set (out, g_strdup (_ ("PC/SC service not reachable")), g_steal_pointer (&t), CL_EVENT_TONE_ERROR);
        return;
      case CL_LINE_EVENT_SERVICE_LOST:
        set (out, g_strdup (_ ("PC/SC service lost")), g_steal_pointer (&t), CL_EVENT_TONE_ERROR);
        return;
      case CL_LINE_EVENT_SERVICE_RESTORED:
        /* its text only says the same again */
        set (out, g_strdup (_ ("PC/SC service reachable again")), NULL, CL_EVENT_TONE_GOOD);
        return;
      case CL_LINE_EVENT_CARD_PRESENT:
      case CL_LINE_EVENT_STEP_STARTED:
      case CL_LINE_EVENT_STEP_FINISHED:
      case CL_LINE_EVENT_GOOD:
      case CL_LINE_EVENT_REJECTED:
      case CL_LINE_EVENT_FAULT:
      case CL_LINE_EVENT_FAULT_CLEARED:
      case CL_LINE_EVENT_PAUSED:
      case CL_LINE_EVENT_RESUMED:
      case CL_LINE_EVENT_BATCH_DONE:
      case CL_LINE_EVENT_SERVICE_NOTIFY:
      case CL_LINE_EVENT_SERVICE_ENDED:
        format_typed (kind, fields != NULL ? fields : &none, out);
        return;
      case CL_LINE_EVENT_NOTE:
      default:
        format_note (t, out);
        return;
    }
}

void
cl_event_words_for_event (ClLineEvent *event, ClEventWords *out)
{
  g_return_if_fail (CL_IS_LINE_EVENT (event));
  cl_event_words_format (cl_line_event_get_kind (event), cl_line_event_get_reader (event),
                         cl_line_event_get_fields (event), cl_line_event_get_detail (event), out);
}

void
cl_event_words_clear (ClEventWords *words)
{
  g_clear_pointer (&words->title, g_free);
  g_clear_pointer (&words->details, g_free);
  g_clear_pointer (&words->reader, g_free);
  words->tone = CL_EVENT_TONE_NEUTRAL;
}
