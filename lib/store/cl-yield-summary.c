/* cl-yield-summary.c: the summary record and its three renderings. */
#include "store/cl-yield-summary.h"

#include "core/cl-json.h"

G_DEFINE_BOXED_TYPE (ClYieldSummary, cl_yield_summary, cl_yield_summary_copy, cl_yield_summary_free)

ClYieldSummary *
cl_yield_summary_new (void)
{
  return g_new0 (ClYieldSummary, 1);
}

ClYieldSummary *
cl_yield_summary_copy (const ClYieldSummary *summary)
{
  ClYieldSummary *copy = g_memdup2 (summary, sizeof *summary);

  copy->station = g_strdup (summary->station);
  return copy;
}

void
cl_yield_summary_free (ClYieldSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->station);
  g_free (summary);
}

static double
ratio (guint64 num, guint64 den)
{
  return den ? (double)num / (double)den : 0.0;
}

/* What throughput is over: a summary built by hand (no span) is over its window. */
static gint64
throughput_span (const ClYieldSummary *s)
{
  return s->throughput_span_us > 0 ? s->throughput_span_us : s->throughput_window_us;
}

void
cl_yield_summary_compute_ratios (ClYieldSummary *s)
{
  gint64 span = throughput_span (s);

  s->first_pass_yield = ratio (s->first_pass_good, s->fed);
  s->final_yield = ratio (s->good + s->recovered, s->distinct_chips);
  s->throughput_per_hour = span > 0 ? (double)s->throughput_good * 3600e6 / (double)span : 0.0;
}

gboolean
cl_yield_summary_throughput_over_run (const ClYieldSummary *s)
{
  return s->throughput_span_us > 0 && s->throughput_span_us < s->throughput_window_us;
}

/* Locale-independent, so a German desktop does not write "0,95" into JSON or CSV. */
static void
append_double (GString *out, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6f", v));
}

static char *
format_time (gint64 us)
{
  g_autoptr (GDateTime) dt = NULL;

  if (us <= 0)
    return g_strdup ("");
  dt = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup ("");
  return g_date_time_format_iso8601 (dt);
}

char *
cl_yield_summary_to_json (const ClYieldSummary *s)
{
  GString *out = g_string_new ("{");
  g_autofree char *from = format_time (s->from);
  g_autofree char *until = format_time (s->until);
  gboolean first;

  /* Every string written here but the station's name is an enum name or an ISO 8601 time: nothing else needs JSON
   * escaping. */
  g_string_append_printf (out, "\"batch_id\":%" G_GINT64_FORMAT ",", s->batch_id);
  if (s->station)
    {
      g_string_append (out, "\"station\":");
      cl_json_append_string (out, s->station);
      g_string_append_c (out, ',');
    }
  g_string_append_printf (out, "\"from\":\"%s\",\"until\":\"%s\",", from, until);
  g_string_append_printf (
    out,
    "\"fed\":%" G_GUINT64_FORMAT ",\"distinct_chips\":%" G_GUINT64_FORMAT ",\"good\":%" G_GUINT64_FORMAT
    ",\"first_pass_good\":%" G_GUINT64_FORMAT ",\"rejected\":%" G_GUINT64_FORMAT ",\"recovered\":%" G_GUINT64_FORMAT
    ",\"scrapped\":%" G_GUINT64_FORMAT ",\"retained\":%" G_GUINT64_FORMAT ",\"unknown\":%" G_GUINT64_FORMAT ",",
    s->fed, s->distinct_chips, s->good, s->first_pass_good, s->rejected, s->recovered, s->scrapped, s->retained,
    s->unknown);
  g_string_append (out, "\"first_pass_yield\":");
  append_double (out, s->first_pass_yield);
  g_string_append (out, ",\"final_yield\":");
  append_double (out, s->final_yield);
  g_string_append_printf (out, ",\"throughput_window_s\":%" G_GINT64_FORMAT ",\"throughput_good\":%" G_GUINT64_FORMAT,
                          s->throughput_window_us / G_USEC_PER_SEC, s->throughput_good);
  /* what the rate is over, so a reader of a short run's figure knows it is not an hour's count */
  g_string_append (out, ",\"throughput_span_s\":");
  append_double (out, (double)throughput_span (s) / G_USEC_PER_SEC);
  g_string_append_printf (out, ",\"throughput_over\":\"%s\"",
                          cl_yield_summary_throughput_over_run (s) ? "run" : "window");
  g_string_append (out, ",\"throughput_per_hour\":");
  append_double (out, s->throughput_per_hour);
  g_string_append_printf (out, ",\"cycle_count\":%" G_GUINT64_FORMAT ",\"cycle_time_mean_s\":", s->cycle_count);
  append_double (out, s->cycle_time_mean_s);

  g_string_append (out, ",\"rejects_by_reason\":{");
  first = TRUE;
  for (guint i = 0; i < CL_REJECT_REASON_COUNT; i++)
    if (s->rejects_by_reason[i])
      {
        g_string_append_printf (out, "%s\"%s\":%" G_GUINT64_FORMAT, first ? "" : ",",
                                cl_reject_reason_to_string ((ClRejectReason)i), s->rejects_by_reason[i]);
        first = FALSE;
      }
  g_string_append (out, "},\"rejects_by_step\":{");
  first = TRUE;
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    if (s->rejects_by_step[i])
      {
        g_string_append_printf (out, "%s\"%s\":%" G_GUINT64_FORMAT, first ? "" : ",",
                                cl_production_step_to_string ((ClProductionStep)i), s->rejects_by_step[i]);
        first = FALSE;
      }
  g_string_append (out, "},\"step_mean_s\":{");
  first = TRUE;
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    if (s->step_count[i])
      {
        g_string_append_printf (out, "%s\"%s\":", first ? "" : ",", cl_production_step_to_string ((ClProductionStep)i));
        append_double (out, s->step_mean_s[i]);
        first = FALSE;
      }
  g_string_append (out, "}}");
  return g_string_free (out, FALSE);
}

/* "45 s", "2.5 min" */
static char *
span_text (gint64 us)
{
  if (us < 60 * G_USEC_PER_SEC)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", us / G_USEC_PER_SEC);
  return g_strdup_printf ("%.1f min", (double)us / (60.0 * G_USEC_PER_SEC));
}

char *
cl_yield_summary_to_text (const ClYieldSummary *s)
{
  GString *out = g_string_new (NULL);
  g_autofree char *from = format_time (s->from);
  g_autofree char *until = format_time (s->until);

  if (s->batch_id)
    g_string_append_printf (out, "Batch %" G_GINT64_FORMAT "\n", s->batch_id);
  else
    g_string_append (out, "All batches\n");
  if (s->station)
    g_string_append_printf (out, "Station %s\n", s->station);
  g_string_append_printf (out, "Period:           %s – %s\n", from, until);
  g_string_append_printf (out, "Fed:              %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " distinct chips)\n",
                          s->fed, s->distinct_chips);
  g_string_append_printf (out, "Good:             %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " on first attempt)\n",
                          s->good, s->first_pass_good);
  g_string_append_printf (out, "Rejected:         %" G_GUINT64_FORMAT "\n", s->rejected);
  g_string_append_printf (out, "Recovered by QA:  %" G_GUINT64_FORMAT "\n", s->recovered);
  g_string_append_printf (out, "Scrapped:         %" G_GUINT64_FORMAT "\n", s->scrapped);
  if (s->retained > 0)
    g_string_append_printf (out, "Retained:         %" G_GUINT64_FORMAT " (left by a stopped station, fed again)\n",
                            s->retained);
  if (s->unknown > 0)
    g_string_append_printf (out, "Whereabouts unknown: %" G_GUINT64_FORMAT " (fed; in neither bin's count)\n",
                            s->unknown);
  g_string_append_printf (out, "First-pass yield: %.1f %%\n", s->first_pass_yield * 100.0);
  g_string_append_printf (out, "Final yield:      %.1f %%\n", s->final_yield * 100.0);
  if (cl_yield_summary_throughput_over_run (s))
    {
      g_autofree char *span = span_text (s->throughput_span_us);

      g_string_append_printf (
        out,
        "Throughput:       %.1f good cards/h (over the run's own %s, shorter than the %" G_GINT64_FORMAT
        " min window)\n",
        s->throughput_per_hour, span, s->throughput_window_us / ((gint64)60 * G_USEC_PER_SEC));
    }
  else
    g_string_append_printf (out, "Throughput:       %.1f good cards/h (last %" G_GINT64_FORMAT " min)\n",
                            s->throughput_per_hour, s->throughput_window_us / ((gint64)60 * G_USEC_PER_SEC));
  g_string_append_printf (out, "Cycle time:       %.3f s mean over %" G_GUINT64_FORMAT " cards\n", s->cycle_time_mean_s,
                          s->cycle_count);
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    if (s->step_count[i])
      g_string_append_printf (out, "  %-12s %.3f s\n", cl_production_step_to_string ((ClProductionStep)i),
                              s->step_mean_s[i]);
  for (guint i = 0; i < CL_REJECT_REASON_COUNT; i++)
    if (s->rejects_by_reason[i])
      g_string_append_printf (out, "Rejected %-20s %" G_GUINT64_FORMAT "\n",
                              cl_reject_reason_to_string ((ClRejectReason)i), s->rejects_by_reason[i]);
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    if (s->rejects_by_step[i])
      g_string_append_printf (out, "Failed at %-19s %" G_GUINT64_FORMAT "\n",
                              cl_production_step_to_string ((ClProductionStep)i), s->rejects_by_step[i]);
  return g_string_free (out, FALSE);
}

static void
csv_count (GString *out, const char *metric, const char *key, guint64 v)
{
  g_string_append_printf (out, "%s,%s,%" G_GUINT64_FORMAT "\n", metric, key, v);
}

static void
csv_double (GString *out, const char *metric, const char *key, double v)
{
  g_string_append_printf (out, "%s,%s,", metric, key);
  append_double (out, v);
  g_string_append_c (out, '\n');
}

char *
cl_yield_summary_to_csv (const ClYieldSummary *s)
{
  GString *out = g_string_new ("metric,key,value\n");

  g_string_append_printf (out, "batch_id,,%" G_GINT64_FORMAT "\n", s->batch_id);
  if (s->station)
    {
      /* The one free text of the summary: quoted, its quotes doubled (RFC 4180). */
      g_autoptr (GString) quoted = g_string_new (s->station);

      g_string_replace (quoted, "\"", "\"\"", 0);
      g_string_append_printf (out, "station,\"%s\",\n", quoted->str);
    }
  csv_count (out, "fed", "", s->fed);
  csv_count (out, "distinct_chips", "", s->distinct_chips);
  csv_count (out, "good", "", s->good);
  csv_count (out, "first_pass_good", "", s->first_pass_good);
  csv_count (out, "rejected", "", s->rejected);
  csv_count (out, "recovered", "", s->recovered);
  csv_count (out, "scrapped", "", s->scrapped);
  csv_count (out, "retained", "", s->retained);
  csv_count (out, "unknown", "", s->unknown);
  csv_double (out, "first_pass_yield", "", s->first_pass_yield);
  csv_double (out, "final_yield", "", s->final_yield);
  csv_double (out, "throughput_per_hour", "", s->throughput_per_hour);
  csv_double (out, "throughput_span_s", "", (double)throughput_span (s) / G_USEC_PER_SEC);
  csv_double (out, "cycle_time_mean_s", "", s->cycle_time_mean_s);
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    if (s->step_count[i])
      csv_double (out, "step_mean_s", cl_production_step_to_string ((ClProductionStep)i), s->step_mean_s[i]);
  for (guint i = 0; i < CL_REJECT_REASON_COUNT; i++)
    if (s->rejects_by_reason[i])
      csv_count (out, "rejects_by_reason", cl_reject_reason_to_string ((ClRejectReason)i), s->rejects_by_reason[i]);
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    if (s->rejects_by_step[i])
      csv_count (out, "rejects_by_step", cl_production_step_to_string ((ClProductionStep)i), s->rejects_by_step[i]);
  return g_string_free (out, FALSE);
}
