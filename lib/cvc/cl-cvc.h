/* cl-cvc.h: a card-verifiable certificate (BSI TR-03110):
 * 7F21 { 7F4E { 5F29 CPI, [42 CAR], 7F49 key, 5F20 CHR, [7F4C CHAT], [5F25 date], [5F24 date], [65 ext] }, 5F37 sig }.
 * Immutable once parsed; keeps the exact bytes it came from. */
#pragma once

#include <glib-object.h>
#include <openssl/evp.h>

#include "cvc/cl-cvc-algorithm.h"
#include "cvc/cl-cvc-body.h"
#include "cvc/cl-cvc-curve.h"
#include "cvc/cl-cvc-signature.h"

G_BEGIN_DECLS

#define CL_TYPE_CVC (cl_cvc_get_type ())
G_DECLARE_FINAL_TYPE (ClCvc, cl_cvc, CL, CVC, GObject)

/* Exactly one certificate; trailing bytes are CL_ERROR_MALFORMED. */
ClCvc *cl_cvc_new_from_bytes (GBytes *bytes, GError **error);
/* The certificate at the start of data (EF.C_DevAut holds device CVC || DICA CVC); *consumed gets its length. */
ClCvc *cl_cvc_new_from_data (const guint8 *data, gsize len, gsize *consumed, GError **error);

GBytes *cl_cvc_get_encoded (ClCvc *self);
/* The 7F4E TLV: the bytes the signature covers. */
GBytes *cl_cvc_get_body_tlv (ClCvc *self);
GBytes *cl_cvc_get_signature (ClCvc *self);
guint8 cl_cvc_get_cpi (ClCvc *self);
/* NULL if the body has no 42 (a request may omit it). */
const char *cl_cvc_get_car (ClCvc *self);
const char *cl_cvc_get_chr (ClCvc *self);
ClCvcAlgorithm cl_cvc_get_algorithm (ClCvc *self);
/* The curve named by the key's own domain parameters; NONE when the key carries only its point (or is RSA). */
ClCvcCurve cl_cvc_get_curve (ClCvc *self);
/* The value of 7F49. */
GBytes *cl_cvc_get_public_key_template (ClCvc *self);
/* The EC public point (86 in 7F49): what ties a certificate to the key a card generated; NULL without one. New
 * reference. */
GBytes *cl_cvc_get_public_point (ClCvc *self);
/* The key; when the template has no domain parameters, the curve is fallback (the issuer's). New reference. */
EVP_PKEY *cl_cvc_get_public_key (ClCvc *self, ClCvcCurve fallback, GError **error);
/* The value of 7F4C, its 06 OID and its 53 template; NULL if absent. */
GBytes *cl_cvc_get_chat (ClCvc *self);
GBytes *cl_cvc_get_chat_oid (ClCvc *self);
GBytes *cl_cvc_get_chat_template (ClCvc *self);
/* "YYMMDD" or NULL. */
const char *cl_cvc_get_effective_date (ClCvc *self);
const char *cl_cvc_get_expiry_date (ClCvc *self);
GBytes *cl_cvc_get_extensions (ClCvc *self);
/* The fields as a body, to re-encode or to derive a new certificate from. */
ClCvcBody *cl_cvc_get_body (ClCvc *self);

/* OpenSC's token serial number: the CHR without its last 5 characters (the sequence number). */
char *cl_cvc_get_opensc_serial (ClCvc *self);

/* Verifies the signature over the 7F4E TLV with issuer_key under algorithm: the algorithm is the
 * OID in the issuer's own 7F49, not in this certificate. */
gboolean cl_cvc_verify (ClCvc *self, EVP_PKEY *issuer_key, ClCvcAlgorithm algorithm, GError **error);
/* Verifies that issuer issued self: CAR equals the issuer's CHR and the signature verifies under the issuer's key
 * and algorithm. The issuer's curve is its own domain parameters or, failing those, fallback. Self-signed: pass
 * self as issuer. */
gboolean cl_cvc_verify_issued_by (ClCvc *self, ClCvc *issuer, ClCvcCurve fallback, GError **error);

G_END_DECLS
