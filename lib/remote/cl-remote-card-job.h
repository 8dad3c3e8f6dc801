/* cl-remote-card-job.h: one card from present to disposed on a station that produces remotely (DESIGN §8, remote
 * production): the feeder brings it, its exchanges are relayed to the production service (cl-ram-relay.h), and then
 * the station checks the card itself (cl-device-check.h: EF 2F02 device -> DICA -> the station's SRCA, the card's
 * own key, the serial) before it calls it good; only then the face and the output hopper. Anything else rejects it
 * with a reason. The station holds no key and no token: there is nothing here to open one with.
 *
 * A fault of the station's own parts (the production service unreachable or answering outside the dialect, the
 * reader or pcscd gone, the face printer's queue) is never the card's: the job asks the wait func to hold the line
 * until the part is back and goes on with the same card (a new session: the service resumes the card from its own
 * journal). Blocking: run it on a thread of its own, never the UI's. */
#pragma once

#include "line/cl-face-printer.h"
#include "line/cl-feeder.h"
#include "remote/cl-ram-relay.h"
#include "cvc/cl-cvc.h"
#include "station/cl-line-event.h"

G_BEGIN_DECLS

#define CL_TYPE_REMOTE_CARD_JOB (cl_remote_card_job_get_type ())
G_DECLARE_FINAL_TYPE (ClRemoteCardJob, cl_remote_card_job, CL, REMOTE_CARD_JOB, GObject)

typedef void (*ClRemoteCardJobEventFunc) (ClRemoteCardJob *job, ClLineEvent *event, gpointer user_data);
/* Blocks while fault holds the line (tries: this job's waits in a row, for backing off); FALSE: give up (stopping).
 * fault_cleared: the part works again. */
typedef gboolean (*ClRemoteCardJobWaitFunc) (ClRemoteCardJob *job, ClLineFault fault, const GError *error, guint tries,
                                             GCancellable *cancellable, gpointer user_data);
typedef void (*ClRemoteCardJobClearedFunc) (ClRemoteCardJob *job, ClLineFault fault, gpointer user_data);

ClRemoteCardJob *cl_remote_card_job_new (ClRamRelay *relay, ClCvc *srca, ClFeeder *feeder, ClFeederCard *card,
                                         const char *station, const char *batch_name);
void cl_remote_card_job_set_face_printer (ClRemoteCardJob *self, ClFacePrinter *face);
void cl_remote_card_job_set_event_func (ClRemoteCardJob *self, ClRemoteCardJobEventFunc func, gpointer user_data);
void cl_remote_card_job_set_wait_func (ClRemoteCardJob *self, ClRemoteCardJobWaitFunc wait,
                                       ClRemoteCardJobClearedFunc cleared, gpointer user_data);

/* TRUE: the card was disposed (good or rejected: get_good()). FALSE: stopped or cancelled while the card waited;
 * it stays where it is. FALSE with CL_ERROR_BATCH_FULL: the service has no place left in the batch for a card
 * (notify CL_RAM_NOTIFY_NO_PLACE): the batch is complete; the card stays where it is, unproduced and not blamed. */
gboolean cl_remote_card_job_run (ClRemoteCardJob *self, GCancellable *cancellable, GError **error);
gboolean cl_remote_card_job_get_good (ClRemoteCardJob *self);
/* Valid after run: what the relay carried for this card, all sessions together. */
void cl_remote_card_job_get_traffic (ClRemoteCardJob *self, guint *round_trips, guint64 *bytes_sent,
                                     guint64 *bytes_received);

G_END_DECLS
