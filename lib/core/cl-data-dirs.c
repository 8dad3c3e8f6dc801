#include "cl-data-dirs.h"

#include "cardline-config.h"

static void
add_dir (GPtrArray *dirs, char *dir)
{
  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_free (dir);
      return;
    }
  for (guint i = 0; i < dirs->len; i++)
    if (g_str_equal (dirs->pdata[i], dir))
      {
        g_free (dir);
        return;
      }
  g_ptr_array_add (dirs, dir);
}

/* The executable's path; NULL when /proc is not there. */
static char *
self_exe (void)
{
  return g_file_read_link ("/proc/self/exe", NULL);
}

/* PREFIX/BINDIR/exe -> PREFIX/DATADIR/cardline, with the relative layout meson was configured with. */
static char *
relocated_data_dir (const char *exe)
{
  g_autofree char *dir = g_path_get_dirname (exe);
  g_auto (GStrv) bin_parts = NULL;

  if (g_path_is_absolute (CARDLINE_BINDIR_REL) || g_path_is_absolute (CARDLINE_DATADIR_REL))
    return NULL;
  bin_parts = g_strsplit (CARDLINE_BINDIR_REL, "/", -1);
  for (guint i = 0; bin_parts[i] != NULL; i++)
    if (*bin_parts[i] != '\0' && !g_str_equal (bin_parts[i], "."))
      {
        char *up = g_path_get_dirname (dir);

        g_free (dir);
        dir = up;
      }
  return g_build_filename (dir, CARDLINE_DATADIR_REL, "cardline", NULL);
}

char **
cl_data_dirs (void)
{
  g_autoptr (GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *exe = self_exe ();
  const char *env = g_getenv ("CARDLINE_DATA_DIR");

  if (env != NULL && *env != '\0')
    add_dir (dirs, g_strdup (env));
  /* a build-tree executable reads the data being worked on, never a stale installed copy */
  if (exe != NULL && g_str_has_prefix (exe, CARDLINE_BUILD_ROOT "/"))
    add_dir (dirs, g_strdup (CARDLINE_SOURCE_DATADIR));
  if (exe != NULL)
    add_dir (dirs, relocated_data_dir (exe));
  add_dir (dirs, g_strdup (CARDLINE_DATADIR));
  g_ptr_array_add (dirs, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&dirs), FALSE);
}

char *
cl_data_find (const char *relative)
{
  g_auto (GStrv) dirs = cl_data_dirs ();

  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], relative, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }
  return NULL;
}
