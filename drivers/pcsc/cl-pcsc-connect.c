#include "pcsc/cl-pcsc-connect.h"

#include "core/cl-error.h"

GError *
cl_pcsc_connect_error_for_line (GError *error)
{
  GError *translated;
  gint code;

  if (error->domain != CL_DRIVER_ERROR)
    return error;
  switch ((ClDriverError)error->code)
    {
      case CL_DRIVER_ERROR_CANCELLED:
        translated = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, error->message);
        g_error_free (error);
        return translated;
      case CL_DRIVER_ERROR_NO_CARD:
      case CL_DRIVER_ERROR_CARD_REMOVED:
      case CL_DRIVER_ERROR_UNRESPONSIVE:
        code = CL_ERROR_CARD_REMOVED;
        break;
      case CL_DRIVER_ERROR_NO_READER:
        code = CL_ERROR_READER_GONE;
        break;
      case CL_DRIVER_ERROR_NO_SERVICE:
        code = CL_ERROR_SERVICE_LOST;
        break;
      case CL_DRIVER_ERROR_TIMEOUT:
        code = CL_ERROR_TIMEOUT;
        break;
      case CL_DRIVER_ERROR_FAILED:
      case CL_DRIVER_ERROR_PROTOCOL:
      case CL_DRIVER_ERROR_SHARING:
      case CL_DRIVER_ERROR_DEVICE_FAULT:
      default:
        code = CL_ERROR_TRANSPORT;
        break;
    }
  translated = g_error_new_literal (CL_ERROR, code, error->message);
  g_error_free (error);
  return translated;
}

ClTransport *
cl_pcsc_connect_card (const char *reader, GCancellable *cancellable, GError **error)
{
  GError *local = NULL;
  ClPcscTransport *transport = cl_pcsc_transport_connect (reader, cancellable, &local);

  if (transport == NULL)
    {
      g_propagate_error (error, cl_pcsc_connect_error_for_line (local));
      return NULL;
    }
  return CL_TRANSPORT (transport);
}

void
cl_pcsc_release_card (ClTransport *transport)
{
  g_return_if_fail (CL_IS_PCSC_TRANSPORT (transport));
  cl_pcsc_transport_disconnect (CL_PCSC_TRANSPORT (transport), TRUE);
}
