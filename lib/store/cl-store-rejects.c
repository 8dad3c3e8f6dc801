/* cl-store-rejects.c: the Rejects view's statement (cl_store_reject_search runs it): its text for the search the
 * operator typed and the backend, and its parameters. */
#include "store/cl-store-dashboard.h"
#include "store/cl-store-private.h"

/* "%text%" for LIKE … ESCAPE '\\': the operator's search text matches as typed, its % and _ included (SQLite and
 * PostgreSQL share LIKE, not instr or strpos). */
static char *
like_pattern (const char *text)
{
  GString *out = g_string_new ("%");

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '%');
  return g_string_free (out, FALSE);
}

void
cl_store_reject_query_bind (ClSqlStmt *stmt, const ClRejectQuery *query)
{
  cl_sql_bind_int64 (stmt, 1, MAX (query->batch_id, 0));
  cl_sql_bind_int64 (stmt, 2, MAX (query->batch_id, 0));
  if (query->reason >= 0 && query->reason < CL_REJECT_REASON_COUNT)
    {
      cl_sql_bind_text (stmt, 3, cl_reject_reason_to_string (query->reason));
      cl_sql_bind_text (stmt, 4, cl_reject_reason_to_string (query->reason));
    }
  cl_sql_bind_int64 (stmt, 5, MAX (query->from, 0));
  cl_sql_bind_int64 (stmt, 6, MAX (query->from, 0));
  cl_sql_bind_int64 (stmt, 7, MAX (query->to, 0));
  cl_sql_bind_int64 (stmt, 8, MAX (query->to, 0));
  if (query->search != NULL && *query->search != '\0')
    {
      g_autofree char *pattern = like_pattern (query->search);

      cl_sql_bind_text (stmt, 9, query->search);
      cl_sql_bind_text (stmt, 10, pattern);
      cl_sql_bind_text (stmt, 11, pattern);
    }
  cl_sql_bind_int64 (stmt, 12, query->include_closed ? 1 : 0);
  cl_sql_bind_int64 (stmt, 13, query->limit > 0 ? query->limit : 10000);
}

/* The latest production rejection of each chip describes why it is in the bin now; a RETAINED end is none (the card
 * was not put in the bin). reject_latest keeps it per chip (cl-store-schema-rejects.h), with the card's state and
 * serial, its attempts and the disposition, so the list is a scan of its ended index up to LIMIT. */
#define REJECTS_COLUMNS                                                                                                \
  "SELECT r.chip_id, r.printed_serial, coalesce(r.batch_id, 0), b.name, r.reject_reason, r.failed_step, "              \
  "r.last_sw, r.ended, r.state, r.attempts, coalesce(r.destination, 'REJECT_BIN') FROM "
#define REJECTS_FROM "reject_latest r LEFT JOIN batches b ON b.id = r.batch_id "
#define REJECTS_FILTERS                                                                                                \
  "WHERE (CAST(? AS BIGINT) = 0 OR r.batch_id = ?) AND (CAST(? AS TEXT) IS NULL OR r.reject_reason = ?) "              \
  "AND (CAST(? AS BIGINT) = 0 OR r.ended >= ?) AND (CAST(? AS BIGINT) = 0 OR r.ended < ?) "
/* The search, case-insensitive, a substring of the chip or of the printed serial: what decides, whichever index
 * narrowed the rows down. On PostgreSQL upper() on both sides; SQLite's LIKE folds ASCII itself, as its upper()
 * does (and no more), so there it reads the columns as they are: half the time of a scan of every rejected chip. */
#define REJECTS_LIKE(CHIP, SERIAL) "AND (" CHIP " LIKE upper(?) ESCAPE '\\' OR " SERIAL " LIKE upper(?) ESCAPE '\\') "
#define REJECTS_LIKE_SQLITE        "AND (r.chip_id LIKE ? ESCAPE '\\' OR r.printed_serial LIKE ? ESCAPE '\\') "
#define REJECTS_CHIP               "upper(r.chip_id)"
#define REJECTS_SERIAL             "upper(coalesce(r.printed_serial, ''))"
#define REJECTS_IN_BIN             "AND (? <> 0 OR r.in_bin = 1) "
#define REJECTS_ORDER              "ORDER BY r.ended DESC, r.attempt_id DESC LIMIT ?"
#define REJECTS_TAIL               REJECTS_IN_BIN REJECTS_ORDER

/* No search: the list. */
static const char rejects_list[] = REJECTS_COLUMNS REJECTS_FROM REJECTS_FILTERS REJECTS_TAIL;
/* A term of one or two characters, which no trigram holds, and that many chips' grams hold (REJECTS_DENSE or more,
 * or not valid UTF-8): the ended index from the newest until LIMIT rows matched, few rows read for each one shown.
 * "|| ''" keeps PostgreSQL off the trigram indexes, which would read all of themselves for such a term. */
static const char rejects_scan_sqlite[] = REJECTS_COLUMNS REJECTS_FROM REJECTS_FILTERS REJECTS_LIKE_SQLITE REJECTS_TAIL;
static const char rejects_scan_pg[]
  = REJECTS_COLUMNS REJECTS_FROM REJECTS_FILTERS REJECTS_LIKE (REJECTS_CHIP " || ''", REJECTS_SERIAL " || ''")
    REJECTS_TAIL;
/* A term of one or two characters that few chips' grams hold (cl-store-schema-rejects.h): those chips (and the long
 * ones, '*'), first, then sorted; reading the ended index for them would read most of it. SQLite: CROSS JOIN keeps
 * that order. */
#define REJECTS_GRAM_CHIPS "(SELECT DISTINCT chip_id FROM reject_grams WHERE gram IN (upper(?), '*')) g "
static const char rejects_grams_sqlite[]
  = REJECTS_COLUMNS REJECTS_GRAM_CHIPS "CROSS JOIN reject_latest r ON r.chip_id = g.chip_id LEFT JOIN batches b ON "
                                       "b.id = r.batch_id " REJECTS_FILTERS REJECTS_LIKE_SQLITE REJECTS_TAIL;
/* PostgreSQL: its estimate of the LIKE on every row is a guess, and with it the planner read every row and hashed
 * the grams' chips (47 ms for a term no chip holds at 1,000,000 cards); the lateral subquery, which OFFSET 0 keeps
 * from being flattened into the join, looks each chip up by its key. */
static const char rejects_grams_pg[] = REJECTS_COLUMNS REJECTS_GRAM_CHIPS
  "CROSS JOIN LATERAL (SELECT * FROM reject_latest x WHERE x.chip_id = g.chip_id "
  "OFFSET 0) r LEFT JOIN batches b ON b.id = r.batch_id " REJECTS_FILTERS REJECTS_LIKE (
    REJECTS_CHIP " || ''", REJECTS_SERIAL " || ''") REJECTS_TAIL;
/* How many chips hold a short term's gram, up to REJECTS_DENSE: from there on the term matches one row in twenty or
 * more at 1,000,000 cards, and the ended index finds a page of them sooner than the grams' chips are sorted. */
#define REJECTS_DENSE 4000
static const char rejects_gram_count[]
  = "SELECT count(*) FROM (SELECT 1 FROM reject_grams WHERE gram = upper(?) LIMIT " G_STRINGIFY (REJECTS_DENSE) ") x";
/* Three characters or more on SQLite: the rows whose chip or serial holds the term's trigrams in a row (FTS5's
 * phrase, folded to lower case), first (CROSS JOIN: SQLite would otherwise read the ended index and probe each row),
 * then sorted. */
static const char rejects_fts_sqlite[]
  = REJECTS_COLUMNS "reject_search s CROSS JOIN reject_latest r ON r.rowid = s.rowid LEFT JOIN batches b ON b.id = "
                    "r.batch_id " REJECTS_FILTERS "AND s.reject_search MATCH ? " REJECTS_LIKE_SQLITE REJECTS_TAIL;
/* Three characters or more on PostgreSQL: the LIKE on the very expressions of the trigram indexes, which the planner
 * reads (a bitmap of both) for a term whose trigrams are rare. */
static const char rejects_trgm_pg[]
  = REJECTS_COLUMNS REJECTS_FROM REJECTS_FILTERS REJECTS_LIKE (REJECTS_CHIP, REJECTS_SERIAL) REJECTS_TAIL;

/* The term as one FTS5 phrase: every character literal but the double quote, doubled. */
static char *
fts_phrase (const char *text)
{
  GString *out = g_string_new ("\"");

  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

/* Whether few enough chips hold the short term's gram that reading them beats the ended index. */
static gboolean
gram_is_sparse (ClStore *self, const char *term, gboolean *sparse, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, rejects_gram_count, error);

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, term);
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    return FALSE;
  *sparse = cl_sql_column_int64 (stmt, 0) < REJECTS_DENSE;
  return TRUE;
}

ClSqlStmt *
cl_store_reject_search_prepare (ClStore *self, const ClRejectQuery *query, GError **error)
{
  gboolean search = query->search != NULL && *query->search != '\0';
  gboolean utf8 = search && g_utf8_validate (query->search, -1, NULL);
  /* a trigram index holds substrings of three characters (FTS5 and pg_trgm count them in UTF-8), reject_grams those
   * of one and two */
  glong length = utf8 ? g_utf8_strlen (query->search, -1) : 0;
  gboolean indexed = length >= 3;
  gboolean sqlite = cl_store_backend (self) == CL_SQL_SQLITE;
  gboolean fts = indexed && sqlite;
  gboolean grams = FALSE;
  const char *text;
  g_autoptr (ClSqlStmt) stmt = NULL;
  int n = 0;

  if (length == 1 || length == 2)
    {
      if (!gram_is_sparse (self, query->search, &grams, error))
        return NULL;
    }
  text = !search    ? rejects_list
         : grams    ? (sqlite ? rejects_grams_sqlite : rejects_grams_pg)
         : !indexed ? (sqlite ? rejects_scan_sqlite : rejects_scan_pg)
         : sqlite   ? rejects_fts_sqlite
                    : rejects_trgm_pg;
  /* PostgreSQL plans the grams' read in parallel at 1,000,000 cards (its estimate of a bitmap scan of reject_grams);
   * starting a worker process took longer than the few hundred lookups it shares (a term no chip holds: 29 ms) */
  if (grams && !sqlite && !cl_store_exec (self, "SET LOCAL max_parallel_workers_per_gather = 0", error))
    return NULL;
  if ((stmt = cl_store_prepare (self, text, error)) == NULL)
    return NULL;
  /* the grams' chips come first in that statement's text */
  if (grams)
    cl_sql_bind_text (stmt, ++n, query->search);
  cl_sql_bind_int64 (stmt, ++n, MAX (query->batch_id, 0));
  cl_sql_bind_int64 (stmt, ++n, MAX (query->batch_id, 0));
  if (query->reason >= 0 && query->reason < CL_REJECT_REASON_COUNT)
    {
      cl_sql_bind_text (stmt, ++n, cl_reject_reason_to_string (query->reason));
      cl_sql_bind_text (stmt, ++n, cl_reject_reason_to_string (query->reason));
    }
  else
    n += 2; /* NULL: every reason */
  cl_sql_bind_int64 (stmt, ++n, MAX (query->from, 0));
  cl_sql_bind_int64 (stmt, ++n, MAX (query->from, 0));
  cl_sql_bind_int64 (stmt, ++n, MAX (query->to, 0));
  cl_sql_bind_int64 (stmt, ++n, MAX (query->to, 0));
  if (search)
    {
      g_autofree char *pattern = like_pattern (query->search);

      if (fts)
        {
          g_autofree char *phrase = fts_phrase (query->search);

          cl_sql_bind_text (stmt, ++n, phrase);
        }
      cl_sql_bind_text (stmt, ++n, pattern);
      cl_sql_bind_text (stmt, ++n, pattern);
    }
  cl_sql_bind_int64 (stmt, ++n, query->include_closed ? 1 : 0);
  cl_sql_bind_int64 (stmt, ++n, query->limit > 0 ? query->limit : 10000);
  return g_steal_pointer (&stmt);
}
