/* cl-store-manifest.c: a batch's manifest (see cl-store-manifest.h). */
#include "store/cl-store-manifest.h"

#include "core/cl-error.h"
#include "core/cl-json.h"
#include "store/cl-store-private.h"

#include <string.h>

static void
record_free (ClManifestRecord *r)
{
  g_free (r->row_reference);
  g_free (r->chip_id);
  g_free (r->printed_serial);
  g_free (r->device_chr);
  g_free (r->certificate_sha256);
  g_free (r->disposition);
  g_free (r->reason);
  g_free (r->station);
  g_free (r);
}

void
cl_manifest_free (ClManifest *manifest)
{
  if (manifest == NULL)
    return;
  g_free (manifest->batch);
  g_clear_pointer (&manifest->records, g_ptr_array_unref);
  g_free (manifest);
}

/* The chip's serial and latest certificate: columns 0.. of what CHIP_COLUMNS selects for chip column c. */
#define CHIP_COLUMNS(c)                                                                                                \
  "(SELECT printed_serial FROM cards WHERE chip_id = " c "), "                                                         \
  "(SELECT chr FROM certificates WHERE chip_id = " c " ORDER BY issue DESC, id DESC LIMIT 1), "                        \
  "(SELECT cvc FROM certificates WHERE chip_id = " c " ORDER BY issue DESC, id DESC LIMIT 1)"

static void
read_chip (ClSqlStmt *stmt, int first, ClManifestRecord *r)
{
  r->printed_serial = cl_store_column_dup_text (stmt, first);
  r->device_chr = cl_store_column_dup_text (stmt, first + 1);
  if (cl_sql_column_type (stmt, first + 2) == CL_SQL_BLOB)
    r->certificate_sha256 = cl_store_column_sha256 (stmt, first + 2);
}

static void
count (ClManifest *m, const ClManifestRecord *r)
{
  if (g_strcmp0 (r->disposition, "GOOD") == 0)
    m->good++;
  else if (g_strcmp0 (r->disposition, "RECOVERED") == 0)
    m->recovered++;
  else if (g_strcmp0 (r->disposition, "REJECTED") == 0)
    m->rejected++;
  else if (g_strcmp0 (r->disposition, "UNKNOWN") == 0)
    m->unknown++;
}

typedef ClManifestRecord *(*RecordFunc) (ClSqlStmt *stmt);

static gboolean
collect (ClStore *self, ClManifest *m, const char *sql, RecordFunc func, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, sql, error);
  int rc;

  int n = 0;

  if (stmt == NULL)
    return FALSE;
  /* every '?' of these statements is the batch id */
  for (const char *c = sql; *c != '\0'; c++)
    if (*c == '?')
      cl_sql_bind_int64 (stmt, ++n, m->batch_id);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClManifestRecord *r = func (stmt);

      count (m, r);
      g_ptr_array_add (m->records, r);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the batch's manifest");
      return FALSE;
    }
  return TRUE;
}

static ClManifestRecord *
row_record (ClSqlStmt *stmt)
{
  ClManifestRecord *r = g_new0 (ClManifestRecord, 1);
  const char *state = cl_sql_column_text (stmt, 2);

  r->kind = CL_MANIFEST_ROW;
  r->row_reference = cl_store_column_dup_text (stmt, 0);
  r->row_line = (guint)cl_sql_column_int64 (stmt, 1);
  r->chip_id = cl_store_column_dup_text (stmt, 3);
  r->reason = cl_store_column_dup_text (stmt, 4);
  r->time = MAX (cl_store_column_opt_int (stmt, 5), 0);
  r->station = cl_store_column_dup_text (stmt, 6);
  if (g_strcmp0 (state, "DONE") == 0)
    r->disposition = g_strdup (g_strcmp0 (cl_sql_column_text (stmt, 7), "QA_RETEST") == 0 ? "RECOVERED" : "GOOD");
  else
    r->disposition = g_strdup (state);
  if (r->chip_id != NULL)
    read_chip (stmt, 8, r);
  return r;
}

static ClManifestRecord *
card_record (ClSqlStmt *stmt)
{
  ClManifestRecord *r = g_new0 (ClManifestRecord, 1);

  r->kind = CL_MANIFEST_CARD;
  r->chip_id = cl_store_column_dup_text (stmt, 0);
  r->disposition = cl_store_column_dup_text (stmt, 1);
  r->time = cl_sql_column_int64 (stmt, 2);
  r->station = cl_store_column_dup_text (stmt, 3);
  read_chip (stmt, 4, r);
  return r;
}

static ClManifestRecord *
rejected_record (ClSqlStmt *stmt)
{
  ClManifestRecord *r = g_new0 (ClManifestRecord, 1);
  const char *reason = cl_sql_column_text (stmt, 1);
  const char *step = cl_sql_column_text (stmt, 2);

  r->kind = CL_MANIFEST_REJECTED;
  r->chip_id = cl_store_column_dup_text (stmt, 0);
  r->reason = g_strdup_printf ("%s at %s", reason != NULL ? reason : "?", step != NULL ? step : "?");
  r->time = cl_sql_column_int64 (stmt, 3);
  r->station = cl_store_column_dup_text (stmt, 4);
  r->disposition = g_strdup (g_strcmp0 (cl_sql_column_text (stmt, 5), "UNKNOWN") == 0 ? "UNKNOWN" : "REJECTED");
  if (r->chip_id != NULL)
    read_chip (stmt, 6, r);
  return r;
}

static const char rows_sql[]
  = "SELECT r.reference, r.line, r.state, r.chip_id, r.failure, r.finished, a.station, a.kind, " CHIP_COLUMNS (
    "r.chip_id") " FROM batch_rows r LEFT JOIN attempts a ON a.id = r.attempt_id WHERE r.batch_id = ? ORDER BY r.id";

/* Good chips of the batch without a row: made good in production, or recovered by QA after a reject here; each
 * chip's first such record (by id: SQLite's bare columns beside min() are not SQL PostgreSQL takes). */
static const char cards_sql[] = "SELECT g.chip_id, g.disposition, g.at, g.station, " CHIP_COLUMNS (
  "g.chip_id") " FROM ("
               "SELECT a.chip_id AS chip_id, 'GOOD' AS disposition, a.ended AS at, a.station AS station "
               "FROM attempts a WHERE a.batch_id = ? AND a.kind = 'PRODUCTION' AND a.result = 'GOOD' "
               "AND a.id = (SELECT min(x.id) FROM attempts x WHERE x.chip_id = a.chip_id AND x.batch_id = a.batch_id "
               "AND x.kind = 'PRODUCTION' AND x.result = 'GOOD') "
               "UNION ALL "
               "SELECT q.chip_id, 'RECOVERED', q.created, (SELECT station FROM attempts WHERE id = "
               "q.attempt_id) FROM qa_actions q WHERE q.action = 'RECOVER' AND q.chip_id IN (SELECT chip_id "
               "FROM attempts WHERE batch_id = ? AND kind = 'PRODUCTION') AND q.chip_id NOT IN (SELECT chip_id "
               "FROM attempts WHERE batch_id = ? AND kind = 'PRODUCTION' AND result = 'GOOD' AND chip_id IS NOT "
               "NULL) AND q.id = (SELECT min(y.id) FROM qa_actions y WHERE y.chip_id = q.chip_id "
               "AND y.action = 'RECOVER')"
               ") g WHERE NOT EXISTS (SELECT 1 FROM batch_rows r WHERE r.chip_id = g.chip_id) ORDER BY g.at";

static const char rejected_sql[]
  = "SELECT a.chip_id, a.reject_reason, a.failed_step, a.ended, a.station, d.destination, " CHIP_COLUMNS (
    "a.chip_id") " FROM attempts a JOIN dispositions d ON d.attempt_id = a.id WHERE a.batch_id = ? AND "
                 "a.kind = 'PRODUCTION' AND a.result = 'REJECTED' AND d.destination IN ('REJECT_BIN', 'UNKNOWN') "
                 "ORDER BY a.ended, a.id";

static gboolean
read_manifest_locked (ClStore *self, ClManifest *m, GError **error)
{
  g_autoptr (ClSqlStmt) batch = cl_store_prepare (self, "SELECT id FROM batches WHERE name = ?", error);
  g_autoptr (ClSqlStmt) counts
    = cl_store_prepare (self, "SELECT state, count(*) FROM batch_rows WHERE batch_id = ? GROUP BY state", error);
  ClSqlStep rc;

  if (batch == NULL || counts == NULL)
    return FALSE;
  cl_sql_bind_text (batch, 1, m->batch);
  if ((rc = cl_sql_step (batch, error)) != CL_SQL_STEP_ROW)
    {
      if (rc == CL_SQL_STEP_DONE)
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No batch named %s", m->batch);
      return FALSE;
    }
  m->batch_id = cl_sql_column_int64 (batch, 0);
  if (!collect (self, m, rows_sql, row_record, error) || !collect (self, m, cards_sql, card_record, error)
      || !collect (self, m, rejected_sql, rejected_record, error))
    return FALSE;
  for (guint i = 0; i < m->records->len; i++)
    {
      const ClManifestRecord *r = m->records->pdata[i];

      if (r->kind != CL_MANIFEST_ROW)
        continue;
      if (g_str_equal (r->disposition, "PENDING"))
        m->rows.pending++;
      else if (g_str_equal (r->disposition, "IN_PRODUCTION"))
        m->rows.in_production++;
      else if (g_str_equal (r->disposition, "FAILED"))
        m->rows.failed++;
      else
        m->rows.done++;
    }
  return TRUE;
}

ClManifest *
cl_store_manifest (ClStore *self, const char *batch, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClManifest) m = g_new0 (ClManifest, 1);
  gboolean ok;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  if (!cl_store_check_name ("Batch name", batch, error))
    return NULL;
  m->batch = g_strdup (batch);
  m->records = g_ptr_array_new_with_free_func ((GDestroyNotify)record_free);
  locker = g_mutex_locker_new (&self->lock);
  cl_store_check_thread (self, "manifest");
  /* one read transaction: the three parts see the same store */
  if (!cl_store_exec (self, "BEGIN", error))
    return NULL;
  ok = read_manifest_locked (self, m, error);
  cl_store_exec (self, ok ? "COMMIT" : "ROLLBACK", NULL);
  return ok ? g_steal_pointer (&m) : NULL;
}

/* ---- formats ---- */

static const char *const kinds[] = { "row", "card", "rejected" };

static char *
iso_time (gint64 us)
{
  g_autoptr (GDateTime) dt = us > 0 ? g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC) : NULL;

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

void
cl_manifest_append_csv_cell (GString *out, const char *value)
{
  gboolean formula, quote;

  if (value == NULL)
    return;
  formula
    = value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' || value[0] == '\t' || value[0] == '\r';
  quote = formula || strpbrk (value, ",\"\r\n") != NULL;
  if (quote)
    g_string_append_c (out, '"');
  if (formula)
    g_string_append_c (out, '\'');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  if (quote)
    g_string_append_c (out, '"');
}

char *
cl_manifest_to_csv (const ClManifest *m)
{
  GString *out = g_string_new ("record,row_reference,row_line,chip_id,printed_serial,device_chr,certificate_sha256,"
                               "disposition,reason,time,station\r\n");

  for (guint i = 0; i < m->records->len; i++)
    {
      const ClManifestRecord *r = m->records->pdata[i];
      g_autofree char *line = r->row_line > 0 ? g_strdup_printf ("%u", r->row_line) : NULL;
      g_autofree char *time = iso_time (r->time);
      const char *cells[]
        = { kinds[r->kind],        r->row_reference, line,      r->chip_id, r->printed_serial, r->device_chr,
            r->certificate_sha256, r->disposition,   r->reason, time,       r->station };

      for (guint k = 0; k < G_N_ELEMENTS (cells); k++)
        {
          if (k > 0)
            g_string_append_c (out, ',');
          cl_manifest_append_csv_cell (out, cells[k]);
        }
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

static void
json_member (GString *out, const char *name, const char *value, gboolean first)
{
  if (!first)
    g_string_append_c (out, ',');
  cl_json_append_string (out, name);
  g_string_append_c (out, ':');
  if (value == NULL)
    g_string_append (out, "null");
  else
    cl_json_append_string (out, value);
}

char *
cl_manifest_to_json (const ClManifest *m)
{
  GString *out = g_string_new ("{");

  json_member (out, "batch", m->batch, TRUE);
  g_string_append_printf (out,
                          ",\"batch_id\":%" G_GINT64_FORMAT ",\"rows\":{\"pending\":%" G_GINT64_FORMAT
                          ",\"in_production\":%" G_GINT64_FORMAT ",\"done\":%" G_GINT64_FORMAT
                          ",\"failed\":%" G_GINT64_FORMAT "},\"good\":%u,\"recovered\":%u,\"rejected\":%u,"
                          "\"unknown\":%u,\"records\":[",
                          m->batch_id, m->rows.pending, m->rows.in_production, m->rows.done, m->rows.failed, m->good,
                          m->recovered, m->rejected, m->unknown);
  for (guint i = 0; i < m->records->len; i++)
    {
      const ClManifestRecord *r = m->records->pdata[i];
      g_autofree char *time = iso_time (r->time);

      g_string_append (out, i > 0 ? ",{" : "{");
      json_member (out, "record", kinds[r->kind], TRUE);
      json_member (out, "row_reference", r->row_reference, FALSE);
      if (r->row_line > 0)
        g_string_append_printf (out, ",\"row_line\":%u", r->row_line);
      else
        g_string_append (out, ",\"row_line\":null");
      json_member (out, "chip_id", r->chip_id, FALSE);
      json_member (out, "printed_serial", r->printed_serial, FALSE);
      json_member (out, "device_chr", r->device_chr, FALSE);
      json_member (out, "certificate_sha256", r->certificate_sha256, FALSE);
      json_member (out, "disposition", r->disposition, FALSE);
      json_member (out, "reason", r->reason, FALSE);
      json_member (out, "time", time, FALSE);
      json_member (out, "station", r->station, FALSE);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}\n");
  return g_string_free (out, FALSE);
}
