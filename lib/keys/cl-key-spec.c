#include "keys/cl-key-spec.h"

#include <string.h>

#include "core/cl-error.h"
#include "crypto/cl-crypto.h"

static const char *const kind_names[] = { "set", "single", "transport" };
static const char *const method_names[] = { "gp", "aes-cmac" };
static const char *const type_names[] = { "aes", "des3" };
static const char *const set_slots[] = { "enc", "mac", "dek" };

static gboolean
from_string (const char *const *names, guint n, const char *what, const char *name, guint *out, GError **error)
{
  g_autofree char *accepted = NULL;

  for (guint i = 0; name != NULL && i < n; i++)
    if (g_str_equal (name, names[i]))
      {
        *out = i;
        return TRUE;
      }
  {
    g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
    g_auto (GStrv) list = NULL;
    for (guint i = 0; i < n; i++)
      g_strv_builder_add (builder, names[i]);
    list = g_strv_builder_end (builder);
    accepted = g_strjoinv (", ", list);
  }
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Unknown %s \"%s\" (accepted: %s)", what,
               name != NULL ? name : "", accepted);
  return FALSE;
}

const char *
cl_key_kind_to_string (ClKeyKind kind)
{
  return kind <= CL_KEY_KIND_TRANSPORT ? kind_names[kind] : "unknown";
}

gboolean
cl_key_kind_from_string (const char *name, ClKeyKind *out, GError **error)
{
  guint v;
  if (!from_string (kind_names, G_N_ELEMENTS (kind_names), "key kind", name, &v, error))
    return FALSE;
  *out = (ClKeyKind)v;
  return TRUE;
}

const char *
cl_kcv_method_to_string (ClKcvMethod method)
{
  return method <= CL_KCV_METHOD_AES_CMAC ? method_names[method] : "unknown";
}

gboolean
cl_kcv_method_from_string (const char *name, ClKcvMethod *out, GError **error)
{
  guint v;
  if (!from_string (method_names, G_N_ELEMENTS (method_names), "check value method", name, &v, error))
    return FALSE;
  *out = (ClKcvMethod)v;
  return TRUE;
}

const char *
cl_key_type_to_string (ClKeyType type)
{
  return type <= CL_KEY_TYPE_DES3 ? type_names[type] : "unknown";
}

gboolean
cl_key_type_from_string (const char *name, ClKeyType *out, GError **error)
{
  guint v;
  if (!from_string (type_names, G_N_ELEMENTS (type_names), "key type", name, &v, error))
    return FALSE;
  *out = (ClKeyType)v;
  return TRUE;
}

guint
cl_key_kind_get_n_keys (ClKeyKind kind)
{
  return kind == CL_KEY_KIND_SET ? 3 : 1;
}

const char *
cl_key_kind_get_slot_name (ClKeyKind kind, guint i)
{
  if (kind == CL_KEY_KIND_SET)
    return i < 3 ? set_slots[i] : NULL;
  return i == 0 ? "key" : NULL;
}

char *
cl_key_spec_label (const char *name, ClKeyKind kind, guint i)
{
  return g_strdup_printf ("%s/%s", name, cl_key_kind_get_slot_name (kind, i));
}

gboolean
cl_key_spec_check (const ClKeySpec *spec, GError **error)
{
  gboolean length_ok;

  if (spec->name == NULL || *spec->name == '\0' || strchr (spec->name, '/') != NULL
      || g_str_has_prefix (spec->name, "retired."))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Key name \"%s\" is empty, contains '/' or starts with \"retired.\"",
                   spec->name != NULL ? spec->name : "");
      return FALSE;
    }
  if (spec->version == 0 || spec->version > 0x7F)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Key version %u of %s is outside 1..127", spec->version,
                   spec->name);
      return FALSE;
    }
  length_ok = spec->type == CL_KEY_TYPE_AES ? (spec->length == 16 || spec->length == 24 || spec->length == 32)
                                            : (spec->length == 16 || spec->length == 24);
  if (!length_ok)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A %s key cannot be %zu bytes long (%s)",
                   cl_key_type_to_string (spec->type), spec->length, spec->name);
      return FALSE;
    }
  if (spec->kcv_method == CL_KCV_METHOD_AES_CMAC && spec->type != CL_KEY_TYPE_AES)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Check value method aes-cmac needs an AES key (%s)",
                   spec->name);
      return FALSE;
    }
  /* The only unwrap mechanism SoftHSM2 (and most tokens) offer for secret keys is AES key wrap. */
  if (spec->kind == CL_KEY_KIND_TRANSPORT && (spec->type != CL_KEY_TYPE_AES || spec->exportable))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Transport key %s must be AES and cannot itself be exportable", spec->name);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_kcv_compute (ClKcvMethod method, ClKeyType type, const guint8 *key, gsize len, guint8 kcv[3], GError **error)
{
  if (method == CL_KCV_METHOD_AES_CMAC)
    {
      if (type != CL_KEY_TYPE_AES)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Check value method aes-cmac needs an AES key");
          return FALSE;
        }
      return cl_kcv_aes_cmac (key, len, kcv, error);
    }
  return type == CL_KEY_TYPE_AES ? cl_kcv_aes (key, len, kcv, error) : cl_kcv_des3 (key, len, kcv, error);
}
