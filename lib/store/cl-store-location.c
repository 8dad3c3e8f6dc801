/* cl-store-location.c: the default store path (cl-store-location.h). */
#include "store/cl-store-location.h"

#include <glib/gstdio.h>

char *
cl_store_location (const char *explicit_path)
{
  const char *env = g_getenv ("CARDLINE_STORE");
  g_autofree char *dir = NULL;
  char *path;

  if (explicit_path != NULL && *explicit_path != '\0')
    path = g_strdup (explicit_path);
  else if (env != NULL && *env != '\0')
    path = g_strdup (env);
  else
    path = g_build_filename (g_get_user_data_dir (), "cardline", "cardline.db", NULL);
  dir = g_path_get_dirname (path);
  g_mkdir_with_parents (dir, 0700);
  return path;
}
