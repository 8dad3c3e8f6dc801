/* cl-event-row.h: one row of the Line view's event list: the time, the event in words (cl-event-text.h) and, dimmed
 * underneath, its reader and particulars. Screen readers get the same sentence as its label. */
#pragma once

#include <gtk/gtk.h>

#include "station/cl-line-event.h"

G_BEGIN_DECLS

#define CL_TYPE_EVENT_ROW (cl_event_row_get_type ())
G_DECLARE_FINAL_TYPE (ClEventRow, cl_event_row, CL, EVENT_ROW, GtkWidget)

GtkWidget *cl_event_row_new (void);
/* NULL empties the row (a list item between two bindings). */
void cl_event_row_set_event (ClEventRow *self, ClLineEvent *event);
ClLineEvent *cl_event_row_get_event (ClEventRow *self);
/* What the row shows and says (tests read what the operator reads). */
const char *cl_event_row_get_title (ClEventRow *self);
const char *cl_event_row_get_subtitle (ClEventRow *self);
const char *cl_event_row_get_accessible_text (ClEventRow *self);

G_END_DECLS
