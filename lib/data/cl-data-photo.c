/* cl-data-photo.c: photos proven to be images by decoding them with gdk-pixbuf (no GTK: the pixbuf library only). */
#include "data/cl-data-photo.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

char *
cl_data_photo_check (const char *dir, const char *name, char **path, char **type)
{
  g_auto (GStrv) types = NULL;
  g_autofree char *full = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GError) local = NULL;
  GdkPixbufFormat *format;
  GStatBuf st;
  gint width = 0, height = 0;

  /* the value names a file in the directory, never a path out of it */
  if (*name == '\0' || strchr (name, '/') != NULL || g_str_equal (name, ".") || g_str_equal (name, ".."))
    return g_strdup_printf ("“%s” is not a file name in the photos directory", name);
  full = g_build_filename (dir, name, NULL);
  if (g_stat (full, &st) != 0)
    return g_strdup_printf ("no file “%s” in the photos directory %s", name, dir);
  if (!S_ISREG (st.st_mode))
    return g_strdup_printf ("photo “%s” is not a regular file", name);
  if (st.st_size > CL_DATA_PHOTO_MAX_BYTES)
    return g_strdup_printf ("photo “%s” has %" G_GINT64_FORMAT " bytes, more than the limit of %d", name,
                            (gint64)st.st_size, CL_DATA_PHOTO_MAX_BYTES);
  format = gdk_pixbuf_get_file_info (full, &width, &height);
  if (format == NULL)
    return g_strdup_printf ("photo “%s” is not an image", name);
  if (width <= 0 || height <= 0 || width > CL_DATA_PHOTO_MAX_PIXELS || height > CL_DATA_PHOTO_MAX_PIXELS)
    return g_strdup_printf ("photo “%s” is %d×%d pixels, more than the limit of %d×%d", name, width, height,
                            CL_DATA_PHOTO_MAX_PIXELS, CL_DATA_PHOTO_MAX_PIXELS);
  /* the header alone proves little: decode the whole image */
  pixbuf = gdk_pixbuf_new_from_file (full, &local);
  if (pixbuf == NULL)
    return g_strdup_printf ("photo “%s” is not a readable image: %s", name, local->message);
  types = gdk_pixbuf_format_get_mime_types (format);
  if (types == NULL || types[0] == NULL || !g_str_has_prefix (types[0], "image/"))
    return g_strdup_printf ("photo “%s” has no image media type", name);
  *type = g_strdup (types[0]);
  *path = g_steal_pointer (&full);
  return NULL;
}
