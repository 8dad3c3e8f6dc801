#include "cl-printer-address.h"

#include <string.h>

#include "cl-driver-error.h"
#include "cl-evolis-printer.h"
#include "cl-tcp-transport.h"
#include "cl-usb-transport.h"

void
cl_printer_address_clear (ClPrinterAddress *address)
{
  g_clear_pointer (&address->host, g_free);
  memset (address, 0, sizeof *address);
}

static gboolean
parse_port (const char *text, guint16 *port)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    return FALSE;
  *port = (guint16)value;
  return TRUE;
}

static gboolean
parse_hex16 (const char *text, gsize len, guint16 *value)
{
  g_autofree char *digits = g_strndup (text, len);
  guint64 v;

  if (!g_ascii_string_to_unsigned (digits, 16, 0, 0xffff, &v, NULL))
    return FALSE;
  *value = (guint16)v;
  return TRUE;
}

gboolean
cl_printer_address_parse (const char *text, ClPrinterAddress *out, GError **error)
{
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (text == NULL)
    text = "";
  if (g_str_has_prefix (text, "tcp://"))
    {
      g_autofree char *host = NULL;
      gint port = -1;

      if (g_uri_split_network (text, G_URI_FLAGS_NONE, NULL, &host, &port, NULL) && host != NULL && *host != '\0'
          && port > 0 && port <= 65535)
        {
          out->host = g_steal_pointer (&host);
          out->port = (guint16)port;
          return TRUE;
        }
    }
  else if (g_str_has_prefix (text, "tcp:"))
    {
      const char *host = text + 4;
      const char *colon = strrchr (host, ':');

      if (colon != NULL && colon > host && parse_port (colon + 1, &out->port))
        {
          out->host = g_strndup (host, (gsize)(colon - host));
          return TRUE;
        }
    }
  else if (g_str_equal (text, "usb") || g_str_equal (text, "usb:"))
    {
      out->vid = CL_EVOLIS_USB_VENDOR_ID;
      return TRUE;
    }
  else if (g_str_has_prefix (text, "usb:"))
    {
      const char *ids = text + 4;
      const char *colon = strchr (ids, ':');

      if (colon != NULL && parse_hex16 (ids, (gsize)(colon - ids), &out->vid) && out->vid != 0
          && parse_hex16 (colon + 1, strlen (colon + 1), &out->pid))
        return TRUE;
    }
  cl_printer_address_clear (out);
  g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED,
               "Printer address “%s”: expected tcp://HOST:PORT, tcp:HOST:PORT, usb or usb:VID:PID (hex)", text);
  return FALSE;
}

ClPrinterTransport *
cl_printer_address_open (const ClPrinterAddress *address, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (address != NULL, NULL);

  if (address->host != NULL)
    return cl_tcp_transport_new (address->host, address->port, timeout_ms, cancellable, error);
  return cl_usb_transport_new (address->vid, address->pid, error);
}

ClPrinterTransport *
cl_printer_address_connect (const char *text, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  g_auto (ClPrinterAddress) parsed = { 0 };

  if (!cl_printer_address_parse (text, &parsed, error))
    return NULL;
  return cl_printer_address_open (&parsed, timeout_ms, cancellable, error);
}
