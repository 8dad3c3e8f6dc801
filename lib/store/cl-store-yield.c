/* cl-store-yield.c: the queries behind ClYieldSummary and the dashboard series (definitions in
 * cl-yield-summary.h). They read the aggregate tables of schema version 2 (cl-store-schema.c), which triggers keep
 * up to date, so a summary costs a few rows however many cards the store holds. The same figures computed from the
 * records (the *_rows functions) remain: the reference the tests hold the aggregates to, and the series for
 * buckets that are not whole minutes. */
#include "store/cl-store-private.h"

#include "core/cl-error.h"

#define SCOPE CL_STORE_SCOPE

/* values[0] is the batch id; uses as cl_store_bind_scope, station NULL for all stations. */
static ClSqlStmt *
prepare_scoped (ClStore *self, const char *sql, const gint64 *values, const char *uses, const char *station,
                GError **error)
{
  ClSqlStmt *stmt = cl_store_prepare (self, sql, error);

  if (stmt)
    cl_store_bind_scope (stmt, values, uses, station);
  return stmt;
}

static gboolean
read_counts_rows (ClStore *self, ClYieldSummary *s, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;

  stmt = prepare_scoped (
    self,
    "SELECT count(*), count(DISTINCT chip_id) + count(*) - count(chip_id), "
    "count(DISTINCT CASE WHEN result = 'GOOD' THEN chip_id END), "
    "count(DISTINCT CASE WHEN result = 'GOOD' AND first_attempt = 1 THEN chip_id END), "
    "count(CASE WHEN result = 'REJECTED' THEN 1 END), coalesce(min(started), 0), coalesce(max(ended), 0), "
    "count(ended), coalesce(avg(ended - started), 0) "
    "FROM attempts WHERE " SCOPE,
    &s->batch_id, "11ss", s->station, error);
  if (stmt == NULL)
    return FALSE;
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Counting attempts");
      return FALSE;
    }
  s->fed = (guint64)cl_sql_column_int64 (stmt, 0);
  s->distinct_chips = (guint64)cl_sql_column_int64 (stmt, 1);
  s->good = (guint64)cl_sql_column_int64 (stmt, 2);
  s->first_pass_good = (guint64)cl_sql_column_int64 (stmt, 3);
  s->rejected = (guint64)cl_sql_column_int64 (stmt, 4);
  s->from = cl_sql_column_int64 (stmt, 5);
  s->until = cl_sql_column_int64 (stmt, 6);
  s->cycle_count = (guint64)cl_sql_column_int64 (stmt, 7);
  s->cycle_time_mean_s = cl_sql_column_double (stmt, 8) / 1e6;
  return TRUE;
}

/* Chips fed in scope that QA recovered (or scrapped) and that production never made good. */
static gboolean
read_qa (ClStore *self, ClYieldSummary *s, const char *action, guint64 *out, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;

  stmt = prepare_scoped (self,
                         "SELECT count(DISTINCT q.chip_id) FROM qa_actions q WHERE q.action = ? "
                         "AND q.chip_id IN (SELECT chip_id FROM attempts WHERE " SCOPE " AND chip_id IS NOT NULL) "
                         "AND q.chip_id NOT IN (SELECT chip_id FROM attempts WHERE " SCOPE
                         " AND result = 'GOOD' AND chip_id IS NOT NULL)",
                         &s->batch_id, "-11ss11ss", s->station, error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, action);
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Counting QA actions");
      return FALSE;
    }
  *out = (guint64)cl_sql_column_int64 (stmt, 0);
  return TRUE;
}

/* Steps stmt's rows of (reject reason, failed step, count) into the summary's reject groups: added, or taken away
 * (retained attempts, which are counted in the totals and are no rejects). Returns the rows' total count. */
static gboolean
group_rejects (ClStore *self, ClSqlStmt *stmt, ClYieldSummary *s, gboolean take_away, guint64 *total, const char *what,
               GError **error)
{
  int rc;

  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClRejectReason reason;
      ClProductionStep step;
      guint64 n = (guint64)cl_sql_column_int64 (stmt, 2);

      if (!cl_reject_reason_from_string (cl_sql_column_text (stmt, 0), &reason, error)
          || !cl_production_step_from_string (cl_sql_column_text (stmt, 1), &step, error))
        return FALSE;
      if (total != NULL)
        *total += n;
      if (take_away)
        {
          s->rejects_by_reason[reason] -= MIN (n, s->rejects_by_reason[reason]);
          s->rejects_by_step[step] -= MIN (n, s->rejects_by_step[step]);
        }
      else
        {
          s->rejects_by_reason[reason] += n;
          s->rejects_by_step[step] += n;
        }
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_rejects_rows (ClStore *self, ClYieldSummary *s, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;

  stmt = prepare_scoped (self,
                         "SELECT reject_reason, failed_step, count(*) FROM attempts WHERE " SCOPE
                         " AND result = 'REJECTED' GROUP BY reject_reason, failed_step",
                         &s->batch_id, "11ss", s->station, error);
  return stmt != NULL && group_rejects (self, stmt, s, FALSE, NULL, "Grouping rejects", error);
}

static gboolean
read_steps_rows (ClStore *self, ClYieldSummary *s, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  int rc;

  stmt = prepare_scoped (self,
                         "SELECT s.step, count(*), avg(s.duration_us) FROM steps s "
                         "JOIN attempts a ON a.id = s.attempt_id "
                         "WHERE a.kind = 'PRODUCTION' AND (? = 0 OR a.batch_id = ?) "
                         "AND (CAST(? AS TEXT) = '' OR a.station = ?) GROUP BY s.step",
                         &s->batch_id, "11ss", s->station, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClProductionStep step;

      if (!cl_production_step_from_string (cl_sql_column_text (stmt, 0), &step, error))
        return FALSE;
      s->step_count[step] = (guint64)cl_sql_column_int64 (stmt, 1);
      s->step_mean_s[step] = cl_sql_column_double (stmt, 2) / 1e6;
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Averaging step durations");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_totals (ClStore *self, ClYieldSummary *s, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  int rc;

  stmt = prepare_scoped (self,
                         "SELECT fed, chips + anonymous, good, first_pass_good, rejected, recovered, scrapped, "
                         "coalesce(first_started, 0), coalesce(last_ended, 0), ended_count, cycle_us "
                         "FROM yield_totals WHERE scope = ? AND station = ?",
                         &s->batch_id, "1s", s->station, error);
  if (stmt == NULL)
    return FALSE;
  rc = cl_sql_step (stmt, error);
  if (rc == CL_SQL_STEP_DONE) /* nothing fed in scope yet */
    return TRUE;
  if (rc != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Reading the yield totals");
      return FALSE;
    }
  s->fed = (guint64)cl_sql_column_int64 (stmt, 0);
  s->distinct_chips = (guint64)cl_sql_column_int64 (stmt, 1);
  s->good = (guint64)cl_sql_column_int64 (stmt, 2);
  s->first_pass_good = (guint64)cl_sql_column_int64 (stmt, 3);
  s->rejected = (guint64)cl_sql_column_int64 (stmt, 4);
  s->recovered = (guint64)cl_sql_column_int64 (stmt, 5);
  s->scrapped = (guint64)cl_sql_column_int64 (stmt, 6);
  s->from = cl_sql_column_int64 (stmt, 7);
  s->until = cl_sql_column_int64 (stmt, 8);
  s->cycle_count = (guint64)cl_sql_column_int64 (stmt, 9);
  /* As avg(): the integer sum divided as doubles. */
  s->cycle_time_mean_s = s->cycle_count ? (double)cl_sql_column_int64 (stmt, 10) / (double)s->cycle_count / 1e6 : 0.0;
  return TRUE;
}

static gboolean
read_rejects (ClStore *self, ClYieldSummary *s, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;

  stmt = prepare_scoped (self, "SELECT reason, step, n FROM yield_rejects WHERE scope = ? AND station = ?",
                         &s->batch_id, "1s", s->station, error);
  return stmt != NULL && group_rejects (self, stmt, s, FALSE, NULL, "Reading the reject totals", error);
}

static gboolean
read_steps (ClStore *self, ClYieldSummary *s, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  int rc;

  stmt = prepare_scoped (self, "SELECT step, n, total_us FROM yield_steps WHERE scope = ? AND station = ?",
                         &s->batch_id, "1s", s->station, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClProductionStep step;
      gint64 n = cl_sql_column_int64 (stmt, 1);

      if (!cl_production_step_from_string (cl_sql_column_text (stmt, 0), &step, error))
        return FALSE;
      s->step_count[step] = (guint64)n;
      s->step_mean_s[step] = n > 0 ? (double)cl_sql_column_int64 (stmt, 2) / (double)n / 1e6 : 0.0;
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the step totals");
      return FALSE;
    }
  return TRUE;
}

/* The good ejects of the window, and the span they are counted over (cl-yield-summary.h): the window, unless the
 * run in scope began inside it. Needs s->from. */
static gboolean
read_throughput (ClStore *self, ClYieldSummary *s, gint64 now, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  gint64 window_start = now - s->throughput_window_us;

  gboolean all = s->batch_id == 0 || self->yield_from_rows;
  const gint64 values[] = { s->batch_id, window_start, now };

  /* Two statements rather than "? = 0 OR batch_id = ?", so that each is a range of attempts_result or
   * attempts_batch_result (one per result): the ejects of the last window only. Rejects count for the span's
   * end: the run's time runs to its last eject, whichever bin the card went to. */
  stmt
    = prepare_scoped (self,
                      all ? "SELECT count(CASE WHEN result = 'GOOD' THEN 1 END), max(ended) FROM attempts WHERE " SCOPE
                            " AND result IN ('GOOD', 'REJECTED') AND ended > ? AND ended <= ?"
                          : "SELECT count(CASE WHEN result = 'GOOD' THEN 1 END), max(ended) FROM attempts "
                            "WHERE batch_id = ? AND kind = 'PRODUCTION' "
                            "AND result IN ('GOOD', 'REJECTED') AND ended > ? AND ended <= ? "
                            "AND (CAST(? AS TEXT) = '' OR station = ?)",
                      values, all ? "11ss23" : "123ss", s->station, error);
  if (stmt == NULL)
    return FALSE;
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Measuring throughput");
      return FALSE;
    }
  s->throughput_good = (guint64)cl_sql_column_int64 (stmt, 0);
  s->throughput_span_us = s->throughput_window_us;
  if (s->from > window_start && cl_sql_column_type (stmt, 1) != CL_SQL_NULL)
    {
      /* the run is younger than the window: the time before its first feed is not the line's to answer for */
      gint64 span = cl_sql_column_int64 (stmt, 1) - s->from;

      s->throughput_span_us = CLAMP (span, G_USEC_PER_SEC, s->throughput_window_us);
    }
  return TRUE;
}

/* Rejected attempts of scope whose card did not go to the reject bin (destination RETAINED or UNKNOWN), taken away
 * from the reject groups; *count says how many. Few: found from their dispositions (dispositions_destination),
 * then each attempt by its key, never by reading every rejected attempt. */
static gboolean
take_away_unbinned (ClStore *self, ClYieldSummary *s, const char *destination, guint64 *count, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;

  stmt = prepare_scoped (self,
                         "SELECT a.reject_reason, a.failed_step, count(*) FROM dispositions d "
                         "CROSS JOIN attempts a WHERE a.id = d.attempt_id AND a.kind = 'PRODUCTION' AND (? = 0 OR "
                         "a.batch_id = ?) AND (CAST(? AS TEXT) = '' OR a.station = ?) AND a.result = 'REJECTED' "
                         "AND d.destination = ? GROUP BY a.reject_reason, a.failed_step",
                         &s->batch_id, "11ss-", s->station, error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 5, destination);
  if (!group_rejects (self, stmt, s, TRUE, count, "Counting attempts outside the bins", error))
    return FALSE;
  s->rejected -= MIN (*count, s->rejected);
  return TRUE;
}

/* Attempts a killed station left open and its restart ended RETAINED: counted as fed when they began and as
 * rejected when they ended (by the records and the aggregates alike), they are neither (cl-yield-summary.h).
 * Attempts whose card's whereabouts are unknown stay fed (a card was consumed) but are no rejects. */
static gboolean
remove_unbinned (ClStore *self, ClYieldSummary *s, GError **error)
{
  if (!take_away_unbinned (self, s, "RETAINED", &s->retained, error)
      || !take_away_unbinned (self, s, "UNKNOWN", &s->unknown, error))
    return FALSE;
  s->fed -= MIN (s->retained, s->fed);
  return TRUE;
}

void
cl_store_set_yield_from_rows (ClStore *self, gboolean from_rows)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  self->yield_from_rows = from_rows;
}

ClYieldSummary *
cl_store_yield_summary (ClStore *self, gint64 batch_id, gint64 window_us, gint64 now, GError **error)
{
  return cl_store_yield_summary_at (self, batch_id, NULL, window_us, now, error);
}

ClYieldSummary *
cl_store_yield_summary_at (ClStore *self, gint64 batch_id, const char *station, gint64 window_us, gint64 now,
                           GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClYieldSummary) s = cl_yield_summary_new ();
  gboolean ok;

  s->batch_id = MAX (batch_id, 0);
  s->station = station && *station ? g_strdup (station) : NULL;
  s->throughput_window_us = window_us > 0 ? window_us : (gint64)3600 * G_USEC_PER_SEC;
  /* One read transaction, so every figure describes the same moment even while workers write. */
  if (!cl_store_exec (self, "BEGIN", error))
    return NULL;
  if (self->yield_from_rows)
    ok = read_counts_rows (self, s, error) && read_qa (self, s, "RECOVER", &s->recovered, error)
         && read_qa (self, s, "SCRAP", &s->scrapped, error) && read_rejects_rows (self, s, error)
         && read_steps_rows (self, s, error);
  else
    ok = read_totals (self, s, error) && read_rejects (self, s, error) && read_steps (self, s, error);
  ok = ok && remove_unbinned (self, s, error) && read_throughput (self, s, now > 0 ? now : s->until, error);
  cl_sql_exec (self->sql, ok ? "COMMIT" : "ROLLBACK", NULL);
  if (!ok)
    return NULL;
  cl_yield_summary_compute_ratios (s);
  return g_steal_pointer (&s);
}

/* Adds the attempts of scope ended in [lo, hi) to the buckets of from/bucket_us. */
static gboolean
add_series_rows (ClStore *self, gint64 batch_id, const char *station, GArray *buckets, gint64 from, gint64 bucket_us,
                 gint64 lo, gint64 hi, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  int rc;

  /* Attempts fall in the bucket of their eject time. */
  stmt = prepare_scoped (self,
                         "SELECT (ended - ?) / ?, count(*), count(CASE WHEN result = 'GOOD' THEN 1 END), "
                         "count(CASE WHEN result = 'GOOD' AND first_attempt = 1 THEN 1 END), "
                         "count(CASE WHEN result = 'REJECTED' THEN 1 END) "
                         "FROM attempts WHERE " SCOPE " AND ended >= ? AND ended < ? GROUP BY 1",
                         (const gint64[]){ batch_id, from, hi, bucket_us, lo }, "2411ss53", station, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      gint64 i = cl_sql_column_int64 (stmt, 0);
      ClYieldBucket *b;

      if (i < 0 || i >= (gint64)buckets->len)
        continue;
      b = &g_array_index (buckets, ClYieldBucket, i);
      b->fed += (guint64)cl_sql_column_int64 (stmt, 1);
      b->good += (guint64)cl_sql_column_int64 (stmt, 2);
      b->first_pass_good += (guint64)cl_sql_column_int64 (stmt, 3);
      b->rejected += (guint64)cl_sql_column_int64 (stmt, 4);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the yield series");
      return FALSE;
    }
  return TRUE;
}

/* The buckets count every ended attempt as fed and every REJECTED one as rejected (records and aggregates alike);
 * as in the summary, a RETAINED attempt is neither fed nor rejected and an UNKNOWN one is fed but no reject
 * (cl-yield-summary.h). Few, found from their dispositions (dispositions_destination; CROSS JOIN keeps SQLite to that
 * order), then each attempt by its key: never by reading every rejected attempt of [from, hi), whose station a
 * station's series would have to look up row by row. */
static gboolean
take_away_unbinned_series (ClStore *self, gint64 batch_id, const char *station, GArray *buckets, gint64 from,
                           gint64 bucket_us, gint64 hi, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  int rc;

  stmt = prepare_scoped (
    self,
    "SELECT (a.ended - ?) / ?, count(CASE WHEN d.destination = 'RETAINED' THEN 1 END), count(*) FROM dispositions d "
    "CROSS JOIN attempts a WHERE a.id = d.attempt_id "
    "AND a.kind = 'PRODUCTION' AND (? = 0 OR a.batch_id = ?) AND (CAST(? AS TEXT) = '' OR a.station = ?) "
    "AND a.result = 'REJECTED' "
    "AND d.destination IN ('RETAINED', 'UNKNOWN') AND a.ended >= ? AND a.ended < ? GROUP BY 1",
    (const gint64[]){ batch_id, from, hi, bucket_us }, "2411ss23", station, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      gint64 i = cl_sql_column_int64 (stmt, 0);
      guint64 retained = (guint64)cl_sql_column_int64 (stmt, 1);
      guint64 unbinned = (guint64)cl_sql_column_int64 (stmt, 2);
      ClYieldBucket *b;

      if (i < 0 || i >= (gint64)buckets->len)
        continue;
      b = &g_array_index (buckets, ClYieldBucket, i);
      b->fed -= MIN (retained, b->fed);
      b->rejected -= MIN (unbinned, b->rejected);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the yield series' retained attempts");
      return FALSE;
    }
  return TRUE;
}

/* Adds whole minutes [from, to_minute) from yield_minutes; from and bucket_us are whole minutes. */
static gboolean
add_series_minutes (ClStore *self, gint64 batch_id, const char *station, GArray *buckets, gint64 from, gint64 bucket_us,
                    gint64 to_minute, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  int rc;

  stmt = prepare_scoped (
    self,
    "SELECT (minute - ?) / ?, sum(fed), sum(good), sum(first_pass_good), sum(rejected) "
    "FROM yield_minutes WHERE scope = ? AND station = ? AND minute >= ? AND minute < ? GROUP BY 1",
    (const gint64[]){ batch_id, from / CL_STORE_YIELD_MINUTE, bucket_us / CL_STORE_YIELD_MINUTE, to_minute }, "231s24",
    station, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      gint64 i = cl_sql_column_int64 (stmt, 0);
      ClYieldBucket *b;

      if (i < 0 || i >= (gint64)buckets->len)
        continue;
      b = &g_array_index (buckets, ClYieldBucket, i);
      b->fed += (guint64)cl_sql_column_int64 (stmt, 1);
      b->good += (guint64)cl_sql_column_int64 (stmt, 2);
      b->first_pass_good += (guint64)cl_sql_column_int64 (stmt, 3);
      b->rejected += (guint64)cl_sql_column_int64 (stmt, 4);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the yield series by the minute");
      return FALSE;
    }
  return TRUE;
}

GArray *
cl_store_yield_series (ClStore *self, gint64 batch_id, gint64 from, gint64 to, gint64 bucket_us, GError **error)
{
  return cl_store_yield_series_at (self, batch_id, NULL, from, to, bucket_us, error);
}

GArray *
cl_store_yield_series_at (ClStore *self, gint64 batch_id, const char *station, gint64 from, gint64 to, gint64 bucket_us,
                          GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (GArray) buckets = NULL;
  gint64 n;
  gboolean ok;

  if (bucket_us <= 0 || to <= from || (to - from) / bucket_us > 100000)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Yield series needs from < to and at most 100000 buckets of a positive length");
      return NULL;
    }
  n = (to - from + bucket_us - 1) / bucket_us;
  buckets = g_array_sized_new (FALSE, TRUE, sizeof (ClYieldBucket), (guint)n);
  g_array_set_size (buckets, (guint)n);
  for (gint64 i = 0; i < n; i++)
    g_array_index (buckets, ClYieldBucket, i).start = from + i * bucket_us;

  batch_id = MAX (batch_id, 0);
  locker = g_mutex_locker_new (&self->lock);
  if (!cl_store_exec (self, "BEGIN", error))
    return NULL;
  if (!self->yield_from_rows && from >= 0 && from % CL_STORE_YIELD_MINUTE == 0
      && bucket_us % CL_STORE_YIELD_MINUTE == 0)
    {
      /* Whole minutes from the aggregates, the ragged end [last whole minute, to) from the records. */
      gint64 to_minute = to / CL_STORE_YIELD_MINUTE;

      ok = add_series_minutes (self, batch_id, station, buckets, from, bucket_us, to_minute, error)
           && add_series_rows (self, batch_id, station, buckets, from, bucket_us,
                               MAX (from, to_minute * CL_STORE_YIELD_MINUTE), to, error);
    }
  else
    ok = add_series_rows (self, batch_id, station, buckets, from, bucket_us, from, to, error);
  ok = ok && take_away_unbinned_series (self, batch_id, station, buckets, from, bucket_us, to, error);
  cl_sql_exec (self->sql, ok ? "COMMIT" : "ROLLBACK", NULL);
  if (!ok)
    return NULL;
  for (guint i = 0; i < buckets->len; i++)
    {
      ClYieldBucket *b = &g_array_index (buckets, ClYieldBucket, i);

      b->throughput_per_hour = (double)b->good * 3600e6 / (double)bucket_us;
      b->first_pass_yield = b->fed ? (double)b->first_pass_good / (double)b->fed : 0.0;
    }
  return g_steal_pointer (&buckets);
}
