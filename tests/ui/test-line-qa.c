/* The station window end to end on the rig (run by test-line-qa.sh under rig-run and xvfb-run): the real app
 * wiring (ClApplication with --profile, the rack-mode line, the PC/SC reader monitor, the QA service over the
 * production sequence) in this process, virtual cards fed by the rack feeder into reader 1, reader 2 is the QA
 * reader.
 *
 *   sign in as the operator, Pause (a card inserted meanwhile waits), Resume: the batch is produced, one card
 *   rejected by a LOAD defect; the Line view's counters equal the store's yield summary;
 *   sign in as QA: the rejected card (its defect cleaned) goes into the QA reader, Diagnose shows which steps
 *   hold, Resume makes it good as a QA re-test, the yield counts it recovered; Reprint Face (refused while the card
 *   was rejected) prints the good card's face on the rig's ippeveprinter, with its serial, audited as QA's;
 *   screenshots of the Line, Dashboard, Rejects and Setup views in BUILD/tests/artifacts.
 *
 *   test-line-qa PROFILE STORE CARDS-DIR DEFECTIVE-IMAGE CARDLINE-VCARD RACK-FEEDER */
#include <adwaita.h>
#include <sqlite3.h>

#include "cl-test-app.h"
#include "cl-test-widgets.h"
#include <string.h>

#include "cl-application.h"
#include "cl-dashboard-model.h"
#include "cl-dashboard-view.h"
#include "cl-event-row.h"
#include "cl-event-text.h"
#include "cl-rejects-view.h"
#include "cl-setup-view.h"
#include "cl-reader-panel.h"
#include "cl-step-row.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "station/cl-reader.h"
#include "store/cl-store-dashboard.h"

#define PASSWORD "correct horse battery"
#define BATCH    "ui-line-qa"
#define CARDS    3

static const char *profile_path, *store_path, *cards_dir, *defective, *vcard_exe, *feeder_exe;
static char *production_reader, *qa_reader, *production_port, *qa_port;
static int status = 1;

/* ---- the store, read off the main thread like the app does ---- */

typedef struct
{
  ClYieldSummary *summary;
  char *rejected_chip; /* the latest open reject */
} StoreView;

static void
read_store_in (ClStore *store, gpointer data)
{
  StoreView *view = data;
  ClRejectQuery query = { .reason = -1 };
  g_autoptr (GPtrArray) rejects = NULL;
  g_autoptr (GError) error = NULL;

  view->summary = cl_test_batch_summary (store, BATCH, NULL);
  rejects = cl_store_reject_search (store, &query, &error);
  g_assert_no_error (error);
  if (rejects->len > 0)
    view->rejected_chip = g_strdup (((ClRejectRow *)rejects->pdata[0])->chip_id);
}

static void
store_view_clear (StoreView *view)
{
  g_clear_pointer (&view->summary, cl_yield_summary_free);
  g_clear_pointer (&view->rejected_chip, g_free);
}

static void
read_store (StoreView *view)
{
  cl_test_read_store (store_path, read_store_in, view);
}

typedef struct
{
  const char *chip;
  ClCardState state;
  char *serial; /* printed on it */
} CardState;

static void
read_card_state (ClStore *store, gpointer data)
{
  CardState *card = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCardRecord) record = cl_store_card_lookup (store, card->chip, &error);

  g_assert_no_error (error);
  card->state = record->state;
  card->serial = g_strdup (record->printed_serial);
}

static ClCardState
card_state (const char *chip)
{
  CardState card = { chip };

  cl_test_read_store (store_path, read_card_state, &card);
  g_free (card.serial);
  return card.state;
}

static char *
card_serial (const char *chip)
{
  CardState card = { chip };

  cl_test_read_store (store_path, read_card_state, &card);
  return card.serial;
}

static void
read_batch_state (ClStore *store, gpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 batch = cl_store_batch_lookup (store, BATCH, &error);

  g_assert_true (cl_store_batch_get_state (store, batch, data, &error));
}

static ClBatchState
batch_state (void)
{
  ClBatchState state = 0;

  cl_test_read_store (store_path, read_batch_state, &state);
  return state;
}

/* "ACTOR|DETAIL" of each "face-reprint" audit record of chip, in order. */
static char *
face_reprint_audits (const char *chip)
{
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  GString *found = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (store_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT actor, detail FROM audit WHERE action = 'face-reprint' AND subject = ? "
                                       "ORDER BY seq",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, chip, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (found, "%s%s|%s", found->len > 0 ? "\n" : "", sqlite3_column_text (stmt, 0),
                            sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (found, FALSE);
}

/* The documents the rig's ippeveprinter received (its CARDLINE_PRINTED_DIR), as paths. */
static GPtrArray *
printed_documents (void)
{
  const char *printed = g_getenv ("CARDLINE_PRINTED_DIR");
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (printed);
  dir = g_dir_open (printed, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (paths, g_build_filename (printed, name, NULL));
  return paths;
}

static char *
pdf_text (const char *path)
{
  const char *argv[] = { "pdftotext", path, "-", NULL };
  g_autoptr (GError) error = NULL;
  char *out = NULL;
  int exit_status;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                     NULL, &exit_status, &error))
    g_error ("pdftotext (Debian package poppler-utils, in .ci/packages): %s", error->message);
  g_assert_true (g_spawn_check_wait_status (exit_status, NULL));
  return out;
}

/* ---- the station panel as the operator sees it ---- */

/* The station's detailed panel: on show with a few readers; opened from the station's tile when the line shows
 * its readers as tiles (the rig's 2 vpcd readers are 4 PC/SC readers, a slot each), as the operator would. */
static ClReaderPanel *
find_panel (GtkWidget *root, ClReader *station)
{
  ClLineView *line = CL_LINE_VIEW (cl_test_find_by_type (root, CL_TYPE_LINE_VIEW));

  if (cl_line_view_get_tile (line, station) != NULL)
    {
      cl_line_view_show_reader (line, station);
      g_assert_true (cl_line_view_get_shown_reader (line) == station);
    }
  return cl_test_find_panel (root, station);
}

typedef struct
{
  ClReaderPanel *panel;
  guint running_seen; /* steps seen RUNNING, live */
  GPtrArray *results; /* "RESULT | detail | steps" as shown when each card ended */
} PanelWatch;

static void
on_step_state (ClReaderStep *step, GParamSpec *pspec, PanelWatch *watch)
{
  if (cl_reader_step_get_state (step) == CL_READER_STEP_RUNNING)
    watch->running_seen++;
}

static void
on_steps_changed (GListModel *steps, guint position, guint removed, guint added, PanelWatch *watch)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (ClReaderStep) step = g_list_model_get_item (steps, i);

      g_signal_connect (step, "notify::state", G_CALLBACK (on_step_state), watch);
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
  /* after the bindings and the rows have caught up, as the operator would see it */
  if (cl_reader_get_result (station) != CL_READER_RESULT_NONE)
    g_idle_add_full (G_PRIORITY_HIGH_IDLE, snapshot_result, watch, NULL);
}

static void
watch_panel (PanelWatch *watch, ClWindow *window, ClReader *station)
{
  watch->panel = find_panel (GTK_WIDGET (window), station);
  g_assert_nonnull (watch->panel);
  watch->results = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (cl_reader_get_steps (station), "items-changed", G_CALLBACK (on_steps_changed), watch);
  g_signal_connect (station, "notify::result", G_CALLBACK (on_result), watch);
}

static const char *
find_result (PanelWatch *watch, const char *prefix)
{
  for (guint i = 0; i < watch->results->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (watch->results, i), prefix))
      return g_ptr_array_index (watch->results, i);
  return NULL;
}

/* Events of reader in the Line view's log whose detail is text. */
static guint
logged (ClWindow *window, const char *reader, const char *text)
{
  GListModel *events = cl_line_view_get_events (cl_test_line_view (window));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr (ClLineEvent) event = g_list_model_get_item (events, i);

      n += g_strcmp0 (cl_line_event_get_reader (event), reader) == 0
           && g_strcmp0 (cl_line_event_get_detail (event), text) == 0;
    }
  return n;
}

/* ---- the rig ---- */

static GSubprocess *
spawn_feeder (void)
{
  /* the rack is reader 1 only: reader 2 is the QA reader */
  return cl_test_spawn_rack_feeder (feeder_exe, vcard_exe, store_path, production_port, production_reader, NULL,
                                    cards_dir, CARDS);
}

/* The QA technician cleans the card: the injected defect goes from its image. */
static void
clean_card (const char *image)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (g_key_file_load_from_file (file, image, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_assert_true (g_key_file_has_group (file, "defects"));
  g_assert_true (g_key_file_remove_group (file, "defects", &error));
  g_assert_true (g_key_file_save_to_file (file, image, &error));
}

static void
collect_event_rows (GtkWidget *root, GPtrArray *rows)
{
  if (CL_IS_EVENT_ROW (root))
    g_ptr_array_add (rows, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_event_rows (child, rows);
}

/* The event list reads as sentences, not as the machine lines the log keeps for headless mode: a "Good card" per good
 * card and a "Rejected: …" per reject the store has; each row shown says what the formatter says, and tells screen
 * readers the same with its time. */
static void
check_event_rows (ClWindow *window, guint64 good, guint64 rejected)
{
  ClLineView *line = cl_test_line_view (window);
  GListModel *events = cl_line_view_get_events (line);
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  guint64 n_good = 0, n_rejected = 0;
  GtkWidget *list, *scroller;

  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr (ClLineEvent) event = g_list_model_get_item (events, i);
      g_auto (ClEventText) text = { 0 };

      cl_event_text_for_event (event, &text);
      g_assert_null (strstr (text.title, "chip="));
      g_assert_null (strstr (text.title, "result="));
      g_assert_false (g_str_has_prefix (text.title, "note "));
      n_good += g_str_has_prefix (text.title, "Good card");
      n_rejected += g_str_has_prefix (text.title, "Rejected: ");
    }
  g_assert_cmpuint (n_good, ==, good);
  g_assert_cmpuint (n_rejected, ==, rejected);

  /* the newest events, at the top of the list: the outcomes */
  list = cl_test_find_by_type (GTK_WIDGET (line), GTK_TYPE_LIST_VIEW);
  scroller = gtk_widget_get_ancestor (list, GTK_TYPE_SCROLLED_WINDOW);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), 0);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-events");
  collect_event_rows (GTK_WIDGET (line), rows);
  g_assert_cmpuint (rows->len, >, 0);
  for (guint i = 0; i < rows->len; i++)
    {
      ClEventRow *row = g_ptr_array_index (rows, i);
      ClLineEvent *event = cl_event_row_get_event (row);
      g_auto (ClEventText) text = { 0 };
      g_autofree char *time_text = NULL;
      g_autofree char *sentence = NULL;

      if (event == NULL)
        continue; /* a recycled row waiting for an item */
      cl_event_text_for_event (event, &text);
      sentence = cl_event_text_dup_sentence (&text);
      time_text = cl_line_event_dup_time_text (event);
      g_assert_cmpstr (cl_event_row_get_title (row), ==, text.title);
      g_assert_cmpstr (cl_event_row_get_subtitle (row), ==, text.subtitle);
      g_assert_true (g_str_has_prefix (cl_event_row_get_accessible_text (row), time_text));
      g_assert_nonnull (strstr (cl_event_row_get_accessible_text (row), sentence));
    }
}

static void
run_test (ClWindow *window)
{
  ClRejectsView *rejects = CL_REJECTS_VIEW (cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_REJECTS_VIEW));
  g_autoptr (GSubprocess) feeder = NULL;
  g_autoptr (GSubprocess) qa_card = NULL;
  g_autoptr (GError) error = NULL;
  StoreView view = { 0 };
  PanelWatch watch = { 0 };
  AdwActionRow *diagnosis_row;
  AdwActionRow *reprint_row;
  GtkWidget *reprint_button;
  const char *subtitle;
  ClReader *station;
  guint history_length;
  g_autofree char *chip = NULL;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  cl_test_sign_in (window, "olga", PASSWORD);
  cl_window_set_view (window, "line");
  CL_TEST_WAIT_UNTIL (cl_test_find_station (window, production_reader) != NULL
                      && cl_test_find_station (window, qa_reader) != NULL);
  /* production starts once the app's worker has opened the token and the store */
  CL_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (cl_line_view_get_counters_bar (cl_test_line_view (window)))));

  /* Pause: a card inserted now waits in its reader; nothing is produced. */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "line-pause"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-pause", NULL);
  CL_TEST_WAIT_UNTIL (g_strcmp0 (cl_test_bar_text (window, "state"), "Paused") == 0);
  station = cl_test_find_station (window, production_reader);
  watch_panel (&watch, window, station);
  feeder = spawn_feeder ();
  CL_TEST_WAIT_UNTIL (cl_reader_get_state (station) == CL_READER_CARD_PRESENT);
  /* The line's own word that it holds the card, not a pause long enough to hope it would have started it: from
   * then on the card waits until Resume. */
  CL_TEST_WAIT_UNTIL (logged (window, production_reader, "line paused: card waits") == 1);
  g_assert_cmpint (cl_reader_get_state (station), ==, CL_READER_CARD_PRESENT);
  g_assert_true (cl_test_bar_equals (window, "fed", 0));
  /* the store records the pause on a writer thread: on disk when it is, not a fixed time after the press */
  CL_TEST_WAIT_UNTIL (batch_state () == CL_BATCH_PAUSED);
  g_assert_cmpint (batch_state (), ==, CL_BATCH_PAUSED);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-paused");

  /* Resume: the waiting card starts, the rest of the batch follows. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-start", NULL);
  CL_TEST_WAIT_UNTIL (g_strcmp0 (cl_test_bar_text (window, "state"), "Running") == 0);
  CL_TEST_WAIT_UNTIL_S (cl_test_bar_equals (window, "fed", CARDS), 180);
  g_subprocess_wait_check (feeder, NULL, &error);
  g_assert_no_error (error);

  /* What the operator reads equals the store. */
  read_store (&view);
  g_print ("# store: fed %" G_GUINT64_FORMAT " good %" G_GUINT64_FORMAT " rejected %" G_GUINT64_FORMAT "\n",
           view.summary->fed, view.summary->good, (guint64)view.summary->rejected);
  g_assert_cmpuint (view.summary->fed, ==, CARDS);
  g_assert_cmpuint (view.summary->good, ==, CARDS - 1);
  g_assert_true (cl_test_bar_equals (window, "fed", view.summary->fed));
  g_assert_true (cl_test_bar_equals (window, "good", view.summary->good));
  g_assert_true (cl_test_bar_equals (window, "rejected", (guint64)view.summary->rejected));
  g_assert_cmpstr (cl_test_bar_text (window, "yield"), ==, "66.7 %");
  g_assert_cmpstr (cl_test_bar_text (window, "progress"), ==, "3 of 3 cards done");
  g_assert_nonnull (view.rejected_chip);
  chip = g_strdup (view.rejected_chip);

  /* The production station's panel: one result banner per card, the step list live, its counts the store's. */
  CL_TEST_WAIT_UNTIL (watch.results->len == CARDS);
  for (guint i = 0; i < watch.results->len; i++)
    g_print ("# panel result %u: %s\n", i + 1, (const char *)g_ptr_array_index (watch.results, i));
  g_print ("# steps seen running: %u\n", watch.running_seen);
  {
    const char *rejected = find_result (&watch, "REJECTED |");
    const char *good = find_result (&watch, "GOOD |");
    g_autofree char *steps = cl_test_panel_steps (watch.panel);
    g_autofree char *good_count = g_strdup_printf ("%" G_GUINT64_FORMAT, view.summary->good);
    g_autofree char *reject_count = g_strdup_printf ("%" G_GUINT64_FORMAT, (guint64)view.summary->rejected);

    g_assert_nonnull (rejected);
    g_assert_nonnull (strstr (rejected, "LOAD_FAILED"));
    g_assert_nonnull (strstr (rejected, "at LOAD_APPLET, SW 6581"));
    /* the failed step shows failed, the ones after it never ran */
    g_assert_nonnull (strstr (rejected, "ROTATE_KEYS=ok["));
    g_assert_nonnull (strstr (rejected, "LOAD_APPLET=failed["));
    g_assert_nonnull (strstr (rejected, "CERTIFY=pending[]"));
    g_assert_nonnull (good);
    g_assert_null (strstr (good, "failed"));
    g_assert_null (strstr (good, "pending"));
    g_assert_null (strstr (good, "[]")); /* every ended step shows its duration */
    /* the last card was good: its banner and steps stay on show */
    g_assert_cmpstr (cl_test_panel_label (watch.panel, "result_label"), ==, "GOOD");
    g_assert_true (g_str_has_prefix (cl_test_panel_label (watch.panel, "result_detail_label"), "Serial "));
    g_assert_cmpuint (strlen (cl_test_panel_label (watch.panel, "result_detail_label")), >, strlen ("Serial ") + 8);
    g_assert_cmpint (card_state (cl_test_panel_label (watch.panel, "chip_label")), ==, CL_CARD_GOOD);
    g_assert_nonnull (strstr (steps, "IDENTIFY=ok["));
    g_assert_nonnull (strstr (steps, "VERIFY=ok["));
    g_assert_nonnull (strstr (steps, "DISPOSE=ok["));
    /* 8 steps and DISPOSE; each started RUNNING before it ended, for every card */
    g_assert_cmpuint (watch.running_seen, ==, CARDS * 9 - 3);
    g_assert_cmpstr (cl_test_panel_label (watch.panel, "good_label"), ==, good_count);
    g_assert_cmpstr (cl_test_panel_label (watch.panel, "rejected_label"), ==, reject_count);
  }
  g_signal_handlers_disconnect_by_data (station, &watch);
  g_signal_handlers_disconnect_by_data (cl_reader_get_steps (station), &watch);
  g_clear_pointer (&watch.results, g_ptr_array_unref);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-production");
  check_event_rows (window, view.summary->good, (guint64)view.summary->rejected);

  /* QA signs in; the operator's line control is not theirs. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "sign-out", NULL);
  cl_test_sign_in (window, "quinn", PASSWORD);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "line-pause"));

  cl_window_set_view (window, "rejects");
  cl_rejects_view_reload (rejects);
  CL_TEST_WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
  g_assert_true (cl_rejects_view_select_chip (rejects, chip));
  CL_TEST_WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
  history_length = cl_rejects_view_get_history_length (rejects);
  g_assert_cmpuint (history_length, >, 0);
  /* a rejected card's face is not reprinted */
  reprint_row = ADW_ACTION_ROW (cl_test_find_row (GTK_WIDGET (rejects), "Reprint face"));
  g_assert_nonnull (reprint_row);
  reprint_button = cl_test_find_by_type (GTK_WIDGET (reprint_row), GTK_TYPE_BUTTON);
  g_assert_nonnull (reprint_button);
  g_assert_false (gtk_widget_get_sensitive (reprint_button));

  /* The card, cleaned, into the QA reader; the line leaves it alone. */
  clean_card (defective);
  qa_card = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, vcard_exe, "run", "--image", defective, "--port",
                              qa_port, NULL);
  g_assert_no_error (error);
  station = cl_test_find_station (window, qa_reader);
  CL_TEST_WAIT_UNTIL (cl_reader_get_state (station) == CL_READER_CARD_PRESENT);

  diagnosis_row = ADW_ACTION_ROW (cl_test_find_row (GTK_WIDGET (rejects), "Diagnosis"));
  g_assert_nonnull (diagnosis_row);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (rejects), "rejects.diagnose", NULL));
  CL_TEST_WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
  subtitle = adw_action_row_get_subtitle (diagnosis_row);
  g_print ("# diagnosis: %s\n", subtitle);
  g_assert_nonnull (strstr (subtitle, "✓ IDENTIFY"));
  g_assert_nonnull (strstr (subtitle, "✓ ROTATE_KEYS"));
  g_assert_nonnull (strstr (subtitle, "✗ LOAD_APPLET"));
  g_assert_null (strstr (subtitle, "from the records"));
  g_assert_cmpint (card_state (chip), ==, CL_CARD_REJECTED);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-rejects-diagnosis");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (rejects), "rejects.resume", NULL));
  CL_TEST_WAIT_UNTIL_S (!cl_rejects_view_get_busy (rejects), 120);
  /* the view reloads after a resume: the recovered card leaves the open rejects */
  g_assert_cmpint (card_state (chip), ==, CL_CARD_GOOD);
  g_assert_false (cl_rejects_view_select_chip (rejects, chip));
  /* The re-test ran on the QA reader's station: its panel shows the card, its steps (those already on the card
   * skipped) and the result. */
  {
    ClReaderPanel *qa_panel = find_panel (GTK_WIDGET (window), cl_test_find_station (window, qa_reader));
    g_autofree char *steps = NULL;

    g_assert_nonnull (qa_panel);
    CL_TEST_WAIT_UNTIL (g_strcmp0 (cl_test_panel_label (qa_panel, "result_label"), "GOOD") == 0);
    steps = cl_test_panel_steps (qa_panel);
    g_print ("# QA reader panel: %s | %s\n", cl_test_panel_label (qa_panel, "result_detail_label"), steps);
    g_assert_cmpstr (cl_test_panel_label (qa_panel, "chip_label"), ==, chip);
    g_assert_nonnull (strstr (steps, "ROTATE_KEYS=skipped["));
    g_assert_nonnull (strstr (steps, "LOAD_APPLET=ok["));
    g_assert_nonnull (strstr (steps, "VERIFY=ok["));
  }

  /* The yield counts it recovered; the production figures are unchanged. */
  store_view_clear (&view);
  read_store (&view);
  g_assert_cmpuint (view.summary->recovered, ==, 1);
  g_assert_null (view.rejected_chip);
  g_assert_cmpuint (view.summary->fed, ==, CARDS);
  g_assert_true (cl_test_bar_equals (window, "fed", view.summary->fed));
  g_assert_true (cl_test_bar_equals (window, "good", view.summary->good));

  /* QA looks the card up again among the recovered ones: its history holds the production attempt, the QA
   * re-test and the QA actions. */
  {
    GtkWidget *include = cl_test_find_by_type (GTK_WIDGET (rejects), GTK_TYPE_CHECK_BUTTON);
    guint before = history_length;

    g_assert_nonnull (include);
    gtk_check_button_set_active (GTK_CHECK_BUTTON (include), TRUE);
    CL_TEST_WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
    g_assert_true (cl_rejects_view_select_chip (rejects, chip));
    CL_TEST_WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
    g_print ("# history rows: %u before the re-test, %u after\n", before, cl_rejects_view_get_history_length (rejects));
    g_assert_cmpuint (cl_rejects_view_get_history_length (rejects), >, before);
  }
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-rejects-recovered");

  /* Reprint Face on the recovered, now good, card: off the UI thread, on the rig's printer (nothing else printed
   * on this rack line), its face carries its serial; audited as QA's "face-reprint". */
  {
    g_autoptr (GPtrArray) before = printed_documents ();
    g_autoptr (GPtrArray) after = NULL;
    g_autofree char *audits = NULL, *serial = NULL, *text = NULL, *expected = NULL;

    g_assert_cmpuint (before->len, ==, 0);
    CL_TEST_WAIT_UNTIL (gtk_widget_get_sensitive (reprint_button));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (rejects), "rejects.reprint-face", NULL));
    CL_TEST_WAIT_UNTIL_S (!cl_rejects_view_get_busy (rejects), 120);
    g_print ("# reprint: %s\n", adw_action_row_get_subtitle (reprint_row));
    g_assert_cmpstr (adw_action_row_get_subtitle (reprint_row), ==, "Face sent to the card-face printer");
    /* the face printer returns once the printer completed the job: the document is there */
    after = printed_documents ();
    g_assert_cmpuint (after->len, ==, 1);
    serial = card_serial (chip);
    g_assert_nonnull (serial);
    text = pdf_text (g_ptr_array_index (after, 0));
    g_print ("# reprinted face: %s\n", text);
    g_assert_nonnull (strstr (text, serial));
    g_assert_nonnull (strstr (text, BATCH));
    audits = face_reprint_audits (chip);
    expected = g_strdup_printf ("quinn|serial %s batch %s row -", serial, BATCH);
    g_assert_cmpstr (audits, ==, expected);
    g_assert_cmpint (card_state (chip), ==, CL_CARD_GOOD);
    cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-rejects-reprint");
  }

  {
    ClDashboardView *dashboard = CL_DASHBOARD_VIEW (cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_DASHBOARD_VIEW));
    ClDashboardModel *model = cl_dashboard_view_get_model (dashboard);

    cl_window_set_view (window, "dashboard");
    cl_dashboard_model_refresh (model);
    CL_TEST_WAIT_UNTIL (!cl_dashboard_model_get_busy (model) && cl_dashboard_model_get_data (model) != NULL);
    cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-qa-dashboard");
  }
  cl_window_set_view (window, "setup");
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-qa-setup");
  /* The operator ends the batch with Stop: audited, the batch is closed in the store. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "sign-out", NULL);
  cl_test_sign_in (window, "olga", PASSWORD);
  cl_window_set_view (window, "line");
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-stop", NULL);
  /* every card of the batch is disposed: the bar says so, as the store does (CLOSED) */
  CL_TEST_WAIT_UNTIL (g_strcmp0 (cl_test_bar_text (window, "state"), "Complete") == 0);
  CL_TEST_WAIT_UNTIL (batch_state () == CL_BATCH_CLOSED);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-after-qa");

  g_subprocess_send_signal (qa_card, SIGTERM);
  g_subprocess_wait (qa_card, NULL, NULL);
  store_view_clear (&view);
  status = 0;
}

static char *
nth (const char *list, guint n)
{
  g_auto (GStrv) parts = g_strsplit (list != NULL ? list : "", ",", -1);

  g_assert_cmpuint (g_strv_length (parts), >, n);
  return g_strdup (parts[n]);
}

int
main (int argc, char **argv)
{
  g_autoptr (ClApplication) app = NULL;
  g_autoptr (GSettings) settings = NULL;
  g_autofree char *quantity = g_strdup_printf ("%d", CARDS);
  g_autofree char *qa_port_text = NULL;
  const char *app_argv[]
    = { "cardline", "--profile", NULL, "--batch", BATCH, "--quantity", quantity, "--store", NULL, NULL };
  guint64 port;

  if (argc != 7)
    {
      g_printerr ("usage: %s PROFILE STORE CARDS-DIR DEFECTIVE-IMAGE CARDLINE-VCARD RACK-FEEDER\n", argv[0]);
      return 2;
    }
  profile_path = argv[1];
  store_path = argv[2];
  cards_dir = argv[3];
  defective = argv[4];
  vcard_exe = argv[5];
  feeder_exe = argv[6];
  production_reader = nth (g_getenv ("CARDLINE_READER_NAMES"), 0);
  qa_reader = nth (g_getenv ("CARDLINE_READER_NAMES"), 1);
  production_port = nth (g_getenv ("CARDLINE_VPCD_PORTS"), 0);
  qa_port_text = nth (g_getenv ("CARDLINE_VPCD_PORTS"), 1);
  g_assert_true (g_ascii_string_to_unsigned (qa_port_text, 10, 1, 65535, &port, NULL));
  qa_port = g_strdup_printf ("%" G_GUINT64_FORMAT, port);
  app_argv[2] = profile_path;
  app_argv[8] = store_path;

  cl_ui_init ();
  cl_test_add_user (store_path, "olga", CL_ROLE_OPERATOR, PASSWORD);
  cl_test_add_user (store_path, "quinn", CL_ROLE_QA, PASSWORD);
  /* Setup's choice of QA reader (GSETTINGS_BACKEND=memory: this process only). */
  settings = g_settings_new ("org.cardline.Cardline");
  g_settings_set_string (settings, "qa-reader", qa_reader);

  app = cl_application_new (g_get_monotonic_time ());
  cl_test_run_window (G_APPLICATION (app), G_N_ELEMENTS (app_argv) - 1, (char **)app_argv, run_test);
  g_free (production_reader);
  g_free (qa_reader);
  g_free (production_port);
  g_free (qa_port);
  return status;
}
