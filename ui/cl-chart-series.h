/* cl-chart-series.h: one series of values a ClChart draws: either a time series (value i at
 * x_start + i * x_step; NAN where there is no value) or categories (value i named labels[i]). Replacing the
 * values emits "changed". */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CL_TYPE_CHART_SERIES (cl_chart_series_get_type ())
G_DECLARE_FINAL_TYPE (ClChartSeries, cl_chart_series, CL, CHART_SERIES, GObject)

/* colour: index into the chart palette, so that the same figure has the same colour everywhere. */
ClChartSeries *cl_chart_series_new (const char *name, guint colour);
const char *cl_chart_series_get_name (ClChartSeries *self);
guint cl_chart_series_get_colour (ClChartSeries *self);
guint cl_chart_series_get_n_values (ClChartSeries *self);
double cl_chart_series_get_value (ClChartSeries *self, guint index);
/* NULL for a time series. */
const char *cl_chart_series_get_label (ClChartSeries *self, guint index);
gint64 cl_chart_series_get_x_start (ClChartSeries *self);
gint64 cl_chart_series_get_x_step (ClChartSeries *self);
double cl_chart_series_get_max (ClChartSeries *self);

/* Takes values (and labels, may be NULL). */
void cl_chart_series_set_time_values (ClChartSeries *self, gint64 x_start, gint64 x_step, GArray *values);
void cl_chart_series_set_categories (ClChartSeries *self, GStrv labels, GArray *values);

G_END_DECLS
