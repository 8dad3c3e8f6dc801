#include "cvc/cl-cvc-public-key.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "tlv/cl-tlv.h"

typedef struct
{
  GBytes *oid;
  GBytes *elements[8]; /* index = tag - 0x80, tags 81..87 */
} Template;

static void
template_clear (Template *t)
{
  g_clear_pointer (&t->oid, g_bytes_unref);
  for (gsize i = 0; i < G_N_ELEMENTS (t->elements); i++)
    g_clear_pointer (&t->elements[i], g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Template, template_clear)

/* Tags must come in increasing order, each at most once: that is how the format is defined, and it is what
 * makes a parsed certificate re-encode to the same bytes. */
static gboolean
template_parse (const guint8 *tmpl, gsize len, Template *t, GError **error)
{
  gsize pos = 0;
  guint32 last = 0;
  ClTlv tlv;
  GError *local = NULL;

  while (cl_tlv_read (tmpl, len, &pos, &tlv, &local))
    {
      if (tlv.tag == 0x06 && last == 0)
        t->oid = g_bytes_new (tlv.value, tlv.len);
      else if (tlv.tag >= 0x81 && tlv.tag <= 0x87 && tlv.tag > last && last != 0)
        t->elements[tlv.tag - 0x80] = g_bytes_new (tlv.value, tlv.len);
      else
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "Public key template (7F49): unexpected tag %02X at offset %" G_GSIZE_FORMAT, tlv.tag,
                       (gsize)(tlv.raw - tmpl));
          return FALSE;
        }
      if (tlv.len == 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Public key template (7F49): tag %02X is empty", tlv.tag);
          return FALSE;
        }
      last = tlv.tag;
    }
  if (local != NULL)
    {
      g_propagate_prefixed_error (error, local, "Public key template (7F49): ");
      return FALSE;
    }
  if (t->oid == NULL)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED, "Public key template (7F49): no algorithm OID (06)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
template_info (Template *t, ClCvcPublicKeyInfo *info, GError **error)
{
  gsize oid_len;
  const guint8 *oid = g_bytes_get_data (t->oid, &oid_len);

  info->algorithm = cl_cvc_algorithm_from_oid (oid, oid_len);
  info->curve = CL_CVC_CURVE_NONE;
  info->has_domain = FALSE;
  if (info->algorithm == CL_CVC_ALGORITHM_UNKNOWN)
    {
      g_autofree char *hex = cl_hex_encode (oid, MIN (oid_len, 16));

      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "Public key template (7F49): unknown algorithm OID %s",
                   hex);
      return FALSE;
    }
  if (!cl_cvc_algorithm_is_ecdsa (info->algorithm))
    {
      if (t->elements[1] == NULL || t->elements[2] == NULL)
        {
          g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED,
                               "RSA public key template (7F49): modulus (81) or exponent (82) missing");
          return FALSE;
        }
      for (guint i = 3; i < G_N_ELEMENTS (t->elements); i++)
        if (t->elements[i] != NULL)
          {
            g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RSA public key template (7F49): unexpected tag %02X",
                         0x80 + i);
            return FALSE;
          }
      return TRUE;
    }
  if (t->elements[6] == NULL)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED, "EC public key template (7F49): no public point (86)");
      return FALSE;
    }
  info->has_domain = t->elements[1] != NULL;
  if (info->has_domain)
    {
      for (guint i = 1; i <= 5; i++)
        if (t->elements[i] == NULL)
          {
            g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                         "EC public key template (7F49): domain parameter %02X missing", 0x80 + i);
            return FALSE;
          }
      info->curve
        = cl_cvc_curve_identify (t->elements[1], t->elements[2], t->elements[3], t->elements[4], t->elements[5]);
      if (info->curve == CL_CVC_CURVE_NONE)
        {
          g_set_error_literal (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED,
                               "EC public key template (7F49): domain parameters of an unsupported curve");
          return FALSE;
        }
    }
  else if (t->elements[2] || t->elements[3] || t->elements[4] || t->elements[5])
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED,
                           "EC public key template (7F49): partial domain parameters without prime (81)");
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_cvc_public_key_inspect (const guint8 *tmpl, gsize len, ClCvcPublicKeyInfo *info, GError **error)
{
  g_auto (Template) t = { 0 };

  g_return_val_if_fail (info != NULL, FALSE);
  return template_parse (tmpl, len, &t, error) && template_info (&t, info, error);
}

static EVP_PKEY *
pkey_from_params (const char *type, OSSL_PARAM_BLD *bld, const char *what, GError **error)
{
  OSSL_PARAM *params = OSSL_PARAM_BLD_to_param (bld);
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name (NULL, type, NULL);
  EVP_PKEY *key = NULL;

  if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init (ctx) <= 0
      || EVP_PKEY_fromdata (ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    {
      cl_crypto_set_error (error, what);
      key = NULL;
    }
  OSSL_PARAM_free (params);
  EVP_PKEY_CTX_free (ctx);
  return key;
}

EVP_PKEY *
cl_cvc_public_key_decode (const guint8 *tmpl, gsize len, ClCvcCurve fallback, GError **error)
{
  g_auto (Template) t = { 0 };
  ClCvcPublicKeyInfo info;
  OSSL_PARAM_BLD *bld;
  EVP_PKEY *key = NULL;

  if (!template_parse (tmpl, len, &t, error) || !template_info (&t, &info, error))
    return NULL;

  bld = OSSL_PARAM_BLD_new ();
  if (cl_cvc_algorithm_is_ecdsa (info.algorithm))
    {
      ClCvcCurve curve = info.has_domain ? info.curve : fallback;
      gsize point_len;
      const guint8 *point = g_bytes_get_data (t.elements[6], &point_len);

      if (curve == CL_CVC_CURVE_NONE)
        {
          g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                               "EC public key template (7F49) has no domain parameters and no curve was given");
          OSSL_PARAM_BLD_free (bld);
          return NULL;
        }
      if (point[0] != 0x04 || point_len != 1 + 2 * cl_cvc_curve_get_field_size (curve))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "EC public key template (7F49): point (86) is not an uncompressed %s point (%" G_GSIZE_FORMAT
                       " bytes)",
                       cl_cvc_curve_get_group_name (curve), point_len);
          OSSL_PARAM_BLD_free (bld);
          return NULL;
        }
      if (OSSL_PARAM_BLD_push_utf8_string (bld, OSSL_PKEY_PARAM_GROUP_NAME, cl_cvc_curve_get_group_name (curve), 0)
          && OSSL_PARAM_BLD_push_octet_string (bld, OSSL_PKEY_PARAM_PUB_KEY, point, point_len))
        key = pkey_from_params ("EC", bld, "Building the EC public key (point not on the curve?)", error);
      else
        cl_crypto_set_error (error, "Building the EC key parameters");
    }
  else
    {
      gsize n_len, e_len;
      const guint8 *n = g_bytes_get_data (t.elements[1], &n_len);
      const guint8 *e = g_bytes_get_data (t.elements[2], &e_len);
      BIGNUM *bn_n = BN_bin2bn (n, (int)MIN (n_len, 4096u), NULL);
      BIGNUM *bn_e = BN_bin2bn (e, (int)MIN (e_len, 4096u), NULL);

      if (n_len > 1024 || e_len > 1024)
        g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED, "RSA public key template (7F49): value too long");
      else if (bn_n && bn_e && OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_N, bn_n)
               && OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
        key = pkey_from_params ("RSA", bld, "Building the RSA public key", error);
      else
        cl_crypto_set_error (error, "Building the RSA key parameters");
      BN_free (bn_n);
      BN_free (bn_e);
    }
  OSSL_PARAM_BLD_free (bld);
  return key;
}

ClCvcCurve
cl_cvc_public_key_get_curve (EVP_PKEY *key)
{
  char name[64];

  if (key == NULL || !EVP_PKEY_is_a (key, "EC")
      || !EVP_PKEY_get_utf8_string_param (key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, NULL))
    return CL_CVC_CURVE_NONE;
  return cl_cvc_curve_from_name (name);
}

static gboolean
append_bn_param (EVP_PKEY *key, const char *param, guint32 tag, GByteArray *out, GError **error)
{
  BIGNUM *bn = NULL;
  g_autofree guint8 *buf = NULL;
  int len;

  if (!EVP_PKEY_get_bn_param (key, param, &bn))
    {
      cl_crypto_set_error (error, "Reading the RSA key");
      return FALSE;
    }
  len = BN_num_bytes (bn);
  buf = g_malloc0 (MAX (len, 1));
  BN_bn2bin (bn, buf);
  cl_tlv_append (out, tag, buf, (gsize)len);
  BN_free (bn);
  return TRUE;
}

GBytes *
cl_cvc_public_key_encode (EVP_PKEY *key, ClCvcAlgorithm algorithm, gboolean with_domain, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GBytes) oid = cl_cvc_algorithm_to_oid (algorithm);

  g_return_val_if_fail (key != NULL, NULL);

  if (oid == NULL)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Public key: unknown algorithm");
      return NULL;
    }
  cl_tlv_append (out, 0x06, g_bytes_get_data (oid, NULL), g_bytes_get_size (oid));

  if (cl_cvc_algorithm_is_ecdsa (algorithm))
    {
      ClCvcCurve curve = cl_cvc_public_key_get_curve (key);
      guint8 point[1 + 2 * 66];
      gsize point_len = 0;

      if (curve == CL_CVC_CURVE_NONE)
        {
          g_set_error_literal (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED,
                               "Public key: not an EC key on a supported curve for an ECDSA algorithm");
          return NULL;
        }
      if (!EVP_PKEY_get_octet_string_param (key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &point_len))
        {
          cl_crypto_set_error (error, "Reading the EC public point");
          return NULL;
        }
      if (with_domain && !cl_cvc_curve_append_domain (curve, out, FALSE, error))
        return NULL;
      cl_tlv_append (out, 0x86, point, point_len);
      if (with_domain && !cl_cvc_curve_append_domain (curve, out, TRUE, error))
        return NULL;
    }
  else
    {
      if (!EVP_PKEY_is_a (key, "RSA"))
        {
          g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                               "Public key: not an RSA key for an RSA algorithm");
          return NULL;
        }
      if (!append_bn_param (key, OSSL_PKEY_PARAM_RSA_N, 0x81, out, error)
          || !append_bn_param (key, OSSL_PKEY_PARAM_RSA_E, 0x82, out, error))
        return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
