#include "cl-cups-error.h"

ClDriverError
cl_cups_error_code (ipp_status_t status)
{
  switch (status)
    {
      case IPP_STATUS_ERROR_SERVICE_UNAVAILABLE:
      case IPP_STATUS_ERROR_CUPS_PKI:
        return CL_DRIVER_ERROR_NO_SERVICE;
      case IPP_STATUS_ERROR_NOT_FOUND:
      case IPP_STATUS_ERROR_GONE:
        return CL_DRIVER_ERROR_NO_READER;
      case IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS:
      case IPP_STATUS_ERROR_PRINTER_IS_DEACTIVATED:
      case IPP_STATUS_ERROR_DEVICE:
        return CL_DRIVER_ERROR_DEVICE_FAULT;
      case IPP_STATUS_ERROR_TIMEOUT:
        return CL_DRIVER_ERROR_TIMEOUT;
      case IPP_STATUS_ERROR_DOCUMENT_FORMAT_NOT_SUPPORTED:
      case IPP_STATUS_ERROR_BAD_REQUEST:
      case IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES:
        return CL_DRIVER_ERROR_PROTOCOL;
      default:
        return CL_DRIVER_ERROR_FAILED;
    }
}

void
cl_cups_set_last_error (GError **error, const char *format, ...)
{
  g_autofree char *what = NULL;
  ipp_status_t status = cupsLastError ();
  ClDriverError code = cl_cups_error_code (status);
  va_list args;

  if (error == NULL)
    return;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  /* libcups reports a refused or failed connection as an internal error with the errno text. */
  if (status == IPP_STATUS_ERROR_INTERNAL || status == IPP_STATUS_ERROR_CUPS_UPGRADE_REQUIRED)
    code = CL_DRIVER_ERROR_NO_SERVICE;
  g_set_error (error, CL_DRIVER_ERROR, code, "%s: %s (%s)", what, cupsLastErrorString (), ippErrorString (status));
}
