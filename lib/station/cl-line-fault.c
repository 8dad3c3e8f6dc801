#include "station/cl-line-fault.h"

G_DEFINE_ENUM_TYPE (ClLineFault, cl_line_fault, G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_FEEDER_EMPTY, "feeder-empty"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_JAM, "jam"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_COVER_OPEN, "cover-open"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_RIBBON_OUT, "ribbon-out"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_CARD_NOT_PRESENT, "card-not-present"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_COMMUNICATION_LOST, "communication-lost"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_PRINTER_ERROR, "printer-error"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_STORE, "store"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_READER_GONE, "reader-gone"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_SERVICE_LOST, "service-lost"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_HSM, "hsm"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_PRINTER_QUEUE, "printer-queue"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_FAULT_PRODUCTION_SERVICE, "production-service"))

const char *
cl_line_fault_to_nick (ClLineFault fault)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (CL_TYPE_LINE_FAULT);
  GEnumValue *value = g_enum_get_value (klass, fault);

  /* nicks are static strings: they outlive the class reference */
  return value != NULL ? value->value_nick : "printer-error";
}

const char *
cl_line_fault_instruction (ClLineFault fault)
{
  switch (fault)
    {
      case CL_LINE_FAULT_FEEDER_EMPTY:
        return "Load blank cards into the input hopper.";
      case CL_LINE_FAULT_JAM:
        return "Open the printer, remove the jammed card and put it in the reject bin, then close the cover.";
      case CL_LINE_FAULT_COVER_OPEN:
        return "Close the printer cover.";
      case CL_LINE_FAULT_RIBBON_OUT:
        return "Replace the printer ribbon.";
      case CL_LINE_FAULT_CARD_NOT_PRESENT:
        return "No card reached the contact station; check the hopper and the card path.";
      case CL_LINE_FAULT_COMMUNICATION_LOST:
        return "Check the printer's power and cable; the card that was inside counts as rejected.";
      case CL_LINE_FAULT_STORE:
        return "Record store unreachable: production is paused. Check the store's disk, or the database server and "
               "the network to it; the card in progress waits.";
      case CL_LINE_FAULT_READER_GONE:
        return "The card's reader went away: reconnect it and put the card back; the card in progress waits.";
      case CL_LINE_FAULT_SERVICE_LOST:
        return "The PC/SC service stopped: restart it (pcscd); the cards in the readers wait, leave them in.";
      case CL_LINE_FAULT_PRINTER_QUEUE:
        return "The card-face print queue takes no jobs: start the print service or enable the queue; the card waits.";
      case CL_LINE_FAULT_PRODUCTION_SERVICE:
        return "Production service unreachable: check the network and the service; the card in the reader waits, "
               "leave it in.";
      case CL_LINE_FAULT_HSM:
        return "The HSM (key token) cannot be reached: check its power and connection; the card in progress waits.";
      case CL_LINE_FAULT_PRINTER_ERROR:
      default:
        return "Check the printer.";
    }
}

gboolean
cl_line_fault_clears_by_itself (ClLineFault fault)
{
  /* every fault of the list: the printer's clear when it says so, the station's parts when a reconnect works */
  return (guint)fault < CL_LINE_FAULT_COUNT;
}
