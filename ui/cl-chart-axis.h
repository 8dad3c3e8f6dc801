/* cl-chart-axis.h: where a chart's axis labels go. Layout only (no drawing, no widget), so that tests can check it
 * at every size: the caller measures the labels as it will draw them (Pango, on screen and in the PDF report) and
 * gets back ticks whose labels neither overlap one another nor leave the plot. */
#pragma once

#include "cl-chart.h"

G_BEGIN_DECLS

/* The width in px of label as it will be drawn. */
typedef double (*ClChartMeasureFunc) (const char *label, gpointer user_data);

typedef struct
{
  gint64 time; /* µs since the Unix epoch */
  double x;    /* the tick's position on the axis, px */
  double left; /* the label's box is [left, left + width] */
  double width;
  char *label;
} ClChartTimeTick;

/* The labels of a time axis that maps [start_us, end_us] onto [plot_x, plot_x + plot_w] (start_us == end_us: one
 * point in the middle). Takes the finest interval of a fixed ladder (1 min … 12 h on tz's clock, then days and
 * weeks from local midnight) at which every label, centred under its tick, stays at least gap px from the next;
 * then pulls the edge labels inside the plot and drops one that would touch its neighbour there. An array of
 * ClChartTimeTick in time order, which frees the labels; empty when the plot is narrower than any label. */
GArray *cl_chart_time_ticks (gint64 start_us, gint64 end_us, double plot_x, double plot_w, double gap, GTimeZone *tz,
                             ClChartMeasureFunc measure, gpointer user_data);

/* The value axis from 0 up: returns the number of divisions n (>= 1) and sets *step, so that n * *step covers max
 * (PERCENT: always 1.0) with a round step (1, 2, 5 × 10^k; quarters of 100 %) that format_value prints distinctly,
 * and labels label_h high, centred on their grid lines, stay gap px apart over plot_h (when plot_h allows any). */
guint cl_chart_value_ticks (ClChartFormat format, double max, double plot_h, double label_h, double gap, double *step);

/* The label of a value as the chart prints it ("12.5 %", "0.25 s", "17"). */
void cl_chart_format_value (ClChartFormat format, double value, char *out, gsize size);

G_END_DECLS
