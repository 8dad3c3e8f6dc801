/* cl-store-station.h: one process per station identity on a store (issue 19; DESIGN §8 "station").
 *
 * A station's identity is its name: `--station NAME`, else $CARDLINE_STATION, else the host name (enough for
 * one station per host). Open attempts and chip claims are keyed by it, and a station's start ends the attempts
 * its killed predecessor left open (cl_store_attempt_abandon_open): so two live processes with one name would end
 * each other's live attempts. The stations table (schema version 4) holds one row per name: host, pid, the
 * process ("PID.STARTED", as chip claim owners) and a lease that the holder renews (ClStationLease does, from its
 * own thread). A second process with the same name is refused while the lease holds; once it has ended (the
 * holder was killed or hung), or at once when the holder ran on this host and its process is gone (a station
 * restarted after a crash), the next process takes it over, audited as "station-takeover". Stations with
 * different names share a store without touching each other's attempts or claims.
 *
 * Leases are measured with the wall clock of the process that takes or renews them. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

/* How long a station's lease runs; its holder renews it every third of that. A killed station's name is free
 * again after at most this long. */
#define CL_STATION_LEASE_US ((gint64)15 * G_USEC_PER_SEC)

/* given, else $CARDLINE_STATION, else the host name. */
const char *cl_station_identity (const char *given);

/* Takes station's lease for this process for lease_us (1 ms .. 1 h): when nobody holds it, when its lease has
 * ended (a takeover, audited), or when this process holds it already (a renewal). Otherwise CL_ERROR_CLAIMED:
 * "Station “NAME” is already running on host HOST as process PID …". */
gboolean cl_store_station_acquire (ClStore *self, const char *station, gint64 lease_us, GError **error);
/* Extends this process's lease. CL_ERROR_CLAIMED when another process holds it now (it was taken over after this
 * one's lease ended: this process must stop producing), CL_ERROR_NOT_FOUND when nobody does. */
gboolean cl_store_station_renew (ClStore *self, const char *station, gint64 lease_us, GError **error);
/* Gives the lease up if this process holds it. */
gboolean cl_store_station_release (ClStore *self, const char *station, GError **error);

G_END_DECLS
