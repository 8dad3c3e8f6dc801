/* cl-dica.h: one DICA per token, each certified by the scheme root (store/cl-store-station-keys.h says why a fleet's
 * stations do not share one DICA key).
 *
 * At the station's token: cl_dica_request_new() generates the DICA key pair (EC P-256, never extractable) and returns
 * a certificate request, a CVC signed by the new key itself (CAR = CHR): proof that whoever asks holds the key. At the
 * scheme root's token: cl_dica_certify() checks that proof and issues the DICA certificate, CAR = the SRCA's CHR,
 * signed by the SRCA key, for years. Neither file holds a secret. */
#pragma once

#include "cvc/cl-cvc.h"
#include "p11/cl-p11-ec-key.h"

G_BEGIN_DECLS

/* Fails if a key labelled label exists in token already. */
GBytes *cl_dica_request_new (ClP11Token *token, const char *label, const char *chr, GError **error);
/* CL_ERROR_SECURITY when the request's self-signature does not verify; CL_ERROR_MALFORMED when it does not parse. */
GBytes *cl_dica_certify (ClP11EcKey *srca_key, ClCvc *srca_cvc, GBytes *request, guint years, GError **error);

G_END_DECLS
