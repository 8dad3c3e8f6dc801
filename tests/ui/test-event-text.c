/* The Line view's event sentences (cl-event-text.h over lib/line/cl-event-words.h) without a display: each kind of
 * event reads as words made from its typed fields, never from its machine line; untyped notes read as they are.
 * Odd field values (NULL strings, no status word, absurd durations and counts, enums out of range, bytes that are
 * not UTF-8, control characters) still give a title, never a crash, always valid UTF-8 on one line. */
#include <string.h>

#include "cl-event-text.h"

#define READER "Cardline Rig 0 00 00"
#define CHIP   "47905167760074500000"
#define NO_SW  (-1)
#define MS     ((gint64)1000)

typedef struct
{
  ClLineEventKind kind;
  const char *reader;
  ClLineEventFields fields; /* typed kinds */
  const char *detail;       /* untyped kinds; for typed ones the machine line, which must not matter */
  const char *title;
  const char *subtitle; /* NULL: none */
  ClEventTone tone;
} Case;

static const char *const plan[] = { "IDENTIFY", "OPEN_KST", "VERIFY", NULL };

static const Case cases[] = {
  /* steps */
  { CL_LINE_EVENT_STEP_FINISHED,
    READER,
    { .chip_id = CHIP, .step = CL_STEP_ROTATE_KEYS, .result = CL_STEP_RESULT_OK, .sw = 0x9000, .duration_us = 4900 },
    "step chip=" CHIP " step=ROTATE_KEYS result=OK ms=4.9 sw=9000",
    "Keys rotated — 4.9 ms, SW 9000",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_STEP_FINISHED,
    READER,
    { .step = CL_STEP_IDENTIFY, .result = CL_STEP_RESULT_OK, .sw = 0x9000, .duration_us = 2100 },
    NULL,
    "Card identified — 2.1 ms, SW 9000",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_STEP_FINISHED,
    READER,
    { .chip_id = CHIP,
      .step = CL_STEP_LOAD_APPLET,
      .result = CL_STEP_RESULT_FAILED,
      .sw = 0x6581,
      .duration_us = 12 * MS,
      .note = "LOAD block 0: sw=6581 a=b" },
    NULL,
    "Applet load failed — 12.0 ms, SW 6581",
    READER " · LOAD block 0: sw=6581 a=b",
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_STEP_FINISHED,
    READER,
    { .step = CL_STEP_OPEN_KST, .result = CL_STEP_RESULT_SKIPPED, .sw = NO_SW },
    NULL,
    "Secure channel skipped: already done — 0.0 ms",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_STEP_FINISHED,
    READER,
    { .step = CL_STEP_CERTIFY, .result = CL_STEP_RESULT_OK, .sw = 0x9000, .duration_us = 1520 * MS },
    NULL,
    "Certificate written — 1.5 s, SW 9000",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_STEP_STARTED,
    READER,
    { .chip_id = CHIP, .step = CL_STEP_VERIFY, .sw = NO_SW },
    NULL,
    "Verification started",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_CARD_PRESENT,
    READER,
    { .atr = "3BF81300008131FE454A434F5076323431B7", .plan = plan, .sw = NO_SW },
    NULL,
    "Card job started",
    READER " · ATR 3BF8130000… · 3 steps",
    CL_EVENT_TONE_NEUTRAL },
  /* outcomes */
  { CL_LINE_EVENT_GOOD,
    READER,
    { .chip_id = CHIP, .serial = "DECM0102300001", .duration_us = 1234500, .apdus = 34, .sw = NO_SW, .good = TRUE },
    "good chip=" CHIP " serial=DECM0102300001 ms=1234.5 apdus=34",
    "Good card DECM0102300001 (34 APDUs, 1.2 s)",
    READER " · chip " CHIP,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_GOOD,
    READER,
    { .chip_id = "0123ABCDEF0123456789", .duration_us = 812 * MS, .apdus = 1, .sw = NO_SW },
    NULL,
    "Good card 0123ABCDEF… (1 APDU, 812.0 ms)",
    READER,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_REJECTED,
    READER,
    { .chip_id = CHIP,
      .reason = CL_REJECT_LOAD_FAILED,
      .step = CL_STEP_LOAD_APPLET,
      .sw = 0x6581,
      .duration_us = 812300,
      .apdus = 20,
      .note = "LOAD refused (6581)" },
    "reject chip=" CHIP " reason=LOAD_FAILED step=LOAD_APPLET sw=6581 ms=812.3 apdus=20 detail=LOAD refused (6581)",
    "Rejected: Loading the applet was refused at applet load (SW 6581)",
    READER " · chip " CHIP " · LOAD refused (6581)",
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_REJECTED,
    READER,
    { .reason = CL_REJECT_NO_ATR, .step = CL_STEP_IDENTIFY, .sw = NO_SW },
    NULL,
    "Rejected: No answer to reset: no chip, a dead chip or a bad contact at identification",
    READER,
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_REJECTED,
    NULL,
    { .reason = CL_REJECT_VERIFY_FAILED, .step = CL_STEP_VERIFY, .sw = 0x6a80 },
    NULL,
    "Rejected: The final verification found the card not as it should be at verification (SW 6A80)",
    NULL,
    CL_EVENT_TONE_ERROR },
  /* a card lost to a printer power loss: not in the reject bin, and the operator is told to look for it */
  { CL_LINE_EVENT_REJECTED,
    READER,
    { .chip_id = CHIP,
      .reason = CL_REJECT_PROTOCOL_ERROR,
      .step = CL_STEP_DISPOSE,
      .sw = NO_SW,
      .duration_us = 2 * 1000 * MS,
      .apdus = 40,
      .whereabouts_unknown = TRUE,
      .note = "power lost" },
    "reject chip=" CHIP " reason=PROTOCOL_ERROR step=DISPOSE sw=- ms=2000.0 apdus=40 disposition=UNKNOWN "
    "detail=power lost",
    "Card not good, whereabouts unknown: its move was lost at ejection",
    READER " · chip " CHIP " · look for it in the output hopper and the reject bin · power lost",
    CL_EVENT_TONE_ERROR },
  /* faults, by ClLineFault */
  { CL_LINE_EVENT_FAULT,
    READER,
    { .fault = CL_LINE_FAULT_COVER_OPEN,
      .card_inside = TRUE,
      .instruction = "Close the printer cover. The line resumes by itself.",
      .sw = NO_SW },
    "fault fault=cover-open card-inside=yes instruction=Close the printer cover. detail=",
    "Printer fault: Cover open",
    READER " · Close the printer cover. The line resumes by itself. · a card is inside",
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_FAULT,
    READER,
    { .fault = CL_LINE_FAULT_JAM, .note = "status 12", .sw = NO_SW },
    NULL,
    "Printer fault: Card jam",
    READER " · Open the printer, remove the jammed card and put it in the reject bin, then close the cover. · "
           "status 12",
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_FAULT,
    READER,
    { .fault = CL_LINE_FAULT_FEEDER_EMPTY, .instruction = "Load cards.", .sw = NO_SW },
    NULL,
    "Printer fault: Feeder empty",
    READER " · Load cards.",
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_FAULT,
    READER,
    { .fault = CL_LINE_FAULT_COMMUNICATION_LOST, .instruction = "Check the cable.", .sw = NO_SW },
    NULL,
    "Printer fault: Printer not answering",
    READER " · Check the cable.",
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_FAULT,
    NULL,
    { .fault = CL_LINE_FAULT_STORE, .instruction = "Check the disk.", .note = "disk I/O error", .sw = NO_SW },
    NULL,
    "Line stopped: the record store cannot be written",
    "Check the disk. · disk I/O error",
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_FAULT,
    READER,
    { .fault = CL_LINE_FAULT_READER_GONE, .card_inside = TRUE, .sw = NO_SW },
    NULL,
    "Line stopped: the reader went away during a card",
    READER " · The card's reader went away: reconnect it and put the card back; the card in progress waits. · a card "
           "is inside",
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_FAULT,
    NULL,
    { .fault = CL_LINE_FAULT_SERVICE_LOST, .instruction = "Restart pcscd.", .sw = NO_SW },
    NULL,
    "Line stopped: the PC/SC service went away during a card",
    "Restart pcscd.",
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_FAULT_CLEARED,
    READER,
    { .fault = CL_LINE_FAULT_COMMUNICATION_LOST, .sw = NO_SW },
    "resumed fault=communication-lost",
    "Printer answering again",
    READER,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_FAULT_CLEARED,
    READER,
    { .fault = CL_LINE_FAULT_JAM, .sw = NO_SW },
    NULL,
    "Jam cleared, printer resumed",
    READER,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_FAULT_CLEARED,
    READER,
    { .fault = CL_LINE_FAULT_FEEDER_EMPTY, .sw = NO_SW },
    NULL,
    "Feeder refilled, printer resumed",
    READER,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_FAULT_CLEARED,
    NULL,
    { .fault = CL_LINE_FAULT_STORE, .sw = NO_SW },
    NULL,
    "Record store written again, line resumed",
    NULL,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_FAULT_CLEARED,
    READER,
    { .fault = CL_LINE_FAULT_READER_GONE, .sw = NO_SW },
    NULL,
    "Reader back, line resumed",
    READER,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_FAULT_CLEARED,
    NULL,
    { .fault = CL_LINE_FAULT_SERVICE_LOST, .sw = NO_SW },
    NULL,
    "PC/SC service back, line resumed",
    NULL,
    CL_EVENT_TONE_GOOD },
  /* the batch run */
  { CL_LINE_EVENT_PAUSED,
    READER,
    { .note = "cards in production finish, no new card is taken", .sw = NO_SW },
    "line paused: cards in production finish, no new card is taken",
    "Line paused",
    READER " · cards in production finish, no new card is taken",
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_RESUMED,
    NULL,
    { .sw = NO_SW },
    "line resumed: taking cards again",
    "Line resumed",
    NULL,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_BATCH_DONE,
    NULL,
    { .good = TRUE, .sw = NO_SW },
    "batch closed",
    "Batch closed: quantity reached",
    NULL,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_BATCH_DONE,
    NULL,
    { .good = FALSE, .sw = NO_SW },
    "batch stopped: no more cards are taken for it",
    "Batch stopped",
    NULL,
    CL_EVENT_TONE_NEUTRAL },
  /* the fields decide, whatever the machine line says */
  { CL_LINE_EVENT_GOOD,
    READER,
    { .chip_id = "AA", .sw = NO_SW },
    "reject chip=BB reason=NO_ATR",
    "Good card AA",
    READER,
    CL_EVENT_TONE_GOOD },
  /* odd values */
  { CL_LINE_EVENT_STEP_FINISHED,
    READER,
    { .step = (ClProductionStep)99, .result = CL_STEP_RESULT_OK, .sw = NO_SW, .duration_us = MS },
    NULL,
    "Unknown step done — 1.0 ms",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_STEP_FINISHED,
    READER,
    { .step = (ClProductionStep)-5, .result = CL_STEP_RESULT_FAILED, .sw = 0x10000, .duration_us = -1 },
    NULL,
    "Unknown step failed",
    READER,
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_STEP_FINISHED,
    READER,
    { .step = CL_STEP_ROTATE_KEYS, .result = (ClStepResult)7, .sw = -2, .duration_us = MS },
    NULL,
    "Key rotation — 1.0 ms",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_STEP_FINISHED,
    READER,
    { .step = CL_STEP_ROTATE_KEYS, .result = CL_STEP_RESULT_OK, .sw = 0, .duration_us = G_MAXINT64 },
    NULL,
    "Keys rotated — 9223372036854.8 s, SW 0000",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_STEP_FINISHED,
    READER,
    { .step = CL_STEP_ROTATE_KEYS, .result = CL_STEP_RESULT_OK, .sw = 0x6a82, .duration_us = G_MININT64 },
    NULL,
    "Keys rotated — SW 6A82",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_STEP_STARTED,
    READER,
    { .step = (ClProductionStep)42, .sw = NO_SW },
    NULL,
    "Step started",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_GOOD,
    READER,
    { .apdus = G_MAXUINT64, .sw = NO_SW },
    NULL,
    "Good card (18446744073709551615 APDUs)",
    READER,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_GOOD,
    NULL,
    { .chip_id = "", .serial = "", .duration_us = -5, .sw = NO_SW },
    NULL,
    "Good card",
    NULL,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_GOOD, READER, { .serial = "S1", .sw = NO_SW }, NULL, "Good card S1", READER, CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_REJECTED,
    READER,
    { .reason = (ClRejectReason)99, .step = (ClProductionStep)99, .sw = 0x9000, .chip_id = "abc" },
    NULL,
    "Rejected: Unknown reason (SW 9000)",
    READER " · chip abc",
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_REJECTED,
    READER,
    { .reason = CL_REJECT_CARD_REMOVED, .step = CL_STEP_CERTIFY, .sw = NO_SW, .note = "bad \xff byte" },
    NULL,
    "Rejected: The card left the reader during the sequence at certification",
    READER " · bad \xef\xbf\xbd byte",
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_REJECTED,
    READER,
    { .reason = CL_REJECT_TIMEOUT, .step = CL_STEP_VERIFY, .sw = NO_SW, .note = "line 1\nline 2\x1b[31m red\t" },
    NULL,
    "Rejected: The card did not finish within the profile's card timeout at verification",
    READER " · line 1 line 2 [31m red",
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_FAULT,
    NULL,
    { .fault = (ClLineFault)99, .card_inside = 7, .sw = NO_SW },
    NULL,
    "Line stopped by a fault",
    "a card is inside",
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_FAULT,
    NULL,
    { .fault = CL_LINE_FAULT_RIBBON_OUT, .instruction = " \n ", .sw = NO_SW },
    NULL,
    "Printer fault: Ribbon out",
    "Replace the printer ribbon.",
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_FAULT_CLEARED,
    NULL,
    { .fault = (ClLineFault)-1, .sw = NO_SW },
    NULL,
    "Fault cleared, line resumed",
    NULL,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_CARD_PRESENT, READER, { .sw = NO_SW }, NULL, "Card job started", READER, CL_EVENT_TONE_NEUTRAL },
  /* the reader monitor */
  { CL_LINE_EVENT_CARD_INSERTED,
    READER,
    { 0 },
    "ATR 3BF81300008131FE454A434F5076323431B7",
    "Card inserted",
    READER " · ATR 3BF8130000…",
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_CARD_INSERTED,
    READER,
    { 0 },
    "ATR none",
    "Card inserted, no answer to reset",
    READER,
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_CARD_INSERTED, READER, { 0 }, "ATR ", "Card inserted", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_CARD_INSERTED, READER, { 0 }, NULL, "Card inserted", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_CARD_INSERTED,
    READER,
    { 0 },
    "something else",
    "Card inserted",
    READER " · something else",
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_CARD_REMOVED, READER, { 0 }, NULL, "Card removed", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_READER_ADDED, READER, { 0 }, NULL, "Reader connected", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_READER_REMOVED, READER, { 0 }, NULL, "Reader disconnected", READER, CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_SERVICE_UNAVAILABLE,
    NULL,
    { 0 },
    "PC/SC service not reachable at /run/pcscd/pcscd.comm (default): gone",
    "PC/SC service not reachable",
    "PC/SC service not reachable at /run/pcscd/pcscd.comm (default): gone",
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_SERVICE_LOST,
    NULL,
    { 0 },
    "PC/SC service not reachable at x (y): z; retrying",
    "PC/SC service lost",
    "PC/SC service not reachable at x (y): z; retrying",
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_SERVICE_RESTORED,
    NULL,
    { 0 },
    "PC/SC service reachable again",
    "PC/SC service reachable again",
    NULL,
    CL_EVENT_TONE_GOOD },
  /* untyped notes: prose as it is, machine-looking text included (nothing parses it) */
  { CL_LINE_EVENT_NOTE, READER, { 0 }, "feed", "Card fed", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE,
    READER,
    { 0 },
    "recovered card-rejected=yes",
    "Printer recovered; the card inside went to the reject bin",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE,
    READER,
    { 0 },
    "recovered card-rejected=no",
    "Printer recovered",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE,
    READER,
    { 0 },
    "printer model=Primacy 2 serial=P2-0042 firmware=F1.2.3",
    "printer model=Primacy 2 serial=P2-0042 firmware=F1.2.3",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE,
    READER,
    { 0 },
    "step chip=1 step=ROTATE_KEYS result=OK ms=4.9",
    "step chip=1 step=ROTATE_KEYS result=OK ms=4.9",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE,
    NULL,
    { 0 },
    "store and token ready: production starts",
    "store and token ready: production starts",
    NULL,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE,
    READER,
    { 0 },
    "not produced: the card left",
    "not produced: the card left",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE,
    READER,
    { 0 },
    "bad \xc3\x28 note\r\n",
    "bad \xef\xbf\xbd( note",
    READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, NULL, { 0 }, NULL, "Note", NULL, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, "", { 0 }, "", "Note", NULL, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, "Reader \xff", { 0 }, "x", "x", "Reader \xef\xbf\xbd", CL_EVENT_TONE_NEUTRAL },
  { (ClLineEventKind)99, NULL, { 0 }, "from a newer app", "from a newer app", NULL, CL_EVENT_TONE_NEUTRAL },
};

static gboolean
is_typed (ClLineEventKind kind)
{
  return kind >= CL_LINE_EVENT_CARD_PRESENT && kind <= CL_LINE_EVENT_LAST_TYPED;
}

static ClLineEvent *
event_new (ClLineEventKind kind, const char *reader, const ClLineEventFields *fields, const char *detail)
{
  if (is_typed (kind))
    return cl_line_event_new_typed (kind, reader, fields, detail);
  return cl_line_event_new (NULL, kind, reader, detail);
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

/* What every output must be, whatever the input. */
static void
check_invariants (const ClEventText *text, const char *what)
{
  g_autofree char *sentence = NULL;

  if (text->title == NULL || *text->title == '\0' || !g_utf8_validate (text->title, -1, NULL)
      || has_control (text->title))
    g_error ("%s: bad title", what);
  if (text->subtitle != NULL
      && (*text->subtitle == '\0' || !g_utf8_validate (text->subtitle, -1, NULL) || has_control (text->subtitle)))
    g_error ("%s: bad subtitle", what);
  sentence = cl_event_text_dup_sentence (text);
  g_assert_true (g_utf8_validate (sentence, -1, NULL));
  g_assert_true (g_str_has_prefix (sentence, text->title));
  g_assert_cmpint (text->tone, >=, CL_EVENT_TONE_NEUTRAL);
  g_assert_cmpint (text->tone, <=, CL_EVENT_TONE_ERROR);
}

static void
test_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr (ClLineEvent) event = event_new (c->kind, c->reader, &c->fields, c->detail);
      g_auto (ClEventText) text = { 0 };

      g_test_message ("%u: %s", i, c->title);
      cl_event_text_for_event (event, &text);
      check_invariants (&text, c->title);
      g_assert_cmpstr (text.title, ==, c->title);
      g_assert_cmpstr (text.subtitle, ==, c->subtitle);
      g_assert_cmpint (text.tone, ==, c->tone);
    }
}

/* The words are the same through the event and straight from the parts; the row adds only the reader. */
static void
test_words (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr (ClLineEvent) event = event_new (c->kind, c->reader, &c->fields, c->detail);
      g_auto (ClEventWords) from_event = { 0 };
      g_auto (ClEventWords) from_parts = { 0 };

      cl_event_words_for_event (event, &from_event);
      cl_event_words_format (c->kind, c->reader, &c->fields, c->detail, &from_parts);
      g_assert_cmpstr (from_event.title, ==, c->title);
      g_assert_cmpstr (from_parts.title, ==, c->title);
      g_assert_cmpstr (from_event.details, ==, from_parts.details);
      g_assert_cmpstr (from_event.reader, ==, from_parts.reader);
      g_assert_cmpint (from_event.tone, ==, c->tone);
    }
}

/* The row shows sentences; the machine line that headless mode prints and scripts parse stays as it was. */
static void
test_event (void)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  g_autoptr (ClLineEvent) event = NULL;
  g_auto (ClEventText) text = { 0 };
  g_autofree char *sentence = NULL, *time_text = NULL, *line = NULL;

  fields.chip_id = CHIP;
  fields.step = CL_STEP_ROTATE_KEYS;
  fields.result = CL_STEP_RESULT_OK;
  fields.sw = 0x9000;
  fields.duration_us = 4900;
  event = cl_line_event_new_typed (CL_LINE_EVENT_STEP_FINISHED, READER, &fields,
                                   "step chip=" CHIP " step=ROTATE_KEYS result=OK ms=4.9 sw=9000");
  cl_event_text_for_event (event, &text);
  g_assert_cmpstr (text.title, ==, "Keys rotated — 4.9 ms, SW 9000");
  sentence = cl_event_text_dup_sentence (&text);
  g_assert_cmpstr (sentence, ==, "Keys rotated — 4.9 ms, SW 9000. " READER);
  time_text = cl_line_event_dup_time_text (event);
  line = g_strdup_printf ("%s note " READER " step chip=" CHIP " step=ROTATE_KEYS result=OK ms=4.9 sw=9000", time_text);
  g_assert_cmpstr (cl_line_event_get_line (event), ==, line);
}

/* Every kind, typed or not and out of range, under random field values, strings of random bytes included. */
static void
test_random (void)
{
  static const char *const pieces[] = { "chip", "=",    " ",        "\xff", "\xc3", "…",  "\n", "\x1b[2J",
                                        "\r",   "\x7f", "\xc2\x85", "ATR ", "feed", "\t", "",   "\xe2\x80\xa8" };
  GRand *rand = g_rand_new_with_seed (20241122);

  for (guint i = 0; i < 20000; i++)
    {
      g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
      ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
      ClLineEventKind kind = (ClLineEventKind)g_rand_int_range (rand, -1, CL_LINE_EVENT_LAST_TYPED + 3);
      g_autoptr (ClLineEvent) event = NULL;
      g_auto (ClEventText) text = { 0 };
      g_auto (ClEventWords) words = { 0 };

      for (guint s = 0; s < 7; s++)
        {
          g_autoptr (GString) value = g_string_new (NULL);
          guint n = g_rand_int_range (rand, 0, 6);

          for (guint p = 0; p < n; p++)
            g_string_append (value, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
          g_ptr_array_add (strings, g_rand_boolean (rand) ? g_string_free (g_steal_pointer (&value), FALSE) : NULL);
        }
      fields.chip_id = g_ptr_array_index (strings, 0);
      fields.serial = g_ptr_array_index (strings, 1);
      fields.note = g_ptr_array_index (strings, 2);
      fields.instruction = g_ptr_array_index (strings, 3);
      fields.atr = g_ptr_array_index (strings, 4);
      fields.step = (ClProductionStep)g_rand_int_range (rand, -2, CL_PRODUCTION_STEP_COUNT + 2);
      fields.result = (ClStepResult)g_rand_int_range (rand, -1, 5);
      fields.reason = (ClRejectReason)g_rand_int_range (rand, -2, CL_REJECT_REASON_COUNT + 2);
      fields.fault = (ClLineFault)g_rand_int_range (rand, -2, CL_LINE_FAULT_COUNT + 2);
      fields.sw = (gint)g_rand_int (rand) >> g_rand_int_range (rand, 0, 31);
      fields.duration_us = (gint64)(((guint64)g_rand_int (rand) << 32) | g_rand_int (rand));
      fields.apdus = ((guint64)g_rand_int (rand) << 32) | g_rand_int (rand);
      fields.good = (gboolean)g_rand_int (rand);
      fields.card_inside = (gboolean)g_rand_int (rand);

      event = event_new (kind, g_ptr_array_index (strings, 5), &fields, g_ptr_array_index (strings, 6));
      cl_event_text_for_event (event, &text);
      check_invariants (&text, "random");
      cl_event_words_format (kind, g_ptr_array_index (strings, 5), g_rand_boolean (rand) ? &fields : NULL,
                             g_ptr_array_index (strings, 6), &words);
      g_assert_true (words.title != NULL && *words.title != '\0' && g_utf8_validate (words.title, -1, NULL));
      g_assert_true (words.details == NULL || g_utf8_validate (words.details, -1, NULL));
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/event-text/cases", test_cases);
  g_test_add_func ("/event-text/words", test_words);
  g_test_add_func ("/event-text/event", test_event);
  g_test_add_func ("/event-text/random", test_random);
  return g_test_run ();
}
