/* cl-store-watch.h: live notice of fleet changes (cl-store-fleet.h) for a supervisor's view, without a polling loop
 * on the UI thread.
 *
 * A watch runs its own thread with its own connection to the store. On PostgreSQL it LISTENs on
 * CL_STORE_FLEET_CHANNEL (a trigger NOTIFYs whenever a station's revision moves) and wakes on the connection's
 * socket. On SQLite, which has no notification between processes, it reads PRAGMA data_version (which moves on
 * every other connection's commit) every CL_STORE_WATCH_SQLITE_INTERVAL_MS, and only when it moved compares the
 * stations' revisions with the last ones seen.
 *
 * "station-changed" (const char *station) is emitted on the watch's thread: the handler marshals to its own main
 * context (g_main_context_invoke). station NULL means "anything may have changed; read every station": at the
 * start, and after the watch lost its connection and got it back (notifications in between are lost). A
 * connection that fails is reopened every second until it works or the watch is disposed, with one g_warning.
 * Disposing the last reference stops the thread (joined, or, when a handler drops it on the watch's own thread, left to
 * end by itself once the handler returns).
 *
 * A station becoming lost writes nothing, so it makes no notice: a view re-judges its stations' lost verdicts on a
 * timer of its own (reading on a worker), at the pace of their leases. */
#pragma once

#include <glib-object.h>

#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_STORE_WATCH_SQLITE_INTERVAL_MS 200

#define CL_TYPE_STORE_WATCH (cl_store_watch_get_type ())
G_DECLARE_FINAL_TYPE (ClStoreWatch, cl_store_watch, CL, STORE_WATCH, GObject)

/* Watches the store that store was opened on (its file or PostgreSQL URI). Connect to "station-changed" before
 * cl_store_watch_start(). */
ClStoreWatch *cl_store_watch_new (ClStore *store);
/* Starts the thread; the first "station-changed" (NULL) comes once the watch is connected and listening, so a
 * change committed after it is always reported. */
void cl_store_watch_start (ClStoreWatch *self);

G_END_DECLS
