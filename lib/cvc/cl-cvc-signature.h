/* cl-cvc-signature.h: CVC signatures. ECDSA signatures are plain r||s (BSI TR-03111), which is what PKCS#11
 * CKM_ECDSA returns; RSA signatures are PKCS#1 v1.5 or PSS (salt length = digest length). */
#pragma once

#include <glib.h>
#include <openssl/evp.h>

#include "cvc/cl-cvc-algorithm.h"

G_BEGIN_DECLS

/* Signs tbs (the whole 7F4E TLV of a certificate, or 7F21 || 42 for the outer signature of a request) with the
 * algorithm the caller arranged for (the signer's own CVC names it): the callback hashes tbs itself (for a
 * PKCS#11 token, CKM_ECDSA_SHA256 or hash then CKM_ECDSA) and appends the signature (ECDSA: plain r||s) to sig_out. */
typedef gboolean (*ClCvcSignFunc) (const guint8 *tbs, gsize len, GByteArray *sig_out, gpointer user_data,
                                   GError **error);

/* A signer over an OpenSSL private key, for tests and host-held keys: pass &signer as user_data to
 * cl_cvc_pkey_sign. */
typedef struct
{
  EVP_PKEY *key;
  ClCvcAlgorithm algorithm;
} ClCvcPkeySigner;

gboolean cl_cvc_pkey_sign (const guint8 *tbs, gsize len, GByteArray *sig_out, gpointer user_data, GError **error);

/* CL_ERROR_SECURITY if the signature does not verify; other codes if it cannot be checked at all. */
gboolean cl_cvc_signature_verify (ClCvcAlgorithm algorithm, EVP_PKEY *key, const guint8 *tbs, gsize tbs_len,
                                  const guint8 *sig, gsize sig_len, GError **error);

/* Plain r||s <-> DER ECDSA-Sig-Value. field_size is the byte width of r and s. */
GBytes *cl_cvc_ecdsa_plain_to_der (const guint8 *sig, gsize len, GError **error);
gboolean cl_cvc_ecdsa_der_to_plain (const guint8 *der, gsize len, gsize field_size, GByteArray *out, GError **error);

G_END_DECLS
