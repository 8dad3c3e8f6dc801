/* cl-headless.h: the line without a window: its events as they happen (cl-headless-output.h: machine lines, sentences
 * with a progress line, or JSON Lines), a summary at the end. */
#pragma once

#include <gio/gio.h>

#include "cl-headless-output.h"
#include "cl-line.h"
#include "line/cl-batch-run.h"

G_BEGIN_DECLS

/* Runs until @duration_seconds pass (0: until SIGINT/SIGTERM). Returns the process exit status. */
int cl_headless_run (ClLine *line, guint duration_seconds, ClHeadlessOutput output);
/* Production: runs until the batch run has finished. Its batch being complete, SIGINT/SIGTERM or @duration_seconds
 * ask it to stop; the loop goes on until the cards in flight are disposed and the batch's end is written, printing
 * their events. SIGUSR1 is the operator's Resume (retry a fault now). */
int cl_headless_run_production (ClLine *line, ClBatchRun *run, guint duration_seconds, ClHeadlessOutput output);

G_END_DECLS
