/* cl-station-publisher.h: a station's live state, from its batch run's events into the fleet's records
 * (cl-store-fleet.h), so that supervisors see every station of the fleet (issue 18 items 3, 4).
 *
 * The events of the run (any thread) update a snapshot under a short lock: the state (running / paused / fault with
 * its instruction / stopped), the card and step at each reader, this start's counters. A thread of the publisher's
 * own writes the snapshot at most once per CL_STATION_PUBLISHER_COALESCE_MS, one transaction however many events
 * came in between (a card's steps and APDUs cost no write each), so no caller ever waits for the store. A store
 * that fails is retried every second, with one warning per outage: the state is not a record, the next write
 * carries it whole.
 *
 * Dropping the last reference marks the station STOPPED, writes that last state and stops the thread (it waits for
 * that one write, as ClStationLease's release does). */
#pragma once

#include <glib-object.h>

#include "station/cl-line-event.h"
#include "store/cl-store-fleet.h"

G_BEGIN_DECLS

#define CL_STATION_PUBLISHER_COALESCE_MS 250

#define CL_TYPE_STATION_PUBLISHER (cl_station_publisher_get_type ())
G_DECLARE_FINAL_TYPE (ClStationPublisher, cl_station_publisher, CL, STATION_PUBLISHER, GObject)

/* Registers the station (cl_store_fleet_register: a store call, so not on the UI thread) and starts the writer. */
ClStationPublisher *cl_station_publisher_new (ClStore *store, const ClFleetRegistration *registration, GError **error);
/* Any thread: one event of the station's batch run. */
void cl_station_publisher_event (ClStationPublisher *self, ClLineEvent *event);
/* Any thread: a reader of the station is connected; the records list it (without a card) from now on. */
void cl_station_publisher_reader (ClStationPublisher *self, const char *reader);
/* Any thread: the batch run ended; the station is STOPPED until it runs again. */
void cl_station_publisher_stopped (ClStationPublisher *self);
/* Any thread: waits (up to timeout_us) until everything noted so far is written; FALSE on timeout. For tests and
 * for a process about to exit. */
gboolean cl_station_publisher_flush (ClStationPublisher *self, gint64 timeout_us);

G_END_DECLS
