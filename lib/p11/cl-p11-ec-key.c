#include "p11/cl-p11-ec-key.h"

#include <string.h>

#include "core/cl-error.h"
#include "p11/cl-p11-error.h"

struct _ClP11EcKey
{
  GObject parent_instance;

  ClP11Token *token;
  guint generation; /* the token's, when the handles were found */
  ClP11Curve curve;
  char *label;
  GBytes *id;
  CK_OBJECT_HANDLE private_key;
  CK_OBJECT_HANDLE public_key;
};

G_DEFINE_FINAL_TYPE (ClP11EcKey, cl_p11_ec_key, G_TYPE_OBJECT)

/* DER OBJECT IDENTIFIERs, what CKA_EC_PARAMS holds. */
static const struct
{
  const char *name;
  gsize size;
  guint8 der_len;
  guint8 der[11];
} curves[] = {
  [CL_P11_CURVE_P256] = { "prime256v1", 32, 10, { 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 } },
  [CL_P11_CURVE_P384] = { "secp384r1", 48, 7, { 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22 } },
  [CL_P11_CURVE_BRAINPOOL_P256R1]
  = { "brainpoolP256r1", 32, 11, { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07 } },
  [CL_P11_CURVE_BRAINPOOL_P384R1]
  = { "brainpoolP384r1", 48, 11, { 0x06, 0x09, 0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0B } },
};

static void
cl_p11_ec_key_finalize (GObject *object)
{
  ClP11EcKey *self = CL_P11_EC_KEY (object);

  g_clear_object (&self->token);
  g_free (self->label);
  g_clear_pointer (&self->id, g_bytes_unref);
  G_OBJECT_CLASS (cl_p11_ec_key_parent_class)->finalize (object);
}

static void
cl_p11_ec_key_class_init (ClP11EcKeyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_p11_ec_key_finalize;
}

static void
cl_p11_ec_key_init (ClP11EcKey *self)
{
}

const char *
cl_p11_curve_to_string (ClP11Curve curve)
{
  g_return_val_if_fail (curve <= CL_P11_CURVE_BRAINPOOL_P384R1, NULL);
  return curves[curve].name;
}

gboolean
cl_p11_curve_from_string (const char *name, ClP11Curve *out, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (curves); i++)
    if (g_ascii_strcasecmp (name, curves[i].name) == 0)
      {
        *out = i;
        return TRUE;
      }
  if (g_ascii_strcasecmp (name, "P-256") == 0 || g_ascii_strcasecmp (name, "secp256r1") == 0)
    return *out = CL_P11_CURVE_P256, TRUE;
  if (g_ascii_strcasecmp (name, "P-384") == 0)
    return *out = CL_P11_CURVE_P384, TRUE;
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
               "Unknown curve \"%s\" (known: prime256v1, secp384r1, brainpoolP256r1, brainpoolP384r1)", name);
  return FALSE;
}

gsize
cl_p11_curve_get_size (ClP11Curve curve)
{
  g_return_val_if_fail (curve <= CL_P11_CURVE_BRAINPOOL_P384R1, 0);
  return curves[curve].size;
}

static gboolean
curve_from_params (const guint8 *der, gsize len, ClP11Curve *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (curves); i++)
    if (len == curves[i].der_len && memcmp (der, curves[i].der, len) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

static gint
find_by_label (ClP11Session *session, CK_OBJECT_CLASS klass, const char *label, CK_OBJECT_HANDLE *out, GError **error)
{
  CK_KEY_TYPE key_type = CKK_EC;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_KEY_TYPE, &key_type, sizeof key_type },
    { CKA_LABEL, (void *)label, strlen (label) },
  };
  CK_OBJECT_HANDLE found[2];
  CK_ULONG count = 0;
  CK_RV rv;

  rv = session->f->C_FindObjectsInit (session->handle, tmpl, G_N_ELEMENTS (tmpl));
  if (rv == CKR_OK)
    {
      rv = session->f->C_FindObjects (session->handle, found, G_N_ELEMENTS (found), &count);
      session->f->C_FindObjectsFinal (session->handle);
    }
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Searching EC key %s", label), -1;
  if (count > 1)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_TOKEN, "EC %s key %s exists more than once",
                   klass == CKO_PRIVATE_KEY ? "private" : "public", label);
      return -1;
    }
  if (count == 1)
    *out = found[0];
  return (gint)count;
}

static GBytes *
get_bytes (ClP11Session *session, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, const char *what, GError **error)
{
  CK_ATTRIBUTE attr = { type, NULL, 0 };
  g_autofree guint8 *value = NULL;
  CK_RV rv;

  rv = session->f->C_GetAttributeValue (session->handle, h, &attr, 1);
  if (rv == CKR_OK)
    {
      value = g_malloc (MAX (attr.ulValueLen, 1));
      attr.pValue = value;
      rv = session->f->C_GetAttributeValue (session->handle, h, &attr, 1);
    }
  if (rv != CKR_OK)
    {
      cl_p11_set_error (error, rv, "Reading %s", what);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&value), attr.ulValueLen);
}

ClP11EcKey *
cl_p11_ec_key_find (ClP11Token *token, const char *label, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  g_autoptr (ClP11EcKey) self = NULL;
  g_autoptr (GBytes) params = NULL;
  gint n;

  g_return_val_if_fail (CL_IS_P11_TOKEN (token), NULL);
  g_return_val_if_fail (label != NULL, NULL);

  session = cl_p11_token_acquire_session (token, error);
  if (session == NULL)
    return NULL;
  self = g_object_new (CL_TYPE_P11_EC_KEY, NULL);
  self->generation = cl_p11_token_get_generation (token);
  n = find_by_label (session, CKO_PRIVATE_KEY, label, &self->private_key, error);
  if (n == 0)
    g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "EC private key %s is not on token \"%s\"", label,
                 cl_p11_token_get_label (token));
  if (n <= 0)
    return NULL;
  n = find_by_label (session, CKO_PUBLIC_KEY, label, &self->public_key, error);
  if (n == 0)
    g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "EC public key %s is not on token \"%s\"", label,
                 cl_p11_token_get_label (token));
  if (n <= 0)
    return NULL;

  params = get_bytes (session, self->public_key, CKA_EC_PARAMS, "CKA_EC_PARAMS", error);
  if (params == NULL)
    return NULL;
  if (!curve_from_params (g_bytes_get_data (params, NULL), g_bytes_get_size (params), &self->curve))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "EC key %s is on a curve Cardline does not use", label);
      return NULL;
    }
  self->id = get_bytes (session, self->private_key, CKA_ID, "CKA_ID", error);
  if (self->id == NULL)
    return NULL;
  self->token = g_object_ref (token);
  self->label = g_strdup (label);
  return g_steal_pointer (&self);
}

ClP11EcKey *
cl_p11_ec_key_generate (ClP11Token *token, ClP11Curve curve, const char *label, GBytes *id, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  g_autoptr (ClP11EcKey) self = NULL;
  CK_MECHANISM mech = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  guint8 id_byte = 0;
  const void *id_data = &id_byte;
  gsize id_len = 1;
  CK_OBJECT_HANDLE existing;
  guint generation;
  CK_RV rv;
  gint n;

  g_return_val_if_fail (CL_IS_P11_TOKEN (token), NULL);
  g_return_val_if_fail (label != NULL, NULL);
  g_return_val_if_fail (curve <= CL_P11_CURVE_BRAINPOOL_P384R1, NULL);

  generation = cl_p11_token_get_generation (token);
  session = cl_p11_token_acquire_session (token, error);
  if (session == NULL)
    return NULL;
  n = find_by_label (session, CKO_PRIVATE_KEY, label, &existing, error);
  if (n < 0)
    return NULL;
  if (n > 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "EC key %s already exists on token \"%s\"", label,
                   cl_p11_token_get_label (token));
      return NULL;
    }
  if (id != NULL)
    id_data = g_bytes_get_data (id, &id_len);

  {
    CK_ATTRIBUTE pub[] = {
      { CKA_TOKEN, &yes, sizeof yes },     { CKA_PRIVATE, &no, sizeof no },
      { CKA_VERIFY, &yes, sizeof yes },    { CKA_LABEL, (void *)label, strlen (label) },
      { CKA_ID, (void *)id_data, id_len }, { CKA_EC_PARAMS, (void *)curves[curve].der, curves[curve].der_len },
    };
    CK_ATTRIBUTE priv[] = {
      { CKA_TOKEN, &yes, sizeof yes },
      { CKA_PRIVATE, &yes, sizeof yes },
      { CKA_SENSITIVE, &yes, sizeof yes },
      { CKA_EXTRACTABLE, &no, sizeof no },
      { CKA_SIGN, &yes, sizeof yes },
      { CKA_DERIVE, &no, sizeof no },
      { CKA_DECRYPT, &no, sizeof no },
      { CKA_UNWRAP, &no, sizeof no },
      { CKA_LABEL, (void *)label, strlen (label) },
      { CKA_ID, (void *)id_data, id_len },
    };
    /* Without a caller's id the pair is generated with a placeholder id and gets its real one from the
     * public point below. */
    CK_ULONG n_pub = G_N_ELEMENTS (pub);
    CK_ULONG n_priv = G_N_ELEMENTS (priv);

    self = g_object_new (CL_TYPE_P11_EC_KEY, NULL);
    rv = session->f->C_GenerateKeyPair (session->handle, &mech, pub, n_pub, priv, n_priv, &self->public_key,
                                        &self->private_key);
    if (rv != CKR_OK)
      {
        cl_p11_set_error (error, rv, "Generating %s key pair %s with CKM_EC_KEY_PAIR_GEN", curves[curve].name, label);
        return NULL;
      }
  }

  self->token = g_object_ref (token);
  self->generation = generation;
  self->label = g_strdup (label);
  self->curve = curve;
  if (id != NULL)
    self->id = g_bytes_ref (id);
  else
    {
      g_autoptr (GBytes) point = cl_p11_ec_key_get_public_point (self, error);
      g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
      guint8 digest[20];
      gsize digest_len = sizeof digest;
      CK_ATTRIBUTE attr = { CKA_ID, digest, sizeof digest };

      if (point == NULL)
        return NULL;
      g_checksum_update (sha1, g_bytes_get_data (point, NULL), g_bytes_get_size (point));
      g_checksum_get_digest (sha1, digest, &digest_len);
      rv = session->f->C_SetAttributeValue (session->handle, self->public_key, &attr, 1);
      if (rv == CKR_OK)
        rv = session->f->C_SetAttributeValue (session->handle, self->private_key, &attr, 1);
      if (rv != CKR_OK)
        {
          cl_p11_set_error (error, rv, "Setting CKA_ID of EC key %s", label);
          return NULL;
        }
      self->id = g_bytes_new (digest, sizeof digest);
    }
  return g_steal_pointer (&self);
}

ClP11Curve
cl_p11_ec_key_get_curve (ClP11EcKey *self)
{
  g_return_val_if_fail (CL_IS_P11_EC_KEY (self), 0);
  return self->curve;
}

const char *
cl_p11_ec_key_get_label (ClP11EcKey *self)
{
  g_return_val_if_fail (CL_IS_P11_EC_KEY (self), NULL);
  return self->label;
}

GBytes *
cl_p11_ec_key_get_id (ClP11EcKey *self)
{
  g_return_val_if_fail (CL_IS_P11_EC_KEY (self), NULL);
  return self->id;
}

GBytes *
cl_p11_ec_key_get_public_point (ClP11EcKey *self, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  g_autoptr (GBytes) value = NULL;
  gsize expected = 1 + 2 * curves[self->curve].size;
  const guint8 *p;
  gsize len;

  g_return_val_if_fail (CL_IS_P11_EC_KEY (self), NULL);
  session = cl_p11_token_acquire_session_for (self->token, self->generation, error);
  if (session == NULL)
    return NULL;
  value = get_bytes (session, self->public_key, CKA_EC_POINT, "CKA_EC_POINT", error);
  if (value == NULL)
    return NULL;
  p = g_bytes_get_data (value, &len);

  /* PKCS#11 says DER OCTET STRING; some modules return the bare point. Both are accepted. */
  if (len == expected && p[0] == 0x04)
    return g_steal_pointer (&value);
  if (len == expected + 2 && p[0] == 0x04 && p[1] == expected && p[2] == 0x04)
    return g_bytes_new (p + 2, expected);
  if (len == expected + 3 && p[0] == 0x04 && p[1] == 0x81 && p[2] == expected && p[3] == 0x04)
    return g_bytes_new (p + 3, expected);
  g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CKA_EC_POINT of %s is not an uncompressed %s point (%zu bytes)",
               self->label, curves[self->curve].name, len);
  return NULL;
}

GBytes *
cl_p11_ec_key_sign_digest (ClP11EcKey *self, const guint8 *digest, gsize len, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  CK_MECHANISM mech = { CKM_ECDSA, NULL, 0 };
  guint8 signature[2 * 66];
  CK_ULONG sig_len = sizeof signature;
  CK_RV rv;

  g_return_val_if_fail (CL_IS_P11_EC_KEY (self), NULL);
  session = cl_p11_token_acquire_session_for (self->token, self->generation, error);
  if (session == NULL)
    return NULL;
  rv = session->f->C_SignInit (session->handle, &mech, self->private_key);
  if (rv == CKR_OK)
    rv = session->f->C_Sign (session->handle, (CK_BYTE_PTR)digest, len, signature, &sig_len);
  if (rv != CKR_OK)
    {
      cl_p11_set_error (error, rv, "C_Sign with CKM_ECDSA under %s", self->label);
      return NULL;
    }
  if (sig_len != 2 * curves[self->curve].size)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_TOKEN, "CKM_ECDSA under %s returned %lu bytes, not r || s of %zu",
                   self->label, (unsigned long)sig_len, 2 * curves[self->curve].size);
      return NULL;
    }
  return g_bytes_new (signature, sig_len);
}

GBytes *
cl_p11_ec_key_sign (ClP11EcKey *self, GChecksumType digest, const guint8 *data, gsize len, GError **error)
{
  g_autoptr (GChecksum) checksum = NULL;
  guint8 hash[64];
  gsize hash_len = sizeof hash;

  g_return_val_if_fail (CL_IS_P11_EC_KEY (self), NULL);
  if (digest != G_CHECKSUM_SHA256 && digest != G_CHECKSUM_SHA384 && digest != G_CHECKSUM_SHA512)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "ECDSA with %s needs SHA-256, SHA-384 or SHA-512",
                   self->label);
      return NULL;
    }
  checksum = g_checksum_new (digest);
  g_checksum_update (checksum, data, len);
  g_checksum_get_digest (checksum, hash, &hash_len);
  return cl_p11_ec_key_sign_digest (self, hash, hash_len, error);
}

CK_OBJECT_HANDLE
cl_p11_ec_key_get_private_handle (ClP11EcKey *self)
{
  g_return_val_if_fail (CL_IS_P11_EC_KEY (self), CK_INVALID_HANDLE);
  return self->private_key;
}
