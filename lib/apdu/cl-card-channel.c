#include "apdu/cl-card-channel.h"

#include <string.h>

#include "apdu/cl-apdu-private.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"

/* A card that keeps answering 61xx must not keep us here forever: 65536 bytes take 256 GET RESPONSEs. */
#define MAX_GET_RESPONSE   300
#define MAX_RESPONSE_BYTES (65536 + 256)
#define SHORT_CHUNK        255
#define CHAINING_BIT       0x10

struct _ClCardChannel
{
  GObject parent_instance;

  ClTransport *transport;
  ClSecureChannel *secure_channel;
  ClTraceFunc trace_func;
  gpointer trace_data;
  GDestroyNotify trace_notify;
  guint64 apdu_count;
  guint64 bytes_sent;
  guint64 bytes_received;
};

G_DEFINE_FINAL_TYPE (ClCardChannel, cl_card_channel, G_TYPE_OBJECT)

static void
cl_card_channel_dispose (GObject *object)
{
  ClCardChannel *self = CL_CARD_CHANNEL (object);

  g_clear_object (&self->secure_channel);
  g_clear_object (&self->transport);
  if (self->trace_notify)
    self->trace_notify (self->trace_data);
  self->trace_notify = NULL;
  self->trace_func = NULL;
  self->trace_data = NULL;
  G_OBJECT_CLASS (cl_card_channel_parent_class)->dispose (object);
}

static void
cl_card_channel_class_init (ClCardChannelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_card_channel_dispose;
}

static void
cl_card_channel_init (ClCardChannel *self)
{
}

ClCardChannel *
cl_card_channel_new (ClTransport *transport)
{
  ClCardChannel *self;

  g_return_val_if_fail (CL_IS_TRANSPORT (transport), NULL);
  self = g_object_new (CL_TYPE_CARD_CHANNEL, NULL);
  self->transport = g_object_ref (transport);
  return self;
}

ClTransport *
cl_card_channel_get_transport (ClCardChannel *self)
{
  g_return_val_if_fail (CL_IS_CARD_CHANNEL (self), NULL);
  return self->transport;
}

void
cl_card_channel_set_trace_func (ClCardChannel *self, ClTraceFunc func, gpointer user_data, GDestroyNotify notify)
{
  g_return_if_fail (CL_IS_CARD_CHANNEL (self));
  if (self->trace_notify)
    self->trace_notify (self->trace_data);
  self->trace_func = func;
  self->trace_data = user_data;
  self->trace_notify = notify;
}

void
cl_card_channel_set_secure_channel (ClCardChannel *self, ClSecureChannel *sc)
{
  g_return_if_fail (CL_IS_CARD_CHANNEL (self));
  g_return_if_fail (sc == NULL || CL_IS_SECURE_CHANNEL (sc));
  g_set_object (&self->secure_channel, sc);
}

ClSecureChannel *
cl_card_channel_get_secure_channel (ClCardChannel *self)
{
  g_return_val_if_fail (CL_IS_CARD_CHANNEL (self), NULL);
  return self->secure_channel;
}

guint64
cl_card_channel_get_apdu_count (ClCardChannel *self)
{
  g_return_val_if_fail (CL_IS_CARD_CHANNEL (self), 0);
  return self->apdu_count;
}

guint64
cl_card_channel_get_bytes_sent (ClCardChannel *self)
{
  g_return_val_if_fail (CL_IS_CARD_CHANNEL (self), 0);
  return self->bytes_sent;
}

guint64
cl_card_channel_get_bytes_received (ClCardChannel *self)
{
  g_return_val_if_fail (CL_IS_CARD_CHANNEL (self), 0);
  return self->bytes_received;
}

static void
trace_command (ClCardChannel *self, GBytes *wire, gsize data_offset, gsize lc, gboolean sensitive)
{
  gsize len = 0;
  const guint8 *raw = g_bytes_get_data (wire, &len);
  g_autofree char *line = NULL;

  if (self->trace_func == NULL)
    return;
  if (sensitive && lc > 0)
    {
      g_autofree char *head = cl_hex_encode (raw, data_offset);
      g_autofree char *tail = cl_hex_encode (raw + data_offset + lc, len - data_offset - lc);
      line = g_strdup_printf ("%s <masked %" G_GSIZE_FORMAT " bytes> %s", head, lc, tail);
      g_strchomp (line);
    }
  else
    line = cl_hex_encode (raw, len);
  self->trace_func (CL_TRACE_COMMAND, line, self->trace_data);
}

/* One APDU as it is (already wrapped) encoded for the transport, traced. */
static GBytes *
encode_wire (ClCardChannel *self, const ClApdu *apdu, gboolean sensitive, GError **error)
{
  g_autoptr (ClApdu) adjusted = NULL;
  GBytes *wire;
  gboolean extended = (apdu->flags & CL_APDU_FLAG_EXTENDED) != 0;
  gsize data_offset = 0;

  if (!extended && !cl_apdu_fits_short (apdu))
    {
      if (cl_transport_supports_extended (self->transport))
        extended = TRUE;
      else if (cl_apdu_get_lc (apdu) > SHORT_CHUNK)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                       "APDU %02X %02X carries %" G_GSIZE_FORMAT " bytes, more than one short APDU holds, and the "
                       "reader cannot do extended length",
                       apdu->cla, apdu->ins, cl_apdu_get_lc (apdu));
          return NULL;
        }
      else
        {
          /* Ask for 256; the rest comes with 61xx. */
          adjusted = cl_apdu_copy (apdu);
          adjusted->ne = 256;
          apdu = adjusted;
        }
    }

  wire = cl_apdu_encode_full (apdu, extended, &data_offset, error);
  if (wire == NULL)
    return NULL;
  trace_command (self, wire, data_offset, cl_apdu_get_lc (apdu), sensitive);
  return wire;
}

/* The card's raw answer, counted, traced and split into data and SW. */
static ClResponse *
receive_raw (ClCardChannel *self, GBytes *raw, GError **error)
{
  gsize raw_len = 0;
  const guint8 *raw_data = g_bytes_get_data (raw, &raw_len);

  self->bytes_received += raw_len;
  if (self->trace_func)
    {
      g_autofree char *line = cl_hex_encode (raw_data, raw_len);
      self->trace_func (CL_TRACE_RESPONSE, line, self->trace_data);
    }
  return cl_response_parse (raw_data, raw_len, error);
}

/* Sends one APDU as it is (already wrapped) and returns the raw response split into data and SW. */
static ClResponse *
send_wire (ClCardChannel *self, const ClApdu *apdu, gboolean sensitive, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) wire = encode_wire (self, apdu, sensitive, error);
  g_autoptr (GBytes) raw = NULL;

  if (wire == NULL)
    return NULL;
  raw = cl_transport_transmit (self->transport, wire, cancellable, error);
  /* the encoded command is the last host copy of a PIN command's data this layer made: gone once it is sent */
  if (sensitive)
    cl_wipe ((gpointer)g_bytes_get_data (wire, NULL), g_bytes_get_size (wire));
  if (raw == NULL)
    return NULL;
  self->apdu_count++;
  self->bytes_sent += g_bytes_get_size (wire);
  return receive_raw (self, raw, error);
}

/* GET RESPONSE on the basic or logical channel of the command it continues. */
static ClResponse *
get_response (ClCardChannel *self, guint8 cla, guint8 le, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClApdu) gr = cl_apdu_new (cla & 0x03, 0xC0, 0x00, 0x00, NULL, 0, le ? le : 256);

  return send_wire (self, gr, FALSE, cancellable, error);
}

/* Sends one plain command (wrapping it if needed), following 61xx and 6Cxx, and unwraps the response. */
static ClResponse *
exchange (ClCardChannel *self, const ClApdu *plain, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClApdu) retry = NULL;
  gboolean sensitive = (plain->flags & CL_APDU_FLAG_SENSITIVE) != 0;

  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr (ClApdu) wrapped = NULL;
      g_autoptr (ClResponse) response = NULL;
      g_autoptr (GByteArray) acc = NULL;
      const ClApdu *wire;
      guint rounds = 0;

      if (self->secure_channel)
        {
          wrapped = cl_secure_channel_wrap (self->secure_channel, plain, error);
          if (wrapped == NULL)
            return NULL;
          if (sensitive)
            wrapped->flags |= CL_APDU_FLAG_SENSITIVE;
          wire = wrapped;
        }
      else
        wire = plain;

      response = send_wire (self, wire, sensitive, cancellable, error);
      if (response == NULL)
        return NULL;

      if ((response->sw & 0xFF00) == 0x6C00 && attempt == 0)
        {
          retry = cl_apdu_copy (plain);
          retry->ne = (response->sw & 0xFF) ? (response->sw & 0xFF) : 256;
          plain = retry;
          continue;
        }

      while ((response->sw & 0xFF00) == 0x6100)
        {
          gsize len = 0;
          const guint8 *data = g_bytes_get_data (response->data, &len);
          guint8 le = response->sw & 0xFF;
          g_autoptr (ClResponse) next = NULL;

          if (acc == NULL)
            acc = g_byte_array_new ();
          if (len > 0)
            g_byte_array_append (acc, data, len);
          if (++rounds > MAX_GET_RESPONSE || acc->len > MAX_RESPONSE_BYTES)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                           "Card kept answering 61xx to %02X %02X: gave up after %u GET RESPONSE commands and %u bytes",
                           plain->cla, plain->ins, rounds - 1, acc->len);
              return NULL;
            }
          next = get_response (self, wire->cla, le, cancellable, error);
          if (next == NULL)
            return NULL;
          if ((next->sw & 0xFF00) == 0x6C00)
            {
              g_autoptr (ClResponse) exact = NULL;
              exact = get_response (self, wire->cla, next->sw & 0xFF, cancellable, error);
              if (exact == NULL)
                return NULL;
              g_clear_pointer (&next, cl_response_free);
              next = g_steal_pointer (&exact);
            }
          g_clear_pointer (&response, cl_response_free);
          response = g_steal_pointer (&next);
        }
      if (acc != NULL)
        {
          gsize len = 0;
          const guint8 *data = g_bytes_get_data (response->data, &len);
          guint16 sw = response->sw;

          if (len > 0)
            g_byte_array_append (acc, data, len);
          g_clear_pointer (&response, cl_response_free);
          response = cl_response_new (acc->data, acc->len, sw);
        }

      if (self->secure_channel)
        return cl_secure_channel_unwrap (self->secure_channel, response, error);
      return g_steal_pointer (&response);
    }
  g_assert_not_reached ();
}

ClResponse *
cl_card_channel_transmit (ClCardChannel *self, const ClApdu *apdu, GCancellable *cancellable, GError **error)
{
  gsize lc, chunk, offset = 0;
  const guint8 *data;
  gboolean extended_ok;

  g_return_val_if_fail (CL_IS_CARD_CHANNEL (self), NULL);
  g_return_val_if_fail (apdu != NULL, NULL);

  lc = cl_apdu_get_lc (apdu);
  extended_ok = (apdu->flags & CL_APDU_FLAG_EXTENDED) || cl_transport_supports_extended (self->transport);
  if (self->secure_channel)
    chunk = extended_ok ? G_MAXSIZE : cl_secure_channel_max_plain_data (self->secure_channel);
  else
    chunk = extended_ok ? G_MAXSIZE : SHORT_CHUNK;
  if (chunk == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Secure channel leaves no room for command data");
      return NULL;
    }
  if (lc <= chunk)
    return exchange (self, apdu, cancellable, error);

  /* Command chaining (ISO 7816-4 5.1.1.1): every part but the last has the chaining bit; under secure
   * messaging each part is wrapped on its own. */
  data = g_bytes_get_data (apdu->data, NULL);
  while (offset < lc)
    {
      gsize n = MIN (chunk, lc - offset);
      gboolean last = offset + n == lc;
      g_autoptr (ClApdu) part = cl_apdu_new (last ? apdu->cla : (apdu->cla | CHAINING_BIT), apdu->ins, apdu->p1,
                                             apdu->p2, data + offset, n, last ? apdu->ne : 0);
      g_autoptr (ClResponse) response = NULL;

      part->flags = apdu->flags & ~CL_APDU_FLAG_EXTENDED;
      response = exchange (self, part, cancellable, error);
      if (response == NULL)
        return NULL;
      offset += n;
      if (last || response->sw != 0x9000)
        return g_steal_pointer (&response);
    }
  g_assert_not_reached ();
}

GBytes *
cl_card_channel_transmit_ok (ClCardChannel *self, const ClApdu *apdu, const char *what, GCancellable *cancellable,
                             GError **error)
{
  g_autoptr (ClResponse) response = cl_card_channel_transmit (self, apdu, cancellable, error);

  if (response == NULL)
    return NULL;
  if (response->sw != 0x9000)
    {
      cl_set_sw_error (error, response->sw, what);
      return NULL;
    }
  return g_bytes_ref (response->data);
}

/* The largest command data sent without chaining (cl_card_channel_transmit). */
static gsize
unchained_max (ClCardChannel *self, const ClApdu *apdu)
{
  gboolean extended_ok = (apdu->flags & CL_APDU_FLAG_EXTENDED) || cl_transport_supports_extended (self->transport);

  if (extended_ok)
    return G_MAXSIZE;
  return self->secure_channel ? cl_secure_channel_max_plain_data (self->secure_channel) : SHORT_CHUNK;
}

static gboolean
can_send_together (ClCardChannel *self, GPtrArray *apdus)
{
  if (!cl_transport_can_queue (self->transport)
      || (self->secure_channel != NULL && !cl_secure_channel_can_defer_unwrap (self->secure_channel)))
    return FALSE;
  for (guint i = 0; i < apdus->len; i++)
    {
      const ClApdu *apdu = g_ptr_array_index (apdus, i);

      if (cl_apdu_get_lc (apdu) > unchained_max (self, apdu) || (apdu->flags & CL_APDU_FLAG_SENSITIVE))
        return FALSE;
    }
  return TRUE;
}

/* Queues one command: wrapped, encoded, and the secure channel's state for its answer kept in states. */
static gboolean
queue_one (ClCardChannel *self, const ClApdu *plain, GPtrArray *states, GError **error)
{
  g_autoptr (ClApdu) wrapped = NULL;
  g_autoptr (GBytes) wire = NULL;

  if (self->secure_channel != NULL)
    {
      wrapped = cl_secure_channel_wrap (self->secure_channel, plain, error);
      if (wrapped == NULL)
        return FALSE;
      g_ptr_array_add (states, cl_secure_channel_save_response_state (self->secure_channel));
    }
  wire = encode_wire (self, wrapped != NULL ? wrapped : plain, FALSE, error);
  if (wire == NULL || !cl_transport_queue (self->transport, wire, error))
    return FALSE;
  self->apdu_count++;
  self->bytes_sent += g_bytes_get_size (wire);
  return TRUE;
}

/* The answer to the i-th queued command, unwrapped. */
static ClResponse *
collect_one (ClCardChannel *self, GPtrArray *states, guint i, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) raw = cl_transport_collect (self->transport, cancellable, error);
  g_autoptr (ClResponse) response = NULL;

  if (raw == NULL || !(response = receive_raw (self, raw, error)))
    return NULL;
  if ((response->sw & 0xFF00) == 0x6100 || (response->sw & 0xFF00) == 0x6C00)
    {
      /* GET RESPONSE cannot go out before the commands sent after this one: a card that needs it is refused */
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "The card answered %04X to a command sent with others",
                   response->sw);
      return NULL;
    }
  if (self->secure_channel == NULL)
    return g_steal_pointer (&response);
  return cl_secure_channel_unwrap_with_state (self->secure_channel, g_ptr_array_index (states, i), response, error);
}

GPtrArray *
cl_card_channel_transmit_batch (ClCardChannel *self, GPtrArray *apdus, GCancellable *cancellable, GError **error)
{
  g_autoptr (GPtrArray) responses = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_response_free);
  g_autoptr (GPtrArray) states = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  guint queued = 0, collected = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (CL_IS_CARD_CHANNEL (self), NULL);
  g_return_val_if_fail (apdus != NULL, NULL);

  if (!can_send_together (self, apdus))
    {
      for (guint i = 0; i < apdus->len; i++)
        {
          ClResponse *response = cl_card_channel_transmit (self, g_ptr_array_index (apdus, i), cancellable, error);

          if (response == NULL)
            return NULL;
          g_ptr_array_add (responses, response);
          if (response->sw != 0x9000)
            break; /* as a caller sending them one by one would stop */
        }
      return g_steal_pointer (&responses);
    }
  for (; queued < apdus->len && ok; queued++)
    ok = queue_one (self, g_ptr_array_index (apdus, queued), states, error);
  if (!ok)
    queued--; /* the one that failed was not queued */
  for (; collected < queued && ok; collected++)
    {
      ClResponse *response = collect_one (self, states, collected, cancellable, error);

      if (response == NULL)
        ok = FALSE;
      else
        g_ptr_array_add (responses, response);
    }
  /* answers still queued are taken (and dropped), so that the transport is in step for the next command */
  for (; collected < queued; collected++)
    {
      g_autoptr (GBytes) G_GNUC_UNUSED dropped = cl_transport_collect (self->transport, cancellable, NULL);
    }
  return ok ? g_steal_pointer (&responses) : NULL;
}
