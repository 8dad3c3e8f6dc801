/* cl-store-seal.c: sealing the rows that carry dispositions, certificates and roles into the audit chain
 * (cl-store-records.h). A seal is an ordinary audit record, so the chain's hashes and its signed checkpoints
 * cover it; `store verify` recomputes each row's canonical text and compares it with its latest seal. */
#include "store/cl-store-private.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"

/* Column 0 is the key, column 1 the row's own actor, the rest the sealed fields (named by their column names).
 * One row is selected by its key (so that sealing it reads one row, through the key's index), or every row. An attempt
 * is sealed once it has ended: its result, disposition and steps are then final, so the step list is part of it (a step
 * added later, such as a forged VERIFY, breaks the seal). */
/* An attempt's row with its steps as one text "id:step:result:sw:duration" per step in id order, which each
 * backend spells in its own aggregate; the text, and so the seal, is the same on both. */
#define ATTEMPT_SQL(steps)                                                                                             \
  "SELECT a.id, a.station, a.chip_id AS chip, a.batch_id AS batch, a.kind, a.station, "                                \
  "a.reader, a.started, a.ended, a.result, a.reject_reason AS reason, "                                                \
  "a.failed_step AS step, a.last_sw AS sw, a.first_attempt AS first, "                                                 \
  "d.destination AS disposition, d.decided, " steps " AS steps "                                                       \
  "FROM attempts a LEFT JOIN dispositions d ON d.attempt_id = a.id "                                                   \
  "WHERE a.ended IS NOT NULL"
#define SQLITE_STEPS                                                                                                   \
  "(SELECT group_concat(s.id || ':' || s.step || ':' || s.result || ':' || "                                           \
  "coalesce(s.last_sw, '') || ':' || s.duration_us, ' ') FROM "                                                        \
  "(SELECT * FROM steps WHERE attempt_id = a.id ORDER BY id) s)"
#define PG_STEPS                                                                                                       \
  "(SELECT string_agg(s.id || ':' || s.step || ':' || s.result || ':' || "                                             \
  "coalesce(CAST(s.last_sw AS TEXT), '') || ':' || s.duration_us, ' ' ORDER BY s.id) FROM steps s "                    \
  "WHERE s.attempt_id = a.id)"

static const struct
{
  const char *table;
  const char *sql; /* ends in a WHERE clause, which a key condition extends */
  const char *key;
} kinds[CL_STORE_SEAL_N_KINDS] = {
  [CL_STORE_SEAL_ATTEMPT] = { "attempts", ATTEMPT_SQL (SQLITE_STEPS), "a.id" },
  [CL_STORE_SEAL_CERTIFICATE] = { "certificates",
                                  "SELECT c.id, coalesce((SELECT station FROM attempts WHERE id = c.attempt_id), "
                                  "'cardline'), c.chip_id AS chip, c.key_hash, c.issue, c.chr, c.cvc, c.issued, "
                                  "c.attempt_id AS attempt FROM certificates c WHERE TRUE",
                                  "c.id" },
  [CL_STORE_SEAL_USER] = { "users", "SELECT name, 'cardline', role, disabled FROM users WHERE TRUE", "name" },
};

const char *
cl_store_seal_table (ClStoreSealKind kind)
{
  return kinds[kind].table;
}

/* "name=value" lines; a blob is its SHA-256, so a certificate's seal stays short. */
static char *
canonical_text (ClSqlStmt *stmt)
{
  GString *out = g_string_new (NULL);

  for (int i = 2; i < cl_sql_column_count (stmt); i++)
    {
      g_string_append_printf (out, "%s=", cl_sql_column_name (stmt, i));
      if (cl_sql_column_type (stmt, i) == CL_SQL_BLOB)
        {
          g_autofree char *sum = cl_store_column_sha256 (stmt, i);

          g_string_append_printf (out, "sha256:%s", sum);
        }
      else if (cl_sql_column_type (stmt, i) != CL_SQL_NULL)
        g_string_append (out, cl_sql_column_text (stmt, i));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

gboolean
cl_store_seal_foreach_locked (ClStore *self, ClStoreSealKind kind, const char *key, ClStoreSealRowFunc func,
                              gpointer data, GError **error)
{
  const char *base = kind == CL_STORE_SEAL_ATTEMPT && cl_store_backend (self) == CL_SQL_POSTGRESQL
                       ? ATTEMPT_SQL (PG_STEPS)
                       : kinds[kind].sql;
  g_autofree char *sql = key != NULL ? g_strdup_printf ("%s AND %s = ?", base, kinds[kind].key)
                                     : g_strdup_printf ("%s ORDER BY %s", base, kinds[kind].key);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (key != NULL)
    cl_store_bind_text (stmt, 1, key);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      g_autofree char *canonical = canonical_text (stmt);

      if (!func (cl_sql_column_text (stmt, 0), cl_sql_column_text (stmt, 1), canonical, data, error))
        return FALSE;
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the rows to seal");
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  ClStore *store;
  ClStoreSealKind kind;
  const char *actor;
  guint n;
} Seal;

static gboolean
append_seal (const char *key, const char *row_actor, const char *canonical, gpointer data, GError **error)
{
  Seal *seal = data;
  g_autofree char *subject = g_strdup_printf ("%s/%s", kinds[seal->kind].table, key);

  seal->n++;
  return cl_store_audit_append_locked (seal->store, seal->actor ? seal->actor : row_actor, CL_STORE_SEAL_ACTION,
                                       subject, canonical, error)
         > 0;
}

gboolean
cl_store_seal_locked (ClStore *self, ClStoreSealKind kind, const char *key, const char *actor, GError **error)
{
  Seal seal = { self, kind, actor, 0 };

  if (!cl_store_seal_foreach_locked (self, kind, key, append_seal, &seal, error))
    return FALSE;
  if (seal.n == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Sealing %s row %s: no such row", kinds[kind].table, key);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_store_seal_int_locked (ClStore *self, ClStoreSealKind kind, gint64 key, const char *actor, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, key);

  return cl_store_seal_locked (self, kind, text, actor, error);
}

gboolean
cl_store_seal_all_locked (ClStore *self, GError **error)
{
  for (guint k = 0; k < CL_STORE_SEAL_N_KINDS; k++)
    {
      Seal seal = { self, k, "migration", 0 };

      if (!cl_store_seal_foreach_locked (self, k, NULL, append_seal, &seal, error))
        return FALSE;
    }
  return TRUE;
}
