/* The station window producing remotely (DESIGN §8), run by test-line-remote.sh under rig-run and xvfb-run: the real
 * app wiring (ClApplication with --remote, no profile, no token) in this process, a printer-fed station relaying each
 * card to cardline-server through a loopback proxy.
 *
 *   the proxy drops every connection: the service is unreachable, the station panel shows the fault's instruction
 *   (the card waits, it is never rejected); the proxy passes again: the line resumes by itself;
 *   Pause while the first card is in its session: that card finishes GOOD, the next is not fed until Start;
 *   while the service produces a card, its notifies are the live status of the panel's SERVICE step ("ROTATE_KEYS
 *   …" as the step row shows it); then the station's own check (VERIFY: chain to its SRCA) and GOOD with the
 *   serial; the panel's counts; the run's summary in the event log; a screenshot in BUILD/tests/artifacts.
 *
 *   test-line-remote STATION-STORE URL CA-PEM SRCA PRINTER READER PROXY-CONTROL */
#include <adwaita.h>
#include <string.h>

#include "cl-test-app.h"
#include "cl-test-widgets.h"

#include "cl-application.h"
#include "cl-reader-panel.h"
#include "cl-step-row.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "station/cl-line-event.h"
#include "station/cl-line-fault.h"
#include "station/cl-reader.h"

#define PASSWORD "correct horse battery"
#define CARDS    2

static const char *store_path, *url, *ca_path, *srca_path, *printer, *reader, *control_path;
static int status = 1;

static GtkWidget *
steps_list (ClReaderPanel *panel)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (panel), CL_TYPE_READER_PANEL, "steps_list"));
}

typedef struct
{
  ClReaderPanel *panel;
  GHashTable *progress; /* texts the SERVICE step's row showed while it ran */
  GPtrArray *results;   /* "RESULT | detail | steps" as shown when each card ended */
} PanelWatch;

/* What the step rows show, read off the widgets once the bindings have caught up. */
static gboolean
snapshot_progress (gpointer user_data)
{
  PanelWatch *watch = user_data;

  for (GtkWidget *row = gtk_widget_get_first_child (steps_list (watch->panel)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *label;

      if (!CL_IS_STEP_ROW (row))
        continue;
      label = GTK_WIDGET (gtk_widget_get_template_child (row, CL_TYPE_STEP_ROW, "progress_label"));
      if (gtk_widget_get_visible (label)
          && g_strcmp0 (cl_reader_step_get_name (cl_step_row_get_step (CL_STEP_ROW (row))), "SERVICE") == 0)
        g_hash_table_add (watch->progress, g_strdup (gtk_label_get_text (GTK_LABEL (label))));
    }
  return G_SOURCE_REMOVE;
}

static void
on_step_changed (ClReaderStep *step, GParamSpec *pspec, PanelWatch *watch)
{
  g_idle_add_full (G_PRIORITY_HIGH_IDLE, snapshot_progress, watch, NULL);
}

static void
on_steps_changed (GListModel *steps, guint position, guint removed, guint added, PanelWatch *watch)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (ClReaderStep) step = g_list_model_get_item (steps, i);

      g_signal_connect (step, "notify::detail", G_CALLBACK (on_step_changed), watch);
      g_signal_connect (step, "notify::state", G_CALLBACK (on_step_changed), watch);
    }
}

static gboolean
snapshot_result (gpointer user_data)
{
  PanelWatch *watch = user_data;

  g_ptr_array_add (watch->results, cl_test_panel_result (watch->panel));
  return G_SOURCE_REMOVE;
}

static void
on_result (ClReader *station, GParamSpec *pspec, PanelWatch *watch)
{
  if (cl_reader_get_result (station) != CL_READER_RESULT_NONE)
    g_idle_add_full (G_PRIORITY_HIGH_IDLE, snapshot_result, watch, NULL);
}

/* The fault banner is on show and says text. */
static gboolean
fault_shown (ClReaderPanel *panel, const char *text)
{
  GtkWidget *banner
    = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (panel), CL_TYPE_READER_PANEL, "fault_banner"));

  return gtk_widget_get_visible (banner) && cl_test_find_label (banner, text) != NULL;
}

/* An event of the Line view's log whose detail starts with prefix. */
static gboolean
logged (ClWindow *window, const char *prefix)
{
  GListModel *events = cl_line_view_get_events (cl_test_line_view (window));

  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr (ClLineEvent) event = g_list_model_get_item (events, i);

      if (cl_line_event_get_detail (event) != NULL && g_str_has_prefix (cl_line_event_get_detail (event), prefix))
        return TRUE;
    }
  return FALSE;
}

static void
set_proxy (const char *mode)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (control_path, mode, -1, &error));
  g_assert_no_error (error);
}

static void
run_test (ClWindow *window)
{
  PanelWatch watch = { 0 };
  ClReader *station;
  const char *instruction = cl_line_fault_instruction (CL_LINE_FAULT_PRODUCTION_SERVICE);
  g_autofree char *summary = g_strdup_printf ("remote batch complete cards=%d good=%d rejected=0", CARDS, CARDS);
  g_autofree char *count = g_strdup_printf ("%d", CARDS);

  cl_test_sign_in (window, "olga", PASSWORD);
  CL_TEST_WAIT_UNTIL ((station = cl_test_find_station (window, reader)) != NULL);
  watch.panel = cl_test_find_panel (GTK_WIDGET (window), station);
  g_assert_nonnull (watch.panel);
  watch.progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  watch.results = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (cl_reader_get_steps (station), "items-changed", G_CALLBACK (on_steps_changed), &watch);
  g_signal_connect (station, "notify::result", G_CALLBACK (on_result), &watch);

  /* the service unreachable: the line holds with the instruction on the panel, the card waits */
  CL_TEST_WAIT_UNTIL_S (fault_shown (watch.panel, instruction), 120);
  g_assert_cmpint (cl_reader_get_state (station), ==, CL_READER_FAULT);
  g_assert_cmpuint (watch.results->len, ==, 0);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-remote-fault");
  set_proxy ("pass");

  /* Pause while the first card is in its session: it finishes (GOOD), and no card is fed until Start */
  CL_TEST_WAIT_UNTIL_S (g_hash_table_contains (watch.progress, "Identifying the card …"), 120);
  g_assert_cmpuint (watch.results->len, ==, 0);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "line-pause"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-pause", NULL);
  CL_TEST_WAIT_UNTIL (g_strcmp0 (cl_test_bar_text (window, "state"), "Paused") == 0);
  CL_TEST_WAIT_UNTIL (logged (window, "line paused: the card in production finishes"));
  CL_TEST_WAIT_UNTIL_S (watch.results->len == 1, 120);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (watch.results, 0), "GOOD | Serial "));
  CL_TEST_WAIT_UNTIL (cl_reader_get_state (station) == CL_READER_EMPTY);
  /* Nothing is fed: a check that something does not happen, so the feeder gets time to do it wrongly; nothing
   * below waits on this time. */
  cl_test_iterate_for (1500);
  g_assert_cmpuint (watch.results->len, ==, 1);
  g_assert_cmpint (cl_reader_get_state (station), ==, CL_READER_EMPTY);
  g_assert_true (cl_test_bar_equals (window, "good", 1));
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-remote-paused");
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-start", NULL);
  CL_TEST_WAIT_UNTIL (logged (window, "line resumed: feeding cards again"));
  CL_TEST_WAIT_UNTIL (g_strcmp0 (cl_test_bar_text (window, "state"), "Running") == 0);

  CL_TEST_WAIT_UNTIL_S (watch.results->len == CARDS, 240);
  for (guint i = 0; i < watch.results->len; i++)
    {
      const char *result = g_ptr_array_index (watch.results, i);

      g_print ("# panel result %u: %s\n", i + 1, result);
      g_assert_true (g_str_has_prefix (result, "GOOD | Serial "));
      /* the service's step, then the station's own check, then the card leaves */
      g_assert_nonnull (strstr (result, "SERVICE=ok["));
      g_assert_nonnull (strstr (result, "VERIFY=ok["));
    }
  /* then the card leaves the station */
  {
    g_autofree char *steps = NULL;

    CL_TEST_WAIT_UNTIL (strstr ((g_free (steps), steps = cl_test_panel_steps (watch.panel)), "DISPOSE=ok[") != NULL);
  }
  {
    g_autoptr (GList) texts = g_hash_table_get_keys (watch.progress);

    for (GList *l = texts; l != NULL; l = l->next)
      g_print ("# SERVICE step showed: %s\n", (const char *)l->data);
  }
  /* the service's notifies, live on the SERVICE step's row while it ran */
  g_assert_true (g_hash_table_contains (watch.progress, "Identifying the card …"));
  g_assert_true (g_hash_table_contains (watch.progress, "ROTATE_KEYS …"));
  g_assert_true (g_hash_table_contains (watch.progress, "CERTIFY …"));
  g_assert_false (fault_shown (watch.panel, instruction));
  g_assert_cmpstr (cl_test_panel_label (watch.panel, "good_label"), ==, count);
  g_assert_cmpstr (cl_test_panel_label (watch.panel, "rejected_label"), ==, "0");
  /* the Line view's counters are the remote run's */
  CL_TEST_WAIT_UNTIL (cl_test_bar_equals (window, "good", CARDS));
  g_assert_true (cl_test_bar_equals (window, "rejected", 0));
  CL_TEST_WAIT_UNTIL (logged (window, summary));
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-remote");

  g_signal_handlers_disconnect_by_data (station, &watch);
  g_signal_handlers_disconnect_by_data (cl_reader_get_steps (station), &watch);
  for (guint i = 0; i < g_list_model_get_n_items (cl_reader_get_steps (station)); i++)
    {
      g_autoptr (ClReaderStep) step = g_list_model_get_item (cl_reader_get_steps (station), i);

      g_signal_handlers_disconnect_by_data (step, &watch);
    }
  g_hash_table_unref (watch.progress);
  g_ptr_array_unref (watch.results);
  status = 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (ClApplication) app = NULL;
  g_autofree char *quantity = g_strdup_printf ("%d", CARDS);
  const char *app_argv[]
    = { "cardline", "--remote",         NULL, "--remote-ca", NULL,     "--srca",  NULL, "--printer",
        NULL,       "--printer-reader", NULL, "--quantity",  quantity, "--store", NULL, NULL };

  if (argc != 8)
    {
      g_printerr ("usage: %s STATION-STORE URL CA-PEM SRCA PRINTER READER PROXY-CONTROL\n", argv[0]);
      return 2;
    }
  store_path = argv[1];
  url = argv[2];
  ca_path = argv[3];
  srca_path = argv[4];
  printer = argv[5];
  reader = argv[6];
  control_path = argv[7];
  app_argv[2] = url;
  app_argv[4] = ca_path;
  app_argv[6] = srca_path;
  app_argv[8] = printer;
  app_argv[10] = reader;
  app_argv[14] = store_path;

  cl_ui_init ();
  cl_test_add_user (store_path, "olga", CL_ROLE_OPERATOR, PASSWORD);
  app = cl_application_new (g_get_monotonic_time ());
  cl_test_run_window (G_APPLICATION (app), G_N_ELEMENTS (app_argv) - 1, (char **)app_argv, run_test);
  return status;
}
