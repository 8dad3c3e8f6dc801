/* cl-line-fault.h: what can stop a station that is not the card's doing, as one closed list the line, the views and
 * headless mode switch on: the feeder's mechanics (printer faults, mapped once from the printer driver's own codes)
 * and the station's own parts (record store, reader, PC/SC service, HSM). A fault pauses the line with an instruction;
 * it is never filed against a card. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  CL_LINE_FAULT_FEEDER_EMPTY,
  CL_LINE_FAULT_JAM,
  CL_LINE_FAULT_COVER_OPEN,
  CL_LINE_FAULT_RIBBON_OUT,
  CL_LINE_FAULT_CARD_NOT_PRESENT,
  CL_LINE_FAULT_COMMUNICATION_LOST, /* the printer stopped answering or went away */
  CL_LINE_FAULT_PRINTER_ERROR,      /* a printer refusal outside the list above */
  CL_LINE_FAULT_STORE,              /* the record store could not be written */
  CL_LINE_FAULT_READER_GONE,        /* the card's reader went away during a card */
  CL_LINE_FAULT_SERVICE_LOST,       /* the PC/SC service went away during a card */
  CL_LINE_FAULT_HSM,                /* the HSM (PKCS#11 token) went away or lost its sessions */
  CL_LINE_FAULT_PRINTER_QUEUE,      /* the card-face printer's queue is unreachable or takes no jobs */
  CL_LINE_FAULT_PRODUCTION_SERVICE, /* remote production: the production service is unreachable */
  CL_LINE_FAULT_FLEET_KEYS,         /* the station's master keys differ from the fleet's: it does not produce */
} ClLineFault;

#define CL_LINE_FAULT_COUNT (CL_LINE_FAULT_FLEET_KEYS + 1)

#define CL_TYPE_LINE_FAULT (cl_line_fault_get_type ())
GType cl_line_fault_get_type (void);

/* "feeder-empty", "jam", ..., "printer-error", "store", "reader-gone", "service-lost", "hsm", "printer-queue",
 * "production-service", "fleet-keys": the
 * names machine lines carry. */
const char *cl_line_fault_to_nick (ClLineFault fault);
/* What the operator has to do about it, one sentence. */
const char *cl_line_fault_instruction (ClLineFault fault);
/* Whether the line finds out by itself that the fault is gone: the printer reports it cleared, or (the station's
 * own parts) the line keeps trying to reconnect and resumes the card it holds once that works. The operator's
 * Resume makes it try at once. */
gboolean cl_line_fault_clears_by_itself (ClLineFault fault);

G_END_DECLS
