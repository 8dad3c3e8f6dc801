/* cl-sql-pg.c: the PostgreSQL backend of cl-sql.h, through libpq (the only file that includes libpq-fe.h).
 *
 * Statements are prepared once per connection and text (named server-side statements) and run with
 * PQexecPrepared: parameters go as text, blobs as binary bytea; results come back as text and are read here
 * (int64 parsed, booleans 't'/'f' as 1/0, bytea decoded). A step runs the statement and keeps all its rows.
 *
 * A connection lost (the server restarted or went away) fails the call that found it with
 * CL_SQL_FAULT_UNREACHABLE; a later call reconnects (PQreset) and prepares its statements again, so a station
 * resumes by itself once the database is back. A transaction open when the connection was lost is gone with it:
 * until the caller runs ROLLBACK, every other call fails with CL_SQL_FAULT_CONFLICT, so that no statement meant for
 * that transaction runs outside it. A COMMIT that fails UNREACHABLE may or may not have been applied. */
#include "store/cl-sql-pg.h"
#include "store/cl-sql-private.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/cl-error.h"

/* Type OIDs of the built-in types we read (pg_type.dat; fixed since PostgreSQL 7). */
enum
{
  OID_BOOL = 16,
  OID_BYTEA = 17,
  OID_INT8 = 20,
  OID_INT2 = 21,
  OID_INT4 = 23,
  OID_OID = 26,
  OID_FLOAT4 = 700,
  OID_FLOAT8 = 701,
  OID_NUMERIC = 1700,
};

/* Texts kept prepared per connection; a statement made from text after that many (SQL built with values in it)
 * runs unprepared, so the server's memory does not grow with each. */
#define MAX_PREPARED 512

/* A statement prepared on the server under name, valid while generation matches the connection's; name NULL for
 * one that runs unprepared. */
typedef struct
{
  char *name;
  int n_params;
  guint generation;
} Prepared;

typedef struct
{
  ClSql parent;
  PGconn *conn;
  gint64 changes;
  GHashTable *prepared; /* rewritten text -> Prepared */
  guint next_name;
  guint generation; /* bumped on each reconnect: the server forgot every prepared statement */
  gboolean lost;    /* the connection was found gone; the next call reconnects */
  gboolean lost_transaction;
} ClSqlPg;

typedef struct
{
  ClSqlStmt parent;
  ClSqlPg *pg;
  const char *text; /* the key in pg->prepared, or owned_text */
  Prepared *prepared;
  char *owned_text; /* an unprepared statement's own text and Prepared */
  Prepared *owned;
  char **values;
  int *lengths;
  int *formats;
  PGresult *result;
  int row; /* -1: not run yet */
  guint8 **blobs;
  size_t *blob_lens;
} ClSqlPgStmt;

#define PG(sql)    ((ClSqlPg *)(sql))
#define STMT(stmt) ((ClSqlPgStmt *)(stmt))

static void
prepared_free (gpointer data)
{
  Prepared *p = data;
  g_free (p->name);
  g_free (p);
}

char *
cl_sql_pg_rewrite_placeholders (const char *query, int *n_params)
{
  GString *out = g_string_sized_new (strlen (query) + 16);
  int count = 0;
  const char *p = query;

  while (*p)
    {
      const char *start = p;
      gboolean ident_before = p > query && (g_ascii_isalnum (p[-1]) || p[-1] == '_' || p[-1] == '$');

      if (*p == '\'')
        {
          /* E'...' strings take backslash escapes; in standard strings '' is a closing and an opening quote. */
          gboolean escapes = p > query && (p[-1] == 'E' || p[-1] == 'e')
                             && !(p - 1 > query && (g_ascii_isalnum (p[-2]) || p[-2] == '_'));
          for (p++; *p && *p != '\''; p++)
            if (escapes && *p == '\\' && p[1])
              p++;
          if (*p)
            p++;
        }
      else if (*p == '"')
        {
          for (p++; *p && *p != '"'; p++)
            ;
          if (*p)
            p++;
        }
      else if (p[0] == '-' && p[1] == '-')
        {
          while (*p && *p != '\n')
            p++;
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          int depth = 0; /* PostgreSQL's block comments nest */
          while (*p)
            {
              if (p[0] == '/' && p[1] == '*')
                depth++, p += 2;
              else if (p[0] == '*' && p[1] == '/')
                {
                  p += 2;
                  if (--depth == 0)
                    break;
                }
              else
                p++;
            }
        }
      else if (*p == '$' && !ident_before)
        {
          /* $tag$ ... $tag$ (tag empty or an identifier); $1 is a parameter and is copied as it is. */
          const char *q = p + 1;
          if (g_ascii_isalpha (*q) || *q == '_' || *q == '$')
            while (g_ascii_isalnum (*q) || *q == '_')
              q++;
          if (*q == '$')
            {
              g_autofree char *tag = g_strndup (p, q - p + 1);
              const char *end = strstr (q + 1, tag);
              p = end ? end + strlen (tag) : p + strlen (p);
            }
          else
            p++;
        }
      else if (*p == '?')
        {
          g_string_append_printf (out, "$%d", ++count);
          p++;
          continue;
        }
      else
        p++;
      g_string_append_len (out, start, p - start);
    }
  *n_params = count;
  return g_string_free (out, FALSE);
}

/* "postgresql://user@host:port/db" from the URI's parts, without its password; NULL if the URI does not parse. */
static char *
describe_uri (const char *uri, char **parse_error)
{
  char *errmsg = NULL;
  PQconninfoOption *opts = PQconninfoParse (uri, &errmsg);
  const char *user = NULL, *host = NULL, *port = NULL, *db = NULL;
  GString *s;

  if (!opts)
    {
      *parse_error = g_strdup (errmsg ? g_strchomp (errmsg) : "out of memory");
      PQfreemem (errmsg);
      return NULL;
    }
  for (PQconninfoOption *o = opts; o->keyword; o++)
    {
      if (!o->val || !*o->val)
        continue;
      if (g_str_equal (o->keyword, "user"))
        user = o->val;
      else if (g_str_equal (o->keyword, "host"))
        host = o->val;
      else if (g_str_equal (o->keyword, "port"))
        port = o->val;
      else if (g_str_equal (o->keyword, "dbname"))
        db = o->val;
    }
  s = g_string_new ("postgresql://");
  if (user)
    g_string_append_printf (s, "%s@", user);
  if (host && host[0] != '/')
    g_string_append (s, host);
  if (port)
    g_string_append_printf (s, ":%s", port);
  g_string_append_printf (s, "/%s", db ? db : "");
  if (host && host[0] == '/')
    g_string_append_printf (s, "?host=%s", host);
  PQconninfoFree (opts);
  return g_string_free (s, FALSE);
}

/* libpq's parse errors quote the part they could not read, which may be the password: keep the message only if
 * the URI names no password keyword and its user-info part (between "://" and "@") appears nowhere in it. */
static char *
safe_parse_error (const char *uri, const char *message)
{
  const char *scheme = strstr (uri, "://");
  const char *at = scheme ? strchr (scheme + 3, '@') : NULL;
  /* A password given as a keyword (password=, in a URI's query or a key=value string) could be any part. */
  if (strstr (uri, "password"))
    return g_strdup ("it does not parse");
  if (at && at > scheme + 3)
    {
      g_autofree char *userinfo = g_strndup (scheme + 3, at - scheme - 3);
      const char *colon = strchr (userinfo, ':');
      if (strstr (message, userinfo) || (colon && colon[1] && strstr (message, colon + 1)))
        return g_strdup ("it does not parse");
    }
  return g_strdup (message);
}

static void
quiet_notices (void *arg, const char *message)
{
  (void)arg;
  g_debug ("PostgreSQL: %s", message);
}

static ClSqlFault
fault_of_sqlstate (const char *state)
{
  static const struct
  {
    const char *state;
    ClSqlFault fault;
  } exact[] = {
    { "23505", CL_SQL_FAULT_UNIQUE },   { "23503", CL_SQL_FAULT_FOREIGN_KEY }, { "23514", CL_SQL_FAULT_CHECK },
    { "23502", CL_SQL_FAULT_CHECK },    { "P0001", CL_SQL_FAULT_CHECK },       { "40001", CL_SQL_FAULT_CONFLICT },
    { "40P01", CL_SQL_FAULT_CONFLICT }, { "55P03", CL_SQL_FAULT_CONFLICT },
  };
  if (!state)
    return CL_SQL_FAULT_OTHER;
  for (gsize i = 0; i < G_N_ELEMENTS (exact); i++)
    if (g_str_equal (state, exact[i].state))
      return exact[i].fault;
  /* Class 08: connection exception; 57P01..57P05: the server is shutting down, restarting or not accepting. */
  if (g_str_has_prefix (state, "08") || (g_str_has_prefix (state, "57P") && state[3] >= '0' && state[3] <= '5'))
    return CL_SQL_FAULT_UNREACHABLE;
  return CL_SQL_FAULT_OTHER;
}

static gboolean
fail (ClSqlPg *pg, ClSqlFault fault, GError **error, const char *what, const char *message)
{
  g_autofree char *text = g_strdup_printf ("PostgreSQL, %s: %s", what, message && *message ? message : "no answer");
  char *out = text;
  /* One line: libpq's messages end in a newline and may hold a second, indented line of hint. */
  for (const char *in = text; *in; in++)
    if (!g_ascii_isspace (*in) || (out > text && out[-1] != ' '))
      *out++ = g_ascii_isspace (*in) ? ' ' : *in;
  *out = '\0';
  cl_sql_fail (&pg->parent, fault, g_strchomp (text), error);
  return FALSE;
}

/* Records a failed result (or none); a connection found gone is reconnected by the next call. */
static gboolean
fail_result (ClSqlPg *pg, PGresult *res, gboolean was_in_transaction, GError **error, const char *what)
{
  ClSqlFault fault = PQstatus (pg->conn) == CONNECTION_BAD
                       ? CL_SQL_FAULT_UNREACHABLE
                       : fault_of_sqlstate (res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL);
  const char *primary = res ? PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  const char *detail = res ? PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL) : NULL;
  g_autofree char *message = primary ? g_strdup_printf ("%s%s%s", primary, detail ? "; " : "", detail ? detail : "")
                                     : g_strdup (PQerrorMessage (pg->conn));
  if (fault == CL_SQL_FAULT_UNREACHABLE)
    {
      pg->lost = TRUE;
      pg->lost_transaction = pg->lost_transaction || was_in_transaction;
    }
  return fail (pg, fault, error, what, message);
}

static gboolean
in_transaction (ClSqlPg *pg)
{
  PGTransactionStatusType t = PQtransactionStatus (pg->conn);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* Before every call: a lost connection is reset here, and a transaction lost with it refuses work until the
 * caller rolls it back. */
static gboolean
usable (ClSqlPg *pg, GError **error)
{
  if (pg->lost || PQstatus (pg->conn) != CONNECTION_OK)
    {
      PQreset (pg->conn);
      if (PQstatus (pg->conn) != CONNECTION_OK)
        return fail (pg, CL_SQL_FAULT_UNREACHABLE, error, "reconnecting", PQerrorMessage (pg->conn));
      pg->lost = FALSE;
      pg->generation++;
      g_message ("record store %s: reconnected", pg->parent.description);
    }
  if (pg->lost_transaction)
    return fail (pg, CL_SQL_FAULT_CONFLICT, error, "refused",
                 "the transaction was lost with the connection to the server; roll it back and run it again");
  return TRUE;
}

static void
pg_free (ClSql *sql)
{
  ClSqlPg *pg = PG (sql);
  if (pg->conn)
    PQfinish (pg->conn);
  g_hash_table_destroy (pg->prepared);
  cl_sql_clear (sql);
  g_free (pg);
}

static gint64
pg_changes (ClSql *sql)
{
  return PG (sql)->changes;
}

static const ClSqlClass pg_class;

ClSql *
cl_sql_open_postgresql (const char *uri, GError **error)
{
  /* The URI's own connect_timeout wins over this default: later keywords override earlier ones. */
  const char *const keywords[] = { "connect_timeout", "dbname", NULL };
  const char *const values[] = { "10", uri, NULL };
  g_autofree char *parse_error = NULL;
  g_autofree char *describe = describe_uri (uri, &parse_error);
  ClSqlPg *pg;

  if (!describe)
    {
      g_autofree char *safe = safe_parse_error (uri, parse_error);
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "the PostgreSQL connection URI is not valid: %s", safe);
      return NULL;
    }
  pg = g_new0 (ClSqlPg, 1);
  cl_sql_init (&pg->parent, &pg_class, CL_SQL_POSTGRESQL, describe);
  pg->prepared = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, prepared_free);
  pg->conn = PQconnectdbParams (keywords, values, TRUE);
  if (!pg->conn || PQstatus (pg->conn) != CONNECTION_OK)
    {
      fail (pg, CL_SQL_FAULT_UNREACHABLE, error, "connecting", pg->conn ? PQerrorMessage (pg->conn) : "out of memory");
      pg_free (&pg->parent);
      return NULL;
    }
  PQsetNoticeProcessor (pg->conn, quiet_notices, NULL);
  return &pg->parent;
}

static gboolean
is_rollback (const char *script)
{
  g_autofree char *s = g_strstrip (g_strdup (script));
  gsize n = strlen (s);
  if (n && s[n - 1] == ';')
    s[n - 1] = '\0';
  g_strchomp (s);
  return g_ascii_strcasecmp (s, "ROLLBACK") == 0 || g_ascii_strcasecmp (s, "ABORT") == 0;
}

/* What cl_sql_changes() reports: rows of the last INSERT, UPDATE or DELETE (a SELECT leaves it, as in SQLite). */
static void
note_changes (ClSqlPg *pg, PGresult *res)
{
  const char *cmd = PQcmdStatus (res);
  if (g_str_has_prefix (cmd, "INSERT") || g_str_has_prefix (cmd, "UPDATE") || g_str_has_prefix (cmd, "DELETE")
      || g_str_has_prefix (cmd, "MERGE"))
    pg->changes = g_ascii_strtoll (PQcmdTuples (res), NULL, 10);
}

static gboolean
pg_exec (ClSql *sql, const char *script, GError **error)
{
  ClSqlPg *pg = PG (sql);
  PGresult *res;
  gboolean was_in_transaction;
  ExecStatusType status;

  if (pg->lost_transaction && is_rollback (script))
    {
      /* The server rolled it back when the connection went; reconnect now so the caller learns if it is back. */
      pg->lost_transaction = FALSE;
      return usable (pg, error);
    }
  if (!usable (pg, error))
    return FALSE;
  was_in_transaction = in_transaction (pg);
  res = PQexec (pg->conn, script);
  status = res ? PQresultStatus (res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
    {
      fail_result (pg, res, was_in_transaction || in_transaction (pg), error, "running SQL");
      PQclear (res);
      return FALSE;
    }
  note_changes (pg, res);
  PQclear (res);
  return TRUE;
}

/* Prepares text on the server unless it is already, in this connection's life. */
static gboolean
ensure_prepared (ClSqlPg *pg, const char *text, Prepared *p, GError **error)
{
  PGresult *res;
  gboolean ok;

  if (!p->name || p->generation == pg->generation)
    return TRUE;
  res = PQprepare (pg->conn, p->name, text, p->n_params, NULL);
  ok = res && PQresultStatus (res) == PGRES_COMMAND_OK;
  if (!ok)
    fail_result (pg, res, in_transaction (pg), error, "preparing SQL");
  else
    p->generation = pg->generation;
  PQclear (res);
  return ok;
}

static ClSqlStmt *
pg_prepare (ClSql *sql, const char *query, GError **error)
{
  ClSqlPg *pg = PG (sql);
  int n_params;
  g_autofree char *text = cl_sql_pg_rewrite_placeholders (query, &n_params);
  char *key = NULL;
  Prepared *p = NULL;
  gboolean fresh = FALSE;
  ClSqlPgStmt *stmt = g_new0 (ClSqlPgStmt, 1);

  if (!usable (pg, error))
    {
      g_free (stmt);
      return NULL;
    }
  if (!g_hash_table_lookup_extended (pg->prepared, text, NULL, NULL)
      && g_hash_table_size (pg->prepared) >= MAX_PREPARED)
    {
      stmt->owned = p = g_new0 (Prepared, 1);
      p->n_params = n_params;
      stmt->owned_text = key = g_steal_pointer (&text);
    }
  else if (!g_hash_table_lookup_extended (pg->prepared, text, (gpointer *)&key, (gpointer *)&p))
    {
      p = g_new0 (Prepared, 1);
      p->name = g_strdup_printf ("cl_%u", pg->next_name++);
      p->n_params = n_params;
      p->generation = pg->generation - 1; /* not prepared yet */
      key = g_strdup (text);
      g_hash_table_insert (pg->prepared, key, p);
      fresh = TRUE;
    }
  if (!ensure_prepared (pg, key, p, error))
    {
      /* A statement the server refused is forgotten; one already in use stays for its next try. */
      if (fresh)
        g_hash_table_remove (pg->prepared, key);
      g_free (stmt);
      return NULL;
    }
  stmt->parent.sql = sql;
  stmt->pg = pg;
  stmt->text = key;
  stmt->prepared = p;
  stmt->values = g_new0 (char *, n_params + 1);
  stmt->lengths = g_new0 (int, n_params + 1);
  stmt->formats = g_new0 (int, n_params + 1);
  stmt->row = -1;
  return &stmt->parent;
}

static void
clear_row (ClSqlPgStmt *stmt)
{
  if (stmt->blobs && stmt->result)
    for (int i = 0; i < PQnfields (stmt->result); i++)
      g_clear_pointer (&stmt->blobs[i], PQfreemem);
}

static void
clear_result (ClSqlPgStmt *stmt)
{
  clear_row (stmt);
  g_clear_pointer (&stmt->blobs, g_free);
  g_clear_pointer (&stmt->blob_lens, g_free);
  g_clear_pointer (&stmt->result, PQclear);
  stmt->row = -1;
}

static void
pg_reset (ClSqlStmt *base)
{
  ClSqlPgStmt *stmt = STMT (base);
  clear_result (stmt);
  for (int i = 0; i < stmt->prepared->n_params; i++)
    {
      g_clear_pointer (&stmt->values[i], g_free);
      stmt->lengths[i] = 0;
      stmt->formats[i] = 0;
    }
}

static void
pg_release (ClSqlStmt *base)
{
  ClSqlPgStmt *stmt = STMT (base);
  pg_reset (base);
  g_free (stmt->owned_text);
  g_clear_pointer (&stmt->owned, prepared_free);
  g_free (stmt->values);
  g_free (stmt->lengths);
  g_free (stmt->formats);
  g_free (stmt);
}

static void
bind_value (ClSqlStmt *base, int index, char *value, int length, int format)
{
  ClSqlPgStmt *stmt = STMT (base);
  if (index < 1 || index > stmt->prepared->n_params)
    {
      g_critical ("cl_sql_bind: parameter %d of %d in \"%s\"", index, stmt->prepared->n_params, stmt->text);
      g_free (value);
      return;
    }
  g_free (stmt->values[index - 1]);
  stmt->values[index - 1] = value;
  stmt->lengths[index - 1] = length;
  stmt->formats[index - 1] = format;
}

static void
pg_bind_int64 (ClSqlStmt *stmt, int index, gint64 value)
{
  bind_value (stmt, index, g_strdup_printf ("%" G_GINT64_FORMAT, value), 0, 0);
}

static void
pg_bind_double (ClSqlStmt *stmt, int index, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if (isnan (value))
    bind_value (stmt, index, g_strdup ("NaN"), 0, 0);
  else if (isinf (value))
    bind_value (stmt, index, g_strdup (value > 0 ? "Infinity" : "-Infinity"), 0, 0);
  else
    bind_value (stmt, index, g_strdup (g_ascii_dtostr (buf, sizeof buf, value)), 0, 0);
}

static void
pg_bind_text (ClSqlStmt *stmt, int index, const char *text)
{
  bind_value (stmt, index, g_strdup (text), 0, 0);
}

static void
pg_bind_blob (ClSqlStmt *stmt, int index, const void *data, gsize len)
{
  g_return_if_fail (len <= G_MAXINT);
  /* Binary format: bytea's binary form is the bytes themselves. A non-NULL pointer even for zero bytes, which
   * libpq would otherwise send as SQL NULL. */
  bind_value (stmt, index, len ? g_memdup2 (data, len) : g_malloc (1), (int)len, 1);
}

static void
pg_bind_null (ClSqlStmt *stmt, int index)
{
  bind_value (stmt, index, NULL, 0, 0);
}

static gboolean
run (ClSqlPgStmt *stmt, GError **error)
{
  ClSqlPg *pg = stmt->pg;
  PGresult *res;
  ExecStatusType status;
  gboolean was_in_transaction;
  const Prepared *p = stmt->prepared;

  if (!usable (pg, error) || !ensure_prepared (pg, stmt->text, stmt->prepared, error))
    return FALSE;
  was_in_transaction = in_transaction (pg);
  if (p->name)
    res = PQexecPrepared (pg->conn, p->name, p->n_params, (const char *const *)stmt->values, stmt->lengths,
                          stmt->formats, 0);
  else
    res = PQexecParams (pg->conn, stmt->text, p->n_params, NULL, (const char *const *)stmt->values, stmt->lengths,
                        stmt->formats, 0);
  status = res ? PQresultStatus (res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      fail_result (pg, res, was_in_transaction || in_transaction (pg), error, "running SQL");
      PQclear (res);
      return FALSE;
    }
  note_changes (pg, res);
  stmt->result = res;
  stmt->blobs = g_new0 (guint8 *, PQnfields (res) + 1);
  stmt->blob_lens = g_new0 (size_t, PQnfields (res) + 1);
  return TRUE;
}

static ClSqlStep
pg_step (ClSqlStmt *base, GError **error)
{
  ClSqlPgStmt *stmt = STMT (base);
  if (!stmt->result)
    {
      if (!run (stmt, error))
        return CL_SQL_STEP_ERROR;
    }
  else
    clear_row (stmt);
  if (stmt->row < PQntuples (stmt->result))
    stmt->row++;
  return stmt->row < PQntuples (stmt->result) ? CL_SQL_STEP_ROW : CL_SQL_STEP_DONE;
}

static gboolean
has_column (ClSqlPgStmt *stmt, int index)
{
  if (!stmt->result || stmt->row < 0 || stmt->row >= PQntuples (stmt->result) || index < 0
      || index >= PQnfields (stmt->result))
    {
      g_critical ("cl_sql_column: no column %d in the current row of \"%s\"", index, stmt->text);
      return FALSE;
    }
  return TRUE;
}

static int
pg_column_count (ClSqlStmt *base)
{
  ClSqlPgStmt *stmt = STMT (base);
  return stmt->result ? PQnfields (stmt->result) : 0;
}

static const char *
pg_column_name (ClSqlStmt *base, int index)
{
  ClSqlPgStmt *stmt = STMT (base);
  g_return_val_if_fail (stmt->result && index >= 0 && index < PQnfields (stmt->result), NULL);
  return PQfname (stmt->result, index);
}

static ClSqlType
pg_column_type (ClSqlStmt *base, int index)
{
  ClSqlPgStmt *stmt = STMT (base);
  if (!has_column (stmt, index) || PQgetisnull (stmt->result, stmt->row, index))
    return CL_SQL_NULL;
  switch (PQftype (stmt->result, index))
    {
      case OID_BOOL:
      case OID_INT2:
      case OID_INT4:
      case OID_INT8:
      case OID_OID:
        return CL_SQL_INTEGER;
      case OID_FLOAT4:
      case OID_FLOAT8:
        return CL_SQL_FLOAT;
      case OID_NUMERIC:
        /* sum() and avg() of integers are numeric: a whole value reads as an integer, as SQLite gives it. */
        return strpbrk (PQgetvalue (stmt->result, stmt->row, index), ".eEN") ? CL_SQL_FLOAT : CL_SQL_INTEGER;
      case OID_BYTEA:
        return CL_SQL_BLOB;
      default:
        return CL_SQL_TEXT;
    }
}

static gint64
pg_column_int64 (ClSqlStmt *base, int index)
{
  ClSqlPgStmt *stmt = STMT (base);
  const char *v;
  if (!has_column (stmt, index) || PQgetisnull (stmt->result, stmt->row, index))
    return 0;
  v = PQgetvalue (stmt->result, stmt->row, index);
  switch (pg_column_type (base, index))
    {
      case CL_SQL_INTEGER:
        if (PQftype (stmt->result, index) == OID_BOOL)
          return v[0] == 't';
        return g_ascii_strtoll (v, NULL, 10);
      case CL_SQL_FLOAT:
        return (gint64)g_ascii_strtod (v, NULL);
      default:
        return g_ascii_strtoll (v, NULL, 10);
    }
}

static double
pg_column_double (ClSqlStmt *base, int index)
{
  ClSqlPgStmt *stmt = STMT (base);
  if (!has_column (stmt, index) || PQgetisnull (stmt->result, stmt->row, index))
    return 0;
  if (PQftype (stmt->result, index) == OID_BOOL)
    return pg_column_int64 (base, index);
  return g_ascii_strtod (PQgetvalue (stmt->result, stmt->row, index), NULL);
}

static const char *
pg_column_text (ClSqlStmt *base, int index)
{
  ClSqlPgStmt *stmt = STMT (base);
  if (!has_column (stmt, index) || PQgetisnull (stmt->result, stmt->row, index))
    return NULL;
  if (PQftype (stmt->result, index) == OID_BOOL)
    return PQgetvalue (stmt->result, stmt->row, index)[0] == 't' ? "1" : "0";
  return PQgetvalue (stmt->result, stmt->row, index);
}

static const guint8 *
pg_column_blob (ClSqlStmt *base, int index, gsize *len)
{
  ClSqlPgStmt *stmt = STMT (base);
  const char *v;
  *len = 0;
  if (!has_column (stmt, index) || PQgetisnull (stmt->result, stmt->row, index))
    return NULL;
  v = PQgetvalue (stmt->result, stmt->row, index);
  if (PQftype (stmt->result, index) != OID_BYTEA)
    {
      *len = strlen (v);
      return (const guint8 *)v;
    }
  if (!stmt->blobs[index])
    stmt->blobs[index] = PQunescapeBytea ((const unsigned char *)v, &stmt->blob_lens[index]);
  *len = stmt->blobs[index] ? stmt->blob_lens[index] : 0;
  return stmt->blobs[index];
}

static const ClSqlClass pg_class = {
  .free = pg_free,
  .exec = pg_exec,
  .prepare = pg_prepare,
  .release = pg_release,
  .bind_int64 = pg_bind_int64,
  .bind_double = pg_bind_double,
  .bind_text = pg_bind_text,
  .bind_blob = pg_bind_blob,
  .bind_null = pg_bind_null,
  .reset = pg_reset,
  .step = pg_step,
  .column_count = pg_column_count,
  .column_name = pg_column_name,
  .column_type = pg_column_type,
  .column_int64 = pg_column_int64,
  .column_double = pg_column_double,
  .column_text = pg_column_text,
  .column_blob = pg_column_blob,
  .changes = pg_changes,
};
