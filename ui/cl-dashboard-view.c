/* cl-dashboard-view.c: the supervisor dashboard (cl-dashboard-view.h). */
#include "cl-dashboard-view.h"

#include <glib/gi18n.h>

#include "cl-batch-report.h"
#include "cl-chart.h"
#include "cl-import-dialog.h"
#include "cl-stations-view.h"
#include "cl-ui-error.h"
#include "cl-ui.h"
#include "store/cl-store-manifest.h"

struct _ClDashboardView
{
  AdwBin parent_instance;

  ClDashboardModel *model;
  ClSession *session;
  GArray *batch_ids; /* gint64 per dropdown position; 0 = all */
  gboolean updating_batches;
  GPtrArray *station_names; /* char * per dropdown position after "All stations" */
  gboolean updating_stations;
  GHashTable *counters; /* name -> GtkLabel (borrowed) */

  GtkDropDown *batch_dropdown;
  GtkDropDown *station_dropdown;
  GtkSpinner *spinner;
  GtkLabel *bucket_label;
  GtkFlowBox *counters_box;
  ClStationsView *stations_view;
  ClChart *throughput_chart;
  ClChart *yield_chart;
  ClChart *reason_chart;
  ClChart *step_chart;
  ClChart *cycle_chart;
};

G_DEFINE_FINAL_TYPE (ClDashboardView, cl_dashboard_view, ADW_TYPE_BIN)

static const struct
{
  const char *name;
  const char *caption;
} counter_names[] = {
  { "fed", N_ ("Fed") },
  { "good", N_ ("Good") },
  { "rejected", N_ ("Rejected") },
  { "recovered", N_ ("Recovered") },
  { "first-pass", N_ ("First-pass yield") },
  { "final", N_ ("Final yield") },
  { "throughput", N_ ("Good cards/hour") },
  { "cycle", N_ ("Mean cycle") },
};

GtkLabel *
cl_dashboard_view_get_counter (ClDashboardView *self, const char *name)
{
  g_return_val_if_fail (CL_IS_DASHBOARD_VIEW (self), NULL);
  return g_hash_table_lookup (self->counters, name);
}

static void
set_counter (ClDashboardView *self, const char *name, const char *value)
{
  GtkLabel *label = cl_dashboard_view_get_counter (self, name);

  gtk_label_set_text (label, value);
}

static void
update_batches (ClDashboardView *self, const ClDashboardData *data)
{
  g_autoptr (GtkStringList) names = NULL;
  guint selected = 0;
  gboolean same = data->batches->len + 1 == self->batch_ids->len;

  for (guint i = 0; same && i < data->batches->len; i++)
    same = ((ClBatchInfo *)g_ptr_array_index (data->batches, i))->id == g_array_index (self->batch_ids, gint64, i + 1);
  if (same)
    return;

  names = gtk_string_list_new (NULL);
  g_array_set_size (self->batch_ids, 0);
  gtk_string_list_append (names, _ ("All batches"));
  g_array_append_val (self->batch_ids, (gint64){ 0 });
  for (guint i = 0; i < data->batches->len; i++)
    {
      ClBatchInfo *info = g_ptr_array_index (data->batches, i);

      gtk_string_list_append (names, info->name);
      g_array_append_val (self->batch_ids, info->id);
      if (info->id == data->batch_id)
        selected = i + 1;
    }
  self->updating_batches = TRUE;
  gtk_drop_down_set_model (self->batch_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->batch_dropdown, selected);
  self->updating_batches = FALSE;
}

static int
by_name (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *)a, *(const char *const *)b);
}

/* The stations the charts can be scoped to: those the store's figures know, and those the Stations view shows (a
 * station that registered appears before its first card). Rebuilt only when the list grows or changes. */
static void
update_stations (ClDashboardView *self)
{
  const ClDashboardData *data = self->model ? cl_dashboard_model_get_data (self->model) : NULL;
  ClFleetModel *fleet = cl_stations_view_get_model (self->stations_view);
  const char *selected_name = self->model ? cl_dashboard_model_get_station (self->model) : NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GtkStringList) list = NULL;
  guint selected = 0;
  gboolean same;

  for (guint i = 0; data != NULL && i < data->stations->len; i++)
    g_ptr_array_add (names, data->stations->pdata[i]);
  for (guint i = 0; fleet != NULL && i < cl_fleet_model_get_stations (fleet)->len; i++)
    {
      ClFleetStation *station = g_ptr_array_index (cl_fleet_model_get_stations (fleet), i);

      if (!g_ptr_array_find_with_equal_func (names, station->name, g_str_equal, NULL))
        g_ptr_array_add (names, station->name);
    }
  if (selected_name != NULL && !g_ptr_array_find_with_equal_func (names, selected_name, g_str_equal, NULL))
    g_ptr_array_add (names, (gpointer)selected_name);
  g_ptr_array_sort (names, by_name);
  same = names->len == self->station_names->len;
  for (guint i = 0; same && i < names->len; i++)
    same = g_str_equal (names->pdata[i], self->station_names->pdata[i]);
  if (same)
    return;

  list = gtk_string_list_new (NULL);
  gtk_string_list_append (list, _ ("All stations"));
  g_ptr_array_set_size (self->station_names, 0);
  for (guint i = 0; i < names->len; i++)
    {
      gtk_string_list_append (list, names->pdata[i]);
      g_ptr_array_add (self->station_names, g_strdup (names->pdata[i]));
      if (g_strcmp0 (names->pdata[i], selected_name) == 0)
        selected = i + 1;
    }
  self->updating_stations = TRUE;
  gtk_drop_down_set_model (self->station_dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->station_dropdown, selected);
  self->updating_stations = FALSE;
}

static void
on_station_selected (ClDashboardView *self)
{
  guint selected = gtk_drop_down_get_selected (self->station_dropdown);

  if (self->updating_stations || self->model == NULL || selected == GTK_INVALID_LIST_POSITION
      || selected > self->station_names->len)
    return;
  cl_dashboard_model_set_station (self->model, selected == 0 ? NULL : self->station_names->pdata[selected - 1]);
}

void
cl_dashboard_view_show_station (ClDashboardView *self, const char *station)
{
  g_return_if_fail (CL_IS_DASHBOARD_VIEW (self));
  if (self->model == NULL)
    return;
  cl_dashboard_model_set_station (self->model, station);
  update_stations (self);
  for (guint i = 0; i < self->station_names->len; i++)
    if (g_strcmp0 (self->station_names->pdata[i], station) == 0)
      {
        self->updating_stations = TRUE;
        gtk_drop_down_set_selected (self->station_dropdown, i + 1);
        self->updating_stations = FALSE;
        return;
      }
  self->updating_stations = TRUE;
  gtk_drop_down_set_selected (self->station_dropdown, 0);
  self->updating_stations = FALSE;
}

static void
on_model_updated (ClDashboardView *self)
{
  const ClDashboardData *data = cl_dashboard_model_get_data (self->model);
  const ClYieldSummary *s;
  char text[64];

  if (data == NULL)
    return;
  s = data->summary;
  update_batches (self, data);
  update_stations (self);
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, s->fed);
  set_counter (self, "fed", text);
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, s->good);
  set_counter (self, "good", text);
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, s->rejected);
  set_counter (self, "rejected", text);
  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, s->recovered);
  set_counter (self, "recovered", text);
  g_snprintf (text, sizeof text, "%.1f %%", s->first_pass_yield * 100);
  set_counter (self, "first-pass", text);
  g_snprintf (text, sizeof text, "%.1f %%", s->final_yield * 100);
  set_counter (self, "final", text);
  g_snprintf (text, sizeof text, "%.0f", s->throughput_per_hour);
  set_counter (self, "throughput", text);
  g_snprintf (text, sizeof text, "%.2f s", s->cycle_time_mean_s);
  set_counter (self, "cycle", text);
  if (data->bucket_us > 0)
    {
      /* %lld, not G_GINT64_FORMAT: xgettext cannot expand a macro, so the msgid would end at the '%'. */
      g_autofree char *bucket
        = g_strdup_printf (_ ("One point per %lld min"), (long long)(data->bucket_us / (60 * G_USEC_PER_SEC)));
      gtk_label_set_text (self->bucket_label, bucket);
    }
  else
    gtk_label_set_text (self->bucket_label, _ ("No production yet"));
}

static void
on_busy_changed (ClDashboardView *self)
{
  gtk_spinner_set_spinning (self->spinner, cl_dashboard_model_get_busy (self->model));
}

static void
on_batch_selected (ClDashboardView *self)
{
  guint selected = gtk_drop_down_get_selected (self->batch_dropdown);

  if (self->updating_batches || self->model == NULL || selected >= self->batch_ids->len)
    return;
  cl_dashboard_model_set_batch_id (self->model, g_array_index (self->batch_ids, gint64, selected));
}

static void
update_actions (ClDashboardView *self)
{
  gboolean allowed = self->session != NULL && cl_session_allows (self->session, CL_PERMISSION_DASHBOARD_EXPORT);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.export-pdf", allowed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.export-csv", allowed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.export-manifest", allowed);
  /* a data file is a batch's: the dialog checks which batch is selected when it opens */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.import-data",
                                 self->session != NULL && cl_session_allows (self->session, CL_PERMISSION_BATCH_SETUP));
}

void
cl_dashboard_view_set_session (ClDashboardView *self, ClSession *session)
{
  g_return_if_fail (CL_IS_DASHBOARD_VIEW (self));
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_func (self->session, update_actions, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect_object (session, "notify::signed-in", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  update_actions (self);
}

ClDashboardModel *
cl_dashboard_view_get_model (ClDashboardView *self)
{
  g_return_val_if_fail (CL_IS_DASHBOARD_VIEW (self), NULL);
  return self->model;
}

void
cl_dashboard_view_set_model (ClDashboardView *self, ClDashboardModel *model)
{
  struct
  {
    ClChart *chart;
    ClDashboardSeries series;
  } bind[] = {
    { self->throughput_chart, CL_DASHBOARD_THROUGHPUT }, { self->yield_chart, CL_DASHBOARD_FIRST_PASS_YIELD },
    { self->yield_chart, CL_DASHBOARD_FINAL_YIELD },     { self->reason_chart, CL_DASHBOARD_REJECTS_BY_REASON },
    { self->step_chart, CL_DASHBOARD_REJECTS_BY_STEP },  { self->cycle_chart, CL_DASHBOARD_CYCLE_BY_STEP },
  };

  g_return_if_fail (CL_IS_DASHBOARD_VIEW (self));
  g_return_if_fail (self->model == NULL); /* set once: the charts keep the model's series */
  if (model == NULL)
    return;
  self->model = g_object_ref (model);
  for (guint i = 0; i < G_N_ELEMENTS (bind); i++)
    cl_chart_add_series (bind[i].chart, cl_dashboard_model_get_series (model, bind[i].series));
  g_signal_connect_object (model, "updated", G_CALLBACK (on_model_updated), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (model, "notify::busy", G_CALLBACK (on_busy_changed), self, G_CONNECT_SWAPPED);
  on_model_updated (self);
  on_busy_changed (self);
}

void
cl_dashboard_view_set_fleet_model (ClDashboardView *self, ClFleetModel *model)
{
  g_return_if_fail (CL_IS_DASHBOARD_VIEW (self));
  cl_stations_view_set_model (self->stations_view, model);
  if (model != NULL)
    g_signal_connect_object (model, "updated", G_CALLBACK (update_stations), self, G_CONNECT_SWAPPED);
  update_stations (self);
}

ClStationsView *
cl_dashboard_view_get_stations_view (ClDashboardView *self)
{
  g_return_val_if_fail (CL_IS_DASHBOARD_VIEW (self), NULL);
  return self->stations_view;
}

/* ---- export ---- */

typedef struct
{
  char *format;
  char *path;
  char *title;
  char *batch; /* NULL: all batches */
  gint64 batch_id;
  ClStore *store;
  ClRowCounts rows;     /* read with the rejects */
  gboolean rejects_cut; /* the batch has older rejects than the report lists */
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_free (job->format);
  g_free (job->path);
  g_free (job->title);
  g_free (job->batch);
  g_clear_object (&job->store);
  g_free (job);
}

/* The rejected cards a batch report lists, the latest first (some 100 pages). */
#define REPORT_REJECTS 5000

static void
read_rejects_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ExportJob *job = task_data;
  ClRejectQuery query = { .batch_id = job->batch_id, .reason = -1, .include_closed = TRUE, .limit = REPORT_REJECTS };
  GError *error = NULL;
  GPtrArray *rows = cl_store_reject_search_page (job->store, &query, &job->rejects_cut, &error);

  if (rows != NULL && job->batch_id > 0 && !cl_store_rows_count (job->store, job->batch_id, &job->rows, &error))
    g_clear_pointer (&rows, g_ptr_array_unref);
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify)g_ptr_array_unref);
}

static void
on_rejects_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ClDashboardView *self = g_task_get_source_object (task);
  ExportJob *job = g_task_get_task_data (task);
  g_autoptr (GPtrArray) rows = NULL;
  GError *error = NULL;

  rows = g_task_propagate_pointer (G_TASK (result), &error);
  if (rows == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!cl_batch_report_write_pdf (self->model, job->title, rows, job->rejects_cut, &job->rows, job->path, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  cl_session_audit (self->session, "report-export", job->title, job->path);
  g_task_return_boolean (task, TRUE);
}

/* The manifest (store/cl-store-manifest.h), off the UI thread: CSV, or JSON for format "manifest-json". */
static void
write_manifest_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ExportJob *job = task_data;
  g_autoptr (ClManifest) manifest = cl_store_manifest (job->store, job->batch, NULL);
  g_autofree char *text = NULL;
  GError *error = NULL;

  if (manifest == NULL)
    {
      g_task_return_new_error (task, CL_UI_ERROR, CL_UI_ERROR_EXPORT, _ ("The manifest of batch %s cannot be read"),
                               job->batch);
      return;
    }
  text = g_str_equal (job->format, "manifest-json") ? cl_manifest_to_json (manifest) : cl_manifest_to_csv (manifest);
  if (!g_file_set_contents_full (job->path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0640, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_manifest_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  ClDashboardView *self = g_task_get_source_object (task);
  ExportJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  cl_session_audit (self->session, "manifest-export", job->batch, job->path);
  g_task_return_boolean (task, TRUE);
}

void
cl_dashboard_view_export_async (ClDashboardView *self, const char *format, const char *path, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  const ClDashboardData *data = self->model ? cl_dashboard_model_get_data (self->model) : NULL;
  GError *error = NULL;
  ExportJob *job;

  g_task_set_source_tag (task, cl_dashboard_view_export_async);
  if (self->session == NULL || !cl_session_allows (self->session, CL_PERMISSION_DASHBOARD_EXPORT))
    {
      g_task_return_new_error (task, CL_UI_ERROR, CL_UI_ERROR_NOT_ALLOWED,
                               _ ("Exporting reports needs the supervisor role"));
      return;
    }
  if (data == NULL)
    {
      g_task_return_new_error (task, CL_UI_ERROR, CL_UI_ERROR_EXPORT, _ ("No figures to report yet"));
      return;
    }
  job = g_new0 (ExportJob, 1);
  job->format = g_strdup (format);
  job->path = g_strdup (path);
  job->batch_id = data->batch_id;
  job->store = g_object_ref (cl_dashboard_model_get_store (self->model));
  job->title = NULL;
  for (guint i = 0; i < data->batches->len; i++)
    if (((ClBatchInfo *)g_ptr_array_index (data->batches, i))->id == data->batch_id)
      job->title
        = g_strdup_printf (_ ("Batch report: %s"), ((ClBatchInfo *)g_ptr_array_index (data->batches, i))->name);
  if (job->title == NULL)
    job->title = g_strdup (_ ("Report: all batches"));
  if (data->station != NULL)
    {
      /* the figures and charts are that station's (the rejects list stays the batch's) */
      char *title = g_strdup_printf (_ ("%s, station %s"), job->title, data->station);

      g_free (job->title);
      job->title = title;
    }
  for (guint i = 0; i < data->batches->len; i++)
    if (((ClBatchInfo *)g_ptr_array_index (data->batches, i))->id == data->batch_id)
      job->batch = g_strdup (((ClBatchInfo *)g_ptr_array_index (data->batches, i))->name);
  g_task_set_task_data (task, job, (GDestroyNotify)export_job_free);

  if (g_str_has_prefix (format, "manifest"))
    {
      GTask *write;

      if (job->batch == NULL)
        {
          g_task_return_new_error (task, CL_UI_ERROR, CL_UI_ERROR_EXPORT,
                                   _ ("Choose a batch: a manifest is one batch's"));
          return;
        }
      write = g_task_new (self, cancellable, on_manifest_written, g_object_ref (task));
      g_task_set_task_data (write, job, NULL);
      g_task_run_in_thread (write, write_manifest_in_thread);
      g_object_unref (write);
      return;
    }

  if (g_str_equal (format, "csv"))
    {
      if (!cl_batch_report_write_csv (data, path, &error))
        g_task_return_error (task, error);
      else
        {
          cl_session_audit (self->session, "report-export", job->title, path);
          g_task_return_boolean (task, TRUE);
        }
      return;
    }
  {
    GTask *read = g_task_new (self, cancellable, on_rejects_read, g_object_ref (task));

    g_task_set_task_data (read, job, NULL);
    g_task_run_in_thread (read, read_rejects_in_thread);
    g_object_unref (read);
  }
}

gboolean
cl_dashboard_view_export_finish (ClDashboardView *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_exported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  ClDashboardView *self = CL_DASHBOARD_VIEW (source);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwToast *toast;

  if (cl_dashboard_view_export_finish (self, result, &error))
    toast = adw_toast_new (_ ("Report saved"));
  else
    toast = adw_toast_new (error->message);
  /* The window's toast overlay, when there is one. */
  if (root != NULL)
    {
      GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

      if (overlay != NULL)
        {
          adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
          return;
        }
    }
  if (error != NULL)
    g_warning ("%s", error->message);
  g_object_unref (g_object_ref_sink (toast));
}

static void
on_save_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  ClDashboardView *self = CL_DASHBOARD_VIEW (user_data);
  const char *format = g_object_get_data (G_OBJECT (dialog), "format");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL && g_str_equal (format, "manifest") && g_str_has_suffix (path, ".json"))
        format = "manifest-json";
      if (path != NULL)
        cl_dashboard_view_export_async (self, format, path, NULL, on_exported, NULL);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClDashboardView *self = CL_DASHBOARD_VIEW (widget);
  gboolean pdf = g_str_equal (action_name, "dashboard.export-pdf");
  gboolean manifest = g_str_equal (action_name, "dashboard.export-manifest");
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (manifest ? _ ("Export Manifest")
                                        : pdf    ? _ ("Export PDF Report")
                                                 : _ ("Export CSV Report"),
                                        GTK_WINDOW (gtk_widget_get_root (widget)), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _ ("_Save"), _ ("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), manifest ? "manifest.csv"
                                                                : pdf    ? "batch-report.pdf"
                                                                         : "batch-report.csv");
  g_object_set_data_full (G_OBJECT (dialog), "format", g_strdup (manifest ? "manifest" : pdf ? "pdf" : "csv"), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
import_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClDashboardView *self = CL_DASHBOARD_VIEW (widget);
  const ClDashboardData *data = self->model ? cl_dashboard_model_get_data (self->model) : NULL;
  ClImportDialog *dialog;

  for (guint i = 0; data != NULL && i < data->batches->len; i++)
    {
      ClBatchInfo *info = g_ptr_array_index (data->batches, i);

      if (info->id != data->batch_id)
        continue;
      dialog = cl_import_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->session, info->id, info->name);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  {
    GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

    if (overlay != NULL)
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay),
                                   adw_toast_new (_ ("Choose the batch the data file is for")));
  }
}

static void
cl_dashboard_view_dispose (GObject *object)
{
  ClDashboardView *self = CL_DASHBOARD_VIEW (object);

  g_clear_object (&self->model);
  g_clear_object (&self->session);
  g_clear_pointer (&self->counters, g_hash_table_unref);
  g_clear_pointer (&self->batch_ids, g_array_unref);
  g_clear_pointer (&self->station_names, g_ptr_array_unref);

  G_OBJECT_CLASS (cl_dashboard_view_parent_class)->dispose (object);
}

static void
cl_dashboard_view_class_init (ClDashboardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_dashboard_view_dispose;

  g_type_ensure (CL_TYPE_CHART);
  g_type_ensure (CL_TYPE_STATIONS_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-dashboard-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ClDashboardView, batch_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClDashboardView, station_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClDashboardView, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClDashboardView, bucket_label);
  gtk_widget_class_bind_template_child_full (widget_class, "counters", FALSE,
                                             G_STRUCT_OFFSET (ClDashboardView, counters_box));
  gtk_widget_class_bind_template_child (widget_class, ClDashboardView, stations_view);
  gtk_widget_class_bind_template_child (widget_class, ClDashboardView, throughput_chart);
  gtk_widget_class_bind_template_child (widget_class, ClDashboardView, yield_chart);
  gtk_widget_class_bind_template_child (widget_class, ClDashboardView, reason_chart);
  gtk_widget_class_bind_template_child (widget_class, ClDashboardView, step_chart);
  gtk_widget_class_bind_template_child (widget_class, ClDashboardView, cycle_chart);
  gtk_widget_class_install_action (widget_class, "dashboard.export-pdf", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "dashboard.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "dashboard.export-manifest", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "dashboard.import-data", NULL, import_action);
}

static void
cl_dashboard_view_init (ClDashboardView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->batch_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->station_names = g_ptr_array_new_with_free_func (g_free);
  self->counters = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (counter_names); i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *value = gtk_label_new ("—");
      GtkWidget *caption = gtk_label_new (_ (counter_names[i].caption));

      gtk_widget_add_css_class (box, "card");
      gtk_widget_add_css_class (box, "counter");
      gtk_widget_add_css_class (value, "counter-value");
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_widget_set_name (value, counter_names[i].name);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY, caption, NULL, -1);
      gtk_box_append (GTK_BOX (box), value);
      gtk_box_append (GTK_BOX (box), caption);
      gtk_flow_box_append (self->counters_box, box);
      /* The flow box child around the box is what takes the focus; unnamed, GTK 4.8 reads it out as
       * "GtkFlowBoxChild". Named by its labels, it reads "Fed 11" and follows the figure. */
      gtk_accessible_update_relation (GTK_ACCESSIBLE (gtk_widget_get_parent (box)), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                      caption, value, NULL, -1);
      g_hash_table_insert (self->counters, (gpointer)counter_names[i].name, value);
    }
  cl_ui_name_drop_down_button (self->batch_dropdown);
  g_signal_connect_swapped (self->batch_dropdown, "notify::selected", G_CALLBACK (on_batch_selected), self);
  cl_ui_name_drop_down_button (self->station_dropdown);
  g_signal_connect_swapped (self->station_dropdown, "notify::selected", G_CALLBACK (on_station_selected), self);
  /* a station's row in the Stations view scopes the charts to it */
  g_signal_connect_swapped (self->stations_view, "station-activated", G_CALLBACK (cl_dashboard_view_show_station),
                            self);
  update_actions (self);
}

GtkWidget *
cl_dashboard_view_new (void)
{
  return g_object_new (CL_TYPE_DASHBOARD_VIEW, NULL);
}
