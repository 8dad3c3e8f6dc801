/* cl-card-channel.h: the one place where APDUs meet a transport: 61xx (GET RESPONSE) and 6Cxx
 * (re-issue with Le) handling, command chaining, extended length, secure messaging and tracing. */
#pragma once

#include "apdu/cl-apdu.h"
#include "apdu/cl-secure-channel.h"
#include "apdu/cl-transport.h"

G_BEGIN_DECLS

typedef enum
{
  CL_TRACE_COMMAND,
  CL_TRACE_RESPONSE,
} ClTraceDirection;

/* line: hex of the APDU as sent/received at the transport, with sensitive data replaced by "<masked N bytes>". */
typedef void (*ClTraceFunc) (ClTraceDirection direction, const char *line, gpointer user_data);

#define CL_TYPE_CARD_CHANNEL (cl_card_channel_get_type ())
G_DECLARE_FINAL_TYPE (ClCardChannel, cl_card_channel, CL, CARD_CHANNEL, GObject)

ClCardChannel *cl_card_channel_new (ClTransport *transport);
ClTransport *cl_card_channel_get_transport (ClCardChannel *self);
void cl_card_channel_set_trace_func (ClCardChannel *self, ClTraceFunc func, gpointer user_data, GDestroyNotify notify);
/* NULL removes secure messaging (after SELECT of another application, for instance). */
void cl_card_channel_set_secure_channel (ClCardChannel *self, ClSecureChannel *sc);
ClSecureChannel *cl_card_channel_get_secure_channel (ClCardChannel *self);

/* Sends apdu (wrapping it if a secure channel is set), follows 61xx/6Cxx, chains data that does not fit
 * one APDU when the transport cannot do extended length. Any SW is returned; only transport, MAC and
 * parse failures are errors. */
ClResponse *cl_card_channel_transmit (ClCardChannel *self, const ClApdu *apdu, GCancellable *cancellable,
                                      GError **error);
/* As transmit, but an SW other than 9000 is a CL_ERROR_CARD_STATUS error naming what. */
GBytes *cl_card_channel_transmit_ok (ClCardChannel *self, const ClApdu *apdu, const char *what,
                                     GCancellable *cancellable, GError **error);

/* Sends apdus (ClApdu) whose answers are not needed before the next one goes (LOAD blocks). Where the transport can
 * queue and the secure channel (if any) can check answers later (cl-transport.h, cl-secure-channel.h), they go out
 * together, each answer's R-MAC checked as it is collected: one ClResponse per APDU, in order, whatever the SW.
 * Otherwise one by one as transmit() sends them, stopping after the first SW other than 9000 (then fewer
 * responses). A transport, MAC or parse failure fails the whole. */
GPtrArray *cl_card_channel_transmit_batch (ClCardChannel *self, GPtrArray *apdus, GCancellable *cancellable,
                                           GError **error);

/* Counters for benchmarks: APDUs and bytes at the transport since creation. */
guint64 cl_card_channel_get_apdu_count (ClCardChannel *self);
guint64 cl_card_channel_get_bytes_sent (ClCardChannel *self);
guint64 cl_card_channel_get_bytes_received (ClCardChannel *self);

G_END_DECLS
