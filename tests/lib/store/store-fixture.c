/* store-fixture.c: see store-fixture.h. */
#include "store-fixture.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "store/cl-sql.h"

gboolean
store_fixture_is_postgresql (void)
{
  return g_strcmp0 (g_getenv ("CARDLINE_TEST_STORE_BACKEND"), "postgresql") == 0;
}

static ClSql *
connect (const char *location)
{
  g_autoptr (GError) error = NULL;
  ClSql *sql = cl_store_is_postgresql (location) ? cl_sql_open_postgresql (location, &error)
                                                 : cl_sql_open_sqlite (location, FALSE, &error);

  g_assert_no_error (error);
  return sql;
}

/* The rig's URI names database "cardline"; the test's database takes its place. */
static char *
database_uri (const char *database)
{
  const char *rig = g_getenv ("CARDLINE_TEST_PG_URI");
  const char *tail;

  if (rig == NULL || !g_str_has_prefix (rig, "postgresql:///cardline?"))
    g_error ("CARDLINE_TEST_PG_URI is “%s”: run this test under the rig with its pg part (rig-run --parts pg)",
             rig ? rig : "(unset)");
  tail = rig + strlen ("postgresql:///cardline");
  return g_strconcat ("postgresql:///", database, tail, NULL);
}

static void
admin_exec (const char *sql_text)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = database_uri ("postgres");
  ClSql *sql = connect (uri);

  cl_sql_exec (sql, sql_text, &error);
  cl_sql_close (sql);
  g_assert_no_error (error);
}

char *
store_fixture_new_location (StoreFixture *f, const char *name)
{
  static gint serial;
  g_autofree char *create = NULL;
  char *database;

  if (!store_fixture_is_postgresql ())
    return g_build_filename (f->dir, name, NULL);
  database = g_strdup_printf ("t%d_%d", (int)getpid (), g_atomic_int_add (&serial, 1));
  create = g_strdup_printf ("CREATE DATABASE %s", database);
  admin_exec (create);
  if (f->databases == NULL)
    f->databases = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (f->databases, database);
  return database_uri (database);
}

void
store_fixture_setup (StoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("cl-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = store_fixture_new_location (f, "cardline.db");
  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
}

void
store_fixture_remove_files (StoreFixture *f)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  if (cl_store_is_postgresql (f->path))
    {
      /* every table, function and the version: an empty database, as a new SQLite file is */
      g_assert_true (store_fixture_raw_exec (f, "DROP SCHEMA public CASCADE; CREATE SCHEMA public", NULL));
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (f->path, suffixes[i], NULL);
      g_unlink (p);
    }
}

void
store_fixture_teardown (StoreFixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  if (!cl_store_is_postgresql (f->path))
    store_fixture_remove_files (f);
  for (guint i = 0; f->databases != NULL && i < f->databases->len; i++)
    {
      g_autofree char *drop
        = g_strdup_printf ("DROP DATABASE %s WITH (FORCE)", (const char *)g_ptr_array_index (f->databases, i));

      admin_exec (drop);
    }
  g_clear_pointer (&f->databases, g_ptr_array_unref);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

gboolean
store_fixture_raw_exec (StoreFixture *f, const char *sql_text, char **message)
{
  g_autoptr (GError) error = NULL;
  ClSql *sql = connect (f->path);
  gboolean ok = cl_sql_exec (sql, sql_text, &error);

  cl_sql_close (sql);
  if (message != NULL)
    *message = ok ? NULL : g_strdup (error->message);
  return ok;
}

static char *
raw_first (StoreFixture *f, const char *sql_text, gboolean *found)
{
  g_autoptr (GError) error = NULL;
  ClSql *sql = connect (f->path);
  ClSqlStmt *stmt = cl_sql_prepare (sql, sql_text, &error);
  char *value = NULL;
  ClSqlStep rc;

  g_assert_no_error (error);
  rc = cl_sql_step (stmt, &error);
  g_assert_no_error (error);
  *found = rc == CL_SQL_STEP_ROW;
  if (*found)
    value = g_strdup (cl_sql_column_text (stmt, 0));
  cl_sql_stmt_release (stmt);
  cl_sql_close (sql);
  return value;
}

gint64
store_fixture_raw_int (StoreFixture *f, const char *sql_text)
{
  gboolean found;
  g_autofree char *text = raw_first (f, sql_text, &found);

  return found ? g_ascii_strtoll (text ? text : "0", NULL, 10) : -1;
}

char *
store_fixture_raw_text (StoreFixture *f, const char *sql_text)
{
  gboolean found;

  return raw_first (f, sql_text, &found);
}
