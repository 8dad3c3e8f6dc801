/* The window with the app's own wiring (ClApplication, no rig): which store it opens and what Setup says about
 * it, and that the app's toasts reach the window.
 *
 *   --store X without --profile: the session (sign-in, Dashboard, Rejects) opens X, not the settings' store;
 *   no --store: the settings' store-path, marked as such in Setup;
 *   --profile P --printer URI --printer-reader R --store X: Setup's profile row shows P (not the settings' profile)
 *   marked as set by the command line, with the store and the printer in use; the session opens X, the store
 *   production opens (production itself stops at the missing token, which is not this test's business);
 *   app.printer-test before anyone signed in: its toast is shown in the window, behind the sign-in dialog;
 *   app.printer-test by a supervisor with --printer: refused with a toast while the line's batch may run (here it
 *   is opening, or failed to), then, once Stop was pressed, run on the line's printer, not the settings' address.
 *
 * Each case runs the application in its own process (GApplication runs once per process). */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cl-test-dir.h"

#include "cl-application.h"
#include "cl-session.h"
#include "cl-test-app.h"
#include "cl-test-widgets.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "store/cl-store.h"

#define WAIT_UNTIL(cond)                                                                                               \
  G_STMT_START                                                                                                         \
  {                                                                                                                    \
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;                                                   \
    while (!(cond))                                                                                                    \
      {                                                                                                                \
        if (g_get_monotonic_time () > deadline)                                                                        \
          g_error ("timed out waiting for %s", #cond);                                                                 \
        if (!g_main_context_iteration (NULL, FALSE))                                                                   \
          g_usleep (2000);                                                                                             \
      }                                                                                                                \
  }                                                                                                                    \
  G_STMT_END

typedef struct
{
  const char *expected_store;
  const char *store_marker;     /* in the store row's subtitle */
  const char *expected_profile; /* NULL: the settings' profile */
  const char *expected_printer; /* NULL: no printer row */
  gboolean toast;
  gboolean line_printer_test; /* sign in as a supervisor and test the printer the line runs on */
} Expect;

#define SUPERVISOR "sam"
#define PASSWORD   "correct horse battery"

static Expect expect;
static char *work_dir;

static ClWindow *
find_window (GtkApplication *app)
{
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (CL_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static gboolean
label_has (GtkWidget *widget, const char *prefix, const char *part)
{
  const char *text;

  if (GTK_IS_LABEL (widget) && g_str_has_prefix ((text = gtk_label_get_text (GTK_LABEL (widget))), prefix)
      && strstr (text, part) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (label_has (child, prefix, part))
      return TRUE;
  return FALSE;
}

/* A toast on show whose text starts with prefix and mentions part (a driver's message follows the prefix). */
static gboolean
overlay_shows_toast_with (GtkWidget *overlay, const char *prefix, const char *part)
{
  for (GtkWidget *child = gtk_widget_get_first_child (overlay); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_str_equal (G_OBJECT_TYPE_NAME (child), "AdwToastWidget") && label_has (child, prefix, part))
      return TRUE;
  return FALSE;
}

static void
test_line_printer (GtkApplication *app, ClWindow *window)
{
  GtkWidget *overlay = cl_test_find_by_type (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY);
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (app), "printer-test");
  const char *refused = "The card printer is in use by the line: stop the batch first";

  g_assert_nonnull (overlay);
  g_assert_nonnull (action);
  cl_test_sign_in (window, SUPERVISOR, PASSWORD);
  g_assert_false (cl_test_overlay_shows_toast (overlay, refused));
  g_action_group_activate_action (G_ACTION_GROUP (app), "printer-test", NULL);
  g_assert_true (cl_test_overlay_shows_toast (overlay, refused));
  /* refused outright: nothing was sent to any printer */
  g_assert_true (g_action_get_enabled (action));
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "app-store-printer-in-use"));

  /* Stopped: the test runs (the action is off until it ends), on the line's printer: the settings' address is
   * empty, which alone would be refused. Nothing listens on port 9, so it fails, naming the printer it tried. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-stop", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (app), "printer-test", NULL);
  g_assert_false (g_action_get_enabled (action));
  WAIT_UNTIL (g_action_get_enabled (action));
  WAIT_UNTIL (overlay_shows_toast_with (overlay, "Printer test failed: ", "tcp 127.0.0.1:9"));
}

static void
on_activate (GtkApplication *app, gpointer user_data)
{
  ClWindow *window = find_window (app);
  AdwActionRow *profile_row, *store_row, *printer_row;
  const char *subtitle;
  ClSession *session;

  g_assert_nonnull (window);
  cl_test_wait_for_frame (GTK_WIDGET (window));

  /* the session comes with the store, opened on a worker */
  WAIT_UNTIL (cl_window_get_session (window) != NULL);
  session = cl_window_get_session (window);
  g_assert_nonnull (cl_session_get_store (session));
  g_assert_cmpstr (cl_store_get_path (cl_session_get_store (session)), ==, expect.expected_store);

  cl_window_set_view (window, "setup");
  store_row = ADW_ACTION_ROW (cl_test_find_row (GTK_WIDGET (window), "Record store"));
  g_assert_nonnull (store_row);
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (store_row)));
  subtitle = adw_action_row_get_subtitle (store_row);
  g_assert_true (g_str_has_prefix (subtitle, expect.expected_store));
  g_assert_nonnull (strstr (subtitle, expect.store_marker));

  profile_row = ADW_ACTION_ROW (cl_test_find_row (GTK_WIDGET (window), "Production profile"));
  g_assert_nonnull (profile_row);
  subtitle = adw_action_row_get_subtitle (profile_row);
  if (expect.expected_profile != NULL)
    {
      g_autofree char *prefix = g_strconcat (expect.expected_profile, "\n", NULL);

      g_assert_true (g_str_has_prefix (subtitle, prefix));
      g_assert_nonnull (strstr (subtitle, "Set by the command line"));
    }
  else
    g_assert_cmpstr (subtitle, ==, "/profiles/from-settings.profile");

  printer_row = ADW_ACTION_ROW (cl_test_find_row (GTK_WIDGET (window), "Card printer in use"));
  g_assert_nonnull (printer_row);
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (printer_row)) == (expect.expected_printer != NULL));
  if (expect.expected_printer != NULL)
    {
      subtitle = adw_action_row_get_subtitle (printer_row);
      g_assert_nonnull (strstr (subtitle, expect.expected_printer));
      g_assert_nonnull (strstr (subtitle, "Set by the command line"));
    }
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window),
                                   expect.expected_printer ? "app-store-setup-printer" : "app-store-setup"));

  if (expect.toast)
    {
      GtkWidget *overlay = cl_test_find_by_type (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY);
      const char *text = "The printer test needs the supervisor role";

      /* nobody signed in: the sign-in dialog is up, the toast still goes to the main window */
      g_assert_false (cl_session_get_signed_in (session));
      g_assert_nonnull (overlay);
      g_assert_false (cl_test_overlay_shows_toast (overlay, text));
      g_action_group_activate_action (G_ACTION_GROUP (app), "printer-test", NULL);
      g_assert_true (cl_test_overlay_shows_toast (overlay, text));
      cl_test_wait_for_frame (GTK_WIDGET (window));
      g_free (cl_test_save_screenshot (GTK_WIDGET (window), "app-store-toast"));
    }
  if (expect.line_printer_test)
    test_line_printer (app, window);

  g_application_quit (G_APPLICATION (app));
}

/* Runs the application in this (sub)process with argv and the settings' store-path and profile-path set. */
static void
run_app (const char *const *argv)
{
  g_autoptr (ClApplication) app = NULL;
  g_autoptr (GSettings) settings = g_settings_new ("org.cardline.Cardline");
  g_autofree char *settings_store = g_build_filename (work_dir, "from-settings.db", NULL);
  int status;

  g_unsetenv ("CARDLINE_STORE");
  /* production, where asked for, must not reach a token: this test is about what the window opens and says */
  g_unsetenv ("CARDLINE_P11_MODULE");
  g_settings_set_string (settings, "store-path", settings_store);
  g_settings_set_string (settings, "profile-path", "/profiles/from-settings.profile");
  g_settings_set_string (settings, "printer-address", "");

  app = cl_application_new (g_get_monotonic_time ());
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  status = g_application_run (G_APPLICATION (app), (int)g_strv_length ((char **)argv), (char **)argv);
  g_assert_cmpint (status, ==, 0);
}

static void
test_store_without_profile (void)
{
  g_autofree char *store = g_build_filename (work_dir, "cli", "station.db", NULL);

  if (g_test_subprocess ())
    {
      const char *argv[] = { "cardline", "--store", store, NULL };

      expect = (Expect){ .expected_store = store, .store_marker = "Set by the command line", .toast = TRUE };
      run_app (argv);
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_assert_true (g_file_test (store, G_FILE_TEST_IS_REGULAR));
}

static void
test_store_from_settings (void)
{
  g_autofree char *store = g_build_filename (work_dir, "from-settings.db", NULL);

  if (g_test_subprocess ())
    {
      const char *argv[] = { "cardline", NULL };

      expect = (Expect){ .expected_store = store, .store_marker = "station settings" };
      run_app (argv);
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_profile_from_command_line (void)
{
  g_autofree char *store = g_build_filename (work_dir, "production", "station.db", NULL);
  g_autofree char *dir = g_path_get_dirname (store);
  g_autofree char *profile
    = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "profiles", "smartcard-hsm.profile", NULL);

  if (g_test_subprocess ())
    {
      const char *argv[] = {
        "cardline",          "--profile",        profile,        "--batch", "app-store", "--quantity", "1", "--printer",
        "tcp://127.0.0.1:9", "--printer-reader", "Rig Reader 0", "--store", store,       NULL
      };

      expect = (Expect){ .expected_store = store,
                         .store_marker = "Set by the command line",
                         .expected_profile = profile,
                         .expected_printer = "tcp://127.0.0.1:9, contact station in reader Rig Reader 0",
                         .line_printer_test = TRUE };
      /* the store the app opens, with a supervisor in it */
      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      cl_test_add_user (store, SUPERVISOR, CL_ROLE_SUPERVISOR, PASSWORD);
      run_app (argv);
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  gboolean owner = FALSE;
  int status;

  g_test_init (&argc, &argv, NULL);
  cl_ui_init ();
  /* the subprocesses find the parent's folder through the environment */
  if (g_getenv ("CL_TEST_APP_STORE_DIR") == NULL)
    {
      work_dir = g_dir_make_tmp ("cl-app-store-XXXXXX", NULL);
      g_assert_nonnull (work_dir);
      owner = TRUE;
      g_setenv ("CL_TEST_APP_STORE_DIR", work_dir, TRUE);
    }
  else
    work_dir = g_strdup (g_getenv ("CL_TEST_APP_STORE_DIR"));

  g_test_add_func ("/app/store-without-profile", test_store_without_profile);
  g_test_add_func ("/app/store-from-settings", test_store_from_settings);
  g_test_add_func ("/app/profile-from-command-line", test_profile_from_command_line);

  status = g_test_run ();
  if (owner)
    cl_test_remove_tree (work_dir);
  g_free (work_dir);
  return status;
}
