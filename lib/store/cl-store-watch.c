/* cl-store-watch.c: live notice of fleet changes on a thread of its own (cl-store-watch.h). */
#include "store/cl-store-watch.h"

#include <errno.h>
#include <glib-unix.h>
#include <poll.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "store/cl-sql-listen.h"
#include "store/cl-store-fleet.h"
#include "store/cl-store-private.h"

#define RECONNECT_MS 1000

/* What the thread uses, kept apart from the object: a handler may drop the watch's last reference on the watch's own
 * thread (a notice arriving while its owner lets go), and the object is then disposed there, while the thread still
 * runs. The thread and the object each hold a reference to this. */
typedef struct
{
  GWeakRef owner;
  char *location; /* the store's file or URI (with its password: never printed) */
  char *describe; /* what messages name */
  ClSqlBackend backend;
  int wake[2];   /* written to stop the thread */
  gint stopping; /* atomic */
} Watcher;

struct _ClStoreWatch
{
  GObject parent_instance;
  Watcher *watcher;
  GThread *thread;
};

static void
watcher_clear (gpointer data)
{
  Watcher *w = data;

  for (guint i = 0; i < 2; i++)
    if (w->wake[i] >= 0)
      close (w->wake[i]);
  g_weak_ref_clear (&w->owner);
  g_free (w->location);
  g_free (w->describe);
}

static void
watcher_release (Watcher *w)
{
  g_atomic_rc_box_release_full (w, watcher_clear);
}

G_DEFINE_FINAL_TYPE (ClStoreWatch, cl_store_watch, G_TYPE_OBJECT)

enum
{
  SIGNAL_STATION_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
emit (Watcher *self, const char *station)
{
  g_autoptr (ClStoreWatch) owner = g_weak_ref_get (&self->owner);

  if (owner != NULL)
    g_signal_emit (owner, signals[SIGNAL_STATION_CHANGED], 0, station);
}

/* Sleeps up to ms, or until the watch is stopped; TRUE while it runs. */
static gboolean
pause_ms (Watcher *self, int ms)
{
  struct pollfd fd = { self->wake[0], POLLIN, 0 };

  if (g_atomic_int_get (&self->stopping))
    return FALSE;
  poll (&fd, self->wake[0] >= 0 ? 1 : 0, ms);
  return !g_atomic_int_get (&self->stopping);
}

/* One warning per outage, not one per retry. */
static void
warn_once (Watcher *self, gboolean *warned, const GError *error)
{
  if (!*warned && !g_atomic_int_get (&self->stopping))
    g_warning ("Fleet watch on %s: %s (retrying every second)", self->describe, error->message);
  *warned = TRUE;
}

/* ---- PostgreSQL: LISTEN ---- */

static void
watch_postgresql (Watcher *self)
{
  gboolean warned = FALSE;

  while (!g_atomic_int_get (&self->stopping))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ClSqlListener) listener = cl_sql_listener_open (self->location, CL_STORE_FLEET_CHANNEL, &error);

      if (listener == NULL)
        {
          warn_once (self, &warned, error);
          pause_ms (self, RECONNECT_MS);
          continue;
        }
      warned = FALSE;
      /* listening now: whatever happened before (or while the connection was down) is read afresh */
      emit (self, NULL);
      while (!g_atomic_int_get (&self->stopping))
        {
          g_autoptr (GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);

          if (!cl_sql_listener_wait (listener, self->wake[0], self->wake[0] >= 0 ? -1 : RECONNECT_MS, payloads, &error))
            {
              warn_once (self, &warned, error);
              break;
            }
          for (guint i = 0; i < payloads->len && !g_atomic_int_get (&self->stopping); i++)
            emit (self, g_ptr_array_index (payloads, i));
        }
    }
}

/* ---- SQLite: PRAGMA data_version ---- */

static gint64
data_version (ClSql *sql, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, "PRAGMA data_version", error);

  if (stmt == NULL || cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    return -1;
  return cl_sql_column_int64 (stmt, 0);
}

/* The stations whose revision differs from the one last seen (or that are new) are reported (when report). */
static gboolean
compare_revisions (Watcher *self, ClSql *sql, GHashTable *seen, gboolean report, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (sql, "SELECT name, revision FROM fleet_stations", error);
  g_autoptr (GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      const char *name = cl_sql_column_text (stmt, 0);
      gint64 revision = cl_sql_column_int64 (stmt, 1);
      gpointer known = g_hash_table_lookup (seen, name);

      if (known == NULL || *(gint64 *)known != revision)
        {
          gint64 *stored = g_new (gint64, 1);

          *stored = revision;
          g_hash_table_replace (seen, g_strdup (name), stored);
          g_ptr_array_add (changed, g_strdup (name));
        }
    }
  if (rc != CL_SQL_STEP_DONE)
    return FALSE;
  g_clear_pointer (&stmt, cl_sql_stmt_release);
  for (guint i = 0; report && i < changed->len; i++)
    emit (self, g_ptr_array_index (changed, i));
  return TRUE;
}

static void
watch_sqlite (Watcher *self)
{
  gboolean warned = FALSE;

  while (!g_atomic_int_get (&self->stopping))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (ClSql) sql = cl_sql_open_sqlite (self->location, FALSE, &error);
      g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      gint64 last;

      /* the revisions as they are now, then "read everything" */
      if (sql == NULL || (last = data_version (sql, &error)) < 0 || !compare_revisions (self, sql, seen, FALSE, &error))
        {
          warn_once (self, &warned, error);
          pause_ms (self, RECONNECT_MS);
          continue;
        }
      warned = FALSE;
      emit (self, NULL);
      while (pause_ms (self, CL_STORE_WATCH_SQLITE_INTERVAL_MS))
        {
          gint64 now = data_version (sql, &error);

          if (now < 0)
            break;
          if (now == last)
            continue;
          last = now;
          if (!compare_revisions (self, sql, seen, TRUE, &error))
            break;
        }
      if (error != NULL)
        warn_once (self, &warned, error);
    }
}

static gpointer
run (gpointer data)
{
  Watcher *self = data;

  if (self->backend == CL_SQL_POSTGRESQL)
    watch_postgresql (self);
  else
    watch_sqlite (self);
  watcher_release (self);
  return NULL;
}

static void
cl_store_watch_dispose (GObject *object)
{
  ClStoreWatch *self = CL_STORE_WATCH (object);
  Watcher *w = self->watcher;

  if (self->thread != NULL)
    {
      g_atomic_int_set (&w->stopping, TRUE);
      while (w->wake[1] >= 0 && write (w->wake[1], "x", 1) < 0 && errno == EINTR)
        ;
      /* disposed by a handler on the watch's own thread: it ends once the handler returns, on its own reference */
      if (g_thread_self () == self->thread)
        g_clear_pointer (&self->thread, g_thread_unref);
      else
        g_thread_join (g_steal_pointer (&self->thread));
    }
  G_OBJECT_CLASS (cl_store_watch_parent_class)->dispose (object);
}

static void
cl_store_watch_finalize (GObject *object)
{
  ClStoreWatch *self = CL_STORE_WATCH (object);

  g_clear_pointer (&self->watcher, watcher_release);
  G_OBJECT_CLASS (cl_store_watch_parent_class)->finalize (object);
}

static void
cl_store_watch_class_init (ClStoreWatchClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_store_watch_dispose;
  G_OBJECT_CLASS (klass)->finalize = cl_store_watch_finalize;
  signals[SIGNAL_STATION_CHANGED] = g_signal_new ("station-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cl_store_watch_init (ClStoreWatch *self)
{
  self->watcher = g_atomic_rc_box_new0 (Watcher);
  self->watcher->wake[0] = self->watcher->wake[1] = -1;
  g_weak_ref_init (&self->watcher->owner, self);
}

ClStoreWatch *
cl_store_watch_new (ClStore *store)
{
  ClStoreWatch *self;
  Watcher *w;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  self = g_object_new (CL_TYPE_STORE_WATCH, NULL);
  w = self->watcher;
  w->location = g_strdup (store->connect_uri != NULL ? store->connect_uri : cl_store_get_path (store));
  w->describe = g_strdup (cl_store_get_path (store));
  w->backend = cl_sql_backend (store->sql);
  /* without the pipe (no file descriptor left) the thread still stops, within a second */
  if (!g_unix_open_pipe (w->wake, FD_CLOEXEC, &error))
    {
      g_warning ("Fleet watch on %s: %s", w->describe, error->message);
      w->wake[0] = w->wake[1] = -1;
    }
  return self;
}

void
cl_store_watch_start (ClStoreWatch *self)
{
  g_return_if_fail (CL_IS_STORE_WATCH (self));
  g_return_if_fail (self->thread == NULL);
  self->thread = g_thread_new ("fleet-watch", run, g_atomic_rc_box_acquire (self->watcher));
}
