/* cl-vcard-transport.h: a ClTransport that hands APDUs straight to a virtual card session in-process, so
 * the host stack (ClCardChannel, lib/scp, lib/gp) talks to the card without PC/SC (unit tests, benchmarks). */
#pragma once

#include "apdu/cl-transport.h"
#include "cl-vcard-session.h"
#include "cl-vcard-timing.h"

G_BEGIN_DECLS

#define CL_TYPE_VCARD_TRANSPORT (cl_vcard_transport_get_type ())
G_DECLARE_FINAL_TYPE (ClVcardTransport, cl_vcard_transport, CL, VCARD_TRANSPORT, GObject)

/* Resets the session (power-on) and keeps a reference to it. */
ClVcardTransport *cl_vcard_transport_new (ClVcardSession *session);
ClVcardSession *cl_vcard_transport_get_session (ClVcardTransport *self);
/* Answers as slowly as a real chip (cardline-vcard run --timing does the same over vpcd); NULL: at once. */
void cl_vcard_transport_set_timing (ClVcardTransport *self, const ClVcardTiming *timing);

G_END_DECLS
