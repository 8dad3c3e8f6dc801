/* cl-batch-run.h: a station working on a batch (DESIGN §8): the one production-line engine under the window,
 * headless mode and their tests, whatever the feeder.
 *
 * cl_batch_run_new() records the station's key check values and refuses to produce when they are not the fleet's
 * (production/cl-station-keys.h: CL_ERROR_FLEET_KEYS), opens or creates the batch, gives attempts a killed run of
 * this station left open their one disposition, and seeds the counters from the store. Started, a feed thread asks the
 * feeder for cards while the run is neither paused, faulted nor complete, and each card becomes a card job on its own
 * thread (as many at once as the feeder allows). Pause holds the next card and lets those in flight finish; Stop takes
 * no more cards, lets the feeder's held cards finish (a rack's are cancelled: CARD_REMOVED), writes the batch's end
 * (CLOSED once quantity cards were disposed, else ABORTED) and reports when all of it is done. Batch state changes are
 * written in the order they were asked for, off the main thread.
 *
 * A batch's quantity is shared by every station on it: each card is produced in a place of the batch
 * (store/cl-store-place.h). A printer takes the place before it feeds a card (a card out of the hopper must be
 * produced); a rack once a card is present at a reader, so that readers waiting for the operator hold none. A rack's
 * card with no place free waits for one, and is left in its reader unproduced, nothing recorded and the operator told
 * why, once the other stations complete the batch. A station learns that from the store: its batch watch asks while
 * it has no card in flight, for a batch other stations can complete (cl-batch-run-watch.c says which).
 *
 * A fault of the feeder (printer) or of the station's own parts (store, reader, PC/SC service) pauses the line
 * with an instruction; it is never filed against a card. Resume (cl_batch_run_retry) retries at once; a printer
 * fault also clears by itself once the printer reports it gone.
 *
 * Everything but the card work happens on the main context of the thread that called cl_batch_run_start():
 * events, counters, the "finished" signal and stop's callback.
 *
 * Signals (main context):
 *   "event"    (ClLineEvent *event): each typed event of the run, in order
 *   "finished" (): the feed thread and every card job ended and the batch's end is written */
#pragma once

#include "line/cl-face-printer.h"
#include "line/cl-feeder.h"
#include "production/cl-production-setup.h"
#include "station/cl-batch-counters.h"
#include "station/cl-line-event.h"

G_BEGIN_DECLS

#define CL_TYPE_BATCH_RUN (cl_batch_run_get_type ())
G_DECLARE_FINAL_TYPE (ClBatchRun, cl_batch_run, CL, BATCH_RUN, GObject)

/* Only store work, so any thread may call it (the window does it on a worker). station names this station's
 * attempts in the store (NULL: cl_station_identity()); the run holds the station's lease (cl-store-station.h), so
 * a second process with the same station is refused here with CL_ERROR_CLAIMED naming the first one's host and
 * pid. user is the signed-in account that runs the batch: the actor of its creation and state changes (NULL: the
 * login name, for tests). A known batch continues only with the profile and quantity it was created with
 * (cl_store_batch_open). */
ClBatchRun *cl_batch_run_new (ClProductionSetup *setup, ClFeeder *feeder, const char *station, const char *batch_name,
                              guint quantity, const char *user, GError **error);
/* Before start: good cards get their face printed (step FACE) before they go to the output hopper. */
void cl_batch_run_set_face_printer (ClBatchRun *self, ClFacePrinter *face);
/* Before start: FALSE renders each face at FACE instead of while its chip is produced (the default, TRUE; FALSE
 * is for the benchmark's comparison). */
void cl_batch_run_set_face_ahead (ClBatchRun *self, gboolean ahead);
ClFeeder *cl_batch_run_get_feeder (ClBatchRun *self);
void cl_batch_run_start (ClBatchRun *self);

/* Main context. The batch's state in the store follows (PAUSED / RUNNING), recorded as user (NULL: the run's user). */
void cl_batch_run_set_paused (ClBatchRun *self, gboolean paused, const char *user);
gboolean cl_batch_run_get_paused (ClBatchRun *self);
/* The operator says the fault is fixed: a station fault is cleared and the feeder retries now. */
void cl_batch_run_retry (ClBatchRun *self);
/* Whether the line is held by a fault (until it clears or Resume). */
gboolean cl_batch_run_get_faulted (ClBatchRun *self);

/* Main context; returns at once. The callback runs on the main context once "finished". */
void cl_batch_run_stop_async (ClBatchRun *self, const char *user, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean cl_batch_run_stop_finish (ClBatchRun *self, GAsyncResult *result, GError **error);
/* TRUE from start until "finished". */
gboolean cl_batch_run_get_running (ClBatchRun *self);
/* Stop was asked for (or the batch is complete): the run takes no more cards. */
gboolean cl_batch_run_get_ending (ClBatchRun *self);

/* Any thread: a reader of the station is connected (the line's reader list): the fleet's records list it. */
void cl_batch_run_note_reader (ClBatchRun *self, const char *reader);

gint64 cl_batch_run_get_batch_id (ClBatchRun *self);
/* Cancelled (from any thread) once quantity cards are disposed. */
GCancellable *cl_batch_run_get_done (ClBatchRun *self);
/* The batch's counters as the store counts them (fed / good / rejected), kept on the main context. */
ClBatchCounters *cl_batch_run_get_counters (ClBatchRun *self);
/* Cards disposed by this run, and *seconds from its first card to its last disposition. */
guint cl_batch_run_get_throughput (ClBatchRun *self, double *seconds);

G_END_DECLS
