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

ClLineFault
cl_printer_fault_to_line_fault (ClPrinterFault fault)
{
  switch (fault)
    {
      case CL_PRINTER_FAULT_FEEDER_EMPTY:
        return CL_LINE_FAULT_FEEDER_EMPTY;
      case CL_PRINTER_FAULT_JAM:
        return CL_LINE_FAULT_JAM;
      case CL_PRINTER_FAULT_COVER_OPEN:
        return CL_LINE_FAULT_COVER_OPEN;
      case CL_PRINTER_FAULT_RIBBON_OUT:
        return CL_LINE_FAULT_RIBBON_OUT;
      case CL_PRINTER_FAULT_CARD_NOT_PRESENT:
        return CL_LINE_FAULT_CARD_NOT_PRESENT;
      case CL_PRINTER_FAULT_COMMUNICATION_LOST:
        return CL_LINE_FAULT_COMMUNICATION_LOST;
      default:
        return CL_LINE_FAULT_PRINTER_ERROR;
    }
}
