/* cl-cvc-public-key.h: the CVC public key template (the value of 7F49) to and from an OpenSSL key.
 * EC: 06 OID, [81 p, 82 a, 83 b, 84 G, 85 n], 86 point, [87 cofactor]; RSA: 06 OID, 81 modulus, 82 exponent. */
#pragma once

#include <glib.h>
#include <openssl/evp.h>

#include "cvc/cl-cvc-algorithm.h"
#include "cvc/cl-cvc-curve.h"

G_BEGIN_DECLS

typedef struct
{
  ClCvcAlgorithm algorithm;
  ClCvcCurve curve; /* from the template's own domain parameters; NONE if it has none (or for RSA) */
  gboolean has_domain;
} ClCvcPublicKeyInfo;

/* Checks the template's structure and reads its algorithm and curve, without building a key. */
gboolean cl_cvc_public_key_inspect (const guint8 *tmpl, gsize len, ClCvcPublicKeyInfo *info, GError **error);
/* Builds the key. An EC template without domain parameters takes the curve from fallback (the issuer's curve, or
 * one the caller knows); with NONE that is CL_ERROR_INVALID_ARGUMENT. */
EVP_PKEY *cl_cvc_public_key_decode (const guint8 *tmpl, gsize len, ClCvcCurve fallback, GError **error);
/* The template's value for key under algorithm; with_domain writes the EC domain parameters too (as in a root,
 * a request, or a GENERATE ASYMMETRIC KEY PAIR command). */
GBytes *cl_cvc_public_key_encode (EVP_PKEY *key, ClCvcAlgorithm algorithm, gboolean with_domain, GError **error);
/* The curve of an EC key; NONE for other keys or curves this module does not know. */
ClCvcCurve cl_cvc_public_key_get_curve (EVP_PKEY *key);

G_END_DECLS
