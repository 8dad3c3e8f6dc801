#include "keys/cl-key-inventory.h"

#include <string.h>

#include "core/cl-error.h"
#include "keys/cl-key-object.h"
#include "p11/cl-p11-error.h"
#include "p11/cl-p11-key-store.h"

GPtrArray *
cl_key_inventory_list (ClP11Token *token, GError **error)
{
  g_autoptr (ClP11Session) session = cl_p11_token_acquire_session (token, error);
  return session != NULL ? cl_key_meta_read_all (session, error) : NULL;
}

ClKeyRecord *
cl_key_inventory_get (ClP11Token *token, const char *name, guint8 version, GError **error)
{
  g_autoptr (ClP11Session) session = cl_p11_token_acquire_session (token, error);
  return session != NULL ? cl_key_meta_read (session, name, version, error) : NULL;
}

gboolean
cl_key_inventory_retire (ClP11Token *token, const char *name, guint8 version, gboolean destroy, ClKeyAudit *audit,
                         const char *actor, GError **error)
{
  g_autoptr (ClP11Session) session = cl_p11_token_acquire_session (token, error);
  g_autoptr (ClKeyRecord) record = NULL;
  g_autofree char *subject = g_strdup_printf ("%s/%u", name, version);
  g_autofree char *details = NULL;

  if (session == NULL)
    return FALSE;
  record = cl_key_meta_read (session, name, version, error);
  if (record == NULL)
    return FALSE;
  for (guint i = 0; i < cl_key_kind_get_n_keys (record->kind); i++)
    {
      g_autofree char *label = cl_key_spec_label (name, record->kind, i);
      g_autofree char *retired = g_strconcat ("retired.", label, NULL);
      CK_OBJECT_HANDLE h;
      gint n = cl_key_object_find (session, label, version, &h, error);
      CK_RV rv;

      if (n < 0)
        return FALSE;
      if (n == 0 && !destroy)
        continue;
      if (n == 0)
        {
          n = cl_key_object_find (session, retired, version, &h, error);
          if (n <= 0)
            {
              if (n == 0)
                continue;
              return FALSE;
            }
        }
      if (destroy)
        rv = session->f->C_DestroyObject (session->handle, h);
      else
        {
          CK_ATTRIBUTE attr = { CKA_LABEL, retired, strlen (retired) };
          rv = session->f->C_SetAttributeValue (session->handle, h, &attr, 1);
        }
      if (rv != CKR_OK)
        return cl_p11_set_error (error, rv, "%s key %s version %u", destroy ? "Destroying" : "Retiring", label,
                                 version);
    }
  record->retired = TRUE;
  if (!cl_key_meta_write (session, record, error))
    return FALSE;
  details = g_strdup_printf ("kind=%s kcv=%s%s%s%s%s destroyed=%s", cl_key_kind_to_string (record->kind),
                             record->kcv[0], record->kcv[1] ? "," : "", record->kcv[1] ? record->kcv[1] : "",
                             record->kcv[2] ? "," : "", record->kcv[2] ? record->kcv[2] : "", destroy ? "yes" : "no");
  return cl_key_audit_record (audit, actor, "key.retire", subject, details, error);
}

gboolean
cl_key_inventory_touch (ClP11Token *token, const char *name, guint8 version, GError **error)
{
  g_autoptr (ClP11Session) session = cl_p11_token_acquire_session (token, error);
  g_autoptr (ClKeyRecord) record = NULL;

  if (session == NULL)
    return FALSE;
  record = cl_key_meta_read (session, name, version, error);
  if (record == NULL)
    return FALSE;
  record->last_used = g_get_real_time () / G_USEC_PER_SEC;
  return cl_key_meta_write (session, record, error);
}

static gboolean
check_active (ClP11Token *token, const char *name, guint8 version, ClKeyKind *kind, GError **error)
{
  g_autoptr (ClKeyRecord) record = cl_key_inventory_get (token, name, version, error);

  if (record == NULL)
    return FALSE;
  if (record->retired)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Key %s version %u is retired and may not be used", name,
                   version);
      return FALSE;
    }
  *kind = record->kind;
  return cl_key_inventory_touch (token, name, version, error);
}

ClP11KeySet *
cl_key_inventory_open_key_set (ClP11Token *token, const char *name, guint8 version, ClP11KeySetOptions options,
                               GError **error)
{
  ClKeyKind kind;

  if (!check_active (token, name, version, &kind, error))
    return NULL;
  if (kind != CL_KEY_KIND_SET)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Key %s version %u is a %s key, not a key set", name,
                   version, cl_key_kind_to_string (kind));
      return NULL;
    }
  return cl_key_inventory_find_key_set (token, name, version, options, error);
}

ClP11KeySet *
cl_key_inventory_find_key_set (ClP11Token *token, const char *name, guint8 version, ClP11KeySetOptions options,
                               GError **error)
{
  g_autoptr (ClP11KeySet) set = cl_p11_token_find_key_set (token, name, version, options, error);
  g_autoptr (ClKeyRecord) record = NULL;

  if (set == NULL || cl_p11_key_set_get_key_length (set) != 0)
    return g_steal_pointer (&set);
  record = cl_key_inventory_get (token, name, version, error);
  if (record == NULL)
    {
      g_prefix_error (error, "Key %s version %u: token \"%s\" records no key length and ", name, version,
                      cl_p11_token_get_label (token));
      return NULL;
    }
  if (record->type != CL_KEY_TYPE_AES || (record->length != 16 && record->length != 24 && record->length != 32))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_TOKEN,
                   "Key %s version %u: token \"%s\" records no key length and its Cardline record is no AES key", name,
                   version, cl_p11_token_get_label (token));
      return NULL;
    }
  cl_p11_key_set_set_unrecorded_length (set, record->length);
  return g_steal_pointer (&set);
}

gboolean
cl_key_inventory_open_key (ClP11Token *token, const char *name, guint8 version, CK_OBJECT_HANDLE *out, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  g_autofree char *label = NULL;
  ClKeyKind kind;
  gint n;

  if (!check_active (token, name, version, &kind, error))
    return FALSE;
  if (kind == CL_KEY_KIND_SET)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Key %s version %u is a key set", name, version);
      return FALSE;
    }
  session = cl_p11_token_acquire_session (token, error);
  if (session == NULL)
    return FALSE;
  label = cl_key_spec_label (name, kind, 0);
  n = cl_key_object_find (session, label, version, out, error);
  if (n == 0)
    g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Key %s version %u is not on token \"%s\"", label, version,
                 cl_p11_token_get_label (token));
  return n == 1;
}
