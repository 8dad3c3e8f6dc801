/* The station window on the printer-fed line (run by test-line-printer.sh under rig-run and xvfb-run): the real
 * app wiring (ClApplication with --profile and --printer: the store and token opened on a worker, the printer
 * station, the PC/SC reader monitor) in this process, cardline-printer-sim feeding the rig's reader.
 *
 *   sign in as the operator; the hopper holds 2 cards (the second with a LOAD defect) of a batch of 4, so the
 *   feeder runs empty: the printer's station panel shows FAULT with the instruction; the operator loads a card
 *   and presses Resume: the fault clears and the card is produced; the feeder runs empty again, the operator
 *   pauses, loads the last card: the fault clears but nothing is fed until Resume; then the batch completes,
 *   the Line view's counters equal the store and the output/reject folders; Stop closes the batch.
 *   Screenshots in BUILD/tests/artifacts.
 *
 *   test-line-printer PROFILE STORE PRINTER-URI READER HOPPER DESK OUTPUT REJECT */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "cl-application.h"
#include "cl-reader-panel.h"
#include "cl-test-app.h"
#include "cl-test-widgets.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "station/cl-line-event.h"
#include "station/cl-reader.h"

#define PASSWORD    "correct horse battery"
#define BATCH       "ui-line-printer"
#define CARDS       4
#define INSTRUCTION "Load blank cards"

static const char *profile_path, *store_path, *printer_uri, *reader, *hopper, *desk, *output, *reject;
static int status = 1;

/* ---- the store, read off the main thread like the app does ---- */

typedef struct
{
  ClYieldSummary *summary;
  ClBatchState state;
} BatchView;

static void
read_batch_in (ClStore *store, gpointer data)
{
  BatchView *view = data;
  g_autoptr (GError) error = NULL;
  gint64 batch;

  view->summary = cl_test_batch_summary (store, BATCH, &batch);
  g_assert_true (cl_store_batch_get_state (store, batch, &view->state, &error));
}

static void
read_batch (BatchView *view)
{
  g_clear_pointer (&view->summary, cl_yield_summary_free);
  cl_test_read_store (store_path, read_batch_in, view);
}

/* Whether the batch exists yet, and who created it (the audit trail's actor of its "batch-create"). */
static char *
batch_creator (void)
{
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  char *actor = NULL;

  g_assert_cmpint (sqlite3_open_v2 (store_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_prepare_v2 (db, "SELECT actor FROM audit WHERE action = 'batch-create' AND subject = ?", -1, &stmt, NULL)
      == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, BATCH, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        actor = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  sqlite3_close (db);
  return actor;
}

static ClBatchState
batch_state (void)
{
  BatchView view = { 0 };

  read_batch (&view);
  g_clear_pointer (&view.summary, cl_yield_summary_free);
  return view.state;
}

/* ---- the window, as the operator reads it ---- */

static ClReaderPanel *
find_panel (GtkWidget *root)
{
  if (CL_IS_READER_PANEL (root))
    {
      ClReader *station = cl_reader_panel_get_reader (CL_READER_PANEL (root));

      return station != NULL && g_strcmp0 (cl_reader_get_name (station), reader) == 0 ? CL_READER_PANEL (root) : NULL;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      ClReaderPanel *found = find_panel (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static ClReaderState
station_state (ClWindow *window)
{
  ClReaderPanel *panel = find_panel (GTK_WIDGET (window));

  return panel != NULL ? cl_reader_get_state (cl_reader_panel_get_reader (panel)) : CL_READER_GONE;
}

/* A label the operator can see in the printer's panel holds text. */
static gboolean
shows (GtkWidget *root, const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_is_visible (root)
      && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (shows (child, text))
      return TRUE;
  return FALSE;
}

static gboolean
panel_shows (ClWindow *window, const char *text)
{
  ClReaderPanel *panel = find_panel (GTK_WIDGET (window));

  return panel != NULL && shows (GTK_WIDGET (panel), text);
}

static guint
logged (ClWindow *window, const char *text)
{
  GListModel *events = cl_line_view_get_events (cl_test_line_view (window));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr (ClLineEvent) event = g_list_model_get_item (events, i);
      const char *detail = cl_line_event_get_detail (event);

      if (detail != NULL && strstr (detail, text) != NULL)
        n++;
    }
  return n;
}

/* ---- the printer's folders ---- */

static guint
cards_in (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    if (g_str_has_suffix (name, ".vcard"))
      n++;
  return n;
}

static void
load_card (const char *name)
{
  g_autofree char *from = g_build_filename (desk, name, NULL);
  g_autofree char *to = g_build_filename (hopper, name, NULL);

  g_assert_cmpint (g_rename (from, to), ==, 0);
  g_print ("# operator loads %s\n", name);
}

static void
wait_fault (ClWindow *window)
{
  CL_TEST_WAIT_UNTIL_S (station_state (window) == CL_READER_FAULT, 120);
  CL_TEST_WAIT_UNTIL (panel_shows (window, INSTRUCTION));
  g_assert_true (panel_shows (window, cl_reader_panel_state_label (CL_READER_FAULT)));
}

static void
run_test (ClWindow *window)
{
  BatchView view = { 0 };

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  /* Nobody signed in: the batch on the command line waits; it is not even created, no card is fed. */
  CL_TEST_WAIT_UNTIL (logged (window, "waits for an operator or supervisor to sign in") == 1);
  g_assert_null (batch_creator ());
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (cl_line_view_get_counters_bar (cl_test_line_view (window)))));
  g_assert_cmpuint (cards_in (hopper), ==, 2);
  cl_test_sign_in (window, "olga", PASSWORD);
  cl_window_set_view (window, "line");
  CL_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (cl_line_view_get_counters_bar (cl_test_line_view (window)))));
  /* the batch is olga's: she signed in, it started for her */
  g_assert_cmpuint (logged (window, "signed in: olga starts batch"), ==, 1);
  {
    g_autofree char *creator = batch_creator ();

    g_assert_cmpstr (creator, ==, "olga");
  }
  CL_TEST_WAIT_UNTIL (find_panel (GTK_WIDGET (window)) != NULL);

  /* Two cards in the hopper for a batch of four: the feeder runs empty, the station says what to do. */
  wait_fault (window);
  CL_TEST_WAIT_UNTIL (cl_test_bar_equals (window, "fed", 2));
  g_assert_cmpuint (logged (window, "fault fault=feeder-empty"), ==, 1);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-printer-fault");

  /* The operator loads a card and presses Resume: the fault clears, the card is produced. */
  load_card ("card-0003.vcard");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "line-start"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-start", NULL);
  CL_TEST_WAIT_UNTIL (logged (window, "resumed fault=feeder-empty") == 1);
  CL_TEST_WAIT_UNTIL (!panel_shows (window, INSTRUCTION));
  CL_TEST_WAIT_UNTIL_S (cl_test_bar_equals (window, "fed", 3), 120);

  /* Empty again; paused, a card loaded clears the fault but is not fed until Resume. */
  wait_fault (window);
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-pause", NULL);
  CL_TEST_WAIT_UNTIL (g_strcmp0 (cl_test_bar_text (window, "state"), "Paused") == 0);
  load_card ("card-0004.vcard");
  CL_TEST_WAIT_UNTIL (logged (window, "resumed fault=feeder-empty") == 2);
  CL_TEST_WAIT_UNTIL (station_state (window) != CL_READER_FAULT && !panel_shows (window, INSTRUCTION));
  /* Nothing is fed: a check that something does not happen, so the feeder gets time to do it wrongly; nothing
   * below waits on this time. */
  cl_test_iterate_for (1500);
  g_assert_cmpuint (cards_in (hopper), ==, 1);
  g_assert_true (cl_test_bar_equals (window, "fed", 3));
  /* the store records the pause on a writer thread: on disk when it is, not a fixed time after the press */
  CL_TEST_WAIT_UNTIL (batch_state () == CL_BATCH_PAUSED);
  g_assert_cmpint (batch_state (), ==, CL_BATCH_PAUSED);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-printer-paused");

  g_action_group_activate_action (G_ACTION_GROUP (window), "line-start", NULL);
  CL_TEST_WAIT_UNTIL (g_strcmp0 (cl_test_bar_text (window, "state"), "Running") == 0);
  CL_TEST_WAIT_UNTIL_S (cl_test_bar_equals (window, "fed", CARDS), 120);
  CL_TEST_WAIT_UNTIL (cards_in (output) + cards_in (reject) == CARDS);

  /* What the operator reads equals the store and the printer's bins. */
  read_batch (&view);
  g_print ("# store: fed %" G_GUINT64_FORMAT " good %" G_GUINT64_FORMAT " rejected %" G_GUINT64_FORMAT "\n",
           view.summary->fed, view.summary->good, (guint64)view.summary->rejected);
  g_assert_cmpuint (view.summary->fed, ==, CARDS);
  g_assert_cmpuint (view.summary->good, ==, CARDS - 1);
  g_assert_true (cl_test_bar_equals (window, "fed", view.summary->fed));
  g_assert_true (cl_test_bar_equals (window, "good", view.summary->good));
  g_assert_true (cl_test_bar_equals (window, "rejected", (guint64)view.summary->rejected));
  g_assert_cmpuint (cards_in (output), ==, view.summary->good);
  g_assert_cmpuint (cards_in (reject), ==, (guint)view.summary->rejected);
  g_assert_cmpuint (cards_in (hopper), ==, 0);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-printer-production");

  /* Stop ends the batch: closed in the store, since every card is disposed. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-stop", NULL);
  /* every card of the batch is disposed: the bar says so, as the store does (CLOSED) */
  CL_TEST_WAIT_UNTIL (g_strcmp0 (cl_test_bar_text (window, "state"), "Complete") == 0);
  CL_TEST_WAIT_UNTIL (batch_state () == CL_BATCH_CLOSED);
  g_clear_pointer (&view.summary, cl_yield_summary_free);
  status = 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (ClApplication) app = NULL;
  g_autofree char *quantity = g_strdup_printf ("%d", CARDS);
  const char *app_argv[]
    = { "cardline", "--profile", NULL, "--batch",          BATCH, "--quantity", quantity, "--store",
        NULL,       "--printer", NULL, "--printer-reader", NULL,  NULL };

  if (argc != 9)
    {
      g_printerr ("usage: %s PROFILE STORE PRINTER-URI READER HOPPER DESK OUTPUT REJECT\n", argv[0]);
      return 2;
    }
  profile_path = argv[1];
  store_path = argv[2];
  printer_uri = argv[3];
  reader = argv[4];
  hopper = argv[5];
  desk = argv[6];
  output = argv[7];
  reject = argv[8];
  app_argv[2] = profile_path;
  app_argv[8] = store_path;
  app_argv[10] = printer_uri;
  app_argv[12] = reader;

  cl_ui_init ();
  cl_test_add_user (store_path, "olga", CL_ROLE_OPERATOR, PASSWORD);
  app = cl_application_new (g_get_monotonic_time ());
  cl_test_run_window (G_APPLICATION (app), G_N_ELEMENTS (app_argv) - 1, (char **)app_argv, run_test);
  return status;
}
