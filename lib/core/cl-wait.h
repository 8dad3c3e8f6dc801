/* cl-wait.h: a worker's pause between tries that a stop ends at once. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Sleeps up to usec microseconds, less when cancellable is cancelled meanwhile (or already was).
 * Returns FALSE when cancelled: the caller gives up instead of trying again. */
gboolean cl_wait_unless_cancelled (GCancellable *cancellable, gint64 usec);

G_END_DECLS
