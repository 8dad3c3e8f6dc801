#include "cl-vcard-transport.h"

#include "core/cl-error.h"

struct _ClVcardTransport
{
  GObject parent_instance;

  ClVcardSession *session;
  GBytes *atr;
  gboolean timing_on;
  ClVcardTiming timing;
};

static void cl_vcard_transport_iface_init (ClTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClVcardTransport, cl_vcard_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, cl_vcard_transport_iface_init))

static GBytes *
cl_vcard_transport_transmit (ClTransport *transport, GBytes *command, GCancellable *cancellable, GError **error)
{
  ClVcardTransport *self = CL_VCARD_TRANSPORT (transport);
  gsize len;
  const guint8 *data = g_bytes_get_data (command, &len);
  GBytes *response = cl_vcard_session_transmit (self->session, data, len);
  g_autoptr (GError) commit_error = NULL;

  if (!cl_vcard_session_take_commit_error (self->session, &commit_error))
    {
      /* the image file is the chip's memory: its failure is the transport's, in the contract's words */
      g_clear_pointer (&response, g_bytes_unref);
      g_set_error (error, CL_ERROR, CL_ERROR_TRANSPORT, "The virtual card could not keep its state: %s",
                   commit_error->message);
      return NULL;
    }
  if (response == NULL)
    g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "The virtual card stopped answering (mute or torn)");
  else if (self->timing_on)
    g_usleep (cl_vcard_timing_cost_us (&self->timing, len, g_bytes_get_size (response),
                                       cl_vcard_session_get_last_write_size (self->session), data[0] == 0x84));
  return response;
}

static GBytes *
cl_vcard_transport_get_atr (ClTransport *transport)
{
  return g_bytes_ref (CL_VCARD_TRANSPORT (transport)->atr);
}

static gboolean
cl_vcard_transport_supports_extended (ClTransport *transport)
{
  return TRUE;
}

static void
cl_vcard_transport_iface_init (ClTransportInterface *iface)
{
  iface->transmit = cl_vcard_transport_transmit;
  iface->get_atr = cl_vcard_transport_get_atr;
  iface->supports_extended = cl_vcard_transport_supports_extended;
}

static void
cl_vcard_transport_finalize (GObject *object)
{
  ClVcardTransport *self = CL_VCARD_TRANSPORT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->atr, g_bytes_unref);
  G_OBJECT_CLASS (cl_vcard_transport_parent_class)->finalize (object);
}

static void
cl_vcard_transport_class_init (ClVcardTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_vcard_transport_finalize;
}

static void
cl_vcard_transport_init (ClVcardTransport *self)
{
}

ClVcardTransport *
cl_vcard_transport_new (ClVcardSession *session)
{
  ClVcardTransport *self = g_object_new (CL_TYPE_VCARD_TRANSPORT, NULL);

  self->session = g_object_ref (session);
  self->atr = cl_vcard_session_reset (session);
  return self;
}

ClVcardSession *
cl_vcard_transport_get_session (ClVcardTransport *self)
{
  return self->session;
}

void
cl_vcard_transport_set_timing (ClVcardTransport *self, const ClVcardTiming *timing)
{
  g_return_if_fail (CL_IS_VCARD_TRANSPORT (self));
  self->timing_on = timing != NULL;
  if (timing != NULL)
    self->timing = *timing;
}
