#include "keys/cl-key-ceremony.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "keys/cl-key-object.h"
#include "core/cl-secure-buffer.h"
#include "p11/cl-p11-error.h"

#define MAX_COMPONENTS 9
#define CONFIRM_TRIES  3

typedef struct
{
  ClP11Token *token;
  const ClKeySpec *spec;
  guint n_components;
  const char *const *custodians;
  const ClKeyCeremonyIo *io;
  gboolean generate;
  GString *details; /* component check values for the audit */
  gboolean all_locked;
} Ceremony;

/* Reads component index of key slot into out (spec->length bytes). */
static gboolean
get_component (Ceremony *c, const char *label, guint index, guint8 *out, GError **error)
{
  ClKeyComponentInfo info = { label, index, c->n_components, c->custodians != NULL ? c->custodians[index - 1] : NULL };
  guint8 kcv[3];
  g_autofree char *kcv_hex = NULL;

  if (c->generate)
    {
      g_autoptr (ClSecureBuffer) hex = cl_secure_buffer_new (c->spec->length * 2 + 1);
      static const char digits[] = "0123456789ABCDEF";

      if (!cl_random_bytes (out, c->spec->length, error)
          || !cl_kcv_compute (c->spec->kcv_method, c->spec->type, out, c->spec->length, kcv, error))
        return FALSE;
      for (gsize i = 0; i < c->spec->length; i++)
        {
          hex->data[2 * i] = (guint8)digits[out[i] >> 4];
          hex->data[2 * i + 1] = (guint8)digits[out[i] & 15];
        }
      c->all_locked &= hex->locked;
      kcv_hex = cl_hex_encode (kcv, 3);
      if (!c->io->show (&info, (const char *)hex->data, kcv_hex, c->io->user_data, error))
        return FALSE;
    }
  else
    {
      for (guint attempt = 1;; attempt++)
        {
          char *text = c->io->prompt (&info, c->io->user_data, error);
          g_autoptr (GBytes) value = NULL;
          gsize len = 0;
          const guint8 *data;

          if (text == NULL)
            return FALSE;
          value = cl_hex_decode (text, NULL);
          cl_wipe (text, strlen (text));
          g_free (text);
          data = value != NULL ? g_bytes_get_data (value, &len) : NULL;
          if (value == NULL || len != c->spec->length)
            {
              if (value != NULL)
                cl_wipe ((gpointer)data, len);
              g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Component %u of %s is not %zu bytes of hex",
                           index, label, c->spec->length);
              return FALSE;
            }
          memcpy (out, data, len);
          cl_wipe ((gpointer)data, len);
          if (!cl_kcv_compute (c->spec->kcv_method, c->spec->type, out, len, kcv, error))
            return FALSE;
          g_free (kcv_hex);
          kcv_hex = cl_hex_encode (kcv, 3);
          if (c->io->confirm == NULL || c->io->confirm (&info, kcv_hex, c->io->user_data))
            break;
          if (attempt == CONFIRM_TRIES)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Component %u of %s: check value %s refused %u times",
                           index, label, kcv_hex, CONFIRM_TRIES);
              return FALSE;
            }
        }
    }
  g_string_append_printf (c->details, " %s#%u=%s", label, index, kcv_hex);
  return TRUE;
}

/* Token-side combination: component 1 as a session key, then XOR_BASE_AND_DATA per further component. */
static gboolean
combine_in_token (Ceremony *c, ClP11Session *session, guint slot, const char *label, CK_OBJECT_HANDLE *out,
                  GError **error)
{
  g_autoptr (ClSecureBuffer) component = cl_secure_buffer_new (c->spec->length);
  ClKeySpec base_spec = *c->spec;
  ClKeyObjectStorage storage;
  CK_ATTRIBUTE tmpl[20];
  CK_ULONG n;
  CK_OBJECT_HANDLE base = CK_INVALID_HANDLE;
  CK_RV rv;

  c->all_locked &= component->locked;
  base_spec.exportable = FALSE;
  base_spec.kind = CL_KEY_KIND_SINGLE; /* CKA_DERIVE */
  if (!get_component (c, label, 1, component->data, error))
    return FALSE;
  n = cl_key_object_template (&base_spec, 0, label, FALSE, component->data, &storage, tmpl);
  rv = session->f->C_CreateObject (session->handle, tmpl, n, &base);
  cl_wipe (component->data, component->len);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Loading component 1 of %s", label);

  for (guint i = 2; i <= c->n_components; i++)
    {
      CK_KEY_DERIVATION_STRING_DATA params;
      CK_MECHANISM mech = { CKM_XOR_BASE_AND_DATA, &params, sizeof params };
      CK_OBJECT_HANDLE next;
      gboolean last = i == c->n_components;

      if (!get_component (c, label, i, component->data, error))
        {
          session->f->C_DestroyObject (session->handle, base);
          return FALSE;
        }
      params.pData = component->data;
      params.ulLen = component->len;
      n = cl_key_object_template (last ? c->spec : &base_spec, last ? slot : 0, label, last, NULL, &storage, tmpl);
      rv = session->f->C_DeriveKey (session->handle, &mech, base, tmpl, n, &next);
      cl_wipe (component->data, component->len);
      session->f->C_DestroyObject (session->handle, base);
      if (rv != CKR_OK)
        return cl_p11_set_error (error, rv, "Combining component %u of %s", i, label);
      base = next;
    }
  *out = base;
  return TRUE;
}

static gboolean
combine_in_host (Ceremony *c, ClP11Session *session, guint slot, const char *label, CK_OBJECT_HANDLE *out,
                 guint8 host_kcv[3], GError **error)
{
  g_autoptr (ClSecureBuffer) sum = cl_secure_buffer_new (c->spec->length);
  g_autoptr (ClSecureBuffer) component = cl_secure_buffer_new (c->spec->length);
  ClKeyObjectStorage storage;
  CK_ATTRIBUTE tmpl[20];
  CK_ULONG n;
  CK_RV rv;

  c->all_locked &= sum->locked && component->locked;
  for (guint i = 1; i <= c->n_components; i++)
    {
      if (!get_component (c, label, i, component->data, error))
        return FALSE;
      for (gsize j = 0; j < sum->len; j++)
        sum->data[j] ^= component->data[j];
      cl_wipe (component->data, component->len);
    }
  if (!cl_kcv_compute (c->spec->kcv_method, c->spec->type, sum->data, sum->len, host_kcv, error))
    return FALSE;
  n = cl_key_object_template (c->spec, slot, label, TRUE, sum->data, &storage, tmpl);
  rv = session->f->C_CreateObject (session->handle, tmpl, n, out);
  cl_wipe (sum->data, sum->len);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Creating key %s version %u", label, c->spec->version);
  return TRUE;
}

static ClKeyRecord *
run (Ceremony *c, ClKeyAudit *audit, const char *actor, GError **error)
{
  const ClKeySpec *spec = c->spec;
  g_autoptr (ClP11Session) session = NULL;
  g_autoptr (ClKeyRecord) record = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *subject = NULL;
  CK_OBJECT_HANDLE handles[3] = { CK_INVALID_HANDLE, CK_INVALID_HANDLE, CK_INVALID_HANDLE };
  guint n_keys = cl_key_kind_get_n_keys (spec->kind);
  gboolean in_token;
  GString *kcvs = g_string_new (NULL);

  if (!cl_key_spec_check (spec, error))
    return g_string_free (kcvs, TRUE), NULL;
  if (c->n_components < 2 || c->n_components > MAX_COMPONENTS)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A key ceremony needs 2..%u components, not %u",
                   MAX_COMPONENTS, c->n_components);
      return g_string_free (kcvs, TRUE), NULL;
    }
  session = cl_p11_token_acquire_session (c->token, error);
  if (session == NULL)
    return g_string_free (kcvs, TRUE), NULL;
  for (guint i = 0; i < n_keys; i++)
    {
      g_autofree char *label = cl_key_spec_label (spec->name, spec->kind, i);
      CK_OBJECT_HANDLE h;
      gint found = cl_key_object_find (session, label, spec->version, &h, error);
      if (found != 0)
        {
          if (found > 0)
            g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Key %s version %u already exists on token \"%s\"",
                         label, spec->version, cl_p11_token_get_label (c->token));
          return g_string_free (kcvs, TRUE), NULL;
        }
    }

  record = cl_key_record_new (spec);
  record->components = c->n_components;
  record->custodians = c->custodians != NULL ? g_strjoinv (",", (char **)c->custodians) : NULL;
  in_token = cl_p11_token_has_mechanism (c->token, CKM_XOR_BASE_AND_DATA, CKF_DERIVE);
  record->origin = in_token ? CL_KEY_ORIGIN_COMBINED_IN_TOKEN : CL_KEY_ORIGIN_COMBINED_IN_HOST;

  for (guint i = 0; i < n_keys; i++)
    {
      g_autofree char *label = cl_key_spec_label (spec->name, spec->kind, i);
      guint8 host_kcv[3], kcv[3];
      gboolean ok;

      ok = in_token ? combine_in_token (c, session, i, label, &handles[i], &local)
                    : combine_in_host (c, session, i, label, &handles[i], host_kcv, &local);
      if (ok)
        ok = cl_key_object_kcv (session, handles[i], spec->type, spec->kcv_method, kcv, label, &local);
      if (ok && !in_token && memcmp (kcv, host_kcv, 3) != 0)
        {
          g_set_error (&local, CL_ERROR, CL_ERROR_SECURITY,
                       "Key %s: the token computes another check value than the host", label);
          ok = FALSE;
        }
      if (!ok)
        {
          /* All keys or none: a half key set blocks the version and is found by nobody. */
          for (guint j = 0; j < 3; j++)
            if (handles[j] != CK_INVALID_HANDLE)
              session->f->C_DestroyObject (session->handle, handles[j]);
          subject = g_strdup_printf ("%s/%u", spec->name, spec->version);
          cl_key_audit_record (audit, actor, c->generate ? "key.generate.failed" : "key.import.failed", subject,
                               local->message, NULL);
          g_propagate_error (error, g_steal_pointer (&local));
          return g_string_free (kcvs, TRUE), NULL;
        }
      record->kcv[i] = cl_hex_encode (kcv, 3);
      g_string_append_printf (kcvs, "%s%s=%s", i ? "," : "", cl_key_kind_get_slot_name (spec->kind, i), record->kcv[i]);
    }

  if (!cl_key_meta_write (session, record, error))
    {
      for (guint j = 0; j < 3; j++)
        if (handles[j] != CK_INVALID_HANDLE)
          session->f->C_DestroyObject (session->handle, handles[j]);
      return g_string_free (kcvs, TRUE), NULL;
    }

  subject = g_strdup_printf ("%s/%u", spec->name, spec->version);
  {
    g_autofree char *details = g_strdup_printf (
      "kind=%s type=%s length=%zu kcv-method=%s kcv=%s components=%u custodians=%s combined=%s host-memory-locked=%s "
      "exportable=%s component-kcvs:%s",
      cl_key_kind_to_string (spec->kind), cl_key_type_to_string (spec->type), spec->length,
      cl_kcv_method_to_string (spec->kcv_method), kcvs->str, c->n_components,
      record->custodians != NULL ? record->custodians : "-", in_token ? "in-token" : "in-host",
      c->all_locked ? "yes" : "no", spec->exportable ? "yes" : "no", c->details->str);
    if (!cl_key_audit_record (audit, actor, c->generate ? "key.generate" : "key.import", subject, details, error))
      return g_string_free (kcvs, TRUE), NULL;
  }
  g_string_free (kcvs, TRUE);
  return g_steal_pointer (&record);
}

static ClKeyRecord *
ceremony (ClP11Token *token, const ClKeySpec *spec, guint n_components, const char *const *custodians,
          const ClKeyCeremonyIo *io, gboolean generate, ClKeyAudit *audit, const char *actor, GError **error)
{
  Ceremony c = { token, spec, n_components, custodians, io, generate, g_string_new (NULL), TRUE };
  ClKeyRecord *record;

  g_return_val_if_fail (CL_IS_P11_TOKEN (token) && CL_IS_KEY_AUDIT (audit), NULL);
  g_return_val_if_fail (generate ? io->show != NULL : io->prompt != NULL, NULL);
  if (custodians != NULL && g_strv_length ((char **)custodians) != n_components)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%u custodians named for %u components",
                   g_strv_length ((char **)custodians), n_components);
      g_string_free (c.details, TRUE);
      return NULL;
    }
  record = run (&c, audit, actor, error);
  g_string_free (c.details, TRUE);
  return record;
}

ClKeyRecord *
cl_key_ceremony_generate (ClP11Token *token, const ClKeySpec *spec, guint n_components, const char *const *custodians,
                          const ClKeyCeremonyIo *io, ClKeyAudit *audit, const char *actor, GError **error)
{
  return ceremony (token, spec, n_components, custodians, io, TRUE, audit, actor, error);
}

ClKeyRecord *
cl_key_ceremony_import (ClP11Token *token, const ClKeySpec *spec, guint n_components, const char *const *custodians,
                        const ClKeyCeremonyIo *io, ClKeyAudit *audit, const char *actor, GError **error)
{
  return ceremony (token, spec, n_components, custodians, io, FALSE, audit, actor, error);
}
