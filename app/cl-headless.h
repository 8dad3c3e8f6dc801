/* cl-headless.h: the line without a window: one printed line per event, a summary at the end. */
#pragma once

#include <gio/gio.h>

#include "cl-line.h"

G_BEGIN_DECLS

/* Runs until @duration_seconds pass (0: until SIGINT/SIGTERM). Returns the process exit status. */
int cl_headless_run (ClLine *line, guint duration_seconds);
/* As cl_headless_run, also ending when stop is cancelled (the production line's batch is complete). */
int cl_headless_run_until (ClLine *line, guint duration_seconds, GCancellable *stop);

G_END_DECLS
