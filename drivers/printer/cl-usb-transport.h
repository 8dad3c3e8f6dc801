/* cl-usb-transport.h: a card printer's command channel over USB bulk endpoints (libusb).
 *
 * Finds the first device with @vendor_id (and @product_id unless 0), the first interface that has a bulk
 * IN and a bulk OUT endpoint, detaches a kernel driver (usblp) from it and claims it; the interface is
 * released on finalize. Transfers are asynchronous libusb transfers driven in slices of 100 ms, so the
 * GCancellable is honoured while waiting. Where libusb has hot-plug support, an unplugged printer is noticed
 * right away; otherwise at the next transfer. Either way the call fails with CL_DRIVER_ERROR_NO_READER. */
#pragma once

#include "cl-printer-transport.h"

G_BEGIN_DECLS

#define CL_TYPE_USB_TRANSPORT (cl_usb_transport_get_type ())
G_DECLARE_FINAL_TYPE (ClUsbTransport, cl_usb_transport, CL, USB_TRANSPORT, ClPrinterTransport)

ClPrinterTransport *cl_usb_transport_new (guint16 vendor_id, guint16 product_id, GError **error);

guint16 cl_usb_transport_get_product_id (ClUsbTransport *self);
/* TRUE once the device has been reported gone (hot-plug or a NO_DEVICE transfer). */
gboolean cl_usb_transport_is_gone (ClUsbTransport *self);

G_END_DECLS
