#include "p11/cl-p11-key-set.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "core/cl-diversify-data.h"
#include "p11/cl-p11-error.h"
#include "p11/cl-p11-key-store.h"

struct _ClP11KeySet
{
  GObject parent_instance;

  ClP11Token *token;
  guint generation; /* the token's, when the handles were found: a reconnect makes them meaningless */
  char *name;
  guint8 version;
  ClKeyType type;
  gsize key_len;
  CK_OBJECT_HANDLE handles[3];
  gboolean owns_objects;
  gboolean host_derived;
  ClP11KeySetOptions options;

  /* For keys derived in the token: how, so that ECB wrapping can be rebuilt from CBC (see wrap_ecb_by_blocks). */
  ClP11KeySet *parent;
  CK_MECHANISM_TYPE derivation;
  guint8 derivation_data[3][32];
  gsize derivation_len;
};

static void cl_p11_key_set_iface_init (ClKeySetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClP11KeySet, cl_p11_key_set, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_KEY_SET, cl_p11_key_set_iface_init))

static void
destroy_objects (ClP11Token *token, guint generation, const CK_OBJECT_HANDLE *handles, guint n)
{
  /* after a reconnect the session objects are gone with their sessions, and the numbers may name token objects */
  g_autoptr (ClP11Session) session = cl_p11_token_acquire_session_for (token, generation, NULL);

  if (session == NULL)
    return;
  for (guint i = 0; i < n; i++)
    if (handles[i] != CK_INVALID_HANDLE)
      session->f->C_DestroyObject (session->handle, handles[i]);
}

static void
cl_p11_key_set_finalize (GObject *object)
{
  ClP11KeySet *self = CL_P11_KEY_SET (object);

  if (self->owns_objects)
    destroy_objects (self->token, self->generation, self->handles, 3);
  g_clear_object (&self->token);
  g_clear_object (&self->parent);
  g_free (self->name);

  G_OBJECT_CLASS (cl_p11_key_set_parent_class)->finalize (object);
}

static void
cl_p11_key_set_class_init (ClP11KeySetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_p11_key_set_finalize;
}

static void
cl_p11_key_set_init (ClP11KeySet *self)
{
}

ClP11KeySet *
cl_p11_key_set_new (ClP11Token *token, const char *name, guint8 version, ClKeyType type, gsize key_len,
                    const CK_OBJECT_HANDLE handles[3], gboolean owns_objects, ClP11KeySetOptions options)
{
  ClP11KeySet *self;

  g_return_val_if_fail (CL_IS_P11_TOKEN (token), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  self = g_object_new (CL_TYPE_P11_KEY_SET, NULL);
  self->token = g_object_ref (token);
  self->generation = cl_p11_token_get_generation (token);
  self->name = g_strdup (name);
  self->version = version;
  self->type = type;
  self->key_len = key_len;
  memcpy (self->handles, handles, sizeof self->handles);
  self->owns_objects = owns_objects;
  self->options = options;
  return self;
}

ClP11Token *
cl_p11_key_set_get_token (ClP11KeySet *self)
{
  g_return_val_if_fail (CL_IS_P11_KEY_SET (self), NULL);
  return self->token;
}

const char *
cl_p11_key_set_get_name (ClP11KeySet *self)
{
  g_return_val_if_fail (CL_IS_P11_KEY_SET (self), NULL);
  return self->name;
}

CK_OBJECT_HANDLE
cl_p11_key_set_get_handle (ClP11KeySet *self, ClKeyRole role)
{
  g_return_val_if_fail (CL_IS_P11_KEY_SET (self), CK_INVALID_HANDLE);
  g_return_val_if_fail (role >= CL_KEY_ROLE_ENC && role <= CL_KEY_ROLE_DEK, CK_INVALID_HANDLE);
  return self->handles[role - 1];
}

ClP11KeySetOptions
cl_p11_key_set_get_options (ClP11KeySet *self)
{
  g_return_val_if_fail (CL_IS_P11_KEY_SET (self), 0);
  return self->options;
}

gboolean
cl_p11_key_set_get_host_derived (ClP11KeySet *self)
{
  g_return_val_if_fail (CL_IS_P11_KEY_SET (self), FALSE);
  return self->host_derived;
}

static gboolean
check_role (ClKeyRole role, GError **error)
{
  if (role >= CL_KEY_ROLE_ENC && role <= CL_KEY_ROLE_DEK)
    return TRUE;
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Key role %d is not ENC, MAC or DEK", role);
  return FALSE;
}

static const char *
role_name (ClKeyRole role)
{
  return role == CL_KEY_ROLE_ENC ? "enc" : role == CL_KEY_ROLE_MAC ? "mac" : "dek";
}

gsize
cl_p11_key_set_get_key_length (ClP11KeySet *self)
{
  g_return_val_if_fail (CL_IS_P11_KEY_SET (self), 0);
  return self->key_len;
}

void
cl_p11_key_set_set_unrecorded_length (ClP11KeySet *self, gsize key_len)
{
  g_return_if_fail (CL_IS_P11_KEY_SET (self));
  g_return_if_fail (self->key_len == 0);
  self->key_len = key_len;
}

static ClKeyType
iface_get_key_type (ClKeySet *set)
{
  return CL_P11_KEY_SET (set)->type;
}

static gsize
iface_get_key_length (ClKeySet *set)
{
  return CL_P11_KEY_SET (set)->key_len;
}

static guint8
iface_get_version (ClKeySet *set)
{
  return CL_P11_KEY_SET (set)->version;
}

static gboolean
iface_cmac (ClKeySet *set, ClKeyRole role, const guint8 *data, gsize len, guint8 out[16], GError **error)
{
  ClP11KeySet *self = CL_P11_KEY_SET (set);
  g_autoptr (ClP11Session) session = NULL;
  CK_MECHANISM mech = { CKM_AES_CMAC, NULL, 0 };
  CK_ULONG out_len = 16;
  CK_RV rv;

  if (!check_role (role, error))
    return FALSE;
  if (self->type != CL_KEY_TYPE_AES)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "AES-CMAC needs an AES key; %s/%s is 3DES", self->name,
                   role_name (role));
      return FALSE;
    }
  session = cl_p11_token_acquire_session_for (self->token, self->generation, error);
  if (session == NULL)
    return FALSE;
  rv = session->f->C_SignInit (session->handle, &mech, self->handles[role - 1]);
  if (rv == CKR_OK)
    rv = session->f->C_Sign (session->handle, (CK_BYTE_PTR)data, len, out, &out_len);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "C_Sign with CKM_AES_CMAC under %s/%s version %u", self->name, role_name (role),
                             self->version);
  if (out_len != 16)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_TOKEN, "CKM_AES_CMAC under %s/%s returned %lu bytes, not 16", self->name,
                   role_name (role), (unsigned long)out_len);
      return FALSE;
    }
  return TRUE;
}

static const guint8 zero_iv[16];

/* The mechanism for a cipher mode over keys of type; CBC always with a zero IV. */
static void
cipher_mechanism (ClKeyType type, ClCipherMode mode, CK_MECHANISM *mech)
{
  gsize block = type == CL_KEY_TYPE_AES ? 16 : 8;

  if (mode == CL_CIPHER_CBC_ZERO_IV)
    {
      mech->mechanism = type == CL_KEY_TYPE_AES ? CKM_AES_CBC : CKM_DES3_CBC;
      mech->pParameter = (void *)zero_iv;
      mech->ulParameterLen = block;
    }
  else
    {
      mech->mechanism = type == CL_KEY_TYPE_AES ? CKM_AES_ECB : CKM_DES3_ECB;
      mech->pParameter = NULL;
      mech->ulParameterLen = 0;
    }
}

static GBytes *
encrypt_with (ClP11KeySet *self, ClKeyRole role, ClCipherMode mode, const guint8 *data, gsize len, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  gsize block = self->type == CL_KEY_TYPE_AES ? 16 : 8;
  g_autofree guint8 *out = NULL;
  CK_ULONG out_len = len;
  CK_MECHANISM mech;
  CK_RV rv;

  if (!check_role (role, error))
    return NULL;
  if (len == 0 || len % block != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%zu bytes are not a whole number of %zu-byte blocks",
                   len, block);
      return NULL;
    }
  session = cl_p11_token_acquire_session_for (self->token, self->generation, error);
  if (session == NULL)
    return NULL;
  cipher_mechanism (self->type, mode, &mech);
  out = g_malloc (len);
  rv = session->f->C_EncryptInit (session->handle, &mech, self->handles[role - 1]);
  if (rv == CKR_OK)
    rv = session->f->C_Encrypt (session->handle, (CK_BYTE_PTR)data, len, out, &out_len);
  if (rv != CKR_OK)
    {
      cl_p11_set_error (error, rv, "C_Encrypt with %s under %s/%s version %u",
                        cl_p11_mechanism_to_string (mech.mechanism), self->name, role_name (role), self->version);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&out), out_len);
}

static GBytes *
iface_encrypt (ClKeySet *set, ClKeyRole role, ClCipherMode mode, const guint8 *data, gsize len, GError **error)
{
  return encrypt_with (CL_P11_KEY_SET (set), role, mode, data, len, error);
}

static gboolean
iface_check_value (ClKeySet *set, ClKeyRole role, guint8 kcv[3], GError **error)
{
  ClP11KeySet *self = CL_P11_KEY_SET (set);
  guint8 block[16];
  gsize len = self->type == CL_KEY_TYPE_AES ? 16 : 8;
  g_autoptr (GBytes) out = NULL;

  memset (block, self->type == CL_KEY_TYPE_AES ? 0x01 : 0x00, sizeof block);
  out = encrypt_with (self, role, CL_CIPHER_ECB, block, len, error);
  if (out == NULL)
    return FALSE;
  memcpy (kcv, g_bytes_get_data (out, NULL), 3);
  return TRUE;
}

static gboolean derive_key (ClP11KeySet *self, ClP11Session *session, ClKeyRole role, CK_MECHANISM_TYPE mechanism,
                            const guint8 *data, gsize data_len, const char *label, CK_OBJECT_HANDLE *out,
                            GError **error);

/* Tokens such as SoftHSM2 wrap only in CBC mode, but SCP02 PUT KEY wants 3DES-ECB of a two-block key. For a
 * key the token derived by ECB encryption of data D1 || D2 ..., block j of the key is E(master, Dj), so
 * re-deriving with the data rotated to start at Dj gives a key whose first block is block j; its CBC wrap with
 * zero IV starts with the ECB encryption of block j. The key value never leaves the token. */
static GBytes *
wrap_ecb_by_blocks (ClP11KeySet *self, ClP11Session *session, ClKeyRole role, ClKeyType wrapping_type,
                    CK_OBJECT_HANDLE wrapping_key, const char *wrapping_name, GError **error)
{
  gsize block = wrapping_type == CL_KEY_TYPE_AES ? 16 : 8;
  const guint8 *data = self->derivation_data[role - 1];
  gsize data_len = self->derivation_len;
  g_autoptr (GByteArray) result = g_byte_array_new ();
  CK_MECHANISM mech;

  cipher_mechanism (wrapping_type, CL_CIPHER_CBC_ZERO_IV, &mech);
  for (gsize j = 0; j < self->key_len / block; j++)
    {
      guint8 rotated[32];
      guint8 out[64];
      CK_ULONG out_len = sizeof out;
      CK_OBJECT_HANDLE temp;
      CK_RV rv;

      memcpy (rotated, data + j * block, data_len - j * block);
      memcpy (rotated + data_len - j * block, data, j * block);
      if (!derive_key (self->parent, session, role, self->derivation, rotated, data_len, "cardline wrap block", &temp,
                       error))
        return NULL;
      rv = session->f->C_WrapKey (session->handle, &mech, wrapping_key, temp, out, &out_len);
      session->f->C_DestroyObject (session->handle, temp);
      if (rv != CKR_OK)
        {
          cl_p11_set_error (error, rv, "C_WrapKey with %s of block %zu of %s/%s version %u under %s",
                            cl_p11_mechanism_to_string (mech.mechanism), j + 1, self->name, role_name (role),
                            self->version, wrapping_name);
          return NULL;
        }
      g_byte_array_append (result, out, block);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&result));
}

static void set_no_wrap_error (ClP11KeySet *self, GError **error);
static GBytes *wrap_on_host (ClP11KeySet *self, ClP11Session *session, ClKeyRole role, CK_OBJECT_HANDLE wrapping_key,
                             const char *wrapping_name, GError **error);

/* C_WrapKey of self's role key under wrapping_key (a key of wrapping_type). ECB over a single block is CBC
 * with a zero IV, the form tokens offer for wrapping. */
static GBytes *
wrap_under (ClP11KeySet *self, ClKeyRole role, ClKeyType wrapping_type, CK_OBJECT_HANDLE wrapping_key,
            ClCipherMode mode, const char *wrapping_name, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  gsize block = wrapping_type == CL_KEY_TYPE_AES ? 16 : 8;
  guint8 out[64];
  CK_ULONG out_len = sizeof out;
  CK_MECHANISM mech;
  CK_RV rv;

  if (mode == CL_CIPHER_ECB && self->key_len <= block)
    mode = CL_CIPHER_CBC_ZERO_IV;
  cipher_mechanism (wrapping_type, mode, &mech);

  session = cl_p11_token_acquire_session_for (self->token, self->generation, error);
  if (session == NULL)
    return NULL;
  rv = session->f->C_WrapKey (session->handle, &mech, wrapping_key, self->handles[role - 1], out, &out_len);
  if (rv == CKR_MECHANISM_INVALID && mode == CL_CIPHER_ECB && self->parent != NULL && self->type == wrapping_type
      && self->key_len % block == 0)
    {
      g_autoptr (GError) local = NULL;
      GBytes *wrapped = wrap_ecb_by_blocks (self, session, role, wrapping_type, wrapping_key, wrapping_name, &local);

      if (wrapped != NULL)
        return wrapped;
      if (!g_error_matches (local, CL_ERROR, CL_ERROR_NOT_SUPPORTED) || self->derivation != CKM_DES3_ECB_ENCRYPT_DATA)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      /* The token wraps 3DES keys neither in ECB nor in CBC (SoftHSM2): only the profile's opt-in helps. */
      if ((self->options & CL_P11_KEY_SET_ALLOW_HOST_DERIVATION) == 0)
        {
          set_no_wrap_error (self, error);
          return NULL;
        }
      return wrap_on_host (self, session, role, wrapping_key, wrapping_name, error);
    }
  if (rv != CKR_OK)
    {
      cl_p11_set_error (error, rv, "C_WrapKey with %s of %s/%s version %u under %s",
                        cl_p11_mechanism_to_string (mech.mechanism), self->name, role_name (role), self->version,
                        wrapping_name);
      return NULL;
    }
  return g_bytes_new (out, out_len);
}

static GBytes *
iface_wrap_with_key_set (ClKeySet *set, ClKeyRole role, ClKeySet *wrapping_set, ClKeyRole wrapping_role,
                         ClCipherMode mode, GError **error)
{
  ClP11KeySet *self = CL_P11_KEY_SET (set);
  ClP11KeySet *wrapping = CL_P11_KEY_SET (wrapping_set);
  g_autofree char *wrapping_name = NULL;

  if (!check_role (role, error) || !check_role (wrapping_role, error))
    return NULL;
  if (wrapping->token != self->token)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Cannot wrap %s/%s under %s/%s: they are on different tokens", self->name, role_name (role),
                   wrapping->name, role_name (wrapping_role));
      return NULL;
    }
  wrapping_name = g_strdup_printf ("%s/%s version %u", wrapping->name, role_name (wrapping_role), wrapping->version);
  return wrap_under (self, role, wrapping->type, wrapping->handles[wrapping_role - 1], mode, wrapping_name, error);
}

/* A host key briefly in the token: a session object that may only wrap. */
static gboolean
create_session_key (ClP11Session *session, ClKeyType type, const guint8 *value, gsize len, CK_BBOOL wrap,
                    CK_BBOOL extractable, const char *label, CK_OBJECT_HANDLE *out, GError **error)
{
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_KEY_TYPE key_type = type == CL_KEY_TYPE_AES ? CKK_AES : len == 16 ? CKK_DES2 : CKK_DES3;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_BBOOL sign = type == CL_KEY_TYPE_AES ? CK_TRUE : CK_FALSE;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_KEY_TYPE, &key_type, sizeof key_type },
    { CKA_LABEL, (void *)label, strlen (label) },
    { CKA_TOKEN, &no, sizeof no },
    { CKA_PRIVATE, &yes, sizeof yes },
    { CKA_SENSITIVE, &yes, sizeof yes },
    { CKA_EXTRACTABLE, &extractable, sizeof extractable },
    { CKA_ENCRYPT, &yes, sizeof yes },
    { CKA_SIGN, &sign, sizeof sign },
    { CKA_DERIVE, &no, sizeof no },
    { CKA_WRAP, &wrap, sizeof wrap },
    { CKA_VALUE, (void *)value, len },
  };
  CK_RV rv = session->f->C_CreateObject (session->handle, tmpl, G_N_ELEMENTS (tmpl), out);

  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Creating session key %s", label);
  return TRUE;
}

static GBytes *
iface_wrap_with_session_key (ClKeySet *set, ClKeyRole role, const guint8 *session_key, gsize key_len, ClCipherMode mode,
                             GError **error)
{
  ClP11KeySet *self = CL_P11_KEY_SET (set);
  g_autoptr (ClP11Session) session = NULL;
  CK_OBJECT_HANDLE temp = CK_INVALID_HANDLE;
  GBytes *wrapped;

  if (!check_role (role, error))
    return NULL;
  if (self->type == CL_KEY_TYPE_AES ? (key_len != 16 && key_len != 24 && key_len != 32)
                                    : (key_len != 16 && key_len != 24))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A %zu-byte session key cannot wrap %s keys", key_len,
                   self->type == CL_KEY_TYPE_AES ? "AES" : "3DES");
      return NULL;
    }
  session = cl_p11_token_acquire_session_for (self->token, self->generation, error);
  if (session == NULL)
    return NULL;
  if (!create_session_key (session, self->type, session_key, key_len, CK_TRUE, CK_FALSE, "cardline session DEK", &temp,
                           error))
    return NULL;
  wrapped = wrap_under (self, role, self->type, temp, mode, "the session DEK", error);
  session->f->C_DestroyObject (session->handle, temp);
  return wrapped;
}

/* Derived card keys: sensitive session objects, extractable so that PUT KEY can wrap them. */
static gboolean
derive_key (ClP11KeySet *self, ClP11Session *session, ClKeyRole role, CK_MECHANISM_TYPE mechanism, const guint8 *data,
            gsize data_len, const char *label, CK_OBJECT_HANDLE *out, GError **error)
{
  CK_KEY_DERIVATION_STRING_DATA params = { (CK_BYTE_PTR)data, data_len };
  CK_MECHANISM mech = { mechanism, &params, sizeof params };
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_KEY_TYPE key_type = self->type == CL_KEY_TYPE_AES ? CKK_AES : self->key_len == 16 ? CKK_DES2 : CKK_DES3;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_BBOOL sign = self->type == CL_KEY_TYPE_AES ? CK_TRUE : CK_FALSE;
  CK_BBOOL wrap = role == CL_KEY_ROLE_DEK ? CK_TRUE : CK_FALSE;
  CK_ULONG value_len = self->key_len;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_KEY_TYPE, &key_type, sizeof key_type },
    { CKA_LABEL, (void *)label, strlen (label) },
    { CKA_TOKEN, &no, sizeof no },
    { CKA_PRIVATE, &yes, sizeof yes },
    { CKA_SENSITIVE, &yes, sizeof yes },
    { CKA_EXTRACTABLE, &yes, sizeof yes },
    { CKA_ENCRYPT, &yes, sizeof yes },
    { CKA_SIGN, &sign, sizeof sign },
    { CKA_DERIVE, &yes, sizeof yes },
    { CKA_WRAP, &wrap, sizeof wrap },
    { CKA_VALUE_LEN, &value_len, sizeof value_len },
  };
  /* DES key types have a fixed length; tokens reject CKA_VALUE_LEN for them. */
  CK_ULONG n = self->type == CL_KEY_TYPE_AES ? G_N_ELEMENTS (tmpl) : G_N_ELEMENTS (tmpl) - 1;
  CK_RV rv = session->f->C_DeriveKey (session->handle, &mech, self->handles[role - 1], tmpl, n, out);

  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "C_DeriveKey with %s from %s/%s version %u",
                             cl_p11_mechanism_to_string (mechanism), self->name, role_name (role), self->version);
  return TRUE;
}

/* KDF3 under the host-derivation opt-in: CMAC in the token, the key for an instant in host memory. */
static gboolean
derive_key_kdf3_on_host (ClP11KeySet *self, ClP11Session *session, ClKeyRole role, const guint8 kdd[10],
                         const char *label, CK_OBJECT_HANDLE *out, GError **error)
{
  guint8 key[32];
  gboolean ok = TRUE;

  for (guint8 i = 1; ok && (gsize)(i - 1) * 16 < self->key_len; i++)
    {
      guint8 input[16];
      cl_diversify_data_kdf3 (kdd, role, i, input);
      ok = iface_cmac (CL_KEY_SET (self), role, input, sizeof input, key + 16 * (i - 1), error);
    }
  if (ok)
    ok = create_session_key (session, CL_KEY_TYPE_AES, key, self->key_len, role == CL_KEY_ROLE_DEK, CK_TRUE, label, out,
                             error);
  cl_wipe (key, sizeof key);
  return ok;
}

static ClKeySet *
iface_diversify (ClKeySet *set, ClDiversification method, const guint8 kdd[10], guint8 new_version, GError **error)
{
  ClP11KeySet *self = CL_P11_KEY_SET (set);
  g_autoptr (ClP11Session) session = NULL;
  CK_OBJECT_HANDLE handles[3] = { CK_INVALID_HANDLE, CK_INVALID_HANDLE, CK_INVALID_HANDLE };
  g_autofree char *kdd_hex = cl_hex_encode (kdd, 10);
  g_autofree char *name = g_strdup_printf ("%s.%s", self->name, kdd_hex);
  gboolean host_derived = FALSE;
  CK_MECHANISM_TYPE derivation = CKM_VENDOR_DEFINED;
  guint8 derivation_data[3][32];
  gsize derivation_len = 0;
  ClP11KeySet *result;

  if (method == CL_DIVERSIFY_NONE)
    return CL_KEY_SET (cl_p11_key_set_new (self->token, self->name, new_version, self->type, self->key_len,
                                           self->handles, FALSE, self->options));

  if ((method == CL_DIVERSIFY_EMV || method == CL_DIVERSIFY_VISA2) != (self->type == CL_KEY_TYPE_DES3))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s diversification does not apply to the %s key set %s",
                   cl_diversification_to_string (method), self->type == CL_KEY_TYPE_AES ? "AES" : "3DES", self->name);
      return NULL;
    }
  if (method == CL_DIVERSIFY_KDF3 && (self->options & CL_P11_KEY_SET_ALLOW_HOST_DERIVATION) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED,
                   "KDF3 diversification of %s needs AES-CMAC as a key derivation (C_DeriveKey), which PKCS#11 "
                   "token \"%s\" does not offer (only CKM_AES_CMAC for C_Sign); the profile must opt in to host-side "
                   "derivation",
                   self->name, cl_p11_token_get_label (self->token));
      return NULL;
    }

  session = cl_p11_token_acquire_session_for (self->token, self->generation, error);
  if (session == NULL)
    return NULL;

  for (ClKeyRole role = CL_KEY_ROLE_ENC; role <= CL_KEY_ROLE_DEK; role++)
    {
      g_autofree char *label = cl_p11_key_label (name, role);
      guint8 data[32];
      gboolean ok;

      switch (method)
        {
          case CL_DIVERSIFY_EMV:
          case CL_DIVERSIFY_VISA2:
            cl_diversify_data_des (method, kdd, role, data);
            if (self->key_len == 24)
              memcpy (data + 16, data, 8);
            derivation = CKM_DES3_ECB_ENCRYPT_DATA;
            derivation_len = self->key_len;
            memcpy (derivation_data[role - 1], data, derivation_len);
            ok = derive_key (self, session, role, derivation, data, derivation_len, label, &handles[role - 1], error);
            break;
          case CL_DIVERSIFY_AES_ECB:
            derivation = CKM_AES_ECB_ENCRYPT_DATA;
            derivation_len = cl_diversify_data_aes_ecb (kdd, role, self->key_len, data);
            memcpy (derivation_data[role - 1], data, derivation_len);
            ok = derive_key (self, session, role, derivation, data, derivation_len, label, &handles[role - 1], error);
            break;
          case CL_DIVERSIFY_KDF3:
            ok = derive_key_kdf3_on_host (self, session, role, kdd, label, &handles[role - 1], error);
            host_derived = TRUE;
            break;
          case CL_DIVERSIFY_NONE:
          default:
            /* NONE returned above; anything else is not a method this key set knows */
            g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Unknown diversification method %d for %s",
                         (int)method, self->name);
            ok = FALSE;
            break;
        }
      if (!ok)
        {
          for (guint i = 0; i < 3; i++)
            if (handles[i] != CK_INVALID_HANDLE)
              session->f->C_DestroyObject (session->handle, handles[i]);
          return NULL;
        }
    }

  result = cl_p11_key_set_new (self->token, name, new_version, self->type, self->key_len, handles, TRUE, self->options);
  result->host_derived = host_derived;
  if (derivation_len > 0)
    {
      result->parent = g_object_ref (self);
      result->derivation = derivation;
      result->derivation_len = derivation_len;
      memcpy (result->derivation_data, derivation_data, sizeof derivation_data);
    }
  return CL_KEY_SET (result);
}

static void
set_no_wrap_error (ClP11KeySet *self, GError **error)
{
  g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED,
               "PUT KEY of %s keys from %s needs C_WrapKey with %s or %s, which PKCS#11 token \"%s\" does not offer; "
               "the profile must opt in to host-side derivation (keys:host-derivation=true)",
               self->type == CL_KEY_TYPE_AES ? "AES" : "3DES", self->parent != NULL ? self->parent->name : self->name,
               self->type == CL_KEY_TYPE_AES ? "CKM_AES_ECB" : "CKM_DES3_ECB",
               self->type == CL_KEY_TYPE_AES ? "CKM_AES_CBC" : "CKM_DES3_CBC", cl_p11_token_get_label (self->token));
}

/* PUT KEY on a token that cannot wrap 3DES keys, under the profile's host-derivation opt-in. An EMV or VISA2
 * card key is the 3DES-ECB encryption of its derivation data under the master, so C_Encrypt with the master in
 * the token yields its value without the master, or the sensitive card key object, ever being read out. The
 * value lives in locked host memory only while the token encrypts it under the wrapping key, then is wiped. */
static GBytes *
wrap_on_host (ClP11KeySet *self, ClP11Session *session, ClKeyRole role, CK_OBJECT_HANDLE wrapping_key,
              const char *wrapping_name, GError **error)
{
  CK_MECHANISM ecb = { CKM_DES3_ECB, NULL, 0 };
  guint8 key[24];
  guint8 out[24];
  CK_ULONG key_len = sizeof key, out_len = sizeof out;
  GBytes *wrapped = NULL;
  CK_RV rv;

  if (self->derivation_len != self->key_len || self->key_len > sizeof key)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s/%s: %zu bytes of derivation data for a %zu-byte key",
                   self->name, role_name (role), self->derivation_len, self->key_len);
      return NULL;
    }
  if (mlock (key, sizeof key) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "Cannot lock host memory for card key %s/%s: %s", self->name,
                   role_name (role), g_strerror (errno));
      return NULL;
    }
  rv = session->f->C_EncryptInit (session->handle, &ecb, self->parent->handles[role - 1]);
  if (rv == CKR_OK)
    rv = session->f->C_Encrypt (session->handle, self->derivation_data[role - 1], self->derivation_len, key, &key_len);
  if (rv != CKR_OK || key_len != self->key_len)
    cl_p11_set_error (error, rv != CKR_OK ? rv : CKR_GENERAL_ERROR,
                      "C_Encrypt with CKM_DES3_ECB of the derivation data of %s/%s under %s/%s version %u", self->name,
                      role_name (role), self->parent->name, role_name (role), self->parent->version);
  else
    {
      rv = session->f->C_EncryptInit (session->handle, &ecb, wrapping_key);
      if (rv == CKR_OK)
        rv = session->f->C_Encrypt (session->handle, key, key_len, out, &out_len);
      if (rv != CKR_OK)
        cl_p11_set_error (error, rv, "C_Encrypt with CKM_DES3_ECB of %s/%s under %s", self->name, role_name (role),
                          wrapping_name);
      else
        {
          wrapped = g_bytes_new (out, out_len);
          self->host_derived = TRUE;
        }
    }
  cl_wipe (key, sizeof key);
  munlock (key, sizeof key);
  return wrapped;
}

gboolean
cl_p11_key_set_check_wrap (ClP11KeySet *self, gboolean *on_host, GError **error)
{
  /* Throwaway session keys: their values protect nothing, only the token's answer matters. */
  static const guint8 probe[2][32] = { { 0x01, 0x02, 0x04, 0x07, 0x08, 0x0B, 0x0D, 0x0E, 0x10, 0x13,
                                         0x15, 0x16, 0x19, 0x1A, 0x1C, 0x1F, 0x20, 0x23, 0x25, 0x26 },
                                       { 0x29, 0x2A, 0x2C, 0x2F, 0x31, 0x32, 0x34, 0x37, 0x38, 0x3B,
                                         0x3D, 0x3E, 0x40, 0x43, 0x45, 0x46, 0x49, 0x4A, 0x4C, 0x4F } };
  /* ECB as PUT KEY wants it, or CBC from which wrap_ecb_by_blocks rebuilds ECB for token-derived card keys */
  static const ClCipherMode modes[] = { CL_CIPHER_ECB, CL_CIPHER_CBC_ZERO_IV };
  g_autoptr (ClP11Session) session = NULL;
  CK_OBJECT_HANDLE wrapper = CK_INVALID_HANDLE, target = CK_INVALID_HANDLE;
  gboolean wraps = FALSE, ok = TRUE;

  g_return_val_if_fail (CL_IS_P11_KEY_SET (self), FALSE);
  session = cl_p11_token_acquire_session_for (self->token, self->generation, error);
  if (session == NULL)
    return FALSE;
  ok = create_session_key (session, self->type, probe[0], self->key_len, CK_TRUE, CK_FALSE, "cardline wrap probe",
                           &wrapper, error)
       && create_session_key (session, self->type, probe[1], self->key_len, CK_FALSE, CK_TRUE, "cardline wrap probe",
                              &target, error);
  for (guint i = 0; ok && !wraps && i < G_N_ELEMENTS (modes); i++)
    {
      CK_MECHANISM mech;
      guint8 out[64];
      CK_ULONG out_len = sizeof out;
      CK_RV rv;

      cipher_mechanism (self->type, modes[i], &mech);
      rv = session->f->C_WrapKey (session->handle, &mech, wrapper, target, out, &out_len);
      wraps = rv == CKR_OK;
      if (rv != CKR_OK && rv != CKR_MECHANISM_INVALID && rv != CKR_FUNCTION_NOT_SUPPORTED)
        ok = cl_p11_set_error (error, rv, "C_WrapKey with %s of a probe key",
                               cl_p11_mechanism_to_string (mech.mechanism));
    }
  if (wrapper != CK_INVALID_HANDLE)
    session->f->C_DestroyObject (session->handle, wrapper);
  if (target != CK_INVALID_HANDLE)
    session->f->C_DestroyObject (session->handle, target);
  if (!ok)
    return FALSE;
  if (!wraps && (self->type != CL_KEY_TYPE_DES3 || (self->options & CL_P11_KEY_SET_ALLOW_HOST_DERIVATION) == 0))
    {
      /* the host path (wrap_on_host) exists for 3DES only: AES card keys of KDF3 are not an encryption of data */
      set_no_wrap_error (self, error);
      return FALSE;
    }
  if (on_host != NULL)
    *on_host = !wraps;
  return TRUE;
}

static void
cl_p11_key_set_iface_init (ClKeySetInterface *iface)
{
  iface->get_key_type = iface_get_key_type;
  iface->get_key_length = iface_get_key_length;
  iface->get_version = iface_get_version;
  iface->cmac = iface_cmac;
  iface->encrypt = iface_encrypt;
  iface->check_value = iface_check_value;
  iface->wrap_with_key_set = iface_wrap_with_key_set;
  iface->wrap_with_session_key = iface_wrap_with_session_key;
  iface->diversify = iface_diversify;
}
