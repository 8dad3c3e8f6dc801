/* cl-pcsc-transport.h: a card in a PC/SC reader as a ClTransport. Each transport has its own SCARDCONTEXT,
 * so one worker thread per reader can produce in parallel.
 *
 * Errors: connecting is the driver's own API and fails in CL_DRIVER_ERROR (NO_CARD, SHARING, NO_READER,
 * NO_SERVICE, ...). A failed exchange crosses the ClTransport interface and so fails with the contract's CL_ERROR
 * codes (apdu/cl-transport.h), translated from SCARD_* in cl-pcsc-error.c; the message keeps the SCARD name. */
#pragma once

#include "apdu/cl-transport.h"
#include "cl-driver-error.h"

G_BEGIN_DECLS

typedef enum
{
  CL_PCSC_CONNECT_EXCLUSIVE = 0,
  /* Let other processes use the card too (diagnosis next to a running tool); each transmit still runs
   * inside its own transaction. */
  CL_PCSC_CONNECT_SHARED = 1 << 0,
} ClPcscConnectFlags;

#define CL_TYPE_PCSC_TRANSPORT (cl_pcsc_transport_get_type ())
G_DECLARE_FINAL_TYPE (ClPcscTransport, cl_pcsc_transport, CL, PCSC_TRANSPORT, GObject)

/* Connects exclusively to the card in @reader with T=0 or T=1. */
ClPcscTransport *cl_pcsc_transport_connect (const char *reader, GCancellable *cancellable, GError **error);
ClPcscTransport *cl_pcsc_transport_connect_full (const char *reader, ClPcscConnectFlags flags,
                                                 GCancellable *cancellable, GError **error);
/* Releases the card (resetting it if @reset) and the context. Transmits afterwards fail with CL_ERROR_CARD_REMOVED.
 * Safe to call twice;
 * finalize disconnects without reset. */
void cl_pcsc_transport_disconnect (ClPcscTransport *self, gboolean reset);

const char *cl_pcsc_transport_get_reader (ClPcscTransport *self);
/* 0 for T=0, 1 for T=1. */
guint cl_pcsc_transport_get_protocol (ClPcscTransport *self);

G_END_DECLS
