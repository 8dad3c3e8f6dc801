/* cl-transport.h: moves raw APDUs to a card. The PC/SC transport (drivers/pcsc) and the
 * in-process test transport implement it; everything above talks to a ClCardChannel.
 *
 * How transmit fails is part of the contract. An implementation translates its own failures (SCARD_E_*, a
 * socket, a simulator) once, inside transmit, into CL_ERROR with one of these codes, so that everything above
 * can tell the card's doing from the station's without knowing which transport it has:
 *   CL_ERROR_CARD_REMOVED  the card went away, was reset by someone else, or stopped answering (mute, torn)
 *   CL_ERROR_TIMEOUT       the card did not answer in time
 *   CL_ERROR_READER_GONE   the reader was unplugged or is not known (any more): not the card's fault
 *   CL_ERROR_SERVICE_LOST  the service behind the readers (pcscd) is unreachable: not the card's fault
 *   CL_ERROR_TRANSPORT     any other failure of the exchange
 *   CL_ERROR_CANCELLED     the transport's service cancelled the exchange
 * and G_IO_ERROR_CANCELLED when the GCancellable fired. No other domain and no other code comes out of
 * transmit. A response that does come back is returned as it is, however odd: judging it is the caller's job. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CL_TYPE_TRANSPORT (cl_transport_get_type ())
G_DECLARE_INTERFACE (ClTransport, cl_transport, CL, TRANSPORT, GObject)

struct _ClTransportInterface
{
  GTypeInterface parent_iface;

  /* One command APDU out, its response (data || SW1 SW2) back. No 61xx/6Cxx handling here.
   * Fails with one of the codes above. */
  GBytes *(*transmit) (ClTransport *self, GBytes *command, GCancellable *cancellable, GError **error);
  GBytes *(*get_atr) (ClTransport *self);
  /* Whether the reader passes extended-length APDUs. */
  gboolean (*supports_extended) (ClTransport *self);
  /* Optional, both or neither: a transport whose round trips are dear (a relay to a RAMOverHTTP client) sends
   * commands whose answers are not needed before the next one together. queue() sends a command without waiting;
   * collect() returns the answer of the oldest queued one, failing as transmit does. transmit() is only called
   * once every queued answer was collected. */
  gboolean (*queue) (ClTransport *self, GBytes *command, GError **error);
  GBytes *(*collect) (ClTransport *self, GCancellable *cancellable, GError **error);
  /* Optional: whether queue() works now (a transport in front of another asks that one); NULL: it does. */
  gboolean (*can_queue) (ClTransport *self);
  /* Optional: a warm reset of the card, its new ATR back (get_atr answers it from then on). Fails with the codes
   * above. */
  GBytes *(*reset) (ClTransport *self, GCancellable *cancellable, GError **error);
};

GBytes *cl_transport_transmit (ClTransport *self, GBytes *command, GCancellable *cancellable, GError **error);
GBytes *cl_transport_get_atr (ClTransport *self);
/* Whether queue()/collect() are there; cl_transport_queue() fails with CL_ERROR_NOT_SUPPORTED otherwise. */
gboolean cl_transport_can_queue (ClTransport *self);
gboolean cl_transport_queue (ClTransport *self, GBytes *command, GError **error);
GBytes *cl_transport_collect (ClTransport *self, GCancellable *cancellable, GError **error);
gboolean cl_transport_supports_extended (ClTransport *self);
/* CL_ERROR_NOT_SUPPORTED when the transport cannot reset its card. */
GBytes *cl_transport_reset (ClTransport *self, GCancellable *cancellable, GError **error);

/* TRUE when error is one of the contract's codes above (or a cancellation): the exchange did not happen, as
 * opposed to a card that answered something wrong. */
gboolean cl_transport_error_is_transport (const GError *error);
/* TRUE for CL_ERROR_READER_GONE and CL_ERROR_SERVICE_LOST: the station lost its way to the card, so the card
 * must not be blamed for it and the line should stop and tell the operator. */
gboolean cl_transport_error_is_station_fault (const GError *error);

G_END_DECLS
