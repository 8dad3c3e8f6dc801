/* cl-step-text.h: how the operator reads a production step and its state ("Rotate card keys", "Done"). */
#pragma once

#include "station/cl-reader-step.h"

G_BEGIN_DECLS

/* The step's title from its stable name ("ROTATE_KEYS" -> "Rotate card keys"); an unknown name is returned as is. */
const char *cl_step_text_title (const char *name);
const char *cl_step_text_state (ClReaderStepState state);
const char *cl_step_text_state_icon (ClReaderStepState state);
/* "4.9 ms", "1.24 s"; NULL for -1 (not ended). */
char *cl_step_text_duration (gint64 duration_us);

G_END_DECLS
