/* cl-usb-error.h: the one place where libusb return and transfer codes become CL_DRIVER_ERROR. */
#pragma once

#include <glib.h>
#include <libusb.h>

#include "cl-driver-error.h"

G_BEGIN_DECLS

ClDriverError cl_usb_error_code (int rv);
/* Sets @error from a libusb_error @rv: "<what>: <libusb's text> (LIBUSB_ERROR_X)". */
void cl_usb_set_error (GError **error, int rv, const char *format, ...) G_GNUC_PRINTF (3, 4);
/* Sets @error from a failed transfer's status: "<what>: <meaning> (LIBUSB_TRANSFER_X)". */
void cl_usb_set_transfer_error (GError **error, enum libusb_transfer_status status, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

G_END_DECLS
