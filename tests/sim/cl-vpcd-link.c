#include "cl-vpcd-link.h"

#include <glib-unix.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

/* The length prefix is 16 bits, so no message can be longer than this. */
#define VPCD_MAX_PAYLOAD       0xffff
#define VPCD_RETRY_INTERVAL_US (50 * G_TIME_SPAN_MILLISECOND)
/* How long a re-insertion waits for vpcd to take the new connection, and how many one insertion may take. */
#define VPCD_REINSERT_TIMEOUT_MS 5000
#define VPCD_MAX_REINSERTS       3

struct _ClVpcdLink
{
  GSocketConnection *connection;
  char *host;
  guint16 port;
  char *peer; /* host:port, for error messages */
  gboolean peer_closed;
  /* Since this connection was made: whether pcscd powered the card, and how many GET ATRs came before it did. */
  gboolean powered;
  guint unpowered_atrs;
  guint reinserts;
};

static GSocketConnection *
connect_vpcd (const char *host, guint16 port, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      g_autoptr (GError) local_error = NULL;
      GSocketConnection *connection = g_socket_client_connect_to_host (client, host, port, cancellable, &local_error);
      if (connection != NULL)
        {
          /* APDUs are small and latency-bound. */
          g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
          return connection;
        }
      /* vpcd may still be starting: only "nobody listens" is worth waiting for. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
          || g_get_monotonic_time () >= deadline)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "vpcd at %s:%u: ", host, port);
          return NULL;
        }
      g_usleep (VPCD_RETRY_INTERVAL_US);
    }
}

ClVpcdLink *
cl_vpcd_link_connect (const char *host, guint16 port, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  GSocketConnection *connection;
  ClVpcdLink *self;

  g_return_val_if_fail (host != NULL, NULL);
  connection = connect_vpcd (host, port, timeout_ms, cancellable, error);
  if (connection == NULL)
    return NULL;
  self = g_new0 (ClVpcdLink, 1);
  self->connection = connection;
  self->host = g_strdup (host);
  self->port = port;
  self->peer = g_strdup_printf ("%s:%u", host, port);
  return self;
}

/* pcscd powers every card it finds inserted. Its reader thread polls GET ATR, sees the card present where it was
 * absent, and powers it: IFDPowerICC polls GET ATR once more, then sends POWER ON. A third GET ATR before any
 * power-on means that thread did not take this card for a new one: it still counts the previous card as present,
 * because SCardDisconnect (SCARD_UNPOWER_CARD) on a card that had gone set the reader absent behind its back, and
 * this card came before its next poll. pcscd would then never report this card. Leaving and coming back lets it
 * see the reader empty, then the card inserted. */
#define VPCD_ATRS_BEFORE_POWER 2

static gboolean
missed_insertion (ClVpcdLink *self)
{
  return !self->powered && self->unpowered_atrs >= VPCD_ATRS_BEFORE_POWER && self->reinserts < VPCD_MAX_REINSERTS;
}

static gboolean
reinsert (ClVpcdLink *self, GCancellable *cancellable, GError **error)
{
  g_message ("vpcd at %s polled the card %u times without powering it (pcscd missed its insertion): putting it in "
             "again",
             self->peer, self->unpowered_atrs + 1);
  cl_vpcd_link_close (self);
  self->connection = connect_vpcd (self->host, self->port, VPCD_REINSERT_TIMEOUT_MS, cancellable, error);
  if (self->connection == NULL)
    return FALSE;
  self->powered = FALSE;
  self->unpowered_atrs = 0;
  self->reinserts++;
  return TRUE;
}

/* vpcd writes a message's length and payload in two send() calls without TCP_NODELAY, so Nagle holds the
 * payload until the length is acknowledged; a delayed ACK here would add ~40 ms to every APDU. Linux clears
 * TCP_QUICKACK after a while, hence it is set again before each read. */
static void
ack_promptly (ClVpcdLink *self)
{
  g_socket_set_option (g_socket_connection_get_socket (self->connection), IPPROTO_TCP, TCP_QUICKACK, 1, NULL);
}

GBytes *
cl_vpcd_link_receive (ClVpcdLink *self, GCancellable *cancellable, GError **error)
{
  guint8 header[2];
  gsize got = 0;
  GInputStream *in;
  g_autofree guint8 *payload = NULL;
  gsize len;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->connection == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "vpcd link to %s is closed", self->peer);
      return NULL;
    }
  in = g_io_stream_get_input_stream (G_IO_STREAM (self->connection));
  ack_promptly (self);

  if (!g_input_stream_read_all (in, header, sizeof header, &got, cancellable, error))
    return NULL;
  if (got == 0)
    {
      self->peer_closed = TRUE;
      return NULL; /* clean close between messages */
    }
  if (got != sizeof header)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "vpcd at %s closed the connection inside a length prefix", self->peer);
      return NULL;
    }
  len = ((gsize)header[0] << 8) | header[1];
  if (len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "vpcd at %s sent an empty message", self->peer);
      return NULL;
    }
  payload = g_malloc (len);
  ack_promptly (self);
  if (!g_input_stream_read_all (in, payload, len, &got, cancellable, error))
    return NULL;
  if (got != len)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "vpcd at %s closed the connection after %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " message bytes",
                   self->peer, got, len);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&payload), len);
}

gboolean
cl_vpcd_link_send (ClVpcdLink *self, GBytes *payload, GCancellable *cancellable, GError **error)
{
  gsize len;
  const guint8 *data;
  g_autofree guint8 *frame = NULL;
  GOutputStream *out;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);
  if (self->connection == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "vpcd link to %s is closed", self->peer);
      return FALSE;
    }
  data = g_bytes_get_data (payload, &len);
  if (len == 0 || len > VPCD_MAX_PAYLOAD)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "a vpcd message must hold 1 to %u bytes, not %" G_GSIZE_FORMAT, VPCD_MAX_PAYLOAD, len);
      return FALSE;
    }
  /* One write per message, so the peer never sees a prefix without its payload for long. */
  frame = g_malloc (len + 2);
  frame[0] = (guint8)(len >> 8);
  frame[1] = (guint8)len;
  memcpy (frame + 2, data, len);
  out = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
  return g_output_stream_write_all (out, frame, len + 2, NULL, cancellable, error);
}

static gboolean
serve_control (ClVpcdLink *self, guint8 control, const ClVpcdCardOps *ops, gpointer user_data,
               GCancellable *cancellable, GError **error)
{
  switch (control)
    {
      case CL_VPCD_POWER_OFF:
      case CL_VPCD_POWER_ON:
      case CL_VPCD_RESET:
        /* a power-off is pcscd ending the previous card's grace period on this one (GET ATR, POWER OFF): it
         * tends the slot, the count starts again */
        if (control == CL_VPCD_POWER_OFF)
          self->unpowered_atrs = 0;
        else
          self->powered = TRUE;
        if (ops->control != NULL)
          ops->control ((ClVpcdControl)control, user_data);
        return TRUE;
      case CL_VPCD_GET_ATR:
        {
          g_autoptr (GBytes) atr = NULL;

          if (missed_insertion (self))
            return reinsert (self, cancellable, error);
          atr = ops->get_atr (user_data);
          if (!self->powered)
            self->unpowered_atrs++;
          return cl_vpcd_link_send (self, atr, cancellable, error);
        }
      default:
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "vpcd at %s sent unknown control byte %02X",
                     self->peer, control);
        return FALSE;
    }
}

gboolean
cl_vpcd_link_serve (ClVpcdLink *self, const ClVpcdCardOps *ops, gpointer user_data, GCancellable *cancellable,
                    GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (ops != NULL && ops->get_atr != NULL && ops->transmit != NULL, FALSE);

  for (;;)
    {
      g_autoptr (GError) local_error = NULL;
      g_autoptr (GBytes) message = cl_vpcd_link_receive (self, cancellable, &local_error);
      g_autoptr (GBytes) response = NULL;

      if (message == NULL)
        {
          if (local_error == NULL)
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (g_bytes_get_size (message) == 1)
        {
          if (!serve_control (self, *(const guint8 *)g_bytes_get_data (message, NULL), ops, user_data, cancellable,
                              error))
            return FALSE;
          continue;
        }
      response = ops->transmit (message, user_data, error);
      if (response == NULL)
        return FALSE;
      if (!cl_vpcd_link_send (self, response, cancellable, error))
        return FALSE;
    }
}

typedef struct
{
  ClVpcdLink *link;
  const ClVpcdCardOps *ops;
  gpointer user_data;
  GMainContext *context;
  GMainLoop *loop;
  GCancellable *cancellable;
  GError *error;
} Run;

static gboolean
run_quit (gpointer user_data)
{
  Run *run = user_data;

  g_main_loop_quit (run->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
run_stop (gpointer user_data)
{
  Run *run = user_data;

  /* Unblocks the serving thread, which then ends the loop. */
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static gpointer
run_serve (gpointer user_data)
{
  Run *run = user_data;
  g_autoptr (GSource) idle = g_idle_source_new ();

  if (!cl_vpcd_link_serve (run->link, run->ops, run->user_data, run->cancellable, &run->error)
      && g_error_matches (run->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_clear_error (&run->error);
  g_source_set_callback (idle, run_quit, run, NULL);
  g_source_attach (idle, run->context);
  return NULL;
}

static void
run_add_source (Run *run, GSource *source)
{
  g_source_set_callback (source, run_stop, run, NULL);
  g_source_attach (source, run->context);
}

gboolean
cl_vpcd_link_run (ClVpcdLink *self, const ClVpcdCardOps *ops, gpointer user_data, guint seconds, GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (context, FALSE);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GSource *sources[3] = { g_unix_signal_source_new (SIGTERM), g_unix_signal_source_new (SIGINT),
                          seconds > 0 ? g_timeout_source_new_seconds (seconds) : NULL };
  Run run = { self, ops, user_data, context, loop, cancellable, NULL };
  GThread *thread;

  g_return_val_if_fail (self != NULL && ops != NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (sources[i] != NULL)
      run_add_source (&run, sources[i]);
  thread = g_thread_new ("vpcd-link", run_serve, &run);
  g_main_loop_run (loop);
  g_thread_join (thread);
  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (sources[i] != NULL)
      {
        g_source_destroy (sources[i]);
        g_source_unref (sources[i]);
      }
  cl_vpcd_link_close (self);
  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_vpcd_link_peer_closed (ClVpcdLink *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->peer_closed;
}

void
cl_vpcd_link_close (ClVpcdLink *self)
{
  g_return_if_fail (self != NULL);
  if (self->connection == NULL)
    return;
  /* Errors on close mean the peer went first; either way the card is out. */
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_clear_object (&self->connection);
}

void
cl_vpcd_link_free (ClVpcdLink *self)
{
  if (self == NULL)
    return;
  cl_vpcd_link_close (self);
  g_free (self->host);
  g_free (self->peer);
  g_free (self);
}
