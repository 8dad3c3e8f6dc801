#include "keys/cl-key-transport.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "keys/cl-key-inventory.h"
#include "keys/cl-key-object.h"
#include "p11/cl-p11-error.h"

#define GROUP "cardline-wrapped-key"

/* The transport key NAME/V, active, with its GP check value. */
static gboolean
open_transport (ClP11Token *token, ClP11Session *session, const char *name, guint8 version, CK_OBJECT_HANDLE *out,
                char **kcv_hex, GError **error)
{
  g_autoptr (ClKeyRecord) record = cl_key_meta_read (session, name, version, error);
  g_autofree char *label = NULL;
  guint8 kcv[3];

  if (record == NULL)
    return FALSE;
  if (record->kind != CL_KEY_KIND_TRANSPORT)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Key %s version %u is not a transport key", name,
                   version);
      return FALSE;
    }
  if (!cl_key_inventory_open_key (token, name, version, out, error))
    return FALSE;
  label = cl_key_spec_label (name, record->kind, 0);
  if (!cl_key_object_kcv (session, *out, record->type, CL_KCV_METHOD_GP, kcv, label, error))
    return FALSE;
  *kcv_hex = cl_hex_encode (kcv, 3);
  return TRUE;
}

ClKeyRecord *
cl_key_transport_export (ClP11Token *token, const char *name, guint8 version, const char *transport_name,
                         guint8 transport_version, const char *path, ClKeyAudit *audit, const char *actor,
                         GError **error)
{
  g_autoptr (ClP11Session) session = cl_p11_token_acquire_session (token, error);
  g_autoptr (ClKeyRecord) record = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GPtrArray) wrapped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) kcvs = g_ptr_array_new ();
  g_autofree char *transport_kcv = NULL, *data = NULL, *subject = NULL, *details = NULL;
  CK_OBJECT_HANDLE transport;
  gsize len;

  if (session == NULL)
    return NULL;
  record = cl_key_meta_read (session, name, version, error);
  if (record == NULL)
    return NULL;
  if (record->retired)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Key %s version %u is retired", name, version);
      return NULL;
    }
  if (!record->exportable)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "Key %s version %u was not made exportable at its ceremony; the token will not wrap it", name,
                   version);
      return NULL;
    }
  if (!open_transport (token, session, transport_name, transport_version, &transport, &transport_kcv, error))
    return NULL;

  for (guint i = 0; i < cl_key_kind_get_n_keys (record->kind); i++)
    {
      g_autofree char *label = cl_key_spec_label (name, record->kind, i);
      CK_MECHANISM mech = { CKM_AES_KEY_WRAP, NULL, 0 };
      guint8 out[64];
      CK_ULONG out_len = sizeof out;
      CK_OBJECT_HANDLE h;
      gint n = cl_key_object_find (session, label, version, &h, error);
      CK_RV rv;

      if (n <= 0)
        {
          if (n == 0)
            g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Key %s version %u is not on the token", label, version);
          return NULL;
        }
      rv = session->f->C_WrapKey (session->handle, &mech, transport, h, out, &out_len);
      if (rv != CKR_OK)
        return cl_p11_set_error (error, rv, "Wrapping %s version %u under %s/%u", label, version, transport_name,
                                 transport_version),
               NULL;
      g_ptr_array_add (wrapped, cl_hex_encode (out, out_len));
      g_ptr_array_add (kcvs, record->kcv[i]);
    }
  g_ptr_array_add (wrapped, NULL);
  g_ptr_array_add (kcvs, NULL);

  g_key_file_set_integer (kf, GROUP, "format", 1);
  g_key_file_set_string (kf, GROUP, "name", name);
  g_key_file_set_integer (kf, GROUP, "version", version);
  g_key_file_set_string (kf, GROUP, "kind", cl_key_kind_to_string (record->kind));
  g_key_file_set_string (kf, GROUP, "type", cl_key_type_to_string (record->type));
  g_key_file_set_integer (kf, GROUP, "length", (gint)record->length);
  g_key_file_set_string (kf, GROUP, "kcv-method", cl_kcv_method_to_string (record->kcv_method));
  g_key_file_set_string_list (kf, GROUP, "kcv", (const char *const *)kcvs->pdata, kcvs->len - 1);
  g_key_file_set_string_list (kf, GROUP, "wrapped", (const char *const *)wrapped->pdata, wrapped->len - 1);
  g_key_file_set_string (kf, GROUP, "wrap-mechanism", "CKM_AES_KEY_WRAP");
  g_key_file_set_string (kf, GROUP, "transport-key", transport_name);
  g_key_file_set_integer (kf, GROUP, "transport-version", transport_version);
  g_key_file_set_string (kf, GROUP, "transport-kcv", transport_kcv);
  data = g_key_file_to_data (kf, &len, NULL);
  if (!g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return NULL;

  subject = g_strdup_printf ("%s/%u", name, version);
  details = g_strdup_printf ("file=%s kcv=%s transport=%s/%u transport-kcv=%s mechanism=CKM_AES_KEY_WRAP", path,
                             record->kcv[0], transport_name, transport_version, transport_kcv);
  if (!cl_key_audit_record (audit, actor, "key.export", subject, details, error))
    return NULL;
  return g_steal_pointer (&record);
}

ClKeyRecord *
cl_key_transport_import (ClP11Token *token, const char *path, ClKeyAudit *audit, const char *actor, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (ClP11Session) session = NULL;
  g_autoptr (ClKeyRecord) record = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *name = NULL, *kind = NULL, *type = NULL, *method = NULL, *transport_name = NULL;
  g_autofree char *file_transport_kcv = NULL, *transport_kcv = NULL, *subject = NULL, *details = NULL;
  g_auto (GStrv) kcvs = NULL, wrapped = NULL;
  CK_OBJECT_HANDLE handles[3] = { CK_INVALID_HANDLE, CK_INVALID_HANDLE, CK_INVALID_HANDLE };
  CK_OBJECT_HANDLE transport;
  ClKeySpec spec = { 0 };
  gint version, length, transport_version;
  guint n_keys;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    goto malformed;
  name = g_key_file_get_string (kf, GROUP, "name", &local);
  if (local == NULL)
    version = g_key_file_get_integer (kf, GROUP, "version", &local);
  if (local == NULL)
    length = g_key_file_get_integer (kf, GROUP, "length", &local);
  if (local == NULL)
    kind = g_key_file_get_string (kf, GROUP, "kind", &local);
  if (local == NULL)
    type = g_key_file_get_string (kf, GROUP, "type", &local);
  if (local == NULL)
    method = g_key_file_get_string (kf, GROUP, "kcv-method", &local);
  if (local == NULL)
    kcvs = g_key_file_get_string_list (kf, GROUP, "kcv", NULL, &local);
  if (local == NULL)
    wrapped = g_key_file_get_string_list (kf, GROUP, "wrapped", NULL, &local);
  if (local == NULL)
    transport_name = g_key_file_get_string (kf, GROUP, "transport-key", &local);
  if (local == NULL)
    transport_version = g_key_file_get_integer (kf, GROUP, "transport-version", &local);
  if (local == NULL)
    file_transport_kcv = g_key_file_get_string (kf, GROUP, "transport-kcv", &local);
  if (local != NULL)
    goto malformed;
  spec.name = name;
  spec.version = (guint8)CLAMP (version, 0, 255);
  spec.length = (gsize)MAX (length, 0);
  if (!cl_key_kind_from_string (kind, &spec.kind, error) || !cl_key_type_from_string (type, &spec.type, error)
      || !cl_kcv_method_from_string (method, &spec.kcv_method, error) || !cl_key_spec_check (&spec, error))
    return NULL;
  n_keys = cl_key_kind_get_n_keys (spec.kind);
  if (g_strv_length (kcvs) != n_keys || g_strv_length (wrapped) != n_keys || transport_version < 1
      || transport_version > 127)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Wrapped key file %s: %u keys expected in kcv and wrapped",
                   path, n_keys);
      return NULL;
    }

  session = cl_p11_token_acquire_session (token, error);
  if (session == NULL
      || !open_transport (token, session, transport_name, (guint8)transport_version, &transport, &transport_kcv, error))
    return NULL;
  if (g_ascii_strcasecmp (transport_kcv, file_transport_kcv) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "Transport key %s/%d has check value %s here but %s in %s: not the same key", transport_name,
                   transport_version, transport_kcv, file_transport_kcv, path);
      return NULL;
    }

  record = cl_key_record_new (&spec);
  record->origin = CL_KEY_ORIGIN_UNWRAPPED;
  for (guint i = 0; i < n_keys; i++)
    {
      g_autofree char *label = cl_key_spec_label (name, spec.kind, i);
      g_autoptr (GBytes) blob = cl_hex_decode (wrapped[i], &local);
      CK_MECHANISM mech = { CKM_AES_KEY_WRAP, NULL, 0 };
      ClKeyObjectStorage storage;
      CK_ATTRIBUTE tmpl[20];
      CK_ULONG n;
      CK_OBJECT_HANDLE existing;
      guint8 kcv[3];
      gsize blob_len;
      const guint8 *blob_data;
      CK_RV rv;
      gint found;

      if (blob == NULL)
        goto fail;
      found = cl_key_object_find (session, label, spec.version, &existing, &local);
      if (found != 0)
        {
          if (found > 0)
            g_set_error (&local, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                         "Key %s version %u already exists on token \"%s\"", label, spec.version,
                         cl_p11_token_get_label (token));
          goto fail;
        }
      n = cl_key_object_template (&spec, i, label, TRUE, NULL, &storage, tmpl);
      /* C_UnwrapKey takes the length from the wrapped data. */
      if (tmpl[n - 1].type == CKA_VALUE_LEN)
        n--;
      blob_data = g_bytes_get_data (blob, &blob_len);
      rv = session->f->C_UnwrapKey (session->handle, &mech, transport, (guint8 *)blob_data, blob_len, tmpl, n,
                                    &handles[i]);
      if (rv != CKR_OK)
        {
          cl_p11_set_error (&local, rv, "Unwrapping %s version %u under %s/%d", label, spec.version, transport_name,
                            transport_version);
          goto fail;
        }
      if (!cl_key_object_kcv (session, handles[i], spec.type, spec.kcv_method, kcv, label, &local))
        goto fail;
      record->kcv[i] = cl_hex_encode (kcv, 3);
      if (g_ascii_strcasecmp (record->kcv[i], kcvs[i]) != 0)
        {
          g_set_error (&local, CL_ERROR, CL_ERROR_SECURITY,
                       "Key %s version %u: check value %s after unwrapping, %s in the file", label, spec.version,
                       record->kcv[i], kcvs[i]);
          goto fail;
        }
    }
  if (!cl_key_meta_write (session, record, &local))
    goto fail;

  subject = g_strdup_printf ("%s/%u", name, spec.version);
  details = g_strdup_printf ("file=%s kind=%s kcv=%s%s%s%s%s (matches file) transport=%s/%d transport-kcv=%s", path,
                             kind, record->kcv[0], record->kcv[1] ? "," : "", record->kcv[1] ? record->kcv[1] : "",
                             record->kcv[2] ? "," : "", record->kcv[2] ? record->kcv[2] : "", transport_name,
                             transport_version, transport_kcv);
  if (!cl_key_audit_record (audit, actor, "key.import-wrapped", subject, details, error))
    return NULL;
  return g_steal_pointer (&record);

fail:
  for (guint j = 0; j < 3; j++)
    if (handles[j] != CK_INVALID_HANDLE)
      session->f->C_DestroyObject (session->handle, handles[j]);
  subject = g_strdup_printf ("%s/%u", name, spec.version);
  cl_key_audit_record (audit, actor, "key.import-wrapped.failed", subject, local->message, NULL);
  g_propagate_error (error, g_steal_pointer (&local));
  return NULL;

malformed:
  g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Wrapped key file %s: %s", path, local->message);
  return NULL;
}
