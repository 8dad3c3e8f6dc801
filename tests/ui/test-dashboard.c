/* The Dashboard, Rejects, Setup views and sign-in under a real X server (Xvfb), over a store with known
 * figures (cl-test-store.h): what the widgets show must equal the store; actions follow the signed-in role;
 * screenshots of each view are saved in tests/artifacts for review. */
#include <adwaita.h>

#include "cl-test-app.h"
#include "cl-test-widgets.h"
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cl-chart.h"
#include "cl-dashboard-view.h"
#include "cl-login-dialog.h"
#include "cl-rejects-view.h"
#include "cl-session.h"
#include "cl-setup-view.h"
#include "cl-store-qa-service.h"
#include "cl-test-store.h"
#include "cl-ui-error.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "station/cl-event-log.h"
#include "station/cl-reader-list.h"
#include "store/cl-store-dashboard.h"
#include "store/cl-store-rows.h"

/* The test's own reads of the store, on the thread the window made the UI thread (where a store call is a
 * g_critical): the check is off for that one statement only. */
#define TEST_READ(store, statement)                                                                                    \
  G_STMT_START                                                                                                         \
  {                                                                                                                    \
    cl_store_set_ui_thread (store, NULL);                                                                              \
    statement;                                                                                                         \
    cl_store_set_ui_thread (store, g_thread_self ());                                                                  \
  }                                                                                                                    \
  G_STMT_END

static gint64
lookup_batch (ClStore *store, const char *name)
{
  gint64 id;

  TEST_READ (store, id = cl_store_batch_lookup (store, name, NULL));
  return id;
}

static GtkWidget *
find_button (GtkWidget *root, const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The views answer from a small store in this process: a wait that takes longer than this is a hang. */
#define WAIT_UNTIL(cond) CL_TEST_WAIT_UNTIL_S (cond, 30)

static gboolean
action_enabled (ClWindow *window, const char *name)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (window), name);
}

static void
sign_in (ClSession *session, const char *user, const char *password)
{
  ClLoginDialog *dialog;

  WAIT_UNTIL ((dialog = cl_test_find_login_dialog ()) != NULL);
  cl_login_dialog_submit (dialog, user, password);
  WAIT_UNTIL (cl_session_get_signed_in (session)
              || (!cl_login_dialog_get_busy (dialog) && cl_login_dialog_get_error (dialog) != NULL));
}

static void
on_exported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError **error = user_data;

  if (!cl_dashboard_view_export_finish (CL_DASHBOARD_VIEW (source), result, error) && *error == NULL)
    g_assert_not_reached ();
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "ok");
}

/* Returns NULL on success, the error otherwise. */
static GError *export(ClDashboardView *view, const char *format, const char *path)
{
  GError *error = NULL;

  cl_dashboard_view_export_async (view, format, path, NULL, on_exported, &error);
  WAIT_UNTIL (error != NULL);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_clear_error (&error);
  return error;
}

static void
check_rejects (ClWindow *window, ClStore *store, ClSession *session)
{
  ClRejectsView *rejects = CL_REJECTS_VIEW (cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_REJECTS_VIEW));
  ClRejectQuery query = { .reason = -1 };
  g_autoptr (GPtrArray) expected = NULL;
  g_autoptr (GPtrArray) history = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCardRecord) card = NULL;
  GtkColumnView *columns;
  GListModel *shown;
  g_autoptr (GObject) first = NULL;
  g_autofree char *reason = NULL;

  cl_window_set_view (window, "rejects");
  WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
  TEST_READ (store, expected = cl_store_reject_search (store, &query, &error));
  g_assert_no_error (error);
  /* The column view shows exactly the store's open rejects, with the store's values. */
  columns = cl_rejects_view_get_column_view (rejects);
  shown = G_LIST_MODEL (gtk_column_view_get_model (columns));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, expected->len);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_column_view_get_columns (columns)), ==, 8);
  first = g_list_model_get_item (shown, 0);
  g_object_get (first, "reason", &reason, NULL);
  g_assert_cmpstr (reason, ==, cl_reject_reason_to_string (((ClRejectRow *)g_ptr_array_index (expected, 0))->reason));

  /* A page smaller than the rejects (the closed ones included: the test store has one open): the newest ones, and
   * the bar that says older ones match; Show More shows them, and a new search starts again from the first page. */
  {
    ClRejectQuery all_query = { .reason = -1, .include_closed = TRUE };
    g_autoptr (GPtrArray) all = NULL;
    GtkCheckButton *closed
      = GTK_CHECK_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (rejects), CL_TYPE_REJECTS_VIEW, "closed_check"));
    GtkWidget *label
      = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (rejects), CL_TYPE_REJECTS_VIEW, "more_label"));
    g_autofree char *text = NULL;

    TEST_READ (store, all = cl_store_reject_search (store, &all_query, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (all->len, >=, 2);
    text = g_strdup_printf ("The latest %u matching cards are shown; older ones match too.", all->len - 1);
    cl_rejects_view_set_page_size (rejects, all->len - 1);
    gtk_check_button_set_active (closed, TRUE);
    WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, all->len - 1);
    g_assert_cmpstr (cl_test_template_label (GTK_WIDGET (rejects), CL_TYPE_REJECTS_VIEW, "more_label"), ==, text);
    g_assert_true (gtk_widget_is_visible (label));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (rejects), "rejects.show-more", NULL));
    WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, all->len);
    g_assert_false (gtk_widget_is_visible (label));
    cl_rejects_view_set_search (rejects, "");
    WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, all->len - 1);
    g_assert_true (gtk_widget_is_visible (label));
    cl_rejects_view_set_page_size (rejects, 500);
    gtk_check_button_set_active (closed, FALSE);
    WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
    g_assert_cmpuint (g_list_model_get_n_items (shown), ==, expected->len);
    g_assert_false (gtk_widget_is_visible (label));
  }

  /* Search by the printed serial; then every card, to find the scrapped one by its chip. */
  cl_rejects_view_set_search (rejects, "SN-0004");
  WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);

  /* History equals the store's. */
  g_assert_true (cl_rejects_view_select_chip (rejects, CL_TEST_CHIP_R4));
  WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
  TEST_READ (store, history = cl_store_card_history (store, CL_TEST_CHIP_R4, &error));
  g_assert_cmpuint (cl_rejects_view_get_history_length (rejects), ==, history->len);

  /* QA re-test: diagnose in the QA reader chosen in Setup, then scrap with a comment. */
  g_settings_set_string (cl_window_get_settings (window), "qa-reader", "QA Reader 0");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (rejects), "rejects.diagnose", NULL));
  WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-rejects"));
  gtk_editable_set_text (GTK_EDITABLE (cl_test_find_by_type (GTK_WIDGET (rejects), ADW_TYPE_ENTRY_ROW)),
                         "contacts scratched");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (rejects), "rejects.scrap", NULL));
  WAIT_UNTIL (!cl_rejects_view_get_busy (rejects) && g_list_model_get_n_items (shown) == 0);
  TEST_READ (store, card = cl_store_card_lookup (store, CL_TEST_CHIP_R4, &error));
  g_assert_cmpint (card->state, ==, CL_CARD_SCRAPPED);
  cl_rejects_view_set_search (rejects, "");
  WAIT_UNTIL (!cl_rejects_view_get_busy (rejects));
}

static void
collect_line_charts (GtkWidget *root, GPtrArray *charts)
{
  if (CL_IS_CHART (root) && cl_chart_get_kind (CL_CHART (root)) == CL_CHART_LINE)
    g_ptr_array_add (charts, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_line_charts (child, charts);
}

/* The time charts from the narrowest the dashboard lays them out to wider, one above the other, for review: time
 * labels apart and inside the chart at every width (tests/ui/test-chart-axis.c checks the layout itself). */
static void
save_chart_widths (ClDashboardView *dashboard)
{
  static const int widths[] = { 200, 260, 340, 480, 720 };
  static const GdkRGBA black = { 0, 0, 0, 1 };
  const int height = 170;
  g_autoptr (GPtrArray) charts = g_ptr_array_new ();
  g_autofree char *path = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  int y = 0;

  collect_line_charts (GTK_WIDGET (dashboard), charts);
  g_assert_cmpuint (charts->len, >, 0);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, widths[G_N_ELEMENTS (widths) - 1] + 20,
                                        (int)(charts->len * G_N_ELEMENTS (widths)) * (height + 10) + 10);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  for (guint c = 0; c < charts->len; c++)
    for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
      {
        y += 10;
        cairo_save (cr);
        cairo_translate (cr, 10, y);
        cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
        cairo_rectangle (cr, -0.5, -0.5, widths[w] + 1, height + 1);
        cairo_set_line_width (cr, 1);
        cairo_stroke (cr);
        cl_chart_render (g_ptr_array_index (charts, c), cr, widths[w], height, &black);
        cairo_restore (cr);
        y += height;
      }
  cairo_destroy (cr);
  path = g_build_filename (g_getenv ("CARDLINE_BUILD_DIR") ?: ".", "tests", "artifacts", "ui-chart-widths.png", NULL);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

typedef struct
{
  int row; /* the word's top, to the nearest point: words on one line share it */
  double left, right;
  char *text;
} PdfWord;

static void
pdf_word_free (gpointer data)
{
  PdfWord *word = data;

  g_free (word->text);
  g_free (word);
}

static int
pdf_word_compare (gconstpointer a, gconstpointer b)
{
  const PdfWord *x = *(PdfWord *const *)a, *y = *(PdfWord *const *)b;

  if (x->row != y->row)
    return x->row < y->row ? -1 : 1;
  return x->left < y->left ? -1 : x->left > y->left;
}

/* The words of the PDF's first page with their boxes, as pdftotext -bbox finds them, in reading order. */
static GPtrArray *
pdf_first_page_words (const char *path)
{
  const char *argv[] = { "pdftotext", "-bbox", "-f", "1", "-l", "1", path, "-", NULL };
  g_autoptr (GRegex) regex = g_regex_new ("<word xMin=\"([0-9.]+)\" yMin=\"([0-9.]+)\" xMax=\"([0-9.]+)\" "
                                          "yMax=\"[0-9.]+\">([^<]*)</word>",
                                          0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  GPtrArray *words = g_ptr_array_new_with_free_func (pdf_word_free);
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                     NULL, &status, &error))
    g_error ("pdftotext (Debian package poppler-utils, in .ci/packages): %s", error->message);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  for (g_regex_match (regex, out, 0, &match); g_match_info_matches (match); g_match_info_next (match, NULL))
    {
      PdfWord *word = g_new0 (PdfWord, 1);
      g_autofree char *left = g_match_info_fetch (match, 1);
      g_autofree char *top = g_match_info_fetch (match, 2);
      g_autofree char *right = g_match_info_fetch (match, 3);

      word->row = (int)round (g_ascii_strtod (top, NULL));
      word->left = g_ascii_strtod (left, NULL);
      word->right = g_ascii_strtod (right, NULL);
      word->text = g_match_info_fetch (match, 4);
      g_ptr_array_add (words, word);
    }
  g_ptr_array_sort (words, pdf_word_compare);
  return words;
}

/* The report's summary block: each label, whole, ends a clear gap before its value on the same line (the first
 * place the label's words appear: the chart legends below repeat some of them). */
static void
check_report_summary (const char *pdf_path)
{
  static const char *const labels[]
    = { "Cards fed",        "Good",        "Rejected (feeds)",       "Recovered by QA / scrapped",
        "First-pass yield", "Final yield", "Throughput (last hour)", "Mean cycle time" };
  g_autoptr (GPtrArray) words = pdf_first_page_words (pdf_path);

  for (guint l = 0; l < G_N_ELEMENTS (labels); l++)
    {
      g_auto (GStrv) parts = g_strsplit (labels[l], " ", -1);
      guint n = g_strv_length (parts);
      gboolean found = FALSE;

      for (guint i = 0; !found && i + n < words->len; i++)
        {
          PdfWord *last = g_ptr_array_index (words, i + n - 1), *value = g_ptr_array_index (words, i + n);
          guint k = 0;

          while (k < n && ((PdfWord *)g_ptr_array_index (words, i + k))->row == value->row
                 && g_str_equal (((PdfWord *)g_ptr_array_index (words, i + k))->text, parts[k]))
            k++;
          if (k < n)
            continue;
          found = TRUE;
          g_test_message ("summary: \"%s\" ends at %.1f, its value \"%s\" begins at %.1f", labels[l], last->right,
                          value->text, value->left);
          g_assert_cmpfloat (value->left - last->right, >=, 6.0);
        }
      if (!found)
        g_error ("the report's summary has no label \"%s\" followed by a value on its line", labels[l]);
    }
}

/* Batch B1 with two data rows (nothing produced from them): the manifest from the Dashboard, and the report's data
 * row line. With all batches shown, a manifest is refused: it is one batch's. */
static void
check_manifest (ClDashboardView *dashboard, ClDashboardModel *model, ClStore *store)
{
  g_autofree char *dir = g_build_filename (g_getenv ("CARDLINE_BUILD_DIR") ?: ".", "tests", "artifacts", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "manifest.csv", NULL);
  g_autofree char *json_path = g_build_filename (dir, "manifest.json", NULL);
  g_autofree char *pdf_path = g_build_filename (dir, "batch-report-rows.pdf", NULL);
  g_autofree char *csv = NULL, *json = NULL, *text = NULL;
  g_autoptr (ClYieldSummary) summary = NULL;
  g_autoptr (GError) error = NULL;
  ClRowImport rows[2] = { { 2, "R-1", "Ada", NULL, NULL, NULL }, { 3, "@R-2", "Alan", NULL, NULL, NULL } };
  ClDataFileImport file = { "people.csv",
                            "1111111111111111111111111111111111111111111111111111111111111111",
                            "",
                            FALSE,
                            0,
                            "supervisor",
                            rows,
                            2 };
  const char *argv[] = { "pdftotext", pdf_path, "-", NULL };
  gint64 batch = 0;
  int status = 0;

  error = export(dashboard, "manifest-csv", csv_path);
  g_assert_error (error, CL_UI_ERROR, CL_UI_ERROR_EXPORT);
  g_clear_error (&error);
  TEST_READ (store, batch = cl_store_batch_lookup (store, "B1", &error));
  TEST_READ (store, g_assert_cmpint (cl_store_rows_import (store, batch, &file, NULL, &error), >, 0));
  g_assert_no_error (error);
  TEST_READ (store, summary = cl_store_yield_summary (store, batch, 0, 0, &error));
  cl_dashboard_model_set_batch_id (model, batch);
  WAIT_UNTIL (!cl_dashboard_model_get_busy (model) && cl_dashboard_model_get_data (model) != NULL
              && cl_dashboard_model_get_data (model)->batch_id == batch);
  g_assert_no_error (export(dashboard, "manifest-csv", csv_path));
  g_assert_no_error (export(dashboard, "manifest-json", json_path));
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "record,row_reference,row_line,chip_id,"));
  g_assert_nonnull (strstr (csv, "\r\nrow,R-1,2,,,,,PENDING,,,\r\nrow,\"'@R-2\",3,"));
  /* one line per rejected card of the batch, as the summary counts them */
  {
    guint rejected = 0;

    for (const char *p = strstr (csv, "\r\nrejected,"); p != NULL; p = strstr (p + 1, "\r\nrejected,"))
      rejected++;
    g_assert_cmpuint (rejected, ==, summary->rejected);
  }
  g_assert_true (g_file_get_contents (json_path, &json, NULL, NULL));
  g_assert_nonnull (strstr (json, "\"rows\":{\"pending\":2,\"in_production\":0,\"done\":0,\"failed\":0}"));
  g_assert_no_error (export(dashboard, "pdf", pdf_path));
  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &text, NULL, &status, NULL));
  g_assert_nonnull (strstr (text, "Data rows: 2 pending, 0 in production, 0 done, 0 failed"));
}

static void
check_dashboard (ClWindow *window, ClStore *store, ClSession *session)
{
  ClDashboardView *dashboard = CL_DASHBOARD_VIEW (cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_DASHBOARD_VIEW));
  ClDashboardModel *model = cl_dashboard_view_get_model (dashboard);
  g_autoptr (ClYieldSummary) summary = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *pdf_path = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *pdf = NULL;
  gsize pdf_len = 0;
  char text[64];
  ClChart *chart;

  cl_window_set_view (window, "dashboard");
  cl_dashboard_model_refresh (model);
  WAIT_UNTIL (!cl_dashboard_model_get_busy (model) && cl_dashboard_model_get_data (model) != NULL);
  TEST_READ (store, summary = cl_store_yield_summary (store, 0, 0, 0, &error));
  g_assert_no_error (error);
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, summary->fed);
  g_assert_cmpstr (gtk_label_get_text (cl_dashboard_view_get_counter (dashboard, "fed")), ==, text);
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, summary->good);
  g_assert_cmpstr (gtk_label_get_text (cl_dashboard_view_get_counter (dashboard, "good")), ==, text);
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, summary->rejected);
  g_assert_cmpstr (gtk_label_get_text (cl_dashboard_view_get_counter (dashboard, "rejected")), ==, text);
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, summary->recovered);
  g_assert_cmpstr (gtk_label_get_text (cl_dashboard_view_get_counter (dashboard, "recovered")), ==, text);
  g_snprintf (text, sizeof text, "%.1f %%", summary->final_yield * 100);
  g_assert_cmpstr (gtk_label_get_text (cl_dashboard_view_get_counter (dashboard, "final")), ==, text);

  /* Each chart is bound to its series and has drawn. */
  chart = CL_CHART (cl_test_find_by_type (GTK_WIDGET (dashboard), CL_TYPE_CHART));
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_cmpuint (cl_chart_get_draw_count (chart), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (cl_chart_get_series (chart)), ==, 1);

  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-dashboard-light"));
  save_chart_widths (dashboard);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-dashboard-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* Export as the supervisor: a PDF and a CSV, both audited. */
  pdf_path = g_build_filename (g_getenv ("CARDLINE_BUILD_DIR") ?: ".", "tests", "artifacts", "batch-report.pdf", NULL);
  csv_path = g_build_filename (g_getenv ("CARDLINE_BUILD_DIR") ?: ".", "tests", "artifacts", "batch-report.csv", NULL);
  g_assert_no_error (export(dashboard, "pdf", pdf_path));
  g_assert_no_error (export(dashboard, "csv", csv_path));
  g_assert_true (g_file_get_contents (pdf_path, &pdf, &pdf_len, NULL));
  g_assert_cmpuint (pdf_len, >, 1000);
  g_assert_true (g_str_has_prefix (pdf, "%PDF"));
  check_report_summary (pdf_path);
  g_assert_true (g_file_test (csv_path, G_FILE_TEST_IS_REGULAR));
  g_print ("# report: %s\n", pdf_path);
  check_manifest (dashboard, model, store);
}

static void
on_activate (GtkApplication *app, gpointer user_data)
{
  g_autofree char *path = NULL;
  g_autoptr (ClStore) store = cl_test_store_new (&path);
  g_autoptr (ClReaderList) stations = cl_reader_list_new ();
  g_autoptr (ClEventLog) events = cl_event_log_new (100);
  g_autoptr (ClReader) qa_reader = cl_reader_new ("QA Reader 0");
  g_autoptr (ClSession) session = NULL;
  g_autoptr (ClStoreQaService) qa = NULL;
  g_autoptr (GError) error = NULL;
  ClDashboardView *dashboard;
  ClLoginDialog *dialog;
  GtkWidget *setup;
  ClWindow *window;

  cl_test_store_fill (store, TRUE);
  cl_reader_list_add (stations, qa_reader);
  session = cl_session_new (store);
  qa = cl_store_qa_service_new (store);
  window = cl_window_new (app, G_LIST_MODEL (stations), G_LIST_MODEL (events));
  g_assert_nonnull (cl_window_get_settings (window));
  cl_window_set_session (window, session);
  cl_window_set_qa_service (window, CL_QA_SERVICE (qa));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  cl_test_wait_for_frame (GTK_WIDGET (window));
  dashboard = CL_DASHBOARD_VIEW (cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_DASHBOARD_VIEW));

  /* Nobody signed in: nothing privileged is enabled. */
  g_assert_false (action_enabled (window, "line-start"));
  g_assert_false (gtk_widget_get_sensitive (find_button (GTK_WIDGET (dashboard), "Export _PDF…")));
  cl_window_require_sign_in (window);
  WAIT_UNTIL ((dialog = cl_test_find_login_dialog ()) != NULL);
  g_free (cl_test_save_screenshot (GTK_WIDGET (dialog), "ui-login"));

  /* A wrong password: refused, nothing signed in, the password not kept in the entry. */
  sign_in (session, "quinn", "not the password");
  g_assert_false (cl_session_get_signed_in (session));
  g_assert_cmpstr (cl_login_dialog_get_error (cl_test_find_login_dialog ()), ==, "Unknown user or wrong password");

  /* QA: rejects re-test, no line control, no export. */
  sign_in (session, "quinn", CL_TEST_PASSWORD);
  g_assert_true (cl_session_get_signed_in (session));
  g_assert_cmpint (cl_session_get_role (session), ==, CL_ROLE_QA);
  g_assert_false (action_enabled (window, "line-start"));
  g_assert_false (gtk_widget_get_sensitive (find_button (GTK_WIDGET (dashboard), "Export _PDF…")));
  error = export(dashboard, "pdf", "/nonexistent/never.pdf");
  g_assert_error (error, CL_UI_ERROR, CL_UI_ERROR_NOT_ALLOWED);
  g_clear_error (&error);
  check_rejects (window, store, session);

  /* Signing out asks for a sign-in again; the supervisor may export and control the line, not re-test. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "sign-out", NULL);
  g_assert_false (cl_session_get_signed_in (session));
  sign_in (session, "sam", CL_TEST_PASSWORD);
  g_assert_cmpint (cl_session_get_role (session), ==, CL_ROLE_SUPERVISOR);
  g_assert_true (action_enabled (window, "line-start"));
  g_assert_true (gtk_widget_get_sensitive (find_button (GTK_WIDGET (dashboard), "Export _PDF…")));
  check_dashboard (window, store, session);

  cl_window_set_view (window, "setup");
  setup = cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_SETUP_VIEW);
  g_assert_nonnull (setup);
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-setup"));

  /* The supervisor sets up a batch with the chosen profile: recorded with the profile's hash, audited. */
  {
    g_autofree char *profile = g_strconcat (path, ".profile", NULL);
    gint64 created = 0;

    g_assert_true (g_file_set_contents (profile, "[profile]\nname=test\n", -1, NULL));
    g_settings_set_string (cl_window_get_settings (window), "profile-path", profile);
    gtk_editable_set_text (GTK_EDITABLE (cl_test_find_by_type (setup, ADW_TYPE_ENTRY_ROW)), "B2");
    g_assert_true (gtk_widget_get_sensitive (find_button (setup, "C_reate Batch")));
    g_assert_true (gtk_widget_activate_action (setup, "setup.create-batch", NULL));
    WAIT_UNTIL ((created = lookup_batch (store, "B2")) > 0);
    g_unlink (profile);
  }

  /* Operator: the line only. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "sign-out", NULL);
  sign_in (session, "olga", CL_TEST_PASSWORD);
  g_assert_cmpint (cl_session_get_role (session), ==, CL_ROLE_OPERATOR);
  g_assert_true (action_enabled (window, "line-start"));
  g_assert_false (gtk_widget_get_sensitive (find_button (GTK_WIDGET (dashboard), "Export _PDF…")));
  g_assert_false (gtk_widget_get_sensitive (find_button (setup, "C_reate Batch")));
  g_action_group_activate_action (G_ACTION_GROUP (window), "line-start", NULL);

  /* Every privileged act is in the audit trail (written by a worker, in order), and the chain holds. */
  WAIT_UNTIL (cl_session_get_audits_pending (session) == 0);
  TEST_READ (store, g_assert_true (cl_store_verify_audit_chain (store, NULL, &error)));
  g_assert_no_error (error);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&store);
  cl_test_store_remove (path);
}

static void
test_views (void)
{
  g_autoptr (AdwApplication) app = NULL;
  int status;

  app = g_object_new (ADW_TYPE_APPLICATION, "application-id", "org.cardline.Cardline.UiDashboard", "flags",
                      G_APPLICATION_NON_UNIQUE, "resource-base-path", "/org/cardline/Cardline", NULL);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  status = g_application_run (G_APPLICATION (app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cl_ui_init ();
  g_test_add_func ("/ui/dashboard-rejects-setup-login", test_views);
  return g_test_run ();
}
