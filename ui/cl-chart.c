/* cl-chart.c: chart drawing (cl-chart.h). Drawn with cairo inside the snapshot: a few hundred points and
 * labels cost well under a millisecond, and the same code writes the PDF report. */
#include "cl-chart.h"

#include "cl-chart-axis.h"

#include <math.h>
#include <pango/pangocairo.h>

struct _ClChart
{
  GtkWidget parent_instance;

  char *title;
  ClChartKind kind;
  ClChartFormat format;
  GListStore *series;
  guint draw_count;
};

G_DEFINE_FINAL_TYPE (ClChart, cl_chart, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TITLE,
  PROP_KIND,
  PROP_FORMAT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Adwaita palette (blue 3, green 5, orange 3, red 3, purple 3): legible on light and dark grounds. */
static const GdkRGBA palette[] = {
  { 0.208, 0.518, 0.894, 1 }, { 0.180, 0.761, 0.494, 1 }, { 1.000, 0.471, 0.000, 1 },
  { 0.878, 0.106, 0.141, 1 }, { 0.569, 0.255, 0.675, 1 },
};

#define PAD 8.0

static PangoLayout *
make_layout (cairo_t *cr, const char *text, gboolean bold)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string (bold ? "Sans Bold 9" : "Sans 8");

  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

static double
draw_text (cairo_t *cr, const char *text, double x, double y, gboolean bold, double align)
{
  g_autoptr (PangoLayout) layout = make_layout (cr, text, bold);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - align * w, y);
  pango_cairo_show_layout (cr, layout);
  return w;
}

static void
set_colour (cairo_t *cr, const GdkRGBA *colour, double alpha)
{
  cairo_set_source_rgba (cr, colour->red, colour->green, colour->blue, colour->alpha * alpha);
}

static double
measure_label (const char *label, gpointer user_data)
{
  g_autoptr (PangoLayout) layout = make_layout (user_data, label, FALSE);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  return w;
}

#define LABEL_GAP 12.0 /* between two time labels, px */

static void
render_line (ClChart *self, cairo_t *cr, double x0, double y0, double w, double h, const GdkRGBA *fg)
{
  guint n_series = g_list_model_get_n_items (G_LIST_MODEL (self->series));
  double max = 0, step, label_h, axis_w = 0;
  guint n_points = 0, n_divisions;
  g_autoptr (ClChartSeries) first = NULL;
  double legend_x = x0;
  char text[64];
  gboolean all_values;

  for (guint s = 0; s < n_series; s++)
    {
      g_autoptr (ClChartSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), s);

      max = MAX (max, cl_chart_series_get_max (series));
      n_points = MAX (n_points, cl_chart_series_get_n_values (series));
    }

  /* Legend row. */
  for (guint s = 0; s < n_series && n_series > 1; s++)
    {
      g_autoptr (ClChartSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), s);

      set_colour (cr, &palette[cl_chart_series_get_colour (series) % G_N_ELEMENTS (palette)], 1);
      cairo_rectangle (cr, legend_x, y0 + 4, 10, 10);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, fg);
      legend_x += 16 + draw_text (cr, cl_chart_series_get_name (series), legend_x + 14, y0 + 1, FALSE, 0) + 12;
    }
  if (n_series > 1)
    {
      y0 += 18;
      h -= 18;
    }

  /* The value labels are centred on their grid lines: half a label above the plot keeps the top one clear of the
   * legend, and a label's height below it holds the time labels. */
  {
    g_autoptr (PangoLayout) probe = make_layout (cr, "0", FALSE);
    int pw, ph;

    pango_layout_get_pixel_size (probe, &pw, &ph);
    label_h = ph;
  }
  y0 += label_h / 2;
  h -= label_h / 2 + label_h + 2;
  if (h <= 0)
    return;
  n_divisions = cl_chart_value_ticks (self->format, max, h, label_h, 2, &step);
  all_values = h / n_divisions >= label_h + 2;
  for (guint i = 0; i <= n_divisions; i++)
    {
      cl_chart_format_value (self->format, step * i, text, sizeof text);
      axis_w = MAX (axis_w, measure_label (text, cr));
    }
  axis_w = MIN (axis_w + 8, w / 2);

  cairo_set_line_width (cr, 1);
  for (guint i = 0; i <= n_divisions; i++)
    {
      double y = y0 + h - h * i / n_divisions;

      set_colour (cr, fg, i == 0 ? 0.5 : 0.15);
      cairo_move_to (cr, x0 + axis_w, floor (y) + 0.5);
      cairo_line_to (cr, x0 + w, floor (y) + 0.5);
      cairo_stroke (cr);
      /* Too low for every label: the top one still gives the scale. */
      if (!all_values && i != n_divisions)
        continue;
      cl_chart_format_value (self->format, step * i, text, sizeof text);
      set_colour (cr, fg, 0.7);
      draw_text (cr, text, x0 + axis_w - 4, y - label_h / 2, FALSE, 1.0);
    }

  if (n_points == 0)
    {
      set_colour (cr, fg, 0.6);
      draw_text (cr, "No data", x0 + axis_w + (w - axis_w) / 2, y0 + h / 2 - label_h / 2, FALSE, 0.5);
      return;
    }

  /* Time labels at round times, as many as their measured widths allow. */
  first = g_list_model_get_item (G_LIST_MODEL (self->series), 0);
  if (cl_chart_series_get_x_step (first) > 0)
    {
      gint64 start = cl_chart_series_get_x_start (first), x_step = cl_chart_series_get_x_step (first);
      g_autoptr (GArray) ticks = cl_chart_time_ticks (start, start + x_step * (gint64)(n_points - 1), x0 + axis_w,
                                                      w - axis_w, LABEL_GAP, NULL, measure_label, cr);

      for (guint i = 0; i < ticks->len; i++)
        {
          ClChartTimeTick *tick = &g_array_index (ticks, ClChartTimeTick, i);

          set_colour (cr, fg, 0.5);
          cairo_move_to (cr, floor (tick->x) + 0.5, y0 + h);
          cairo_rel_line_to (cr, 0, 3);
          cairo_stroke (cr);
          set_colour (cr, fg, 0.7);
          draw_text (cr, tick->label, tick->left, y0 + h + 2, FALSE, 0);
        }
    }

  cairo_save (cr);
  cairo_rectangle (cr, x0 + axis_w, y0 - 1, w - axis_w, h + 2);
  cairo_clip (cr);
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint s = 0; s < n_series; s++)
    {
      g_autoptr (ClChartSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), s);
      guint n = cl_chart_series_get_n_values (series);

      gboolean pen_down = FALSE;

      set_colour (cr, &palette[cl_chart_series_get_colour (series) % G_N_ELEMENTS (palette)], 1);
      for (guint i = 0; i < n; i++)
        {
          double value = cl_chart_series_get_value (series, i);
          double x = x0 + axis_w + (n_points > 1 ? (w - axis_w) * i / (n_points - 1.0) : (w - axis_w) / 2);
          double y = y0 + h - h * value / (step * n_divisions);

          /* No value: a gap in the line; a lone value between gaps: a dot. */
          if (isnan (value))
            {
              pen_down = FALSE;
              continue;
            }
          if (!pen_down)
            {
              cairo_move_to (cr, x, y);
              cairo_rel_line_to (cr, 0.01, 0);
            }
          else
            cairo_line_to (cr, x, y);
          pen_down = TRUE;
        }
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

static void
render_bars (ClChart *self, cairo_t *cr, double x0, double y0, double w, double h, const GdkRGBA *fg)
{
  g_autoptr (ClChartSeries) series = NULL;
  double max, row_h, label_w = 0, value_w = 64;
  guint n;
  char text[64];

  if (g_list_model_get_n_items (G_LIST_MODEL (self->series)) == 0)
    return;
  series = g_list_model_get_item (G_LIST_MODEL (self->series), 0);
  n = cl_chart_series_get_n_values (series);
  if (n == 0)
    {
      set_colour (cr, fg, 0.6);
      draw_text (cr, "No data", x0 + w / 2, y0 + h / 2 - 7, FALSE, 0.5);
      return;
    }
  max = cl_chart_series_get_max (series);
  if (max <= 0)
    max = 1;
  row_h = MIN (22.0, h / n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (PangoLayout) layout = make_layout (cr, cl_chart_series_get_label (series, i) ?: "", FALSE);
      int lw, lh;

      pango_layout_get_pixel_size (layout, &lw, &lh);
      label_w = MAX (label_w, lw);
    }
  label_w = MIN (label_w + 8, w * 0.45);

  for (guint i = 0; i < n; i++)
    {
      double value = cl_chart_series_get_value (series, i);
      double y = y0 + i * row_h;
      double bar = (w - label_w - value_w) * value / max;

      set_colour (cr, fg, 0.85);
      cairo_save (cr);
      cairo_rectangle (cr, x0, y, label_w - 4, row_h);
      cairo_clip (cr);
      draw_text (cr, cl_chart_series_get_label (series, i) ?: "", x0, y + (row_h - 14) / 2, FALSE, 0);
      cairo_restore (cr);
      set_colour (cr, &palette[cl_chart_series_get_colour (series) % G_N_ELEMENTS (palette)], 0.9);
      cairo_rectangle (cr, x0 + label_w, y + 3, MAX (bar, value > 0 ? 1 : 0), row_h - 6);
      cairo_fill (cr);
      cl_chart_format_value (self->format, value, text, sizeof text);
      set_colour (cr, fg, 0.85);
      draw_text (cr, text, x0 + label_w + bar + 4, y + (row_h - 14) / 2, FALSE, 0);
    }
}

void
cl_chart_render (ClChart *self, cairo_t *cr, double width, double height, const GdkRGBA *fg)
{
  double y = 0;

  g_return_if_fail (CL_IS_CHART (self));

  if (self->title != NULL)
    {
      gdk_cairo_set_source_rgba (cr, fg);
      draw_text (cr, self->title, 0, 0, TRUE, 0);
      y = 20;
    }
  if (width < 80 || height - y < 40)
    return;
  if (self->kind == CL_CHART_LINE)
    render_line (self, cr, 0, y + 2, width - PAD, height - y - 4, fg);
  else
    render_bars (self, cr, 0, y + 2, width - PAD, height - y - 4, fg);
}

static void
cl_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  ClChart *self = CL_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA fg;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cl_chart_render (self, cr, width, height, &fg);
  cairo_destroy (cr);
  self->draw_count++;
}

static void
cl_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                  int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 140;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 420 : 220;
}

/* Screen readers get the figures the picture shows: the categories with their values, or each series'
 * latest value. */
static void
update_description (ClChart *self)
{
  g_autoptr (GString) text = g_string_new (NULL);
  guint n_series = g_list_model_get_n_items (G_LIST_MODEL (self->series));
  char value[64];

  for (guint s = 0; s < n_series; s++)
    {
      g_autoptr (ClChartSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), s);
      guint n = cl_chart_series_get_n_values (series);

      if (self->kind == CL_CHART_BARS)
        for (guint i = 0; i < n; i++)
          {
            cl_chart_format_value (self->format, cl_chart_series_get_value (series, i), value, sizeof value);
            g_string_append_printf (text, "%s%s: %s", text->len ? "; " : "",
                                    cl_chart_series_get_label (series, i) ?: "", value);
          }
      else
        for (guint i = n; i > 0; i--)
          if (!isnan (cl_chart_series_get_value (series, i - 1)))
            {
              cl_chart_format_value (self->format, cl_chart_series_get_value (series, i - 1), value, sizeof value);
              g_string_append_printf (text, "%s%s latest %s", text->len ? "; " : "", cl_chart_series_get_name (series),
                                      value);
              break;
            }
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text->len ? text->str : "No data", -1);
}

static void
on_series_changed (ClChart *self)
{
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cl_chart_dispose (GObject *object)
{
  ClChart *self = CL_CHART (object);
  guint n = self->series ? g_list_model_get_n_items (G_LIST_MODEL (self->series)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ClChartSeries) series = g_list_model_get_item (G_LIST_MODEL (self->series), i);

      g_signal_handlers_disconnect_by_func (series, on_series_changed, self);
    }
  g_clear_object (&self->series);
  g_clear_pointer (&self->title, g_free);

  G_OBJECT_CLASS (cl_chart_parent_class)->dispose (object);
}

static void
cl_chart_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClChart *self = CL_CHART (object);

  switch (prop_id)
    {
      case PROP_TITLE:
        g_value_set_string (value, self->title);
        break;
      case PROP_KIND:
        g_value_set_int (value, self->kind);
        break;
      case PROP_FORMAT:
        g_value_set_int (value, self->format);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_chart_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClChart *self = CL_CHART (object);

  switch (prop_id)
    {
      case PROP_TITLE:
        cl_chart_set_title (self, g_value_get_string (value));
        break;
      case PROP_KIND:
        cl_chart_set_kind (self, g_value_get_int (value));
        break;
      case PROP_FORMAT:
        cl_chart_set_format (self, g_value_get_int (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_chart_class_init (ClChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_chart_dispose;
  object_class->get_property = cl_chart_get_property;
  object_class->set_property = cl_chart_set_property;
  widget_class->snapshot = cl_chart_snapshot;
  widget_class->measure = cl_chart_measure;

  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] = g_param_spec_int ("kind", NULL, NULL, CL_CHART_LINE, CL_CHART_BARS, CL_CHART_LINE,
                                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FORMAT] = g_param_spec_int ("format", NULL, NULL, CL_CHART_FORMAT_NUMBER, CL_CHART_FORMAT_SECONDS,
                                              CL_CHART_FORMAT_NUMBER, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cl_chart_init (ClChart *self)
{
  self->series = g_list_store_new (CL_TYPE_CHART_SERIES);
}

GtkWidget *
cl_chart_new (ClChartKind kind, ClChartFormat format)
{
  return g_object_new (CL_TYPE_CHART, "kind", kind, "format", format, NULL);
}

void
cl_chart_add_series (ClChart *self, ClChartSeries *series)
{
  g_return_if_fail (CL_IS_CHART (self));
  g_return_if_fail (CL_IS_CHART_SERIES (series));

  g_list_store_append (self->series, series);
  g_signal_connect_swapped (series, "changed", G_CALLBACK (on_series_changed), self);
  on_series_changed (self);
}

GListModel *
cl_chart_get_series (ClChart *self)
{
  g_return_val_if_fail (CL_IS_CHART (self), NULL);
  return G_LIST_MODEL (self->series);
}

const char *
cl_chart_get_title (ClChart *self)
{
  g_return_val_if_fail (CL_IS_CHART (self), NULL);
  return self->title;
}

void
cl_chart_set_title (ClChart *self, const char *title)
{
  g_return_if_fail (CL_IS_CHART (self));
  if (g_strcmp0 (self->title, title) != 0)
    {
      g_free (self->title);
      self->title = g_strdup (title);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
}

ClChartKind
cl_chart_get_kind (ClChart *self)
{
  return self->kind;
}

void
cl_chart_set_kind (ClChart *self, ClChartKind kind)
{
  self->kind = kind;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cl_chart_set_format (ClChart *self, ClChartFormat format)
{
  self->format = format;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
cl_chart_get_draw_count (ClChart *self)
{
  return self->draw_count;
}
