#include "cvc/cl-cvc.h"

#include <string.h>

#include "core/cl-error.h"
#include "cvc/cl-cvc-date.h"
#include "cvc/cl-cvc-public-key.h"
#include "tlv/cl-tlv.h"

struct _ClCvc
{
  GObject parent_instance;

  GBytes *encoded;
  GBytes *body_tlv;
  GBytes *signature;
  guint8 cpi;
  char *car;
  char *chr;
  GBytes *public_key;
  ClCvcPublicKeyInfo key_info;
  GBytes *chat;
  GBytes *chat_oid;
  GBytes *chat_template;
  char effective_date[7];
  char expiry_date[7];
  GBytes *extensions;

  /* the public key decoded, for the curve it was decoded on (cl_cvc_get_public_key) */
  GMutex key_lock;
  EVP_PKEY *key;
  ClCvcCurve key_curve;
};

G_DEFINE_FINAL_TYPE (ClCvc, cl_cvc, G_TYPE_OBJECT)

static void
cl_cvc_finalize (GObject *object)
{
  ClCvc *self = CL_CVC (object);

  g_clear_pointer (&self->encoded, g_bytes_unref);
  g_clear_pointer (&self->body_tlv, g_bytes_unref);
  g_clear_pointer (&self->signature, g_bytes_unref);
  g_free (self->car);
  g_free (self->chr);
  g_clear_pointer (&self->public_key, g_bytes_unref);
  g_clear_pointer (&self->chat, g_bytes_unref);
  g_clear_pointer (&self->chat_oid, g_bytes_unref);
  g_clear_pointer (&self->chat_template, g_bytes_unref);
  g_clear_pointer (&self->extensions, g_bytes_unref);
  g_clear_pointer (&self->key, EVP_PKEY_free);
  g_mutex_clear (&self->key_lock);
  G_OBJECT_CLASS (cl_cvc_parent_class)->finalize (object);
}

static void
cl_cvc_class_init (ClCvcClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_cvc_finalize;
}

static void
cl_cvc_init (ClCvc *self)
{
  g_mutex_init (&self->key_lock);
}

static char *
reference_dup (const ClTlv *tlv, const char *what, GError **error)
{
  if (!cl_cvc_reference_is_valid (tlv->value, tlv->len))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "CVC %s: %" G_GSIZE_FORMAT " bytes are not 1..64 printable characters", what, tlv->len);
      return NULL;
    }
  return g_strndup ((const char *)tlv->value, tlv->len);
}

static gboolean
parse_chat (ClCvc *self, const ClTlv *tlv, GError **error)
{
  ClTlv oid, tmpl;
  gsize pos = 0;
  GError *local = NULL;

  if (!cl_tlv_read (tlv->value, tlv->len, &pos, &oid, &local) || oid.tag != 0x06
      || !cl_tlv_read (tlv->value, tlv->len, &pos, &tmpl, &local) || tmpl.tag != 0x53 || pos != tlv->len)
    {
      if (local)
        g_propagate_prefixed_error (error, local, "CVC CHAT (7F4C): ");
      else
        g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "CVC CHAT (7F4C): expected exactly 06 OID then 53 template");
      return FALSE;
    }
  self->chat = g_bytes_new (tlv->value, tlv->len);
  self->chat_oid = g_bytes_new (oid.value, oid.len);
  self->chat_template = g_bytes_new (tmpl.value, tmpl.len);
  return TRUE;
}

/* The children come in the order TR-03110 fixes, each at most once; anything else is rejected so that a parsed
 * certificate always re-encodes to its own bytes. */
static const guint32 body_order[] = { 0x5F29, 0x42, 0x7F49, 0x5F20, 0x7F4C, 0x5F25, 0x5F24, 0x65 };

static gboolean
parse_body (ClCvc *self, const guint8 *body, gsize len, gsize base, GError **error)
{
  gsize pos = 0;
  guint next = 0;
  gboolean have_cpi = FALSE;
  ClTlv tlv;
  GError *local = NULL;

  while (cl_tlv_read (body, len, &pos, &tlv, &local))
    {
      guint index = next;

      while (index < G_N_ELEMENTS (body_order) && body_order[index] != tlv.tag)
        index++;
      if (index == G_N_ELEMENTS (body_order))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "CVC body: unexpected or out-of-order tag %X at offset %" G_GSIZE_FORMAT, tlv.tag,
                       base + (gsize)(tlv.raw - body));
          return FALSE;
        }
      next = index + 1;
      switch (tlv.tag)
        {
          case 0x5F29:
            if (tlv.len != 1)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "CVC CPI (5F29): %" G_GSIZE_FORMAT " bytes, expected 1", tlv.len);
                return FALSE;
              }
            self->cpi = tlv.value[0];
            have_cpi = TRUE;
            break;
          case 0x42:
            if ((self->car = reference_dup (&tlv, "CAR (42)", error)) == NULL)
              return FALSE;
            break;
          case 0x7F49:
            if (!cl_cvc_public_key_inspect (tlv.value, tlv.len, &self->key_info, error))
              return FALSE;
            self->public_key = g_bytes_new (tlv.value, tlv.len);
            break;
          case 0x5F20:
            if ((self->chr = reference_dup (&tlv, "CHR (5F20)", error)) == NULL)
              return FALSE;
            break;
          case 0x7F4C:
            if (!parse_chat (self, &tlv, error))
              return FALSE;
            break;
          case 0x5F25:
            if (!cl_cvc_date_decode (tlv.value, tlv.len, "CVC effective date (5F25)", self->effective_date, error))
              return FALSE;
            break;
          case 0x5F24:
            if (!cl_cvc_date_decode (tlv.value, tlv.len, "CVC expiry date (5F24)", self->expiry_date, error))
              return FALSE;
            break;
          case 0x65:
            self->extensions = g_bytes_new (tlv.value, tlv.len);
            break;
          default:
            g_assert_not_reached ();
        }
    }
  if (local)
    {
      g_propagate_prefixed_error (error, local, "CVC body (7F4E): ");
      return FALSE;
    }
  if (!have_cpi || self->public_key == NULL || self->chr == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CVC body (7F4E): %s missing",
                   self->public_key == NULL ? "public key (7F49)"
                   : self->chr == NULL      ? "holder reference (5F20)"
                                            : "profile identifier (5F29)");
      return FALSE;
    }
  return TRUE;
}

ClCvc *
cl_cvc_new_from_data (const guint8 *data, gsize len, gsize *consumed, GError **error)
{
  g_autoptr (ClCvc) self = NULL;
  ClTlv outer, body, sig;
  gsize pos = 0, inner = 0;
  GError *local = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (!cl_tlv_read (data, len, &pos, &outer, &local))
    {
      if (local)
        g_propagate_prefixed_error (error, local, "CVC: ");
      else
        g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED, "CVC: no data");
      return NULL;
    }
  if (outer.tag != 0x7F21)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CVC: tag %X at offset 0, expected 7F21", outer.tag);
      return NULL;
    }
  if (!cl_tlv_read (outer.value, outer.len, &inner, &body, &local) || body.tag != 0x7F4E)
    {
      if (local)
        g_propagate_prefixed_error (error, local, "CVC (7F21): ");
      else
        g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED, "CVC (7F21): does not start with a body (7F4E)");
      return NULL;
    }
  if (!cl_tlv_read (outer.value, outer.len, &inner, &sig, &local) || sig.tag != 0x5F37 || sig.len == 0
      || inner != outer.len)
    {
      if (local)
        g_propagate_prefixed_error (error, local, "CVC (7F21): ");
      else
        g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "CVC (7F21): the body must be followed by a non-empty signature (5F37) and nothing else");
      return NULL;
    }

  self = g_object_new (CL_TYPE_CVC, NULL);
  if (!parse_body (self, body.value, body.len, (gsize)(body.value - data), error))
    return NULL;
  self->encoded = g_bytes_new (outer.raw, outer.raw_len);
  self->body_tlv = g_bytes_new (body.raw, body.raw_len);
  self->signature = g_bytes_new (sig.value, sig.len);
  if (consumed)
    *consumed = pos;
  return g_steal_pointer (&self);
}

ClCvc *
cl_cvc_new_from_bytes (GBytes *bytes, GError **error)
{
  gsize len, consumed = 0;
  const guint8 *data;
  ClCvc *self;

  g_return_val_if_fail (bytes != NULL, NULL);
  data = g_bytes_get_data (bytes, &len);
  self = cl_cvc_new_from_data (data, len, &consumed, error);
  if (self != NULL && consumed != len)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "CVC: %" G_GSIZE_FORMAT " trailing bytes at offset %" G_GSIZE_FORMAT, len - consumed, consumed);
      g_clear_object (&self);
    }
  return self;
}

GBytes *
cl_cvc_get_encoded (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->encoded;
}

GBytes *
cl_cvc_get_body_tlv (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->body_tlv;
}

GBytes *
cl_cvc_get_signature (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->signature;
}

guint8
cl_cvc_get_cpi (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), 0);
  return self->cpi;
}

const char *
cl_cvc_get_car (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->car;
}

const char *
cl_cvc_get_chr (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->chr;
}

ClCvcAlgorithm
cl_cvc_get_algorithm (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), CL_CVC_ALGORITHM_UNKNOWN);
  return self->key_info.algorithm;
}

ClCvcCurve
cl_cvc_get_curve (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), CL_CVC_CURVE_NONE);
  return self->key_info.curve;
}

GBytes *
cl_cvc_get_public_key_template (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->public_key;
}

/* Decoded once per certificate object and curve (a reference to free): an issuer (the line's DICA) checks every
 * card, a device key request is read three times per card, and decoding builds the curve's group each time. OpenSSL
 * 3 keys are safe to verify with from several threads at once. */
EVP_PKEY *
cl_cvc_get_public_key (ClCvc *self, ClCvcCurve fallback, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  gsize len;
  const guint8 *tmpl;

  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  locker = g_mutex_locker_new (&self->key_lock);
  if (self->key == NULL || self->key_curve != fallback)
    {
      EVP_PKEY *key;

      tmpl = g_bytes_get_data (self->public_key, &len);
      key = cl_cvc_public_key_decode (tmpl, len, fallback, error);
      if (key == NULL)
        return NULL;
      g_clear_pointer (&self->key, EVP_PKEY_free);
      self->key = key;
      self->key_curve = fallback;
    }
  EVP_PKEY_up_ref (self->key);
  return self->key;
}

GBytes *
cl_cvc_get_chat (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->chat;
}

GBytes *
cl_cvc_get_chat_oid (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->chat_oid;
}

GBytes *
cl_cvc_get_chat_template (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->chat_template;
}

const char *
cl_cvc_get_effective_date (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->effective_date[0] ? self->effective_date : NULL;
}

const char *
cl_cvc_get_expiry_date (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->expiry_date[0] ? self->expiry_date : NULL;
}

GBytes *
cl_cvc_get_extensions (ClCvc *self)
{
  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  return self->extensions;
}

ClCvcBody *
cl_cvc_get_body (ClCvc *self)
{
  ClCvcBody *body;

  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  body = cl_cvc_body_new ();
  body->cpi = self->cpi;
  body->car = g_strdup (self->car);
  body->public_key = g_bytes_ref (self->public_key);
  body->chr = g_strdup (self->chr);
  body->chat = self->chat ? g_bytes_ref (self->chat) : NULL;
  body->effective_date = g_strdup (cl_cvc_get_effective_date (self));
  body->expiry_date = g_strdup (cl_cvc_get_expiry_date (self));
  body->extensions = self->extensions ? g_bytes_ref (self->extensions) : NULL;
  return body;
}

char *
cl_cvc_get_opensc_serial (ClCvc *self)
{
  gsize len;

  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  len = strlen (self->chr);
  return g_strndup (self->chr, len > 5 ? len - 5 : 0);
}

gboolean
cl_cvc_verify (ClCvc *self, EVP_PKEY *issuer_key, ClCvcAlgorithm algorithm, GError **error)
{
  gsize tbs_len, sig_len;
  const guint8 *tbs, *sig;
  GError *local = NULL;

  g_return_val_if_fail (CL_IS_CVC (self), FALSE);
  tbs = g_bytes_get_data (self->body_tlv, &tbs_len);
  sig = g_bytes_get_data (self->signature, &sig_len);
  if (!cl_cvc_signature_verify (algorithm, issuer_key, tbs, tbs_len, sig, sig_len, &local))
    {
      g_propagate_prefixed_error (error, local, "CVC %s: ", self->chr);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_cvc_verify_issued_by (ClCvc *self, ClCvc *issuer, ClCvcCurve fallback, GError **error)
{
  EVP_PKEY *key;
  gboolean ok;
  ClCvcCurve curve;

  g_return_val_if_fail (CL_IS_CVC (self), FALSE);
  g_return_val_if_fail (CL_IS_CVC (issuer), FALSE);

  if (self->car == NULL || strcmp (self->car, issuer->chr) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "CVC %s: authority reference %s does not name issuer %s",
                   self->chr, self->car ? self->car : "(none)", issuer->chr);
      return FALSE;
    }
  curve = issuer->key_info.curve != CL_CVC_CURVE_NONE ? issuer->key_info.curve : fallback;
  key = cl_cvc_get_public_key (issuer, curve, error);
  if (key == NULL)
    return FALSE;
  ok = cl_cvc_verify (self, key, issuer->key_info.algorithm, error);
  EVP_PKEY_free (key);
  return ok;
}

GBytes *
cl_cvc_get_public_point (ClCvc *self)
{
  GBytes *key;
  ClTlv point;

  g_return_val_if_fail (CL_IS_CVC (self), NULL);
  key = cl_cvc_get_public_key_template (self);
  if (key == NULL || !cl_tlv_find (g_bytes_get_data (key, NULL), g_bytes_get_size (key), 0x86, &point, NULL))
    return NULL;
  return g_bytes_new (point.value, point.len);
}
