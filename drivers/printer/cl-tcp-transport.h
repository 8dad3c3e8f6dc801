/* cl-tcp-transport.h: a card printer's command channel over TCP (network printers, the simulator).
 * Replies are framed by CR; a reply longer than 4 KiB without CR is a protocol error. */
#pragma once

#include "cl-printer-transport.h"

G_BEGIN_DECLS

#define CL_TYPE_TCP_TRANSPORT (cl_tcp_transport_get_type ())
G_DECLARE_FINAL_TYPE (ClTcpTransport, cl_tcp_transport, CL, TCP_TRANSPORT, ClPrinterTransport)

/* Connects to @host:@port within @timeout_ms. */
ClPrinterTransport *cl_tcp_transport_new (const char *host, guint16 port, guint timeout_ms, GCancellable *cancellable,
                                          GError **error);

G_END_DECLS
