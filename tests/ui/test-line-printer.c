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
#include <string.h>

#include "cl-application.h"
#include "cl-batch-counters-bar.h"
#include "cl-line-view.h"
#include "cl-login-dialog.h"
#include "cl-session.h"
#include "cl-station-panel.h"
#include "cl-test-widgets.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "station/cl-line-event.h"
#include "station/cl-station.h"
#include "store/cl-store-users.h"

#define PASSWORD    "correct horse battery"
#define BATCH       "ui-line-printer"
#define CARDS       4
#define INSTRUCTION "Load blank cards"

static const char *profile_path, *store_path, *printer_uri, *reader, *hopper, *desk, *output, *reject;
static int status = 1;

#define WAIT_UNTIL_S(cond, seconds)                                                                                    \
  G_STMT_START                                                                                                         \
  {                                                                                                                    \
    gint64 deadline = g_get_monotonic_time () + (seconds)*G_USEC_PER_SEC;                                              \
    while (!(cond))                                                                                                    \
      {                                                                                                                \
        if (g_get_monotonic_time () > deadline)                                                                        \
          g_error ("timed out after %d s waiting for %s", (int)(seconds), #cond);                                      \
        g_main_context_iteration (NULL, FALSE);                                                                        \
        g_usleep (2000);                                                                                               \
      }                                                                                                                \
  }                                                                                                                    \
  G_STMT_END
#define WAIT_UNTIL(cond) WAIT_UNTIL_S (cond, 60)

static void
iterate_for (gint64 ms)
{
  gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static void
save_screenshot (GtkWidget *window, const char *name)
{
  /* let the view switcher's transition settle, so the header shows the view that is shown */
  iterate_for (500);
  g_free (cl_test_save_screenshot (window, name));
}

static ClLoginDialog *
find_login_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (CL_IS_LOGIN_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return CL_LOGIN_DIALOG (window);
    }
  return NULL;
}

static void
sign_in (ClWindow *window, const char *user)
{
  ClLoginDialog *dialog;
  ClSession *session;

  /* the session comes with the store, which the app opens on a worker */
  WAIT_UNTIL ((dialog = find_login_dialog ()) != NULL);
  session = cl_window_get_session (window);
  cl_login_dialog_submit (dialog, user, PASSWORD);
  WAIT_UNTIL (cl_session_get_signed_in (session));
  g_print ("# signed in as %s\n", user);
}

/* ---- the store, read off the main thread like the app does ---- */

typedef struct
{
  ClYieldSummary *summary;
  ClBatchState state;
  gboolean done;
} BatchView;

static gpointer
read_batch_thread (gpointer data)
{
  BatchView *view = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = cl_store_open (store_path, &error);
  gint64 batch;

  g_assert_no_error (error);
  batch = cl_store_batch_lookup (store, BATCH, &error);
  g_assert_no_error (error);
  view->summary = cl_store_yield_summary (store, batch, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_true (cl_store_batch_get_state (store, batch, &view->state, &error));
  view->done = TRUE;
  return NULL;
}

static void
read_batch (BatchView *view)
{
  GThread *thread;

  g_clear_pointer (&view->summary, cl_yield_summary_free);
  view->done = FALSE;
  thread = g_thread_new ("test-store", read_batch_thread, view);
  WAIT_UNTIL (view->done);
  g_thread_join (thread);
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

static ClLineView *
line_view (ClWindow *window)
{
  return CL_LINE_VIEW (cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_LINE_VIEW));
}

static const char *
bar_text (ClWindow *window, const char *which)
{
  return cl_batch_counters_bar_get_text (cl_line_view_get_counters_bar (line_view (window)), which);
}

static gboolean
bar_equals (ClWindow *window, const char *which, guint64 value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, value);

  return g_strcmp0 (bar_text (window, which), text) == 0;
}

static ClStationPanel *
find_panel (GtkWidget *root)
{
  if (CL_IS_STATION_PANEL (root))
    {
      ClStation *station = cl_station_panel_get_station (CL_STATION_PANEL (root));

      return station != NULL && g_strcmp0 (cl_station_get_name (station), reader) == 0 ? CL_STATION_PANEL (root) : NULL;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      ClStationPanel *found = find_panel (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static ClStationState
station_state (ClWindow *window)
{
  ClStationPanel *panel = find_panel (GTK_WIDGET (window));

  return panel != NULL ? cl_station_get_state (cl_station_panel_get_station (panel)) : CL_STATION_GONE;
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
  ClStationPanel *panel = find_panel (GTK_WIDGET (window));

  return panel != NULL && shows (GTK_WIDGET (panel), text);
}

static guint
logged (ClWindow *window, const char *text)
{
  GListModel *events = cl_line_view_get_events (line_view (window));
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
  WAIT_UNTIL_S (station_state (window) == CL_STATION_FAULT, 120);
  WAIT_UNTIL (panel_shows (window, INSTRUCTION));
  g_assert_true (panel_shows (window, cl_station_panel_state_label (CL_STATION_FAULT)));
}

static void
run_test (ClWindow *window)
{
  BatchView view = { 0 };

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  sign_in (window, "olga");
  cl_window_set_view (window, "line");
  WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (cl_line_view_get_counters_bar (line_view (window)))));
  WAIT_UNTIL (find_panel (GTK_WIDGET (window)) != NULL);

  /* Two cards in the hopper for a batch of four: the feeder runs empty, the station says what to do. */
  wait_fault (window);
  WAIT_UNTIL (bar_equals (window, "fed", 2));
  g_assert_cmpuint (logged (window, "fault fault=feeder-empty"), ==, 1);
  save_screenshot (GTK_WIDGET (window), "ui-printer-fault");

  /* The operator loads a card and presses Resume: the fault clears, the card is produced. */
  load_card ("card-0003.vcard");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "line-start"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-start", NULL);
  WAIT_UNTIL (logged (window, "resumed fault=feeder-empty") == 1);
  WAIT_UNTIL (!panel_shows (window, INSTRUCTION));
  WAIT_UNTIL_S (bar_equals (window, "fed", 3), 120);

  /* Empty again; paused, a card loaded clears the fault but is not fed until Resume. */
  wait_fault (window);
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-pause", NULL);
  WAIT_UNTIL (g_strcmp0 (bar_text (window, "state"), "Paused") == 0);
  load_card ("card-0004.vcard");
  WAIT_UNTIL (logged (window, "resumed fault=feeder-empty") == 2);
  WAIT_UNTIL (station_state (window) != CL_STATION_FAULT && !panel_shows (window, INSTRUCTION));
  iterate_for (1500);
  g_assert_cmpuint (cards_in (hopper), ==, 1);
  g_assert_true (bar_equals (window, "fed", 3));
  g_assert_cmpint (batch_state (), ==, CL_BATCH_PAUSED);
  save_screenshot (GTK_WIDGET (window), "ui-printer-paused");

  g_action_group_activate_action (G_ACTION_GROUP (window), "line-start", NULL);
  WAIT_UNTIL (g_strcmp0 (bar_text (window, "state"), "Running") == 0);
  WAIT_UNTIL_S (bar_equals (window, "fed", CARDS), 120);
  WAIT_UNTIL (cards_in (output) + cards_in (reject) == CARDS);

  /* What the operator reads equals the store and the printer's bins. */
  read_batch (&view);
  g_print ("# store: fed %" G_GUINT64_FORMAT " good %" G_GUINT64_FORMAT " rejected %" G_GUINT64_FORMAT "\n",
           view.summary->fed, view.summary->good, (guint64)view.summary->rejected);
  g_assert_cmpuint (view.summary->fed, ==, CARDS);
  g_assert_cmpuint (view.summary->good, ==, CARDS - 1);
  g_assert_true (bar_equals (window, "fed", view.summary->fed));
  g_assert_true (bar_equals (window, "good", view.summary->good));
  g_assert_true (bar_equals (window, "rejected", (guint64)view.summary->rejected));
  g_assert_cmpuint (cards_in (output), ==, view.summary->good);
  g_assert_cmpuint (cards_in (reject), ==, (guint)view.summary->rejected);
  g_assert_cmpuint (cards_in (hopper), ==, 0);
  save_screenshot (GTK_WIDGET (window), "ui-printer-production");

  /* Stop ends the batch: closed in the store, since every card is disposed. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-stop", NULL);
  WAIT_UNTIL (g_strcmp0 (bar_text (window, "state"), "Stopped") == 0);
  WAIT_UNTIL (batch_state () == CL_BATCH_CLOSED);
  g_clear_pointer (&view.summary, cl_yield_summary_free);
  status = 0;
}

static void
on_activate (GApplication *app, gpointer user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (CL_IS_WINDOW (window));
  run_test (CL_WINDOW (window));
  g_application_quit (app);
}

static void
add_operator (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = cl_store_open (store_path, &error);

  g_assert_no_error (error);
  g_assert_true (cl_store_user_add_with_password (store, "olga", CL_ROLE_OPERATOR, PASSWORD, "test", &error));
  g_assert_no_error (error);
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
  add_operator ();
  app = cl_application_new (g_get_monotonic_time ());
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), NULL);
  g_application_run (G_APPLICATION (app), G_N_ELEMENTS (app_argv) - 1, (char **)app_argv);
  return status;
}
