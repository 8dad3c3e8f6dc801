/* UI smoke test: the window comes up under a real (X virtual framebuffer) display, its four views exist,
 * the Line view follows the station model, toasts reach the window's overlay, Setup shows what the run uses
 * rather than its settings where the command line said so, and a screenshot of each colour scheme is saved for
 * review. */
#include <adwaita.h>
#include <string.h>

#include "cl-test-widgets.h"

#include "cl-dashboard-view.h"
#include "cl-line-view.h"
#include "cl-reader-panel.h"
#include "cl-step-row.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "station/cl-event-log.h"
#include "station/cl-reader-list.h"

static const char *const views[] = { "line", "dashboard", "rejects", "setup" };

static void
check_toast (ClWindow *window)
{
  GtkWidget *overlay = cl_test_find_by_type (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY);

  g_assert_nonnull (overlay);
  g_assert_false (cl_test_overlay_shows_toast (overlay, "Smoke toast"));
  cl_window_add_toast (window, "Smoke toast");
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (cl_test_overlay_shows_toast (overlay, "Smoke toast"));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-smoke-toast"));
}

/* Setup shows Setup's choices, until the command line chose for this run: then what the line runs, marked so. */
static void
check_setup_in_use (ClWindow *window)
{
  GSettings *settings = cl_window_get_settings (window);
  AdwActionRow *profile_row = ADW_ACTION_ROW (cl_test_find_row (GTK_WIDGET (window), "Production profile"));
  AdwActionRow *store_row = ADW_ACTION_ROW (cl_test_find_row (GTK_WIDGET (window), "Record store"));
  AdwActionRow *printer_row = ADW_ACTION_ROW (cl_test_find_row (GTK_WIDGET (window), "Card printer in use"));
  ClSetupInUse in_use = { .profile = "/profiles/in-use.profile",
                          .store = "/stores/in-use.db",
                          .store_source = CL_STORE_FROM_COMMAND_LINE,
                          .printer = "tcp://127.0.0.1:9100",
                          .printer_reader = "Cardline Rig 0 00 00" };
  const char *subtitle;

  g_assert_nonnull (settings);
  g_assert_nonnull (profile_row);
  g_assert_nonnull (store_row);
  g_assert_nonnull (printer_row);
  cl_window_set_view (window, "setup");
  g_settings_set_string (settings, "profile-path", "/profiles/from-settings.profile");
  g_assert_cmpstr (adw_action_row_get_subtitle (profile_row), ==, "/profiles/from-settings.profile");
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (store_row)));
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (printer_row)));

  cl_window_set_in_use (window, &in_use);
  cl_test_wait_for_frame (GTK_WIDGET (window));
  subtitle = adw_action_row_get_subtitle (profile_row);
  g_assert_true (g_str_has_prefix (subtitle, "/profiles/in-use.profile\n"));
  g_assert_nonnull (strstr (subtitle, "command line"));
  /* Setup's choice changes the next run's, not this one's. */
  g_settings_set_string (settings, "profile-path", "/profiles/other.profile");
  g_assert_cmpstr (adw_action_row_get_subtitle (profile_row), ==, subtitle);
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (store_row)));
  subtitle = adw_action_row_get_subtitle (store_row);
  g_assert_true (g_str_has_prefix (subtitle, "/stores/in-use.db\n"));
  g_assert_nonnull (strstr (subtitle, "command line"));
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (printer_row)));
  subtitle = adw_action_row_get_subtitle (printer_row);
  g_assert_nonnull (strstr (subtitle, "tcp://127.0.0.1:9100"));
  g_assert_nonnull (strstr (subtitle, "Cardline Rig 0 00 00"));
  g_assert_nonnull (strstr (subtitle, "command line"));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-smoke-setup-in-use"));

  /* A store from the settings says so, and a run without --profile shows Setup's choice again. */
  in_use = (ClSetupInUse){ .store = "/stores/from-settings.db", .store_source = CL_STORE_FROM_SETTINGS };
  cl_window_set_in_use (window, &in_use);
  g_assert_cmpstr (adw_action_row_get_subtitle (profile_row), ==, "/profiles/other.profile");
  g_assert_null (strstr (adw_action_row_get_subtitle (store_row), "command line"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (store_row), "settings"));
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (printer_row)));
  cl_window_set_view (window, "line");
}

static void
collect_panels (GtkWidget *root, GPtrArray *panels)
{
  if (CL_IS_READER_PANEL (root))
    g_ptr_array_add (panels, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_panels (child, panels);
}

static void
on_activate (GtkApplication *app, gpointer user_data)
{
  g_autoptr (ClReaderList) stations = cl_reader_list_new ();
  g_autoptr (ClEventLog) events = cl_event_log_new (100);
  g_autoptr (ClReader) station = cl_reader_new ("Cardline Rig 0 00 00");
  g_autoptr (ClReader) second = cl_reader_new ("Cardline Rig 0 00 01");
  g_autoptr (GPtrArray) panels = g_ptr_array_new ();
  g_autofree char *light = NULL;
  g_autofree char *dark = NULL;
  g_auto (GStrv) accels = NULL;
  ClWindow *window;
  GtkWidget *stack, *line_view, *inner_stack, *list_view;
  GtkSelectionModel *shown_events;

  window = cl_window_new (app, G_LIST_MODEL (stations), G_LIST_MODEL (events));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  gtk_window_present (GTK_WINDOW (window));
  cl_test_wait_for_frame (GTK_WIDGET (window));

  /* The four views, reachable by name and by their actions. */
  stack = cl_test_find_by_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK);
  g_assert_nonnull (stack);
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_autofree char *detailed = g_strdup_printf ("win.show-view::%s", views[i]);
      g_auto (GStrv) view_accels = gtk_application_get_accels_for_action (app, detailed);
      g_autofree char *expected = g_strdup_printf ("<Control>%u", i + 1);

      g_assert_nonnull (adw_view_stack_get_child_by_name (ADW_VIEW_STACK (stack), views[i]));
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", views[i]));
      g_assert_cmpstr (cl_window_get_view (window), ==, views[i]);
      g_assert_nonnull (view_accels);
      g_assert_cmpstr (view_accels[0], ==, expected);
    }
  /* The shortcuts window loads from the resource (gtk/help-overlay.ui) and has its accelerator. */
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  accels = gtk_application_get_accels_for_action (app, "app.quit");
  g_assert_cmpstr (accels[0], ==, "<Control>q");
  /* Without a session and store the dashboard has no figures yet, and export stays disabled. */
  g_assert_nonnull (cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_DASHBOARD_VIEW));
  cl_window_set_view (window, "line");

  /* No readers: the placeholder, not an empty grid. */
  line_view = cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_LINE_VIEW);
  g_assert_nonnull (line_view);
  inner_stack = cl_test_find_by_type (line_view, GTK_TYPE_STACK);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (inner_stack)), ==, "empty");
  g_assert_nonnull (cl_test_find_label (line_view, "No Readers"));

  /* No service: the placeholder says so, and which socket was tried. */
  cl_event_log_add (events, CL_LINE_EVENT_SERVICE_UNAVAILABLE, NULL,
                    "PC/SC service not reachable at /run/pcscd/pcscd.comm: Service not available; retrying");
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_nonnull (cl_test_find_label (line_view, "PC/SC Service Not Reachable"));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-smoke-no-service"));
  cl_event_log_add (events, CL_LINE_EVENT_SERVICE_RESTORED, NULL, "PC/SC service reachable again");
  g_assert_nonnull (cl_test_find_label (line_view, "No Readers"));
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-smoke-empty"));

  /* A station appears: a panel bound to it. */
  cl_reader_list_add (stations, station);
  cl_event_log_add (events, CL_LINE_EVENT_READER_ADDED, "Cardline Rig 0 00 00", NULL);
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (inner_stack)), ==, "stations");
  collect_panels (line_view, panels);
  g_assert_cmpuint (panels->len, ==, 1);
  g_assert_true (cl_reader_panel_get_reader (g_ptr_array_index (panels, 0)) == station);
  g_assert_nonnull (cl_test_find_label (g_ptr_array_index (panels, 0), "Cardline Rig 0 00 00"));
  g_assert_nonnull (cl_test_find_label (g_ptr_array_index (panels, 0), "No card"));

  /* The panel follows the station's properties. */
  cl_reader_card_inserted (station, "3B8A80010031C173C8400000900090", NULL);
  cl_event_log_add (events, CL_LINE_EVENT_CARD_INSERTED, "Cardline Rig 0 00 00", "ATR 3B8A80010031C173C8400000900090");
  cl_reader_list_add (stations, second);
  cl_event_log_add (events, CL_LINE_EVENT_READER_ADDED, "Cardline Rig 0 00 01", NULL);
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_nonnull (cl_test_find_label (g_ptr_array_index (panels, 0), "Card present"));
  g_assert_nonnull (cl_test_find_label (g_ptr_array_index (panels, 0), "3B8A80010031C173C8400000900090"));
  g_assert_nonnull (cl_test_find_label (g_ptr_array_index (panels, 0), "1"));
  g_ptr_array_set_size (panels, 0);
  collect_panels (line_view, panels);
  g_assert_cmpuint (panels->len, ==, 2);

  /* The card's steps, live, and the result banner. */
  {
    static const char *const plan[] = { "IDENTIFY", "OPEN_KST", "ROTATE_KEYS", "DISPOSE", NULL };
    GtkWidget *panel = g_ptr_array_index (panels, 0);
    GtkWidget *steps_list = GTK_WIDGET (gtk_widget_get_template_child (panel, CL_TYPE_READER_PANEL, "steps_list"));
    GtkWidget *fault = GTK_WIDGET (gtk_widget_get_template_child (panel, CL_TYPE_READER_PANEL, "fault_banner"));
    GtkWidget *banner = GTK_WIDGET (gtk_widget_get_template_child (panel, CL_TYPE_READER_PANEL, "result_banner"));
    guint rows = 0;

    g_assert_false (gtk_widget_get_visible (steps_list));
    g_assert_false (gtk_widget_get_visible (banner));
    g_assert_false (gtk_widget_get_visible (fault));
    cl_reader_card_started (station, plan);
    cl_reader_set_chip_id (station, "47905167760074500000");
    cl_reader_step_started (station, "IDENTIFY");
    cl_reader_step_ended (station, "IDENTIFY", CL_READER_STEP_OK, 2100, 0x9000, NULL);
    cl_reader_step_started (station, "OPEN_KST");
    cl_test_wait_for_frame (GTK_WIDGET (window));
    g_assert_true (gtk_widget_get_visible (steps_list));
    for (GtkWidget *row = gtk_widget_get_first_child (steps_list); row != NULL; row = gtk_widget_get_next_sibling (row))
      rows += CL_IS_STEP_ROW (row);
    g_assert_cmpuint (rows, ==, 4);
    g_assert_nonnull (cl_test_find_label (panel, "Identify chip"));
    g_assert_nonnull (cl_test_find_label (panel, "2.1 ms"));
    g_assert_nonnull (cl_test_find_label (panel, "9000"));
    g_assert_nonnull (cl_test_find_label (panel, "47905167760074500000"));
    g_assert_true (gtk_widget_has_css_class (
      GTK_WIDGET (gtk_widget_get_template_child (gtk_widget_get_next_sibling (gtk_widget_get_first_child (steps_list)),
                                                 CL_TYPE_STEP_ROW, "row_box")),
      "step-running"));
    g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-smoke-steps"));

    cl_reader_step_ended (station, "OPEN_KST", CL_READER_STEP_FAILED, 8400, 0x6982, "card cryptogram mismatch");
    cl_reader_step_started (station, "DISPOSE");
    cl_reader_step_ended (station, "DISPOSE", CL_READER_STEP_OK, 0, 0x6982, "reject bin");
    cl_reader_card_finished (station, FALSE, "AUTH_KST_FAILED at OPEN_KST, SW 6982");
    cl_reader_set_fault (station, "Cover open: close the printer cover and press Resume");
    cl_test_wait_for_frame (GTK_WIDGET (window));
    g_assert_true (gtk_widget_get_visible (banner));
    g_assert_true (gtk_widget_has_css_class (banner, "result-rejected"));
    g_assert_nonnull (cl_test_find_label (panel, "REJECTED"));
    g_assert_nonnull (cl_test_find_label (panel, "AUTH_KST_FAILED at OPEN_KST, SW 6982"));
    g_assert_true (gtk_widget_get_visible (fault));
    g_assert_nonnull (cl_test_find_label (panel, "Cover open: close the printer cover and press Resume"));
    g_assert_nonnull (cl_test_find_label (panel, "0.0 %"));
    g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-smoke-rejected"));
    cl_reader_set_state (station, CL_READER_CARD_PRESENT);
    cl_test_wait_for_frame (GTK_WIDGET (window));
    g_assert_false (gtk_widget_get_visible (fault));
  }

  /* The event list shows the log. */
  list_view = cl_test_find_by_type (line_view, GTK_TYPE_LIST_VIEW);
  shown_events = gtk_list_view_get_model (GTK_LIST_VIEW (list_view));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (shown_events)), ==, 5);

  /* At the top of the log, new events stay in sight; scrolled down to read, the log stays where the operator is. */
  {
    GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (list_view));

    for (guint i = 0; i < 60; i++)
      {
        g_autofree char *text = g_strdup_printf ("note %u", i);

        cl_event_log_add (events, CL_LINE_EVENT_NOTE, "Cardline Rig 0 00 00", text);
        if (i % 10 == 0)
          cl_test_wait_for_frame (GTK_WIDGET (window));
      }
    cl_test_wait_for_frame (GTK_WIDGET (window));
    cl_test_wait_for_frame (GTK_WIDGET (window));
    g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), >, gtk_adjustment_get_page_size (adjustment));
    g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), <=, gtk_adjustment_get_lower (adjustment) + 1);

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment) + 200);
    cl_test_wait_for_frame (GTK_WIDGET (window));
    cl_event_log_add (events, CL_LINE_EVENT_NOTE, "Cardline Rig 0 00 00", "while reading");
    cl_test_wait_for_frame (GTK_WIDGET (window));
    cl_test_wait_for_frame (GTK_WIDGET (window));
    g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, gtk_adjustment_get_lower (adjustment) + 100);
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
    cl_test_wait_for_frame (GTK_WIDGET (window));
  }

  light = cl_test_save_screenshot (GTK_WIDGET (window), "ui-smoke-light");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  cl_test_wait_for_frame (GTK_WIDGET (window));
  dark = cl_test_save_screenshot (GTK_WIDGET (window), "ui-smoke-dark");
  g_assert_true (g_file_test (light, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (dark, G_FILE_TEST_IS_REGULAR));

  check_toast (window);
  check_setup_in_use (window);

  /* A station removed from the model takes its panel with it. */
  cl_reader_list_remove (stations, "Cardline Rig 0 00 01");
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_ptr_array_set_size (panels, 0);
  collect_panels (line_view, panels);
  g_assert_cmpuint (panels->len, ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_window (void)
{
  g_autoptr (AdwApplication) app = NULL;
  int status;

  /* Same resource base path as the real application, so style.css and the help overlay load. */
  app = g_object_new (ADW_TYPE_APPLICATION, "application-id", "org.cardline.Cardline.UiSmoke", "flags",
                      G_APPLICATION_NON_UNIQUE, "resource-base-path", "/org/cardline/Cardline", NULL);
  g_signal_connect (app, "startup", G_CALLBACK (cl_ui_set_accels), NULL);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  status = g_application_run (G_APPLICATION (app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cl_ui_init ();

  g_test_add_func ("/ui/window", test_window);

  return g_test_run ();
}
