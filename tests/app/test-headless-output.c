/* Headless mode's output formats (app/cl-headless-output.h) over one batch run's events, built here as the line
 * engine makes them: lines byte for byte as cl_line_event_get_line, sentences for a person with a progress line
 * only on a terminal, one JSON object per event. JSON validity is checked from outside as well: run with --emit-json,
 * this prints the objects of awkward events for check-json-lines.py to parse with Python's json module. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cl-headless-output.h"
#include "core/cl-error.h"

#define READER "Cardline Rig 0 00 00"
#define CHIP   "47905167760074500000"

static ClLineEvent *
typed (ClLineEventKind kind, const char *reader, const ClLineEventFields *fields, const char *text)
{
  return cl_line_event_new_typed (kind, reader, fields, text);
}

/* A short run: start-up note, a reader, a card made good, a card rejected, a printer fault and its end, a pause,
 * the batch closed. Steps started and card jobs begun have no machine line. */
static GPtrArray *
run_events (void)
{
  static const char *const plan[] = { "IDENTIFY", "VERIFY", NULL };
  GPtrArray *events = g_ptr_array_new_with_free_func (g_object_unref);
  ClLineEventFields f;

  g_ptr_array_add (events,
                   cl_line_event_new (NULL, CL_LINE_EVENT_NOTE, NULL, "store and token ready: production starts"));
  g_ptr_array_add (events, cl_line_event_new (NULL, CL_LINE_EVENT_READER_ADDED, READER, NULL));
  g_ptr_array_add (events, cl_line_event_new (NULL, CL_LINE_EVENT_CARD_INSERTED, READER, "ATR 3BF81300008131FE45"));

  f = (ClLineEventFields)CL_LINE_EVENT_FIELDS_INIT;
  f.atr = "3BF81300008131FE45";
  f.plan = plan;
  g_ptr_array_add (events, typed (CL_LINE_EVENT_CARD_PRESENT, READER, &f, NULL));

  f = (ClLineEventFields)CL_LINE_EVENT_FIELDS_INIT;
  f.chip_id = CHIP;
  f.step = CL_STEP_ROTATE_KEYS;
  g_ptr_array_add (events, typed (CL_LINE_EVENT_STEP_STARTED, READER, &f, NULL));
  f.result = CL_STEP_RESULT_OK;
  f.sw = 0x9000;
  f.duration_us = 4900;
  g_ptr_array_add (events, typed (CL_LINE_EVENT_STEP_FINISHED, READER, &f,
                                  "step chip=" CHIP " step=ROTATE_KEYS result=OK ms=4.9 sw=9000"));

  f = (ClLineEventFields)CL_LINE_EVENT_FIELDS_INIT;
  f.chip_id = CHIP;
  f.serial = "DECM0102300001";
  f.duration_us = 812300;
  f.apdus = 44;
  f.good = TRUE;
  g_ptr_array_add (
    events, typed (CL_LINE_EVENT_GOOD, READER, &f, "good chip=" CHIP " serial=DECM0102300001 ms=812.3 apdus=44"));

  f = (ClLineEventFields)CL_LINE_EVENT_FIELDS_INIT;
  f.chip_id = "0011223344";
  f.reason = CL_REJECT_LOAD_FAILED;
  f.step = CL_STEP_LOAD_APPLET;
  f.sw = 0x6581;
  f.duration_us = 912000;
  f.apdus = 20;
  f.note = "LOAD block 3 refused";
  g_ptr_array_add (events, typed (CL_LINE_EVENT_REJECTED, READER, &f,
                                  "reject chip=0011223344 reason=LOAD_FAILED step=LOAD_APPLET sw=6581 ms=912.0 "
                                  "apdus=20 detail=LOAD block 3 refused"));

  f = (ClLineEventFields)CL_LINE_EVENT_FIELDS_INIT;
  f.fault = CL_LINE_FAULT_FEEDER_EMPTY;
  f.instruction = "Load blank cards into the input hopper.";
  g_ptr_array_add (events, typed (CL_LINE_EVENT_FAULT, READER, &f,
                                  "fault fault=feeder-empty card-inside=no instruction=Load blank cards into the "
                                  "input hopper. detail="));
  g_ptr_array_add (events, typed (CL_LINE_EVENT_FAULT_CLEARED, READER, &f, "resumed fault=feeder-empty"));

  f = (ClLineEventFields)CL_LINE_EVENT_FIELDS_INIT;
  g_ptr_array_add (events, typed (CL_LINE_EVENT_PAUSED, NULL, &f, "line paused: cards in production finish"));
  g_ptr_array_add (events, typed (CL_LINE_EVENT_RESUMED, NULL, &f, "line resumed: taking cards again"));
  f.good = TRUE;
  g_ptr_array_add (events, typed (CL_LINE_EVENT_BATCH_DONE, NULL, &f, "batch closed"));
  return events;
}

/* Everything written through a writer of output (on a terminal or not) for events. */
static char *
write_all (ClHeadlessOutput output, gboolean terminal, ClBatchCounters *counters, GPtrArray *events)
{
  char *buffer = NULL;
  size_t size = 0;
  FILE *stream = open_memstream (&buffer, &size);
  g_autoptr (ClHeadlessWriter) writer = cl_headless_writer_new (output, stream);

  /* a memory stream is no terminal */
  g_assert_false (cl_headless_writer_get_terminal (writer));
  cl_headless_writer_set_terminal (writer, terminal);
  cl_headless_writer_set_counters (writer, counters);
  for (guint i = 0; i < events->len; i++)
    {
      ClLineEvent *event = g_ptr_array_index (events, i);
      ClLineEventKind kind = cl_line_event_get_kind (event);

      if (counters != NULL && (kind == CL_LINE_EVENT_GOOD || kind == CL_LINE_EVENT_REJECTED))
        cl_batch_counters_add (counters, kind == CL_LINE_EVENT_GOOD);
      cl_headless_writer_write_event (writer, event, (gint64)(i + 1) * 10 * G_USEC_PER_SEC);
    }
  cl_headless_writer_finish (writer);
  fclose (stream);
  return buffer;
}

static void
test_parse (void)
{
  g_autoptr (GError) error = NULL;
  ClHeadlessOutput output = CL_HEADLESS_OUTPUT_HUMAN;

  g_assert_true (cl_headless_output_parse ("lines", &output, &error));
  g_assert_cmpint (output, ==, CL_HEADLESS_OUTPUT_LINES);
  g_assert_true (cl_headless_output_parse ("human", &output, &error));
  g_assert_cmpint (output, ==, CL_HEADLESS_OUTPUT_HUMAN);
  g_assert_true (cl_headless_output_parse ("json", &output, &error));
  g_assert_cmpint (output, ==, CL_HEADLESS_OUTPUT_JSON);
  g_assert_no_error (error);
  for (ClHeadlessOutput o = CL_HEADLESS_OUTPUT_LINES; o <= CL_HEADLESS_OUTPUT_JSON; o++)
    {
      g_assert_true (cl_headless_output_parse (cl_headless_output_to_string (o), &output, NULL));
      g_assert_cmpint (output, ==, o);
    }

  g_assert_false (cl_headless_output_parse ("xml", &output, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "“xml”"));
  g_assert_nonnull (strstr (error->message, "lines, human or json"));
  g_clear_error (&error);
  g_assert_false (cl_headless_output_parse ("JSON", &output, &error));
  g_assert_nonnull (strstr (error->message, "“JSON”"));
  g_clear_error (&error);
  g_assert_false (cl_headless_output_parse (NULL, &output, &error));
  g_clear_error (&error);
  g_assert_cmpint (output, ==, CL_HEADLESS_OUTPUT_JSON); /* left alone on error */

  /* under meson, stdout is a pipe: scripts get the lines */
  g_assert_cmpint (cl_headless_output_default (), ==,
                   isatty (STDOUT_FILENO) ? CL_HEADLESS_OUTPUT_HUMAN : CL_HEADLESS_OUTPUT_LINES);
}

/* Byte for byte the event's own line, one per event that has one, whatever else is set. */
static void
test_lines (void)
{
  g_autoptr (GPtrArray) events = run_events ();
  g_autoptr (ClBatchCounters) counters = cl_batch_counters_new ("B1");
  g_autoptr (GString) expected = g_string_new (NULL);
  g_autofree char *plain = NULL, *terminal = NULL;
  g_auto (GStrv) lines = NULL;

  for (guint i = 0; i < events->len; i++)
    if (cl_line_event_has_line (g_ptr_array_index (events, i)))
      g_string_append_printf (expected, "%s\n", cl_line_event_get_line (g_ptr_array_index (events, i)));
  plain = write_all (CL_HEADLESS_OUTPUT_LINES, FALSE, NULL, events);
  g_assert_cmpstr (plain, ==, expected->str);
  /* a terminal and counters change nothing: the lines are the scripts' format */
  terminal = write_all (CL_HEADLESS_OUTPUT_LINES, TRUE, counters, events);
  g_assert_cmpstr (terminal, ==, expected->str);
  /* 11 events of 13 have a line; the typed ones print as the notes they always were */
  lines = g_strsplit (expected->str, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines) - 1, ==, 11);
  g_assert_nonnull (
    strstr (expected->str, " note " READER " good chip=" CHIP " serial=DECM0102300001 ms=812.3 apdus=44\n"));
}

static char *
time_of (GPtrArray *events, ClLineEventKind kind)
{
  for (guint i = 0; i < events->len; i++)
    if (cl_line_event_get_kind (g_ptr_array_index (events, i)) == kind)
      return cl_line_event_dup_time_text (g_ptr_array_index (events, i));
  g_assert_not_reached ();
}

/* Sentences, one per event with a line; off a terminal, no progress line and no escape sequence at all. */
static void
test_human (void)
{
  g_autoptr (GPtrArray) events = run_events ();
  g_autoptr (ClBatchCounters) counters = cl_batch_counters_new ("B1");
  g_autofree char *out = write_all (CL_HEADLESS_OUTPUT_HUMAN, FALSE, counters, events);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *good_time = time_of (events, CL_LINE_EVENT_GOOD);
  g_autofree char *good
    = g_strdup_printf ("%s [" READER "] Good card DECM0102300001 (44 APDUs, 812.3 ms) · chip " CHIP, good_time);
  g_autofree char *reject_time = time_of (events, CL_LINE_EVENT_REJECTED);
  g_autofree char *reject
    = g_strdup_printf ("%s [" READER "] Rejected: Loading the applet was refused at applet load (SW 6581) · "
                       "chip 0011223344 · LOAD block 3 refused",
                       reject_time);
  g_autofree char *done_time = time_of (events, CL_LINE_EVENT_BATCH_DONE);
  g_autofree char *done = g_strdup_printf ("%s Batch closed: quantity reached", done_time);

  g_test_message ("%s", out);
  g_assert_null (strchr (out, '\r'));
  g_assert_null (strchr (out, '\033'));
  g_assert_cmpuint (g_strv_length (lines), ==, 12); /* 11 and the empty rest after the last newline */
  g_assert_cmpstr (lines[11], ==, "");
  g_assert_true (g_strv_contains ((const char *const *)lines, good));
  g_assert_true (g_strv_contains ((const char *const *)lines, reject));
  g_assert_true (g_strv_contains ((const char *const *)lines, done));
  g_assert_nonnull (strstr (out, " Keys rotated — 4.9 ms, SW 9000\n"));
  g_assert_nonnull (
    strstr (out, " [" READER "] Printer fault: Feeder empty · Load blank cards into the input hopper.\n"));
  g_assert_nonnull (strstr (out, " [" READER "] Feeder refilled, printer resumed\n"));
  g_assert_nonnull (strstr (out, " store and token ready: production starts\n"));
  g_assert_nonnull (strstr (out, " [" READER "] Card inserted · ATR 3BF8130000…\n"));
  /* no machine line shows through */
  g_assert_null (strstr (out, "chip="));
  g_assert_null (strstr (out, " note "));
}

/* On a terminal: each event line replaces the progress line, which is drawn again under it; finish clears it. */
static void
test_human_terminal (void)
{
  g_autoptr (GPtrArray) events = run_events ();
  g_autoptr (ClBatchCounters) counters = cl_batch_counters_new ("B1");
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  guint n_lines;

  cl_batch_counters_set (counters, 500, 0, 0, 0);
  out = write_all (CL_HEADLESS_OUTPUT_HUMAN, TRUE, counters, events);
  g_test_message ("%s", out);
  lines = g_strsplit (out, "\n", -1);
  n_lines = g_strv_length (lines);
  g_assert_cmpuint (n_lines, ==, 12);
  /* every line but the first starts by erasing the progress line it takes the place of */
  g_assert_false (g_str_has_prefix (lines[0], "\r"));
  for (guint i = 1; i < n_lines; i++)
    g_assert_true (g_str_has_prefix (lines[i], "\r\033[K"));
  /* the progress after the good card and the reject (events 7 and 8, at 70 s and 80 s) */
  g_assert_nonnull (strstr (out, "\r\033[K1 of 500 cards done · 1 good · 0 rejected · 51 good cards/h · 0:01:10"));
  g_assert_nonnull (strstr (out, "\r\033[K2 of 500 cards done · 1 good · 1 rejected · 45 good cards/h · 0:01:20"));
  /* the last thing written erases the progress line, so the summary starts clean */
  g_assert_true (g_str_has_suffix (out, "0:02:10\r\033[K"));
}

static void
test_progress_text (void)
{
  g_autoptr (ClBatchCounters) counters = cl_batch_counters_new ("B1");
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

  cl_batch_counters_set (counters, 500, 13, 11, 1);
  a = cl_headless_progress_text (counters, 123 * G_USEC_PER_SEC);
  g_assert_cmpstr (a, ==, "12 of 500 cards done · 11 good · 1 rejected · 322 good cards/h · 0:02:03");
  /* no quantity, no time yet */
  cl_batch_counters_set (counters, 0, 1, 1, 0);
  b = cl_headless_progress_text (counters, 0);
  g_assert_cmpstr (b, ==, "1 card done · 1 good · 0 rejected");
  /* past the quantity (re-fed rejects), paused, a long run */
  cl_batch_counters_set (counters, 10, 14, 10, 4);
  cl_batch_counters_set_paused (counters, TRUE);
  c = cl_headless_progress_text (counters, (gint64)(26 * 3600 + 61) * G_USEC_PER_SEC);
  g_assert_cmpstr (c, ==, "10 of 10 cards done · 10 good · 4 rejected · 0 good cards/h · 26:01:01 · paused");
  cl_batch_counters_set_ended (counters, TRUE);
  d = cl_headless_progress_text (counters, G_MAXINT64);
  g_assert_true (g_str_has_suffix (d, " · stopped"));
}

static void
assert_json_event (GPtrArray *events, ClLineEventKind kind, const char *members)
{
  for (guint i = 0; i < events->len; i++)
    {
      ClLineEvent *event = g_ptr_array_index (events, i);
      g_autofree char *json = NULL, *time = NULL, *expected = NULL;

      if (cl_line_event_get_kind (event) != kind)
        continue;
      json = cl_headless_event_to_json (event);
      time = g_date_time_format_iso8601 (cl_line_event_get_time (event));
      expected
        = g_strdup_printf ("{\"kind\":\"%s\",\"time\":\"%s\",%s}", cl_line_event_kind_to_string (kind), time, members);
      g_assert_cmpstr (json, ==, expected);
      return;
    }
  g_assert_not_reached ();
}

/* One object per event, every event; the members each kind carries. */
static void
test_json (void)
{
  g_autoptr (GPtrArray) events = run_events ();
  g_autofree char *out = write_all (CL_HEADLESS_OUTPUT_JSON, TRUE, NULL, events);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  g_assert_null (strchr (out, '\r'));
  g_assert_cmpuint (g_strv_length (lines), ==, events->len + 1);
  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *one = cl_headless_event_to_json (g_ptr_array_index (events, i));

      g_assert_cmpstr (lines[i], ==, one);
    }
  assert_json_event (events, CL_LINE_EVENT_GOOD,
                     "\"reader\":\"" READER "\",\"chip\":\"" CHIP "\",\"serial\":\"DECM0102300001\","
                     "\"duration_us\":812300,\"apdus\":44");
  assert_json_event (events, CL_LINE_EVENT_REJECTED,
                     "\"reader\":\"" READER "\",\"chip\":\"0011223344\",\"reason\":\"LOAD_FAILED\","
                     "\"step\":\"LOAD_APPLET\",\"sw\":\"6581\",\"duration_us\":912000,\"apdus\":20,"
                     "\"disposition\":\"REJECT_BIN\",\"note\":\"LOAD block 3 refused\"");
  assert_json_event (events, CL_LINE_EVENT_STEP_FINISHED,
                     "\"reader\":\"" READER "\",\"chip\":\"" CHIP "\",\"step\":\"ROTATE_KEYS\",\"result\":\"OK\","
                     "\"sw\":\"9000\",\"duration_us\":4900");
  assert_json_event (events, CL_LINE_EVENT_STEP_STARTED,
                     "\"reader\":\"" READER "\",\"chip\":\"" CHIP "\",\"step\":\"ROTATE_KEYS\"");
  assert_json_event (events, CL_LINE_EVENT_CARD_PRESENT,
                     "\"reader\":\"" READER "\",\"atr\":\"3BF81300008131FE45\",\"plan\":[\"IDENTIFY\",\"VERIFY\"]");
  assert_json_event (events, CL_LINE_EVENT_FAULT,
                     "\"reader\":\"" READER "\",\"fault\":\"feeder-empty\",\"card_inside\":false,"
                     "\"instruction\":\"Load blank cards into the input hopper.\"");
  assert_json_event (events, CL_LINE_EVENT_FAULT_CLEARED, "\"reader\":\"" READER "\",\"fault\":\"feeder-empty\"");
  assert_json_event (events, CL_LINE_EVENT_BATCH_DONE, "\"reader\":null,\"complete\":true");
  assert_json_event (events, CL_LINE_EVENT_PAUSED, "\"reader\":null");
  assert_json_event (events, CL_LINE_EVENT_NOTE,
                     "\"reader\":null,\"text\":\"store and token ready: production starts\"");
  assert_json_event (events, CL_LINE_EVENT_CARD_INSERTED,
                     "\"reader\":\"" READER "\",\"text\":\"ATR 3BF81300008131FE45\"");
}

/* Strings that need escaping, bytes that are not UTF-8, enums out of range. */
static GPtrArray *
awkward_events (void)
{
  GPtrArray *events = g_ptr_array_new_with_free_func (g_object_unref);
  ClLineEventFields f = CL_LINE_EVENT_FIELDS_INIT;

  f.chip_id = "quote\" backslash\\ slash/";
  f.serial = "\xff\xfe not UTF-8 \xc3\x28";
  f.note = "tab\tnewline\nreturn\rbell\a escape\x1b[2J del\x7f ls\xe2\x80\xa8 ps\xe2\x80\xa9 nel\xc2\x85 é €";
  f.apdus = G_MAXUINT64;
  f.duration_us = G_MININT64;
  f.reason = (ClRejectReason)99;
  f.step = (ClProductionStep)-3;
  f.result = (ClStepResult)42;
  f.sw = 0x12345;
  g_ptr_array_add (events, cl_line_event_new_typed (CL_LINE_EVENT_REJECTED, "Reader \"0\" \xff", &f, NULL));
  g_ptr_array_add (events, cl_line_event_new_typed (CL_LINE_EVENT_GOOD, NULL, &f, "good"));
  g_ptr_array_add (events, cl_line_event_new_typed (CL_LINE_EVENT_STEP_FINISHED, "\x01", &f, "step"));
  f.fault = (ClLineFault)77;
  f.instruction = "\\u0000 is not a NUL";
  g_ptr_array_add (events, cl_line_event_new_typed (CL_LINE_EVENT_FAULT, "", &f, NULL));
  g_ptr_array_add (events, cl_line_event_new (NULL, CL_LINE_EVENT_NOTE, NULL, "\x1f\x80\xbf{\"a\":1}"));
  g_ptr_array_add (events, cl_line_event_new (NULL, (ClLineEventKind)99, "r", NULL));
  return events;
}

static void
test_json_awkward (void)
{
  g_autoptr (GPtrArray) events = awkward_events ();

  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *json = cl_headless_event_to_json (g_ptr_array_index (events, i));

      g_assert_true (g_utf8_validate (json, -1, NULL));
      for (const char *p = json; *p != '\0'; p++)
        g_assert_cmpint ((guchar)*p, >=, 0x20);
      g_assert_null (strstr (json, "\xe2\x80\xa8"));
    }
}

/* The objects for check-json-lines.py: the run's events, then the awkward ones. */
static int
emit_json (void)
{
  g_autoptr (GPtrArray) run = run_events ();
  g_autoptr (GPtrArray) awkward = awkward_events ();
  g_autoptr (ClHeadlessWriter) writer = cl_headless_writer_new (CL_HEADLESS_OUTPUT_JSON, stdout);

  for (guint i = 0; i < run->len; i++)
    cl_headless_writer_write_event (writer, g_ptr_array_index (run, i), 0);
  for (guint i = 0; i < awkward->len; i++)
    cl_headless_writer_write_event (writer, g_ptr_array_index (awkward, i), 0);
  cl_headless_writer_finish (writer);
  return 0;
}

/* Names and notes are data in every format: a newline in a reader's name or a note cannot forge a "good chip=" line,
 * ESC and CR never reach the stream raw. */
static void
test_names_are_data (void)
{
  static const char *const forged = "Reader 1\n12:00:00 good chip=FORGED serial=X";
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  ClLineEventFields f = CL_LINE_EVENT_FIELDS_INIT;

  f.chip_id = CHIP;
  f.note = "\033[2J\rwiped";
  g_ptr_array_add (events, cl_line_event_new (NULL, CL_LINE_EVENT_CARD_INSERTED, forged, "ATR 3B"));
  g_ptr_array_add (events, cl_line_event_new (NULL, CL_LINE_EVENT_NOTE, NULL, "batch b\ngood chip=FORGED\033[2J\r"));
  g_ptr_array_add (events, typed (CL_LINE_EVENT_REJECTED, forged, &f, NULL));
  for (guint i = 0; i < events->len; i++)
    {
      ClLineEvent *event = g_ptr_array_index (events, i);
      g_autofree char *human = cl_headless_event_to_human (event);
      g_autofree char *json = cl_headless_event_to_json (event);
      const char *outputs[] = { cl_line_event_get_line (event), human, json };

      for (guint o = 0; o < G_N_ELEMENTS (outputs); o++)
        {
          if (outputs[o] == NULL)
            continue;
          g_assert_null (strpbrk (outputs[o], "\n\r\033"));
          g_assert_false (g_str_has_prefix (outputs[o], "good "));
        }
    }
  g_assert_nonnull (strstr (cl_line_event_get_line (g_ptr_array_index (events, 0)), "Reader 1\\n12:00:00 good chip="));
  g_assert_nonnull (strstr (cl_line_event_get_line (g_ptr_array_index (events, 1)), "\\e[2J\\r"));
}

int
main (int argc, char **argv)
{
  if (argc == 2 && g_str_equal (argv[1], "--emit-json"))
    return emit_json ();

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/headless-output/parse", test_parse);
  g_test_add_func ("/headless-output/lines", test_lines);
  g_test_add_func ("/headless-output/human", test_human);
  g_test_add_func ("/headless-output/human-terminal", test_human_terminal);
  g_test_add_func ("/headless-output/progress-text", test_progress_text);
  g_test_add_func ("/headless-output/json", test_json);
  g_test_add_func ("/headless-output/json-awkward", test_json_awkward);
  g_test_add_func ("/headless-output/names-are-data", test_names_are_data);
  return g_test_run ();
}
