/* cl-card-sequence.h: one card through the production sequence of DESIGN §2, steps 3-10 and 12:
 * IDENTIFY, OPEN_KST, CONFIGURE, ROTATE_KEYS, LOAD_APPLET, INIT_APPLET, CERTIFY, VERIFY, DISPOSE.
 *
 * The sequence runs blocking on the caller's thread (a worker: cl_card_sequence_run_async puts it on one) over
 * the ClTransport it is given, and records the attempt, every step (timing, last SW, detail), the journal of
 * irreversible steps and the disposition in the setup's store. It probes the card instead of trusting its
 * record, so a card re-inserted after any interruption continues from where it really is: card keys that
 * authenticate are used instead of the KST, an installed applet is kept, an initialised device is not
 * initialised again, and a certificate issued for this chip and device key is written, never issued again.
 *
 * The steps are one plan (BEGIN lists it): the card steps in order, FACE when a face func is set, DISPOSE. They
 * run until one fails; after a failure only DISPOSE still runs, so the card always leaves and its attempt always
 * ends. Events come in this order: BEGIN, then STARTED and STEP for each step run, then DISPOSED.
 *
 * A card is GOOD only when VERIFY passed on it in this attempt and everything about it was recorded; anything else
 * is REJECTED with one reason from the closed list, the step that failed and the last status word. The first
 * failure decides the reason. Cancelling the GCancellable (the card was pulled, the station stops) ends the attempt
 * as CARD_REMOVED; the profile's card timeout (or a transport's) as TIMEOUT.
 *
 * Station faults: what the station, not the card, is to blame for: a store write the sequence could not make (a
 * step, a journal outcome, the attempt's end), an HSM that went away (CL_ERROR_HSM_LOST), a face printer queue
 * that takes no jobs (CL_ERROR_PRINTER_QUEUE from the face func), a reader or PC/SC
 * service lost under the card (CL_ERROR_READER_GONE / CL_ERROR_SERVICE_LOST from the transport,
 * apdu/cl-transport.h). They never decide a card's verdict. Before DISPOSE moved the card, the run stops there:
 * outcome->interrupted, no DISPOSE, no DISPOSED event, the card stays where it is and its attempt stays open; the
 * next cl_card_sequence_run() on this sequence (once the part is back; on the same card, reached again if need
 * be) continues that attempt, probing the card as any resume does. After the card moved, its verdict stands and
 * what the store did not take (DISPOSE's step, the attempt's end) waits: outcome->end_pending, written by
 * cl_card_sequence_record_pending(). Either way outcome->station_fault is set and
 * cl_card_sequence_get_station_error() returns the first such error, so that the line can pause and tell the
 * operator instead of feeding the next card into the same fault. A station killed meanwhile leaves the attempt
 * open until its next start ends it as abandoned (cl_store_attempt_abandon_open). */
#pragma once

#include "apdu/cl-transport.h"
#include "cl-production-setup.h"
#include "store/cl-production-types.h"
#include "store/cl-store-rows.h"
#include "store/cl-store-types.h"

G_BEGIN_DECLS

typedef enum
{
  CL_SEQUENCE_EVENT_STEP,     /* a step ended (OK, SKIPPED or FAILED) */
  CL_SEQUENCE_EVENT_DISPOSED, /* the attempt ended: GOOD or REJECTED */
  CL_SEQUENCE_EVENT_BEGIN,    /* the attempt began: plan lists the steps it will run */
  CL_SEQUENCE_EVENT_STARTED,  /* a step started */
} ClSequenceEventKind;

typedef struct
{
  ClSequenceEventKind kind;
  ClProductionStep step;
  ClStepResult result; /* STEP */
  gint64 duration_us;
  gint sw;                      /* last status word, -1: none */
  const char *chip_id;          /* NULL before IDENTIFY found it */
  const char *detail;           /* NULL, or why it failed / what was skipped */
  gboolean good;                /* DISPOSED */
  ClRejectReason reason;        /* DISPOSED and not good */
  const char *serial;           /* DISPOSED: the card's serial, NULL before CERTIFY */
  const ClProductionStep *plan; /* BEGIN: the steps in order */
  guint n_plan;
  gboolean station_fault;    /* DISPOSED: the station failed during the attempt (see above); the line should pause */
  const char *row_reference; /* the card's data row once IDENTIFY claimed it (NULL: no data) */
  const char *row_display;
} ClSequenceEvent;

/* Called on the thread that runs the sequence. */
typedef void (*ClSequenceEventFunc) (const ClSequenceEvent *event, gpointer user_data);

typedef struct
{
  gboolean good;
  ClRejectReason reason;        /* not good only */
  ClProductionStep failed_step; /* not good only; interrupted: the step the station failed in */
  gint last_sw;
  char *chip_id; /* NULL: never identified */
  char *chr;     /* device certificate holder; NULL before CERTIFY */
  char *serial;  /* what OpenSC reports: the CHR without its last 5 characters */
  char *detail;  /* the (first) failure's message; NULL when good */
  gint64 attempt_id;
  gint64 cycle_us;
  guint64 apdus;
  guint64 bytes_sent;
  guint64 bytes_received;
  /* the station failed during the attempt (store, HSM, reader, PC/SC service): see the contract above and
   * cl_card_sequence_get_station_error() */
  gboolean station_fault;
  gboolean interrupted;         /* the run stopped at a station fault before the card moved: no verdict, run it again */
  gboolean end_pending;         /* the card moved but its DISPOSE or end record is not written yet: record_pending() */
  gboolean whereabouts_unknown; /* its move was lost and no card was found afterwards: disposition UNKNOWN */
  ClBatchRow *row;              /* the card's data row (store/cl-store-rows.h) for FACE; NULL: the batch has none */
} ClSequenceOutcome;

#define CL_TYPE_CARD_SEQUENCE (cl_card_sequence_get_type ())
G_DECLARE_FINAL_TYPE (ClCardSequence, cl_card_sequence, CL, CARD_SEQUENCE, GObject)

/* batch_id 0: no batch. station and reader name the attempt in the store. */
ClCardSequence *cl_card_sequence_new (ClProductionSetup *setup, gint64 batch_id, const char *station,
                                      const char *reader);
void cl_card_sequence_set_event_func (ClCardSequence *self, ClSequenceEventFunc func, gpointer user_data,
                                      GDestroyNotify notify);
/* What the attempt is recorded as: PRODUCTION (the default, a feed on the line) or QA_RETEST (a QA technician
 * re-running a rejected card on the QA reader; the card then stays with QA instead of going to a bin). */
void cl_card_sequence_set_attempt_kind (ClCardSequence *self, ClAttemptKind kind);
ClAttemptKind cl_card_sequence_get_attempt_kind (ClCardSequence *self);
/* TRUE: the chip was admitted into the batch through a production URL (remote production): its attempts bind the
 * place the service took (cl_store_attempt_begin_admitted), and a card that left with its session (CARD_REMOVED) is
 * RETAINED, not in a reject bin: it was not made and comes back through its URL, its place given back. */
void cl_card_sequence_set_admitted (ClCardSequence *self, gboolean admitted);
ClProductionSetup *cl_card_sequence_get_setup (ClCardSequence *self);
/* Between runs: the setup the next run uses (the HSM was reconnected and its objects looked up again). */
void cl_card_sequence_set_setup (ClCardSequence *self, ClProductionSetup *setup);

/* The printer-fed line's part of a card's cycle, called on the thread that runs the sequence:
 *   face:    after VERIFY passed, recorded as step FACE; FALSE with error rejects the card as PRINT_FAILED.
 *   dispose: once the disposition is known and before it is recorded, moves the card there (good: output
 *            hopper, else reject bin). FALSE for a good card means it did not reach the output hopper: it is
 *            recorded REJECTED (PROTOCOL_ERROR at DISPOSE), since nobody can vouch for where it went.
 * outcome is the one being built (good, chip_id, serial, reason valid). Either func may be NULL. */
typedef gboolean (*ClSequenceCardFunc) (const ClSequenceOutcome *outcome, gpointer user_data, GCancellable *cancellable,
                                        GError **error);

void cl_card_sequence_set_card_funcs (ClCardSequence *self, ClSequenceCardFunc face, ClSequenceCardFunc dispose,
                                      gpointer user_data);

/* Optional, with a face func: called on the sequence's thread once IDENTIFY passed, with what the card's face will
 * show (its chip, the serial CERTIFY will give it, its data row or NULL), so that the face can be drawn while the
 * chip is produced. Nothing is printed from here: FACE still decides, and only for a card that passed VERIFY. The
 * row is the sequence's: copy what is kept of it. */
typedef void (*ClSequenceFaceAheadFunc) (const char *chip_id, const char *serial, const ClBatchRow *row,
                                         gpointer user_data);
void cl_card_sequence_set_face_ahead_func (ClCardSequence *self, ClSequenceFaceAheadFunc func);

/* Runs the whole sequence once (after an interrupted run: continues its attempt). Returns FALSE only when nothing
 * could be recorded (the store failed before the attempt began: also a station fault; running again begins it);
 * every other outcome, good, rejected or interrupted, is TRUE with the outcome filled. Not while an end is
 * pending. */
gboolean cl_card_sequence_run (ClCardSequence *self, ClTransport *transport, GCancellable *cancellable, GError **error);
/* Writes what outcome->end_pending says is missing (DISPOSE's step, the attempt's end); TRUE when nothing is
 * missing any more. CL_ERROR_STORE while the store still refuses. */
gboolean cl_card_sequence_record_pending (ClCardSequence *self, GError **error);
/* The same on a GTask worker thread. transport is used only from that thread. */
void cl_card_sequence_run_async (ClCardSequence *self, ClTransport *transport, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean cl_card_sequence_run_finish (ClCardSequence *self, GAsyncResult *result, GError **error);

/* Valid after run. */
const ClSequenceOutcome *cl_card_sequence_get_outcome (ClCardSequence *self);
/* After run: the first station fault of the attempt, NULL if there was none. CL_ERROR_STORE (the store could not
 * record the card), CL_ERROR_READER_GONE or CL_ERROR_SERVICE_LOST; its message says what was lost. Owned by self,
 * valid until the next run. */
const GError *cl_card_sequence_get_station_error (ClCardSequence *self);
/* APDUs sent to the transport so far (also while running, from the running thread). */
guint64 cl_card_sequence_get_apdu_count (ClCardSequence *self);

G_END_DECLS
