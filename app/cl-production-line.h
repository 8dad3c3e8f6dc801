/* cl-production-line.h: production on the line in rack mode: a card inserted into any reader starts the
 * production sequence on it in a worker thread (its own PC/SC connection), several readers in parallel. Step
 * results and dispositions become events of the line's log (one parseable line each in headless mode) and the
 * station shows PRODUCING and the last result. The batch ends when quantity cards are disposed.
 *
 * Event details (kind "note", the reader as the event's reader), key=value separated by spaces:
 *   step chip=ID step=STEP result=OK|SKIPPED|FAILED ms=N sw=XXXX|- [detail=...]
 *   good chip=ID serial=S ms=N apdus=N
 *   reject chip=ID|- reason=REASON step=STEP sw=XXXX|- ms=N apdus=N detail=...  */
#pragma once

#include "cl-line.h"
#include "production/cl-production-setup.h"
#include "station/cl-batch-counters.h"

G_BEGIN_DECLS

#define CL_TYPE_PRODUCTION_LINE (cl_production_line_get_type ())
G_DECLARE_FINAL_TYPE (ClProductionLine, cl_production_line, CL, PRODUCTION_LINE, GObject)

/* Finds or creates the batch (a batch found again continues: cards already disposed count towards quantity).
 * Only store work, so any thread may call it (the window does it on a worker); nothing is produced until
 * cl_production_line_start(). */
ClProductionLine *cl_production_line_new (ClLine *line, ClProductionSetup *setup, const char *batch_name,
                                          guint quantity, GError **error);
/* On the main context: takes the cards line reports from now on, and those already waiting in its readers. */
void cl_production_line_start (ClProductionLine *self);
gint64 cl_production_line_get_batch_id (ClProductionLine *self);
/* Cancelled once quantity cards are disposed. */
GCancellable *cl_production_line_get_done (ClProductionLine *self);
/* Cancels the cards in production and waits (iterating the main context) until their attempts are recorded. */
void cl_production_line_stop (ClProductionLine *self);
/* Pause: no new card is taken; the cards in production finish. Resume: cards that wait in a reader start. The
 * batch's state in the store follows (PAUSED/RUNNING, recorded on a worker as user). */
void cl_production_line_set_paused (ClProductionLine *self, gboolean paused, const char *user);
/* Stop: cancels the cards in production (they are recorded CARD_REMOVED) and ends the batch in the store (CLOSED
 * when quantity cards were disposed, else ABORTED, on a worker as user). The line takes no card after it. */
void cl_production_line_end (ClProductionLine *self, const char *user);
gboolean cl_production_line_get_paused (ClProductionLine *self);
/* The batch's counters for the Line view, kept on the main context (fed/good/rejected as the store counts). */
ClBatchCounters *cl_production_line_get_counters (ClProductionLine *self);
/* A reader the line never produces on (the QA reader); NULL: none. */
void cl_production_line_set_reserved_reader (ClProductionLine *self, const char *reader);

G_END_DECLS
