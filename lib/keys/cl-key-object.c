#include "keys/cl-key-object.h"

#include <string.h>

#include "core/cl-error.h"
#include "p11/cl-p11-error.h"

#define META_APPLICATION "cardline-keys"

CK_ULONG
cl_key_object_template (const ClKeySpec *spec, guint i, const char *label, gboolean token_object, const guint8 *value,
                        ClKeyObjectStorage *s, CK_ATTRIBUTE *tmpl)
{
  CK_ULONG n = 0;
  gboolean transport = spec->kind == CL_KEY_KIND_TRANSPORT;

  s->klass = CKO_SECRET_KEY;
  s->key_type = spec->type == CL_KEY_TYPE_AES ? CKK_AES : spec->length == 16 ? CKK_DES2 : CKK_DES3;
  s->yes = CK_TRUE;
  s->no = CK_FALSE;
  s->session_token = token_object ? CK_TRUE : CK_FALSE;
  s->extractable = spec->exportable ? CK_TRUE : CK_FALSE;
  s->sign = spec->type == CL_KEY_TYPE_AES ? CK_TRUE : CK_FALSE;
  s->wrap = transport || (spec->kind == CL_KEY_KIND_SET && i == 2) ? CK_TRUE : CK_FALSE;
  s->unwrap = transport ? CK_TRUE : CK_FALSE;
  s->derive = transport ? CK_FALSE : CK_TRUE;
  s->value_len = spec->length;
  s->id = spec->version;

#define ADD(t, p, l) (tmpl[n].type = (t), tmpl[n].pValue = (void *)(p), tmpl[n].ulValueLen = (l), n++)
  ADD (CKA_CLASS, &s->klass, sizeof s->klass);
  ADD (CKA_KEY_TYPE, &s->key_type, sizeof s->key_type);
  ADD (CKA_LABEL, label, strlen (label));
  ADD (CKA_ID, &s->id, 1);
  ADD (CKA_TOKEN, &s->session_token, sizeof (CK_BBOOL));
  ADD (CKA_PRIVATE, &s->yes, sizeof (CK_BBOOL));
  ADD (CKA_SENSITIVE, &s->yes, sizeof (CK_BBOOL));
  ADD (CKA_EXTRACTABLE, &s->extractable, sizeof (CK_BBOOL));
  ADD (CKA_ENCRYPT, &s->yes, sizeof (CK_BBOOL));
  ADD (CKA_DECRYPT, &s->no, sizeof (CK_BBOOL));
  ADD (CKA_SIGN, &s->sign, sizeof (CK_BBOOL));
  ADD (CKA_VERIFY, &s->no, sizeof (CK_BBOOL));
  ADD (CKA_DERIVE, &s->derive, sizeof (CK_BBOOL));
  ADD (CKA_WRAP, &s->wrap, sizeof (CK_BBOOL));
  ADD (CKA_UNWRAP, &s->unwrap, sizeof (CK_BBOOL));
  if (value != NULL)
    ADD (CKA_VALUE, value, spec->length);
  else if (spec->type == CL_KEY_TYPE_AES)
    ADD (CKA_VALUE_LEN, &s->value_len, sizeof s->value_len);
#undef ADD
  return n;
}

static gint
find_objects (ClP11Session *session, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out, CK_ULONG max,
              const char *what, GError **error)
{
  CK_ULONG count = 0;
  CK_RV rv = session->f->C_FindObjectsInit (session->handle, tmpl, n);

  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Searching %s", what), -1;
  rv = session->f->C_FindObjects (session->handle, out, max, &count);
  session->f->C_FindObjectsFinal (session->handle);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Searching %s", what), -1;
  return (gint)count;
}

gint
cl_key_object_find (ClP11Session *session, const char *label, guint8 version, CK_OBJECT_HANDLE *out, GError **error)
{
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_OBJECT_HANDLE found[2];
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_LABEL, (void *)label, strlen (label) },
    { CKA_ID, &version, 1 },
  };
  gint n = find_objects (session, tmpl, G_N_ELEMENTS (tmpl), found, 2, label, error);

  if (n > 1)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_TOKEN, "Key %s version %u exists more than once", label, version);
      return -1;
    }
  if (n == 1)
    *out = found[0];
  return n;
}

gboolean
cl_key_object_kcv (ClP11Session *session, CK_OBJECT_HANDLE key, ClKeyType type, ClKcvMethod method, guint8 kcv[3],
                   const char *what, GError **error)
{
  guint8 in[16], out[16];
  CK_ULONG out_len = sizeof out;
  CK_MECHANISM mech = { 0, NULL, 0 };
  CK_ULONG in_len;
  CK_RV rv;

  if (method == CL_KCV_METHOD_AES_CMAC)
    {
      memset (in, 0x00, sizeof in);
      mech.mechanism = CKM_AES_CMAC;
      rv = session->f->C_SignInit (session->handle, &mech, key);
      if (rv == CKR_OK)
        rv = session->f->C_Sign (session->handle, in, sizeof in, out, &out_len);
    }
  else
    {
      mech.mechanism = type == CL_KEY_TYPE_AES ? CKM_AES_ECB : CKM_DES3_ECB;
      in_len = type == CL_KEY_TYPE_AES ? 16 : 8;
      memset (in, type == CL_KEY_TYPE_AES ? 0x01 : 0x00, sizeof in);
      rv = session->f->C_EncryptInit (session->handle, &mech, key);
      if (rv == CKR_OK)
        rv = session->f->C_Encrypt (session->handle, in, in_len, out, &out_len);
    }
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Check value of %s with %s", what, cl_p11_mechanism_to_string (mech.mechanism));
  memcpy (kcv, out, 3);
  return TRUE;
}

static char *
meta_label (const char *name, guint8 version)
{
  return g_strdup_printf ("%s/meta.%u", name, version);
}

static gint
find_meta (ClP11Session *session, const char *label, CK_OBJECT_HANDLE *out, CK_ULONG max, GError **error)
{
  CK_OBJECT_CLASS klass = CKO_DATA;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_APPLICATION, (void *)META_APPLICATION, strlen (META_APPLICATION) },
    { CKA_LABEL, (void *)label, label != NULL ? strlen (label) : 0 },
  };
  return find_objects (session, tmpl, label != NULL ? 3 : 2, out, max, "key metadata", error);
}

gboolean
cl_key_meta_write (ClP11Session *session, const ClKeyRecord *record, GError **error)
{
  g_autofree char *label = meta_label (record->name, record->version);
  gsize len;
  g_autofree char *data = cl_key_record_to_data (record, &len);
  CK_OBJECT_CLASS klass = CKO_DATA;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_TOKEN, &yes, sizeof yes },
    { CKA_PRIVATE, &yes, sizeof yes },
    { CKA_MODIFIABLE, &yes, sizeof yes },
    { CKA_APPLICATION, (void *)META_APPLICATION, strlen (META_APPLICATION) },
    { CKA_LABEL, label, strlen (label) },
    { CKA_VALUE, data, len },
  };
  CK_OBJECT_HANDLE old[4], created;
  gint n = find_meta (session, label, old, G_N_ELEMENTS (old), error);
  CK_RV rv;

  if (n < 0)
    return FALSE;
  /* Create first, then drop the old record: a failure leaves the old one rather than none. */
  rv = session->f->C_CreateObject (session->handle, tmpl, G_N_ELEMENTS (tmpl), &created);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Writing key metadata %s", label);
  for (gint i = 0; i < n; i++)
    session->f->C_DestroyObject (session->handle, old[i]);
  return TRUE;
}

static ClKeyRecord *
read_meta (ClP11Session *session, CK_OBJECT_HANDLE h, GError **error)
{
  CK_ATTRIBUTE attr = { CKA_VALUE, NULL, 0 };
  g_autofree char *data = NULL;
  CK_RV rv = session->f->C_GetAttributeValue (session->handle, h, &attr, 1);

  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Reading key metadata"), NULL;
  data = g_malloc (attr.ulValueLen + 1);
  attr.pValue = data;
  rv = session->f->C_GetAttributeValue (session->handle, h, &attr, 1);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Reading key metadata"), NULL;
  data[attr.ulValueLen] = '\0';
  return cl_key_record_from_data (data, attr.ulValueLen, error);
}

ClKeyRecord *
cl_key_meta_read (ClP11Session *session, const char *name, guint8 version, GError **error)
{
  g_autofree char *label = meta_label (name, version);
  CK_OBJECT_HANDLE h;
  gint n = find_meta (session, label, &h, 1, error);

  if (n < 0)
    return NULL;
  if (n == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Key %s version %u has no Cardline record on token \"%s\"",
                   name, version, cl_p11_token_get_label (session->token));
      return NULL;
    }
  return read_meta (session, h, error);
}

static gint
compare_records (gconstpointer a, gconstpointer b)
{
  const ClKeyRecord *ra = *(ClKeyRecord *const *)a, *rb = *(ClKeyRecord *const *)b;
  gint c = g_strcmp0 (ra->name, rb->name);
  return c != 0 ? c : (gint)ra->version - (gint)rb->version;
}

GPtrArray *
cl_key_meta_read_all (ClP11Session *session, GError **error)
{
  g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_key_record_free);
  CK_OBJECT_HANDLE found[512];
  gint n = find_meta (session, NULL, found, G_N_ELEMENTS (found), error);

  if (n < 0)
    return NULL;
  for (gint i = 0; i < n; i++)
    {
      ClKeyRecord *record = read_meta (session, found[i], error);
      if (record == NULL)
        return NULL;
      g_ptr_array_add (records, record);
    }
  g_ptr_array_sort (records, compare_records);
  return g_steal_pointer (&records);
}
