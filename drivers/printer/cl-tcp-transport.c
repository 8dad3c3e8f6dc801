#include "cl-tcp-transport.h"

#define MAX_REPLY 4096

struct _ClTcpTransport
{
  ClPrinterTransport parent_instance;

  GSocketConnection *connection;
  GSocket *socket;
  char *description;
  GByteArray *pending; /* bytes after the last CR, kept for the next receive() */
};

G_DEFINE_FINAL_TYPE (ClTcpTransport, cl_tcp_transport, CL_TYPE_PRINTER_TRANSPORT)

/* One place maps GIO's socket errors onto what the line distinguishes: gone, slow, cancelled. */
static void
set_io_error (GError **error, GError *io_error, ClTcpTransport *self, const char *what)
{
  ClDriverError code = CL_DRIVER_ERROR_NO_READER;

  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    code = CL_DRIVER_ERROR_CANCELLED;
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    code = CL_DRIVER_ERROR_TIMEOUT;
  g_set_error (error, CL_DRIVER_ERROR, code, "%s %s: %s", what, self->description, io_error->message);
}

static gboolean
cl_tcp_transport_send (ClPrinterTransport *transport, GBytes *frame, guint timeout_ms, GCancellable *cancellable,
                       GError **error)
{
  ClTcpTransport *self = CL_TCP_TRANSPORT (transport);
  g_autoptr (GError) local = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);
  gsize done = 0;

  g_socket_set_timeout (self->socket, (timeout_ms + 999) / 1000);
  while (done < len)
    {
      gssize n
        = g_socket_send_with_blocking (self->socket, (const char *)data + done, len - done, TRUE, cancellable, &local);
      if (n < 0)
        {
          set_io_error (error, local, self, "sending to");
          return FALSE;
        }
      done += n;
    }
  return TRUE;
}

static GBytes *
take_line (ClTcpTransport *self)
{
  for (guint i = 0; i < self->pending->len; i++)
    if (self->pending->data[i] == '\r')
      {
        GBytes *line = g_bytes_new (self->pending->data, i + 1);
        g_byte_array_remove_range (self->pending, 0, i + 1);
        return line;
      }
  return NULL;
}

static GBytes *
cl_tcp_transport_receive (ClPrinterTransport *transport, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  ClTcpTransport *self = CL_TCP_TRANSPORT (transport);
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
  GBytes *line;

  while ((line = take_line (self)) == NULL)
    {
      g_autoptr (GError) local = NULL;
      gint64 left = deadline - g_get_monotonic_time ();
      char buf[512];
      gssize n;

      if (self->pending->len > MAX_REPLY)
        {
          g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL,
                       "reply from %s is longer than %d bytes without CR", self->description, MAX_REPLY);
          return NULL;
        }
      if (left <= 0 || !g_socket_condition_timed_wait (self->socket, G_IO_IN, left, cancellable, &local))
        {
          if (local == NULL)
            g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_TIMEOUT, "no reply from %s within %u ms",
                         self->description, timeout_ms);
          else if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_TIMEOUT, "no reply from %s within %u ms",
                         self->description, timeout_ms);
          else
            set_io_error (error, local, self, "waiting for");
          return NULL;
        }
      n = g_socket_receive_with_blocking (self->socket, buf, sizeof buf, FALSE, cancellable, &local);
      if (n < 0 && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      if (n < 0)
        {
          set_io_error (error, local, self, "receiving from");
          return NULL;
        }
      if (n == 0)
        {
          g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER, "%s closed the connection",
                       self->description);
          return NULL;
        }
      g_byte_array_append (self->pending, (const guint8 *)buf, n);
    }
  return line;
}

static const char *
cl_tcp_transport_describe (ClPrinterTransport *transport)
{
  return CL_TCP_TRANSPORT (transport)->description;
}

static void
cl_tcp_transport_finalize (GObject *object)
{
  ClTcpTransport *self = CL_TCP_TRANSPORT (object);

  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->pending, g_byte_array_unref);
  G_OBJECT_CLASS (cl_tcp_transport_parent_class)->finalize (object);
}

static void
cl_tcp_transport_class_init (ClTcpTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ClPrinterTransportClass *transport_class = CL_PRINTER_TRANSPORT_CLASS (klass);

  object_class->finalize = cl_tcp_transport_finalize;
  transport_class->send = cl_tcp_transport_send;
  transport_class->receive = cl_tcp_transport_receive;
  transport_class->describe = cl_tcp_transport_describe;
}

static void
cl_tcp_transport_init (ClTcpTransport *self)
{
  self->pending = g_byte_array_new ();
}

ClPrinterTransport *
cl_tcp_transport_new (const char *host, guint16 port, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClTcpTransport) self = g_object_new (CL_TYPE_TCP_TRANSPORT, NULL);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (host != NULL, NULL);

  self->description = g_strdup_printf ("printer at tcp %s:%u", host, port);
  g_socket_client_set_timeout (client, (timeout_ms + 999) / 1000);
  self->connection = g_socket_client_connect_to_host (client, host, port, cancellable, &local);
  if (self->connection == NULL)
    {
      set_io_error (error, local, self, "cannot connect to");
      return NULL;
    }
  self->socket = g_socket_connection_get_socket (self->connection);
  g_socket_set_blocking (self->socket, FALSE);
  return CL_PRINTER_TRANSPORT (g_steal_pointer (&self));
}
