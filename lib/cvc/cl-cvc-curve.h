/* cl-cvc-curve.h: the elliptic curves Cardline's CVC chains use, and their domain parameters as a CVC public key
 * template carries them (81 p, 82 a, 83 b, 84 G, 85 n, 87 cofactor). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CL_CVC_CURVE_NONE, /* no domain parameters (a key with only its point, tag 86) */
  CL_CVC_CURVE_P256,
  CL_CVC_CURVE_P384,
  CL_CVC_CURVE_BRAINPOOL_P256R1,
  CL_CVC_CURVE_BRAINPOOL_P384R1,
  CL_CVC_CURVE_SECP256K1,
} ClCvcCurve;

/* OpenSSL group name ("prime256v1", "brainpoolP256r1"); NULL for NONE. */
const char *cl_cvc_curve_get_group_name (ClCvcCurve curve);
/* Accepts OpenSSL group names and the usual aliases ("P-256", "secp256r1", "P-384"); NONE if unknown. */
ClCvcCurve cl_cvc_curve_from_name (const char *name);
/* Bytes of one coordinate and of r or s in a plain signature; 0 for NONE. */
gsize cl_cvc_curve_get_field_size (ClCvcCurve curve);
/* Appends 81 p, 82 a, 83 b, 84 G (uncompressed), 85 n; or, with cofactor_only, 87 cofactor alone (it follows the
 * point 86 in a template, so the caller writes 86 in between). Integers are written with the field's width. */
gboolean cl_cvc_curve_append_domain (ClCvcCurve curve, GByteArray *out, gboolean cofactor_only, GError **error);
/* Which curve the given parameters describe; any of a, b, g, n may be NULL (not compared). NONE if none matches. */
ClCvcCurve cl_cvc_curve_identify (GBytes *p, GBytes *a, GBytes *b, GBytes *g, GBytes *n);

G_END_DECLS
