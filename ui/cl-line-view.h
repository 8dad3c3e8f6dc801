/* cl-line-view.h: the operator's view of the line: a panel per station and the live event list. A full rack shows
 * its readers as compact tiles instead, each opening the reader's detailed panel. */
#pragma once

#include <adwaita.h>

#include "cl-batch-counters-bar.h"
#include "cl-reader-panel.h"
#include "cl-reader-tile.h"

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

/* Up to this many readers get full panels: three fit side by side next to the event pane in a 1280-wide window, and
 * a panel with its step list fills the height of an 800-high one. More readers are shown as tiles. */
#define CL_LINE_VIEW_MAX_PANELS 3
/* The reader's tile while the stations are shown as tiles; NULL otherwise. */
ClReaderTile *cl_line_view_get_tile (ClLineView *self, ClReader *reader);
/* Opens reader's detailed panel over the tiles ("shown-reader"); NULL goes back to the tiles. Ignored while the
 * stations are shown as full panels, or for a reader not among them. */
void cl_line_view_show_reader (ClLineView *self, ClReader *reader);
ClReader *cl_line_view_get_shown_reader (ClLineView *self);
/* The detailed panel open over the tiles; NULL if none. */
ClReaderPanel *cl_line_view_get_detail_panel (ClLineView *self);

G_END_DECLS
