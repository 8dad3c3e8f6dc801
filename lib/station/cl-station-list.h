/* cl-station-list.h: the stations of the line as a GListModel, in natural order of their names. */
#pragma once

#include <gio/gio.h>

#include "station/cl-station.h"

G_BEGIN_DECLS

#define CL_TYPE_STATION_LIST (cl_station_list_get_type ())
G_DECLARE_FINAL_TYPE (ClStationList, cl_station_list, CL, STATION_LIST, GObject)

ClStationList *cl_station_list_new (void);
/* Returns FALSE (and leaves the list alone) when a station of that name is already listed. */
gboolean cl_station_list_add (ClStationList *self, ClStation *station);
gboolean cl_station_list_remove (ClStationList *self, const char *name);
/* Borrowed; NULL when absent. */
ClStation *cl_station_list_find (ClStationList *self, const char *name, guint *position);

G_END_DECLS
