#include "cl-script-transport.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"

typedef struct
{
  GBytes *command; /* NULL = any */
  GBytes *response;
} Exchange;

struct _ClScriptTransport
{
  GObject parent_instance;

  GQueue exchanges;
  GBytes *default_response;
  GBytes *atr;
  gboolean extended;
  gboolean fail_next;
  guint transmit_count;
  GBytes *last_command; /* the very bytes the channel sent, not a copy */
};

static void cl_script_transport_iface_init (ClTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClScriptTransport, cl_script_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, cl_script_transport_iface_init))

static void
exchange_free (gpointer p)
{
  Exchange *e = p;

  g_clear_pointer (&e->command, g_bytes_unref);
  g_clear_pointer (&e->response, g_bytes_unref);
  g_free (e);
}

static GBytes *
decode_or_die (const char *hex)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = cl_hex_decode (hex, &error);

  g_assert_no_error (error);
  return bytes;
}

static GBytes *
script_transmit (ClTransport *transport, GBytes *command, GCancellable *cancellable, GError **error)
{
  ClScriptTransport *self = CL_SCRIPT_TRANSPORT (transport);
  Exchange *e;
  GBytes *response;

  self->transmit_count++;
  g_clear_pointer (&self->last_command, g_bytes_unref);
  self->last_command = g_bytes_ref (command);
  if (self->fail_next)
    {
      self->fail_next = FALSE;
      g_set_error (error, CL_ERROR, CL_ERROR_TRANSPORT, "Scripted transport failure");
      return NULL;
    }
  e = g_queue_pop_head (&self->exchanges);
  if (e == NULL)
    {
      if (self->default_response)
        return g_bytes_ref (self->default_response);
      {
        g_autofree char *got = cl_hex_encode_bytes (command);
        g_error ("Scripted transport: unexpected command %s after the end of the script", got);
      }
    }
  if (e->command != NULL && !g_bytes_equal (e->command, command))
    {
      g_autofree char *got = cl_hex_encode_bytes (command);
      g_autofree char *want = cl_hex_encode_bytes (e->command);
      g_error ("Scripted transport: command #%u differs\n  expected %s\n  got      %s", self->transmit_count, want,
               got);
    }
  response = g_bytes_ref (e->response);
  exchange_free (e);
  return response;
}

static GBytes *
script_get_atr (ClTransport *transport)
{
  ClScriptTransport *self = CL_SCRIPT_TRANSPORT (transport);

  return self->atr ? g_bytes_ref (self->atr) : NULL;
}

static gboolean
script_supports_extended (ClTransport *transport)
{
  return CL_SCRIPT_TRANSPORT (transport)->extended;
}

static void
cl_script_transport_iface_init (ClTransportInterface *iface)
{
  iface->transmit = script_transmit;
  iface->get_atr = script_get_atr;
  iface->supports_extended = script_supports_extended;
}

static void
cl_script_transport_finalize (GObject *object)
{
  ClScriptTransport *self = CL_SCRIPT_TRANSPORT (object);

  g_queue_clear_full (&self->exchanges, exchange_free);
  g_clear_pointer (&self->default_response, g_bytes_unref);
  g_clear_pointer (&self->atr, g_bytes_unref);
  g_clear_pointer (&self->last_command, g_bytes_unref);
  G_OBJECT_CLASS (cl_script_transport_parent_class)->finalize (object);
}

static void
cl_script_transport_class_init (ClScriptTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_script_transport_finalize;
}

static void
cl_script_transport_init (ClScriptTransport *self)
{
  g_queue_init (&self->exchanges);
}

ClScriptTransport *
cl_script_transport_new (void)
{
  return g_object_new (CL_TYPE_SCRIPT_TRANSPORT, NULL);
}

void
cl_script_transport_set_extended (ClScriptTransport *self, gboolean supported)
{
  self->extended = supported;
}

void
cl_script_transport_set_atr (ClScriptTransport *self, const char *atr_hex)
{
  g_clear_pointer (&self->atr, g_bytes_unref);
  self->atr = atr_hex ? decode_or_die (atr_hex) : NULL;
}

void
cl_script_transport_expect_bytes (ClScriptTransport *self, GBytes *command, GBytes *response)
{
  Exchange *e = g_new0 (Exchange, 1);

  e->command = command ? g_bytes_ref (command) : NULL;
  e->response = g_bytes_ref (response);
  g_queue_push_tail (&self->exchanges, e);
}

void
cl_script_transport_expect (ClScriptTransport *self, const char *command_hex, const char *response_hex)
{
  g_autoptr (GBytes) command = command_hex ? decode_or_die (command_hex) : NULL;
  g_autoptr (GBytes) response = decode_or_die (response_hex);

  cl_script_transport_expect_bytes (self, command, response);
}

void
cl_script_transport_set_default_response (ClScriptTransport *self, const char *response_hex)
{
  g_clear_pointer (&self->default_response, g_bytes_unref);
  self->default_response = response_hex ? decode_or_die (response_hex) : NULL;
}

void
cl_script_transport_fail_next (ClScriptTransport *self)
{
  self->fail_next = TRUE;
}

guint
cl_script_transport_get_transmit_count (ClScriptTransport *self)
{
  return self->transmit_count;
}

void
cl_script_transport_assert_done (ClScriptTransport *self)
{
  if (!g_queue_is_empty (&self->exchanges))
    g_error ("Scripted transport: %u scripted exchanges never happened", g_queue_get_length (&self->exchanges));
}

GBytes *
cl_script_transport_get_last_command (ClScriptTransport *self)
{
  return self->last_command;
}
