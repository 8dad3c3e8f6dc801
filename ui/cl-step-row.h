/* cl-step-row.h: one step of the card in a station panel: state icon, title, last SW and duration, live. */
#pragma once

#include <adwaita.h>

#include "station/cl-reader-step.h"

G_BEGIN_DECLS

#define CL_TYPE_STEP_ROW (cl_step_row_get_type ())
G_DECLARE_FINAL_TYPE (ClStepRow, cl_step_row, CL, STEP_ROW, GtkListBoxRow)

GtkWidget *cl_step_row_new (ClReaderStep *step);
ClReaderStep *cl_step_row_get_step (ClStepRow *self);

G_END_DECLS
