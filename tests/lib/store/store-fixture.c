/* store-fixture.c: see store-fixture.h. */
#include "store-fixture.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

void
store_fixture_setup (StoreFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("cl-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "cardline.db", NULL);
  f->store = cl_store_open (f->path, &error);
  g_assert_no_error (error);
}

void
store_fixture_remove_files (StoreFixture *f)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

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
  store_fixture_remove_files (f);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

gint64
store_fixture_raw_int (StoreFixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

void
store_fixture_rig_pg (const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rig = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "tests", "rig", "rig", NULL);
  const char *argv[] = { rig, command, g_getenv ("CARDLINE_RIG_DIR"), NULL };
  int status = -1;

  g_assert_nonnull (argv[2]);
  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
}
