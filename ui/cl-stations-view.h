/* cl-stations-view.h: the supervisor's Stations view (issue 18): one ClStationRow per station of the fleet, in name
 * order, following a ClFleetModel (updated from the store's change notices, read on a worker). Activating a row
 * emits "station-activated" (the station's name): the Dashboard scopes its charts to that station. */
#pragma once

#include <adwaita.h>

#include "cl-fleet-model.h"
#include "cl-station-row.h"

G_BEGIN_DECLS

#define CL_TYPE_STATIONS_VIEW (cl_stations_view_get_type ())
G_DECLARE_FINAL_TYPE (ClStationsView, cl_stations_view, CL, STATIONS_VIEW, AdwBin)

GtkWidget *cl_stations_view_new (void);
/* Set once; NULL leaves the view empty. */
void cl_stations_view_set_model (ClStationsView *self, ClFleetModel *model);
ClFleetModel *cl_stations_view_get_model (ClStationsView *self);
/* The row of the station called name; NULL if the view shows none. */
ClStationRow *cl_stations_view_get_row (ClStationsView *self, const char *name);
/* "3 stations: 1 running, 1 fault, 1 lost" (tests read it). */
const char *cl_stations_view_get_summary (ClStationsView *self);

G_END_DECLS
