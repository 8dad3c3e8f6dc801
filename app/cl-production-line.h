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

G_BEGIN_DECLS

#define CL_TYPE_PRODUCTION_LINE (cl_production_line_get_type ())
G_DECLARE_FINAL_TYPE (ClProductionLine, cl_production_line, CL, PRODUCTION_LINE, GObject)

/* Finds or creates the batch (a batch found again continues: cards already disposed count towards quantity). */
ClProductionLine *cl_production_line_new (ClLine *line, ClProductionSetup *setup, const char *batch_name,
                                          guint quantity, GError **error);
gint64 cl_production_line_get_batch_id (ClProductionLine *self);
/* Cancelled once quantity cards are disposed. */
GCancellable *cl_production_line_get_done (ClProductionLine *self);
/* Cancels the cards in production and waits (iterating the main context) until their attempts are recorded. */
void cl_production_line_stop (ClProductionLine *self);

G_END_DECLS
