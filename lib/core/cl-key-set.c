#include "core/cl-key-set.h"

#include "core/cl-error.h"

G_DEFINE_INTERFACE (ClKeySet, cl_key_set, G_TYPE_OBJECT)

static void
cl_key_set_default_init (ClKeySetInterface *iface)
{
}

#define CALL_OR_FAIL(vfunc, ...)                                                                                       \
  G_STMT_START                                                                                                         \
  {                                                                                                                    \
    ClKeySetInterface *iface = CL_KEY_SET_GET_IFACE (self);                                                            \
    if (iface->vfunc == NULL)                                                                                          \
      {                                                                                                                \
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "%s: key set does not support " #vfunc,                  \
                     G_OBJECT_TYPE_NAME (self));                                                                       \
        return 0;                                                                                                      \
      }                                                                                                                \
    return iface->vfunc (self, __VA_ARGS__);                                                                           \
  }                                                                                                                    \
  G_STMT_END

ClKeyType
cl_key_set_get_key_type (ClKeySet *self)
{
  g_return_val_if_fail (CL_IS_KEY_SET (self), CL_KEY_TYPE_AES);
  return CL_KEY_SET_GET_IFACE (self)->get_key_type (self);
}

gsize
cl_key_set_get_key_length (ClKeySet *self)
{
  g_return_val_if_fail (CL_IS_KEY_SET (self), 0);
  return CL_KEY_SET_GET_IFACE (self)->get_key_length (self);
}

guint8
cl_key_set_get_version (ClKeySet *self)
{
  g_return_val_if_fail (CL_IS_KEY_SET (self), 0);
  return CL_KEY_SET_GET_IFACE (self)->get_version (self);
}

gboolean
cl_key_set_cmac (ClKeySet *self, ClKeyRole role, const guint8 *data, gsize len, guint8 out[16], GError **error)
{
  g_return_val_if_fail (CL_IS_KEY_SET (self), FALSE);
  CALL_OR_FAIL (cmac, role, data, len, out, error);
}

GBytes *
cl_key_set_encrypt (ClKeySet *self, ClKeyRole role, ClCipherMode mode, const guint8 *data, gsize len, GError **error)
{
  g_return_val_if_fail (CL_IS_KEY_SET (self), NULL);
  CALL_OR_FAIL (encrypt, role, mode, data, len, error);
}

gboolean
cl_key_set_check_value (ClKeySet *self, ClKeyRole role, guint8 kcv[3], GError **error)
{
  g_return_val_if_fail (CL_IS_KEY_SET (self), FALSE);
  CALL_OR_FAIL (check_value, role, kcv, error);
}

GBytes *
cl_key_set_wrap_with_key_set (ClKeySet *self, ClKeyRole role, ClKeySet *wrapping, ClKeyRole wrapping_role,
                              ClCipherMode mode, GError **error)
{
  g_return_val_if_fail (CL_IS_KEY_SET (self), NULL);
  g_return_val_if_fail (CL_IS_KEY_SET (wrapping), NULL);
  if (G_OBJECT_TYPE (self) != G_OBJECT_TYPE (wrapping))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Cannot wrap a %s key under a %s key: both must live in the same backend", G_OBJECT_TYPE_NAME (self),
                   G_OBJECT_TYPE_NAME (wrapping));
      return NULL;
    }
  CALL_OR_FAIL (wrap_with_key_set, role, wrapping, wrapping_role, mode, error);
}

GBytes *
cl_key_set_wrap_with_session_key (ClKeySet *self, ClKeyRole role, const guint8 *session_key, gsize key_len,
                                  ClCipherMode mode, GError **error)
{
  g_return_val_if_fail (CL_IS_KEY_SET (self), NULL);
  CALL_OR_FAIL (wrap_with_session_key, role, session_key, key_len, mode, error);
}

ClKeySet *
cl_key_set_diversify (ClKeySet *self, ClDiversification method, const guint8 kdd[10], guint8 new_version,
                      GError **error)
{
  g_return_val_if_fail (CL_IS_KEY_SET (self), NULL);
  if (method == CL_DIVERSIFY_NONE)
    return g_object_ref (self);
  CALL_OR_FAIL (diversify, method, kdd, new_version, error);
}

static const char *const diversification_names[] = {
  [CL_DIVERSIFY_NONE] = "none", [CL_DIVERSIFY_EMV] = "emv",         [CL_DIVERSIFY_VISA2] = "visa2",
  [CL_DIVERSIFY_KDF3] = "kdf3", [CL_DIVERSIFY_AES_ECB] = "aes-ecb",
};

const char *
cl_diversification_to_string (ClDiversification method)
{
  if ((guint)method < G_N_ELEMENTS (diversification_names))
    return diversification_names[method];
  return "unknown";
}

gboolean
cl_diversification_from_string (const char *name, ClDiversification *out, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (diversification_names); i++)
    if (g_strcmp0 (name, diversification_names[i]) == 0)
      {
        *out = (ClDiversification)i;
        return TRUE;
      }
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
               "Unknown diversification method '%s' (expected none, emv, visa2, kdf3 or aes-ecb)",
               name ? name : "(null)");
  return FALSE;
}
