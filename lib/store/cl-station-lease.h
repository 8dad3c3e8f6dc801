/* cl-station-lease.h: holds a station's identity lease (cl-store-station.h) for as long as the object lives,
 * renewing it from its own thread (never the UI thread) every third of the lease. Losing it (the process hung past
 * its lease and another took the station over, or the store failed for a whole lease) is reported once through
 * the "lost" signal, emitted on the renewing thread. A station registered in the fleet (cl-store-fleet.h) also
 * records its heartbeat with each renewal and recovers the fleet's lost stations (cl_store_fleet_recover_all_lost).
 * Dropping the last reference stops the thread and gives the lease up. */
#pragma once

#include <glib-object.h>

#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_STATION_LEASE (cl_station_lease_get_type ())
G_DECLARE_FINAL_TYPE (ClStationLease, cl_station_lease, CL, STATION_LEASE, GObject)

/* Takes the lease (cl_store_station_acquire) and starts renewing it. */
ClStationLease *cl_station_lease_new (ClStore *store, const char *station, gint64 lease_us, GError **error);
const char *cl_station_lease_get_station (ClStationLease *self);
/* FALSE once a renewal found the lease taken over or could not reach the store before the lease ended. */
gboolean cl_station_lease_is_held (ClStationLease *self);

G_END_DECLS
