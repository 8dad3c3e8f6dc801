/* cl-store-yield.c: the queries behind ClYieldSummary and the dashboard series (definitions in
 * cl-yield-summary.h). */
#include "store/cl-store-private.h"

#include "core/cl-error.h"

/* ?1 is the batch id, 0 for all batches. */
#define SCOPE "kind = 'PRODUCTION' AND (?1 = 0 OR batch_id = ?1)"

static sqlite3_stmt *
prepare_scoped (ClStore *self, const char *sql, gint64 batch_id, GError **error)
{
  sqlite3_stmt *stmt = cl_store_prepare (self, sql, error);

  if (stmt)
    sqlite3_bind_int64 (stmt, 1, batch_id);
  return stmt;
}

static gboolean
read_counts (ClStore *self, ClYieldSummary *s, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = prepare_scoped (self,
                         "SELECT count(*), count(DISTINCT chip_id) + total(chip_id IS NULL), "
                         "count(DISTINCT CASE WHEN result = 'GOOD' THEN chip_id END), "
                         "count(DISTINCT CASE WHEN result = 'GOOD' AND first_attempt THEN chip_id END), "
                         "total(result = 'REJECTED'), coalesce(min(started), 0), coalesce(max(ended), 0), "
                         "count(ended), coalesce(avg(ended - started), 0) "
                         "FROM attempts WHERE " SCOPE,
                         s->batch_id, error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cl_store_set_error (self, error, "Counting attempts");
      return FALSE;
    }
  s->fed = (guint64)sqlite3_column_int64 (stmt, 0);
  s->distinct_chips = (guint64)sqlite3_column_int64 (stmt, 1);
  s->good = (guint64)sqlite3_column_int64 (stmt, 2);
  s->first_pass_good = (guint64)sqlite3_column_int64 (stmt, 3);
  s->rejected = (guint64)sqlite3_column_int64 (stmt, 4);
  s->from = sqlite3_column_int64 (stmt, 5);
  s->until = sqlite3_column_int64 (stmt, 6);
  s->cycle_count = (guint64)sqlite3_column_int64 (stmt, 7);
  s->cycle_time_mean_s = sqlite3_column_double (stmt, 8) / 1e6;
  return TRUE;
}

/* Chips fed in scope that QA recovered (or scrapped) and that production never made good. */
static gboolean
read_qa (ClStore *self, ClYieldSummary *s, const char *action, guint64 *out, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = prepare_scoped (self,
                         "SELECT count(DISTINCT q.chip_id) FROM qa_actions q WHERE q.action = ?2 "
                         "AND q.chip_id IN (SELECT chip_id FROM attempts WHERE " SCOPE " AND chip_id IS NOT NULL) "
                         "AND q.chip_id NOT IN (SELECT chip_id FROM attempts WHERE " SCOPE
                         " AND result = 'GOOD' AND chip_id IS NOT NULL)",
                         s->batch_id, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 2, action, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cl_store_set_error (self, error, "Counting QA actions");
      return FALSE;
    }
  *out = (guint64)sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
read_rejects (ClStore *self, ClYieldSummary *s, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare_scoped (self,
                         "SELECT reject_reason, failed_step, count(*) FROM attempts WHERE " SCOPE
                         " AND result = 'REJECTED' GROUP BY reject_reason, failed_step",
                         s->batch_id, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClRejectReason reason;
      ClProductionStep step;
      guint64 n = (guint64)sqlite3_column_int64 (stmt, 2);

      if (!cl_reject_reason_from_string ((const char *)sqlite3_column_text (stmt, 0), &reason, error)
          || !cl_production_step_from_string ((const char *)sqlite3_column_text (stmt, 1), &step, error))
        return FALSE;
      s->rejects_by_reason[reason] += n;
      s->rejects_by_step[step] += n;
    }
  if (rc != SQLITE_DONE)
    {
      cl_store_set_error (self, error, "Grouping rejects");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_steps (ClStore *self, ClYieldSummary *s, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare_scoped (self,
                         "SELECT s.step, count(*), avg(s.duration_us) FROM steps s "
                         "JOIN attempts a ON a.id = s.attempt_id "
                         "WHERE a.kind = 'PRODUCTION' AND (?1 = 0 OR a.batch_id = ?1) GROUP BY s.step",
                         s->batch_id, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ClProductionStep step;

      if (!cl_production_step_from_string ((const char *)sqlite3_column_text (stmt, 0), &step, error))
        return FALSE;
      s->step_count[step] = (guint64)sqlite3_column_int64 (stmt, 1);
      s->step_mean_s[step] = sqlite3_column_double (stmt, 2) / 1e6;
    }
  if (rc != SQLITE_DONE)
    {
      cl_store_set_error (self, error, "Averaging step durations");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_throughput (ClStore *self, ClYieldSummary *s, gint64 now, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  stmt = prepare_scoped (
    self, "SELECT count(*) FROM attempts WHERE " SCOPE " AND result = 'GOOD' AND ended > ?2 AND ended <= ?3",
    s->batch_id, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 2, now - s->throughput_window_us);
  sqlite3_bind_int64 (stmt, 3, now);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      cl_store_set_error (self, error, "Measuring throughput");
      return FALSE;
    }
  s->throughput_good = (guint64)sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

ClYieldSummary *
cl_store_yield_summary (ClStore *self, gint64 batch_id, gint64 window_us, gint64 now, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClYieldSummary) s = cl_yield_summary_new ();
  gboolean ok;

  s->batch_id = MAX (batch_id, 0);
  s->throughput_window_us = window_us > 0 ? window_us : (gint64)3600 * G_USEC_PER_SEC;
  /* One read transaction, so every figure describes the same moment even while workers write. */
  if (!cl_store_exec (self, "BEGIN", error))
    return NULL;
  ok = read_counts (self, s, error) && read_qa (self, s, "RECOVER", &s->recovered, error)
       && read_qa (self, s, "SCRAP", &s->scrapped, error) && read_rejects (self, s, error)
       && read_steps (self, s, error) && read_throughput (self, s, now > 0 ? now : s->until, error);
  sqlite3_exec (self->db, ok ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
  if (!ok)
    return NULL;
  cl_yield_summary_compute_ratios (s);
  return g_steal_pointer (&s);
}

GArray *
cl_store_yield_series (ClStore *self, gint64 batch_id, gint64 from, gint64 to, gint64 bucket_us, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GArray) buckets = NULL;
  gint64 n;
  int rc;

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

  locker = g_mutex_locker_new (&self->lock);
  /* Attempts fall in the bucket of their eject time. */
  stmt = prepare_scoped (self,
                         "SELECT (ended - ?2) / ?4, count(*), total(result = 'GOOD'), "
                         "total(result = 'GOOD' AND first_attempt), total(result = 'REJECTED') "
                         "FROM attempts WHERE " SCOPE " AND ended >= ?2 AND ended < ?3 GROUP BY 1",
                         MAX (batch_id, 0), error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  sqlite3_bind_int64 (stmt, 4, bucket_us);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 i = sqlite3_column_int64 (stmt, 0);
      ClYieldBucket *b;

      if (i < 0 || i >= n)
        continue;
      b = &g_array_index (buckets, ClYieldBucket, i);
      b->fed = (guint64)sqlite3_column_int64 (stmt, 1);
      b->good = (guint64)sqlite3_column_int64 (stmt, 2);
      b->first_pass_good = (guint64)sqlite3_column_int64 (stmt, 3);
      b->rejected = (guint64)sqlite3_column_int64 (stmt, 4);
      b->throughput_per_hour = (double)b->good * 3600e6 / (double)bucket_us;
      b->first_pass_yield = b->fed ? (double)b->first_pass_good / (double)b->fed : 0.0;
    }
  if (rc != SQLITE_DONE)
    {
      cl_store_set_error (self, error, "Reading the yield series");
      return NULL;
    }
  return g_steal_pointer (&buckets);
}
