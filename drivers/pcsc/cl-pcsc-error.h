/* cl-pcsc-error.h: the one place where PC/SC return codes are translated: into CL_DRIVER_ERROR for the driver's
 * own API (connecting, the reader monitor), and into lib/'s transport codes (CL_ERROR, the contract in
 * apdu/cl-transport.h) for a failed exchange that crosses the ClTransport interface. Nothing above the driver
 * ever sees an SCARD_* value or has to know this domain to tell a pulled card from a lost reader. */
#pragma once

#include <glib.h>
#include <winscard.h>

#include "cl-driver-error.h"
#include "core/cl-error.h"

G_BEGIN_DECLS

/* The CL_DRIVER_ERROR code for a PC/SC return code (anything unknown is CL_DRIVER_ERROR_FAILED). */
ClDriverError cl_pcsc_error_code (LONG rv);
/* The CL_ERROR transport code for a PC/SC return code: CARD_REMOVED (removed, reset, mute), TIMEOUT,
 * READER_GONE, SERVICE_LOST, CANCELLED; anything else is CL_ERROR_TRANSPORT. */
ClError cl_pcsc_transport_code (LONG rv);
/* "SCARD_W_REMOVED_CARD"; "an unknown PC/SC code" for codes outside pcsclite.h. */
const char *cl_pcsc_error_name (LONG rv);

/* Sets @error from @rv: "<what>: <pcsc-lite's text> (SCARD_X_NAME)". @rv must not be SCARD_S_SUCCESS. */
void cl_pcsc_set_error (GError **error, LONG rv, const char *format, ...) G_GNUC_PRINTF (3, 4);
/* TRUE for SCARD_S_SUCCESS; otherwise sets @error as cl_pcsc_set_error() and returns FALSE. */
gboolean cl_pcsc_check (LONG rv, GError **error, const char *format, ...) G_GNUC_PRINTF (3, 4);
/* As cl_pcsc_check(), but in CL_ERROR with cl_pcsc_transport_code(): for what a ClTransport call reports. */
gboolean cl_pcsc_check_transport (LONG rv, GError **error, const char *format, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
