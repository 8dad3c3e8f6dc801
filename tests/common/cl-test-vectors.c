#include "cl-test-vectors.h"

#include <string.h>

#include "cardline-config.h"
#include "core/cl-hex.h"

struct _ClTestVectors
{
  char *path;
  GPtrArray *sections; /* char* */
  GHashTable *values;  /* "section\nname" -> value */
};

char *
cl_test_shared_path (const char *relative)
{
  const char *dir = g_getenv ("CARDLINE_SHARED_DIR");

  return g_build_filename (dir && *dir ? dir : CARDLINE_SHARED_DIR, relative, NULL);
}

ClTestVectors *
cl_test_vectors_load (const char *file)
{
  g_autofree char *rel = g_build_filename ("vectors", file, NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  ClTestVectors *v = g_new0 (ClTestVectors, 1);
  const char *section = NULL;

  v->path = cl_test_shared_path (rel);
  v->sections = g_ptr_array_new_with_free_func (g_free);
  v->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!g_file_get_contents (v->path, &contents, NULL, &error))
    g_error ("Cannot read vector file %s: %s", v->path, error->message);

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq;

      if (*line == '\0' || *line == '#')
        continue;
      if (*line == '[')
        {
          char *end = strchr (line, ']');
          if (end == NULL)
            g_error ("%s:%u: unterminated section header", v->path, i + 1);
          g_ptr_array_add (v->sections, g_strndup (line + 1, (gsize)(end - line - 1)));
          section = g_ptr_array_index (v->sections, v->sections->len - 1);
          continue;
        }
      eq = strchr (line, '=');
      if (eq == NULL || section == NULL)
        g_error ("%s:%u: expected 'name = value' inside a section", v->path, i + 1);
      *eq = '\0';
      g_hash_table_insert (v->values, g_strdup_printf ("%s\n%s", section, g_strstrip (line)),
                           g_strdup (g_strstrip (eq + 1)));
    }
  g_ptr_array_add (v->sections, NULL);
  return v;
}

void
cl_test_vectors_free (ClTestVectors *v)
{
  if (v == NULL)
    return;
  g_free (v->path);
  g_ptr_array_unref (v->sections);
  g_hash_table_unref (v->values);
  g_free (v);
}

const char *const *
cl_test_vectors_sections (ClTestVectors *v)
{
  return (const char *const *)v->sections->pdata;
}

const char *
cl_test_vectors_get (ClTestVectors *v, const char *section, const char *name)
{
  g_autofree char *key = g_strdup_printf ("%s\n%s", section, name);

  return g_hash_table_lookup (v->values, key);
}

gboolean
cl_test_vectors_has (ClTestVectors *v, const char *section, const char *name)
{
  return cl_test_vectors_get (v, section, name) != NULL;
}

GBytes *
cl_test_vectors_get_hex (ClTestVectors *v, const char *section, const char *name)
{
  const char *text = cl_test_vectors_get (v, section, name);
  g_autoptr (GError) error = NULL;
  GBytes *bytes;

  if (text == NULL)
    g_error ("%s: [%s] has no '%s'", v->path, section, name);
  bytes = cl_hex_decode (text, &error);
  if (bytes == NULL)
    g_error ("%s: [%s] %s: %s", v->path, section, name, error->message);
  return bytes;
}

void
cl_test_assert_bytes_hex (GBytes *bytes, const char *expected_hex, const char *what)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) expected = cl_hex_decode (expected_hex, &error);
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;

  g_assert_no_error (error);
  if (bytes != NULL && g_bytes_equal (bytes, expected))
    return;
  got = cl_hex_encode_bytes (bytes);
  want = cl_hex_encode_bytes (expected);
  g_error ("%s mismatch:\n  got  %s\n  want %s", what, got, want);
}
