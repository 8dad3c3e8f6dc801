/* cl-station-row.h: one station of the fleet in the supervisor's Stations view: its state in a word and an icon
 * (running, paused, fault, stopped, lost; never by colour alone), name, host and feeder, a fault's instruction, its
 * counters, throughput and yield, and the card and step at each reader. */
#pragma once

#include <gtk/gtk.h>

#include "store/cl-store-fleet.h"

G_BEGIN_DECLS

#define CL_TYPE_STATION_ROW (cl_station_row_get_type ())
G_DECLARE_FINAL_TYPE (ClStationRow, cl_station_row, CL, STATION_ROW, GtkListBoxRow)

GtkWidget *cl_station_row_new (void);
/* Shows station (copied from; the row keeps no pointer into it). */
void cl_station_row_set_station (ClStationRow *self, const ClFleetStation *station);
/* The state word the row shows: "Running", "Paused", "Fault", "Stopped" or "Lost" (a lost station is lost whatever
 * state it last wrote). */
const char *cl_station_row_state_text (const ClFleetStation *station);

G_END_DECLS
