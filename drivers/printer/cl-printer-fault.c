#include "cl-printer-fault.h"

G_DEFINE_ENUM_TYPE (ClPrinterFault, cl_printer_fault,
                    G_DEFINE_ENUM_VALUE (CL_PRINTER_FAULT_FEEDER_EMPTY, "feeder-empty"),
                    G_DEFINE_ENUM_VALUE (CL_PRINTER_FAULT_JAM, "jam"),
                    G_DEFINE_ENUM_VALUE (CL_PRINTER_FAULT_COVER_OPEN, "cover-open"),
                    G_DEFINE_ENUM_VALUE (CL_PRINTER_FAULT_RIBBON_OUT, "ribbon-out"),
                    G_DEFINE_ENUM_VALUE (CL_PRINTER_FAULT_CARD_NOT_PRESENT, "card-not-present"),
                    G_DEFINE_ENUM_VALUE (CL_PRINTER_FAULT_COMMUNICATION_LOST, "communication-lost"))

const char *
cl_printer_fault_to_nick (ClPrinterFault fault)
{
  static const char *const nicks[] = {
    "feeder-empty", "jam", "cover-open", "ribbon-out", "card-not-present", "communication-lost",
  };
  if ((guint)fault >= G_N_ELEMENTS (nicks))
    return "unknown";
  return nicks[fault];
}

const char *
cl_printer_fault_instruction (ClPrinterFault fault)
{
  switch (fault)
    {
      case CL_PRINTER_FAULT_FEEDER_EMPTY:
        return "Load blank cards into the input hopper.";
      case CL_PRINTER_FAULT_JAM:
        return "Open the printer, remove the jammed card and put it in the reject bin, then close the cover.";
      case CL_PRINTER_FAULT_COVER_OPEN:
        return "Close the printer cover.";
      case CL_PRINTER_FAULT_RIBBON_OUT:
        return "Replace the printer ribbon.";
      case CL_PRINTER_FAULT_CARD_NOT_PRESENT:
        return "No card reached the contact station; check the hopper and the card path.";
      case CL_PRINTER_FAULT_COMMUNICATION_LOST:
        return "Check the printer's power and cable; the card that was inside counts as rejected.";
      default:
        return "Check the printer.";
    }
}
