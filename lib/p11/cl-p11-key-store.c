#include "p11/cl-p11-key-store.h"

#include <string.h>

#include "core/cl-error.h"
#include "p11/cl-p11-error.h"

static const char *const role_suffix[] = { NULL, "enc", "mac", "dek" };

char *
cl_p11_key_label (const char *name, ClKeyRole role)
{
  g_return_val_if_fail (role >= CL_KEY_ROLE_ENC && role <= CL_KEY_ROLE_DEK, NULL);
  return g_strdup_printf ("%s/%s", name, role_suffix[role]);
}

static gint
memcmp_u8 (gconstpointer a, gconstpointer b)
{
  return (gint) * (const guint8 *)a - (gint) * (const guint8 *)b;
}

static gboolean
check_key_length (ClKeyType type, gsize len, GError **error)
{
  gboolean ok = type == CL_KEY_TYPE_AES ? (len == 16 || len == 24 || len == 32) : (len == 16 || len == 24);
  if (!ok)
    g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A %s key cannot be %zu bytes long",
                 type == CL_KEY_TYPE_AES ? "AES" : "3DES", len);
  return ok;
}

static gboolean
check_name_version (const char *name, guint8 version, GError **error)
{
  if (name == NULL || *name == '\0' || strchr (name, '/') != NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Key set name \"%s\" is empty or contains '/'",
                   name != NULL ? name : "");
      return FALSE;
    }
  if (version == 0 || version > 0x7F)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Key version %u is outside 1..127", version);
      return FALSE;
    }
  return TRUE;
}

/* Finds the objects matching tmpl (at most max); returns the count or -1 with error set. */
static gint
find_objects (ClP11Session *session, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out, CK_ULONG max,
              const char *what, GError **error)
{
  CK_ULONG count = 0;
  CK_RV rv;

  rv = session->f->C_FindObjectsInit (session->handle, tmpl, n);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Searching %s", what), -1;
  rv = session->f->C_FindObjects (session->handle, out, max, &count);
  session->f->C_FindObjectsFinal (session->handle);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Searching %s", what), -1;
  return (gint)count;
}

static gint
find_key (ClP11Session *session, const char *label, const guint8 *id, CK_OBJECT_HANDLE *out, GError **error)
{
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_OBJECT_HANDLE found[2];
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_LABEL, (void *)label, strlen (label) },
    { CKA_ID, (void *)id, 1 },
  };
  gint n = find_objects (session, tmpl, G_N_ELEMENTS (tmpl), found, G_N_ELEMENTS (found), label, error);

  if (n > 1)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_TOKEN, "Key %s version %u exists more than once on token \"%s\"", label,
                   *id, cl_p11_token_get_label (session->token));
      return -1;
    }
  if (n == 1)
    *out = found[0];
  return n;
}

static gboolean
check_absent (ClP11Session *session, const char *name, guint8 version, GError **error)
{
  for (ClKeyRole role = CL_KEY_ROLE_ENC; role <= CL_KEY_ROLE_DEK; role++)
    {
      g_autofree char *label = cl_p11_key_label (name, role);
      CK_OBJECT_HANDLE h;
      gint n = find_key (session, label, &version, &h, error);
      if (n < 0)
        return FALSE;
      if (n > 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Key %s version %u already exists on token \"%s\"",
                       label, version, cl_p11_token_get_label (session->token));
          return FALSE;
        }
    }
  return TRUE;
}

static void
destroy_all (ClP11Session *session, CK_OBJECT_HANDLE *handles, guint n)
{
  for (guint i = 0; i < n; i++)
    if (handles[i] != CK_INVALID_HANDLE)
      session->f->C_DestroyObject (session->handle, handles[i]);
}

/* value == NULL generates the key. */
static gboolean
store_key (ClP11Session *session, const char *name, guint8 version, ClKeyRole role, ClKeyType type, GBytes *value,
           gsize key_len, ClP11KeySetFlags flags, CK_OBJECT_HANDLE *out, GError **error)
{
  g_autofree char *label = cl_p11_key_label (name, role);
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_KEY_TYPE key_type = type == CL_KEY_TYPE_AES ? CKK_AES : key_len == 16 ? CKK_DES2 : CKK_DES3;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_BBOOL token = (flags & CL_P11_KEY_SET_SESSION) ? CK_FALSE : CK_TRUE;
  CK_BBOOL extractable = (flags & CL_P11_KEY_SET_EXTRACTABLE) ? CK_TRUE : CK_FALSE;
  CK_BBOOL sign = type == CL_KEY_TYPE_AES ? CK_TRUE : CK_FALSE;
  CK_BBOOL wrap = role == CL_KEY_ROLE_DEK ? CK_TRUE : CK_FALSE;
  CK_ULONG value_len = key_len;
  CK_ATTRIBUTE tmpl[16] = {
    { CKA_CLASS, &klass, sizeof klass },  { CKA_KEY_TYPE, &key_type, sizeof key_type },
    { CKA_LABEL, label, strlen (label) }, { CKA_ID, &version, 1 },
    { CKA_TOKEN, &token, sizeof token },  { CKA_PRIVATE, &yes, sizeof yes },
    { CKA_SENSITIVE, &yes, sizeof yes },  { CKA_EXTRACTABLE, &extractable, sizeof extractable },
    { CKA_ENCRYPT, &yes, sizeof yes },    { CKA_DECRYPT, &no, sizeof no },
    { CKA_SIGN, &sign, sizeof sign },     { CKA_VERIFY, &no, sizeof no },
    { CKA_DERIVE, &yes, sizeof yes },     { CKA_WRAP, &wrap, sizeof wrap },
    { CKA_UNWRAP, &no, sizeof no },
  };
  CK_ULONG n = 15;
  CK_RV rv;

  if (value != NULL)
    {
      gsize len;
      tmpl[n].type = CKA_VALUE;
      tmpl[n].pValue = (void *)g_bytes_get_data (value, &len);
      tmpl[n].ulValueLen = len;
      n++;
      rv = session->f->C_CreateObject (session->handle, tmpl, n, out);
      if (rv != CKR_OK)
        return cl_p11_set_error (error, rv, "Importing key %s version %u", label, version);
      return TRUE;
    }
  else
    {
      CK_MECHANISM mech = { type == CL_KEY_TYPE_AES ? CKM_AES_KEY_GEN
                            : key_len == 16         ? CKM_DES2_KEY_GEN
                                                    : CKM_DES3_KEY_GEN,
                            NULL, 0 };
      if (type == CL_KEY_TYPE_AES)
        {
          tmpl[n].type = CKA_VALUE_LEN;
          tmpl[n].pValue = &value_len;
          tmpl[n].ulValueLen = sizeof value_len;
          n++;
        }
      rv = session->f->C_GenerateKey (session->handle, &mech, tmpl, n, out);
      if (rv != CKR_OK)
        return cl_p11_set_error (error, rv, "Generating key %s version %u with %s", label, version,
                                 cl_p11_mechanism_to_string (mech.mechanism));
      return TRUE;
    }
}

static gboolean
store_key_set (ClP11Token *token, const char *name, guint8 version, ClKeyType type, GBytes *values[3], gsize key_len,
               ClP11KeySetFlags flags, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  CK_OBJECT_HANDLE handles[3] = { CK_INVALID_HANDLE, CK_INVALID_HANDLE, CK_INVALID_HANDLE };

  g_return_val_if_fail (CL_IS_P11_TOKEN (token), FALSE);
  if (!check_name_version (name, version, error) || !check_key_length (type, key_len, error))
    return FALSE;
  session = cl_p11_token_acquire_session (token, error);
  if (session == NULL || !check_absent (session, name, version, error))
    return FALSE;

  for (ClKeyRole role = CL_KEY_ROLE_ENC; role <= CL_KEY_ROLE_DEK; role++)
    if (!store_key (session, name, version, role, type, values != NULL ? values[role - 1] : NULL, key_len, flags,
                    &handles[role - 1], error))
      {
        /* All three or none: a half key set would be found by nobody and block the version. */
        destroy_all (session, handles, 3);
        return FALSE;
      }
  return TRUE;
}

gboolean
cl_p11_token_import_key_set (ClP11Token *token, const char *name, guint8 version, ClKeyType type, GBytes *enc,
                             GBytes *mac, GBytes *dek, ClP11KeySetFlags flags, GError **error)
{
  GBytes *values[3] = { enc, mac, dek };

  g_return_val_if_fail (enc != NULL && mac != NULL && dek != NULL, FALSE);
  if (g_bytes_get_size (mac) != g_bytes_get_size (enc) || g_bytes_get_size (dek) != g_bytes_get_size (enc))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Keys of key set %s version %u differ in length (%zu, %zu, %zu bytes)", name, version,
                   g_bytes_get_size (enc), g_bytes_get_size (mac), g_bytes_get_size (dek));
      return FALSE;
    }
  return store_key_set (token, name, version, type, values, g_bytes_get_size (enc), flags, error);
}

gboolean
cl_p11_token_generate_key_set (ClP11Token *token, const char *name, guint8 version, ClKeyType type, gsize key_len,
                               ClP11KeySetFlags flags, GError **error)
{
  return store_key_set (token, name, version, type, NULL, key_len, flags, error);
}

static gboolean
get_ulong (ClP11Session *session, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type, CK_ULONG *out, const char *what,
           GError **error)
{
  CK_ATTRIBUTE attr = { type, out, sizeof *out };
  CK_RV rv = session->f->C_GetAttributeValue (session->handle, h, &attr, 1);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Reading attributes of %s", what);
  return TRUE;
}

ClP11KeySet *
cl_p11_token_find_key_set (ClP11Token *token, const char *name, guint8 version, ClP11KeySetOptions options,
                           GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  CK_OBJECT_HANDLE handles[3];
  CK_ULONG key_type = 0, key_len = 0;
  ClKeyType type;

  g_return_val_if_fail (CL_IS_P11_TOKEN (token), NULL);
  if (!check_name_version (name, version, error))
    return NULL;
  session = cl_p11_token_acquire_session (token, error);
  if (session == NULL)
    return NULL;

  for (ClKeyRole role = CL_KEY_ROLE_ENC; role <= CL_KEY_ROLE_DEK; role++)
    {
      g_autofree char *label = cl_p11_key_label (name, role);
      CK_ULONG this_type, this_len;
      gint n = find_key (session, label, &version, &handles[role - 1], error);

      if (n < 0)
        return NULL;
      if (n == 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Key %s version %u is not on token \"%s\"%s", label,
                       version, cl_p11_token_get_label (token),
                       cl_p11_token_is_logged_in (token) ? "" : " (not logged in)");
          return NULL;
        }
      if (!get_ulong (session, handles[role - 1], CKA_KEY_TYPE, &this_type, label, error))
        return NULL;
      if (this_type == CKK_AES)
        {
          if (!get_ulong (session, handles[role - 1], CKA_VALUE_LEN, &this_len, label, error))
            return NULL;
        }
      else if (this_type == CKK_DES2 || this_type == CKK_DES3)
        this_len = this_type == CKK_DES2 ? 16 : 24;
      else
        {
          g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "Key %s version %u has key type 0x%lx, not AES or 3DES",
                       label, version, (unsigned long)this_type);
          return NULL;
        }
      if (role == CL_KEY_ROLE_ENC)
        {
          key_type = this_type;
          key_len = this_len;
        }
      else if (this_len != key_len || (this_type == CKK_AES) != (key_type == CKK_AES))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_TOKEN, "Key %s version %u differs in type or length from %s/enc",
                       label, version, name);
          return NULL;
        }
    }
  type = key_type == CKK_AES ? CL_KEY_TYPE_AES : CL_KEY_TYPE_DES3;
  return cl_p11_key_set_new (token, name, version, type, key_len, handles, FALSE, options);
}

GArray *
cl_p11_token_list_key_set_versions (ClP11Token *token, const char *name, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  g_autoptr (GArray) versions = g_array_new (FALSE, FALSE, 1);
  g_autofree char *label = NULL;
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_OBJECT_HANDLE found[128];
  gint n;

  g_return_val_if_fail (CL_IS_P11_TOKEN (token), NULL);
  session = cl_p11_token_acquire_session (token, error);
  if (session == NULL)
    return NULL;

  label = cl_p11_key_label (name, CL_KEY_ROLE_ENC);
  {
    CK_ATTRIBUTE tmpl[] = {
      { CKA_CLASS, &klass, sizeof klass },
      { CKA_LABEL, label, strlen (label) },
    };
    n = find_objects (session, tmpl, G_N_ELEMENTS (tmpl), found, G_N_ELEMENTS (found), label, error);
  }
  if (n < 0)
    return NULL;

  for (gint i = 0; i < n; i++)
    {
      guint8 id[2];
      CK_ATTRIBUTE attr = { CKA_ID, id, sizeof id };
      gboolean complete = TRUE;

      if (session->f->C_GetAttributeValue (session->handle, found[i], &attr, 1) != CKR_OK || attr.ulValueLen != 1)
        continue;
      for (ClKeyRole role = CL_KEY_ROLE_MAC; role <= CL_KEY_ROLE_DEK; role++)
        {
          g_autofree char *other = cl_p11_key_label (name, role);
          CK_OBJECT_HANDLE h;
          if (find_key (session, other, id, &h, NULL) != 1)
            complete = FALSE;
        }
      if (complete)
        g_array_append_val (versions, id[0]);
    }
  g_array_sort (versions, (GCompareFunc)memcmp_u8);
  return g_steal_pointer (&versions);
}

gboolean
cl_p11_token_delete_key_set (ClP11Token *token, const char *name, guint8 version, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  gboolean any = FALSE;

  g_return_val_if_fail (CL_IS_P11_TOKEN (token), FALSE);
  session = cl_p11_token_acquire_session (token, error);
  if (session == NULL)
    return FALSE;
  for (ClKeyRole role = CL_KEY_ROLE_ENC; role <= CL_KEY_ROLE_DEK; role++)
    {
      g_autofree char *label = cl_p11_key_label (name, role);
      CK_OBJECT_HANDLE h;
      gint n = find_key (session, label, &version, &h, error);
      CK_RV rv;

      if (n < 0)
        return FALSE;
      if (n == 0)
        continue;
      rv = session->f->C_DestroyObject (session->handle, h);
      if (rv != CKR_OK)
        return cl_p11_set_error (error, rv, "Destroying key %s version %u", label, version);
      any = TRUE;
    }
  if (!any)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Key set %s version %u is not on token \"%s\"", name, version,
                   cl_p11_token_get_label (token));
      return FALSE;
    }
  return TRUE;
}
