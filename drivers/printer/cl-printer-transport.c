#include "cl-printer-transport.h"

G_DEFINE_ABSTRACT_TYPE (ClPrinterTransport, cl_printer_transport, G_TYPE_OBJECT)

static void
cl_printer_transport_class_init (ClPrinterTransportClass *klass)
{
}

static void
cl_printer_transport_init (ClPrinterTransport *self)
{
}

gboolean
cl_printer_transport_send (ClPrinterTransport *self, GBytes *frame, guint timeout_ms, GCancellable *cancellable,
                           GError **error)
{
  g_return_val_if_fail (CL_IS_PRINTER_TRANSPORT (self), FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);

  if (!cl_printer_check_cancelled (cancellable, "sending to the printer", error))
    return FALSE;
  return CL_PRINTER_TRANSPORT_GET_CLASS (self)->send (self, frame, timeout_ms, cancellable, error);
}

GBytes *
cl_printer_transport_receive (ClPrinterTransport *self, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (CL_IS_PRINTER_TRANSPORT (self), NULL);

  if (!cl_printer_check_cancelled (cancellable, "waiting for the printer's reply", error))
    return NULL;
  return CL_PRINTER_TRANSPORT_GET_CLASS (self)->receive (self, timeout_ms, cancellable, error);
}

const char *
cl_printer_transport_describe (ClPrinterTransport *self)
{
  g_return_val_if_fail (CL_IS_PRINTER_TRANSPORT (self), NULL);

  if (CL_PRINTER_TRANSPORT_GET_CLASS (self)->describe == NULL)
    return G_OBJECT_TYPE_NAME (self);
  return CL_PRINTER_TRANSPORT_GET_CLASS (self)->describe (self);
}

gboolean
cl_printer_check_cancelled (GCancellable *cancellable, const char *what, GError **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return TRUE;
  g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_CANCELLED, "%s cancelled", what);
  return FALSE;
}
