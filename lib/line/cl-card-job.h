/* cl-card-job.h: one card from present to disposed (DESIGN §8): its session through the feeder, the production
 * sequence, the face (when a face printer is set), the disposition through the feeder, and the card's typed events.
 * A card the feeder hands over as unproduced (never seen by the reader, left inside by an earlier run) or that
 * cannot be reached still gets its attempt and goes to the reject bin, so the bins and the store agree.
 *
 * cl_card_job_run() blocks: the batch run calls it on the card's own thread. Events are delivered on that thread
 * through the event func, in order. The job fails (FALSE) only for the station's own parts, never for the card: the
 * store could not record it, the reader or the PC/SC service went away. Then get_fault() says which, and the batch
 * run pauses the line with the fault's instruction. */
#pragma once

#include "line/cl-face-printer.h"
#include "line/cl-feeder.h"
#include "production/cl-card-sequence.h"
#include "station/cl-line-event.h"

G_BEGIN_DECLS

#define CL_TYPE_CARD_JOB (cl_card_job_get_type ())
G_DECLARE_FINAL_TYPE (ClCardJob, cl_card_job, CL, CARD_JOB, GObject)

typedef void (*ClCardJobEventFunc) (ClCardJob *job, ClLineEvent *event, gpointer user_data);

/* feeder NULL: a card on the QA bench, run with cl_card_job_run_on() and never moved. batch_id 0: no batch (QA
 * re-test). station names the attempt in the store (NULL: the host name). */
ClCardJob *cl_card_job_new (ClProductionSetup *setup, ClFeeder *feeder, ClFeederCard *card, gint64 batch_id,
                            const char *batch_name, const char *station);
ClFeederCard *cl_card_job_get_card (ClCardJob *self);
void cl_card_job_set_face_printer (ClCardJob *self, ClFacePrinter *face);
/* QA_RETEST: the card stays on the QA bench (RETAINED), the feeder does not move it. */
void cl_card_job_set_attempt_kind (ClCardJob *self, ClAttemptKind kind);
void cl_card_job_set_event_func (ClCardJob *self, ClCardJobEventFunc func, gpointer user_data);

/* Blocking. TRUE: the card's attempt is recorded (good or rejected: see get_outcome()). FALSE: a station fault
 * (get_fault()); the card's attempt may be recorded (rejected, never good) or not at all. */
gboolean cl_card_job_run (ClCardJob *self, GCancellable *cancellable, GError **error);
/* The same on a card the caller already reached (QA checks the chip's identity on that connection first); the
 * caller releases it. */
gboolean cl_card_job_run_on (ClCardJob *self, ClTransport *transport, GCancellable *cancellable, GError **error);
/* Valid after run: whether an attempt was recorded and disposed (it counts toward the batch's quantity). */
gboolean cl_card_job_get_recorded (ClCardJob *self);
/* Valid after run: NULL when the card never got a sequence (unproduced, unreachable). */
const ClSequenceOutcome *cl_card_job_get_outcome (ClCardJob *self);
/* Valid after a FALSE run. */
ClLineFault cl_card_job_get_fault (ClCardJob *self);

G_END_DECLS
