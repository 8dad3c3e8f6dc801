/* cl-relay-transport.h: a ClTransport whose card is at a RAMOverHTTP client (DESIGN §8): the production service's
 * card job runs on its own worker thread over it exactly as over PC/SC, and every exchange travels to the client in
 * the next command template and back in the client's next POST.
 *
 * Two sides, two threads:
 *   the job's worker   cl_transport_transmit() queues the command and blocks until the client's answer arrives
 *                      (at most answer_timeout: a client that vanished is a card that went away,
 *                      CL_ERROR_CARD_REMOVED); cl_relay_transport_queue() adds a C-APDU whose answer is not needed
 *                      before the next command (LOAD blocks): it goes out in the same template, and its answer is
 *                      fetched later with cl_relay_transport_take_answer(); cl_relay_transport_notify() adds a notify.
 *   the HTTP side      cl_relay_transport_take_items() waits (until a deadline, so every POST is answered in time)
 *                      until the job needs an answer, then takes what is queued (at most CL_RAM_MAX_COMMANDS
 *                      C-APDUs); cl_relay_transport_answer() hands over the client's AB items.
 * A card error the client reports (E1), an answer that does not fit what was sent, close() or the job's end fail
 * every later exchange with CL_ERROR_CARD_REMOVED, so the sequence ends the attempt as for a pulled card. */
#pragma once

#include "apdu/cl-transport.h"

G_BEGIN_DECLS

#define CL_TYPE_RELAY_TRANSPORT (cl_relay_transport_get_type ())
G_DECLARE_FINAL_TYPE (ClRelayTransport, cl_relay_transport, CL, RELAY_TRANSPORT, GObject)

/* atr: the card's, from the client's first POST. extended: whether the client's reader passes extended APDUs. */
ClRelayTransport *cl_relay_transport_new (GBytes *atr, gboolean extended, gint64 answer_timeout_us);

/* ---- the job's side ---- */

/* Queues a C-APDU without waiting; its answer comes in order from take_answer(). */
void cl_relay_transport_queue (ClRelayTransport *self, GBytes *command);
/* The answer to the oldest queued command (blocking as transmit does). */
GBytes *cl_relay_transport_take_answer (ClRelayTransport *self, GCancellable *cancellable, GError **error);
/* A notify for the client's user; seconds -1: no estimate. */
void cl_relay_transport_notify (ClRelayTransport *self, const char *text, gint seconds);
/* A notify with a negative id (CL_RAM_NOTIFY_ABORT, CL_RAM_NOTIFY_NO_PLACE): the client ends the session on it
 * without a further POST. */
void cl_relay_transport_notify_abort (ClRelayTransport *self, gint32 id, const char *text);
/* The job is over: the HTTP side sends what is still queued (notifies), then ends the session. */
void cl_relay_transport_finish (ClRelayTransport *self);

/* ---- the HTTP side ---- */

/* The notify a template carries when the job had nothing for the client by the deadline (the HSM or the store is
 * slow): the client's user learns why nothing happens, and its 40 s budget restarts. */
#define CL_RELAY_TRANSPORT_BUSY_TEXT "Still working: the production service waits for its HSM or its store"

/* Waits until the job needs an answer, has finished, or deadline (monotonic µs) passes; returns the items to send
 * (ClRamItem; when the deadline passed with none, the CL_RELAY_TRANSPORT_BUSY_TEXT notify) and sets *finished when
 * the job is over and nothing is left to send. */
GPtrArray *cl_relay_transport_take_items (ClRelayTransport *self, gint64 deadline, gboolean *finished);
/* The client's answers to the items last taken (ClRamItem RESPONSE / ATR / CARD_ERROR, as decoded). FALSE with
 * CL_ERROR_MALFORMED when they do not fit what was sent (more answers than commands, fewer without a card
 * error): the relay is closed as for a pulled card. */
gboolean cl_relay_transport_answer (ClRelayTransport *self, GPtrArray *items, GError **error);
/* Ends every exchange now (the client is gone, the service stops); message says why. */
void cl_relay_transport_close (ClRelayTransport *self, const char *message);
gboolean cl_relay_transport_is_finished (ClRelayTransport *self);
/* Round trips (templates with C-APDUs taken) and C-APDUs relayed so far. */
guint cl_relay_transport_get_round_trips (ClRelayTransport *self);

G_END_DECLS
