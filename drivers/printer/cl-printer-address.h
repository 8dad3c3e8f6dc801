/* cl-printer-address.h: where the card printer is, as the command line (--printer) and the Setup settings write
 * it: tcp://HOST:PORT or tcp:HOST:PORT for a network printer, usb / usb: for the first Evolis printer on USB, or
 * usb:VID:PID (hex) for a given one. */
#pragma once

#include "cl-printer-transport.h"

G_BEGIN_DECLS

typedef struct
{
  char *host;   /* NULL: USB */
  guint16 port; /* TCP only */
  guint16 vid;  /* USB only */
  guint16 pid;  /* USB only; 0: any product of vid */
} ClPrinterAddress;

void cl_printer_address_clear (ClPrinterAddress *address);
/* FALSE with CL_DRIVER_ERROR_FAILED naming the text and the accepted forms. out is cleared first. */
gboolean cl_printer_address_parse (const char *text, ClPrinterAddress *out, GError **error);
/* A PrinterTransport for it (TCP with timeout_ms to connect and cancellable; USB by vid/pid). */
ClPrinterTransport *cl_printer_address_open (const ClPrinterAddress *address, guint timeout_ms,
                                             GCancellable *cancellable, GError **error);

/* The transport to the printer at text (parsed as above). */
ClPrinterTransport *cl_printer_address_connect (const char *text, guint timeout_ms, GCancellable *cancellable,
                                                GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClPrinterAddress, cl_printer_address_clear)

G_END_DECLS
