/* cl-sql-listen.h: PostgreSQL's LISTEN/NOTIFY for ClStoreWatch (cl-store-watch.h), in the PostgreSQL backend
 * (cl-sql-pg-listen.c): a connection of its own that does nothing but wait for notifications, so that waiting
 * never holds a store's lock. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ClSqlListener ClSqlListener;

/* Connects to uri (a libpq connection URI) and LISTENs on channel (a plain identifier). CL_ERROR_STORE when the
 * server cannot be reached or refuses. */
ClSqlListener *cl_sql_listener_open (const char *uri, const char *channel, GError **error);
/* Waits until a notification arrives, wake_fd becomes readable (it is not read), or timeout_ms passes (-1: no
 * limit), then appends the payload of every notification received to payloads (char *, owned by the array). FALSE
 * with CL_ERROR_STORE when the connection failed: close the listener and open another. */
gboolean cl_sql_listener_wait (ClSqlListener *self, int wake_fd, int timeout_ms, GPtrArray *payloads, GError **error);
void cl_sql_listener_close (ClSqlListener *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClSqlListener, cl_sql_listener_close)

G_END_DECLS
