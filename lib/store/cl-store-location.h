/* cl-store-location.h: where the station's store lives when nobody says otherwise. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* explicit_path if non-empty, else $CARDLINE_STORE, else $XDG_DATA_HOME/cardline/cardline.db. The parent
 * folder is created (0700) when missing. */
char *cl_store_location (const char *explicit_path);

G_END_DECLS
