#include "cvc/cl-cvc-curve.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <string.h>

#include "core/cl-error.h"
#include "crypto/cl-crypto.h"
#include "tlv/cl-tlv.h"

typedef struct
{
  ClCvcCurve curve;
  int nid;
  const char *group_name;
  const char *aliases[3];
  gsize field_size;
} CurveInfo;

static const CurveInfo curves[] = {
  { CL_CVC_CURVE_P256, NID_X9_62_prime256v1, "prime256v1", { "P-256", "secp256r1", NULL }, 32 },
  { CL_CVC_CURVE_P384, NID_secp384r1, "secp384r1", { "P-384", NULL, NULL }, 48 },
  { CL_CVC_CURVE_BRAINPOOL_P256R1, NID_brainpoolP256r1, "brainpoolP256r1", { NULL, NULL, NULL }, 32 },
  { CL_CVC_CURVE_BRAINPOOL_P384R1, NID_brainpoolP384r1, "brainpoolP384r1", { NULL, NULL, NULL }, 48 },
  { CL_CVC_CURVE_SECP256K1, NID_secp256k1, "secp256k1", { NULL, NULL, NULL }, 32 },
};

static const CurveInfo *
lookup (ClCvcCurve curve)
{
  for (gsize i = 0; i < G_N_ELEMENTS (curves); i++)
    if (curves[i].curve == curve)
      return &curves[i];
  return NULL;
}

const char *
cl_cvc_curve_get_group_name (ClCvcCurve curve)
{
  const CurveInfo *info = lookup (curve);

  return info ? info->group_name : NULL;
}

ClCvcCurve
cl_cvc_curve_from_name (const char *name)
{
  if (name == NULL)
    return CL_CVC_CURVE_NONE;
  for (gsize i = 0; i < G_N_ELEMENTS (curves); i++)
    {
      if (g_ascii_strcasecmp (name, curves[i].group_name) == 0)
        return curves[i].curve;
      for (gsize j = 0; j < G_N_ELEMENTS (curves[i].aliases) && curves[i].aliases[j]; j++)
        if (g_ascii_strcasecmp (name, curves[i].aliases[j]) == 0)
          return curves[i].curve;
    }
  return CL_CVC_CURVE_NONE;
}

gsize
cl_cvc_curve_get_field_size (ClCvcCurve curve)
{
  const CurveInfo *info = lookup (curve);

  return info ? info->field_size : 0;
}

/* The parameters as OpenSSL knows them; one allocation set per call is cheap next to a signature. */
typedef struct
{
  EC_GROUP *group;
  BIGNUM *p, *a, *b;
  GBytes *g;
} Domain;

static void
domain_clear (Domain *d)
{
  EC_GROUP_free (d->group);
  BN_free (d->p);
  BN_free (d->a);
  BN_free (d->b);
  g_clear_pointer (&d->g, g_bytes_unref);
}

static gboolean
domain_load (const CurveInfo *info, Domain *d, GError **error)
{
  guint8 point[1 + 2 * 66];
  gsize point_len;

  memset (d, 0, sizeof *d);
  d->group = EC_GROUP_new_by_curve_name (info->nid);
  d->p = BN_new ();
  d->a = BN_new ();
  d->b = BN_new ();
  if (d->group == NULL || d->p == NULL || d->a == NULL || d->b == NULL
      || !EC_GROUP_get_curve (d->group, d->p, d->a, d->b, NULL))
    {
      cl_crypto_set_error (error, "loading the domain parameters of the curve");
      domain_clear (d);
      return FALSE;
    }
  point_len = EC_POINT_point2oct (d->group, EC_GROUP_get0_generator (d->group), POINT_CONVERSION_UNCOMPRESSED, point,
                                  sizeof point, NULL);
  if (point_len == 0)
    {
      cl_crypto_set_error (error, "encoding the generator of the curve");
      domain_clear (d);
      return FALSE;
    }
  d->g = g_bytes_new (point, point_len);
  return TRUE;
}

static void
append_bn (GByteArray *out, guint32 tag, const BIGNUM *bn, gsize width)
{
  gsize len = MAX (width, (gsize)BN_num_bytes (bn));
  g_autofree guint8 *buf = g_malloc0 (len);

  BN_bn2binpad (bn, buf, (int)len);
  cl_tlv_append (out, tag, buf, len);
}

gboolean
cl_cvc_curve_append_domain (ClCvcCurve curve, GByteArray *out, gboolean cofactor_only, GError **error)
{
  const CurveInfo *info = lookup (curve);
  Domain d;

  if (info == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "No domain parameters for curve %d", curve);
      return FALSE;
    }
  if (!domain_load (info, &d, error))
    return FALSE;
  if (cofactor_only)
    {
      append_bn (out, 0x87, EC_GROUP_get0_cofactor (d.group), 1);
    }
  else
    {
      append_bn (out, 0x81, d.p, info->field_size);
      append_bn (out, 0x82, d.a, info->field_size);
      append_bn (out, 0x83, d.b, info->field_size);
      cl_tlv_append (out, 0x84, g_bytes_get_data (d.g, NULL), g_bytes_get_size (d.g));
      append_bn (out, 0x85, EC_GROUP_get0_order (d.group), info->field_size);
    }
  domain_clear (&d);
  return TRUE;
}

/* Each curve's parameters as minimal big-endian numbers and its generator uncompressed, built once: identifying a
 * public key's curve compares against all of them, and building every curve's group per call was 9 % of a card's
 * host instructions (callgrind, issue 14). */
typedef struct
{
  GBytes *p, *a, *b, *n, *g;
} Encoded;

static Encoded encoded[G_N_ELEMENTS (curves)];

static GBytes *
number_bytes (const BIGNUM *bn)
{
  int len = BN_num_bytes (bn);
  guint8 *buf = g_malloc0 ((gsize)MAX (len, 1));

  BN_bn2bin (bn, buf);
  return g_bytes_new_take (buf, (gsize)len);
}

static gpointer
encode_curves (gpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (curves); i++)
    {
      Domain d;

      if (!domain_load (&curves[i], &d, NULL))
        continue;
      encoded[i].p = number_bytes (d.p);
      encoded[i].a = number_bytes (d.a);
      encoded[i].b = number_bytes (d.b);
      encoded[i].n = number_bytes (EC_GROUP_get0_order (d.group));
      encoded[i].g = g_bytes_ref (d.g);
      domain_clear (&d);
    }
  return NULL;
}

/* The same number: leading zero bytes do not count. Absent (NULL) matches anything. */
static gboolean
same_number (GBytes *bytes, GBytes *expected)
{
  gsize len, expected_len;
  const guint8 *data, *want;

  if (bytes == NULL)
    return TRUE;
  data = g_bytes_get_data (bytes, &len);
  want = g_bytes_get_data (expected, &expected_len);
  while (len > 0 && data[0] == 0)
    data++, len--;
  return len == expected_len && (len == 0 || memcmp (data, want, len) == 0);
}

ClCvcCurve
cl_cvc_curve_identify (GBytes *p, GBytes *a, GBytes *b, GBytes *g, GBytes *n)
{
  static GOnce once = G_ONCE_INIT;

  if (p == NULL || g_bytes_get_size (p) > 66)
    return CL_CVC_CURVE_NONE;
  g_once (&once, encode_curves, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (curves); i++)
    if (encoded[i].p != NULL && same_number (p, encoded[i].p) && same_number (a, encoded[i].a)
        && same_number (b, encoded[i].b) && same_number (n, encoded[i].n)
        && (g == NULL || g_bytes_equal (g, encoded[i].g)))
      return curves[i].curve;
  return CL_CVC_CURVE_NONE;
}
