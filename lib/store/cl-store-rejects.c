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
/* A term of one or two characters, which no trigram holds: every rejected chip read (such a term matches most
 * chips, or few). On SQLite the ended index from the newest until LIMIT rows matched. On PostgreSQL a sequential
 * scan and a sort ("+ 0"): at 300,000 cards the ended index read to its end, a heap fetch a row, took twice as long
 * for a term that matches none, and longer for one that matches thousands. "|| ''" keeps it off the trigram
 * indexes, which would read all of themselves for such a term. */
static const char rejects_scan_sqlite[] = REJECTS_COLUMNS REJECTS_FROM REJECTS_FILTERS REJECTS_LIKE_SQLITE REJECTS_TAIL;
static const char rejects_scan_pg[]
  = REJECTS_COLUMNS REJECTS_FROM REJECTS_FILTERS REJECTS_LIKE (REJECTS_CHIP " || ''", REJECTS_SERIAL " || ''")
    REJECTS_IN_BIN "ORDER BY r.ended + 0 DESC, r.attempt_id DESC LIMIT ?";
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

ClSqlStmt *
cl_store_reject_search_prepare (ClStore *self, const ClRejectQuery *query, GError **error)
{
  gboolean search = query->search != NULL && *query->search != '\0';
  /* a trigram index holds substrings of three characters (FTS5 and pg_trgm count them in UTF-8) */
  gboolean indexed = search && g_utf8_validate (query->search, -1, NULL) && g_utf8_strlen (query->search, -1) >= 3;
  gboolean sqlite = cl_store_backend (self) == CL_SQL_SQLITE;
  gboolean fts = indexed && sqlite;
  const char *text = !search    ? rejects_list
                     : !indexed ? (sqlite ? rejects_scan_sqlite : rejects_scan_pg)
                     : sqlite   ? rejects_fts_sqlite
                                : rejects_trgm_pg;
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, text, error);
  int n = 0;

  if (stmt == NULL)
    return NULL;
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
