/* cl-evolis-printer.h: Evolis card printers (Primacy, Zenius, ...) with the Evolis command set
 * (cl-evolis-reply.h) over USB (vendor 0x0f49) or TCP. The printer is put in host-managed error mode
 * (Pem;2) before its first command on a connection, so every refusal comes back as a NACK code. */
#pragma once

#include "cl-card-printer.h"

G_BEGIN_DECLS

#define CL_EVOLIS_USB_VENDOR_ID 0x0f49

typedef struct
{
  guint16 vendor_id;
  guint16 product_id; /* 0: any product of the vendor */
  const char *description;
} ClPrinterUsbId;

/* The USB devices this driver takes, ended by a zero entry. */
extern const ClPrinterUsbId cl_evolis_printer_usb_ids[];

#define CL_TYPE_EVOLIS_PRINTER (cl_evolis_printer_get_type ())
G_DECLARE_FINAL_TYPE (ClEvolisPrinter, cl_evolis_printer, CL, EVOLIS_PRINTER, ClCardPrinter)

ClCardPrinter *cl_evolis_printer_new (ClPrinterTransport *transport);

G_END_DECLS
