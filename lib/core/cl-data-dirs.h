/* cl-data-dirs.h: where Cardline's shipped data (profiles, faces, CAP files, demo material) is found.
 *
 * Searched in order: $CARDLINE_DATA_DIR when set (a station's own data, or an installation unpacked into a
 * scratch root); the source tree's data/ when this executable runs from the build tree; the installed data
 * directory next to the executable (PREFIX/bin/x -> PREFIX/share/cardline, so an unpacked package finds its own
 * data); the configured installed data directory (meson datadir/cardline). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The directories, in search order; those that do not exist are left out. Free with g_strfreev. */
char **cl_data_dirs (void);
/* The first DIR/relative that exists, or NULL. */
char *cl_data_find (const char *relative);

G_END_DECLS
