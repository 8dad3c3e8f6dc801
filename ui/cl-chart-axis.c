/* cl-chart-axis.c: axis label layout (cl-chart-axis.h). */
#include "cl-chart-axis.h"

#include <math.h>

#define MINUTE ((gint64)60)
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)

/* In seconds. Below a day each one divides the day, so ticks fall on the same round clock times every day. */
static const gint64 ladder[] = {
  MINUTE,   2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR,     2 * HOUR,
  3 * HOUR, 6 * HOUR,   12 * HOUR,  DAY,         2 * DAY,     7 * DAY,     14 * DAY, 28 * DAY,
};

static void
tick_clear (gpointer data)
{
  g_free (((ClChartTimeTick *)data)->label);
}

static GArray *
tick_array_new (void)
{
  GArray *ticks = g_array_new (FALSE, TRUE, sizeof (ClChartTimeTick));

  g_array_set_clear_func (ticks, tick_clear);
  return ticks;
}

/* NULL outside the years 1 to 9999. */
static GDateTime *
local_time (gint64 unix_s, GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_s);

  return utc != NULL ? g_date_time_to_timezone (utc, tz) : NULL;
}

/* A date appears where the clock alone would be ambiguous (on the first label, at each midnight), a year where it
 * changes within the range: on the label after the change only, as one more wide label next to it would not fit. */
static const char *
label_format (gint64 interval, GDateTime *when, GDateTime *before, gboolean multi_day, gboolean multi_year)
{
  if (interval >= DAY)
    {
      if (multi_year && before != NULL && g_date_time_get_year (before) != g_date_time_get_year (when))
        return "%d %b %Y";
      return "%d %b";
    }
  if (!multi_day)
    return "%H:%M";
  if (g_date_time_get_hour (when) == 0 && g_date_time_get_minute (when) == 0)
    return "%d %b";
  return before == NULL ? "%d %b %H:%M" : "%H:%M";
}

/* Tick times (Unix seconds) in [start, end] every interval on tz's clock, strictly increasing: a clock time that a
 * DST change skips or repeats gives no second tick. */
static GArray *
tick_times (gint64 start, gint64 end, gint64 interval, GTimeZone *tz)
{
  GArray *times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GDateTime) first = local_time (start, tz);
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay)g_date_time_get_day_of_month (first), (GDateMonth)g_date_time_get_month (first),
                  (GDateYear)g_date_time_get_year (first));
  if (interval >= DAY)
    {
      guint days = (guint)(interval / DAY);

      /* Julian day 1 is a Monday: weekly ticks fall on Mondays. */
      g_date_add_days (&date, (days - (g_date_get_julian (&date) - 1) % days) % days);
    }
  for (;;)
    {
      g_autoptr (GDateTime) midnight
        = g_date_time_new (tz, g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date), 0, 0, 0);
      gint64 day_start;

      if (midnight == NULL)
        break;
      day_start = g_date_time_to_unix (midnight);
      if (day_start > end)
        break;
      for (gint64 s = 0; s < DAY; s += MIN (interval, DAY))
        {
          g_autoptr (GDateTime) when
            = s == 0 ? g_date_time_ref (midnight)
                     : g_date_time_new (tz, g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date),
                                        (gint)(s / HOUR), (gint)(s % HOUR / MINUTE), 0);
          gint64 t = when != NULL ? g_date_time_to_unix (when) : G_MININT64;

          if (t >= start && t <= end && (times->len == 0 || t > g_array_index (times, gint64, times->len - 1)))
            g_array_append_val (times, t);
        }
      if (!g_date_valid_julian (g_date_get_julian (&date) + (guint32)MAX (interval / DAY, 1)))
        break;
      g_date_add_days (&date, (guint)MAX (interval / DAY, 1));
    }
  return times;
}

static void
append_tick (GArray *ticks, gint64 t, double x, const char *format, GTimeZone *tz, ClChartMeasureFunc measure,
             gpointer user_data)
{
  g_autoptr (GDateTime) when = local_time (t, tz);
  ClChartTimeTick tick = { t * G_USEC_PER_SEC, x, 0, 0, g_date_time_format (when, format) };

  if (tick.label == NULL)
    tick.label = g_strdup ("");
  tick.width = measure (tick.label, user_data);
  tick.left = x - tick.width / 2;
  g_array_append_val (ticks, tick);
}

/* Pulls each label inside the plot; drops one wider than the plot, and one that then comes within gap of the label
 * kept before it (only an edge label can, since the interval kept centred labels apart). */
static void
fit_inside (GArray *ticks, double plot_x, double plot_w, double gap)
{
  guint kept = 0;

  for (guint i = 0; i < ticks->len; i++)
    {
      ClChartTimeTick *tick = &g_array_index (ticks, ClChartTimeTick, i);
      ClChartTimeTick *before = kept > 0 ? &g_array_index (ticks, ClChartTimeTick, kept - 1) : NULL;

      tick->left = CLAMP (tick->left, plot_x, plot_x + plot_w - tick->width);
      if (tick->width > plot_w || (before != NULL && tick->left < before->left + before->width + gap))
        {
          g_clear_pointer (&tick->label, g_free);
          continue;
        }
      if (kept != i)
        {
          g_array_index (ticks, ClChartTimeTick, kept) = *tick;
          tick->label = NULL;
        }
      kept++;
    }
  g_array_set_size (ticks, kept);
}

GArray *
cl_chart_time_ticks (gint64 start_us, gint64 end_us, double plot_x, double plot_w, double gap, GTimeZone *tz,
                     ClChartMeasureFunc measure, gpointer user_data)
{
  GArray *ticks = tick_array_new ();
  g_autoptr (GTimeZone) zone = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  gint64 start = start_us / G_USEC_PER_SEC, end = end_us / G_USEC_PER_SEC;
  g_autoptr (GDateTime) start_time = NULL, end_time = NULL;
  gboolean multi_day, multi_year;
  gint64 interval = 0;
  gboolean found = FALSE;

  g_return_val_if_fail (measure != NULL, ticks);
  if (!(plot_w > 0))
    return ticks;
  gap = MAX (gap, 0);
  start_time = local_time (start, zone);
  end_time = local_time (MAX (start, end), zone);
  if (start_time == NULL || end_time == NULL)
    return ticks;
  multi_year = g_date_time_get_year (start_time) != g_date_time_get_year (end_time);
  multi_day = multi_year || g_date_time_get_day_of_year (start_time) != g_date_time_get_day_of_year (end_time);

  if (end <= start)
    {
      append_tick (ticks, start, plot_x + plot_w / 2, "%H:%M", zone, measure, user_data);
      fit_inside (ticks, plot_x, plot_w, gap);
      return ticks;
    }

  /* Past four weeks the interval doubles; 2^16 of them is longer than any calendar GDate keeps. */
  for (guint i = 0; i < G_N_ELEMENTS (ladder) + 16 && !found; i++)
    {
      g_autoptr (GArray) times = NULL;
      gboolean spaced = TRUE;

      interval
        = i < G_N_ELEMENTS (ladder) ? ladder[i] : ladder[G_N_ELEMENTS (ladder) - 1] << (i - G_N_ELEMENTS (ladder) + 1);
      /* Too many ticks to keep even the gap between them: no need to measure. */
      if ((double)(end - start) / interval > plot_w / MAX (gap, 1.0) + 1)
        continue;
      times = tick_times (start, end, interval, zone);
      g_array_set_size (ticks, 0);
      for (guint t = 0; t < times->len && spaced; t++)
        {
          gint64 when_s = g_array_index (times, gint64, t);
          g_autoptr (GDateTime) when = local_time (when_s, zone);
          g_autoptr (GDateTime) before = t > 0 ? local_time (g_array_index (times, gint64, t - 1), zone) : NULL;
          double x = plot_x + plot_w * (double)(when_s - start) / (double)(end - start);

          append_tick (ticks, when_s, x, label_format (interval, when, before, multi_day, multi_year), zone, measure,
                       user_data);
          if (t > 0)
            {
              ClChartTimeTick *a = &g_array_index (ticks, ClChartTimeTick, t - 1);
              ClChartTimeTick *b = &g_array_index (ticks, ClChartTimeTick, t);

              spaced = b->left >= a->left + a->width + gap;
            }
        }
      found = spaced;
    }
  if (!found)
    g_array_set_size (ticks, 0);

  /* No round time within the range (it is shorter than the interval that fits): its start, at the left edge. */
  if (ticks->len == 0)
    {
      append_tick (ticks, start, plot_x, label_format (interval, start_time, NULL, multi_day, multi_year), zone,
                   measure, user_data);
      g_array_index (ticks, ClChartTimeTick, 0).left = plot_x;
    }
  fit_inside (ticks, plot_x, plot_w, gap);
  return ticks;
}

guint
cl_chart_value_ticks (ClChartFormat format, double max, double plot_h, double label_h, double gap, double *step)
{
  static const double percent_steps[] = { 0.25, 0.5, 1.0 };
  double fit = plot_h / MAX (label_h + gap, 1.0);
  guint max_divisions = format == CL_CHART_FORMAT_PERCENT ? 4 : 5;
  double raw, magnitude, s = 1.0;
  guint n;

  g_return_val_if_fail (step != NULL, 1);
  if (fit < max_divisions)
    max_divisions = fit >= 1 ? (guint)fit : 1;

  if (format == CL_CHART_FORMAT_PERCENT)
    {
      for (guint i = 0; i < G_N_ELEMENTS (percent_steps); i++)
        if (1.0 / percent_steps[i] <= max_divisions + 1e-9)
          {
            *step = percent_steps[i];
            return (guint)lround (1.0 / percent_steps[i]);
          }
      *step = 1.0;
      return 1;
    }

  if (!(max > 0) || !isfinite (max))
    max = 1.0;
  /* Finer steps would print the same label twice ("%.1f" and "%.2f s", see cl_chart_format_value). */
  raw = MAX (max / max_divisions, format == CL_CHART_FORMAT_SECONDS ? 0.01 : 0.1);
  magnitude = pow (10, floor (log10 (raw)));
  for (guint m = 0; m < 4; m++)
    {
      static const double mantissa[] = { 1, 2, 5, 10 };

      s = mantissa[m] * magnitude;
      if (s >= raw * (1 - 1e-9))
        break;
    }
  n = (guint)MAX (ceil (max / s - 1e-9), 1);
  *step = s;
  return n;
}

void
cl_chart_format_value (ClChartFormat format, double value, char *out, gsize size)
{
  switch (format)
    {
      case CL_CHART_FORMAT_PERCENT:
        g_snprintf (out, size, "%.1f %%", value * 100.0);
        break;
      case CL_CHART_FORMAT_SECONDS:
        g_snprintf (out, size, value < 10 ? "%.2f s" : "%.1f s", value);
        break;
      case CL_CHART_FORMAT_NUMBER:
      default:
        g_snprintf (out, size, value < 10 && value != (gint64)value ? "%.1f" : "%.0f", value);
        break;
    }
}
