#include "cvc/cl-cvc-request.h"

#include <string.h>

#include "core/cl-error.h"
#include "tlv/cl-tlv.h"

struct _ClCvcRequest
{
  GObject parent_instance;

  GBytes *encoded;
  ClCvc *inner;
  char *outer_car;
  GBytes *outer_tbs; /* 7F21 TLV || 42 TLV */
  GBytes *outer_signature;
};

G_DEFINE_FINAL_TYPE (ClCvcRequest, cl_cvc_request, G_TYPE_OBJECT)

static void
cl_cvc_request_finalize (GObject *object)
{
  ClCvcRequest *self = CL_CVC_REQUEST (object);

  g_clear_pointer (&self->encoded, g_bytes_unref);
  g_clear_object (&self->inner);
  g_free (self->outer_car);
  g_clear_pointer (&self->outer_tbs, g_bytes_unref);
  g_clear_pointer (&self->outer_signature, g_bytes_unref);
  G_OBJECT_CLASS (cl_cvc_request_parent_class)->finalize (object);
}

static void
cl_cvc_request_class_init (ClCvcRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_cvc_request_finalize;
}

static void
cl_cvc_request_init (ClCvcRequest *self)
{
}

static gboolean
parse_authenticated (ClCvcRequest *self, const ClTlv *outer, GError **error)
{
  gsize pos = 0, inner_len = 0;
  ClTlv car, sig;
  GError *local = NULL;

  self->inner = cl_cvc_new_from_data (outer->value, outer->len, &inner_len, error);
  if (self->inner == NULL)
    {
      g_prefix_error (error, "Authenticated request (67): ");
      return FALSE;
    }
  pos = inner_len;
  if (!cl_tlv_read (outer->value, outer->len, &pos, &car, &local) || car.tag != 0x42
      || !cl_tlv_read (outer->value, outer->len, &pos, &sig, &local) || sig.tag != 0x5F37 || sig.len == 0
      || pos != outer->len)
    {
      if (local)
        g_propagate_prefixed_error (error, local, "Authenticated request (67): ");
      else
        g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "Authenticated request (67): expected 7F21, 42 outer CAR, 5F37 outer signature");
      return FALSE;
    }
  if (!cl_cvc_reference_is_valid (car.value, car.len))
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED,
                           "Authenticated request (67): outer CAR (42) is not printable text");
      return FALSE;
    }
  self->outer_car = g_strndup ((const char *)car.value, car.len);
  self->outer_tbs = g_bytes_new (outer->value, (gsize)(car.raw + car.raw_len - outer->value));
  self->outer_signature = g_bytes_new (sig.value, sig.len);
  return TRUE;
}

ClCvcRequest *
cl_cvc_request_new_from_bytes (GBytes *bytes, GError **error)
{
  g_autoptr (ClCvcRequest) self = NULL;
  gsize len, pos = 0;
  const guint8 *data;
  ClTlv outer;
  GError *local = NULL;

  g_return_val_if_fail (bytes != NULL, NULL);
  data = g_bytes_get_data (bytes, &len);
  if (!cl_tlv_read (data, len, &pos, &outer, &local))
    {
      if (local)
        g_propagate_prefixed_error (error, local, "CV request: ");
      else
        g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED, "CV request: no data");
      return NULL;
    }
  if (pos != len)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "CV request: %" G_GSIZE_FORMAT " trailing bytes at offset %" G_GSIZE_FORMAT, len - pos, pos);
      return NULL;
    }

  self = g_object_new (CL_TYPE_CVC_REQUEST, NULL);
  if (outer.tag == 0x67)
    {
      if (!parse_authenticated (self, &outer, error))
        return NULL;
    }
  else if (outer.tag == 0x7F21)
    {
      self->inner = cl_cvc_new_from_data (data, len, NULL, error);
      if (self->inner == NULL)
        return NULL;
    }
  else
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CV request: tag %X at offset 0, expected 67 or 7F21",
                   outer.tag);
      return NULL;
    }
  self->encoded = g_bytes_new (data, len);
  return g_steal_pointer (&self);
}

GBytes *
cl_cvc_request_get_encoded (ClCvcRequest *self)
{
  g_return_val_if_fail (CL_IS_CVC_REQUEST (self), NULL);
  return self->encoded;
}

ClCvc *
cl_cvc_request_get_inner (ClCvcRequest *self)
{
  g_return_val_if_fail (CL_IS_CVC_REQUEST (self), NULL);
  return self->inner;
}

gboolean
cl_cvc_request_is_authenticated (ClCvcRequest *self)
{
  g_return_val_if_fail (CL_IS_CVC_REQUEST (self), FALSE);
  return self->outer_car != NULL;
}

const char *
cl_cvc_request_get_outer_car (ClCvcRequest *self)
{
  g_return_val_if_fail (CL_IS_CVC_REQUEST (self), NULL);
  return self->outer_car;
}

GBytes *
cl_cvc_request_get_outer_signature (ClCvcRequest *self)
{
  g_return_val_if_fail (CL_IS_CVC_REQUEST (self), NULL);
  return self->outer_signature;
}

gboolean
cl_cvc_request_verify_inner (ClCvcRequest *self, ClCvcCurve fallback, GError **error)
{
  EVP_PKEY *key;
  gboolean ok;

  g_return_val_if_fail (CL_IS_CVC_REQUEST (self), FALSE);
  key = cl_cvc_get_public_key (self->inner, fallback, error);
  if (key == NULL)
    return FALSE;
  ok = cl_cvc_verify (self->inner, key, cl_cvc_get_algorithm (self->inner), error);
  EVP_PKEY_free (key);
  if (!ok)
    g_prefix_error (error, "Request proof of possession: ");
  return ok;
}

gboolean
cl_cvc_request_verify_outer (ClCvcRequest *self, EVP_PKEY *outer_key, ClCvcAlgorithm algorithm, GError **error)
{
  gsize tbs_len, sig_len;
  const guint8 *tbs, *sig;

  g_return_val_if_fail (CL_IS_CVC_REQUEST (self), FALSE);
  if (self->outer_car == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Request %s is not authenticated (no outer signature)",
                   cl_cvc_get_chr (self->inner));
      return FALSE;
    }
  tbs = g_bytes_get_data (self->outer_tbs, &tbs_len);
  sig = g_bytes_get_data (self->outer_signature, &sig_len);
  if (!cl_cvc_signature_verify (algorithm, outer_key, tbs, tbs_len, sig, sig_len, error))
    {
      g_prefix_error (error, "Request outer signature (by %s): ", self->outer_car);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_cvc_request_verify_outer_by (ClCvcRequest *self, ClCvc *outer_cert, ClCvcCurve fallback, GError **error)
{
  EVP_PKEY *key;
  gboolean ok;

  g_return_val_if_fail (CL_IS_CVC_REQUEST (self), FALSE);
  g_return_val_if_fail (CL_IS_CVC (outer_cert), FALSE);
  if (self->outer_car != NULL && strcmp (self->outer_car, cl_cvc_get_chr (outer_cert)) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Request outer CAR %s does not name %s", self->outer_car,
                   cl_cvc_get_chr (outer_cert));
      return FALSE;
    }
  key = cl_cvc_get_public_key (
    outer_cert, cl_cvc_get_curve (outer_cert) != CL_CVC_CURVE_NONE ? cl_cvc_get_curve (outer_cert) : fallback, error);
  if (key == NULL)
    return FALSE;
  ok = cl_cvc_request_verify_outer (self, key, cl_cvc_get_algorithm (outer_cert), error);
  EVP_PKEY_free (key);
  return ok;
}

GBytes *
cl_cvc_request_build (const ClCvcBody *body, ClCvcSignFunc inner_sign, gpointer inner_data, const char *outer_car,
                      ClCvcSignFunc outer_sign, gpointer outer_data, GError **error)
{
  g_autoptr (GBytes) inner = cl_cvc_body_sign (body, inner_sign, inner_data, error);
  g_autoptr (GByteArray) tbs = g_byte_array_new ();
  g_autoptr (GByteArray) sig = g_byte_array_new ();
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gsize mark;

  if (inner == NULL)
    return NULL;
  if (outer_car == NULL)
    return g_steal_pointer (&inner);
  g_return_val_if_fail (outer_sign != NULL, NULL);
  if (!cl_cvc_reference_is_valid ((const guint8 *)outer_car, strlen (outer_car)))
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                           "Request outer CAR must be 1..64 printable characters");
      return NULL;
    }
  g_byte_array_append (tbs, g_bytes_get_data (inner, NULL), (guint)g_bytes_get_size (inner));
  cl_tlv_append (tbs, 0x42, (const guint8 *)outer_car, strlen (outer_car));
  if (!outer_sign (tbs->data, tbs->len, sig, outer_data, error))
    return NULL;
  mark = cl_tlv_begin (out, 0x67);
  g_byte_array_append (out, tbs->data, tbs->len);
  cl_tlv_append (out, 0x5F37, sig->data, sig->len);
  cl_tlv_end (out, mark);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

ClCvcBody *
cl_cvc_request_certificate_body (ClCvcRequest *self, const char *issuer_chr, ClCvcCurve fallback, GError **error)
{
  g_autoptr (ClCvcBody) body = cl_cvc_body_new ();
  EVP_PKEY *key;
  gboolean ok;

  g_return_val_if_fail (CL_IS_CVC_REQUEST (self), NULL);
  g_return_val_if_fail (issuer_chr != NULL, NULL);
  key = cl_cvc_get_public_key (self->inner, fallback, error);
  if (key == NULL)
    return NULL;
  body->car = g_strdup (issuer_chr);
  body->chr = g_strdup (cl_cvc_get_chr (self->inner));
  ok = cl_cvc_body_set_public_key (body, key, cl_cvc_get_algorithm (self->inner), FALSE, error);
  EVP_PKEY_free (key);
  return ok ? g_steal_pointer (&body) : NULL;
}
