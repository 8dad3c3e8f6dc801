/* cl-headless.h: the line without a window: one printed line per event, a summary at the end. */
#pragma once

#include "cl-line.h"

G_BEGIN_DECLS

/* Runs until @duration_seconds pass (0: until SIGINT/SIGTERM). Returns the process exit status. */
int cl_headless_run (ClLine *line, guint duration_seconds);

G_END_DECLS
