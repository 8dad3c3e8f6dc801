#include <string.h>
/* Shipped data is found from the build tree, from $CARDLINE_DATA_DIR first, and profiles by name. */
#include <glib/gstdio.h>

#include "cardline-config.h"
#include "core/cl-data-dirs.h"
#include "core/cl-error.h"
#include "production/cl-production-env.h"

static void
test_build_tree (void)
{
  g_auto (GStrv) dirs = NULL;
  g_autofree char *cap = NULL;

  g_unsetenv ("CARDLINE_DATA_DIR");
  dirs = cl_data_dirs ();
  /* this test runs from the build tree: the source data comes first */
  g_assert_nonnull (dirs[0]);
  g_assert_cmpstr (dirs[0], ==, CARDLINE_SOURCE_DATADIR);
  cap = cl_data_find ("demo/smartcard-hsm-standin.cap");
  g_assert_cmpstr (cap, ==, CARDLINE_SOURCE_DATADIR "/demo/smartcard-hsm-standin.cap");
  g_assert_null (cl_data_find ("no/such/file"));
}

static void
test_env_first (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cl-data-XXXXXX", NULL);
  g_autofree char *profiles = g_build_filename (dir, "profiles", NULL);
  g_autofree char *mine = g_build_filename (profiles, "smartcard-hsm.profile", NULL);
  g_autofree char *found = NULL, *other = NULL;
  g_auto (GStrv) dirs = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir (profiles, 0700), ==, 0);
  g_assert_true (g_file_set_contents (mine, "[profile]\n", -1, NULL));
  g_setenv ("CARDLINE_DATA_DIR", dir, TRUE);
  dirs = cl_data_dirs ();
  g_assert_cmpstr (dirs[0], ==, dir);
  g_assert_cmpstr (dirs[1], ==, CARDLINE_SOURCE_DATADIR);

  /* by name, with or without the suffix: the station's own copy wins */
  found = cl_production_profile_find ("smartcard-hsm", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, mine);
  g_clear_pointer (&found, g_free);
  found = cl_production_profile_find ("smartcard-hsm.profile", &error);
  g_assert_cmpstr (found, ==, mine);
  /* a shipped profile only the source tree has */
  other = cl_production_profile_find ("smartcard-hsm-scp02", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (other, ==, CARDLINE_SOURCE_DATADIR "/profiles/smartcard-hsm-scp02.profile");
  /* a path is taken as it is, even when it does not exist (the loader then says it cannot read it) */
  g_clear_pointer (&found, g_free);
  found = cl_production_profile_find ("./nowhere.profile", &error);
  g_assert_cmpstr (found, ==, "./nowhere.profile");

  g_assert_null (cl_production_profile_find ("no-such-profile", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no-such-profile"));
  g_assert_nonnull (strstr (error->message, profiles));

  g_unsetenv ("CARDLINE_DATA_DIR");
  g_remove (mine);
  g_rmdir (profiles);
  g_rmdir (dir);
}

/* An installed profile's CAP and face paths resolve next to its own directory's parent (the data directory). */
static void
test_profile_relative_paths (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (ClProfile) profile = NULL;

  g_unsetenv ("CARDLINE_DATA_DIR");
  path = cl_production_profile_find ("smartcard-hsm", &error);
  g_assert_no_error (error);
  profile = cl_profile_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_profile_get_applet (profile)->cap_file, ==,
                   CARDLINE_SOURCE_DATADIR "/demo/smartcard-hsm-standin.cap");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data-dirs/build-tree", test_build_tree);
  g_test_add_func ("/data-dirs/env-first", test_env_first);
  g_test_add_func ("/data-dirs/profile-relative-paths", test_profile_relative_paths);
  return g_test_run ();
}
