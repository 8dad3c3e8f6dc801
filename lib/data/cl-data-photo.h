/* cl-data-photo.h: a row's photo, checked before the row is accepted (issue 17): a plain file name in the photos
 * directory, a regular file of at most CL_DATA_PHOTO_MAX_BYTES that gdk-pixbuf decodes as an image of at most
 * CL_DATA_PHOTO_MAX_PIXELS on each side. The size is read from the header before anything is decoded, so a small
 * file claiming 60000×60000 pixels is refused without allocating for it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_DATA_PHOTO_MAX_BYTES  (8 * 1024 * 1024)
#define CL_DATA_PHOTO_MAX_PIXELS 4096

/* NULL when dir/name is a photo (and *path is its full path, *type its media type such as "image/png", both to be
 * freed); else what is wrong, for the row's problem ("no file “x.jpg” in the photos directory"). */
char *cl_data_photo_check (const char *dir, const char *name, char **path, char **type);

G_END_DECLS
