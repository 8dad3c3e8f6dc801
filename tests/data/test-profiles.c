/* Every profile shipped in data/profiles/ loads and validates. */
#include <glib.h>

#include "profile/cl-profile.h"

int
main (int argc, char **argv)
{
  const char *src = g_getenv ("CARDLINE_SOURCE_DIR");
  g_autofree char *dir_path = g_build_filename (src ? src : ".", "data", "profiles", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, &error);
  const char *name;
  guint n = 0, failed = 0;

  if (dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autoptr (ClProfile) profile = cl_profile_new_from_file (path, NULL, &error);

      n++;
      if (profile == NULL)
        {
          g_printerr ("not ok: %s\n", error->message);
          g_clear_error (&error);
          failed++;
          continue;
        }
      g_print ("ok: %s (%s, sha256 %s)\n", name, cl_profile_get_name (profile), cl_profile_get_hash (profile));
    }
  if (n == 0)
    {
      g_printerr ("no profiles in %s\n", dir_path);
      return 1;
    }
  return failed ? 1 : 0;
}
