/* cl-headless-output.h: how headless mode prints the line's events, in one of three formats:
 *
 *   lines  the machine lines scripts have always read ("12:03:05 note Reader 0 good chip=… serial=…"), byte for
 *          byte cl_line_event_get_line, one per event that has one; the default when stdout is not a terminal
 *   human  one sentence per such event (lib/line/cl-event-words.h: "12:03:05 [Reader 0] Good card S1 (34 APDUs,
 *          1.2 s) · chip …"); on a terminal, also a progress line kept at the bottom (cards done of the quantity,
 *          good, rejected, good cards per hour over the run's time), redrawn in place; the default on a terminal
 *   json   JSON Lines: one object per event, every event (those without a machine line too), with the kind's nick,
 *          the time (ISO 8601), the reader and the typed fields the kind carries; untyped events carry "text"
 *
 * The writer only formats and writes; its caller (app/cl-headless.c) feeds it the events as they arrive and says how
 * long the run has been going. Every event is written and flushed at once: a pipe reader sees each as it happens. */
#pragma once

#include <glib-object.h>
#include <stdio.h>

#include "station/cl-batch-counters.h"
#include "station/cl-line-event.h"

G_BEGIN_DECLS

typedef enum
{
  CL_HEADLESS_OUTPUT_LINES,
  CL_HEADLESS_OUTPUT_HUMAN,
  CL_HEADLESS_OUTPUT_JSON,
} ClHeadlessOutput;

/* "lines", "human" or "json"; CL_ERROR_INVALID_ARGUMENT naming the value otherwise. */
gboolean cl_headless_output_parse (const char *name, ClHeadlessOutput *out, GError **error);
const char *cl_headless_output_to_string (ClHeadlessOutput output);
/* HUMAN when stdout is a terminal, else LINES: a pipe keeps the format scripts expect. */
ClHeadlessOutput cl_headless_output_default (void);

#define CL_TYPE_HEADLESS_WRITER (cl_headless_writer_get_type ())
G_DECLARE_FINAL_TYPE (ClHeadlessWriter, cl_headless_writer, CL, HEADLESS_WRITER, GObject)

/* stream is borrowed and must outlive the writer. Whether it is a terminal is read from it here. */
ClHeadlessWriter *cl_headless_writer_new (ClHeadlessOutput output, FILE *stream);
ClHeadlessOutput cl_headless_writer_get_output (ClHeadlessWriter *self);
/* Only a terminal gets the progress line and its escape sequences; tests set it either way. */
gboolean cl_headless_writer_get_terminal (ClHeadlessWriter *self);
void cl_headless_writer_set_terminal (ClHeadlessWriter *self, gboolean terminal);
/* The batch run's counters, which the progress line shows; NULL: no progress line. Takes a reference. */
void cl_headless_writer_set_counters (ClHeadlessWriter *self, ClBatchCounters *counters);
/* Writes one event in the writer's format. elapsed_us: how long the run has been going, for the rate. */
void cl_headless_writer_write_event (ClHeadlessWriter *self, ClLineEvent *event, gint64 elapsed_us);
/* Redraws the progress line alone (from a timer, so the rate moves while no event comes); nothing in other
 * formats or off a terminal. */
void cl_headless_writer_update_progress (ClHeadlessWriter *self, gint64 elapsed_us);
/* Clears the progress line so what follows (the run's summary) starts on a clean line. */
void cl_headless_writer_finish (ClHeadlessWriter *self);

/* The progress line's text ("12 of 500 cards done · 11 good · 1 rejected · 1350 good cards/h · 0:02:03"), without
 * escape sequences. */
char *cl_headless_progress_text (ClBatchCounters *counters, gint64 elapsed_us);
/* One event as the JSON object the json format writes (no newline). */
char *cl_headless_event_to_json (ClLineEvent *event);
/* One event as the sentence the human format writes (no newline). */
char *cl_headless_event_to_human (ClLineEvent *event);

G_END_DECLS
