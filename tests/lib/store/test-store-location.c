/* Which store a station process uses (store/cl-store-location.h): --store, then $CARDLINE_STORE, then the Setup
 * settings' store-path, then one default path; the same answer for the window, headless and cardline-admin. */
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "store/cl-store-location.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("cl-store-location-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  g_unsetenv ("CARDLINE_STORE");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_unsetenv ("CARDLINE_STORE");
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
}

static void
assert_resolves (const char *command_line, const char *configured, const char *expected, ClStoreSource source)
{
  ClStoreSource got = (ClStoreSource)-1;
  g_autofree char *path = cl_store_location_resolve (command_line, configured, &got);

  g_assert_cmpstr (path, ==, expected);
  g_assert_cmpint (got, ==, source);
}

static void
test_order (Fixture *f, gconstpointer data)
{
  g_autofree char *fallback = g_build_filename (g_get_user_data_dir (), "cardline", "station.db", NULL);

  assert_resolves ("/cli.db", "/settings.db", "/cli.db", CL_STORE_FROM_COMMAND_LINE);
  assert_resolves (NULL, "/settings.db", "/settings.db", CL_STORE_FROM_SETTINGS);
  assert_resolves (NULL, NULL, fallback, CL_STORE_FROM_DEFAULT);

  g_setenv ("CARDLINE_STORE", "/env.db", TRUE);
  assert_resolves ("/cli.db", "/settings.db", "/cli.db", CL_STORE_FROM_COMMAND_LINE);
  assert_resolves (NULL, "/settings.db", "/env.db", CL_STORE_FROM_ENVIRONMENT);
  assert_resolves (NULL, NULL, "/env.db", CL_STORE_FROM_ENVIRONMENT);

  /* An empty value is no choice: a blank --store= or an exported but empty variable falls through. */
  assert_resolves ("", "/settings.db", "/env.db", CL_STORE_FROM_ENVIRONMENT);
  g_setenv ("CARDLINE_STORE", "", TRUE);
  assert_resolves ("", "/settings.db", "/settings.db", CL_STORE_FROM_SETTINGS);
  assert_resolves ("", "", fallback, CL_STORE_FROM_DEFAULT);

  /* The source is optional. */
  g_free (cl_store_location_resolve ("/cli.db", NULL, NULL));
}

/* The settings are the Setup view's, read through GSettings (GSETTINGS_BACKEND=memory, the built schema). */
static void
test_settings (Fixture *f, gconstpointer data)
{
  g_autoptr (GSettings) settings = g_settings_new (CL_STORE_LOCATION_SCHEMA);
  g_autofree char *configured = g_build_filename (f->dir, "settings", "station.db", NULL);
  g_autofree char *cli = g_build_filename (f->dir, "cli", "station.db", NULL);
  g_autofree char *env = g_build_filename (f->dir, "env", "station.db", NULL);
  g_autofree char *fallback = g_build_filename (g_get_user_data_dir (), "cardline", "station.db", NULL);
  g_autofree char *folder = NULL;
  ClStoreSource source;
  char *path;

  g_assert_true (g_settings_set_string (settings, CL_STORE_LOCATION_KEY, ""));
  path = cl_store_location_configured ();
  g_assert_cmpstr (path, ==, "");
  g_free (path);
  path = cl_store_location_full (NULL, &source);
  g_assert_cmpstr (path, ==, fallback);
  g_assert_cmpint (source, ==, CL_STORE_FROM_DEFAULT);
  g_free (path);

  g_assert_true (g_settings_set_string (settings, CL_STORE_LOCATION_KEY, configured));
  path = cl_store_location_configured ();
  g_assert_cmpstr (path, ==, configured);
  g_free (path);
  path = cl_store_location_full (NULL, &source);
  g_assert_cmpstr (path, ==, configured);
  g_assert_cmpint (source, ==, CL_STORE_FROM_SETTINGS);
  g_free (path);

  path = cl_store_location_full (cli, &source);
  g_assert_cmpstr (path, ==, cli);
  g_assert_cmpint (source, ==, CL_STORE_FROM_COMMAND_LINE);
  g_free (path);

  g_setenv ("CARDLINE_STORE", env, TRUE);
  path = cl_store_location_full (NULL, &source);
  g_assert_cmpstr (path, ==, env);
  g_assert_cmpint (source, ==, CL_STORE_FROM_ENVIRONMENT);
  g_free (path);

  /* cl_store_location() is for a process about to write the store: it makes the folder, owner-only. */
  folder = g_path_get_dirname (cli);
  g_assert_false (g_file_test (folder, G_FILE_TEST_IS_DIR));
  path = cl_store_location (cli);
  g_assert_cmpstr (path, ==, cli);
  g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));
  g_free (path);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
}

/* Without the app's schema (a server, the build tree) the settings have no say and nothing aborts. */
static void
test_no_schema (Fixture *f, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autofree char *fallback = g_build_filename (g_get_user_data_dir (), "cardline", "station.db", NULL);
      ClStoreSource source;
      char *path;

      g_assert_null (cl_store_location_configured ());
      path = cl_store_location_full (NULL, &source);
      g_assert_cmpstr (path, ==, fallback);
      g_assert_cmpint (source, ==, CL_STORE_FROM_DEFAULT);
      g_free (path);
      return;
    }
  /* the child inherits this environment: an empty schema folder only */
  g_setenv ("GSETTINGS_SCHEMA_DIR", f->dir, TRUE);
  g_setenv ("XDG_DATA_DIRS", f->dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store-location/order", Fixture, NULL, fixture_set_up, test_order, fixture_tear_down);
  g_test_add ("/store-location/settings", Fixture, NULL, fixture_set_up, test_settings, fixture_tear_down);
  g_test_add ("/store-location/no-schema", Fixture, NULL, fixture_set_up, test_no_schema, fixture_tear_down);

  return g_test_run ();
}
