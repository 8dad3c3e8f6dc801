#include "cl-p11-cvc.h"

#include "core/cl-error.h"
#include "tlv/cl-tlv.h"

ClCvcCurve
cl_p11_cvc_curve (ClP11Curve curve)
{
  switch (curve)
    {
      case CL_P11_CURVE_P256:
        return CL_CVC_CURVE_P256;
      case CL_P11_CURVE_P384:
        return CL_CVC_CURVE_P384;
      case CL_P11_CURVE_BRAINPOOL_P256R1:
        return CL_CVC_CURVE_BRAINPOOL_P256R1;
      case CL_P11_CURVE_BRAINPOOL_P384R1:
        return CL_CVC_CURVE_BRAINPOOL_P384R1;
      default:
        return CL_CVC_CURVE_NONE;
    }
}

ClCvcAlgorithm
cl_p11_cvc_algorithm (ClP11Curve curve)
{
  return cl_p11_curve_get_size (curve) > 32 ? CL_CVC_ALGORITHM_ECDSA_SHA384 : CL_CVC_ALGORITHM_ECDSA_SHA256;
}

GBytes *
cl_p11_cvc_public_key_template (ClP11EcKey *key, gboolean with_domain, GError **error)
{
  ClP11Curve curve = cl_p11_ec_key_get_curve (key);
  ClCvcCurve cvc_curve = cl_p11_cvc_curve (curve);
  g_autoptr (GBytes) oid = cl_cvc_algorithm_to_oid (cl_p11_cvc_algorithm (curve));
  g_autoptr (GBytes) point = cl_p11_ec_key_get_public_point (key, error);
  g_autoptr (GByteArray) out = g_byte_array_new ();

  if (point == NULL)
    return NULL;
  cl_tlv_append (out, 0x06, g_bytes_get_data (oid, NULL), g_bytes_get_size (oid));
  if (with_domain && !cl_cvc_curve_append_domain (cvc_curve, out, FALSE, error))
    return NULL;
  cl_tlv_append (out, 0x86, g_bytes_get_data (point, NULL), g_bytes_get_size (point));
  if (with_domain && !cl_cvc_curve_append_domain (cvc_curve, out, TRUE, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
cl_p11_cvc_sign (const guint8 *tbs, gsize len, GByteArray *sig_out, gpointer user_data, GError **error)
{
  ClP11EcKey *key = CL_P11_EC_KEY (user_data);
  GChecksumType digest
    = cl_p11_curve_get_size (cl_p11_ec_key_get_curve (key)) > 32 ? G_CHECKSUM_SHA384 : G_CHECKSUM_SHA256;
  g_autoptr (GBytes) sig = cl_p11_ec_key_sign (key, digest, tbs, len, error);

  if (sig == NULL)
    return FALSE;
  g_byte_array_append (sig_out, g_bytes_get_data (sig, NULL), (guint)g_bytes_get_size (sig));
  return TRUE;
}
