#include "cl-pcsc-error.h"

#include <pcsclite.h>

typedef struct
{
  LONG rv;
  const char *name;
  ClDriverError code; /* for the driver's own callers: connecting, the reader monitor */
  ClError transport;  /* for a failed exchange, across ClTransport (the contract in apdu/cl-transport.h) */
} PcscCode;

/* The codes a production line meets, and what each means to the caller. In the transport column the card is blamed
 * only for what the card did (pulled, reset, mute); a reader or a pcscd that went away is the station's. */
static const PcscCode pcsc_codes[] = {
  { SCARD_F_INTERNAL_ERROR, "SCARD_F_INTERNAL_ERROR", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_CANCELLED, "SCARD_E_CANCELLED", CL_DRIVER_ERROR_CANCELLED, CL_ERROR_CANCELLED },
  { SCARD_E_INVALID_HANDLE, "SCARD_E_INVALID_HANDLE", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_INVALID_PARAMETER, "SCARD_E_INVALID_PARAMETER", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_INVALID_TARGET, "SCARD_E_INVALID_TARGET", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_NO_MEMORY, "SCARD_E_NO_MEMORY", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_F_WAITED_TOO_LONG, "SCARD_F_WAITED_TOO_LONG", CL_DRIVER_ERROR_TIMEOUT, CL_ERROR_TIMEOUT },
  { SCARD_E_INSUFFICIENT_BUFFER, "SCARD_E_INSUFFICIENT_BUFFER", CL_DRIVER_ERROR_PROTOCOL, CL_ERROR_TRANSPORT },
  { SCARD_E_UNKNOWN_READER, "SCARD_E_UNKNOWN_READER", CL_DRIVER_ERROR_NO_READER, CL_ERROR_READER_GONE },
  { SCARD_E_TIMEOUT, "SCARD_E_TIMEOUT", CL_DRIVER_ERROR_TIMEOUT, CL_ERROR_TIMEOUT },
  { SCARD_E_SHARING_VIOLATION, "SCARD_E_SHARING_VIOLATION", CL_DRIVER_ERROR_SHARING, CL_ERROR_TRANSPORT },
  { SCARD_E_NO_SMARTCARD, "SCARD_E_NO_SMARTCARD", CL_DRIVER_ERROR_NO_CARD, CL_ERROR_CARD_REMOVED },
  { SCARD_E_UNKNOWN_CARD, "SCARD_E_UNKNOWN_CARD", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_CANT_DISPOSE, "SCARD_E_CANT_DISPOSE", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_PROTO_MISMATCH, "SCARD_E_PROTO_MISMATCH", CL_DRIVER_ERROR_PROTOCOL, CL_ERROR_TRANSPORT },
  { SCARD_E_NOT_READY, "SCARD_E_NOT_READY", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_INVALID_VALUE, "SCARD_E_INVALID_VALUE", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_SYSTEM_CANCELLED, "SCARD_E_SYSTEM_CANCELLED", CL_DRIVER_ERROR_CANCELLED, CL_ERROR_CANCELLED },
  { SCARD_F_COMM_ERROR, "SCARD_F_COMM_ERROR", CL_DRIVER_ERROR_FAILED, CL_ERROR_SERVICE_LOST },
  { SCARD_F_UNKNOWN_ERROR, "SCARD_F_UNKNOWN_ERROR", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_INVALID_ATR, "SCARD_E_INVALID_ATR", CL_DRIVER_ERROR_UNRESPONSIVE, CL_ERROR_TRANSPORT },
  { SCARD_E_NOT_TRANSACTED, "SCARD_E_NOT_TRANSACTED", CL_DRIVER_ERROR_PROTOCOL, CL_ERROR_TRANSPORT },
  { SCARD_E_READER_UNAVAILABLE, "SCARD_E_READER_UNAVAILABLE", CL_DRIVER_ERROR_NO_READER, CL_ERROR_READER_GONE },
  { SCARD_E_PCI_TOO_SMALL, "SCARD_E_PCI_TOO_SMALL", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_READER_UNSUPPORTED, "SCARD_E_READER_UNSUPPORTED", CL_DRIVER_ERROR_NO_READER, CL_ERROR_READER_GONE },
  { SCARD_E_DUPLICATE_READER, "SCARD_E_DUPLICATE_READER", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_CARD_UNSUPPORTED, "SCARD_E_CARD_UNSUPPORTED", CL_DRIVER_ERROR_UNRESPONSIVE, CL_ERROR_TRANSPORT },
  { SCARD_E_NO_SERVICE, "SCARD_E_NO_SERVICE", CL_DRIVER_ERROR_NO_SERVICE, CL_ERROR_SERVICE_LOST },
  { SCARD_E_SERVICE_STOPPED, "SCARD_E_SERVICE_STOPPED", CL_DRIVER_ERROR_NO_SERVICE, CL_ERROR_SERVICE_LOST },
  { SCARD_E_UNSUPPORTED_FEATURE, "SCARD_E_UNSUPPORTED_FEATURE", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_NO_READERS_AVAILABLE, "SCARD_E_NO_READERS_AVAILABLE", CL_DRIVER_ERROR_NO_READER, CL_ERROR_READER_GONE },
  { SCARD_W_UNSUPPORTED_CARD, "SCARD_W_UNSUPPORTED_CARD", CL_DRIVER_ERROR_UNRESPONSIVE, CL_ERROR_TRANSPORT },
  { SCARD_W_UNRESPONSIVE_CARD, "SCARD_W_UNRESPONSIVE_CARD", CL_DRIVER_ERROR_UNRESPONSIVE, CL_ERROR_CARD_REMOVED },
  { SCARD_W_UNPOWERED_CARD, "SCARD_W_UNPOWERED_CARD", CL_DRIVER_ERROR_UNRESPONSIVE, CL_ERROR_CARD_REMOVED },
  /* Someone reset the card under us: every session state (secure channel, selection) is gone, which for
   * the sequence is the same as the card having been pulled and re-inserted. */
  { SCARD_W_RESET_CARD, "SCARD_W_RESET_CARD", CL_DRIVER_ERROR_CARD_REMOVED, CL_ERROR_CARD_REMOVED },
  { SCARD_W_REMOVED_CARD, "SCARD_W_REMOVED_CARD", CL_DRIVER_ERROR_CARD_REMOVED, CL_ERROR_CARD_REMOVED },
  { SCARD_W_SECURITY_VIOLATION, "SCARD_W_SECURITY_VIOLATION", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_W_WRONG_CHV, "SCARD_W_WRONG_CHV", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_W_CHV_BLOCKED, "SCARD_W_CHV_BLOCKED", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_W_EOF, "SCARD_W_EOF", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_W_CANCELLED_BY_USER, "SCARD_W_CANCELLED_BY_USER", CL_DRIVER_ERROR_CANCELLED, CL_ERROR_CANCELLED },
  { SCARD_W_CARD_NOT_AUTHENTICATED, "SCARD_W_CARD_NOT_AUTHENTICATED", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_UNEXPECTED, "SCARD_E_UNEXPECTED", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
  { SCARD_E_NO_ACCESS, "SCARD_E_NO_ACCESS", CL_DRIVER_ERROR_FAILED, CL_ERROR_TRANSPORT },
};

static const PcscCode *
lookup (LONG rv)
{
  for (gsize i = 0; i < G_N_ELEMENTS (pcsc_codes); i++)
    if (pcsc_codes[i].rv == rv)
      return &pcsc_codes[i];
  return NULL;
}

ClDriverError
cl_pcsc_error_code (LONG rv)
{
  const PcscCode *code = lookup (rv);
  return code ? code->code : CL_DRIVER_ERROR_FAILED;
}

ClError
cl_pcsc_transport_code (LONG rv)
{
  const PcscCode *code = lookup (rv);
  return code ? code->transport : CL_ERROR_TRANSPORT;
}

const char *
cl_pcsc_error_name (LONG rv)
{
  const PcscCode *code = lookup (rv);
  return code ? code->name : "an unknown PC/SC code";
}

static void set_error_valist (GError **error, GQuark domain, LONG rv, const char *format, va_list args)
  G_GNUC_PRINTF (4, 0);

static void
set_error_valist (GError **error, GQuark domain, LONG rv, const char *format, va_list args)
{
  g_autofree char *what = NULL;
  const PcscCode *code;
  char name[32];
  gint error_code;

  if (error == NULL)
    return;
  code = lookup (rv);
  if (code != NULL)
    g_strlcpy (name, code->name, sizeof name);
  else
    g_snprintf (name, sizeof name, "0x%08lX", (unsigned long)(guint32)rv);
  if (domain == CL_ERROR)
    error_code = code ? code->transport : CL_ERROR_TRANSPORT;
  else
    error_code = code ? code->code : CL_DRIVER_ERROR_FAILED;
  what = g_strdup_vprintf (format, args);
  g_set_error (error, domain, error_code, "%s: %s (%s)", what, pcsc_stringify_error (rv), name);
}

void
cl_pcsc_set_error (GError **error, LONG rv, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  set_error_valist (error, CL_DRIVER_ERROR, rv, format, args);
  va_end (args);
}

gboolean
cl_pcsc_check (LONG rv, GError **error, const char *format, ...)
{
  va_list args;

  if (rv == SCARD_S_SUCCESS)
    return TRUE;
  va_start (args, format);
  set_error_valist (error, CL_DRIVER_ERROR, rv, format, args);
  va_end (args);
  return FALSE;
}

gboolean
cl_pcsc_check_transport (LONG rv, GError **error, const char *format, ...)
{
  va_list args;

  if (rv == SCARD_S_SUCCESS)
    return TRUE;
  va_start (args, format);
  set_error_valist (error, CL_ERROR, rv, format, args);
  va_end (args);
  return FALSE;
}
