/* PIN files: only an owner-only file is accepted, and nothing of the PIN reaches an error message. */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "core/cl-error.h"
#include "p11/cl-p11-pin.h"

static char *
write_pin_file (const char *contents, int mode)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("cl-p11-pin-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return path;
}

static void
test_owner_only (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_pin_file ("4711\n", 0600);
  char *pin = cl_p11_pin_read_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (pin, ==, "4711");
  cl_p11_pin_free (pin);
  g_unlink (path);
}

static void
test_world_readable_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_pin_file ("4711\n", 0644);
  char *pin = cl_p11_pin_read_file (path, &error);

  g_assert_null (pin);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "0644"));
  g_assert_nonnull (strstr (error->message, path));
  g_assert_null (strstr (error->message, "4711"));
  g_unlink (path);
}

static void
test_group_readable_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_pin_file ("4711", 0640);

  g_assert_null (cl_p11_pin_read_file (path, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_unlink (path);
}

static void
test_missing_and_empty (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_pin_file ("\n", 0600);

  g_assert_null (cl_p11_pin_read_file (path, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_unlink (path);
  g_assert_null (cl_p11_pin_read_file (path, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/p11/pin/owner-only", test_owner_only);
  g_test_add_func ("/p11/pin/world-readable-refused", test_world_readable_refused);
  g_test_add_func ("/p11/pin/group-readable-refused", test_group_readable_refused);
  g_test_add_func ("/p11/pin/missing-and-empty", test_missing_and_empty);
  return g_test_run ();
}
