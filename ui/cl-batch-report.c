/* cl-batch-report.c: PDF and CSV batch reports (cl-batch-report.h). */
#include "cl-batch-report.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "cl-chart.h"
#include "core/cl-name.h"
#include "cl-ui-error.h"

#define PAGE_W 595.0 /* A4 in points */
#define PAGE_H 842.0
#define MARGIN 40.0

#define SUMMARY_LABEL_FONT "Sans 8"
#define SUMMARY_VALUE_FONT "Sans Bold 8"
#define SUMMARY_GAP        12.0 /* between a label and its value, and before the next column */

gboolean
cl_batch_report_write_csv (const ClDashboardData *data, const char *path, GError **error)
{
  g_autofree char *csv = NULL;

  g_return_val_if_fail (data != NULL && data->summary != NULL, FALSE);
  csv = cl_yield_summary_to_csv (data->summary);
  if (!g_file_set_contents (path, csv, -1, error))
    {
      g_prefix_error (error, "Writing the CSV report: ");
      return FALSE;
    }
  return TRUE;
}

static PangoLayout *
text_layout (cairo_t *cr, const char *text, const char *font)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *desc = pango_font_description_from_string (font);
  /* names (the batch's, in the title) are data: a newline cannot add a line of its own to the report */
  g_autofree char *shown = cl_text_escape (text);

  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, shown, -1);
  return layout;
}

/* Measured with the layout text_at() draws, so that the PDF's own font metrics decide. */
static double
text_width (cairo_t *cr, const char *text, const char *font)
{
  g_autoptr (PangoLayout) layout = text_layout (cr, text, font);
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return (double)(logical.x + logical.width) / PANGO_SCALE;
}

static double
text_at (cairo_t *cr, const char *text, double x, double y, const char *font, double width)
{
  g_autoptr (PangoLayout) layout = text_layout (cr, text, font);
  int w, h;

  if (width > 0)
    {
      pango_layout_set_width (layout, (int)(width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  pango_layout_get_pixel_size (layout, &w, &h);
  return h;
}

double
cl_batch_report_summary_value_x (double widest_label, double widest_value, double width, double gap,
                                 double *label_width)
{
  double value_x = widest_label + gap;

  *label_width = widest_label;
  if (value_x + widest_value > width)
    {
      value_x = MIN (value_x, MAX (width - widest_value, width / 2));
      *label_width = MIN (widest_label, value_x - gap);
    }
  return value_x;
}

static void
draw_summary (cairo_t *cr, const ClYieldSummary *s, double y)
{
  char rows[8][2][64];
  double label_w[8], value_x[2], label_width[2];
  double column = (PAGE_W - 2 * MARGIN) / 2;
  guint n = 0;

  g_autofree char *unknown
    = s->unknown > 0 ? g_strdup_printf (" + %" G_GUINT64_FORMAT " whereabouts unknown", s->unknown) : g_strdup ("");

#define ROW(label, ...)                                                                                                \
  g_snprintf (rows[n][0], 64, "%s", label);                                                                            \
  g_snprintf (rows[n][1], 64, __VA_ARGS__);                                                                            \
  n++
  ROW ("Cards fed", "%" G_GUINT64_FORMAT, s->fed);
  ROW ("Good", "%" G_GUINT64_FORMAT, s->good);
  /* a card whose whereabouts are unknown is in neither count: said next to the rejects, not added to them */
  ROW ("Rejected (feeds)", "%" G_GUINT64_FORMAT "%s", s->rejected, unknown);
  ROW ("Recovered by QA / scrapped", "%" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT, s->recovered, s->scrapped);
  ROW ("First-pass yield", "%.1f %%", s->first_pass_yield * 100);
  ROW ("Final yield", "%.1f %%", s->final_yield * 100);
  /* a batch shorter than the hour is rated over its own time; the label says which */
  ROW (cl_yield_summary_throughput_over_run (s) ? "Throughput (whole run)" : "Throughput (last hour)",
       "%.0f good cards/h", s->throughput_per_hour);
  ROW ("Mean cycle time", "%.2f s", s->cycle_time_mean_s);
#undef ROW
  /* Row i is in column i % 2; each column fits its own labels, so one long label widens only its column. */
  for (guint c = 0; c < 2; c++)
    {
      double widest_label = 0, widest_value = 0;

      for (guint i = c; i < n; i += 2)
        {
          label_w[i] = text_width (cr, rows[i][0], SUMMARY_LABEL_FONT);
          widest_label = MAX (widest_label, label_w[i]);
          widest_value = MAX (widest_value, text_width (cr, rows[i][1], SUMMARY_VALUE_FONT));
        }
      value_x[c] = cl_batch_report_summary_value_x (widest_label, widest_value, column - SUMMARY_GAP, SUMMARY_GAP,
                                                    &label_width[c]);
    }
  for (guint i = 0; i < n; i++)
    {
      double x = MARGIN + (i % 2) * column;
      double row_y = y + (i / 2) * 16;

      cairo_set_source_rgb (cr, 0.35, 0.35, 0.35);
      text_at (cr, rows[i][0], x, row_y, SUMMARY_LABEL_FONT, label_w[i] > label_width[i % 2] ? label_width[i % 2] : 0);
      cairo_set_source_rgb (cr, 0, 0, 0);
      text_at (cr, rows[i][1], x + value_x[i % 2], row_y, SUMMARY_VALUE_FONT, 0);
    }
}

static void
draw_chart (cairo_t *cr, ClDashboardModel *model, const char *title, ClChartKind kind, ClChartFormat format,
            const ClDashboardSeries *which, guint n, double x, double y, double w, double h)
{
  /* An unrealised chart draws the same as the one on screen, in black on white. */
  g_autoptr (GtkWidget) chart = g_object_ref_sink (cl_chart_new (kind, format));
  static const GdkRGBA black = { 0, 0, 0, 1 };

  cl_chart_set_title (CL_CHART (chart), title);
  for (guint i = 0; i < n; i++)
    cl_chart_add_series (CL_CHART (chart), cl_dashboard_model_get_series (model, which[i]));
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cl_chart_render (CL_CHART (chart), cr, w, h, &black);
  cairo_restore (cr);
}

static void
draw_rejects (cairo_t *cr, cairo_surface_t *surface, GPtrArray *rejects, gboolean cut, double y)
{
  static const char *const heads[] = { "Chip", "Serial", "Reason", "Step", "SW", "Rejected" };
  static const double cols[] = { 0, 150, 230, 350, 430, 470 };
  double row_h = 13;

  cairo_set_source_rgb (cr, 0, 0, 0);
  y += text_at (cr, "Rejected cards", MARGIN, y, "Sans Bold 11", 0) + 6;
  if (rejects == NULL || rejects->len == 0)
    {
      text_at (cr, "None.", MARGIN, y, "Sans 8", 0);
      return;
    }
  if (cut)
    {
      g_autofree char *note = g_strdup_printf ("The latest %u are listed; the batch has older ones too.", rejects->len);

      y += text_at (cr, note, MARGIN, y, "Sans 8", 0);
      y += text_at (cr, "The manifest export lists every rejection of the batch, with its reason.", MARGIN, y, "Sans 8",
                    0)
           + 6;
    }
  for (guint i = 0; i <= rejects->len; i++)
    {
      char cells[6][80];

      if (y + row_h > PAGE_H - MARGIN)
        {
          cairo_show_page (cr);
          y = MARGIN;
        }
      if (i == 0)
        {
          for (guint c = 0; c < 6; c++)
            text_at (cr, heads[c], MARGIN + cols[c], y, "Sans Bold 7", (c < 5 ? cols[c + 1] - cols[c] : 60) - 4);
          y += row_h;
          continue;
        }
      {
        ClRejectRow *row = g_ptr_array_index (rejects, i - 1);
        g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (row->rejected / G_USEC_PER_SEC);
        g_autofree char *time = g_date_time_format (when, "%Y-%m-%d %H:%M");

        g_snprintf (cells[0], 80, "%s", row->chip_id);
        g_snprintf (cells[1], 80, "%s", row->printed_serial ? row->printed_serial : "—");
        g_snprintf (cells[2], 80, "%s", cl_reject_reason_to_string (row->reason));
        g_snprintf (cells[3], 80, "%s", cl_production_step_to_string (row->failed_step));
        if (row->last_sw >= 0)
          g_snprintf (cells[4], 80, "%04X", (guint)row->last_sw);
        else
          g_snprintf (cells[4], 80, "—");
        g_snprintf (cells[5], 80, "%s", time);
        for (guint c = 0; c < 6; c++)
          text_at (cr, cells[c], MARGIN + cols[c], y, "Monospace 7", (c < 5 ? cols[c + 1] - cols[c] : 80) - 4);
        y += row_h;
      }
    }
}

gboolean
cl_batch_report_write_pdf (ClDashboardModel *model, const char *title, GPtrArray *rejects, gboolean rejects_cut,
                           const ClRowCounts *rows, const char *path, GError **error)
{
  static const ClDashboardSeries throughput[] = { CL_DASHBOARD_THROUGHPUT };
  static const ClDashboardSeries yields[] = { CL_DASHBOARD_FIRST_PASS_YIELD, CL_DASHBOARD_FINAL_YIELD };
  static const ClDashboardSeries reasons[] = { CL_DASHBOARD_REJECTS_BY_REASON };
  static const ClDashboardSeries steps[] = { CL_DASHBOARD_REJECTS_BY_STEP };
  static const ClDashboardSeries cycle[] = { CL_DASHBOARD_CYCLE_BY_STEP };
  const ClDashboardData *data = cl_dashboard_model_get_data (model);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *generated = g_date_time_format (now, "Generated %Y-%m-%d %H:%M");
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  double y = MARGIN, half = (PAGE_W - 2 * MARGIN - 20) / 2;

  if (data == NULL)
    {
      g_set_error (error, CL_UI_ERROR, CL_UI_ERROR_EXPORT, "No figures to report yet");
      return FALSE;
    }
  surface = cairo_pdf_surface_create (path, PAGE_W, PAGE_H);
  cr = cairo_create (surface);
  {
    g_autofree char *shown = cl_text_escape (title);

    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, shown);
  }
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Cardline");

  cairo_set_source_rgb (cr, 0, 0, 0);
  y += text_at (cr, title, MARGIN, y, "Sans Bold 16", PAGE_W - 2 * MARGIN) + 2;
  cairo_set_source_rgb (cr, 0.35, 0.35, 0.35);
  y += text_at (cr, generated, MARGIN, y, "Sans 8", 0) + 14;
  draw_summary (cr, data->summary, y);
  y += 4 * 16 + 16;
  if (rows != NULL && rows->pending + rows->in_production + rows->done + rows->failed > 0)
    {
      g_autofree char *line = g_strdup_printf ("Data rows: %" G_GINT64_FORMAT " pending, %" G_GINT64_FORMAT
                                               " in production, %" G_GINT64_FORMAT " done, %" G_GINT64_FORMAT " failed",
                                               rows->pending, rows->in_production, rows->done, rows->failed);

      cairo_set_source_rgb (cr, 0, 0, 0);
      y += text_at (cr, line, MARGIN, y, SUMMARY_LABEL_FONT, PAGE_W - 2 * MARGIN) + 12;
    }

  draw_chart (cr, model, "Throughput (good cards/hour)", CL_CHART_LINE, CL_CHART_FORMAT_NUMBER, throughput, 1, MARGIN,
              y, half, 170);
  draw_chart (cr, model, "Yield", CL_CHART_LINE, CL_CHART_FORMAT_PERCENT, yields, 2, MARGIN + half + 20, y, half, 170);
  y += 190;
  draw_chart (cr, model, "Rejects by reason", CL_CHART_BARS, CL_CHART_FORMAT_NUMBER, reasons, 1, MARGIN, y, half, 190);
  draw_chart (cr, model, "Rejects by step", CL_CHART_BARS, CL_CHART_FORMAT_NUMBER, steps, 1, MARGIN + half + 20, y,
              half, 190);
  y += 210;
  draw_chart (cr, model, "Mean time per step", CL_CHART_BARS, CL_CHART_FORMAT_SECONDS, cycle, 1, MARGIN, y,
              PAGE_W - 2 * MARGIN, 200);
  cairo_show_page (cr);

  draw_rejects (cr, surface, rejects, rejects_cut, MARGIN);
  cairo_show_page (cr);

  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CL_UI_ERROR, CL_UI_ERROR_EXPORT, "Writing the PDF report %s: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
