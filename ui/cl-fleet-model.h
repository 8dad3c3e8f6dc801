/* cl-fleet-model.h: every station of the store's fleet (store/cl-store-fleet.h) for the supervisor's Stations view,
 * kept current from the store's change notices (ClStoreWatch: LISTEN/NOTIFY on PostgreSQL), never by a polling loop
 * on the UI thread.
 *
 * A notice (on the watch's thread) is marshalled to the model's main context, where it arms one refresh
 * CL_FLEET_MODEL_COALESCE_MS later: a burst of notices costs one read. The read runs on a worker; its result is
 * applied in the main context and "updated" is emitted. A station's "lost" verdict changes with time alone (no write
 * announces a heartbeat that did not come), so after each read one refresh is armed for the moment the first live
 * station's lease runs out. */
#pragma once

#include <gio/gio.h>

#include "store/cl-store-fleet.h"

G_BEGIN_DECLS

#define CL_FLEET_MODEL_COALESCE_MS 250

#define CL_TYPE_FLEET_MODEL (cl_fleet_model_get_type ())
G_DECLARE_FINAL_TYPE (ClFleetModel, cl_fleet_model, CL, FLEET_MODEL, GObject)

/* Call from the main context the model reports to; starts watching store and reads every station. */
ClFleetModel *cl_fleet_model_new (ClStore *store);
/* The stations of the last read (ClFleetStation *, by name); empty before the first read finished. */
GPtrArray *cl_fleet_model_get_stations (ClFleetModel *self);
/* The station called name in the last read; NULL if none. */
const ClFleetStation *cl_fleet_model_lookup (ClFleetModel *self, const char *name);
/* How many reads have been applied (tests key on it). */
guint cl_fleet_model_get_reads (ClFleetModel *self);
/* Reads every station now (after a change the watch cannot see, e.g. a filter changed). */
void cl_fleet_model_refresh (ClFleetModel *self);

G_END_DECLS
