/* cl-face-printer.h: where a good card's face is printed (DESIGN §2 step 11): CUPS in drivers/cups, a fake in the
 * tests. The batch run prints the face of a verified card before it is disposed. A queue that cannot be reached or
 * takes no jobs (the print service down, the queue stopped or rejecting, the printer gone or timing out) is the
 * station's fault, CL_ERROR_PRINTER_QUEUE whatever the implementation: the line pauses and the card waits for the
 * queue; any other failure to print rejects the card (PRINT_FAILED at FACE). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What goes on the card's face. */
typedef struct
{
  const char *serial; /* never NULL: a card without a serial gets no face */
  const char *chip_id;
  const char *batch;
  const char *profile;
  GHashTable *fields; /* the card's data row (store/cl-store-rows.h): target field name -> value; NULL: none */
  GBytes *photo;      /* the row's photo; NULL: none */
} ClFaceCard;

#define CL_TYPE_FACE_PRINTER (cl_face_printer_get_type ())
G_DECLARE_INTERFACE (ClFacePrinter, cl_face_printer, CL, FACE_PRINTER, GObject)

struct _ClFacePrinterInterface
{
  GTypeInterface parent_iface;

  /* Blocking, on the card job's thread: renders and prints the face; TRUE once the printer accepted it. */
  gboolean (*print) (ClFacePrinter *self, const ClFaceCard *card, GCancellable *cancellable, GError **error);
  /* Optional, both or neither. render, on any thread: the document print would send for card, drawn ahead of
   * FACE (while the chip is produced: line/cl-face-ahead.h); its errors are print's. print_rendered: prints a
   * document render made for card, as print does. */
  GBytes *(*render) (ClFacePrinter *self, const ClFaceCard *card, GError **error);
  gboolean (*print_rendered) (ClFacePrinter *self, const ClFaceCard *card, GBytes *document, GCancellable *cancellable,
                              GError **error);
};

gboolean cl_face_printer_print (ClFacePrinter *self, const ClFaceCard *card, GCancellable *cancellable, GError **error);
/* TRUE when the printer renders a face apart from printing it. */
gboolean cl_face_printer_can_render (ClFacePrinter *self);
GBytes *cl_face_printer_render (ClFacePrinter *self, const ClFaceCard *card, GError **error);
gboolean cl_face_printer_print_rendered (ClFacePrinter *self, const ClFaceCard *card, GBytes *document,
                                         GCancellable *cancellable, GError **error);

G_END_DECLS
