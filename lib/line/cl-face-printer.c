#include "line/cl-face-printer.h"

G_DEFINE_INTERFACE (ClFacePrinter, cl_face_printer, G_TYPE_OBJECT)

static void
cl_face_printer_default_init (ClFacePrinterInterface *iface)
{
}

gboolean
cl_face_printer_print (ClFacePrinter *self, const ClFaceCard *card, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (CL_IS_FACE_PRINTER (self), FALSE);
  g_return_val_if_fail (card != NULL && card->serial != NULL, FALSE);
  return CL_FACE_PRINTER_GET_IFACE (self)->print (self, card, cancellable, error);
}
