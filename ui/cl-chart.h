/* cl-chart.h: a chart widget drawing its series (ClChartSeries) in snapshot. LINE draws time series,
 * BARS draws categories as horizontal bars in model order (Pareto charts come sorted from the model). The
 * same drawing serves the PDF report through cl_chart_render(). */
#pragma once

#include <gtk/gtk.h>

#include "cl-chart-series.h"

G_BEGIN_DECLS

typedef enum
{
  CL_CHART_LINE,
  CL_CHART_BARS,
} ClChartKind;

typedef enum
{
  CL_CHART_FORMAT_NUMBER,
  CL_CHART_FORMAT_PERCENT, /* values are ratios 0..1 */
  CL_CHART_FORMAT_SECONDS,
} ClChartFormat;

#define CL_TYPE_CHART (cl_chart_get_type ())
G_DECLARE_FINAL_TYPE (ClChart, cl_chart, CL, CHART, GtkWidget)

GtkWidget *cl_chart_new (ClChartKind kind, ClChartFormat format);
void cl_chart_add_series (ClChart *self, ClChartSeries *series);
GListModel *cl_chart_get_series (ClChart *self);
const char *cl_chart_get_title (ClChart *self);
void cl_chart_set_title (ClChart *self, const char *title);
ClChartKind cl_chart_get_kind (ClChart *self);
void cl_chart_set_kind (ClChart *self, ClChartKind kind);
void cl_chart_set_format (ClChart *self, ClChartFormat format);
/* How many times the chart has drawn itself (tests: redraw after a model change). */
guint cl_chart_get_draw_count (ClChart *self);

/* Draws the chart into cr at (0, 0, width, height) in the foreground colour fg on a transparent ground. */
void cl_chart_render (ClChart *self, cairo_t *cr, double width, double height, const GdkRGBA *fg);

G_END_DECLS
