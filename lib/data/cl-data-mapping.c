/* cl-data-mapping.c: the [data] groups of a mapping file or profile. */
#include "data/cl-data-mapping.h"

#include <string.h>

#include "core/cl-error.h"

#define COLUMN_GROUP_PREFIX "data column "
/* The largest mapping file read: a page of text, like a profile. */
#define MAX_MAPPING_BYTES (256 * 1024)

struct _ClDataMapping
{
  GObject parent_instance;

  char *file;
  char *text;
  char *reference;
  char *display;
  GPtrArray *targets; /* ClDataTarget */
  GHashTable *rules;  /* column -> ClDataRule */
  GPtrArray *columns; /* char *, NULL-terminated */
};

G_DEFINE_FINAL_TYPE (ClDataMapping, cl_data_mapping, G_TYPE_OBJECT)

static void
rule_free (gpointer p)
{
  ClDataRule *rule = p;

  g_free (rule->column);
  g_free (rule->pattern);
  g_clear_pointer (&rule->regex, g_regex_unref);
  g_free (rule);
}

static void
target_free (gpointer p)
{
  ClDataTarget *t = p;

  g_free (t->target);
  g_free (t->column);
  g_free (t);
}

static void
cl_data_mapping_finalize (GObject *object)
{
  ClDataMapping *self = CL_DATA_MAPPING (object);

  g_free (self->file);
  g_free (self->text);
  g_free (self->reference);
  g_free (self->display);
  g_ptr_array_unref (self->targets);
  g_hash_table_unref (self->rules);
  g_ptr_array_unref (self->columns);
  G_OBJECT_CLASS (cl_data_mapping_parent_class)->finalize (object);
}

static void
cl_data_mapping_class_init (ClDataMappingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_data_mapping_finalize;
}

static void
cl_data_mapping_init (ClDataMapping *self)
{
  self->targets = g_ptr_array_new_with_free_func (target_free);
  self->rules = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, rule_free);
  self->columns = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

static void G_GNUC_PRINTF (5, 6)
  bad (GError **error, const char *file, const char *group, const char *key, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (key != NULL)
    g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "%s:%s:%s: %s", file, group, key, message);
  else
    g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "%s:%s: %s", file, group, message);
}

/* Keys of a profile's [data] group that are the profile's own, not the mapping's: what a rejected card's row becomes
 * (on-reject, max-attempts: read by the profile for store/cl-store-rows.h). */
static const char *const profile_keys[] = { "on-reject", "max-attempts", NULL };

gboolean
cl_data_mapping_owns_group (const char *group)
{
  return g_str_equal (group, "data") || g_str_has_prefix (group, COLUMN_GROUP_PREFIX);
}

gboolean
cl_data_mapping_owns_key (const char *group, const char *key)
{
  if (g_str_equal (group, "data"))
    return !g_strv_contains (profile_keys, key);
  return g_str_has_prefix (group, COLUMN_GROUP_PREFIX);
}

/* Whether kf maps columns at all: a [data] key of the mapping's, or a column's rules. */
static gboolean
has_mapping (GKeyFile *kf)
{
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);

  for (guint g = 0; groups[g] != NULL; g++)
    {
      g_auto (GStrv) keys = NULL;

      if (g_str_has_prefix (groups[g], COLUMN_GROUP_PREFIX))
        return TRUE;
      if (!g_str_equal (groups[g], "data"))
        continue;
      keys = g_key_file_get_keys (kf, groups[g], NULL, NULL);
      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        if (cl_data_mapping_owns_key (groups[g], keys[k]))
          return TRUE;
    }
  return FALSE;
}

/* 1..64 characters, as the store keeps target field names (store/cl-store-rows.h) */
static gboolean
name_is (const char *name, const char *extra)
{
  if (*name == '\0' || strlen (name) > 64)
    return FALSE;
  for (const char *c = name; *c; c++)
    if (!g_ascii_islower (*c) && !g_ascii_isdigit (*c) && strchr (extra, *c) == NULL)
      return FALSE;
  return TRUE;
}

/* NULL when target names a field of the card; else why not. */
static const char *
target_problem (const char *target)
{
  if (g_str_equal (target, CL_DATA_TARGET_PHOTO) || g_str_equal (target, CL_DATA_TARGET_CHR_HOLDER)
      || g_str_equal (target, CL_DATA_TARGET_TOKEN_LABEL))
    return NULL;
  if (g_str_has_prefix (target, "face."))
    {
      const char *field = target + strlen ("face.");

      if (g_str_equal (field, "serial") || g_str_equal (field, "batch"))
        return "the station prints the card's serial and batch itself";
      return name_is (field, "-_") ? NULL : "a face field name is 1 to 64 of a-z, 0-9, - and _";
    }
  if (g_str_has_prefix (target, "store-data."))
    {
      const char *tag = target + strlen ("store-data.");
      gsize n = strlen (tag);
      gboolean hex = n == 2 || n == 4;

      /* CONFIGURE writes the value as one BER-TLV data object with this tag (store/cl-store-rows.h) */
      for (const char *c = tag; hex && *c; c++)
        hex = g_ascii_isdigit (*c) || (*c >= 'a' && *c <= 'f');
      return hex ? NULL
                 : "a STORE DATA value is store-data.TAG with a 1- or 2-byte tag in lower-case hex (e.g. "
                   "store-data.5f20)";
    }
  return "unknown target field (expected reference, display, face.NAME, face.photo, chr.holder, store-data.TAG or "
         "token-label)";
}

static void
add_column (ClDataMapping *self, const char *column)
{
  for (guint i = 0; i < self->columns->len; i++)
    if (g_str_equal (g_ptr_array_index (self->columns, i), column))
      return;
  g_ptr_array_add (self->columns, g_strdup (column));
}

static char *
read_column (GKeyFile *kf, const char *file, const char *group, const char *key, GError **error)
{
  g_autofree char *value = g_key_file_get_string (kf, group, key, NULL);

  if (value == NULL || *g_strstrip (value) == '\0')
    {
      bad (error, file, group, key, "expected a column name of the data file's header, got nothing");
      return NULL;
    }
  return g_steal_pointer (&value);
}

static gboolean
load_targets (ClDataMapping *self, GKeyFile *kf, GError **error)
{
  g_auto (GStrv) keys = g_key_file_get_keys (kf, "data", NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const char *key = keys[i];
      char *column;
      const char *problem;

      if (g_str_equal (key, "reference") || g_str_equal (key, "display") || !cl_data_mapping_owns_key ("data", key))
        continue;
      if ((problem = target_problem (key)) != NULL)
        {
          bad (error, self->file, "data", key, "%s", problem);
          return FALSE;
        }
      if ((column = read_column (kf, self->file, "data", key, error)) == NULL)
        return FALSE;
      {
        ClDataTarget *t = g_new0 (ClDataTarget, 1);

        t->target = g_strdup (key);
        t->column = column;
        g_ptr_array_add (self->targets, t);
        add_column (self, column);
      }
    }
  return TRUE;
}

static gboolean
read_bool (GKeyFile *kf, const char *file, const char *group, const char *key, gboolean *out, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (!g_key_file_has_key (kf, group, key, NULL))
    return TRUE;
  *out = g_key_file_get_boolean (kf, group, key, &local);
  if (local != NULL)
    {
      bad (error, file, group, key, "expected true or false");
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_rule_values (ClDataRule *rule, GKeyFile *kf, const char *file, const char *group, GError **error)
{
  g_autofree char *length = g_key_file_get_string (kf, group, "max-length", NULL);
  g_autofree char *type = g_key_file_get_string (kf, group, "type", NULL);
  guint64 n = 0;

  if (!read_bool (kf, file, group, "required", &rule->required, error)
      || !read_bool (kf, file, group, "unique", &rule->unique, error))
    return FALSE;
  if (length != NULL)
    {
      if (!g_ascii_string_to_unsigned (g_strstrip (length), 10, 1, 65536, &n, NULL))
        {
          bad (error, file, group, "max-length", "expected a number of characters 1..65536, got “%s”", length);
          return FALSE;
        }
      rule->max_length = (guint)n;
    }
  if (type != NULL)
    {
      g_strstrip (type);
      if (g_str_equal (type, "number"))
        rule->type = CL_DATA_TYPE_NUMBER;
      else if (g_str_equal (type, "date"))
        rule->type = CL_DATA_TYPE_DATE;
      else if (!g_str_equal (type, "text"))
        {
          bad (error, file, group, "type", "expected text, number or date, got “%s”", type);
          return FALSE;
        }
    }
  rule->pattern = g_key_file_get_string (kf, group, "pattern", NULL);
  if (rule->pattern != NULL)
    {
      g_autoptr (GError) local = NULL;
      /* \A…\z: the whole value must match, not a part of it, whatever the pattern's own anchors */
      g_autofree char *anchored = g_strdup_printf ("\\A(?:%s)\\z", rule->pattern);
      /* compiled alone first, so an error speaks of the pattern as written */
      g_autoptr (GRegex) alone = g_regex_new (rule->pattern, 0, 0, &local);

      if (alone == NULL || (rule->regex = g_regex_new (anchored, G_REGEX_OPTIMIZE, 0, &local)) == NULL)
        {
          bad (error, file, group, "pattern", "not a regular expression: %s", local->message);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
load_rules (ClDataMapping *self, GKeyFile *kf, GError **error)
{
  static const char *const known[] = { "required", "unique", "max-length", "pattern", "type", NULL };
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);

  for (guint g = 0; groups[g] != NULL; g++)
    {
      const char *group = groups[g];
      g_auto (GStrv) keys = NULL;
      ClDataRule *rule;

      if (!g_str_has_prefix (group, COLUMN_GROUP_PREFIX))
        continue;
      if (group[strlen (COLUMN_GROUP_PREFIX)] == '\0')
        {
          bad (error, self->file, group, NULL, "expected [data column NAME] with the column's name");
          return FALSE;
        }
      keys = g_key_file_get_keys (kf, group, NULL, NULL);
      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        if (!g_strv_contains (known, keys[k]))
          {
            bad (error, self->file, group, keys[k],
                 "unknown rule (expected required, unique, max-length, pattern or type)");
            return FALSE;
          }
      rule = g_new0 (ClDataRule, 1);
      rule->column = g_strdup (group + strlen (COLUMN_GROUP_PREFIX));
      g_hash_table_replace (self->rules, rule->column, rule);
      if (!load_rule_values (rule, kf, self->file, group, error))
        return FALSE;
      add_column (self, rule->column);
    }
  return TRUE;
}

/* The mapping's groups alone, as the store keeps them with the data file. */
static char *
mapping_text (GKeyFile *kf)
{
  g_autoptr (GKeyFile) out = g_key_file_new ();
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);

  for (guint g = 0; groups[g] != NULL; g++)
    {
      g_auto (GStrv) keys = NULL;

      if (!cl_data_mapping_owns_group (groups[g]))
        continue;
      keys = g_key_file_get_keys (kf, groups[g], NULL, NULL);
      for (guint k = 0; keys != NULL && keys[k] != NULL; k++)
        {
          g_autofree char *value = NULL;

          if (!cl_data_mapping_owns_key (groups[g], keys[k]))
            continue;
          value = g_key_file_get_value (kf, groups[g], keys[k], NULL);

          g_key_file_set_value (out, groups[g], keys[k], value != NULL ? value : "");
        }
    }
  return g_key_file_to_data (out, NULL, NULL);
}

ClDataMapping *
cl_data_mapping_new_from_key_file (GKeyFile *kf, const char *file, GError **error)
{
  g_autoptr (ClDataMapping) self = NULL;
  ClDataRule *rule;

  if (!has_mapping (kf))
    return NULL;
  if (!g_key_file_has_group (kf, "data"))
    {
      g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);

      for (guint g = 0; groups[g] != NULL; g++)
        if (cl_data_mapping_owns_group (groups[g]))
          {
            bad (error, file, groups[g], NULL, "a column's rules without a [data] group mapping the columns");
            return NULL;
          }
    }
  self = g_object_new (CL_TYPE_DATA_MAPPING, NULL);
  self->file = g_strdup (file);
  self->text = mapping_text (kf);
  if ((self->reference = read_column (kf, file, "data", "reference", error)) == NULL)
    return NULL;
  add_column (self, self->reference);
  if (g_key_file_has_key (kf, "data", "display", NULL))
    {
      if ((self->display = read_column (kf, file, "data", "display", error)) == NULL)
        return NULL;
    }
  else
    self->display = g_strdup (self->reference);
  add_column (self, self->display);
  if (!load_targets (self, kf, error) || !load_rules (self, kf, error))
    return NULL;
  /* the reference names the row in the manifest: it must be there, and name one row only */
  rule = g_hash_table_lookup (self->rules, self->reference);
  if (rule == NULL)
    {
      rule = g_new0 (ClDataRule, 1);
      rule->column = g_strdup (self->reference);
      g_hash_table_replace (self->rules, rule->column, rule);
    }
  rule->required = TRUE;
  rule->unique = TRUE;
  return g_steal_pointer (&self);
}

ClDataMapping *
cl_data_mapping_new_from_file (const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *data = NULL;
  g_auto (GStrv) groups = NULL;
  gsize len = 0;
  ClDataMapping *self;

  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "Cannot read mapping %s: %s", path, local->message);
      return NULL;
    }
  if (len > MAX_MAPPING_BYTES || memchr (data, '\0', len) != NULL
      || !g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "%s: not a mapping key file%s%s", name, local ? ": " : "",
                   local ? local->message : "");
      return NULL;
    }
  groups = g_key_file_get_groups (kf, NULL);
  for (guint g = 0; groups[g] != NULL; g++)
    if (!cl_data_mapping_owns_group (groups[g]))
      {
        bad (error, name, groups[g], NULL, "unknown group (expected [data] and [data column NAME])");
        return NULL;
      }
  self = cl_data_mapping_new_from_key_file (kf, name, error);
  if (self == NULL && (error == NULL || *error == NULL))
    g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "%s: no [data] group: nothing maps the data file's columns", name);
  return self;
}

const char *
cl_data_mapping_get_file (ClDataMapping *self)
{
  return self->file;
}

const char *
cl_data_mapping_get_text (ClDataMapping *self)
{
  return self->text;
}

const char *
cl_data_mapping_get_reference (ClDataMapping *self)
{
  return self->reference;
}

const char *
cl_data_mapping_get_display (ClDataMapping *self)
{
  return self->display;
}

GPtrArray *
cl_data_mapping_get_targets (ClDataMapping *self)
{
  return self->targets;
}

const char *
cl_data_mapping_get_column_of (ClDataMapping *self, const char *target)
{
  for (guint i = 0; i < self->targets->len; i++)
    {
      ClDataTarget *t = g_ptr_array_index (self->targets, i);

      if (g_str_equal (t->target, target))
        return t->column;
    }
  return NULL;
}

const ClDataRule *
cl_data_mapping_get_rule (ClDataMapping *self, const char *column)
{
  static const ClDataRule none = { 0 };
  const ClDataRule *rule = g_hash_table_lookup (self->rules, column);

  return rule != NULL ? rule : &none;
}

const char *const *
cl_data_mapping_get_columns (ClDataMapping *self)
{
  return (const char *const *)self->columns->pdata;
}
