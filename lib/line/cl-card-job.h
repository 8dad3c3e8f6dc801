/* cl-card-job.h: one card from present to disposed (DESIGN §8): its session through the feeder, the production
 * sequence, the face (when a face printer is set), the disposition through the feeder, and the card's typed events.
 * A card the feeder hands over as unproduced (never seen by the reader, left inside by an earlier run) or that
 * cannot be reached still gets its attempt and goes to the reject bin, so the bins and the store agree.
 *
 * cl_card_job_run() blocks: the batch run calls it on the card's own thread. Events are delivered on that thread
 * through the event func, in order. A station fault under the card (the store could not record it, the HSM, the
 * reader or the PC/SC service went away) never rejects it: the card stays where it is, its attempt open, and the
 * job asks the recover func to wait until the part is back, then continues the same attempt on the same card
 * (reached again when the reader or pcscd was lost); the resumed func says when that worked. The job fails (FALSE)
 * only when the recover func gives up (the line stops) or there is none: then get_fault() says which part, and
 * the card's attempt ends as a killed station's would (RETAINED: the card is still where it was). */
#pragma once

#include "line/cl-face-printer.h"
#include "line/cl-feeder.h"
#include "production/cl-card-sequence.h"
#include "station/cl-line-event.h"

G_BEGIN_DECLS

#define CL_TYPE_CARD_JOB (cl_card_job_get_type ())
G_DECLARE_FINAL_TYPE (ClCardJob, cl_card_job, CL, CARD_JOB, GObject)

typedef void (*ClCardJobEventFunc) (ClCardJob *job, ClLineEvent *event, gpointer user_data);
/* Blocks until the part behind fault is back: the setup to go on with (a new one when the HSM was reconnected and
 * its objects looked up again; a new reference), or NULL to give up (stopping). tries counts the job's station
 * faults in a row, for backing off. */
typedef ClProductionSetup *(*ClCardJobRecoverFunc) (ClCardJob *job, ClLineFault fault, const GError *error, guint tries,
                                                    GCancellable *cancellable, gpointer user_data);
/* The card went on past the fault: the part works again. */
typedef void (*ClCardJobResumedFunc) (ClCardJob *job, ClLineFault fault, gpointer user_data);

/* feeder NULL: a card on the QA bench, run with cl_card_job_run_on() and never moved. batch_id 0: no batch (QA
 * re-test). station names the attempt in the store (NULL: the host name). */
ClCardJob *cl_card_job_new (ClProductionSetup *setup, ClFeeder *feeder, ClFeederCard *card, gint64 batch_id,
                            const char *batch_name, const char *station);
ClFeederCard *cl_card_job_get_card (ClCardJob *self);
void cl_card_job_set_face_printer (ClCardJob *self, ClFacePrinter *face);
/* TRUE: the face is rendered while the chip is produced (line/cl-face-ahead.h), when the face printer can. */
void cl_card_job_set_face_ahead (ClCardJob *self, gboolean ahead);
/* QA_RETEST: the card stays on the QA bench (RETAINED), the feeder does not move it. */
void cl_card_job_set_attempt_kind (ClCardJob *self, ClAttemptKind kind);
/* The chip was admitted into the batch through a production URL (remote production): cl_card_sequence_set_admitted().
 */
void cl_card_job_set_admitted (ClCardJob *self, gboolean admitted);
void cl_card_job_set_event_func (ClCardJob *self, ClCardJobEventFunc func, gpointer user_data);
void cl_card_job_set_recover_func (ClCardJob *self, ClCardJobRecoverFunc recover, ClCardJobResumedFunc resumed,
                                   gpointer user_data);

/* Blocking. TRUE: the card's attempt is recorded (good or rejected: see get_outcome()). FALSE: a station fault
 * (get_fault()); the card's attempt may be recorded (rejected, never good) or not at all. */
gboolean cl_card_job_run (ClCardJob *self, GCancellable *cancellable, GError **error);
/* The same on a card the caller already reached (QA checks the chip's identity on that connection first); the
 * caller releases it. */
gboolean cl_card_job_run_on (ClCardJob *self, ClTransport *transport, GCancellable *cancellable, GError **error);
/* Valid after run: whether an attempt was recorded and disposed (it counts toward the batch's quantity). */
gboolean cl_card_job_get_recorded (ClCardJob *self);
/* Valid after run: whether the card got an attempt in the store (recorded, or begun and left open or RETAINED): it then
 * took a place in its batch (store/cl-store-place.h), which the store gives back with a RETAINED end. */
gboolean cl_card_job_began_attempt (ClCardJob *self);
/* Valid after run: NULL when the card never got a sequence (unproduced, unreachable). */
const ClSequenceOutcome *cl_card_job_get_outcome (ClCardJob *self);
/* Valid after a FALSE run. */
ClLineFault cl_card_job_get_fault (ClCardJob *self);

G_END_DECLS
