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

gboolean
cl_face_printer_can_render (ClFacePrinter *self)
{
  g_return_val_if_fail (CL_IS_FACE_PRINTER (self), FALSE);
  return CL_FACE_PRINTER_GET_IFACE (self)->render != NULL && CL_FACE_PRINTER_GET_IFACE (self)->print_rendered != NULL;
}

GBytes *
cl_face_printer_render (ClFacePrinter *self, const ClFaceCard *card, GError **error)
{
  g_return_val_if_fail (cl_face_printer_can_render (self), NULL);
  g_return_val_if_fail (card != NULL && card->serial != NULL, NULL);
  return CL_FACE_PRINTER_GET_IFACE (self)->render (self, card, error);
}

gboolean
cl_face_printer_print_rendered (ClFacePrinter *self, const ClFaceCard *card, GBytes *document,
                                GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (cl_face_printer_can_render (self), FALSE);
  g_return_val_if_fail (card != NULL && card->serial != NULL && document != NULL, FALSE);
  return CL_FACE_PRINTER_GET_IFACE (self)->print_rendered (self, card, document, cancellable, error);
}
