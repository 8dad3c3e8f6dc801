/* cl-gp-put-key.c: PUT KEY data built from a ClKeySet. */
#include "gp/cl-gp-put-key.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "gp/cl-gp-aid.h"

#define CL_GP_KEY_TYPE_DES 0x80
#define CL_GP_KEY_TYPE_AES 0x88

static const ClKeyRole roles[3] = { CL_KEY_ROLE_ENC, CL_KEY_ROLE_MAC, CL_KEY_ROLE_DEK };
static const char *const role_names[3] = { "ENC", "MAC", "DEK" };

static GBytes *
wrap_key (ClKeySet *new_keys, ClKeyRole role, const ClGpKeyWrap *wrap, GError **error)
{
  switch (wrap->mode)
    {
      case CL_GP_KEY_WRAP_STATIC_DEK:
        if (wrap->current == NULL)
          {
            g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "PUT KEY: no current key set to wrap with");
            return NULL;
          }
        return cl_key_set_wrap_with_key_set (new_keys, role, wrap->current, CL_KEY_ROLE_DEK, CL_CIPHER_CBC_ZERO_IV,
                                             error);
      case CL_GP_KEY_WRAP_SESSION_DEK:
        if (wrap->session_dek == NULL || wrap->session_dek_len == 0)
          {
            g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "PUT KEY: no session DEK to wrap with");
            return NULL;
          }
        return cl_key_set_wrap_with_session_key (new_keys, role, wrap->session_dek, wrap->session_dek_len,
                                                 CL_CIPHER_ECB, error);
      default:
        g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "PUT KEY: unknown wrap mode %d", wrap->mode);
        return NULL;
    }
}

ClApdu *
cl_gp_put_key_apdu (ClKeySet *new_keys, guint8 old_kvn, const ClGpKeyWrap *wrap, ClGpKeyCheck *expected, GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();
  ClGpKeyCheck check = { 0 };
  gboolean aes;
  gsize key_len;
  ClApdu *apdu;

  g_return_val_if_fail (CL_IS_KEY_SET (new_keys), NULL);
  g_return_val_if_fail (wrap != NULL, NULL);

  aes = cl_key_set_get_key_type (new_keys) == CL_KEY_TYPE_AES;
  key_len = cl_key_set_get_key_length (new_keys);
  check.version = cl_key_set_get_version (new_keys);
  if (check.version == 0 || check.version > 0x7F)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "PUT KEY: new key version %02X is out of range 01-7F",
                   check.version);
      return NULL;
    }
  if (aes != (wrap->mode == CL_GP_KEY_WRAP_STATIC_DEK))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "PUT KEY: %s keys cannot be wrapped under the %s DEK",
                   aes ? "AES" : "3DES", wrap->mode == CL_GP_KEY_WRAP_STATIC_DEK ? "static" : "session");
      return NULL;
    }

  g_byte_array_append (data, &check.version, 1);
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_autoptr (GBytes) wrapped = wrap_key (new_keys, roles[i], wrap, error);
      gsize wrapped_len;
      const guint8 *w;
      guint8 head[3];
      guint head_len = 0;
      const guint8 kcv_len = 3;

      if (wrapped == NULL)
        {
          g_prefix_error (error, "PUT KEY %s key: ", role_names[i]);
          return NULL;
        }
      if (!cl_key_set_check_value (new_keys, roles[i], check.kcv[i], error))
        {
          g_prefix_error (error, "PUT KEY %s key check value: ", role_names[i]);
          return NULL;
        }
      w = g_bytes_get_data (wrapped, &wrapped_len);
      if (wrapped_len == 0 || wrapped_len > 0x7E)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_CRYPTO, "PUT KEY %s key: wrapped key of %" G_GSIZE_FORMAT " bytes",
                       role_names[i], wrapped_len);
          return NULL;
        }
      head[head_len++] = aes ? CL_GP_KEY_TYPE_AES : CL_GP_KEY_TYPE_DES;
      if (aes && wrap->inner_length)
        {
          head[head_len++] = (guint8)(wrapped_len + 1);
          head[head_len++] = (guint8)key_len;
        }
      else
        head[head_len++] = (guint8)wrapped_len;
      g_byte_array_append (data, head, head_len);
      g_byte_array_append (data, w, wrapped_len);
      g_byte_array_append (data, &kcv_len, 1);
      g_byte_array_append (data, check.kcv[i], 3);
    }

  apdu = cl_apdu_new (CL_GP_CLA, CL_GP_INS_PUT_KEY, old_kvn, 0x81, data->data, data->len, 256);
  apdu->flags |= CL_APDU_FLAG_SENSITIVE;
  cl_wipe (data->data, data->len);
  if (expected != NULL)
    *expected = check;
  return apdu;
}

gboolean
cl_gp_put_key_check_response (const guint8 *data, gsize len, const ClGpKeyCheck *expected, GError **error)
{
  g_return_val_if_fail (expected != NULL, FALSE);

  if (len != 1 + 3 * 3)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "PUT KEY response of %" G_GSIZE_FORMAT " bytes, expected key version and three check values (10)",
                   len);
      return FALSE;
    }
  if (data[0] != expected->version)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "PUT KEY: the card answered key version %02X, expected %02X",
                   data[0], expected->version);
      return FALSE;
    }
  for (guint i = 0; i < 3; i++)
    {
      const guint8 *got = data + 1 + 3 * i;

      if (!cl_memeq_const (got, expected->kcv[i], 3))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                       "PUT KEY: check value of the %s key (key %u) from the card is %02X%02X%02X, expected "
                       "%02X%02X%02X",
                       role_names[i], i + 1, got[0], got[1], got[2], expected->kcv[i][0], expected->kcv[i][1],
                       expected->kcv[i][2]);
          return FALSE;
        }
    }
  return TRUE;
}
