/* cl-pcsc-connect.h: a feeder's connection to the card at a PC/SC reader. Connecting is the driver's own API
 * (CL_DRIVER_ERROR); a feeder hands the line engine lib/'s transport codes instead (apdu/cl-transport.h), so this
 * is where the one translates into the other: no card / mute / removed -> CL_ERROR_CARD_REMOVED, reader unknown or
 * gone -> CL_ERROR_READER_GONE, pcscd unreachable -> CL_ERROR_SERVICE_LOST, timeout -> CL_ERROR_TIMEOUT, a fired
 * cancellable -> G_IO_ERROR_CANCELLED, anything else -> CL_ERROR_TRANSPORT. The message keeps the SCARD name. */
#pragma once

#include "pcsc/cl-pcsc-transport.h"

G_BEGIN_DECLS

/* Takes error (a connection's, CL_DRIVER_ERROR) and returns it in the line's codes as above. */
GError *cl_pcsc_connect_error_for_line (GError *error);
ClTransport *cl_pcsc_connect_card (const char *reader, GCancellable *cancellable, GError **error);
/* Powers the card down and lets it go (the next reader of it starts fresh). */
void cl_pcsc_release_card (ClTransport *transport);

G_END_DECLS
