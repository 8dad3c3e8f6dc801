/* cl-face-printer.h: submits a rendered card face to a CUPS queue or an IPP printer and waits for the job.
 *
 * @destination is an IPP URI (ipp://host:port/ipp/print, ipps://...) or the name of a queue on the
 * default CUPS server. Before submitting, a stopped printer fails with CL_DRIVER_ERROR_DEVICE_FAULT naming
 * its printer-state-reasons (media-empty, ...). The call returns when the job completed; a job that was
 * aborted or canceled fails with its job-state-reasons; after @timeout_ms or on @cancellable the job is
 * cancelled on the printer and the call fails (TIMEOUT / CANCELLED). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean cl_face_print (const char *destination, GBytes *document, const char *mime_type, const char *job_name,
                        guint timeout_ms, GCancellable *cancellable, int *job_id, GError **error);

/* Whether destination answers and takes jobs now: reachable, not stopped, printer-is-accepting-jobs. *state gets
 * "idle"/"processing" and the printer-state-reasons (free it). CL_DRIVER_ERROR naming what is wrong. */
gboolean cl_face_printer_check (const char *destination, guint timeout_ms, char **state, GError **error);

G_END_DECLS
