/* ClCardChannel against a card that answers fuzz data: 61xx/6Cxx loops, truncated responses, chaining.
 * Input: byte 0 picks the command shape and reader capabilities; then responses as (length, bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/cl-card-channel.h"
#include "core/cl-error.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define FUZZ_TYPE_TRANSPORT (fuzz_transport_get_type ())
G_DECLARE_FINAL_TYPE (FuzzTransport, fuzz_transport, FUZZ, TRANSPORT, GObject)
struct _FuzzTransport
{
  GObject parent_instance;
  const uint8_t *data;
  size_t size;
  size_t pos;
  gboolean extended;
  guint calls;
};
static void fuzz_transport_iface_init (ClTransportInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (FuzzTransport, fuzz_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, fuzz_transport_iface_init))

static GBytes *
fuzz_transmit (ClTransport *transport, GBytes *command, GCancellable *cancellable, GError **error)
{
  FuzzTransport *self = FUZZ_TRANSPORT (transport);
  size_t len;

  self->calls++;
  if (self->pos >= self->size)
    {
      /* Out of script: a card stuck in 61xx, to exercise the loop bound. */
      if (self->calls > 2000)
        abort ();
      return g_bytes_new ("\x61\x00", 2);
    }
  len = self->data[self->pos++];
  len = MIN (len, self->size - self->pos);
  self->pos += len;
  return g_bytes_new (self->data + self->pos - len, len);
}

static gboolean
fuzz_supports_extended (ClTransport *transport)
{
  return FUZZ_TRANSPORT (transport)->extended;
}

static void
fuzz_transport_iface_init (ClTransportInterface *iface)
{
  iface->transmit = fuzz_transmit;
  iface->supports_extended = fuzz_supports_extended;
}
static void
fuzz_transport_class_init (FuzzTransportClass *klass)
{
}
static void
fuzz_transport_init (FuzzTransport *self)
{
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FuzzTransport) transport = NULL;
  g_autoptr (ClCardChannel) channel = NULL;
  g_autoptr (ClApdu) apdu = NULL;
  g_autoptr (ClResponse) response = NULL;
  static guint8 payload[600];
  guint8 mode;
  gsize lc;

  if (size < 1)
    return 0;
  mode = data[0];
  transport = g_object_new (FUZZ_TYPE_TRANSPORT, NULL);
  transport->data = data + 1;
  transport->size = size - 1;
  transport->extended = (mode & 0x80) != 0;
  channel = cl_card_channel_new (CL_TRANSPORT (transport));
  lc = (mode & 0x03) == 0 ? 0 : (mode & 0x03) == 1 ? 16 : (mode & 0x03) == 2 ? 255 : 600;
  memset (payload, 0x5A, sizeof payload);
  apdu = cl_apdu_new (0x00, 0xCA, 0x00, 0x00, payload, lc, (mode & 0x0C) == 0 ? 0 : (mode & 0x0C) == 4 ? 256 : 1000);
  if (mode & 0x10)
    apdu->flags |= CL_APDU_FLAG_SENSITIVE;
  response = cl_card_channel_transmit (channel, apdu, NULL, &error);
  if (response == NULL && error == NULL)
    abort ();
  if (response != NULL && response->data == NULL)
    abort ();
  return 0;
}
