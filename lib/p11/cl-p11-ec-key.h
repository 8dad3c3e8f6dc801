/* cl-p11-ec-key.h: an EC key pair in the token (DICA, SRCA signing keys).
 *
 * Objects: CKO_PRIVATE_KEY and CKO_PUBLIC_KEY, CKK_EC, sharing CKA_LABEL and CKA_ID; the private key is
 * CKA_SENSITIVE, never extractable, CKA_SIGN only. Signatures are CKM_ECDSA over a digest computed on the
 * host and come back as plain r || s (each coordinate the size of the field), which is what CVCs carry. */
#pragma once

#include <glib-object.h>
#include <p11-kit/pkcs11.h>

#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

typedef enum
{
  CL_P11_CURVE_P256,
  CL_P11_CURVE_P384,
  CL_P11_CURVE_BRAINPOOL_P256R1,
  CL_P11_CURVE_BRAINPOOL_P384R1,
} ClP11Curve;

#define CL_TYPE_P11_EC_KEY (cl_p11_ec_key_get_type ())
G_DECLARE_FINAL_TYPE (ClP11EcKey, cl_p11_ec_key, CL, P11_EC_KEY, GObject)

/* Generates a token key pair. id may be NULL (then the first 20 bytes of SHA-1 of the public point, as
 * OpenSC does). Fails if a key with this label exists. */
ClP11EcKey *cl_p11_ec_key_generate (ClP11Token *token, ClP11Curve curve, const char *label, GBytes *id, GError **error);
/* The key pair labelled label. */
ClP11EcKey *cl_p11_ec_key_find (ClP11Token *token, const char *label, GError **error);

ClP11Curve cl_p11_ec_key_get_curve (ClP11EcKey *self);
const char *cl_p11_ec_key_get_label (ClP11EcKey *self);
GBytes *cl_p11_ec_key_get_id (ClP11EcKey *self);
CK_OBJECT_HANDLE cl_p11_ec_key_get_private_handle (ClP11EcKey *self);
/* The public point, uncompressed (04 || X || Y). */
GBytes *cl_p11_ec_key_get_public_point (ClP11EcKey *self, GError **error);
/* ECDSA over digest(data) with digest SHA-256, SHA-384 or SHA-512; returns r || s. */
GBytes *cl_p11_ec_key_sign (ClP11EcKey *self, GChecksumType digest, const guint8 *data, gsize len, GError **error);
/* ECDSA over a digest the caller computed. */
GBytes *cl_p11_ec_key_sign_digest (ClP11EcKey *self, const guint8 *digest, gsize len, GError **error);

const char *cl_p11_curve_to_string (ClP11Curve curve);
gboolean cl_p11_curve_from_string (const char *name, ClP11Curve *out, GError **error);
/* Field size in bytes (32 or 48). */
gsize cl_p11_curve_get_size (ClP11Curve curve);

G_END_DECLS
