#include "cl-usb-error.h"

ClDriverError
cl_usb_error_code (int rv)
{
  switch (rv)
    {
      case LIBUSB_ERROR_NO_DEVICE:
      case LIBUSB_ERROR_NOT_FOUND:
      case LIBUSB_ERROR_PIPE:
        return CL_DRIVER_ERROR_NO_READER;
      case LIBUSB_ERROR_BUSY:
      case LIBUSB_ERROR_ACCESS:
        return CL_DRIVER_ERROR_SHARING;
      case LIBUSB_ERROR_TIMEOUT:
        return CL_DRIVER_ERROR_TIMEOUT;
      case LIBUSB_ERROR_INTERRUPTED:
        return CL_DRIVER_ERROR_CANCELLED;
      case LIBUSB_ERROR_OVERFLOW:
        return CL_DRIVER_ERROR_PROTOCOL;
      case LIBUSB_ERROR_NOT_SUPPORTED:
        return CL_DRIVER_ERROR_NO_SERVICE;
      default:
        return CL_DRIVER_ERROR_FAILED;
    }
}

void
cl_usb_set_error (GError **error, int rv, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  if (error == NULL)
    return;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CL_DRIVER_ERROR, cl_usb_error_code (rv), "%s: %s (%s)", what, libusb_strerror (rv),
               libusb_error_name (rv));
}

void
cl_usb_set_transfer_error (GError **error, enum libusb_transfer_status status, const char *format, ...)
{
  g_autofree char *what = NULL;
  const char *name, *meaning;
  ClDriverError code;
  va_list args;

  if (error == NULL)
    return;
  switch (status)
    {
      case LIBUSB_TRANSFER_TIMED_OUT:
        code = CL_DRIVER_ERROR_TIMEOUT, name = "LIBUSB_TRANSFER_TIMED_OUT", meaning = "timed out";
        break;
      case LIBUSB_TRANSFER_CANCELLED:
        code = CL_DRIVER_ERROR_CANCELLED, name = "LIBUSB_TRANSFER_CANCELLED", meaning = "cancelled";
        break;
      case LIBUSB_TRANSFER_NO_DEVICE:
        code = CL_DRIVER_ERROR_NO_READER, name = "LIBUSB_TRANSFER_NO_DEVICE", meaning = "the printer was unplugged";
        break;
      case LIBUSB_TRANSFER_STALL:
        code = CL_DRIVER_ERROR_PROTOCOL, name = "LIBUSB_TRANSFER_STALL", meaning = "endpoint stalled";
        break;
      case LIBUSB_TRANSFER_OVERFLOW:
        code = CL_DRIVER_ERROR_PROTOCOL, name = "LIBUSB_TRANSFER_OVERFLOW", meaning = "the device sent too much";
        break;
      case LIBUSB_TRANSFER_ERROR:
        code = CL_DRIVER_ERROR_NO_READER, name = "LIBUSB_TRANSFER_ERROR", meaning = "transfer failed";
        break;
      case LIBUSB_TRANSFER_COMPLETED:
      default:
        code = CL_DRIVER_ERROR_FAILED, name = "LIBUSB_TRANSFER_COMPLETED", meaning = "unexpected transfer status";
        break;
    }
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CL_DRIVER_ERROR, code, "%s: %s (%s)", what, meaning, name);
}
