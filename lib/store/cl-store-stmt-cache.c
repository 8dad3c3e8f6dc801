/* cl-store-stmt-cache.c: prepared statements kept for their next use.
 *
 * Preparing a statement on attempts or steps compiles every yield trigger into it (cl-store-schema.c): callgrind
 * put 42 % of the station's instructions per card in sqlite3_prepare_v2 (issue 14). So a statement whose
 * g_autoptr goes out of scope is reset and kept, per connection and SQL text, and cl_store_prepare hands it out
 * again. Only idle statements are kept: one the caller finalizes itself is simply never returned, and one released
 * after its store closed is finalized. The cleanup gets only the statement, hence the registry of connections. */
#include "store/cl-store-private.h"

/* Enough for every statement of the production path, a few of each at once (nested helpers); the rest are
 * finalized as before. */
#define MAX_PER_SQL 4
#define MAX_TEXTS   256

static GMutex registry_lock;
static GHashTable *registry; /* sqlite3 * -> GHashTable of SQL text -> GPtrArray of idle statements */

static void
finalize_all (gpointer data)
{
  GPtrArray *idle = data;

  for (guint i = 0; i < idle->len; i++)
    sqlite3_finalize (idle->pdata[i]);
  g_ptr_array_unref (idle);
}

void
cl_store_stmt_cache_open (sqlite3 *db)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&registry_lock);

  if (registry == NULL)
    registry = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_hash_table_unref);
  g_hash_table_replace (registry, db, g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_all));
}

void
cl_store_stmt_cache_close (sqlite3 *db)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&registry_lock);

  if (registry != NULL)
    g_hash_table_remove (registry, db);
}

sqlite3_stmt *
cl_store_stmt_cache_take (sqlite3 *db, const char *sql)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&registry_lock);
  GHashTable *texts = registry != NULL ? g_hash_table_lookup (registry, db) : NULL;
  GPtrArray *idle = texts != NULL ? g_hash_table_lookup (texts, sql) : NULL;

  if (idle == NULL || idle->len == 0)
    return NULL;
  return g_ptr_array_steal_index_fast (idle, idle->len - 1);
}

void
cl_store_stmt_release (sqlite3_stmt *stmt)
{
  sqlite3 *db;
  const char *sql;

  if (stmt == NULL)
    return;
  db = sqlite3_db_handle (stmt);
  sql = sqlite3_sql (stmt);
  /* a reset ends what the statement held open (a read, a half-stepped query), as finalizing did */
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&registry_lock);
    GHashTable *texts = registry != NULL ? g_hash_table_lookup (registry, db) : NULL;
    GPtrArray *idle = NULL;

    if (texts != NULL && sql != NULL)
      {
        idle = g_hash_table_lookup (texts, sql);
        if (idle == NULL && g_hash_table_size (texts) < MAX_TEXTS)
          {
            idle = g_ptr_array_new ();
            g_hash_table_insert (texts, g_strdup (sql), idle);
          }
      }
    if (idle != NULL && idle->len < MAX_PER_SQL)
      {
        g_ptr_array_add (idle, stmt);
        return;
      }
  }
  sqlite3_finalize (stmt);
}
