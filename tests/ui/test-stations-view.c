/* test-stations-view.c: the supervisor's Stations view (issue 18 item 4) under Xvfb over a real SQLite store: four
 * stations registered by real store connections (one running with cards at its readers, one paused, one held by a
 * fault with its instruction, one whose process was SIGKILLed: lost) are shown with their state in a word and an
 * icon, instruction, counters, throughput and yield; a change written by another connection while the window is
 * open shows up with no user action, through the store's change notice (a burst of writes costs at most one read per
 * coalescing period); a station that stops beating turns Lost with no write at all. The UI thread is the store's
 * declared UI thread throughout: a store call made on it would be a g_critical, fatal here. The Dashboard's Station
 * drop-down offers every station, and choosing one (or activating its row here) shows that station's figures. */
#include <adwaita.h>

#include "cl-dashboard-view.h"
#include "cl-test-app.h"
#include "cl-test-store.h"
#include "cl-test-widgets.h"
#include "cl-ui.h"
#include "station-child.h"
#include "store/cl-station-lease.h"
#include "store/cl-store-watch.h"

static char *store_path;

static ClStore *
open_store (void)
{
  g_autoptr (GError) error = NULL;
  ClStore *store = cl_store_open (store_path, &error);

  g_assert_no_error (error);
  return store;
}

static void
register_station (ClStore *store, const char *name, ClFleetFeeder feeder, const char *printer, gint64 lease_us)
{
  const char *readers[] = { "Reader 0", "Reader 1", NULL };
  ClFleetRegistration reg = { name, feeder, printer == NULL ? readers : NULL, printer, "1.2.3", lease_us };
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_store_fleet_register (store, &reg, &error));
  g_assert_no_error (error);
}

static void
set_live (ClStore *store, const char *name, ClFleetState state, const char *instruction, gint64 good, gint64 rejected)
{
  gint64 now = g_get_real_time ();
  ClFleetLive live = { state, instruction, good, rejected, now - (gint64)3600 * G_USEC_PER_SEC, now };
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_store_fleet_set_live (store, name, &live, &error));
  g_assert_no_error (error);
}

/* A station in a child process that is then SIGKILLed: its process of this host is gone, so it is lost. */
static void
register_killed_station (const char *name)
{
  StationChild child = { store_path, name, 0, TRUE, NULL, TRUE };

  station_child_kill (station_child_spawn (&child));
}

/* One production attempt of station's, ended good or rejected, through the store's API. */
static void
produce (ClStore *store, const char *station, const char *chip, gboolean good)
{
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time ();
  ClAttemptEnd end = { good ? CL_ATTEMPT_GOOD : CL_ATTEMPT_REJECTED,
                       good ? 0 : CL_REJECT_LOAD_FAILED,
                       good ? 0 : CL_STEP_LOAD_APPLET,
                       good ? 0x9000 : 0x6982,
                       good ? CL_DISPOSITION_OUTPUT : CL_DISPOSITION_REJECT_BIN,
                       now };
  gint64 id
    = cl_store_attempt_begin (store, 0, CL_ATTEMPT_PRODUCTION, station, "Reader 0", now - G_USEC_PER_SEC, &error);

  g_assert_no_error (error);
  cl_store_attempt_identify (store, id, chip, now - G_USEC_PER_SEC, NULL, &error);
  g_assert_no_error (error);
  cl_store_attempt_end (store, id, &end, &error);
  g_assert_no_error (error);
}

static void
fill_fleet (void)
{
  g_autoptr (ClStore) store = open_store ();
  ClFleetReader readers[] = {
    { (char *)"Reader 0", (char *)"0C1122334455", CL_STEP_ROTATE_KEYS, TRUE },
    { (char *)"Reader 1", NULL, -1, FALSE },
  };
  gint64 now = g_get_real_time ();
  ClFleetLive live = { CL_FLEET_RUNNING, NULL, 57, 3, now - (gint64)3600 * G_USEC_PER_SEC, now };
  g_autoptr (GError) error = NULL;

  register_station (store, "rack-a", CL_FLEET_FEEDER_RACK, NULL, 0);
  g_assert_true (cl_store_fleet_publish (store, "rack-a", &live, readers, G_N_ELEMENTS (readers), &error));
  g_assert_no_error (error);
  register_station (store, "printer-b", CL_FLEET_FEEDER_PRINTER, "ipp://localhost:8631/ipp/print", 0);
  set_live (store, "printer-b", CL_FLEET_PAUSED, NULL, 10, 0);
  register_station (store, "rack-c", CL_FLEET_FEEDER_RACK, NULL, 0);
  set_live (store, "rack-c", CL_FLEET_FAULT, "Reader 1 is gone: plug it back in, then press Resume", 4, 1);
  register_killed_station ("rack-lost");
  /* cards: rack-a 3 good and 1 rejected, printer-b 2 good */
  produce (store, "rack-a", "0A01", TRUE);
  produce (store, "rack-a", "0A02", TRUE);
  produce (store, "rack-a", "0A03", FALSE);
  produce (store, "rack-a", "0A04", TRUE);
  produce (store, "printer-b", "0B01", TRUE);
  produce (store, "printer-b", "0B02", TRUE);
}

static const char *
counter (GtkWidget *dashboard, const char *name)
{
  return gtk_label_get_text (cl_dashboard_view_get_counter (CL_DASHBOARD_VIEW (dashboard), name));
}

/* The position of name in the Station drop-down; GTK_INVALID_LIST_POSITION if it is not offered. */
static guint
station_position (GtkDropDown *dropdown, const char *name)
{
  GListModel *names = gtk_drop_down_get_model (dropdown);

  for (guint i = 0; names != NULL && i < g_list_model_get_n_items (names); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (names), i), name) == 0)
      return i;
  return GTK_INVALID_LIST_POSITION;
}

/* The Dashboard's Station drop-down: every station offered, one chosen scopes the figures to its cards (read on the
 * dashboard's worker), a station row activated in the Stations view does the same, "All stations" goes back. */
static void
check_station_scope (GtkWidget *window, GtkWidget *dashboard, ClStore *store, ClStationsView *view)
{
  g_autoptr (ClDashboardModel) dashboard_model = cl_dashboard_model_new (store);
  GtkDropDown *dropdown
    = GTK_DROP_DOWN (gtk_widget_get_template_child (dashboard, CL_TYPE_DASHBOARD_VIEW, "station_dropdown"));

  cl_dashboard_view_set_model (CL_DASHBOARD_VIEW (dashboard), dashboard_model);
  CL_TEST_WAIT_UNTIL (cl_dashboard_model_get_data (dashboard_model) != NULL
                      && g_str_equal (counter (dashboard, "fed"), "6"));
  g_assert_cmpstr (counter (dashboard, "good"), ==, "5");
  g_assert_cmpuint (station_position (dropdown, "All stations"), ==, 0);
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, 0);
  /* registered stations are offered before their first card */
  g_assert_cmpuint (station_position (dropdown, "rack-c"), !=, GTK_INVALID_LIST_POSITION);

  gtk_drop_down_set_selected (dropdown, station_position (dropdown, "rack-a"));
  CL_TEST_WAIT_UNTIL (!cl_dashboard_model_get_busy (dashboard_model)
                      && g_strcmp0 (cl_dashboard_model_get_data (dashboard_model)->station, "rack-a") == 0);
  g_assert_cmpstr (counter (dashboard, "fed"), ==, "4");
  g_assert_cmpstr (counter (dashboard, "good"), ==, "3");
  g_assert_cmpstr (counter (dashboard, "rejected"), ==, "1");
  g_assert_cmpstr (counter (dashboard, "final"), ==, "75.0 %");
  cl_test_wait_for_frame (window);
  g_free (cl_test_save_screenshot (window, "stations-view-dashboard-rack-a"));

  gtk_widget_activate (GTK_WIDGET (cl_stations_view_get_row (view, "printer-b")));
  CL_TEST_WAIT_UNTIL (!cl_dashboard_model_get_busy (dashboard_model)
                      && g_strcmp0 (cl_dashboard_model_get_data (dashboard_model)->station, "printer-b") == 0);
  g_assert_cmpstr (counter (dashboard, "fed"), ==, "2");
  g_assert_cmpstr (counter (dashboard, "rejected"), ==, "0");
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), ==, station_position (dropdown, "printer-b"));

  gtk_drop_down_set_selected (dropdown, 0);
  CL_TEST_WAIT_UNTIL (!cl_dashboard_model_get_busy (dashboard_model)
                      && cl_dashboard_model_get_data (dashboard_model)->station == NULL);
  g_assert_cmpstr (counter (dashboard, "fed"), ==, "6");
}

static const char *
row_label (ClStationsView *view, const char *station, const char *id)
{
  ClStationRow *row = cl_stations_view_get_row (view, station);

  return row != NULL ? cl_test_template_label (GTK_WIDGET (row), CL_TYPE_STATION_ROW, id) : NULL;
}

static gboolean
row_says (ClStationsView *view, const char *station, const char *id, const char *text)
{
  return g_strcmp0 (row_label (view, station, id), text) == 0;
}

typedef struct
{
  guint n_writes;
  gint64 started; /* monotonic µs */
  gint64 ended;
  gint done; /* atomic */
} Burst;

/* Another connection (another station) writes rack-a's state n_writes times in a row, the last one a fault. */
static gpointer
write_burst (gpointer data)
{
  Burst *burst = data;
  g_autoptr (ClStore) store = open_store ();

  burst->started = g_get_monotonic_time ();
  for (guint i = 1; i < burst->n_writes; i++)
    set_live (store, "rack-a", CL_FLEET_RUNNING, NULL, 57 + i, 3);
  set_live (store, "rack-a", CL_FLEET_FAULT, "Printer cover open: close it, then press Resume", 57 + burst->n_writes,
            3);
  burst->ended = g_get_monotonic_time ();
  g_atomic_int_set (&burst->done, 1);
  return NULL;
}

static gpointer
register_quiet (gpointer data)
{
  g_autoptr (ClStore) store = open_store ();

  /* Registered, then never beats: lost once its 2 s lease has run out, with no write to announce it. */
  register_station (store, "rack-quiet", CL_FLEET_FEEDER_RACK, NULL, 2 * G_USEC_PER_SEC);
  g_atomic_int_set ((gint *)data, 1);
  return NULL;
}

static void
on_activate (GtkApplication *app)
{
  g_autoptr (ClStore) store = open_store ();
  g_autoptr (ClFleetModel) model = NULL;
  GtkWidget *window = gtk_application_window_new (app);
  GtkWidget *dashboard = cl_dashboard_view_new ();
  ClStationsView *view;
  g_autofree char *shot = NULL;
  Burst burst = { 20, 0, 0, 0 };
  GThread *thread;
  guint reads_before;
  gint quiet_done = 0;

  /* From here a store call on this thread is a g_critical (fatal in this test). */
  cl_store_set_ui_thread (store, g_thread_self ());
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), dashboard);
  model = cl_fleet_model_new (store);
  cl_dashboard_view_set_fleet_model (CL_DASHBOARD_VIEW (dashboard), model);
  view = cl_dashboard_view_get_stations_view (CL_DASHBOARD_VIEW (dashboard));
  g_assert_true (cl_stations_view_get_model (view) == model);
  gtk_window_present (GTK_WINDOW (window));

  CL_TEST_WAIT_UNTIL (cl_stations_view_get_row (view, "rack-lost") != NULL);
  cl_test_wait_for_frame (window);
  check_station_scope (window, dashboard, store, view);

  /* every station, its state in a word (the icon beside it), lost marked as lost */
  g_assert_true (row_says (view, "rack-a", "state_label", "Running"));
  g_assert_true (row_says (view, "printer-b", "state_label", "Paused"));
  g_assert_true (row_says (view, "rack-c", "state_label", "Fault"));
  g_assert_true (row_says (view, "rack-lost", "state_label", "Lost"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (cl_stations_view_get_row (view, "rack-lost")), "station-lost"));
  g_assert_cmpstr (cl_stations_view_get_summary (view), ==, "4 stations: 1 lost, 1 fault, 1 paused, 1 running");
  /* the fault's instruction, shown; none for the others */
  g_assert_true (
    row_says (view, "rack-c", "instruction_label", "Reader 1 is gone: plug it back in, then press Resume"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (cl_test_find_label (
    GTK_WIDGET (cl_stations_view_get_row (view, "rack-c")), "Reader 1 is gone: plug it back in, then press Resume"))));
  g_assert_true (row_says (view, "printer-b", "instruction_label", ""));
  /* counters, throughput (60 cards in the hour: 59 intervals), yield 57/60 */
  g_assert_true (row_says (view, "rack-a", "good_label", "57"));
  g_assert_true (row_says (view, "rack-a", "rejected_label", "3"));
  g_assert_true (row_says (view, "rack-a", "throughput_label", "59"));
  g_assert_true (row_says (view, "rack-a", "yield_label", "95.0 %"));
  g_assert_true (row_says (view, "rack-lost", "yield_label", "—"));
  /* the card and step at each reader that holds one; host, feeder and printer */
  g_assert_true (row_says (view, "rack-a", "readers_label", "Reader 0: 0C1122334455, Rotate card keys"));
  g_assert_nonnull (strstr (row_label (view, "printer-b", "detail_label"), "printer-fed (ipp://localhost:8631"));
  g_assert_nonnull (strstr (row_label (view, "rack-a", "detail_label"), g_get_host_name ()));
  shot = cl_test_save_screenshot (window, "stations-view");
  g_test_message ("screenshot: %s", shot);

  /* a burst of writes by another connection: shown with no user action, keyed on the change itself */
  reads_before = cl_fleet_model_get_reads (model);
  thread = g_thread_new ("burst", write_burst, &burst);
  CL_TEST_WAIT_UNTIL (g_atomic_int_get (&burst.done) && row_says (view, "rack-a", "state_label", "Fault"));
  g_test_message ("last write to the row showing it: %" G_GINT64_FORMAT " ms (coalescing %d ms, SQLite watch %d ms)",
                  (g_get_monotonic_time () - burst.ended) / 1000, CL_FLEET_MODEL_COALESCE_MS,
                  CL_STORE_WATCH_SQLITE_INTERVAL_MS);
  g_thread_join (thread);
  g_assert_true (row_says (view, "rack-a", "instruction_label", "Printer cover open: close it, then press Resume"));
  g_assert_true (row_says (view, "rack-a", "good_label", "77"));
  /* at most one read per coalescing period while the burst lasted, one after it and one a read in flight asked for */
  g_assert_cmpuint (cl_fleet_model_get_reads (model) - reads_before, <=,
                    (burst.ended - burst.started) / (CL_FLEET_MODEL_COALESCE_MS * 1000) + 3);
  g_test_message ("%u writes in %" G_GINT64_FORMAT " ms: %u reads", burst.n_writes,
                  (burst.ended - burst.started) / 1000, cl_fleet_model_get_reads (model) - reads_before);

  /* a station that stops beating turns Lost though nothing was written */
  thread = g_thread_new ("quiet", register_quiet, &quiet_done);
  CL_TEST_WAIT_UNTIL (g_atomic_int_get (&quiet_done) && cl_stations_view_get_row (view, "rack-quiet") != NULL);
  g_thread_join (thread);
  /* and the Dashboard offers it as soon as the Stations view shows it */
  g_assert_cmpuint (station_position (GTK_DROP_DOWN (gtk_widget_get_template_child (dashboard, CL_TYPE_DASHBOARD_VIEW,
                                                                                    "station_dropdown")),
                                      "rack-quiet"),
                    !=, GTK_INVALID_LIST_POSITION);
  CL_TEST_WAIT_UNTIL (row_says (view, "rack-quiet", "state_label", "Lost"));

  cl_test_wait_for_frame (window);
  g_clear_pointer (&shot, g_free);
  shot = cl_test_save_screenshot (window, "stations-view-live");
  g_test_message ("screenshot: %s", shot);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_stations (void)
{
  g_autoptr (AdwApplication) app = NULL;
  ClStore *store;

  store = cl_test_store_new (&store_path);
  g_object_unref (store);
  fill_fleet ();
  app = g_object_new (ADW_TYPE_APPLICATION, "application-id", "org.cardline.Cardline.StationsView", "flags",
                      G_APPLICATION_NON_UNIQUE, "resource-base-path", "/org/cardline/Cardline", NULL);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  cl_test_store_remove (store_path);
  g_clear_pointer (&store_path, g_free);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cl_ui_init ();

  g_test_add_func ("/ui/dashboard/stations", test_stations);

  return g_test_run ();
}
