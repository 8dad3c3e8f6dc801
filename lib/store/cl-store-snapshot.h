/* cl-store-snapshot.h: a consistent copy of a store, taken through a read-only connection (SQLite's online backup),
 * so a check can open, migrate and verify the copy while the station keeps writing the original. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Copies the store at path to dest (overwritten). CL_ERROR_STORE naming path when it cannot be read. */
gboolean cl_store_snapshot (const char *path, const char *dest, GError **error);

G_END_DECLS
