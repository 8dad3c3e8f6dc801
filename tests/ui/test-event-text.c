/* The Line view's event sentences (cl-event-text.h) without a display: each kind of event and each machine line the
 * app logs reads as words; lines cut short, mangled, with unknown keys or missing values still give a title (the line
 * as it is when nothing better can be said), never a crash, always valid UTF-8. */
#include <string.h>

#include "cl-event-text.h"

#define READER "Cardline Rig 0 00 00"

typedef struct
{
  ClLineEventKind kind;
  const char *reader;
  const char *detail;
  const char *title;
  const char *subtitle; /* NULL: none */
  ClEventTone tone;
} Case;

static const Case cases[] = {
  /* steps, as cl-station-feed.c logs them */
  { CL_LINE_EVENT_NOTE, READER, "step chip=47905167760074500000 step=ROTATE_KEYS result=OK ms=4.9 sw=9000",
    "Keys rotated — 4.9 ms, SW 9000", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step chip=47905167760074500000 step=IDENTIFY result=OK ms=2.1 sw=9000",
    "Card identified — 2.1 ms, SW 9000", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER,
    "step chip=47905167760074500000 step=LOAD_APPLET result=FAILED ms=12.0 sw=6581 detail=LOAD block 0: sw=6581 a=b",
    "Applet load failed — 12.0 ms, SW 6581", READER " · LOAD block 0: sw=6581 a=b", CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_NOTE, READER, "step chip=- step=OPEN_KST result=SKIPPED ms=0.0 sw=-",
    "Secure channel skipped: already done — 0.0 ms", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step chip=1 step=CERTIFY result=OK ms=1520.0 sw=9000",
    "Certificate written — 1.5 s, SW 9000", READER, CL_EVENT_TONE_NEUTRAL },
  /* outcomes, as cl-production-line.c and cl-printer-station.c log them */
  { CL_LINE_EVENT_NOTE, READER, "good chip=47905167760074500000 serial=DECM0102300001 ms=1234.5 apdus=34",
    "Good card DECM0102300001 (34 APDUs, 1.2 s)", READER " · chip 47905167760074500000", CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_NOTE, READER, "good chip=0123ABCDEF0123456789 ms=812.0 apdus=1",
    "Good card 0123ABCDEF… (1 APDU, 812.0 ms)", READER, CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_NOTE, READER,
    "reject chip=47905167760074500000 reason=LOAD_FAILED step=LOAD_APPLET sw=6581 ms=812.3 apdus=20 "
    "detail=LOAD refused (6581)",
    "Rejected: Loading the applet was refused at applet load (SW 6581)",
    READER " · chip 47905167760074500000 · LOAD refused (6581)", CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_NOTE, READER, "reject chip=- reason=NO_ATR step=IDENTIFY sw=- ms=0.0 apdus=0 detail=",
    "Rejected: No answer to reset: no chip, a dead chip or a bad contact at identification", READER,
    CL_EVENT_TONE_ERROR },
  /* the reader monitor */
  { CL_LINE_EVENT_CARD_INSERTED, READER, "ATR 3BF81300008131FE454A434F5076323431B7", "Card inserted",
    READER " · ATR 3BF8130000…", CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_CARD_INSERTED, READER, "ATR none", "Card inserted, no answer to reset", READER,
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_CARD_INSERTED, READER, NULL, "Card inserted", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_CARD_REMOVED, READER, NULL, "Card removed", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_READER_ADDED, READER, NULL, "Reader connected", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_READER_REMOVED, READER, NULL, "Reader disconnected", READER, CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_SERVICE_UNAVAILABLE, NULL, "PC/SC service not reachable at /run/pcscd/pcscd.comm (default): gone",
    "PC/SC service not reachable", "PC/SC service not reachable at /run/pcscd/pcscd.comm (default): gone",
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_SERVICE_LOST, NULL, "PC/SC service not reachable at x (y): z; retrying", "PC/SC service lost",
    "PC/SC service not reachable at x (y): z; retrying", CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_SERVICE_RESTORED, NULL, "PC/SC service reachable again", "PC/SC service reachable again", NULL,
    CL_EVENT_TONE_GOOD },
  /* the printer station */
  { CL_LINE_EVENT_NOTE, READER, "printer model=Primacy 2 serial=P2-0042 firmware=F1.2.3", "Printer Primacy 2 connected",
    READER " · serial P2-0042 · firmware F1.2.3", CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER,
    "fault fault=cover-open card-inside=yes instruction=Close the printer cover. The line resumes by itself. detail=",
    "Printer fault: Cover open", READER " · Close the printer cover. The line resumes by itself. · a card is inside",
    CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_NOTE, READER, "fault fault=paper-jam card-inside=no instruction=Check. detail=status 12",
    "Printer fault: Paper jam", READER " · Check. · status 12", CL_EVENT_TONE_WARNING },
  { CL_LINE_EVENT_NOTE, READER, "resumed fault=communication-lost", "Printer answering again", READER,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_NOTE, READER, "resumed fault=jam", "Jam cleared, printer resumed", READER, CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_NOTE, READER, "recovered card-rejected=yes",
    "Printer recovered; the card inside went to the reject bin", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "feed", "Card fed", READER, CL_EVENT_TONE_NEUTRAL },
  /* prose notes stay as they are */
  { CL_LINE_EVENT_NOTE, READER, "line paused: card waits", "line paused: card waits", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, NULL, "batch closed", "batch closed", NULL, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "printer line stopped: cover=open", "printer line stopped: cover=open", READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "not produced: the card left", "not produced: the card left", READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, NULL, NULL, "Note", NULL, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, "", "", "Note", NULL, CL_EVENT_TONE_NEUTRAL },
  /* cut short, mangled, unknown keys, missing values */
  { CL_LINE_EVENT_NOTE, READER, "step", "step", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step chip=", "step chip=", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step chip=1 step=ROTATE_KEYS", "Key rotation", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step chip=1 step=ROTATE_KEYS result=OK ms=abc sw=90", "Keys rotated", READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step step=ROTATE_KEYS result=OK ms=nan sw=90000", "Keys rotated", READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step step=ROTATE_KEYS result=OK ms=-3 sw=zz00", "Keys rotated", READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step step=ROTATE_KEYS result=OK ms=1e999 sw=6a82", "Keys rotated — SW 6A82", READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step step=ROTATE_KEYS result=MAYBE ms=1", "Key rotation: MAYBE — 1.0 ms", READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step step=POLISH result=OK ms=1", "POLISH done — 1.0 ms", READER,
    CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step step=POLISH result=FAILED", "POLISH failed", READER, CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_NOTE, READER, "step new=1 step=VERIFY x-y=2 result=OK zzz=9 ms=2.0 step=IDENTIFY",
    "Card verified — 2.0 ms", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step   step=VERIFY    result=OK   ", "Card verified", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "step step=", "step step=", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "good", "Good card", READER, CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_NOTE, READER, "good chip=X serial= ms= apdus=", "Good card X", READER, CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_NOTE, READER, "good chip=1 ms=10 apdus=-1", "Good card 1 (10.0 ms)", READER, CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_NOTE, READER, "good apdus=99999999999999999999999", "Good card", READER, CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_NOTE, READER, "good =x", "good =x", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "goodness chip=1", "goodness chip=1", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "reject", "Rejected", READER, CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_NOTE, READER, "reject reason=WHATEVER", "Rejected: WHATEVER", READER, CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_NOTE, READER, "reject chip=abc reason=LOAD_FAILED step=LOAD_APP",
    "Rejected: Loading the applet was refused at LOAD_APP", READER " · chip abc", CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_NOTE, READER, "reject detail=", "Rejected", READER, CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_NOTE, NULL, "reject step=VERIFY sw=6A80", "Rejected at verification (SW 6A80)", NULL,
    CL_EVENT_TONE_ERROR },
  { CL_LINE_EVENT_NOTE, READER, "printer", "printer", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "printer serial=9", "Printer connected", READER " · serial 9", CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "fault card-inside=yes", "fault card-inside=yes", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "resumed", "resumed", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_NOTE, READER, "resumed fault=odd-thing", "Odd thing cleared, printer resumed", READER,
    CL_EVENT_TONE_GOOD },
  { CL_LINE_EVENT_NOTE, READER, "recovered", "Printer recovered", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_CARD_INSERTED, READER, "ATR ", "Card inserted", READER, CL_EVENT_TONE_NEUTRAL },
  { CL_LINE_EVENT_CARD_INSERTED, READER, "something else", "Card inserted", READER " · something else",
    CL_EVENT_TONE_NEUTRAL },
  { (ClLineEventKind)99, NULL, "from a newer app", "from a newer app", NULL, CL_EVENT_TONE_NEUTRAL },
};

/* What every output must be, whatever the input. */
static void
check_invariants (const ClEventText *text, const char *what)
{
  g_autofree char *sentence = cl_event_text_dup_sentence (text);

  if (text->title == NULL || *text->title == '\0' || !g_utf8_validate (text->title, -1, NULL))
    g_error ("%s: bad title", what);
  if (text->subtitle != NULL && (*text->subtitle == '\0' || !g_utf8_validate (text->subtitle, -1, NULL)))
    g_error ("%s: bad subtitle", what);
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
      g_auto (ClEventText) text = { 0 };

      g_test_message ("%u: %s", i, c->detail != NULL ? c->detail : "(null)");
      cl_event_text_format (c->kind, c->reader, c->detail, &text);
      check_invariants (&text, c->detail != NULL ? c->detail : "(null)");
      g_assert_cmpstr (text.title, ==, c->title);
      g_assert_cmpstr (text.subtitle, ==, c->subtitle);
      g_assert_cmpint (text.tone, ==, c->tone);
    }
}

/* The row shows the same as the formatter from the event's own parts. */
static void
test_event (void)
{
  g_autoptr (ClLineEvent) event = cl_line_event_new (
    NULL, CL_LINE_EVENT_NOTE, READER, "step chip=47905167760074500000 step=ROTATE_KEYS result=OK ms=4.9 sw=9000");
  g_auto (ClEventText) text = { 0 };
  g_autofree char *sentence = NULL;

  cl_event_text_for_event (event, &text);
  g_assert_cmpstr (text.title, ==, "Keys rotated — 4.9 ms, SW 9000");
  sentence = cl_event_text_dup_sentence (&text);
  g_assert_cmpstr (sentence, ==, "Keys rotated — 4.9 ms, SW 9000. " READER);
  /* the machine line itself is untouched: headless mode prints it and scripts parse it */
  g_assert_cmpstr (cl_line_event_get_detail (event), ==,
                   "step chip=47905167760074500000 step=ROTATE_KEYS result=OK ms=4.9 sw=9000");
}

/* Every prefix of every line, as a cut-off log would give it, under every kind. */
static void
test_truncated (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *detail = cases[i].detail;

      for (gsize n = 0; detail != NULL && n <= strlen (detail); n++)
        for (int kind = CL_LINE_EVENT_NOTE; kind <= CL_LINE_EVENT_SERVICE_RESTORED + 1; kind++)
          {
            g_autofree char *cut = g_strndup (detail, n);
            g_auto (ClEventText) text = { 0 };

            cl_event_text_format ((ClLineEventKind)kind, n % 2 ? READER : NULL, cut, &text);
            check_invariants (&text, cut);
          }
    }
}

/* Bytes that are not UTF-8, in the reader name and in values, come out as valid text. */
static void
test_invalid_utf8 (void)
{
  static const char *const details[] = {
    "step step=VERIFY result=\xff\xfe ms=1",
    "good chip=\xc3\x28\xc3\x28\xc3\x28\xc3\x28\xc3\x28\xc3\x28 serial=\xe2\x82",
    "reject reason=\x80 step=\xf0\x9f\x98 detail=\xed\xa0\x80",
    "fault fault=\xff-\xfe instruction=\xc0\xaf",
    "\xff\xff\xff",
    "ATR \xff\xfe\xfd",
  };

  for (guint i = 0; i < G_N_ELEMENTS (details); i++)
    for (int kind = CL_LINE_EVENT_NOTE; kind <= CL_LINE_EVENT_SERVICE_RESTORED; kind++)
      {
        g_auto (ClEventText) text = { 0 };

        cl_event_text_format ((ClLineEventKind)kind, "Reader \xff\xfe", details[i], &text);
        check_invariants (&text, "invalid UTF-8");
      }
}

/* Random bytes biased towards the lines' own alphabet. */
static void
test_random (void)
{
  static const char *const pieces[] = { "step", "good", "reject", "fault", "printer", "resumed", "recovered",
                                        " ",    "=",    "chip=",  "step=", "result=", "OK",      "FAILED",
                                        "ms=",  "sw=",  "9000",   "-",     "detail=", "reason=", "LOAD_FAILED",
                                        "1.5",  "\xff", "\xc3",   "…",     "apdus=",  "serial=", "instruction=" };
  GRand *rand = g_rand_new_with_seed (20241122);

  for (guint i = 0; i < 20000; i++)
    {
      g_autoptr (GString) detail = g_string_new (NULL);
      g_auto (ClEventText) text = { 0 };
      guint n = g_rand_int_range (rand, 0, 12);

      for (guint p = 0; p < n; p++)
        g_string_append (detail, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      cl_event_text_format ((ClLineEventKind)g_rand_int_range (rand, 0, 9), g_rand_boolean (rand) ? READER : NULL,
                            detail->str, &text);
      check_invariants (&text, detail->str);
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/event-text/cases", test_cases);
  g_test_add_func ("/event-text/event", test_event);
  g_test_add_func ("/event-text/truncated", test_truncated);
  g_test_add_func ("/event-text/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/event-text/random", test_random);
  return g_test_run ();
}
