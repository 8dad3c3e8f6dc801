/* cl-dashboard-data.h: one snapshot of everything the dashboard shows, built from the store in one go
 * (on a worker: it only reads the store). Time series use one bucket length chosen so that the whole
 * production span fits in at most CL_DASHBOARD_MAX_BUCKETS points. */
#pragma once

#include "store/cl-store-dashboard.h"

G_BEGIN_DECLS

#define CL_DASHBOARD_MAX_BUCKETS 120

typedef struct
{
  gint64 batch_id;
  char *station; /* NULL: every station */
  ClYieldSummary *summary;
  GPtrArray *batches;  /* ClBatchInfo, newest first */
  GPtrArray *stations; /* char *: the stations the figures can be read for, by name */

  gint64 series_start; /* first bucket start, µs since the epoch; 0 when there is no production */
  gint64 bucket_us;
  GArray *throughput;  /* double: good cards per hour, per bucket */
  GArray *first_pass;  /* double 0..1, per bucket; NAN for a bucket without feeds */
  GArray *final_yield; /* double 0..1, cumulative at each bucket end */

  /* Pareto: non-zero categories, largest first. */
  GStrv reason_labels;
  GArray *reason_counts; /* double */
  GStrv step_labels;
  GArray *step_counts; /* double */
  /* Mean duration of each recorded step in sequence order, seconds. */
  GStrv cycle_labels;
  GArray *cycle_seconds;

  gint64 query_us; /* how long building this took */
} ClDashboardData;

/* The bucket length for a span: the smallest of 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 1 day, 1 week that
 * keeps the span within CL_DASHBOARD_MAX_BUCKETS. */
gint64 cl_dashboard_bucket_for_span (gint64 span_us);
ClDashboardData *cl_dashboard_data_build (ClStore *store, gint64 batch_id, GError **error);
/* The same for the cards one station made (station NULL: every station, as above). */
ClDashboardData *cl_dashboard_data_build_at (ClStore *store, gint64 batch_id, const char *station, GError **error);
void cl_dashboard_data_free (ClDashboardData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClDashboardData, cl_dashboard_data_free)

G_END_DECLS
