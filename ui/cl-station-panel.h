/* cl-station-panel.h: one station of the line as a large, calm status panel: state, fault instruction, the last
 * card's result banner, the card's chip and live step list, and the station's counts. */
#pragma once

#include <adwaita.h>

#include "station/cl-station.h"

G_BEGIN_DECLS

#define CL_TYPE_STATION_PANEL (cl_station_panel_get_type ())
G_DECLARE_FINAL_TYPE (ClStationPanel, cl_station_panel, CL, STATION_PANEL, AdwBin)

GtkWidget *cl_station_panel_new (ClStation *station);
ClStation *cl_station_panel_get_station (ClStationPanel *self);
void cl_station_panel_set_station (ClStationPanel *self, ClStation *station);
/* The words the panel shows for a state ("Card present"); also used for its accessible label. */
const char *cl_station_panel_state_label (ClStationState state);
/* The result banner's headline ("GOOD", "REJECTED"; empty for none). */
const char *cl_station_panel_result_label (ClStationResult result);

G_END_DECLS
