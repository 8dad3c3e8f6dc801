/* cl-profile-reader.c */
#include "profile/cl-profile-reader.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

gboolean
cl_profile_reader_read_file (const char *path, char **data, gsize *len, GError **error)
{
  g_autofree char *buffer = NULL;
  struct stat st;
  gsize got = 0;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "Cannot read profile %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "Cannot read profile %s: not a regular file", path);
      return FALSE;
    }
  /* one byte more than allowed: a file that grew after fstat is still caught */
  buffer = g_malloc (CL_PROFILE_MAX_BYTES + 2);
  while (got <= CL_PROFILE_MAX_BYTES)
    {
      ssize_t n = read (fd, buffer + got, CL_PROFILE_MAX_BYTES + 1 - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "Cannot read profile %s: %s", path, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        break;
      got += (gsize)n;
    }
  close (fd);
  if (got > CL_PROFILE_MAX_BYTES)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "Profile %s is larger than %d bytes: not a profile", path,
                   CL_PROFILE_MAX_BYTES);
      return FALSE;
    }
  buffer[got] = '\0';
  *len = got;
  *data = g_steal_pointer (&buffer);
  return TRUE;
}

gboolean
cl_profile_reader_check_text (const char *file, const char *data, gsize len, GError **error)
{
  g_autoptr (GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint line = 1;

  for (gsize start = 0; start < len; line++)
    {
      const char *end = memchr (data + start, '\n', len - start);
      gsize stop = end ? (gsize)(end - data) : len;
      const char *nul = memchr (data + start, '\0', stop - start);
      gsize i = start;

      if (nul != NULL)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                       "%s:%u:%u: a NUL byte: a profile is text (the value would be cut there)", file, line,
                       (guint)(nul - (data + start)) + 1);
          return FALSE;
        }
      while (i < stop && g_ascii_isspace (data[i]))
        i++;
      if (i < stop && data[i] == '[')
        {
          const char *close = memchr (data + i, ']', stop - i);
          g_autofree char *name = g_strndup (data + i + 1, close ? (gsize)(close - (data + i + 1)) : stop - i - 1);
          gpointer first = g_hash_table_lookup (groups, name);

          if (first != NULL)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                           "%s:%u: group [%s] again (first at line %u): give each group once", file, line, name,
                           GPOINTER_TO_UINT (first));
              return FALSE;
            }
          g_hash_table_insert (groups, g_steal_pointer (&name), GUINT_TO_POINTER (line));
        }
      start = stop + 1;
    }
  return TRUE;
}

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
