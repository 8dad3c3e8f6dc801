/* cl-dashboard-model.h: the dashboard's models, fed from the store on a worker.
 *
 * refresh() builds a ClDashboardData in a GTask thread and applies it in the main context: the chart series
 * change (their "changed" signal), then "updated" is emitted. With a poll interval set, the model refreshes
 * itself that often while nothing is in flight, so the charts follow production without a store signal. */
#pragma once

#include <gio/gio.h>

#include "cl-chart-series.h"
#include "cl-dashboard-data.h"

G_BEGIN_DECLS

#define CL_TYPE_DASHBOARD_MODEL (cl_dashboard_model_get_type ())
G_DECLARE_FINAL_TYPE (ClDashboardModel, cl_dashboard_model, CL, DASHBOARD_MODEL, GObject)

typedef enum
{
  CL_DASHBOARD_THROUGHPUT,
  CL_DASHBOARD_FIRST_PASS_YIELD,
  CL_DASHBOARD_FINAL_YIELD,
  CL_DASHBOARD_REJECTS_BY_REASON,
  CL_DASHBOARD_REJECTS_BY_STEP,
  CL_DASHBOARD_CYCLE_BY_STEP,
  CL_DASHBOARD_N_SERIES,
} ClDashboardSeries;

ClDashboardModel *cl_dashboard_model_new (ClStore *store);
ClStore *cl_dashboard_model_get_store (ClDashboardModel *self);
void cl_dashboard_model_set_store (ClDashboardModel *self, ClStore *store);
gint64 cl_dashboard_model_get_batch_id (ClDashboardModel *self);
/* 0: all batches. Starts a refresh. */
void cl_dashboard_model_set_batch_id (ClDashboardModel *self, gint64 batch_id);
const char *cl_dashboard_model_get_station (ClDashboardModel *self);
/* NULL or "": every station; otherwise the cards that station made. Starts a refresh. */
void cl_dashboard_model_set_station (ClDashboardModel *self, const char *station);
ClChartSeries *cl_dashboard_model_get_series (ClDashboardModel *self, ClDashboardSeries which);
/* The last data applied; NULL before the first refresh finished. */
const ClDashboardData *cl_dashboard_model_get_data (ClDashboardModel *self);
/* Seconds between automatic refreshes; 0 stops polling. */
void cl_dashboard_model_set_poll_interval (ClDashboardModel *self, guint seconds);
void cl_dashboard_model_refresh (ClDashboardModel *self);
/* Applies data built elsewhere (tests and the benchmark build it synchronously). Takes data. */
void cl_dashboard_model_apply (ClDashboardModel *self, ClDashboardData *data);
/* TRUE while a refresh runs on the worker. */
gboolean cl_dashboard_model_get_busy (ClDashboardModel *self);

G_END_DECLS
