#include "crypto/cl-plain-key-set.h"

#include <string.h>

#include "core/cl-diversify-data.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"

#define MAX_KEY 32

struct _ClPlainKeySet
{
  GObject parent_instance;

  ClKeyType type;
  guint8 version;
  gsize key_len;
  guint8 keys[3][MAX_KEY]; /* indexed by role - 1 */
};

static void cl_plain_key_set_iface_init (ClKeySetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClPlainKeySet, cl_plain_key_set, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_KEY_SET, cl_plain_key_set_iface_init))

static const guint8 *
key_of (ClPlainKeySet *self, ClKeyRole role, GError **error)
{
  if (role < CL_KEY_ROLE_ENC || role > CL_KEY_ROLE_DEK)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Unknown key role %d", (int)role);
      return NULL;
    }
  return self->keys[role - 1];
}

static ClCipherAlgorithm
algorithm_of (ClPlainKeySet *self)
{
  return self->type == CL_KEY_TYPE_AES ? CL_CIPHER_AES : CL_CIPHER_DES3;
}

static ClKeyType
plain_get_key_type (ClKeySet *ks)
{
  return CL_PLAIN_KEY_SET (ks)->type;
}

static gsize
plain_get_key_length (ClKeySet *ks)
{
  return CL_PLAIN_KEY_SET (ks)->key_len;
}

static guint8
plain_get_version (ClKeySet *ks)
{
  return CL_PLAIN_KEY_SET (ks)->version;
}

static gboolean
plain_cmac (ClKeySet *ks, ClKeyRole role, const guint8 *data, gsize len, guint8 out[16], GError **error)
{
  ClPlainKeySet *self = CL_PLAIN_KEY_SET (ks);
  const guint8 *key = key_of (self, role, error);

  if (key == NULL)
    return FALSE;
  if (self->type != CL_KEY_TYPE_AES)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "AES-CMAC asked of a 3DES key set");
      return FALSE;
    }
  return cl_aes_cmac (key, self->key_len, data, len, out, error);
}

static GBytes *
encrypt_under (ClCipherAlgorithm algorithm, const guint8 *key, gsize key_len, ClCipherMode mode, const guint8 *data,
               gsize len, GError **error)
{
  guint8 *out = g_malloc (len ? len : 1);

  if (!cl_cipher_encrypt (algorithm, mode == CL_CIPHER_ECB ? CL_CIPHER_MODE_ECB : CL_CIPHER_MODE_CBC, key, key_len,
                          NULL, data, len, out, error))
    {
      g_free (out);
      return NULL;
    }
  return g_bytes_new_take (out, len);
}

static GBytes *
plain_encrypt (ClKeySet *ks, ClKeyRole role, ClCipherMode mode, const guint8 *data, gsize len, GError **error)
{
  ClPlainKeySet *self = CL_PLAIN_KEY_SET (ks);
  const guint8 *key = key_of (self, role, error);

  if (key == NULL)
    return NULL;
  return encrypt_under (algorithm_of (self), key, self->key_len, mode, data, len, error);
}

static gboolean
plain_check_value (ClKeySet *ks, ClKeyRole role, guint8 kcv[3], GError **error)
{
  ClPlainKeySet *self = CL_PLAIN_KEY_SET (ks);
  const guint8 *key = key_of (self, role, error);

  if (key == NULL)
    return FALSE;
  if (self->type == CL_KEY_TYPE_AES)
    return cl_kcv_aes (key, self->key_len, kcv, error);
  return cl_kcv_des3 (key, self->key_len, kcv, error);
}

static GBytes *
plain_wrap_with_key_set (ClKeySet *ks, ClKeyRole role, ClKeySet *wrapping, ClKeyRole wrapping_role, ClCipherMode mode,
                         GError **error)
{
  ClPlainKeySet *self = CL_PLAIN_KEY_SET (ks);
  ClPlainKeySet *wrap = CL_PLAIN_KEY_SET (wrapping);
  const guint8 *key = key_of (self, role, error);
  const guint8 *kek = key ? key_of (wrap, wrapping_role, error) : NULL;

  if (kek == NULL)
    return NULL;
  return encrypt_under (algorithm_of (wrap), kek, wrap->key_len, mode, key, self->key_len, error);
}

static GBytes *
plain_wrap_with_session_key (ClKeySet *ks, ClKeyRole role, const guint8 *session_key, gsize key_len, ClCipherMode mode,
                             GError **error)
{
  ClPlainKeySet *self = CL_PLAIN_KEY_SET (ks);
  const guint8 *key = key_of (self, role, error);

  if (key == NULL)
    return NULL;
  return encrypt_under (algorithm_of (self), session_key, key_len, mode, key, self->key_len, error);
}

static gboolean
diversify_one (ClPlainKeySet *self, ClDiversification method, const guint8 kdd[10], ClKeyRole role, guint8 *out,
               GError **error)
{
  const guint8 *master = self->keys[role - 1];
  guint8 data[32];
  guint8 result[32];
  gboolean ok = FALSE;

  switch (method)
    {
      case CL_DIVERSIFY_EMV:
      case CL_DIVERSIFY_VISA2:
        if (self->type != CL_KEY_TYPE_DES3)
          break;
        cl_diversify_data_des (method, kdd, role, data);
        ok = cl_cipher_encrypt (CL_CIPHER_DES3, CL_CIPHER_MODE_ECB, master, self->key_len, NULL, data, 16, result,
                                error);
        if (ok && self->key_len == 24)
          memcpy (result + 16, result, 8); /* a 3-key master gives a 2-key card key, stored as K1 K2 K1 */
        break;
      case CL_DIVERSIFY_KDF3:
        if (self->type != CL_KEY_TYPE_AES)
          break;
        ok = TRUE;
        for (guint8 n = 1; ok && (gsize)(n - 1) * 16 < self->key_len; n++)
          {
            guint8 input[16];
            cl_diversify_data_kdf3 (kdd, role, n, input);
            ok = cl_aes_cmac (master, self->key_len, input, 16, result + (n - 1) * 16, error);
          }
        break;
      case CL_DIVERSIFY_AES_ECB:
        if (self->type != CL_KEY_TYPE_AES)
          break;
        {
          gsize data_len = cl_diversify_data_aes_ecb (kdd, role, self->key_len, data);
          ok = cl_cipher_encrypt (CL_CIPHER_AES, CL_CIPHER_MODE_ECB, master, self->key_len, NULL, data, data_len,
                                  result, error);
        }
        break;
      case CL_DIVERSIFY_NONE:
      default:
        g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Unknown diversification method %d", (int)method);
        return FALSE;
    }
  if (ok)
    memcpy (out, result, self->key_len);
  else if (error && *error == NULL)
    g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Diversification %s does not apply to %s keys",
                 cl_diversification_to_string (method), self->type == CL_KEY_TYPE_AES ? "AES" : "3DES");
  cl_wipe (result, sizeof result);
  cl_wipe (data, sizeof data);
  return ok;
}

static ClKeySet *
plain_diversify (ClKeySet *ks, ClDiversification method, const guint8 kdd[10], guint8 new_version, GError **error)
{
  ClPlainKeySet *self = CL_PLAIN_KEY_SET (ks);
  guint8 keys[3][MAX_KEY];
  ClKeySet *result = NULL;

  if (diversify_one (self, method, kdd, CL_KEY_ROLE_ENC, keys[0], error)
      && diversify_one (self, method, kdd, CL_KEY_ROLE_MAC, keys[1], error)
      && diversify_one (self, method, kdd, CL_KEY_ROLE_DEK, keys[2], error))
    result = cl_plain_key_set_new (self->type, new_version, keys[0], keys[1], keys[2], self->key_len, error);
  cl_wipe (keys, sizeof keys);
  return result;
}

static void
cl_plain_key_set_iface_init (ClKeySetInterface *iface)
{
  iface->get_key_type = plain_get_key_type;
  iface->get_key_length = plain_get_key_length;
  iface->get_version = plain_get_version;
  iface->cmac = plain_cmac;
  iface->encrypt = plain_encrypt;
  iface->check_value = plain_check_value;
  iface->wrap_with_key_set = plain_wrap_with_key_set;
  iface->wrap_with_session_key = plain_wrap_with_session_key;
  iface->diversify = plain_diversify;
}

static void
cl_plain_key_set_finalize (GObject *object)
{
  ClPlainKeySet *self = CL_PLAIN_KEY_SET (object);

  cl_wipe (self->keys, sizeof self->keys);
  G_OBJECT_CLASS (cl_plain_key_set_parent_class)->finalize (object);
}

static void
cl_plain_key_set_class_init (ClPlainKeySetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_plain_key_set_finalize;
}

static void
cl_plain_key_set_init (ClPlainKeySet *self)
{
}

ClKeySet *
cl_plain_key_set_new (ClKeyType type, guint8 version, const guint8 *enc, const guint8 *mac, const guint8 *dek,
                      gsize key_len, GError **error)
{
  ClPlainKeySet *self;
  gboolean valid = type == CL_KEY_TYPE_AES ? (key_len == 16 || key_len == 24 || key_len == 32)
                                           : (type == CL_KEY_TYPE_DES3 && (key_len == 16 || key_len == 24));

  if (!valid)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A %s key set cannot hold %" G_GSIZE_FORMAT "-byte keys",
                   type == CL_KEY_TYPE_AES ? "AES" : "3DES", key_len);
      return NULL;
    }
  if (enc == NULL || mac == NULL || dek == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A key set needs ENC, MAC and DEK keys");
      return NULL;
    }
  self = g_object_new (CL_TYPE_PLAIN_KEY_SET, NULL);
  self->type = type;
  self->version = version;
  self->key_len = key_len;
  memcpy (self->keys[0], enc, key_len);
  memcpy (self->keys[1], mac, key_len);
  memcpy (self->keys[2], dek, key_len);
  return CL_KEY_SET (self);
}
