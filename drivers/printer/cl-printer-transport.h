/* cl-printer-transport.h: the byte pipe to a card printer's command channel (USB bulk, TCP).
 *
 * A transport moves whole messages: send() writes one command frame, receive() returns one reply (one bulk
 * IN transfer on USB, the bytes up to and including CR on TCP). Every call takes a timeout in milliseconds
 * and a GCancellable; nothing blocks longer than the timeout. A printer that went away (unplugged, peer
 * closed the connection) fails with CL_DRIVER_ERROR_NO_READER, a reply that did not come in time with
 * CL_DRIVER_ERROR_TIMEOUT. Calls on one transport are serialised by the caller (ClCardPrinter). */
#pragma once

#include <gio/gio.h>

#include "cl-driver-error.h"

G_BEGIN_DECLS

#define CL_TYPE_PRINTER_TRANSPORT (cl_printer_transport_get_type ())
G_DECLARE_DERIVABLE_TYPE (ClPrinterTransport, cl_printer_transport, CL, PRINTER_TRANSPORT, GObject)

struct _ClPrinterTransportClass
{
  GObjectClass parent_class;

  gboolean (*send) (ClPrinterTransport *self, GBytes *frame, guint timeout_ms, GCancellable *cancellable,
                    GError **error);
  GBytes *(*receive) (ClPrinterTransport *self, guint timeout_ms, GCancellable *cancellable, GError **error);
  /* "usb 001/005 0f49:1001", "tcp 127.0.0.1:4242": for messages and logs. */
  const char *(*describe) (ClPrinterTransport *self);

  gpointer padding[8];
};

gboolean cl_printer_transport_send (ClPrinterTransport *self, GBytes *frame, guint timeout_ms,
                                    GCancellable *cancellable, GError **error);
GBytes *cl_printer_transport_receive (ClPrinterTransport *self, guint timeout_ms, GCancellable *cancellable,
                                      GError **error);
const char *cl_printer_transport_describe (ClPrinterTransport *self);

/* FALSE with CL_DRIVER_ERROR_CANCELLED "<what> cancelled" if @cancellable is cancelled. */
gboolean cl_printer_check_cancelled (GCancellable *cancellable, const char *what, GError **error);

G_END_DECLS
