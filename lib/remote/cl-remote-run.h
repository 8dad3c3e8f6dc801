/* cl-remote-run.h: a station producing remotely (DESIGN §8, remote production): its feeder brings each card, a
 * remote card job relays it to the production service and checks it (cl-remote-card-job.h), one card at a time, until
 * quantity cards are disposed or Stop. The station opens no token and holds no key. It keeps no record store of its
 * own: the production service's journal is the record of every attempt; the station's account of each card is its
 * typed events (the headless lines).
 *
 * A fault of the station's parts (the production service, the reader, pcscd, the face printer's queue) holds the line
 * with an instruction (FAULT, card inside) until the part is back, tried again with a back-off or at once on Resume
 * (cl_remote_run_retry); it is never filed against the card. Pause lets the card in flight finish its session and
 * takes no new one until resumed (a printer holds its next card). Stop takes no more cards; a printer's card in
 * flight still finishes unless it waits on a fault, a rack's is cancelled.
 *
 * Signals (on the main context of the thread that called start):
 *   "event"    (ClLineEvent *event): each typed event, in order
 *   "finished" (): the feed thread ended */
#pragma once

#include "line/cl-face-printer.h"
#include "line/cl-feeder.h"
#include "remote/cl-ram-relay.h"
#include "cvc/cl-cvc.h"
#include "station/cl-batch-counters.h"

G_BEGIN_DECLS

#define CL_TYPE_REMOTE_RUN (cl_remote_run_get_type ())
G_DECLARE_FINAL_TYPE (ClRemoteRun, cl_remote_run, CL, REMOTE_RUN, GObject)

/* batch_name: a name for the run (faces, counters); quantity 0: until Stop. */
ClRemoteRun *cl_remote_run_new (ClFeeder *feeder, ClRamRelay *relay, ClCvc *srca, const char *station,
                                const char *batch_name, guint quantity);
void cl_remote_run_set_face_printer (ClRemoteRun *self, ClFacePrinter *face);
ClFeeder *cl_remote_run_get_feeder (ClRemoteRun *self);
void cl_remote_run_start (ClRemoteRun *self);
/* Any thread. */
void cl_remote_run_retry (ClRemoteRun *self);
void cl_remote_run_stop (ClRemoteRun *self);
/* Main context: pause (TRUE) or resume; a PAUSED or RESUMED event follows, the counters say paused. Nothing once
 * stopping. */
void cl_remote_run_set_paused (ClRemoteRun *self, gboolean paused);
gboolean cl_remote_run_get_paused (ClRemoteRun *self);
gboolean cl_remote_run_get_running (ClRemoteRun *self);
/* Cancelled (any thread) once quantity cards are disposed. */
GCancellable *cl_remote_run_get_done (ClRemoteRun *self);
/* Main context. */
ClBatchCounters *cl_remote_run_get_counters (ClRemoteRun *self);
/* After "finished": what the relay carried, all cards together. */
void cl_remote_run_get_traffic (ClRemoteRun *self, guint *cards, guint *round_trips, guint64 *bytes_sent,
                                guint64 *bytes_received);
/* After the run's "finished": "remote batch complete|stopped cards=N good=N rejected=N round-trips=N bytes-out=N
 * bytes-in=N", the line headless prints last and the window logs. */
char *cl_remote_run_summary (ClRemoteRun *self);

G_END_DECLS
