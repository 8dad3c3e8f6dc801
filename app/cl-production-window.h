/* cl-production-window.h: what the window produces with, opened on a worker so the window is up at once: the
 * profile, the PKCS#11 token (login), the store (a schema migration takes seconds on a big store) and the batch,
 * for the rack line or, with --printer, the printer-fed station. Nothing is produced before the caller starts
 * the result on the main context (cl_production_parts_start()). */
#pragma once

#include "cl-line.h"
#include "cl-production-headless.h"
#include "cl-production-run.h"

G_BEGIN_DECLS

/* Called once someone allowed to run the line has signed in: options->user runs the batch. options are copied; a
 * NULL store is cl_store_location()'s, resolved on the caller's (main) thread; NULL face_printer falls back to
 * $CARDLINE_IPP_URI as headless does. */
void cl_production_window_open_async (ClLine *line, const ClProductionOptions *options, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
/* NULL with error when something is missing (the operator sees it in the event log). */
ClProductionParts *cl_production_window_open_finish (GAsyncResult *result, GError **error);

G_END_DECLS
