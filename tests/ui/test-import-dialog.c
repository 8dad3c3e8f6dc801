/* The window's data file import (ui/cl-import-dialog) under Xvfb, over a real SQLite store: the check runs on a
 * worker and shows the summary, the problems and the first rows; Import is offered only for a file without problems,
 * Import good rows only only to a supervisor and only for a file with some; importing writes the batch's rows; the
 * same file again changes nothing. Data: tests/data/import/. */
#include <adwaita.h>
#include <glib/gstdio.h>

#include "cl-import-dialog.h"
#include "cl-test-widgets.h"
#include "cl-ui.h"
#include "store/cl-store-rows.h"
#include "store/cl-store-users.h"

#define PROFILE_HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define WAIT_SECONDS 60

static char *
import_path (const char *name)
{
  return g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "tests", "data", "import", name, NULL);
}

static gboolean
on_timeout (gpointer data)
{
  g_error ("no “%s” from the import dialog within %d s", (const char *)data, WAIT_SECONDS);
  return G_SOURCE_REMOVE;
}

static void
on_signal (gpointer dialog, gboolean *seen)
{
  *seen = TRUE;
}

/* Runs what trigger starts and waits, bounded, for the dialog's signal. */
static void
wait_for (ClImportDialog *dialog, const char *signal, void (*trigger) (ClImportDialog *, gconstpointer),
          gconstpointer data)
{
  gboolean seen = FALSE;
  gulong handler = g_signal_connect (dialog, signal, G_CALLBACK (on_signal), &seen);
  guint timeout = g_timeout_add_seconds (WAIT_SECONDS, on_timeout, (gpointer)signal);

  trigger (dialog, data);
  while (!seen)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  g_signal_handler_disconnect (dialog, handler);
}

typedef struct
{
  const char *data;
  const char *photos;
  const char *mapping;
} Check;

static void
do_check (ClImportDialog *dialog, gconstpointer data)
{
  const Check *c = data;

  cl_import_dialog_check (dialog, c->data, c->photos, c->mapping);
}

static void
do_action (ClImportDialog *dialog, gconstpointer data)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), data, NULL));
}

static gboolean
has_action (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_ACTIONABLE (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

static gboolean
offered (ClImportDialog *dialog, const char *action)
{
  GtkWidget *button = cl_test_find (GTK_WIDGET (dialog), has_action, action);

  g_assert_nonnull (button);
  return gtk_widget_get_sensitive (button);
}

static gint64
pending (ClStore *store, gint64 batch)
{
  ClRowCounts counts = { 0 };

  g_assert_true (cl_store_rows_count (store, batch, &counts, NULL));
  return counts.pending;
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_dir_make_tmp ("cl-ui-import-XXXXXX", NULL);
  g_autofree char *store_path = g_build_filename (dir, "station.db", NULL);
  g_autofree char *good = import_path ("people.csv");
  g_autofree char *bad = import_path ("people-bad.csv");
  g_autofree char *map = import_path ("people.map");
  g_autofree char *photos = import_path ("photos");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClStore) window_store = NULL;
  g_autoptr (ClSession) session = NULL;
  ClImportDialog *dialog;
  gint64 batch;

  gtk_init ();
  adw_init ();
  cl_ui_init ();
  store = cl_store_open (store_path, &error);
  g_assert_no_error (error);
  g_assert_true (cl_store_user_add_first_admin (store, "ada", "import test password", &error));
  batch = cl_store_batch_create (store, "B1", "smartcard-hsm", PROFILE_HASH, 20, "ada", &error);
  g_assert_no_error (error);
  /* the window's own connection, which must never be used on the UI thread (a critical, fatal here); the test reads
   * through the other */
  window_store = cl_store_open (store_path, &error);
  g_assert_no_error (error);
  cl_store_set_ui_thread (window_store, g_thread_self ());
  session = cl_session_new (window_store);
  cl_session_sign_in (session, "sam", CL_ROLE_SUPERVISOR);
  dialog = cl_import_dialog_new (NULL, session, batch, "B1");
  gtk_window_present (GTK_WINDOW (dialog));
  cl_test_wait_for_frame (GTK_WIDGET (dialog));
  g_assert_false (offered (dialog, "import.import"));
  g_assert_false (offered (dialog, "import.import-good-rows"));

  /* the batch's profile has no mapping: said so, nothing offered */
  wait_for (dialog, "checked", do_check, &(Check){ good, photos, NULL });
  g_assert_cmpstr (cl_import_dialog_get_summary (dialog), ==,
                   "profile smartcard-hsm has no [data] mapping for a data file: give a mapping file");
  g_assert_false (offered (dialog, "import.import"));

  /* a file with problems: listed, first rows shown, only the good rows may go in */
  wait_for (dialog, "checked", do_check, &(Check){ bad, photos, map });
  g_assert_true (g_str_has_prefix (cl_import_dialog_get_summary (dialog),
                                   "people-bad.csv: 5 rows, 1 good, 4 with problems (12 problems). SHA-256 "));
  g_assert_true (
    g_str_has_prefix (cl_import_dialog_get_problems (dialog), "people-bad.csv:3: employee_id: duplicate of line 2\n"));
  g_assert_true (g_str_has_suffix (cl_import_dialog_get_problems (dialog),
                                   "people-bad.csv:6: 3 field(s), the header has 5 column(s)\n"));
  g_assert_nonnull (cl_test_find_label (GTK_WIDGET (dialog), "employee_id"));
  g_assert_nonnull (cl_test_find_label (GTK_WIDGET (dialog), "=SUM(A1:A9)"));
  g_assert_false (offered (dialog, "import.import"));
  g_assert_true (offered (dialog, "import.import-good-rows"));
  g_free (cl_test_save_screenshot (GTK_WIDGET (dialog), "import-dialog-problems"));
  wait_for (dialog, "imported", do_action, "import.import-good-rows");
  g_assert_cmpstr (cl_import_dialog_get_summary (dialog), ==, "1 rows of people-bad.csv imported into batch B1");
  g_assert_cmpint (pending (store, batch), ==, 1);

  /* a good file replaces it; the same file again changes nothing */
  wait_for (dialog, "checked", do_check, &(Check){ good, photos, map });
  g_assert_cmpstr (cl_import_dialog_get_problems (dialog), ==, "");
  g_assert_true (offered (dialog, "import.import"));
  g_assert_false (offered (dialog, "import.import-good-rows"));
  wait_for (dialog, "imported", do_action, "import.import");
  g_assert_cmpstr (cl_import_dialog_get_summary (dialog), ==, "3 rows of people.csv imported into batch B1");
  g_assert_cmpint (pending (store, batch), ==, 3);
  wait_for (dialog, "imported", do_action, "import.import");
  g_assert_cmpstr (cl_import_dialog_get_summary (dialog), ==,
                   "people.csv is already the data file of batch B1: nothing changed");
  g_assert_cmpint (pending (store, batch), ==, 3);

  /* an administrator may import a clean file, but good rows only is the supervisor's call */
  cl_session_sign_in (session, "ada", CL_ROLE_ADMIN);
  wait_for (dialog, "checked", do_check, &(Check){ bad, photos, map });
  g_assert_false (offered (dialog, "import.import-good-rows"));
  /* an operator may not import at all */
  cl_session_sign_in (session, "olga", CL_ROLE_OPERATOR);
  wait_for (dialog, "checked", do_check, &(Check){ good, photos, map });
  g_assert_false (offered (dialog, "import.import"));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_clear_object (&session);
  g_clear_object (&window_store);
  g_clear_object (&store);
  {
    const char *rm[] = { "rm", "-rf", dir, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **)rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL));
  }
  return 0;
}
