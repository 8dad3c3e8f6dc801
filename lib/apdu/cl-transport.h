/* cl-transport.h: moves raw APDUs to a card. The PC/SC transport (drivers/pcsc) and the
 * in-process test transport implement it; everything above talks to a ClCardChannel. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CL_TYPE_TRANSPORT (cl_transport_get_type ())
G_DECLARE_INTERFACE (ClTransport, cl_transport, CL, TRANSPORT, GObject)

struct _ClTransportInterface
{
  GTypeInterface parent_iface;

  /* One command APDU out, its response (data || SW1 SW2) back. No 61xx/6Cxx handling here. */
  GBytes *(*transmit) (ClTransport *self, GBytes *command, GCancellable *cancellable, GError **error);
  GBytes *(*get_atr) (ClTransport *self);
  /* Whether the reader passes extended-length APDUs. */
  gboolean (*supports_extended) (ClTransport *self);
};

GBytes *cl_transport_transmit (ClTransport *self, GBytes *command, GCancellable *cancellable, GError **error);
GBytes *cl_transport_get_atr (ClTransport *self);
gboolean cl_transport_supports_extended (ClTransport *self);

G_END_DECLS
