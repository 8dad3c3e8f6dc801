/* cl-device-check.h: a station's own check of a card produced elsewhere (remote production, DESIGN §8), before it
 * calls the card good: plain APDUs only, no key and no token. The SmartCard-HSM applet answers;
 * EF.C_DevAut (2F02) holds exactly device CVC || DICA CVC; the DICA was issued by the SRCA the station is configured
 * with and the device certificate by that DICA; the certificate is for the device key this card generated (its
 * request in CE00); and the serial (OpenSC's, from the device holder) derives from that holder.
 *
 * The card's answer decides: a card that fails a check is FALSE with CL_ERROR_SECURITY (the chain or the key do not
 * hold) or CL_ERROR_FAILED (something is missing or malformed), the message naming what; a transport failure
 * comes out with the transport's code (cl-transport.h) so the caller can tell the station's fault from the card's. */
#pragma once

#include "apdu/cl-transport.h"
#include "cvc/cl-cvc.h"

G_BEGIN_DECLS

typedef struct
{
  char *chr;    /* the device certificate's holder */
  char *serial; /* OpenSC's token serial */
  char *dica;   /* the DICA's holder */
} ClDeviceIdentity;

void cl_device_identity_free (ClDeviceIdentity *identity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClDeviceIdentity, cl_device_identity_free)

ClDeviceIdentity *cl_device_check (ClTransport *transport, ClCvc *srca, GCancellable *cancellable, GError **error);

G_END_DECLS
