/* cl-line-view.h: the operator's view of the line: a panel per station and the live event list. */
#pragma once

#include <adwaita.h>

#include "cl-batch-counters-bar.h"

G_BEGIN_DECLS

#define CL_TYPE_LINE_VIEW (cl_line_view_get_type ())
G_DECLARE_FINAL_TYPE (ClLineView, cl_line_view, CL, LINE_VIEW, AdwBin)

GtkWidget *cl_line_view_new (void);
/* A GListModel of ClReader. */
GListModel *cl_line_view_get_stations (ClLineView *self);
void cl_line_view_set_stations (ClLineView *self, GListModel *stations);
/* A GListModel of ClLineEvent, oldest first; shown newest first. */
GListModel *cl_line_view_get_events (ClLineView *self);
void cl_line_view_set_events (ClLineView *self, GListModel *events);
/* The produced batch's counters (fed, good, rejected, paused); NULL hides them. */
void cl_line_view_set_counters (ClLineView *self, ClBatchCounters *counters);
ClBatchCountersBar *cl_line_view_get_counters_bar (ClLineView *self);

G_END_DECLS
