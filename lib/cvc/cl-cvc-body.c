#include "cvc/cl-cvc-body.h"

#include <string.h>

#include "core/cl-error.h"
#include "cvc/cl-cvc-date.h"
#include "cvc/cl-cvc-public-key.h"
#include "tlv/cl-tlv.h"

ClCvcBody *
cl_cvc_body_new (void)
{
  return g_new0 (ClCvcBody, 1);
}

void
cl_cvc_body_free (ClCvcBody *body)
{
  if (body == NULL)
    return;
  g_free (body->car);
  g_clear_pointer (&body->public_key, g_bytes_unref);
  g_free (body->chr);
  g_clear_pointer (&body->chat, g_bytes_unref);
  g_free (body->effective_date);
  g_free (body->expiry_date);
  g_clear_pointer (&body->extensions, g_bytes_unref);
  g_free (body);
}

gboolean
cl_cvc_body_set_public_key (ClCvcBody *body, EVP_PKEY *key, ClCvcAlgorithm algorithm, gboolean with_domain,
                            GError **error)
{
  GBytes *tmpl = cl_cvc_public_key_encode (key, algorithm, with_domain, error);

  if (tmpl == NULL)
    return FALSE;
  g_clear_pointer (&body->public_key, g_bytes_unref);
  body->public_key = tmpl;
  return TRUE;
}

void
cl_cvc_body_set_chat (ClCvcBody *body, const guint8 *oid, gsize oid_len, const guint8 *tmpl, gsize tmpl_len)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  cl_tlv_append (out, 0x06, oid, oid_len);
  cl_tlv_append (out, 0x53, tmpl, tmpl_len);
  g_clear_pointer (&body->chat, g_bytes_unref);
  body->chat = g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

void
cl_cvc_body_set_validity (ClCvcBody *body, GDateTime *effective, GDateTime *expiry)
{
  g_free (body->effective_date);
  g_free (body->expiry_date);
  body->effective_date = effective ? cl_cvc_date_from_datetime (effective) : NULL;
  body->expiry_date = expiry ? cl_cvc_date_from_datetime (expiry) : NULL;
}

gboolean
cl_cvc_reference_is_valid (const guint8 *value, gsize len)
{
  if (len == 0 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (value[i] < 0x20 || value[i] > 0x7E)
      return FALSE;
  return TRUE;
}

static gboolean
append_reference (GByteArray *out, guint32 tag, const char *value, const char *what, GError **error)
{
  if (!cl_cvc_reference_is_valid ((const guint8 *)value, strlen (value)))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "CVC body: %s must be 1..64 printable characters", what);
      return FALSE;
    }
  cl_tlv_append (out, tag, (const guint8 *)value, strlen (value));
  return TRUE;
}

static gboolean
append_date (GByteArray *out, guint32 tag, const char *value, GError **error)
{
  guint8 digits[6];

  if (!cl_cvc_date_encode (value, digits, error))
    return FALSE;
  cl_tlv_append (out, tag, digits, sizeof digits);
  return TRUE;
}

static void
append_bytes (GByteArray *out, guint32 tag, GBytes *value)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (value, &len);

  cl_tlv_append (out, tag, data, len);
}

static gboolean
encode_into (const ClCvcBody *body, GByteArray *out, GError **error)
{
  ClCvcPublicKeyInfo info;
  gsize key_len;
  const guint8 *key;

  if (body->public_key == NULL || body->chr == NULL)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                           body->public_key == NULL ? "CVC body: public key (7F49) missing"
                                                    : "CVC body: holder reference (5F20) missing");
      return FALSE;
    }
  key = g_bytes_get_data (body->public_key, &key_len);
  if (!cl_cvc_public_key_inspect (key, key_len, &info, error))
    return FALSE;

  cl_tlv_append (out, 0x5F29, &body->cpi, 1);
  if (body->car && !append_reference (out, 0x42, body->car, "authority reference (42)", error))
    return FALSE;
  append_bytes (out, 0x7F49, body->public_key);
  if (!append_reference (out, 0x5F20, body->chr, "holder reference (5F20)", error))
    return FALSE;
  if (body->chat)
    append_bytes (out, 0x7F4C, body->chat);
  if (body->effective_date && !append_date (out, 0x5F25, body->effective_date, error))
    return FALSE;
  if (body->expiry_date && !append_date (out, 0x5F24, body->expiry_date, error))
    return FALSE;
  if (body->extensions)
    append_bytes (out, 0x65, body->extensions);
  return TRUE;
}

GBytes *
cl_cvc_body_encode_contents (const ClCvcBody *body, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  g_return_val_if_fail (body != NULL, NULL);
  if (!encode_into (body, out, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
cl_cvc_body_encode (const ClCvcBody *body, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gsize mark;

  g_return_val_if_fail (body != NULL, NULL);
  mark = cl_tlv_begin (out, 0x7F4E);
  if (!encode_into (body, out, error))
    return NULL;
  cl_tlv_end (out, mark);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
cl_cvc_assemble (GBytes *body_tlv, const guint8 *signature, gsize signature_len)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gsize mark = cl_tlv_begin (out, 0x7F21);
  gsize len;
  const guint8 *data = g_bytes_get_data (body_tlv, &len);

  g_byte_array_append (out, data, (guint)len);
  cl_tlv_append (out, 0x5F37, signature, signature_len);
  cl_tlv_end (out, mark);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
cl_cvc_body_sign (const ClCvcBody *body, ClCvcSignFunc sign_func, gpointer user_data, GError **error)
{
  g_autoptr (GBytes) tbs = cl_cvc_body_encode (body, error);
  g_autoptr (GByteArray) sig = g_byte_array_new ();
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (sign_func != NULL, NULL);
  if (tbs == NULL)
    return NULL;
  data = g_bytes_get_data (tbs, &len);
  if (!sign_func (data, len, sig, user_data, error))
    return NULL;
  if (sig->len == 0)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_CRYPTO, "Signing the CVC body returned no signature");
      return NULL;
    }
  return cl_cvc_assemble (tbs, sig->data, sig->len);
}
