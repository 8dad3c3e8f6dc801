/* cl-dashboard-model.c: dashboard models refreshed off the UI thread (cl-dashboard-model.h). */
#include "cl-dashboard-model.h"

struct _ClDashboardModel
{
  GObject parent_instance;

  ClStore *store;
  gint64 batch_id;
  char *station; /* NULL: every station */
  ClChartSeries *series[CL_DASHBOARD_N_SERIES];
  ClDashboardData *data;
  GCancellable *cancellable;
  guint poll_source;
  guint poll_seconds;
  gboolean busy;
  gboolean again; /* a refresh was asked for while one ran */
  guint64 stamp;  /* cl_store_change_stamp of the data applied */
};

G_DEFINE_FINAL_TYPE (ClDashboardModel, cl_dashboard_model, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum
{
  UPDATED,
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
cl_dashboard_model_dispose (GObject *object)
{
  ClDashboardModel *self = CL_DASHBOARD_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->poll_source, g_source_remove);
  for (guint i = 0; i < CL_DASHBOARD_N_SERIES; i++)
    g_clear_object (&self->series[i]);
  g_clear_pointer (&self->data, cl_dashboard_data_free);
  g_clear_object (&self->store);
  g_clear_pointer (&self->station, g_free);

  G_OBJECT_CLASS (cl_dashboard_model_parent_class)->dispose (object);
}

static void
cl_dashboard_model_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClDashboardModel *self = CL_DASHBOARD_MODEL (object);

  switch (prop_id)
    {
      case PROP_BUSY:
        g_value_set_boolean (value, self->busy);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_dashboard_model_class_init (ClDashboardModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cl_dashboard_model_dispose;
  object_class->get_property = cl_dashboard_model_get_property;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[UPDATED]
    = g_signal_new ("updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (const GError *error) */
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
cl_dashboard_model_init (ClDashboardModel *self)
{
  static const struct
  {
    const char *name;
    guint colour;
  } names[CL_DASHBOARD_N_SERIES] = {
    { "Good cards per hour", 0 }, { "First-pass yield", 0 }, { "Final yield", 1 },
    { "Rejects by reason", 3 },   { "Rejects by step", 2 },  { "Mean step time", 4 },
  };

  for (guint i = 0; i < CL_DASHBOARD_N_SERIES; i++)
    self->series[i] = cl_chart_series_new (names[i].name, names[i].colour);
  self->cancellable = g_cancellable_new ();
}

ClDashboardModel *
cl_dashboard_model_new (ClStore *store)
{
  ClDashboardModel *self = g_object_new (CL_TYPE_DASHBOARD_MODEL, NULL);

  cl_dashboard_model_set_store (self, store);
  return self;
}

ClStore *
cl_dashboard_model_get_store (ClDashboardModel *self)
{
  g_return_val_if_fail (CL_IS_DASHBOARD_MODEL (self), NULL);
  return self->store;
}

void
cl_dashboard_model_set_store (ClDashboardModel *self, ClStore *store)
{
  g_return_if_fail (CL_IS_DASHBOARD_MODEL (self));
  if (g_set_object (&self->store, store) && store != NULL)
    cl_dashboard_model_refresh (self);
}

gint64
cl_dashboard_model_get_batch_id (ClDashboardModel *self)
{
  return self->batch_id;
}

void
cl_dashboard_model_set_batch_id (ClDashboardModel *self, gint64 batch_id)
{
  g_return_if_fail (CL_IS_DASHBOARD_MODEL (self));
  if (self->batch_id == batch_id)
    return;
  self->batch_id = batch_id;
  cl_dashboard_model_refresh (self);
}

const char *
cl_dashboard_model_get_station (ClDashboardModel *self)
{
  g_return_val_if_fail (CL_IS_DASHBOARD_MODEL (self), NULL);
  return self->station;
}

void
cl_dashboard_model_set_station (ClDashboardModel *self, const char *station)
{
  g_return_if_fail (CL_IS_DASHBOARD_MODEL (self));
  if (station != NULL && *station == '\0')
    station = NULL;
  if (g_strcmp0 (self->station, station) == 0)
    return;
  g_free (self->station);
  self->station = g_strdup (station);
  cl_dashboard_model_refresh (self);
}

/* TRUE when data describes the scope selected now. */
static gboolean
data_in_scope (ClDashboardModel *self, const ClDashboardData *data)
{
  return data->batch_id == self->batch_id && g_strcmp0 (data->station, self->station) == 0;
}

ClChartSeries *
cl_dashboard_model_get_series (ClDashboardModel *self, ClDashboardSeries which)
{
  g_return_val_if_fail (CL_IS_DASHBOARD_MODEL (self), NULL);
  g_return_val_if_fail (which < CL_DASHBOARD_N_SERIES, NULL);
  return self->series[which];
}

const ClDashboardData *
cl_dashboard_model_get_data (ClDashboardModel *self)
{
  g_return_val_if_fail (CL_IS_DASHBOARD_MODEL (self), NULL);
  return self->data;
}

gboolean
cl_dashboard_model_get_busy (ClDashboardModel *self)
{
  return self->busy;
}

static GArray *
copy_values (GArray *values)
{
  GArray *copy = g_array_sized_new (FALSE, FALSE, sizeof (double), values->len);

  g_array_append_vals (copy, values->data, values->len);
  return copy;
}

void
cl_dashboard_model_apply (ClDashboardModel *self, ClDashboardData *data)
{
  g_return_if_fail (CL_IS_DASHBOARD_MODEL (self));
  g_return_if_fail (data != NULL);

  g_clear_pointer (&self->data, cl_dashboard_data_free);
  self->data = data;
  cl_chart_series_set_time_values (self->series[CL_DASHBOARD_THROUGHPUT], data->series_start, data->bucket_us,
                                   copy_values (data->throughput));
  cl_chart_series_set_time_values (self->series[CL_DASHBOARD_FIRST_PASS_YIELD], data->series_start, data->bucket_us,
                                   copy_values (data->first_pass));
  cl_chart_series_set_time_values (self->series[CL_DASHBOARD_FINAL_YIELD], data->series_start, data->bucket_us,
                                   copy_values (data->final_yield));
  cl_chart_series_set_categories (self->series[CL_DASHBOARD_REJECTS_BY_REASON], g_strdupv (data->reason_labels),
                                  copy_values (data->reason_counts));
  cl_chart_series_set_categories (self->series[CL_DASHBOARD_REJECTS_BY_STEP], g_strdupv (data->step_labels),
                                  copy_values (data->step_counts));
  cl_chart_series_set_categories (self->series[CL_DASHBOARD_CYCLE_BY_STEP], g_strdupv (data->cycle_labels),
                                  copy_values (data->cycle_seconds));
  g_signal_emit (self, signals[UPDATED], 0);
}

typedef struct
{
  ClStore *store;
  gint64 batch_id;
  char *station;
  guint64 unchanged_stamp; /* 0: build regardless */
  guint64 stamp;
} BuildJob;

static void
build_job_free (BuildJob *job)
{
  g_clear_object (&job->store);
  g_free (job->station);
  g_free (job);
}

static void
build_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BuildJob *job = task_data;
  GError *error = NULL;
  ClDashboardData *data;

  /* A poll of a store nobody wrote to since costs one PRAGMA, not the dashboard's queries. */
  job->stamp = cl_store_change_stamp (job->store);
  if (job->unchanged_stamp != 0 && job->stamp == job->unchanged_stamp)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  data = cl_dashboard_data_build_at (job->store, job->batch_id, job->station, &error);
  if (data == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, data, (GDestroyNotify)cl_dashboard_data_free);
}

static void
set_busy (ClDashboardModel *self, gboolean busy)
{
  if (self->busy != busy)
    {
      self->busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
}

static void
on_built (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  ClDashboardData *data = g_task_propagate_pointer (G_TASK (result), &error);
  ClDashboardModel *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CL_DASHBOARD_MODEL (source);
  set_busy (self, FALSE);
  if (data == NULL && error == NULL)
    ; /* polled, unchanged */
  else if (data == NULL)
    g_signal_emit (self, signals[FAILED], 0, error);
  else if (!data_in_scope (self, data))
    cl_dashboard_data_free (data); /* the selection changed meanwhile; the newer refresh follows */
  else
    {
      self->stamp = ((BuildJob *)g_task_get_task_data (G_TASK (result)))->stamp;
      cl_dashboard_model_apply (self, data);
    }
  if (self->again)
    {
      self->again = FALSE;
      cl_dashboard_model_refresh (self);
    }
}

static void
start_refresh (ClDashboardModel *self, gboolean only_if_changed)
{
  g_autoptr (GTask) task = NULL;
  BuildJob *job;

  if (self->store == NULL)
    return;
  if (self->busy)
    {
      self->again = TRUE;
      return;
    }
  set_busy (self, TRUE);
  job = g_new0 (BuildJob, 1);
  job->store = g_object_ref (self->store);
  job->batch_id = self->batch_id;
  job->station = g_strdup (self->station);
  job->unchanged_stamp = only_if_changed && self->data != NULL && data_in_scope (self, self->data) ? self->stamp : 0;
  task = g_task_new (self, self->cancellable, on_built, NULL);
  g_task_set_source_tag (task, cl_dashboard_model_refresh);
  g_task_set_task_data (task, job, (GDestroyNotify)build_job_free);
  g_task_run_in_thread (task, build_in_thread);
}

void
cl_dashboard_model_refresh (ClDashboardModel *self)
{
  g_return_if_fail (CL_IS_DASHBOARD_MODEL (self));
  start_refresh (self, FALSE);
}

static gboolean
on_poll (gpointer user_data)
{
  ClDashboardModel *self = user_data;

  if (!self->busy && self->store != NULL)
    start_refresh (self, TRUE);
  return G_SOURCE_CONTINUE;
}

void
cl_dashboard_model_set_poll_interval (ClDashboardModel *self, guint seconds)
{
  g_return_if_fail (CL_IS_DASHBOARD_MODEL (self));
  g_clear_handle_id (&self->poll_source, g_source_remove);
  self->poll_seconds = seconds;
  if (seconds > 0)
    self->poll_source = g_timeout_add_seconds (seconds, on_poll, self);
}
