#include "apdu/cl-transport.h"

#include "core/cl-error.h"

G_DEFINE_INTERFACE (ClTransport, cl_transport, G_TYPE_OBJECT)

static void
cl_transport_default_init (ClTransportInterface *iface)
{
}

GBytes *
cl_transport_transmit (ClTransport *self, GBytes *command, GCancellable *cancellable, GError **error)
{
  ClTransportInterface *iface;

  g_return_val_if_fail (CL_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (command != NULL, NULL);
  iface = CL_TRANSPORT_GET_IFACE (self);
  if (iface->transmit == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "%s cannot transmit APDUs", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return iface->transmit (self, command, cancellable, error);
}

gboolean
cl_transport_can_queue (ClTransport *self)
{
  ClTransportInterface *iface;

  g_return_val_if_fail (CL_IS_TRANSPORT (self), FALSE);
  iface = CL_TRANSPORT_GET_IFACE (self);
  return iface->queue != NULL && iface->collect != NULL && (iface->can_queue == NULL || iface->can_queue (self));
}

gboolean
cl_transport_queue (ClTransport *self, GBytes *command, GError **error)
{
  g_return_val_if_fail (command != NULL, FALSE);
  if (!cl_transport_can_queue (self))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "%s cannot queue APDUs", G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }
  return CL_TRANSPORT_GET_IFACE (self)->queue (self, command, error);
}

GBytes *
cl_transport_collect (ClTransport *self, GCancellable *cancellable, GError **error)
{
  if (!cl_transport_can_queue (self))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "%s cannot queue APDUs", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return CL_TRANSPORT_GET_IFACE (self)->collect (self, cancellable, error);
}

GBytes *
cl_transport_get_atr (ClTransport *self)
{
  ClTransportInterface *iface;

  g_return_val_if_fail (CL_IS_TRANSPORT (self), NULL);
  iface = CL_TRANSPORT_GET_IFACE (self);
  return iface->get_atr ? iface->get_atr (self) : NULL;
}

gboolean
cl_transport_supports_extended (ClTransport *self)
{
  ClTransportInterface *iface;

  g_return_val_if_fail (CL_IS_TRANSPORT (self), FALSE);
  iface = CL_TRANSPORT_GET_IFACE (self);
  return iface->supports_extended ? iface->supports_extended (self) : FALSE;
}

GBytes *
cl_transport_reset (ClTransport *self, GCancellable *cancellable, GError **error)
{
  ClTransportInterface *iface;

  g_return_val_if_fail (CL_IS_TRANSPORT (self), NULL);
  iface = CL_TRANSPORT_GET_IFACE (self);
  if (iface->reset == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "%s cannot reset its card", G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return iface->reset (self, cancellable, error);
}

gboolean
cl_transport_error_is_transport (const GError *error)
{
  if (error == NULL)
    return FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return TRUE;
  if (error->domain != CL_ERROR)
    return FALSE;
  switch ((ClError)error->code)
    {
      case CL_ERROR_CARD_REMOVED:
      case CL_ERROR_TIMEOUT:
      case CL_ERROR_READER_GONE:
      case CL_ERROR_SERVICE_LOST:
      case CL_ERROR_TRANSPORT:
      case CL_ERROR_CANCELLED:
        return TRUE;
      default:
        return FALSE;
    }
}

gboolean
cl_transport_error_is_station_fault (const GError *error)
{
  return g_error_matches (error, CL_ERROR, CL_ERROR_READER_GONE)
         || g_error_matches (error, CL_ERROR, CL_ERROR_SERVICE_LOST);
}
