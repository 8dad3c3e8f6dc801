/* Dashboard and QA models from a store with known figures (cl-test-store.h): no display needed. */
#include <glib/gstdio.h>
#include <string.h>

#include "cl-batch-report.h"
#include "cl-dashboard-data.h"
#include "cl-dashboard-model.h"
#include "cl-session.h"
#include "cl-test-store.h"
#include "store/cl-store-dashboard.h"
#include "core/cl-error.h"
#include "store/cl-store-users.h"

typedef struct
{
  char *path;
  ClStore *store;
  gint64 batch;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->store = cl_test_store_new (&f->path);
  f->batch = cl_test_store_fill (f->store, GPOINTER_TO_INT (data));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  cl_test_store_remove (f->path);
  g_free (f->path);
}

static void
test_summary_and_pareto (Fixture *f, gconstpointer unused)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDashboardData) data = cl_dashboard_data_build (f->store, f->batch, &error);
  const ClYieldSummary *s;

  g_assert_no_error (error);
  s = data->summary;
  g_assert_cmpuint (s->fed, ==, 11);
  g_assert_cmpuint (s->distinct_chips, ==, 10);
  g_assert_cmpuint (s->good, ==, 7);
  g_assert_cmpuint (s->first_pass_good, ==, 6);
  g_assert_cmpuint (s->rejected, ==, 4);
  /* The store's yield module counts the QA recovery: recovered cards raise the final yield. */
  g_assert_cmpuint (s->recovered, ==, 1);
  g_assert_cmpuint (s->scrapped, ==, 1);
  g_assert_cmpfloat_with_epsilon (s->first_pass_yield, 6.0 / 11.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (s->final_yield, 0.8, 1e-9);

  /* Pareto: largest first, ties in the closed list's order. */
  g_assert_cmpuint (g_strv_length (data->reason_labels), ==, 3);
  g_assert_cmpstr (data->reason_labels[0], ==, "LOAD_FAILED");
  g_assert_cmpstr (data->reason_labels[1], ==, "AUTH_KST_FAILED");
  g_assert_cmpstr (data->reason_labels[2], ==, "VERIFY_FAILED");
  g_assert_cmpfloat (g_array_index (data->reason_counts, double, 0), ==, 2);
  g_assert_cmpfloat (g_array_index (data->reason_counts, double, 1), ==, 1);
  g_assert_cmpstr (data->step_labels[0], ==, "LOAD_APPLET");
  g_assert_cmpstr (data->step_labels[1], ==, "OPEN_KST");
  g_assert_cmpstr (data->step_labels[2], ==, "VERIFY");

  /* Cycle time per step, in sequence order; LOAD_APPLET is the 500 ms step. */
  for (guint i = 0; data->cycle_labels[i] != NULL; i++)
    {
      double expected = g_str_equal (data->cycle_labels[i], "LOAD_APPLET") ? 0.5 : 0.1;

      g_assert_cmpfloat_with_epsilon (g_array_index (data->cycle_seconds, double, i), expected, 1e-9);
    }
  g_assert_cmpstr (data->cycle_labels[0], ==, "IDENTIFY");
  g_assert_cmpuint (data->batches->len, ==, 1);
}

static double
sum (GArray *values)
{
  double total = 0;

  for (guint i = 0; i < values->len; i++)
    total += g_array_index (values, double, i);
  return total;
}

static void
test_series (Fixture *f, gconstpointer unused)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDashboardData) data = cl_dashboard_data_build (f->store, 0, &error);
  double last_final, first_final = -1;

  g_assert_no_error (error);
  /* About one day of span up to the QA actions: hourly buckets, within the limit. */
  g_assert_cmpint (data->bucket_us, ==, (gint64)3600 * G_USEC_PER_SEC);
  g_assert_cmpuint (data->throughput->len, <=, CL_DASHBOARD_MAX_BUCKETS);
  g_assert_cmpuint (data->throughput->len, ==, data->final_yield->len);
  /* Seven good production attempts, each counted once at 1 card/bucket-hour. */
  g_assert_cmpfloat_with_epsilon (sum (data->throughput), 7.0, 1e-9);
  /* The final yield only ever counts what happened up to each bucket's end, and ends at the summary's. */
  for (guint i = 0; i < data->final_yield->len; i++)
    if (g_array_index (data->first_pass, double, i) > 0 && first_final < 0)
      first_final = g_array_index (data->final_yield, double, i);
  last_final = g_array_index (data->final_yield, double, data->final_yield->len - 1);
  g_assert_cmpfloat_with_epsilon (last_final, 0.8, 1e-9);
  g_assert_cmpfloat (first_final, >, 0);
}

static void
test_bucket_choice (void)
{
  gint64 minute = 60 * G_USEC_PER_SEC;

  g_assert_cmpint (cl_dashboard_bucket_for_span (30 * minute), ==, minute);
  g_assert_cmpint (cl_dashboard_bucket_for_span (5 * 60 * minute), ==, 5 * minute);
  g_assert_cmpint (cl_dashboard_bucket_for_span (3 * 24 * 60 * minute), ==, 60 * minute);
  g_assert_cmpint (cl_dashboard_bucket_for_span (20 * 24 * 60 * minute), ==, 360 * minute);
}

static void
on_updated (ClDashboardModel *model, GMainLoop *loop)
{
  g_main_loop_quit (loop);
}

static void
test_model_worker (Fixture *f, gconstpointer unused)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (ClDashboardModel) model = cl_dashboard_model_new (NULL);
  ClChartSeries *reasons;

  g_signal_connect (model, "updated", G_CALLBACK (on_updated), loop);
  cl_dashboard_model_set_batch_id (model, f->batch);
  cl_dashboard_model_set_store (model, f->store);
  g_assert_true (cl_dashboard_model_get_busy (model));
  g_main_loop_run (loop);
  g_assert_false (cl_dashboard_model_get_busy (model));
  reasons = cl_dashboard_model_get_series (model, CL_DASHBOARD_REJECTS_BY_REASON);
  g_assert_cmpuint (cl_chart_series_get_n_values (reasons), ==, 3);
  g_assert_cmpstr (cl_chart_series_get_label (reasons, 0), ==, "LOAD_FAILED");
  g_assert_cmpfloat (cl_chart_series_get_value (reasons, 0), ==, 2);
  g_assert_cmpuint (cl_dashboard_model_get_data (model)->summary->fed, ==, 11);
}

static void
test_reject_search (Fixture *f, gconstpointer unused)
{
  g_autoptr (GError) error = NULL;
  ClRejectQuery open = { .reason = -1 };
  ClRejectQuery all = { .reason = -1, .include_closed = TRUE };
  ClRejectQuery load = { .reason = CL_REJECT_LOAD_FAILED, .include_closed = TRUE, .batch_id = f->batch };
  ClRejectQuery serial = { .reason = -1, .include_closed = TRUE, .search = "sn-000" };
  ClRejectQuery chip = { .reason = -1, .include_closed = TRUE, .search = "a3" };
  ClRejectQuery future = { .reason = -1, .include_closed = TRUE, .from = g_get_real_time () };
  g_autoptr (GPtrArray) rows = NULL;
  ClRejectRow *row;

  rows = cl_store_reject_search (f->store, &open, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = g_ptr_array_index (rows, 0);
  g_assert_cmpstr (row->chip_id, ==, CL_TEST_CHIP_R4);
  g_assert_cmpstr (row->printed_serial, ==, "SN-0004");
  g_assert_cmpint (row->reason, ==, CL_REJECT_VERIFY_FAILED);
  g_assert_cmpint (row->failed_step, ==, CL_STEP_VERIFY);
  g_assert_cmpint (row->last_sw, ==, 0x6982);
  g_assert_cmpstr (row->batch_name, ==, "B1");
  g_clear_pointer (&rows, g_ptr_array_unref);

  rows = cl_store_reject_search (f->store, &all, &error);
  g_assert_cmpuint (rows->len, ==, 4);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = cl_store_reject_search (f->store, &load, &error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = cl_store_reject_search (f->store, &serial, &error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = cl_store_reject_search (f->store, &chip, &error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((ClRejectRow *)g_ptr_array_index (rows, 0))->chip_id, ==, CL_TEST_CHIP_R3);
  g_assert_cmpint (((ClRejectRow *)g_ptr_array_index (rows, 0))->state, ==, CL_CARD_SCRAPPED);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = cl_store_reject_search (f->store, &future, &error);
  g_assert_cmpuint (rows->len, ==, 0);
}

static void
test_card_history (Fixture *f, gconstpointer unused)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = cl_store_card_history (f->store, CL_TEST_CHIP_R2, &error);
  guint attempts = 0, steps = 0, ends = 0, qa = 0;
  ClCardEvent *last;

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      ClCardEvent *event = g_ptr_array_index (events, i);

      attempts += event->kind == CL_CARD_EVENT_ATTEMPT;
      steps += event->kind == CL_CARD_EVENT_STEP;
      ends += event->kind == CL_CARD_EVENT_END;
      qa += event->kind == CL_CARD_EVENT_QA;
      if (i > 0)
        g_assert_cmpint (event->when, >=, ((ClCardEvent *)g_ptr_array_index (events, i - 1))->when);
    }
  /* Production: IDENTIFY..LOAD_APPLET (5 steps, the last failed); QA re-test: IDENTIFY..VERIFY + DISPOSE. */
  g_assert_cmpuint (attempts, ==, 2);
  g_assert_cmpuint (ends, ==, 2);
  g_assert_cmpuint (steps, ==, 5 + 9);
  g_assert_cmpuint (qa, ==, 1);
  last = g_ptr_array_index (events, events->len - 1);
  g_assert_cmpint (last->kind, ==, CL_CARD_EVENT_QA);
  g_assert_cmpstr (last->what, ==, "RECOVER");

  g_assert_null (cl_store_card_history (f->store, "FFFF", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
}

static void
test_users (Fixture *f, gconstpointer unused)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = NULL;
  g_autofree char *hash = NULL;
  ClUserRole role;

  g_assert_true (cl_store_user_authenticate (f->store, "sam", CL_TEST_PASSWORD, &role, &error));
  g_assert_no_error (error);
  g_assert_cmpint (role, ==, CL_ROLE_SUPERVISOR);
  g_assert_false (cl_store_user_authenticate (f->store, "sam", "wrong password", &role, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);
  /* An unknown name fails the same way. */
  g_assert_false (cl_store_user_authenticate (f->store, "nobody", CL_TEST_PASSWORD, &role, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);
  g_assert_true (cl_store_user_disable (f->store, "olga", "test", &error));
  g_assert_false (cl_store_user_authenticate (f->store, "olga", CL_TEST_PASSWORD, &role, &error));
  g_clear_error (&error);
  g_assert_false (cl_store_user_set_password (f->store, "sam", "short", "test", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  users = cl_store_user_list (f->store, &error);
  g_assert_cmpuint (users->len, ==, 3);
  g_assert_true (((ClUserInfo *)g_ptr_array_index (users, 0))->disabled); /* olga, by name */
  g_assert_true (((ClUserInfo *)g_ptr_array_index (users, 0))->has_password);

  hash = cl_password_hash (CL_TEST_PASSWORD, NULL, 1000, &error);
  g_assert_null (strstr (hash, CL_TEST_PASSWORD));
  g_assert_true (cl_password_verify (CL_TEST_PASSWORD, hash));
  g_assert_false (cl_password_verify ("correct horse batterY", hash));
  g_assert_false (cl_password_verify (CL_TEST_PASSWORD, "pbkdf2-sha256$1000$zz$00"));
  g_assert_true (cl_store_verify_audit_chain (f->store, NULL, &error));
}

static void
test_role_policy (void)
{
  g_assert_true (cl_role_allows (CL_ROLE_OPERATOR, CL_PERMISSION_LINE_CONTROL));
  g_assert_false (cl_role_allows (CL_ROLE_OPERATOR, CL_PERMISSION_DASHBOARD_EXPORT));
  g_assert_false (cl_role_allows (CL_ROLE_OPERATOR, CL_PERMISSION_QA_RETEST));
  g_assert_true (cl_role_allows (CL_ROLE_SUPERVISOR, CL_PERMISSION_LINE_CONTROL));
  g_assert_true (cl_role_allows (CL_ROLE_SUPERVISOR, CL_PERMISSION_DASHBOARD_EXPORT));
  g_assert_true (cl_role_allows (CL_ROLE_SUPERVISOR, CL_PERMISSION_BATCH_SETUP));
  g_assert_false (cl_role_allows (CL_ROLE_SUPERVISOR, CL_PERMISSION_QA_RETEST));
  g_assert_true (cl_role_allows (CL_ROLE_QA, CL_PERMISSION_QA_RETEST));
  g_assert_true (cl_role_allows (CL_ROLE_QA, CL_PERMISSION_FACE_REPRINT));
  g_assert_true (cl_role_allows (CL_ROLE_SUPERVISOR, CL_PERMISSION_FACE_REPRINT));
  g_assert_false (cl_role_allows (CL_ROLE_OPERATOR, CL_PERMISSION_FACE_REPRINT));
  g_assert_false (cl_role_allows (CL_ROLE_QA, CL_PERMISSION_LINE_CONTROL));
  g_assert_false (cl_role_allows (CL_ROLE_CUSTODIAN, CL_PERMISSION_LINE_CONTROL));
  for (guint p = 0; p < CL_PERMISSION_COUNT; p++)
    g_assert_true (cl_role_allows (CL_ROLE_ADMIN, p));
}

static void
test_csv_report (Fixture *f, gconstpointer unused)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDashboardData) data = cl_dashboard_data_build (f->store, f->batch, &error);
  g_autofree char *path = g_strconcat (f->path, ".csv", NULL);
  g_autofree char *csv = NULL;

  g_assert_true (cl_batch_report_write_csv (data, path, &error));
  g_assert_true (g_file_get_contents (path, &csv, NULL, &error));
  g_assert_nonnull (strstr (csv, "fed"));
  g_assert_nonnull (strstr (csv, "LOAD_FAILED"));
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/dashboard/summary-pareto", Fixture, NULL, fixture_set_up, test_summary_and_pareto, fixture_tear_down);
  g_test_add ("/dashboard/series", Fixture, NULL, fixture_set_up, test_series, fixture_tear_down);
  g_test_add_func ("/dashboard/bucket-choice", test_bucket_choice);
  g_test_add ("/dashboard/model-worker", Fixture, NULL, fixture_set_up, test_model_worker, fixture_tear_down);
  g_test_add ("/dashboard/csv", Fixture, NULL, fixture_set_up, test_csv_report, fixture_tear_down);
  g_test_add ("/rejects/search", Fixture, NULL, fixture_set_up, test_reject_search, fixture_tear_down);
  g_test_add ("/rejects/history", Fixture, NULL, fixture_set_up, test_card_history, fixture_tear_down);
  g_test_add ("/roles/users", Fixture, GINT_TO_POINTER (TRUE), fixture_set_up, test_users, fixture_tear_down);
  g_test_add_func ("/roles/policy", test_role_policy);
  return g_test_run ();
}
