/* cl-p11-cvc.h: CV certificates signed by EC keys that stay in the PKCS#11 token (SRCA, DICA). */
#pragma once

#include "cvc/cl-cvc.h"
#include "p11/cl-p11-ec-key.h"

G_BEGIN_DECLS

ClCvcCurve cl_p11_cvc_curve (ClP11Curve curve);
/* ECDSA with SHA-256 on 256-bit curves, SHA-384 on 384-bit ones. */
ClCvcAlgorithm cl_p11_cvc_algorithm (ClP11Curve curve);
/* The 7F49 value of the token key: OID, [domain parameters,] point, [cofactor]. */
GBytes *cl_p11_cvc_public_key_template (ClP11EcKey *key, gboolean with_domain, GError **error);
/* A ClCvcSignFunc: user_data is the ClP11EcKey; appends r || s. */
gboolean cl_p11_cvc_sign (const guint8 *tbs, gsize len, GByteArray *sig_out, gpointer user_data, GError **error);

G_END_DECLS
