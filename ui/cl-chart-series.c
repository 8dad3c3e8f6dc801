/* cl-chart-series.c: values of one chart series (cl-chart-series.h). */
#include "cl-chart-series.h"

#include <math.h>

struct _ClChartSeries
{
  GObject parent_instance;

  char *name;
  guint colour;
  GArray *values;
  GStrv labels;
  gint64 x_start;
  gint64 x_step;
};

G_DEFINE_FINAL_TYPE (ClChartSeries, cl_chart_series, G_TYPE_OBJECT)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cl_chart_series_finalize (GObject *object)
{
  ClChartSeries *self = CL_CHART_SERIES (object);

  g_free (self->name);
  g_clear_pointer (&self->values, g_array_unref);
  g_strfreev (self->labels);

  G_OBJECT_CLASS (cl_chart_series_parent_class)->finalize (object);
}

static void
cl_chart_series_class_init (ClChartSeriesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_chart_series_finalize;

  signals[CHANGED]
    = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cl_chart_series_init (ClChartSeries *self)
{
  self->values = g_array_new (FALSE, TRUE, sizeof (double));
}

ClChartSeries *
cl_chart_series_new (const char *name, guint colour)
{
  ClChartSeries *self = g_object_new (CL_TYPE_CHART_SERIES, NULL);

  self->name = g_strdup (name);
  self->colour = colour;
  return self;
}

const char *
cl_chart_series_get_name (ClChartSeries *self)
{
  g_return_val_if_fail (CL_IS_CHART_SERIES (self), NULL);
  return self->name;
}

guint
cl_chart_series_get_colour (ClChartSeries *self)
{
  g_return_val_if_fail (CL_IS_CHART_SERIES (self), 0);
  return self->colour;
}

guint
cl_chart_series_get_n_values (ClChartSeries *self)
{
  g_return_val_if_fail (CL_IS_CHART_SERIES (self), 0);
  return self->values->len;
}

double
cl_chart_series_get_value (ClChartSeries *self, guint index)
{
  g_return_val_if_fail (CL_IS_CHART_SERIES (self), 0.0);
  g_return_val_if_fail (index < self->values->len, 0.0);
  return g_array_index (self->values, double, index);
}

const char *
cl_chart_series_get_label (ClChartSeries *self, guint index)
{
  g_return_val_if_fail (CL_IS_CHART_SERIES (self), NULL);
  if (self->labels == NULL || index >= g_strv_length (self->labels))
    return NULL;
  return self->labels[index];
}

gint64
cl_chart_series_get_x_start (ClChartSeries *self)
{
  return self->x_start;
}

gint64
cl_chart_series_get_x_step (ClChartSeries *self)
{
  return self->x_step;
}

double
cl_chart_series_get_max (ClChartSeries *self)
{
  double max = 0.0;

  g_return_val_if_fail (CL_IS_CHART_SERIES (self), 0.0);
  for (guint i = 0; i < self->values->len; i++)
    {
      double value = g_array_index (self->values, double, i);

      if (!isnan (value))
        max = MAX (max, value);
    }
  return max;
}

void
cl_chart_series_set_time_values (ClChartSeries *self, gint64 x_start, gint64 x_step, GArray *values)
{
  g_return_if_fail (CL_IS_CHART_SERIES (self));
  g_return_if_fail (values != NULL);

  g_array_unref (self->values);
  self->values = values;
  g_clear_pointer (&self->labels, g_strfreev);
  self->x_start = x_start;
  self->x_step = x_step;
  g_signal_emit (self, signals[CHANGED], 0);
}

void
cl_chart_series_set_categories (ClChartSeries *self, GStrv labels, GArray *values)
{
  g_return_if_fail (CL_IS_CHART_SERIES (self));
  g_return_if_fail (values != NULL);

  g_array_unref (self->values);
  self->values = values;
  g_strfreev (self->labels);
  self->labels = labels;
  self->x_start = self->x_step = 0;
  g_signal_emit (self, signals[CHANGED], 0);
}
