#include "keys/cl-key-record.h"

#include "core/cl-error.h"

static const char *const origin_names[] = { "combined-in-token", "combined-in-host", "unwrapped" };

G_DEFINE_BOXED_TYPE (ClKeyRecord, cl_key_record, cl_key_record_copy, cl_key_record_free)

const char *
cl_key_origin_to_string (ClKeyOrigin origin)
{
  return origin <= CL_KEY_ORIGIN_UNWRAPPED ? origin_names[origin] : "unknown";
}

gboolean
cl_key_origin_from_string (const char *name, ClKeyOrigin *out, GError **error)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (origin_names); i++)
    if (g_str_equal (name, origin_names[i]))
      {
        *out = (ClKeyOrigin)i;
        return TRUE;
      }
  g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Unknown key origin \"%s\"", name != NULL ? name : "");
  return FALSE;
}

ClKeyRecord *
cl_key_record_new (const ClKeySpec *spec)
{
  ClKeyRecord *record = g_new0 (ClKeyRecord, 1);

  record->name = g_strdup (spec->name);
  record->version = spec->version;
  record->kind = spec->kind;
  record->type = spec->type;
  record->length = spec->length;
  record->kcv_method = spec->kcv_method;
  record->exportable = spec->exportable;
  record->created = g_get_real_time () / G_USEC_PER_SEC;
  return record;
}

ClKeyRecord *
cl_key_record_copy (const ClKeyRecord *record)
{
  ClKeyRecord *copy = g_memdup2 (record, sizeof *record);

  copy->name = g_strdup (record->name);
  copy->custodians = g_strdup (record->custodians);
  for (guint i = 0; i < 3; i++)
    copy->kcv[i] = g_strdup (record->kcv[i]);
  return copy;
}

void
cl_key_record_free (ClKeyRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->name);
  g_free (record->custodians);
  for (guint i = 0; i < 3; i++)
    g_free (record->kcv[i]);
  g_free (record);
}

void
cl_key_record_get_spec (const ClKeyRecord *record, ClKeySpec *spec)
{
  spec->name = record->name;
  spec->version = record->version;
  spec->kind = record->kind;
  spec->type = record->type;
  spec->length = record->length;
  spec->kcv_method = record->kcv_method;
  spec->exportable = record->exportable;
}

char *
cl_key_record_to_data (const ClKeyRecord *record, gsize *len)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GStrvBuilder) kcvs = g_strv_builder_new ();
  g_auto (GStrv) kcv_list = NULL;

  for (guint i = 0; i < cl_key_kind_get_n_keys (record->kind); i++)
    g_strv_builder_add (kcvs, record->kcv[i] != NULL ? record->kcv[i] : "");
  kcv_list = g_strv_builder_end (kcvs);

  g_key_file_set_string (kf, "key", "name", record->name);
  g_key_file_set_integer (kf, "key", "version", record->version);
  g_key_file_set_string (kf, "key", "kind", cl_key_kind_to_string (record->kind));
  g_key_file_set_string (kf, "key", "type", cl_key_type_to_string (record->type));
  g_key_file_set_integer (kf, "key", "length", (gint)record->length);
  g_key_file_set_string (kf, "key", "kcv-method", cl_kcv_method_to_string (record->kcv_method));
  g_key_file_set_string_list (kf, "key", "kcv", (const char *const *)kcv_list, g_strv_length (kcv_list));
  g_key_file_set_string (kf, "key", "origin", cl_key_origin_to_string (record->origin));
  g_key_file_set_integer (kf, "key", "components", (gint)record->components);
  if (record->custodians != NULL)
    g_key_file_set_string (kf, "key", "custodians", record->custodians);
  g_key_file_set_int64 (kf, "key", "created", record->created);
  g_key_file_set_int64 (kf, "key", "last-used", record->last_used);
  g_key_file_set_boolean (kf, "key", "retired", record->retired);
  g_key_file_set_boolean (kf, "key", "exportable", record->exportable);
  return g_key_file_to_data (kf, len, NULL);
}

ClKeyRecord *
cl_key_record_from_data (const char *data, gsize len, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (ClKeyRecord) record = g_new0 (ClKeyRecord, 1);
  g_autoptr (GError) local = NULL;
  g_autofree char *kind = NULL, *type = NULL, *method = NULL, *origin = NULL;
  g_auto (GStrv) kcv = NULL;
  gint version, length;

  if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, &local))
    goto bad;
  record->name = g_key_file_get_string (kf, "key", "name", &local);
  if (record->name == NULL)
    goto bad;
  version = g_key_file_get_integer (kf, "key", "version", &local);
  if (local != NULL)
    goto bad;
  length = g_key_file_get_integer (kf, "key", "length", &local);
  if (local != NULL)
    goto bad;
  if (version < 1 || version > 127 || length < 16 || length > 32)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Key record %s has version %d or length %d out of range",
                   record->name, version, length);
      return NULL;
    }
  record->version = (guint8)version;
  record->length = (gsize)length;
  kind = g_key_file_get_string (kf, "key", "kind", &local);
  type = kind != NULL ? g_key_file_get_string (kf, "key", "type", &local) : NULL;
  method = type != NULL ? g_key_file_get_string (kf, "key", "kcv-method", &local) : NULL;
  origin = method != NULL ? g_key_file_get_string (kf, "key", "origin", &local) : NULL;
  if (origin == NULL)
    goto bad;
  if (!cl_key_kind_from_string (kind, &record->kind, error) || !cl_key_type_from_string (type, &record->type, error)
      || !cl_kcv_method_from_string (method, &record->kcv_method, error)
      || !cl_key_origin_from_string (origin, &record->origin, error))
    return NULL;
  kcv = g_key_file_get_string_list (kf, "key", "kcv", NULL, NULL);
  for (guint i = 0; kcv != NULL && kcv[i] != NULL && i < 3; i++)
    record->kcv[i] = g_strdup (kcv[i]);
  record->components = (guint)g_key_file_get_integer (kf, "key", "components", NULL);
  record->custodians = g_key_file_get_string (kf, "key", "custodians", NULL);
  record->created = g_key_file_get_int64 (kf, "key", "created", NULL);
  record->last_used = g_key_file_get_int64 (kf, "key", "last-used", NULL);
  record->retired = g_key_file_get_boolean (kf, "key", "retired", NULL);
  record->exportable = g_key_file_get_boolean (kf, "key", "exportable", NULL);
  return g_steal_pointer (&record);

bad:
  g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Key record does not parse: %s",
               local != NULL ? local->message : "missing field");
  return NULL;
}
