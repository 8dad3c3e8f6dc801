/* cl-observed-transport.h: a ClTransport in front of another that sees every exchange of one card's sequence:
 * it counts APDUs and bytes (benchmarks), remembers the last status word (reject records) and enforces the
 * card's deadline before each command (a step that runs past the profile's timeout ends as TIMEOUT). Failures of the
 * inner transport pass through with their contract code (cl-transport.h); anything outside the contract becomes
 * CL_ERROR_TRANSPORT. */
#pragma once

#include "apdu/cl-transport.h"

G_BEGIN_DECLS

#define CL_TYPE_OBSERVED_TRANSPORT (cl_observed_transport_get_type ())
G_DECLARE_FINAL_TYPE (ClObservedTransport, cl_observed_transport, CL, OBSERVED_TRANSPORT, GObject)

ClObservedTransport *cl_observed_transport_new (ClTransport *inner);
/* Monotonic time (g_get_monotonic_time) after which transmits fail with CL_ERROR_TIMEOUT; 0: none. */
void cl_observed_transport_set_deadline (ClObservedTransport *self, gint64 deadline);
/* -1 before the first response. */
gint cl_observed_transport_get_last_sw (ClObservedTransport *self);
guint64 cl_observed_transport_get_apdu_count (ClObservedTransport *self);
/* Responses received (an APDU the card never answered is counted above but not here). */
guint64 cl_observed_transport_get_response_count (ClObservedTransport *self);
guint64 cl_observed_transport_get_bytes_sent (ClObservedTransport *self);
guint64 cl_observed_transport_get_bytes_received (ClObservedTransport *self);

G_END_DECLS
