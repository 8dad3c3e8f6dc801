/* cl-card-printer.h: the card printer driver interface the line drives (park -> resume/abort).
 *
 * A vendor driver is one subclass implementing the vfuncs over a ClPrinterTransport. The base class
 * serialises calls, keeps track of whether a card is inside, and turns failures into typed "fault" events:
 *
 *   "fault" (ClPrinterFault fault, gboolean card_inside, const char *message)
 *     emitted in the thread-default main context of the thread that created the printer. A lost
 *     connection (CL_DRIVER_ERROR_NO_READER/TIMEOUT from the transport) is COMMUNICATION_LOST; if a card was
 *     inside, card_inside is TRUE and the card counts as rejected from then on (the printer forgets it).
 *
 * Every blocking call takes a GCancellable and is bounded by the command or motion timeout; failures are
 * CL_DRIVER_ERROR (mechanical faults CL_DRIVER_ERROR_DEVICE_FAULT). The _async variants run the same call
 * in a worker thread (GTask) for the line. */
#pragma once

#include <gio/gio.h>

#include "cl-printer-fault.h"
#include "cl-printer-transport.h"

G_BEGIN_DECLS

typedef struct
{
  char *model;
  char *serial;
  char *firmware;
} ClPrinterIdentity;

void cl_printer_identity_free (ClPrinterIdentity *identity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClPrinterIdentity, cl_printer_identity_free)

typedef enum
{
  CL_PRINTER_FEEDER_FULL,
  CL_PRINTER_FEEDER_HALF,
  CL_PRINTER_FEEDER_LOW,
  CL_PRINTER_FEEDER_EMPTY,
} ClPrinterFeederLevel;

typedef enum
{
  CL_PRINTER_CARD_NONE,
  CL_PRINTER_CARD_AT_CONTACT,
  CL_PRINTER_CARD_AT_CONTACTLESS,
  CL_PRINTER_CARD_IN_PATH, /* somewhere else inside (print head, stuck) */
} ClPrinterCardPosition;

typedef struct
{
  ClPrinterFeederLevel feeder;
  ClPrinterCardPosition card;
  gboolean cover_open;
  guint64 card_count; /* cards the printer has moved in its life */
} ClPrinterStatus;

#define CL_TYPE_CARD_PRINTER (cl_card_printer_get_type ())
G_DECLARE_DERIVABLE_TYPE (ClCardPrinter, cl_card_printer, CL, CARD_PRINTER, GObject)

struct _ClCardPrinterClass
{
  GObjectClass parent_class;

  ClPrinterIdentity *(*identify) (ClCardPrinter *self, GCancellable *cancellable, GError **error);
  gboolean (*get_status) (ClCardPrinter *self, ClPrinterStatus *status, GCancellable *cancellable, GError **error);
  gboolean (*feed_to_contact) (ClCardPrinter *self, GCancellable *cancellable, GError **error);
  gboolean (*eject) (ClCardPrinter *self, GCancellable *cancellable, GError **error);
  gboolean (*reject) (ClCardPrinter *self, GCancellable *cancellable, GError **error);
  gboolean (*reset) (ClCardPrinter *self, GCancellable *cancellable, GError **error);

  /* signal */
  void (*fault) (ClCardPrinter *self, ClPrinterFault fault, gboolean card_inside, const char *message);

  gpointer padding[8];
};

ClPrinterTransport *cl_card_printer_get_transport (ClCardPrinter *self);
/* Per command reply timeout, and the longer one for commands that move a card. */
guint cl_card_printer_get_command_timeout (ClCardPrinter *self);
guint cl_card_printer_get_motion_timeout (ClCardPrinter *self);
void cl_card_printer_set_timeouts (ClCardPrinter *self, guint command_ms, guint motion_ms);
/* TRUE between a successful feed_to_contact and the eject/reject (or a lost connection). */
gboolean cl_card_printer_has_card (ClCardPrinter *self);

ClPrinterIdentity *cl_card_printer_identify (ClCardPrinter *self, GCancellable *cancellable, GError **error);
gboolean cl_card_printer_get_status (ClCardPrinter *self, ClPrinterStatus *status, GCancellable *cancellable,
                                     GError **error);
gboolean cl_card_printer_feed_to_contact (ClCardPrinter *self, GCancellable *cancellable, GError **error);
gboolean cl_card_printer_eject (ClCardPrinter *self, GCancellable *cancellable, GError **error);
gboolean cl_card_printer_reject (ClCardPrinter *self, GCancellable *cancellable, GError **error);
gboolean cl_card_printer_reset (ClCardPrinter *self, GCancellable *cancellable, GError **error);

void cl_card_printer_identify_async (ClCardPrinter *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
ClPrinterIdentity *cl_card_printer_identify_finish (ClCardPrinter *self, GAsyncResult *result, GError **error);
void cl_card_printer_feed_to_contact_async (ClCardPrinter *self, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
void cl_card_printer_eject_async (ClCardPrinter *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
void cl_card_printer_reject_async (ClCardPrinter *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
void cl_card_printer_reset_async (ClCardPrinter *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
/* Finishes feed_to_contact, eject, reject and reset. */
gboolean cl_card_printer_move_finish (ClCardPrinter *self, GAsyncResult *result, GError **error);

/* For drivers: fail @error with CL_DRIVER_ERROR_DEVICE_FAULT and have the base class emit @fault for it. */
void cl_card_printer_set_fault (ClCardPrinter *self, ClPrinterFault fault, GError **error, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

G_END_DECLS
