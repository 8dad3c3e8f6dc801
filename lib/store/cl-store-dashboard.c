/* cl-store-dashboard.c: dashboard and QA queries (cl-store-dashboard.h). Read-only: they take the store's lock
 * and one read transaction so a chart never mixes two moments. */
#include "store/cl-store-dashboard.h"

#include "core/cl-error.h"
#include "store/cl-store-private.h"

#define SCOPE CL_STORE_SCOPE

void
cl_batch_info_free (ClBatchInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->profile_name);
  g_free (info);
}

void
cl_reject_row_free (ClRejectRow *row)
{
  if (row == NULL)
    return;
  g_free (row->chip_id);
  g_free (row->printed_serial);
  g_free (row->batch_name);
  g_free (row);
}

void
cl_card_event_free (ClCardEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->what);
  g_free (event->detail);
  g_free (event);
}

/* Holds the lock and a read transaction for the lifetime of the scope. */
typedef struct
{
  ClStore *store;
  gboolean open;
} ReadTxn;

static ReadTxn *
read_begin (ClStore *self, GError **error)
{
  ReadTxn *txn = g_new0 (ReadTxn, 1);

  g_mutex_lock (&self->lock);
  txn->store = self;
  /* one snapshot for every query of the read (SQLite's deferred transaction gives one; PostgreSQL's default gives
   * each statement its own) */
  if (!cl_store_exec (
        self, cl_store_backend (self) == CL_SQL_SQLITE ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ", error))
    {
      g_mutex_unlock (&self->lock);
      g_free (txn);
      return NULL;
    }
  txn->open = TRUE;
  return txn;
}

static void
read_end (ReadTxn *txn)
{
  cl_sql_exec (txn->store->sql, "COMMIT", NULL);
  g_mutex_unlock (&txn->store->lock);
  g_free (txn);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReadTxn, read_end)

static gboolean
finish_rows (ClStore *self, int rc, const char *what, GError **error)
{
  if (rc == CL_SQL_STEP_DONE)
    return TRUE;
  cl_store_set_error (self, error, what);
  return FALSE;
}

guint64
cl_store_change_stamp (ClStore *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  cl_store_check_thread (self, "change stamp");
  return cl_sql_change_stamp (self->sql);
}

GPtrArray *
cl_store_batch_list (ClStore *self, GError **error)
{
  g_autoptr (ReadTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_batch_info_free);
  int rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  if (!(txn = read_begin (self, error)))
    return NULL;
  stmt = cl_store_prepare (self,
                           "SELECT id, name, profile_name, quantity, state, created FROM batches "
                           "ORDER BY created DESC, id DESC",
                           error);
  if (stmt == NULL)
    return NULL;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClBatchInfo *info = g_new0 (ClBatchInfo, 1);

      info->id = cl_sql_column_int64 (stmt, 0);
      info->name = cl_store_column_dup_text (stmt, 1);
      info->profile_name = cl_store_column_dup_text (stmt, 2);
      info->quantity = (guint)cl_sql_column_int64 (stmt, 3);
      cl_batch_state_from_string (cl_sql_column_text (stmt, 4), &info->state, NULL);
      info->created = cl_sql_column_int64 (stmt, 5);
      g_ptr_array_add (batches, info);
    }
  if (!finish_rows (self, rc, "Listing batches", error))
    return NULL;
  return g_steal_pointer (&batches);
}

GPtrArray *
cl_store_yield_station_list (ClStore *self, GError **error)
{
  g_autoptr (ReadTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (GPtrArray) stations = g_ptr_array_new_with_free_func (g_free);
  int rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  if (!(txn = read_begin (self, error)))
    return NULL;
  /* yield_totals holds a row per station and scope: a few rows, never the attempts. */
  stmt = cl_store_prepare (self,
                           "SELECT name FROM fleet_stations UNION "
                           "SELECT DISTINCT station FROM yield_totals WHERE station <> '' ORDER BY 1",
                           error);
  if (stmt == NULL)
    return NULL;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    g_ptr_array_add (stations, cl_store_column_dup_text (stmt, 0));
  if (!finish_rows (self, rc, "Listing the stations", error))
    return NULL;
  return g_steal_pointer (&stations);
}

gboolean
cl_store_check_yield_station (ClStore *self, const char *station, GError **error)
{
  g_autoptr (GPtrArray) stations = NULL;
  g_autofree char *known = NULL;

  if (station == NULL || *station == '\0')
    return TRUE;
  if (!(stations = cl_store_yield_station_list (self, error)))
    return FALSE;
  for (guint i = 0; i < stations->len; i++)
    if (g_strcmp0 (stations->pdata[i], station) == 0)
      return TRUE;
  g_ptr_array_add (stations, NULL);
  known = g_strjoinv (", ", (char **)stations->pdata);
  g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Station “%s” is not known to this store (stations: %s)", station,
               *known ? known : "none yet");
  return FALSE;
}

gboolean
cl_store_production_span (ClStore *self, gint64 batch_id, gint64 *from, gint64 *to, GError **error)
{
  return cl_store_production_span_at (self, batch_id, NULL, from, to, error);
}

gboolean
cl_store_production_span_at (ClStore *self, gint64 batch_id, const char *station, gint64 *from, gint64 *to,
                             GError **error)
{
  g_autoptr (ReadTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!(txn = read_begin (self, error)))
    return FALSE;
  /* The span runs on to the latest QA action on its chips, so a recovery after the batch shows in the charts.
   * yield_totals keeps both ends (cl-store-schema.c); the records are the reference. */
  stmt = cl_store_prepare (
    self,
    /* the later of the two ends by CASE: SQLite's two-argument max() is PostgreSQL's greatest() */
    self->yield_from_rows
      ? "SELECT f, CASE WHEN e > q THEN e ELSE q END FROM (SELECT coalesce(min(started), 0) AS f, "
        "coalesce(max(ended), 0) AS e, coalesce((SELECT max(created) FROM qa_actions WHERE chip_id IN "
        "(SELECT chip_id FROM attempts WHERE " SCOPE " AND chip_id IS NOT NULL)), 0) AS q FROM attempts WHERE " SCOPE
        ") t"
      : "SELECT f, CASE WHEN e > q THEN e ELSE q END FROM (SELECT coalesce(first_started, 0) AS f, "
        "coalesce(last_ended, 0) AS e, coalesce(last_qa, 0) AS q FROM yield_totals WHERE scope = ? AND station = ?) t",
    error);
  if (stmt == NULL)
    return FALSE;
  cl_store_bind_scope (stmt, (const gint64[]){ MAX (batch_id, 0) }, self->yield_from_rows ? "11ss11ss" : "1s", station);
  *from = *to = 0;
  switch (cl_sql_step (stmt, error))
    {
      case CL_SQL_STEP_ROW:
        *from = cl_sql_column_int64 (stmt, 0);
        *to = cl_sql_column_int64 (stmt, 1);
        return TRUE;
      case CL_SQL_STEP_DONE: /* nothing fed in scope */
        return TRUE;
      default:
        cl_store_set_error (self, error, "Reading the production span");
        return FALSE;
    }
}

static void
add_at (gint64 *deltas, gint64 n, gint64 from, gint64 bucket_us, gint64 when, gint64 *before)
{
  gint64 i;

  if (when < from)
    {
      (*before)++;
      return;
    }
  i = (when - from) / bucket_us;
  if (i < n)
    deltas[i]++;
}

GArray *
cl_store_final_yield_series (ClStore *self, gint64 batch_id, gint64 from, gint64 to, gint64 bucket_us, GError **error)
{
  return cl_store_final_yield_series_at (self, batch_id, NULL, from, to, bucket_us, error);
}

GArray *
cl_store_final_yield_series_at (ClStore *self, gint64 batch_id, const char *station, gint64 from, gint64 to,
                                gint64 bucket_us, GError **error)
{
  g_autoptr (ReadTxn) txn = NULL;
  g_autoptr (ClSqlStmt) chips = NULL;
  g_autoptr (ClSqlStmt) anonymous = NULL;
  g_autoptr (GHashTable) good_chips = NULL;
  g_autoptr (GArray) series = NULL;
  g_autofree gint64 *fed = NULL;
  g_autofree gint64 *ok = NULL;
  gint64 n, fed_before = 0, ok_before = 0, fed_sum, ok_sum;
  int rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  if (bucket_us <= 0 || to <= from || (to - from) / bucket_us > 100000)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Final yield series needs from < to and at most 100000 buckets of a positive length");
      return NULL;
    }
  n = (to - from + bucket_us - 1) / bucket_us;
  fed = g_new0 (gint64, n);
  ok = g_new0 (gint64, n);
  good_chips = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!(txn = read_begin (self, error)))
    return NULL;
  if (!self->yield_from_rows && from >= 0 && from % CL_STORE_YIELD_MINUTE == 0
      && bucket_us % CL_STORE_YIELD_MINUTE == 0)
    {
      /* yield_minutes counts, per minute, the chips whose first feed ended (and unidentified feeds) and the chips
       * made good then, by the same rules as the records below; whole-minute buckets add up whole minutes. */
      g_autoptr (ClSqlStmt) minutes = cl_store_prepare (
        self,
        "SELECT CASE WHEN minute < ? THEN -1 ELSE (minute - ?) / ? END, sum(chips_fed), sum(chips_ok) "
        "FROM yield_minutes WHERE scope = ? AND minute < ? AND station = ? GROUP BY 1",
        error);

      if (minutes == NULL)
        return NULL;
      cl_sql_bind_int64 (minutes, 4, MAX (batch_id, 0));
      cl_sql_bind_int64 (minutes, 1, from / CL_STORE_YIELD_MINUTE);
      cl_sql_bind_int64 (minutes, 2, from / CL_STORE_YIELD_MINUTE);
      cl_sql_bind_int64 (minutes, 3, bucket_us / CL_STORE_YIELD_MINUTE);
      cl_sql_bind_int64 (minutes, 5, (from + n * bucket_us) / CL_STORE_YIELD_MINUTE);
      cl_sql_bind_text (minutes, 6, station ? station : "");
      while ((rc = cl_sql_step (minutes, error)) == CL_SQL_STEP_ROW)
        {
          gint64 i = cl_sql_column_int64 (minutes, 0);

          if (i < 0)
            {
              fed_before += cl_sql_column_int64 (minutes, 1);
              ok_before += cl_sql_column_int64 (minutes, 2);
            }
          else if (i < n)
            {
              fed[i] += cl_sql_column_int64 (minutes, 1);
              ok[i] += cl_sql_column_int64 (minutes, 2);
            }
        }
      if (!finish_rows (self, rc, "Reading the final yield by the minute", error))
        return NULL;
      goto accumulate;
    }
  /* A chip joins the denominator when its first feed ends and the numerator when it is first made good. */
  chips = cl_store_prepare (self,
                            "SELECT chip_id, min(ended), min(CASE WHEN result = 'GOOD' THEN ended END) FROM attempts "
                            "WHERE " SCOPE " AND chip_id IS NOT NULL AND ended IS NOT NULL GROUP BY chip_id",
                            error);
  if (chips == NULL)
    return NULL;
  cl_store_bind_scope (chips, (const gint64[]){ MAX (batch_id, 0) }, "11ss", station);
  while ((rc = cl_sql_step (chips, error)) == CL_SQL_STEP_ROW)
    {
      add_at (fed, n, from, bucket_us, cl_sql_column_int64 (chips, 1), &fed_before);
      if (cl_sql_column_type (chips, 2) != CL_SQL_NULL)
        {
          add_at (ok, n, from, bucket_us, cl_sql_column_int64 (chips, 2), &ok_before);
          g_hash_table_add (good_chips, g_strdup (cl_sql_column_text (chips, 0)));
        }
    }
  if (!finish_rows (self, rc, "Reading chips for the final yield", error))
    return NULL;

  /* Feeds that never identified their chip count as one chip each (cl-yield-summary.h). */
  anonymous = cl_store_prepare (
    self, "SELECT ended FROM attempts WHERE " SCOPE " AND chip_id IS NULL AND ended IS NOT NULL", error);
  if (anonymous == NULL)
    return NULL;
  cl_store_bind_scope (anonymous, (const gint64[]){ MAX (batch_id, 0) }, "11ss", station);
  while ((rc = cl_sql_step (anonymous, error)) == CL_SQL_STEP_ROW)
    add_at (fed, n, from, bucket_us, cl_sql_column_int64 (anonymous, 0), &fed_before);
  if (!finish_rows (self, rc, "Reading unidentified feeds", error))
    return NULL;

  {
    g_autoptr (ClSqlStmt) recovered = NULL;

    recovered
      = cl_store_prepare (self,
                          "SELECT chip_id, min(created) FROM qa_actions WHERE action = 'RECOVER' AND chip_id IN "
                          "(SELECT chip_id FROM attempts WHERE " SCOPE " AND chip_id IS NOT NULL) "
                          "GROUP BY chip_id",
                          error);
    if (recovered == NULL)
      return NULL;
    cl_store_bind_scope (recovered, (const gint64[]){ MAX (batch_id, 0) }, "11ss", station);
    while ((rc = cl_sql_step (recovered, error)) == CL_SQL_STEP_ROW)
      if (!g_hash_table_contains (good_chips, cl_sql_column_text (recovered, 0)))
        add_at (ok, n, from, bucket_us, cl_sql_column_int64 (recovered, 1), &ok_before);
    if (!finish_rows (self, rc, "Reading recoveries", error))
      return NULL;
  }

accumulate:
  series = g_array_sized_new (FALSE, TRUE, sizeof (double), (guint)n);
  fed_sum = fed_before;
  ok_sum = ok_before;
  for (gint64 i = 0; i < n; i++)
    {
      double value;

      fed_sum += fed[i];
      ok_sum += ok[i];
      value = fed_sum > 0 ? (double)ok_sum / (double)fed_sum : 0.0;
      g_array_append_val (series, value);
    }
  return g_steal_pointer (&series);
}

GPtrArray *
cl_store_reject_search (ClStore *self, const ClRejectQuery *query, GError **error)
{
  g_autoptr (ReadTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_reject_row_free);
  int rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  if (!(txn = read_begin (self, error)))
    return NULL;
  if ((stmt = cl_store_reject_search_prepare (self, query, error)) == NULL)
    return NULL;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClRejectRow *row = g_new0 (ClRejectRow, 1);

      row->chip_id = cl_store_column_dup_text (stmt, 0);
      row->printed_serial = cl_store_column_dup_text (stmt, 1);
      row->batch_id = cl_sql_column_int64 (stmt, 2);
      row->batch_name = cl_store_column_dup_text (stmt, 3);
      cl_reject_reason_from_string (cl_sql_column_text (stmt, 4), &row->reason, NULL);
      cl_production_step_from_string (cl_sql_column_text (stmt, 5), &row->failed_step, NULL);
      row->last_sw = (gint)cl_store_column_opt_int (stmt, 6);
      row->rejected = cl_sql_column_int64 (stmt, 7);
      cl_card_state_from_string (cl_sql_column_text (stmt, 8), &row->state, NULL);
      row->attempts = (guint)cl_sql_column_int64 (stmt, 9);
      if (!cl_disposition_from_string (cl_sql_column_text (stmt, 10), &row->disposition, NULL))
        row->disposition = CL_DISPOSITION_REJECT_BIN;
      g_ptr_array_add (rows, row);
    }
  if (!finish_rows (self, rc, "Searching rejected cards", error))
    return NULL;
  return g_steal_pointer (&rows);
}

GPtrArray *
cl_store_reject_search_page (ClStore *self, const ClRejectQuery *query, gboolean *more, GError **error)
{
  ClRejectQuery one_more = *query;
  GPtrArray *rows;

  g_return_val_if_fail (query != NULL && more != NULL, NULL);
  one_more.limit = (query->limit > 0 ? query->limit : 10000) + 1;
  if ((rows = cl_store_reject_search (self, &one_more, error)) == NULL)
    return NULL;
  *more = rows->len >= one_more.limit;
  if (*more)
    g_ptr_array_set_size (rows, one_more.limit - 1);
  return rows;
}

static ClCardEvent *
card_event_new (gint64 when, ClCardEventKind kind, gint64 attempt_id, char *what, char *detail, gint sw,
                gint64 duration_us)
{
  ClCardEvent *event = g_new0 (ClCardEvent, 1);

  event->when = when;
  event->kind = kind;
  event->attempt_id = attempt_id;
  event->what = what;
  event->detail = detail;
  event->sw = sw;
  event->duration_us = duration_us;
  return event;
}

static int
compare_events (gconstpointer a, gconstpointer b)
{
  const ClCardEvent *x = *(ClCardEvent *const *)a;
  const ClCardEvent *y = *(ClCardEvent *const *)b;

  if (x->when != y->when)
    return x->when < y->when ? -1 : 1;
  if (x->attempt_id != y->attempt_id)
    return x->attempt_id < y->attempt_id ? -1 : 1;
  return (int)x->kind - (int)y->kind;
}

static gboolean
read_attempts (ClStore *self, const char *chip_id, GPtrArray *events, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  int rc;

  stmt = cl_store_prepare (self,
                           "SELECT a.id, a.kind, a.station, a.reader, a.started, a.ended, a.result, a.reject_reason, "
                           "a.failed_step, a.last_sw, d.destination, b.name FROM attempts a "
                           "LEFT JOIN dispositions d ON d.attempt_id = a.id LEFT JOIN batches b ON b.id = a.batch_id "
                           "WHERE a.chip_id = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, chip_id);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      gint64 id = cl_sql_column_int64 (stmt, 0);
      gint64 started = cl_sql_column_int64 (stmt, 4);
      const char *batch = cl_sql_column_text (stmt, 11);

      g_ptr_array_add (events, card_event_new (started, CL_CARD_EVENT_ATTEMPT, id, cl_store_column_dup_text (stmt, 1),
                                               g_strdup_printf ("%s / %s%s%s", cl_sql_column_text (stmt, 2),
                                                                cl_sql_column_text (stmt, 3), batch ? ", batch " : "",
                                                                batch ? batch : ""),
                                               -1, 0));
      if (cl_sql_column_type (stmt, 5) != CL_SQL_NULL)
        {
          gint64 ended = cl_sql_column_int64 (stmt, 5);
          const char *reason = cl_sql_column_text (stmt, 7);
          const char *dest = cl_sql_column_text (stmt, 10);
          char *detail = reason
                           ? g_strdup_printf ("%s at %s → %s", reason, cl_sql_column_text (stmt, 8), dest ? dest : "?")
                           : g_strdup_printf ("→ %s", dest ? dest : "?");

          g_ptr_array_add (events, card_event_new (ended, CL_CARD_EVENT_END, id, cl_store_column_dup_text (stmt, 6),
                                                   detail, (gint)cl_store_column_opt_int (stmt, 9), ended - started));
        }
    }
  return finish_rows (self, rc, "Reading the card's attempts", error);
}

static gboolean
read_steps (ClStore *self, const char *chip_id, GPtrArray *events, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  int rc;

  stmt = cl_store_prepare (self,
                           "SELECT s.attempt_id, s.step, s.started, s.duration_us, s.result, s.last_sw, s.detail "
                           "FROM steps s JOIN attempts a ON a.id = s.attempt_id WHERE a.chip_id = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, chip_id);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      const char *detail = cl_sql_column_text (stmt, 6);

      g_ptr_array_add (events, card_event_new (cl_sql_column_int64 (stmt, 2), CL_CARD_EVENT_STEP,
                                               cl_sql_column_int64 (stmt, 0), cl_store_column_dup_text (stmt, 1),
                                               g_strdup_printf ("%s%s%s", cl_sql_column_text (stmt, 4),
                                                                detail ? ": " : "", detail ? detail : ""),
                                               (gint)cl_store_column_opt_int (stmt, 5), cl_sql_column_int64 (stmt, 3)));
    }
  return finish_rows (self, rc, "Reading the card's steps", error);
}

static gboolean
read_qa (ClStore *self, const char *chip_id, GPtrArray *events, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  int rc;

  stmt = cl_store_prepare (self,
                           "SELECT coalesce(attempt_id, 0), action, user_name, note, created FROM qa_actions "
                           "WHERE chip_id = ?",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, chip_id);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      const char *note = cl_sql_column_text (stmt, 3);

      g_ptr_array_add (events, card_event_new (cl_sql_column_int64 (stmt, 4), CL_CARD_EVENT_QA,
                                               cl_sql_column_int64 (stmt, 0), cl_store_column_dup_text (stmt, 1),
                                               g_strdup_printf ("by %s%s%s", cl_sql_column_text (stmt, 2),
                                                                note ? ": " : "", note ? note : ""),
                                               -1, 0));
    }
  return finish_rows (self, rc, "Reading the card's QA actions", error);
}

GPtrArray *
cl_store_card_history (ClStore *self, const char *chip_id, GError **error)
{
  g_autoptr (ReadTxn) txn = NULL;
  g_autoptr (ClSqlStmt) card = NULL;
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_card_event_free);
  ClSqlStep rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  if (!cl_store_check_chip_id (chip_id, error))
    return NULL;
  if (!(txn = read_begin (self, error)))
    return NULL;
  card = cl_store_prepare (self, "SELECT 1 FROM cards WHERE chip_id = ?", error);
  if (card == NULL)
    return NULL;
  cl_sql_bind_text (card, 1, chip_id);
  if ((rc = cl_sql_step (card, error)) != CL_SQL_STEP_ROW)
    {
      if (rc == CL_SQL_STEP_DONE)
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No card with chip id %s", chip_id);
      return NULL;
    }
  if (!read_attempts (self, chip_id, events, error) || !read_steps (self, chip_id, events, error)
      || !read_qa (self, chip_id, events, error))
    return NULL;
  g_ptr_array_sort (events, compare_events);
  return g_steal_pointer (&events);
}
