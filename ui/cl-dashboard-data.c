/* cl-dashboard-data.c: the dashboard snapshot (cl-dashboard-data.h). */
#include "cl-dashboard-data.h"

#include <math.h>

void
cl_dashboard_data_free (ClDashboardData *data)
{
  if (data == NULL)
    return;
  g_clear_pointer (&data->summary, cl_yield_summary_free);
  g_clear_pointer (&data->batches, g_ptr_array_unref);
  g_clear_pointer (&data->stations, g_ptr_array_unref);
  g_free (data->station);
  g_clear_pointer (&data->throughput, g_array_unref);
  g_clear_pointer (&data->first_pass, g_array_unref);
  g_clear_pointer (&data->final_yield, g_array_unref);
  g_strfreev (data->reason_labels);
  g_clear_pointer (&data->reason_counts, g_array_unref);
  g_strfreev (data->step_labels);
  g_clear_pointer (&data->step_counts, g_array_unref);
  g_strfreev (data->cycle_labels);
  g_clear_pointer (&data->cycle_seconds, g_array_unref);
  g_free (data);
}

gint64
cl_dashboard_bucket_for_span (gint64 span_us)
{
  static const gint64 minutes[] = { 1, 5, 15, 60, 180, 360, 1440, 10080 };

  for (guint i = 0; i < G_N_ELEMENTS (minutes); i++)
    {
      gint64 bucket = minutes[i] * 60 * G_USEC_PER_SEC;

      if (span_us / bucket < CL_DASHBOARD_MAX_BUCKETS)
        return bucket;
    }
  {
    gint64 week = (gint64)10080 * 60 * G_USEC_PER_SEC;

    return week * (span_us / week / CL_DASHBOARD_MAX_BUCKETS + 1);
  }
}

typedef struct
{
  const char *label;
  guint64 count;
  guint order;
} Category;

static int
by_count_desc (gconstpointer a, gconstpointer b)
{
  const Category *x = a, *y = b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return (int)x->order - (int)y->order;
}

/* Pareto order: largest first, ties in the closed list's order. */
static void
pareto (const guint64 *counts, guint n, const char *(*name) (guint), GStrv *labels, GArray **values)
{
  g_autoptr (GArray) categories = g_array_new (FALSE, FALSE, sizeof (Category));
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < n; i++)
    if (counts[i] > 0)
      {
        Category c = { name (i), counts[i], i };

        g_array_append_val (categories, c);
      }
  g_array_sort (categories, by_count_desc);
  *values = g_array_sized_new (FALSE, FALSE, sizeof (double), categories->len);
  for (guint i = 0; i < categories->len; i++)
    {
      Category *c = &g_array_index (categories, Category, i);
      double v = (double)c->count;

      g_strv_builder_add (builder, c->label);
      g_array_append_val (*values, v);
    }
  *labels = g_strv_builder_end (builder);
}

static const char *
reason_name (guint i)
{
  return cl_reject_reason_to_string ((ClRejectReason)i);
}

static const char *
step_name (guint i)
{
  return cl_production_step_to_string ((ClProductionStep)i);
}

ClDashboardData *
cl_dashboard_data_build (ClStore *store, gint64 batch_id, GError **error)
{
  return cl_dashboard_data_build_at (store, batch_id, NULL, error);
}

ClDashboardData *
cl_dashboard_data_build_at (ClStore *store, gint64 batch_id, const char *station, GError **error)
{
  g_autoptr (ClDashboardData) data = g_new0 (ClDashboardData, 1);
  g_autoptr (GStrvBuilder) cycle_labels = g_strv_builder_new ();
  gint64 started = g_get_monotonic_time ();
  gint64 from, to;

  data->batch_id = batch_id;
  data->station = station && *station ? g_strdup (station) : NULL;
  if (!(data->batches = cl_store_batch_list (store, error)))
    return NULL;
  if (!(data->stations = cl_store_yield_station_list (store, error)))
    return NULL;
  if (!(data->summary = cl_store_yield_summary_at (store, batch_id, data->station, 0, 0, error)))
    return NULL;
  if (!cl_store_production_span_at (store, batch_id, data->station, &from, &to, error))
    return NULL;

  if (to > from)
    {
      g_autoptr (GArray) buckets = NULL;

      data->bucket_us = cl_dashboard_bucket_for_span (to - from);
      /* Buckets on whole multiples of their length (local clock minutes/hours read naturally). */
      data->series_start = from - from % data->bucket_us;
      to = to + 1;
      if (!(buckets = cl_store_yield_series_at (store, batch_id, data->station, data->series_start, to, data->bucket_us,
                                                error)))
        return NULL;
      if (!(data->final_yield = cl_store_final_yield_series_at (store, batch_id, data->station, data->series_start, to,
                                                                data->bucket_us, error)))
        return NULL;
      data->throughput = g_array_sized_new (FALSE, FALSE, sizeof (double), buckets->len);
      data->first_pass = g_array_sized_new (FALSE, FALSE, sizeof (double), buckets->len);
      for (guint i = 0; i < buckets->len; i++)
        {
          ClYieldBucket *b = &g_array_index (buckets, ClYieldBucket, i);

          /* A bucket without feeds has no yield at all, not a yield of 0: the chart leaves a gap. */
          double first_pass = b->fed > 0 ? b->first_pass_yield : NAN;

          g_array_append_val (data->throughput, b->throughput_per_hour);
          g_array_append_val (data->first_pass, first_pass);
        }
    }
  else
    {
      data->throughput = g_array_new (FALSE, FALSE, sizeof (double));
      data->first_pass = g_array_new (FALSE, FALSE, sizeof (double));
      data->final_yield = g_array_new (FALSE, FALSE, sizeof (double));
    }

  pareto (data->summary->rejects_by_reason, CL_REJECT_REASON_COUNT, reason_name, &data->reason_labels,
          &data->reason_counts);
  pareto (data->summary->rejects_by_step, CL_PRODUCTION_STEP_COUNT, step_name, &data->step_labels, &data->step_counts);
  data->cycle_seconds = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    if (data->summary->step_count[i] > 0)
      {
        g_strv_builder_add (cycle_labels, step_name (i));
        g_array_append_val (data->cycle_seconds, data->summary->step_mean_s[i]);
      }
  data->cycle_labels = g_strv_builder_end (cycle_labels);
  data->query_us = g_get_monotonic_time () - started;
  return g_steal_pointer (&data);
}
