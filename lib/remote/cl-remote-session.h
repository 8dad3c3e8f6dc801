/* cl-remote-session.h: one card at a RAMOverHTTP client, from its first POST to the 204 (issue 16). Its worker
 * thread reads the chip's identity (SELECT ISD, GET DATA CPLC), admits the chip through the session's production
 * URL (a chip admitted before resumes; a URL used up by other chips, or expired, aborts the session with notify
 * id -1), then runs the same card job as local production (lib/line/cl-card-job.h) over a ClRelayTransport:
 * identify, open with the KST, rotate, load, initialise, certify, verify, all journalled as locally. The job's
 * steps reach the client as notify texts.
 *
 * A session is held by a cookie and belongs to the card that opened it: after the client reports a card error the
 * same cookie may bring a card again (the first POST once more), which must have the same ATR, and the worker
 * checks the same chip identity before the job resumes it.
 *
 * A batch with a quantity is shared with the local stations producing it: before the chip is admitted the session
 * takes a place in the batch (store/cl-store-place.h) for the service's station name, and the card's attempt binds
 * it, as a station's does before it feeds a card. No place free (or the URL's batch counts its quantity of chips
 * taken) ends the session with notify CL_RAM_NOTIFY_NO_PLACE, nothing recorded for the card; a place the card's
 * attempt never bound is given back when the worker ends, and an attempt that ends RETAINED gives its own back.
 *
 * Each session is one reader of the service in the fleet's records (store/cl-store-fleet.h): its card job's events go
 * to the publisher under the session's reader name (never its cookie). */
#pragma once

#include "line/cl-station-publisher.h"
#include "production/cl-production-setup.h"
#include "remote/cl-relay-transport.h"
#include "store/cl-store-production-url.h"

G_BEGIN_DECLS

#define CL_TYPE_REMOTE_SESSION (cl_remote_session_get_type ())
G_DECLARE_FINAL_TYPE (ClRemoteSession, cl_remote_session, CL, REMOTE_SESSION, GObject)

/* Starts the worker on the card whose ATR the first POST carried. id: the cookie's value; reader: the name of the
 * session in the records (its attempts' reader, its reader in the fleet's records); publisher: NULL for none. */
ClRemoteSession *cl_remote_session_new (ClProductionSetup *setup, const ClProductionUrl *url, const char *batch_name,
                                        const char *station, const char *id, const char *reader,
                                        ClStationPublisher *publisher, GBytes *atr, gboolean extended,
                                        gint64 answer_timeout_us);
/* The session's reader name (given to new). */
const char *cl_remote_session_get_reader (ClRemoteSession *self);
const char *cl_remote_session_get_id (ClRemoteSession *self);
gint64 cl_remote_session_get_url_id (ClRemoteSession *self);
/* The relay of the card now in the session. */
ClRelayTransport *cl_remote_session_get_relay (ClRemoteSession *self);
/* The card came back under this session's cookie (a first POST after a card error, or after the client's connection
 * dropped): FALSE when the ATR differs (nothing of the session changes); else a job still running ends as for a
 * pulled card, and a new relay and a new worker resume the card after checking its chip identity. */
gboolean cl_remote_session_restart (ClRemoteSession *self, GBytes *atr, gboolean extended, GError **error);
/* Closes the relay (the job ends as for a pulled card) and waits for the worker. */
void cl_remote_session_stop (ClRemoteSession *self, const char *why);
/* Serialises the POSTs of one session. */
GMutex *cl_remote_session_get_post_lock (ClRemoteSession *self);
/* Monotonic µs of the last POST (touch() sets it) and of the session's start. */
void cl_remote_session_touch (ClRemoteSession *self);
gint64 cl_remote_session_get_last_seen (ClRemoteSession *self);
gint64 cl_remote_session_get_started (ClRemoteSession *self);
/* The chip identity read by the worker (NULL before), whether the last card job recorded a GOOD card. */
char *cl_remote_session_dup_chip_id (ClRemoteSession *self);
gboolean cl_remote_session_get_good (ClRemoteSession *self);

G_END_DECLS
