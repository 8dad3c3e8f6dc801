/* cl-vpcd-link.h: the card side of vsmartcard's vpcd protocol, for simulated cards.
 *
 * vpcd listens on a TCP port per reader slot; a card "is inserted" by connecting and "removed" by closing.
 * Every message in both directions is a 2-byte big-endian length and that many bytes. A 1-byte message
 * from vpcd is a control (power off/on, reset, get ATR); anything longer is a command APDU. The card
 * answers GET ATR with its ATR and every APDU with response data || SW1 SW2, and sends nothing else. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  CL_VPCD_POWER_OFF = 0x00,
  CL_VPCD_POWER_ON = 0x01,
  CL_VPCD_RESET = 0x02,
  CL_VPCD_GET_ATR = 0x04,
} ClVpcdControl;

/* What a simulated card does; called on the thread running cl_vpcd_link_serve(). */
typedef struct
{
  /* The ATR to report; called on every GET ATR. */
  GBytes *(*get_atr) (gpointer user_data);
  /* Power off, power on or reset; optional. */
  void (*control) (ClVpcdControl control, gpointer user_data);
  /* One command APDU in, response || SW out. Returning NULL ends the session with that error, as if
   * the card had been pulled. */
  GBytes *(*transmit) (GBytes *command, gpointer user_data, GError **error);
} ClVpcdCardOps;

typedef struct _ClVpcdLink ClVpcdLink;

/* Connects to vpcd at host:port, retrying for up to timeout_ms while nobody listens there yet. */
ClVpcdLink *cl_vpcd_link_connect (const char *host, guint16 port, guint timeout_ms, GCancellable *cancellable,
                                  GError **error);
/* One framed message from vpcd. Returns NULL with *error unset when vpcd closed the connection cleanly
 * between messages. */
GBytes *cl_vpcd_link_receive (ClVpcdLink *self, GCancellable *cancellable, GError **error);
gboolean cl_vpcd_link_send (ClVpcdLink *self, GBytes *payload, GCancellable *cancellable, GError **error);
/* Answers vpcd until it disconnects (TRUE), an I/O or protocol error, a transmit error, or cancellation. A card
 * that pcscd polls but never powers after it came in (pcscd missed the insertion) leaves and connects again. */
gboolean cl_vpcd_link_serve (ClVpcdLink *self, const ClVpcdCardOps *ops, gpointer user_data, GCancellable *cancellable,
                             GError **error);
/* What a simulated card's main() does once connected: serves vpcd on a thread until vpcd disconnects, SIGTERM or
 * SIGINT, or after seconds (0 = no limit), then closes the link (the card leaves the reader). Being stopped is
 * not an error; a transmit error is returned as it is. */
gboolean cl_vpcd_link_run (ClVpcdLink *self, const ClVpcdCardOps *ops, gpointer user_data, guint seconds,
                           GError **error);
/* Closes the connection: to vpcd, the card has been removed. Safe to call more than once. */
void cl_vpcd_link_close (ClVpcdLink *self);
/* TRUE once vpcd closed the link between messages (its pcscd went away), rather than the card ending the session. */
gboolean cl_vpcd_link_peer_closed (ClVpcdLink *self);
void cl_vpcd_link_free (ClVpcdLink *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClVpcdLink, cl_vpcd_link_free)

G_END_DECLS
