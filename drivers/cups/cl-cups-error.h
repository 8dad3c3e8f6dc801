/* cl-cups-error.h: the one place where IPP/CUPS status codes become CL_DRIVER_ERROR. */
#pragma once

#include <cups/cups.h>
#include <glib.h>

#include "cl-driver-error.h"

G_BEGIN_DECLS

ClDriverError cl_cups_error_code (ipp_status_t status);
/* "<what>: <CUPS text> (<ipp status name>)", from cupsLastError()/cupsLastErrorString(). */
void cl_cups_set_last_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
