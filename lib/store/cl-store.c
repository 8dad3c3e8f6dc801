/* cl-store.c: opening, migrating and checking the store; the helpers the other cl-store-*.c files use. */
#include "store/cl-store-private.h"

#include "core/cl-error.h"
#include "core/cl-name.h"
#include "store/cl-store-records.h"
#include "store/cl-store-schema-pg.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_FINAL_TYPE (ClStore, cl_store, G_TYPE_OBJECT)

static void
cl_store_finalize (GObject *object)
{
  ClStore *self = CL_STORE (object);

  /* a statement still out keeps the connection open until it is released */
  g_clear_pointer (&self->sql, cl_sql_close);
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self->connect_uri);
  G_OBJECT_CLASS (cl_store_parent_class)->finalize (object);
}

static void
cl_store_class_init (ClStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_store_finalize;
}

static void
cl_store_init (ClStore *self)
{
  g_mutex_init (&self->lock);
}

void
cl_store_set_error (ClStore *self, GError **error, const char *what)
{
  if (error != NULL && *error != NULL)
    g_prefix_error (error, "%s: ", what);
  else
    g_set_error (error, CL_ERROR, CL_ERROR_STORE, "%s: no row (%s)", what, self->path);
}

void
cl_store_set_ui_thread (ClStore *self, GThread *thread)
{
  g_return_if_fail (CL_IS_STORE (self));
  g_atomic_pointer_set (&self->ui_thread, thread);
}

void
cl_store_check_thread (ClStore *self, const char *sql)
{
#ifndef NDEBUG
  /* Every statement goes through exec or prepare, so this sees every call; a read can wait seconds for a
   * writer (busy timeout), which is what the UI thread must never do. */
  if (G_UNLIKELY (g_atomic_pointer_get (&self->ui_thread) == (gpointer)g_thread_self ()))
    g_critical ("Store %s used on the UI thread (run it on a worker): %.80s", self->path, sql);
#endif
}

/* The connection's synchronous setting as the statement about to be prepared or run needs it. */
static void
apply_sync (ClStore *self)
{
  if (self->sync_normal == self->relaxed || cl_sql_backend (self->sql) != CL_SQL_SQLITE)
    return;
  if (cl_sql_exec (self->sql, self->relaxed ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL", NULL))
    self->sync_normal = self->relaxed;
  else
    /* SQLite refuses inside a transaction, silently as far as the commit goes: relax before BEGIN (issue 14 found
     * a chip claim that fsynced every card this way) */
    g_critical ("Store %s: the synchronous setting cannot change inside a transaction", self->path);
}

gboolean
cl_store_exec (ClStore *self, const char *sql, GError **error)
{
  cl_store_check_thread (self, sql);
  apply_sync (self);
  return cl_sql_exec (self->sql, sql, error);
}

ClSqlStmt *
cl_store_prepare (ClStore *self, const char *sql, GError **error)
{
  cl_store_check_thread (self, sql);
  /* a read commits nothing: it leaves the setting as it is for the next write */
  if (g_ascii_strncasecmp (sql, "SELECT ", 7) != 0)
    apply_sync (self);
  return cl_sql_prepare (self->sql, sql, error);
}

gboolean
cl_store_step_done (ClStore *self, ClSqlStmt *stmt, const char *what, GError **error)
{
  if (!cl_sql_step_done (stmt, error))
    {
      cl_store_set_error (self, error, what);
      return FALSE;
    }
  return TRUE;
}

char *
cl_store_column_sha256 (ClSqlStmt *stmt, int index)
{
  gsize len = 0;
  const guint8 *data = cl_sql_column_blob (stmt, index, &len);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

const guint8 *
cl_store_column_hash (ClSqlStmt *stmt, int index)
{
  gsize len = 0;
  const guint8 *data = cl_sql_column_blob (stmt, index, &len);

  return len == 32 ? data : NULL;
}

gint64
cl_store_step_insert (ClStore *self, ClSqlStmt *stmt, const char *what, GError **error)
{
  gint64 id;

  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, what);
      return 0;
    }
  id = cl_sql_column_int64 (stmt, 0);
  /* to its end: a statement left on its row would keep the transaction from committing */
  if (!cl_sql_step_done (stmt, error))
    {
      cl_store_set_error (self, error, what);
      return 0;
    }
  return id;
}

#define PG_WRITE_BEGIN "BEGIN; SELECT pg_advisory_xact_lock(" G_STRINGIFY (CL_STORE_PG_WRITE_LOCK) ")"

ClStoreTxn *
cl_store_txn_begin (ClStore *self, GError **error)
{
  ClStoreTxn *txn;

  /* SQLite: take the write lock now, so a busy store waits here (busy timeout) instead of failing at the first
   * write after a read, which no retry could fix. PostgreSQL: the same, with a transaction-scoped advisory lock that
   * every station's write transaction takes first. The store's transactions read, decide and write (is the chip
   * claimed? is a place left in the batch? is this the row's Nth rejection?); with one writer at a time across the
   * fleet, each decision holds when it commits, as it does on SQLite, and the database, not a station, enforces it.
   * Reads outside a write transaction take no lock. */
  if (!cl_store_exec (self, cl_sql_backend (self->sql) == CL_SQL_SQLITE ? "BEGIN IMMEDIATE" : PG_WRITE_BEGIN, error))
    return NULL;
  txn = g_new0 (ClStoreTxn, 1);
  txn->store = self;
  return txn;
}

gboolean
cl_store_txn_commit (ClStoreTxn *txn, GError **error)
{
  if (!cl_store_exec (txn->store, "COMMIT", error))
    return FALSE;
  txn->finished = TRUE;
  return TRUE;
}

void
cl_store_txn_free (ClStoreTxn *txn)
{
  if (txn == NULL)
    return;
  if (!txn->finished)
    cl_sql_exec (txn->store->sql, "ROLLBACK", NULL);
  g_free (txn);
}

/* SQLite only: a PostgreSQL server syncs its WAL as its configuration says. */
void
cl_store_relax_sync (ClStore *self)
{
  self->relaxed = TRUE;
  apply_sync (self);
}

void
cl_store_restore_sync (ClStore *self)
{
  /* applied by the next statement (apply_sync): nothing commits before it */
  self->relaxed = FALSE;
}

ClStoreRelaxed *
cl_store_relax (ClStore *self)
{
  cl_store_relax_sync (self);
  return self;
}

void
cl_store_relaxed_end (ClStoreRelaxed *self)
{
  cl_store_restore_sync (self);
}

gint64
cl_store_now (gint64 when)
{
  return when != 0 ? when : g_get_real_time ();
}

void
cl_store_bind_text (ClSqlStmt *stmt, int index, const char *text)
{
  cl_sql_bind_text (stmt, index, text);
}

void
cl_store_bind_opt_int (ClSqlStmt *stmt, int index, gint64 value)
{
  if (value >= 0)
    cl_sql_bind_int64 (stmt, index, value);
  else
    cl_sql_bind_null (stmt, index);
}

void
cl_store_bind_uses (ClSqlStmt *stmt, const gint64 *values, const char *uses)
{
  for (int i = 0; uses[i] != '\0'; i++)
    if (uses[i] >= '1' && uses[i] <= '9')
      cl_sql_bind_int64 (stmt, i + 1, values[uses[i] - '1']);
}

void
cl_store_bind_scope (ClSqlStmt *stmt, const gint64 *values, const char *uses, const char *station)
{
  cl_store_bind_uses (stmt, values, uses);
  for (int i = 0; uses[i] != '\0'; i++)
    if (uses[i] == 's')
      cl_sql_bind_text (stmt, i + 1, station ? station : "");
}

gint64
cl_store_column_opt_int (ClSqlStmt *stmt, int index)
{
  if (cl_sql_column_type (stmt, index) == CL_SQL_NULL)
    return -1;
  return cl_sql_column_int64 (stmt, index);
}

char *
cl_store_column_dup_text (ClSqlStmt *stmt, int index)
{
  return g_strdup (cl_sql_column_text (stmt, index));
}

GBytes *
cl_store_column_bytes (ClSqlStmt *stmt, int index)
{
  gsize len = 0;
  const guint8 *data = cl_sql_column_blob (stmt, index, &len);

  return g_bytes_new (data, len);
}

gboolean
cl_store_check_chip_id (const char *chip_id, GError **error)
{
  gsize len = chip_id ? strlen (chip_id) : 0;

  if (len == 0 || len > 64)
    goto bad;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (chip_id[i]) || g_ascii_islower (chip_id[i]))
      goto bad;
  return TRUE;
bad:
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Chip id “%s” is not 1..64 upper-case hex digits",
               chip_id ? chip_id : "(null)");
  return FALSE;
}

gboolean
cl_store_check_name (const char *what, const char *value, GError **error)
{
  return cl_name_check (what, value, error);
}

static gboolean
query_int (ClStore *self, const char *sql, gint64 *out, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, sql);
      return FALSE;
    }
  *out = cl_sql_column_int64 (stmt, 0);
  return TRUE;
}

/* The schema version is SQLite's user_version (PRAGMA): a store opened here is an SQLite file. */
static gboolean
migrate (ClStore *self, GError **error)
{
  gint64 version;

  if (!query_int (self, "PRAGMA user_version", &version, error))
    return FALSE;
  if (version > CL_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE,
                   "Store %s has schema version %" G_GINT64_FORMAT ", newer than this Cardline's %d", self->path,
                   version, CL_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  /* One transaction per migration: a crash mid-way leaves the previous version, never half of the next. */
  for (guint v = (guint)version; v < cl_store_n_migrations; v++)
    {
      g_autoptr (ClStoreTxn) txn = cl_store_txn_begin (self, error);
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %u", v + 1);

      if (txn == NULL || !cl_store_exec (self, cl_store_migrations[v], error)
          || (v + 1 == CL_STORE_SEALED_SINCE && !cl_store_seal_all_locked (self, error))
          || !cl_store_exec (self, bump, error) || !cl_store_txn_commit (txn, error))
        {
          g_prefix_error (error, "Migrating the store to schema version %u: ", v + 1);
          return FALSE;
        }
    }
  self->schema_version = CL_STORE_SCHEMA_VERSION;
  return TRUE;
}

/* SQLite creates a database file with the process's umask (0644 by default) and gives its -wal and -shm the
 * database file's mode: creating the file here, owner-only and whatever the umask, makes all three 0600. */
static gboolean
create_private (const char *path, GError **error)
{
  int fd;

  if (g_str_equal (path, ":memory:") || g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    return TRUE;
  if (fd < 0 || fchmod (fd, 0600) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Cannot create the store %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

gboolean
cl_store_is_postgresql (const char *location)
{
  return location != NULL
         && (g_str_has_prefix (location, "postgresql://") || g_str_has_prefix (location, "postgres://"));
}

gboolean
cl_store_is_shared (ClStore *self)
{
  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  return self->connect_uri != NULL;
}

ClStore *
cl_store_open_existing (const char *path, GError **error)
{
  if (!cl_store_is_postgresql (path) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no store at %s", path);
      return NULL;
    }
  return cl_store_open (path, error);
}

/* A database server's store: its URI may carry a password, so the store is named by its description, which leaves
 * the password out, in every message and in cl_store_get_path(). */
static ClStore *
open_postgresql (const char *uri, gboolean read_only, GError **error)
{
  g_autoptr (ClStore) self = g_object_new (CL_TYPE_STORE, NULL);

  if (!(self->sql = cl_sql_open_postgresql (uri, error)))
    return NULL;
  self->path = g_strdup (cl_sql_describe (self->sql));
  self->connect_uri = g_strdup (uri);
  self->read_only = read_only;
  if (read_only)
    {
      gint64 version;

      if (!query_int (self, "SELECT version FROM schema_version", &version, error))
        {
          g_prefix_error (error, "%s is not a store: ", self->path);
          return NULL;
        }
      if (version != CL_STORE_SCHEMA_VERSION)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_STORE,
                       "Store %s has schema version %" G_GINT64_FORMAT ", this Cardline checks version %d%s",
                       self->path, version, CL_STORE_SCHEMA_VERSION,
                       version < CL_STORE_SCHEMA_VERSION ? " (the station migrates it when it next opens it)" : "");
          return NULL;
        }
      /* the server refuses any write of this session, as SQLite's read-only open does */
      if (!cl_store_exec (self, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", error))
        return NULL;
    }
  else if (!cl_store_pg_migrate (self->sql, error))
    return NULL;
  self->schema_version = CL_STORE_SCHEMA_VERSION;
  return g_steal_pointer (&self);
}

ClStore *
cl_store_open (const char *path, GError **error)
{
  g_autoptr (ClStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (cl_store_is_postgresql (path))
    return open_postgresql (path, FALSE, error);
  self = g_object_new (CL_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  if (!create_private (path, error) || !(self->sql = cl_sql_open_sqlite (path, FALSE, error)))
    return NULL;
  /* An SQLite file, so SQLite's settings (PRAGMA): synchronous=FULL in WAL mode syncs the WAL on every commit: a
   * journal intent is on disk before the irreversible command is sent. */
  if (!cl_store_exec (self,
                      "PRAGMA journal_mode = WAL;"
                      "PRAGMA synchronous = FULL;"
                      "PRAGMA foreign_keys = ON;",
                      error))
    return NULL;
  if (!migrate (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
cl_store_make_table (ClStore *self, const char *sqlite_ddl, GError **error)
{
  /* PostgreSQL's schema has these tables from its baseline (cl-store-schema-pg.c) */
  if (cl_sql_backend (self->sql) != CL_SQL_SQLITE)
    return TRUE;
  return cl_store_exec (self, sqlite_ddl, error);
}

ClSqlBackend
cl_store_backend (ClStore *self)
{
  g_return_val_if_fail (CL_IS_STORE (self), CL_SQL_SQLITE);
  return cl_sql_backend (self->sql);
}

const char *
cl_store_get_path (ClStore *self)
{
  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  return self->path;
}

guint
cl_store_get_schema_version (ClStore *self)
{
  g_return_val_if_fail (CL_IS_STORE (self), 0);
  return self->schema_version;
}

gboolean
cl_store_integrity_check (ClStore *self, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (ClSqlStmt) fk = NULL;
  const char *answer;
  ClSqlStep rc;

  /* SQLite's own checks of its file (PRAGMA); a PostgreSQL server checks its pages itself */
  if (cl_sql_backend (self->sql) != CL_SQL_SQLITE)
    return TRUE;
  stmt = cl_store_prepare (self, "PRAGMA integrity_check(1)", error);
  if (stmt == NULL)
    return FALSE;
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Integrity check");
      return FALSE;
    }
  answer = cl_sql_column_text (stmt, 0);
  if (g_strcmp0 (answer, "ok") != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Store %s fails its integrity check: %s", self->path,
                   answer ? answer : "(no answer)");
      return FALSE;
    }
  fk = cl_store_prepare (self, "PRAGMA foreign_key_check", error);
  if (fk == NULL)
    return FALSE;
  rc = cl_sql_step (fk, error);
  if (rc == CL_SQL_STEP_ERROR)
    return FALSE;
  if (rc == CL_SQL_STEP_ROW)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE,
                   "Store %s: row %" G_GINT64_FORMAT " of table %s refers to a "
                   "missing row of %s",
                   self->path, (gint64)cl_sql_column_int64 (fk, 1), cl_sql_column_text (fk, 0),
                   cl_sql_column_text (fk, 2));
      return FALSE;
    }
  return TRUE;
}

ClStore *
cl_store_open_readonly (const char *path, GError **error)
{
  g_autoptr (ClStore) self = NULL;
  GStatBuf st;
  gint64 version;

  g_return_val_if_fail (path != NULL, NULL);

  if (cl_store_is_postgresql (path))
    return open_postgresql (path, TRUE, error);
  self = g_object_new (CL_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->read_only = TRUE;
  /* An empty file is a valid empty SQLite database to SQLite, but never a store. */
  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "%s is not a store: %s", path,
                   g_stat (path, &st) != 0 ? g_strerror (errno) : "the file is empty or not a regular file");
      return NULL;
    }
  if (!(self->sql = cl_sql_open_sqlite (path, TRUE, error)))
    return NULL;
  if (!query_int (self, "PRAGMA user_version", &version, error))
    {
      g_prefix_error (error, "%s is not a store: ", path);
      return NULL;
    }
  if (version != CL_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE,
                   "Store %s has schema version %" G_GINT64_FORMAT ", this Cardline checks version %d%s", path, version,
                   CL_STORE_SCHEMA_VERSION,
                   version < CL_STORE_SCHEMA_VERSION ? " (the station migrates it when it next opens it)" : "");
      return NULL;
    }
  self->schema_version = (guint)version;
  return g_steal_pointer (&self);
}

gboolean
cl_store_check_file_modes (const char *path, GError **error)
{
  g_autoptr (GString) bad = g_string_new (NULL);
  const char *suffixes[] = { "", "-wal", "-shm" };

  /* a database server keeps its files under its own user's modes */
  if (cl_store_is_postgresql (path))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      GStatBuf st;

      if (g_stat (file, &st) != 0)
        continue;
      if ((st.st_mode & 0777) != 0600)
        g_string_append_printf (bad, "%s%s is mode %04o", bad->len ? "; " : "", file, st.st_mode & 0777);
    }
  if (bad->len == 0)
    return TRUE;
  g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
               "%s: the store holds password hashes and every record and must be readable by its owner only "
               "(chmod 600)",
               bad->str);
  return FALSE;
}
