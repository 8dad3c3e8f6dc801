/* cl-profile-reader.c */
#include "profile/cl-profile-reader.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"

#include <string.h>

void
cl_profile_reader_error (ClProfileReader *r, GError **error, const char *group, const char *key, const char *format,
                         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (key)
    g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "%s:%s:%s: %s", r->file, group, key, message);
  else
    g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "%s:%s: %s", r->file, group, message);
}

static const char *const *
find_group (const char *const *const *allowed, const char *group)
{
  for (guint i = 0; allowed[i]; i++)
    if (strcmp (allowed[i][0], group) == 0)
      return allowed[i];
  return NULL;
}

gboolean
cl_profile_reader_check_known (ClProfileReader *r, const char *const *const *allowed, GError **error)
{
  g_auto (GStrv) groups = g_key_file_get_groups (r->kf, NULL);

  for (guint g = 0; groups[g]; g++)
    {
      const char *const *keys = find_group (allowed, groups[g]);
      g_auto (GStrv) present = NULL;

      if (keys == NULL)
        {
          g_autoptr (GString) names = g_string_new (NULL);

          for (guint i = 0; allowed[i]; i++)
            g_string_append_printf (names, "%s[%s]", i ? ", " : "", allowed[i][0]);
          cl_profile_reader_error (r, error, groups[g], NULL, "unknown group (expected %s)", names->str);
          return FALSE;
        }
      present = g_key_file_get_keys (r->kf, groups[g], NULL, NULL);
      for (guint k = 0; present && present[k]; k++)
        if (!g_strv_contains (keys + 1, present[k]))
          {
            g_autofree char *names = g_strjoinv (", ", (char **)(keys + 1));

            cl_profile_reader_error (r, error, groups[g], present[k], "unknown key (expected one of %s)", names);
            return FALSE;
          }
    }
  return TRUE;
}

/* The raw value with surrounding blanks removed; NULL if absent. */
static char *
raw (ClProfileReader *r, const char *group, const char *key)
{
  char *value = g_key_file_get_string (r->kf, group, key, NULL);

  return value ? g_strstrip (value) : NULL;
}

char *
cl_profile_reader_string (ClProfileReader *r, const char *group, const char *key, gboolean required, GError **error)
{
  g_autofree char *value = raw (r, group, key);

  if (value == NULL || *value == '\0')
    {
      if (required)
        cl_profile_reader_error (r, error, group, key, "missing (expected a non-empty value)");
      return NULL;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      cl_profile_reader_error (r, error, group, key, "expected UTF-8 text");
      return NULL;
    }
  return g_steal_pointer (&value);
}

GBytes *
cl_profile_reader_hex (ClProfileReader *r, const char *group, const char *key, gsize min, gsize max, gboolean required,
                       const char *dflt, gboolean secret, GError **error)
{
  g_autofree char *value = raw (r, group, key);
  g_autoptr (GBytes) bytes = NULL;
  gsize len;

  if (value == NULL || (*value == '\0' && min > 0))
    {
      if (required)
        {
          cl_profile_reader_error (
            r, error, group, key, "missing (expected %" G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT " bytes of hex)", min, max);
          return NULL;
        }
      return dflt ? cl_hex_decode (dflt, NULL) : NULL;
    }
  bytes = cl_hex_decode (value, NULL);
  len = bytes ? g_bytes_get_size (bytes) : 0;
  if (bytes == NULL || len < min || len > max)
    {
      if (secret)
        cl_profile_reader_error (r, error, group, key,
                                 "expected %" G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT " bytes of hex (value not shown)",
                                 min, max);
      else
        cl_profile_reader_error (r, error, group, key,
                                 "expected %" G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT " bytes of hex, got “%s”", min, max,
                                 value);
      if (secret)
        cl_wipe (value, strlen (value));
      return NULL;
    }
  if (secret)
    cl_wipe (value, strlen (value));
  return g_steal_pointer (&bytes);
}

gboolean
cl_profile_reader_hex_byte (ClProfileReader *r, const char *group, const char *key, guint min, guint max, gint dflt,
                            guint8 *out, GError **error)
{
  g_autofree char *value = raw (r, group, key);
  guint64 v;

  if (value == NULL)
    {
      if (dflt < 0)
        {
          cl_profile_reader_error (r, error, group, key, "missing (expected a hex byte %02X..%02X)", min, max);
          return FALSE;
        }
      *out = (guint8)dflt;
      return TRUE;
    }
  if (strlen (value) != 2 || !g_ascii_string_to_unsigned (value, 16, min, max, &v, NULL))
    {
      cl_profile_reader_error (r, error, group, key, "expected a hex byte %02X..%02X, got “%s”", min, max, value);
      return FALSE;
    }
  *out = (guint8)v;
  return TRUE;
}

gboolean
cl_profile_reader_uint (ClProfileReader *r, const char *group, const char *key, guint min, guint max, gint64 dflt,
                        guint *out, GError **error)
{
  g_autofree char *value = raw (r, group, key);
  guint64 v;

  if (value == NULL)
    {
      if (dflt < 0)
        {
          cl_profile_reader_error (r, error, group, key, "missing (expected a number %u..%u)", min, max);
          return FALSE;
        }
      *out = (guint)dflt;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (value, 10, min, max, &v, NULL))
    {
      cl_profile_reader_error (r, error, group, key, "expected a number %u..%u, got “%s”", min, max, value);
      return FALSE;
    }
  *out = (guint)v;
  return TRUE;
}

gboolean
cl_profile_reader_bool (ClProfileReader *r, const char *group, const char *key, gboolean dflt, gboolean *out,
                        GError **error)
{
  g_autofree char *value = raw (r, group, key);

  if (value == NULL)
    *out = dflt;
  else if (strcmp (value, "true") == 0)
    *out = TRUE;
  else if (strcmp (value, "false") == 0)
    *out = FALSE;
  else
    {
      cl_profile_reader_error (r, error, group, key, "expected true or false, got “%s”", value);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_profile_reader_choice (ClProfileReader *r, const char *group, const char *key, const char *const *names, gint dflt,
                          guint *out, GError **error)
{
  g_autofree char *value = raw (r, group, key);
  g_autofree char *all = g_strjoinv ("|", (char **)names);

  if (value == NULL)
    {
      if (dflt < 0)
        {
          cl_profile_reader_error (r, error, group, key, "missing (expected %s)", all);
          return FALSE;
        }
      *out = (guint)dflt;
      return TRUE;
    }
  for (guint i = 0; names[i]; i++)
    if (strcmp (value, names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  cl_profile_reader_error (r, error, group, key, "expected %s, got “%s”", all, value);
  return FALSE;
}
