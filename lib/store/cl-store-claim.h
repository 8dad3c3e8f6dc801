/* cl-store-claim.h: which chips are in production, and where, for every process and station that shares the store
 * (DESIGN §8: one chip in production at one place, enforced by the database rather than by a process's memory).
 *
 * A claim is a row of chip_claims (schema version 3): chip_id (unique), owner, attempt_id (NULL when not known),
 * claimed and lease_until (µs since the epoch). It holds until its owner releases it or its lease ends; an owner
 * that needs it longer renews it. The owner names one producing place of one process; cl_store_chip_owner()
 * builds it, and only owners built that way are found by cl_store_chip_release_stale().
 *
 * A claim is a lock, not a record: a release deletes it without a trace. Only a takeover of a claim whose lease
 * ended under another owner is audited ("chip-claim-takeover"), because it means a station died or hung with
 * that chip. Claims commit without the fsync (as step records do): a claim lost to a power cut belonged to a
 * process that died with it.
 *
 * Leases are measured with the wall clock of the process that claims or renews, so the stations of a fleet need
 * clocks that agree to well within a lease. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

/* The longest lease one call may ask for: a holder that dies keeps its chip out of production up to this long. */
#define CL_STORE_CLAIM_MAX_LEASE_US ((gint64)24 * 3600 * G_USEC_PER_SEC)

/* "STATION/PROCESS/READER", this process's owner for one reader of station. PROCESS is the process id and a time
 * fixed at the process's first call here or to cl_store_chip_release_stale() (seconds since the epoch), so that a
 * restarted station that got the killed one's pid (as in a container) is still another owner. '%' and '/' in
 * station are written %25 and %2F, so the station part ends at the first '/'. */
char *cl_store_chip_owner (const char *station, const char *reader);

/* Takes the claim on chip_id for owner, leased for lease_us (1 .. CL_STORE_CLAIM_MAX_LEASE_US) from now, in one
 * write transaction, when there is no claim, when the existing one's lease has ended, or when owner holds it
 * already (a renewal; attempt_id replaces the stored attempt unless it is <= 0, which means not known).
 * Otherwise CL_ERROR_CLAIMED naming the holder, its attempt and when its lease ends. */
gboolean cl_store_chip_claim (ClStore *self, const char *chip_id, const char *owner, gint64 attempt_id, gint64 lease_us,
                              GError **error);
/* Extends owner's claim to lease_us from now, also when its lease has ended but nobody took it over.
 * CL_ERROR_CLAIMED naming the holder when another owner holds it now, CL_ERROR_NOT_FOUND when nobody does. */
gboolean cl_store_chip_renew (ClStore *self, const char *chip_id, const char *owner, gint64 lease_us, GError **error);
/* Drops the claim on chip_id if owner holds it. A claim owner does not hold is left as it is, and that is not an
 * error: the claim may have been taken over after owner's lease ended, and the new holder must keep it. FALSE
 * only when the arguments are unusable or the store fails. */
gboolean cl_store_chip_release (ClStore *self, const char *chip_id, const char *owner, GError **error);
/* On a station's start: drops the claims that earlier processes of station left (owners built by
 * cl_store_chip_owner() for station, in another process), so that the chips a killed station held can be produced
 * again at once instead of when their leases end. This process's claims are kept. Only one process may produce
 * as station on a store; cl_store_attempt_abandon_open() calls this. Returns how many were dropped, -1 on error. */
gint cl_store_chip_release_stale (ClStore *self, const char *station, GError **error);

G_END_DECLS
