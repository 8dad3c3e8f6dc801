#include "cl-observed-transport.h"

#include "core/cl-error.h"

struct _ClObservedTransport
{
  GObject parent_instance;

  ClTransport *inner;
  gint64 deadline;
  gint last_sw;
  guint64 apdus;
  guint64 responses;
  guint64 sent;
  guint64 received;
};

static void cl_observed_transport_iface_init (ClTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClObservedTransport, cl_observed_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, cl_observed_transport_iface_init))

static gboolean
observed_check_deadline (ClObservedTransport *self, GError **error)
{
  if (self->deadline != 0 && g_get_monotonic_time () > self->deadline)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_TIMEOUT, "the card exceeded the profile's card timeout");
      return FALSE;
    }
  return TRUE;
}

/* The inner transport's answer (or failure) as the sequence sees it. */
static GBytes *
observed_answer (ClObservedTransport *self, GBytes *response, GError *local, GError **error)
{
  gsize len;
  const guint8 *data;

  if (response == NULL)
    {
      /* The transport already said whose fault it was (cl-transport.h); the sequence files a lost reader as the
       * station's, not the card's, so that code must survive. A transport outside the contract is a generic
       * transport failure, which the sequence files as NO_ATR or CARD_REMOVED as before. */
      if (cl_transport_error_is_transport (local))
        g_propagate_error (error, local);
      else
        {
          g_set_error (error, CL_ERROR, CL_ERROR_TRANSPORT, "%s", local->message);
          g_error_free (local);
        }
      return NULL;
    }
  data = g_bytes_get_data (response, &len);
  if (len == 0)
    {
      /* vpcd (and some readers) report a card that went silent mid-command as an empty answer */
      g_bytes_unref (response);
      g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "the card gave no answer (mute, torn or pulled)");
      return NULL;
    }
  self->responses++;
  self->received += len;
  if (len >= 2)
    self->last_sw = data[len - 2] << 8 | data[len - 1];
  return response;
}

static GBytes *
observed_transmit (ClTransport *transport, GBytes *command, GCancellable *cancellable, GError **error)
{
  ClObservedTransport *self = CL_OBSERVED_TRANSPORT (transport);
  GError *local = NULL;
  GBytes *response;

  if (!observed_check_deadline (self, error))
    return NULL;
  self->apdus++;
  self->sent += g_bytes_get_size (command);
  response = cl_transport_transmit (self->inner, command, cancellable, &local);
  return observed_answer (self, response, local, error);
}

static gboolean
observed_queue (ClTransport *transport, GBytes *command, GError **error)
{
  ClObservedTransport *self = CL_OBSERVED_TRANSPORT (transport);

  if (!observed_check_deadline (self, error))
    return FALSE;
  self->apdus++;
  self->sent += g_bytes_get_size (command);
  return cl_transport_queue (self->inner, command, error);
}

static GBytes *
observed_collect (ClTransport *transport, GCancellable *cancellable, GError **error)
{
  ClObservedTransport *self = CL_OBSERVED_TRANSPORT (transport);
  GError *local = NULL;
  GBytes *response = cl_transport_collect (self->inner, cancellable, &local);

  return observed_answer (self, response, local, error);
}

static gboolean
observed_can_queue (ClTransport *transport)
{
  return cl_transport_can_queue (CL_OBSERVED_TRANSPORT (transport)->inner);
}

static GBytes *
observed_get_atr (ClTransport *transport)
{
  return cl_transport_get_atr (CL_OBSERVED_TRANSPORT (transport)->inner);
}

static gboolean
observed_supports_extended (ClTransport *transport)
{
  return cl_transport_supports_extended (CL_OBSERVED_TRANSPORT (transport)->inner);
}

static void
cl_observed_transport_iface_init (ClTransportInterface *iface)
{
  iface->transmit = observed_transmit;
  iface->queue = observed_queue;
  iface->collect = observed_collect;
  iface->can_queue = observed_can_queue;
  iface->get_atr = observed_get_atr;
  iface->supports_extended = observed_supports_extended;
}

static void
cl_observed_transport_dispose (GObject *object)
{
  g_clear_object (&CL_OBSERVED_TRANSPORT (object)->inner);
  G_OBJECT_CLASS (cl_observed_transport_parent_class)->dispose (object);
}

static void
cl_observed_transport_class_init (ClObservedTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_observed_transport_dispose;
}

static void
cl_observed_transport_init (ClObservedTransport *self)
{
  self->last_sw = -1;
}

ClObservedTransport *
cl_observed_transport_new (ClTransport *inner)
{
  ClObservedTransport *self;

  g_return_val_if_fail (CL_IS_TRANSPORT (inner), NULL);
  self = g_object_new (CL_TYPE_OBSERVED_TRANSPORT, NULL);
  self->inner = g_object_ref (inner);
  return self;
}

void
cl_observed_transport_set_deadline (ClObservedTransport *self, gint64 deadline)
{
  self->deadline = deadline;
}

gint
cl_observed_transport_get_last_sw (ClObservedTransport *self)
{
  return self->last_sw;
}

guint64
cl_observed_transport_get_apdu_count (ClObservedTransport *self)
{
  return self->apdus;
}

guint64
cl_observed_transport_get_response_count (ClObservedTransport *self)
{
  return self->responses;
}

guint64
cl_observed_transport_get_bytes_sent (ClObservedTransport *self)
{
  return self->sent;
}

guint64
cl_observed_transport_get_bytes_received (ClObservedTransport *self)
{
  return self->received;
}
