/* The event formatter (lib/line/cl-event-words.h, and the Line view's rows over it, ui/cl-event-text.h) under any
 * field values: a typed event's strings carry card data and device replies, and its enums may come from a newer
 * engine. Whatever they hold, the words must be valid UTF-8 on one line with a non-empty title, and never crash.
 * (There is no parser any more: views format typed fields; this fuzzes the formatter over decoded fields.)
 *
 * Input, 24 bytes of header, short inputs zero-padded:
 *   0 kind (anything up to two past the last kind: kinds from a newer app)   1 step (signed)   2 result
 *   3 reason (signed)   4 fault (signed)   5..6 status word, big-endian   7..14 duration in µs (int64, big-endian)
 *   15..22 APDU count   23 flags: 1 good, 2 card inside, 4 no status word, 8 no fields at all
 * then NUL-separated strings, each absent when the input ends first: reader, chip, serial, note, instruction, ATR,
 * detail (the machine line of typed kinds, the text of untyped ones). */
#include <stdint.h>
#include <string.h>

#include "cl-event-text.h"

#define HEADER    24
#define N_STRINGS 7

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint64
be64 (const uint8_t *p)
{
  guint64 v = 0;

  for (guint i = 0; i < 8; i++)
    v = (v << 8) | p[i];
  return v;
}

static gboolean
has_control (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || (c >= 0x7f && c < 0xa0))
        return TRUE;
    }
  return FALSE;
}

static void
check (const char *title, const char *rest)
{
  g_assert_nonnull (title);
  g_assert_cmpstr (title, !=, "");
  g_assert_true (g_utf8_validate (title, -1, NULL));
  g_assert_false (has_control (title));
  g_assert_true (rest == NULL || (*rest != '\0' && g_utf8_validate (rest, -1, NULL) && !has_control (rest)));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  uint8_t header[HEADER] = { 0 };
  const char *strings[N_STRINGS] = { NULL };
  g_autofree char *copy = NULL;
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  ClLineEventKind kind;
  g_autoptr (ClLineEvent) event = NULL;
  g_auto (ClEventWords) words = { 0 };
  g_auto (ClEventText) text = { 0 };
  g_autofree char *sentence = NULL;

  memcpy (header, data, MIN (size, HEADER));
  kind = (ClLineEventKind)(header[0] % (CL_LINE_EVENT_LAST_TYPED + 3));
  fields.step = (ClProductionStep)(gint8)header[1];
  fields.result = (ClStepResult)header[2];
  fields.reason = (ClRejectReason)(gint8)header[3];
  fields.fault = (ClLineFault)(gint8)header[4];
  fields.sw = (header[23] & 4) ? -1 : (header[5] << 8 | header[6]);
  fields.duration_us = (gint64)be64 (header + 7);
  fields.apdus = be64 (header + 15);
  fields.good = (header[23] & 1) != 0;
  fields.card_inside = (header[23] & 2) != 0;

  if (size > HEADER)
    {
      /* one NUL after the last string, so that each is terminated */
      gsize len = size - HEADER;
      const char *p, *end;

      copy = g_malloc (len + 1);
      memcpy (copy, data + HEADER, len);
      copy[len] = '\0';
      p = copy;
      end = copy + len;
      for (guint i = 0; i < N_STRINGS && p <= end; i++)
        {
          strings[i] = p;
          p += strlen (p) + 1;
        }
    }
  fields.chip_id = strings[1];
  fields.serial = strings[2];
  fields.note = strings[3];
  fields.instruction = strings[4];
  fields.atr = strings[5];

  /* straight from the parts, fields present or not */
  cl_event_words_format (kind, strings[0], (header[23] & 8) ? NULL : &fields, strings[6], &words);
  check (words.title, words.details);
  g_assert_true (words.reader == NULL || (g_utf8_validate (words.reader, -1, NULL) && !has_control (words.reader)));

  /* through an event, as the views get them */
  if (kind >= CL_LINE_EVENT_CARD_PRESENT && kind <= CL_LINE_EVENT_LAST_TYPED)
    event = cl_line_event_new_typed (kind, strings[0], &fields, strings[6]);
  else
    event = cl_line_event_new (NULL, kind, strings[0], strings[6]);
  cl_event_text_for_event (event, &text);
  check (text.title, text.subtitle);
  g_assert_true ((guint)text.tone <= CL_EVENT_TONE_ERROR);
  sentence = cl_event_text_dup_sentence (&text);
  g_assert_true (g_utf8_validate (sentence, -1, NULL));
  return 0;
}
