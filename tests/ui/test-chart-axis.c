/* The chart's axis layout (cl-chart-axis.h) without a display: across plot widths and time ranges from minutes to
 * more than a year, in UTC and across a DST change, with labels measured by Pango as the chart draws them and by a
 * cruder per-character width, no two time labels overlap, all stay inside the plot, each stays on its tick, and a
 * plot with room for several labels gets several; value axes keep their labels apart and distinct. */
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "cl-chart-axis.h"

#define GAP 12.0

static double
measure_chars (const char *label, gpointer user_data)
{
  return g_utf8_strlen (label, -1) * *(double *)user_data;
}

typedef struct
{
  cairo_surface_t *surface;
  cairo_t *cr;
  PangoFontDescription *font;
} Pango;

static void
pango_setup (Pango *p, const char *font)
{
  p->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  p->cr = cairo_create (p->surface);
  p->font = pango_font_description_from_string (font);
}

static void
pango_teardown (Pango *p)
{
  pango_font_description_free (p->font);
  cairo_destroy (p->cr);
  cairo_surface_destroy (p->surface);
}

static double
measure_pango (const char *label, gpointer user_data)
{
  Pango *p = user_data;
  g_autoptr (PangoLayout) layout = pango_cairo_create_layout (p->cr);
  int w, h;

  pango_layout_set_font_description (layout, p->font);
  pango_layout_set_text (layout, label, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  return w;
}

static void
check_ticks (GArray *ticks, gint64 start_us, gint64 end_us, double plot_x, double plot_w, const char *what)
{
  for (guint i = 0; i < ticks->len; i++)
    {
      ClChartTimeTick *tick = &g_array_index (ticks, ClChartTimeTick, i);

      if (!(tick->left >= plot_x - 1e-6 && tick->left + tick->width <= plot_x + plot_w + 1e-6))
        g_error ("%s: label %u “%s” [%.1f, %.1f] outside the plot [%.1f, %.1f]", what, i, tick->label, tick->left,
                 tick->left + tick->width, plot_x, plot_x + plot_w);
      if (!(tick->x >= tick->left - 1e-6 && tick->x <= tick->left + tick->width + 1e-6))
        g_error ("%s: label %u “%s” [%.1f, %.1f] is off its tick at %.1f", what, i, tick->label, tick->left,
                 tick->left + tick->width, tick->x);
      g_assert_cmpint (tick->time, >=, start_us - G_USEC_PER_SEC);
      g_assert_cmpint (tick->time, <=, end_us);
      g_assert_nonnull (tick->label);
      g_assert_cmpstr (tick->label, !=, "");
      if (i > 0)
        {
          ClChartTimeTick *before = &g_array_index (ticks, ClChartTimeTick, i - 1);

          g_assert_cmpint (tick->time, >, before->time);
          if (tick->left < before->left + before->width + GAP - 1e-6)
            g_error ("%s: labels “%s” [%.1f, %.1f] and “%s” [%.1f, %.1f] are closer than %.0f px", what, before->label,
                     before->left, before->left + before->width, tick->label, tick->left, tick->left + tick->width,
                     GAP);
        }
    }
}

static const gint64 spans_s[] = {
  3 * 60,    10 * 60,   45 * 60,    2 * 3600,   7 * 3600,    23 * 3600,   26 * 3600,
  3 * 86400, 7 * 86400, 16 * 86400, 35 * 86400, 100 * 86400, 400 * 86400,
};

/* Ticks every so often, not wherever a label happened to fit: past the first (whose neighbour may have made way for
 * it), one interval. Only where the clock keeps step with UTC. */
static void
check_regular (GArray *ticks, const char *what)
{
  for (guint i = 3; i < ticks->len; i++)
    {
      gint64 interval = g_array_index (ticks, ClChartTimeTick, 2).time - g_array_index (ticks, ClChartTimeTick, 1).time;
      gint64 d = g_array_index (ticks, ClChartTimeTick, i).time - g_array_index (ticks, ClChartTimeTick, i - 1).time;

      if (d != interval)
        g_error ("%s: ticks %u and %u are %" G_GINT64_FORMAT " s apart, the others %" G_GINT64_FORMAT " s", what, i - 1,
                 i, d / G_USEC_PER_SEC, interval / G_USEC_PER_SEC);
    }
}

static void
sweep (GTimeZone *tz, gint64 start_s, ClChartMeasureFunc measure, gpointer data, double widest)
{
  for (guint s = 0; s < G_N_ELEMENTS (spans_s); s++)
    for (int width = 200; width <= 2000; width += 25)
      {
        /* the chart's geometry: a value axis on the left, padding on the right */
        double plot_x = 44, plot_w = width - 44 - 8;
        gint64 start_us = start_s * G_USEC_PER_SEC, end_us = (start_s + spans_s[s]) * G_USEC_PER_SEC;
        g_autoptr (GArray) ticks = cl_chart_time_ticks (start_us, end_us, plot_x, plot_w, GAP, tz, measure, data);
        g_autofree char *what = g_strdup_printf ("width %d, span %" G_GINT64_FORMAT " s", width, spans_s[s]);

        check_ticks (ticks, start_us, end_us, plot_x, plot_w, what);
        if (g_str_equal (g_time_zone_get_identifier (tz), "UTC"))
          check_regular (ticks, what);
        g_assert_cmpuint (ticks->len, >=, 1);
        /* room for three of the widest labels: at least two, not one lonely date */
        if (plot_w >= 3 * (widest + GAP) && spans_s[s] >= 10 * 60)
          if (ticks->len < 2)
            g_error ("%s: only %u label(s)", what, ticks->len);
      }
}

static void
test_time_ticks_utc (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  double per_char = 6.5;
  Pango p;

  /* 20 Nov 2024 06:17:23 UTC: nothing round about it */
  sweep (utc, 1732083443, measure_chars, &per_char, 11 * per_char);
  pango_setup (&p, "Sans 8");
  sweep (utc, 1732083443, measure_pango, &p, measure_pango ("28 Nov 2024", &p));
  pango_teardown (&p);
  /* large text: fewer labels, still apart */
  pango_setup (&p, "Sans 16");
  sweep (utc, 1732083443, measure_pango, &p, measure_pango ("28 Nov 2024", &p));
  pango_teardown (&p);
}

static void
test_time_ticks_dst (void)
{
  g_autoptr (GTimeZone) berlin = g_time_zone_new_identifier ("Europe/Berlin");
  Pango p;

  if (berlin == NULL)
    {
      g_test_skip ("no tzdata for Europe/Berlin");
      return;
    }
  pango_setup (&p, "Sans 8");
  /* 26 Oct 2024 21:40 UTC: the clocks go back from 03:00 to 02:00 a few hours later */
  sweep (berlin, 1729978800, measure_pango, &p, measure_pango ("28 Nov 2024", &p));
  /* 30 Mar 2024 22:10 UTC: the clocks skip 02:00 to 03:00 */
  sweep (berlin, 1711836600, measure_pango, &p, measure_pango ("28 Nov 2024", &p));
  pango_teardown (&p);
}

/* The defect this layout replaced: right-aligned wide labels at the last bucket ran into the middle one. */
static void
test_time_ticks_narrow (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  double per_char = 6.5;

  for (double plot_w = 0; plot_w < 200; plot_w += 0.5)
    {
      gint64 start = (gint64)1732083443 * G_USEC_PER_SEC, end = start + (gint64)2 * 86400 * G_USEC_PER_SEC;
      g_autoptr (GArray) ticks = cl_chart_time_ticks (start, end, 10, plot_w, GAP, utc, measure_chars, &per_char);

      check_ticks (ticks, start, end, 10, plot_w, "narrow");
      if (plot_w < 5 * per_char)
        g_assert_cmpuint (ticks->len, ==, 0); /* no label fits ("HH:MM" is the shortest): none, not one spilling out */
    }
}

static void
test_time_ticks_single_point (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  gint64 when = (gint64)1732083443 * G_USEC_PER_SEC;
  double per_char = 6.5;
  g_autoptr (GArray) ticks = cl_chart_time_ticks (when, when, 40, 300, GAP, utc, measure_chars, &per_char);
  ClChartTimeTick *tick;

  g_assert_cmpuint (ticks->len, ==, 1);
  tick = &g_array_index (ticks, ClChartTimeTick, 0);
  g_assert_cmpstr (tick->label, ==, "06:17");
  g_assert_cmpfloat_with_epsilon (tick->x, 190, 1e-9);
  check_ticks (ticks, when, when, 40, 300, "single point");
}

/* Times no calendar holds (a corrupt series) give no labels, not a critical. */
static void
test_time_ticks_out_of_range (void)
{
  double per_char = 6.5;
  g_autoptr (GArray) before = cl_chart_time_ticks (G_MININT64 / 2, 0, 0, 800, GAP, NULL, measure_chars, &per_char);
  g_autoptr (GArray) after = cl_chart_time_ticks (0, G_MAXINT64 / 2, 0, 800, GAP, NULL, measure_chars, &per_char);

  g_assert_cmpuint (before->len, ==, 0);
  g_assert_cmpuint (after->len, ==, 0);
}

/* Round times on the clock, with the date where the day changes. */
static void
test_time_ticks_labels (void)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  gint64 start = (gint64)1732083443 * G_USEC_PER_SEC; /* 06:17:23 */
  double per_char = 6.5;
  g_autoptr (GArray) hours = cl_chart_time_ticks (start, start + (gint64)3 * 3600 * G_USEC_PER_SEC, 0, 800, GAP, utc,
                                                  measure_chars, &per_char);
  g_autoptr (GArray) days = cl_chart_time_ticks (start, start + (gint64)30 * 3600 * G_USEC_PER_SEC, 0, 800, GAP, utc,
                                                 measure_chars, &per_char);
  gboolean midnight = FALSE;

  g_assert_cmpuint (hours->len, >=, 3);
  for (guint i = 0; i < hours->len; i++)
    {
      ClChartTimeTick *tick = &g_array_index (hours, ClChartTimeTick, i);

      g_assert_cmpint (tick->time % (5 * 60 * G_USEC_PER_SEC), ==, 0);
      g_assert_cmpuint (strlen (tick->label), ==, 5); /* "HH:MM" */
    }
  g_assert_true (g_str_has_prefix (g_array_index (days, ClChartTimeTick, 0).label, "20 Nov "));
  for (guint i = 0; i < days->len; i++)
    midnight |= g_str_equal (g_array_index (days, ClChartTimeTick, i).label, "21 Nov");
  g_assert_true (midnight);
}

static void
test_value_ticks (void)
{
  static const double maxima[] = { 0, NAN, 0.004, 0.04, 0.3, 1, 1.25, 4, 4.2, 7, 12, 99, 101, 1234, 1e6 };
  static const ClChartFormat formats[] = { CL_CHART_FORMAT_NUMBER, CL_CHART_FORMAT_PERCENT, CL_CHART_FORMAT_SECONDS };
  const double label_h = 13, gap = 2;

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    for (guint m = 0; m < G_N_ELEMENTS (maxima); m++)
      for (double h = label_h + gap; h <= 600; h += 1)
        {
          double step = 0;
          guint n = cl_chart_value_ticks (formats[f], maxima[m], h, label_h, gap, &step);
          g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

          g_assert_cmpuint (n, >=, 1);
          g_assert_cmpuint (n, <=, 5);
          g_assert_cmpfloat (step, >, 0);
          if (h / n < label_h + gap)
            g_error ("format %u, max %g, height %g: %u divisions leave %.1f px a label", f, maxima[m], h, n, h / n);
          if (formats[f] == CL_CHART_FORMAT_PERCENT)
            g_assert_cmpfloat_with_epsilon (n * step, 1.0, 1e-9);
          else if (maxima[m] > 0)
            g_assert_cmpfloat (n * step, >=, maxima[m] * (1 - 1e-9));
          for (guint i = 0; i <= n; i++)
            {
              char text[64];

              cl_chart_format_value (formats[f], step * i, text, sizeof text);
              if (!g_hash_table_add (seen, g_strdup (text)))
                g_error ("format %u, max %g, height %g: “%s” twice on the axis", f, maxima[m], h, text);
            }
        }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chart-axis/time/utc", test_time_ticks_utc);
  g_test_add_func ("/chart-axis/time/dst", test_time_ticks_dst);
  g_test_add_func ("/chart-axis/time/narrow", test_time_ticks_narrow);
  g_test_add_func ("/chart-axis/time/single-point", test_time_ticks_single_point);
  g_test_add_func ("/chart-axis/time/labels", test_time_ticks_labels);
  g_test_add_func ("/chart-axis/time/out-of-range", test_time_ticks_out_of_range);
  g_test_add_func ("/chart-axis/value", test_value_ticks);
  return g_test_run ();
}
