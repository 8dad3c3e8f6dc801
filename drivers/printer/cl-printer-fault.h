/* cl-printer-fault.h: what can stop a card printer, as one closed list the line and the UI switch on. */
#pragma once

#include <glib-object.h>

#include "station/cl-line-fault.h"

G_BEGIN_DECLS

typedef enum
{
  CL_PRINTER_FAULT_FEEDER_EMPTY,
  CL_PRINTER_FAULT_JAM,
  CL_PRINTER_FAULT_COVER_OPEN,
  CL_PRINTER_FAULT_RIBBON_OUT,
  CL_PRINTER_FAULT_CARD_NOT_PRESENT,
  /* The printer stopped answering or went away (unplugged, connection dropped). A card inside at that
   * moment is treated as rejected: nobody can tell what the mechanics did with it. */
  CL_PRINTER_FAULT_COMMUNICATION_LOST,
} ClPrinterFault;

#define CL_TYPE_PRINTER_FAULT (cl_printer_fault_get_type ())
GType cl_printer_fault_get_type (void);

/* "feeder-empty", "jam", ... (the same names the simulator's --fault takes). */
const char *cl_printer_fault_to_nick (ClPrinterFault fault);
/* The line's fault for it: the one place a printer driver's fault becomes the line's (whose instruction the operator
 * reads, cl_line_fault_instruction()). */
ClLineFault cl_printer_fault_to_line_fault (ClPrinterFault fault);

G_END_DECLS
