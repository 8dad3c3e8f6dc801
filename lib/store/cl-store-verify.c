/* cl-store-verify.c: the schema and sealed-row checks of `store verify` (cl-store-records.h). Both only read. */
#include "store/cl-store-private.h"
#include "store/cl-store-records.h"

#include "core/cl-error.h"

#include <string.h>

typedef struct
{
  char *type;
  char *table;
  char *sql;
} SchemaObject;

static void
schema_object_free (SchemaObject *object)
{
  g_free (object->type);
  g_free (object->table);
  g_free (object->sql);
  g_free (object);
}

/* name -> SchemaObject of every table, index and trigger, SQLite's own objects left out. The schema's text as
 * SQLite keeps it in sqlite_master: this check is of SQLite stores only (cl_store_verify_schema). */
static GHashTable *
read_schema (ClSql *sql, GError **error)
{
  g_autoptr (GHashTable) objects
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)schema_object_free);
  g_autoptr (ClSqlStmt) stmt = cl_sql_prepare (
    sql, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'", error);
  ClSqlStep rc;

  if (stmt == NULL)
    {
      g_prefix_error (error, "Reading the schema: ");
      return NULL;
    }
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      SchemaObject *object = g_new0 (SchemaObject, 1);

      object->type = g_strdup (cl_sql_column_text (stmt, 0));
      object->table = g_strdup (cl_sql_column_text (stmt, 2));
      object->sql = g_strdup (cl_sql_column_text (stmt, 3));
      g_hash_table_insert (objects, g_strdup (cl_sql_column_text (stmt, 1)), object);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      g_prefix_error (error, "Reading the schema: ");
      return NULL;
    }
  return g_steal_pointer (&objects);
}

/* What this build's migrations and first-use tables create, in a private in-memory database. */
static GHashTable *
expected_schema (GError **error)
{
  g_autoptr (ClSql) sql = cl_sql_open_sqlite (":memory:", FALSE, error);

  if (sql == NULL)
    {
      g_prefix_error (error, "Building the expected schema: ");
      return NULL;
    }
  for (guint v = 0; v <= cl_store_n_migrations + 1; v++)
    {
      const char *script = v < cl_store_n_migrations    ? cl_store_migrations[v]
                           : v == cl_store_n_migrations ? cl_store_pin_escrow_sql
                                                        : cl_store_credentials_sql;

      if (!cl_sql_exec (sql, script, error))
        {
          g_prefix_error (error, "Building the expected schema: ");
          return NULL;
        }
    }
  return read_schema (sql, error);
}

gboolean
cl_store_schema_sqlite_only (const char *name)
{
  /* the Rejects search's FTS5 index: its table, FTS5's own tables and the triggers on reject_latest that keep it
   * (PostgreSQL's pg_trgm indexes serve the same search) */
  return g_str_has_prefix (name, "reject_search");
}

/* Made on first use: absent until then, and then whole. */
static gboolean
is_optional_table (const char *table)
{
  return g_str_equal (table, "pin_escrow") || g_str_equal (table, "user_credentials");
}

/* PostgreSQL's catalogue has no SQLite text to compare: every table, index and trigger this Cardline makes must be
 * there under its name and on its table, and no table may be there that it does not make. The server's own objects
 * (key and unique-constraint indexes, the TRUNCATE guards, schema_version) are its way of holding the same rules. */
static gboolean
verify_schema_pg (ClStore *self, GHashTable *expected, GError **error)
{
  g_autoptr (GHashTable) actual
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)schema_object_free);
  g_autoptr (ClSqlStmt) stmt = NULL;
  GHashTableIter iter;
  gpointer key, value;
  ClSqlStep rc;

  cl_store_check_thread (self, "pg_catalog");
  stmt = cl_sql_prepare (
    self->sql,
    "SELECT 'table', c.relname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND c.relkind = 'r' "
    "UNION ALL SELECT 'index', indexname, tablename FROM pg_indexes WHERE schemaname = current_schema() "
    "UNION ALL SELECT 'trigger', t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND NOT t.tgisinternal",
    error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      SchemaObject *object = g_new0 (SchemaObject, 1);

      object->type = g_strdup (cl_sql_column_text (stmt, 0));
      object->table = g_strdup (cl_sql_column_text (stmt, 2));
      g_hash_table_insert (actual, g_strdup (cl_sql_column_text (stmt, 1)), object);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      g_prefix_error (error, "Reading the schema: ");
      return FALSE;
    }
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SchemaObject *want = value;
      SchemaObject *have = g_hash_table_lookup (actual, key);

      if (cl_store_schema_sqlite_only (key))
        continue;
      if (have == NULL || !g_str_equal (have->type, want->type) || !g_str_equal (have->table, want->table))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Schema: %s %s (on table %s) is missing from %s", want->type,
                       (const char *)key, want->table, cl_sql_describe (self->sql));
          return FALSE;
        }
    }
  g_hash_table_iter_init (&iter, actual);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SchemaObject *have = value;

      if (g_str_equal (have->type, "table") && !g_str_equal (key, "schema_version")
          && !g_hash_table_contains (expected, key))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Schema: unexpected table %s in %s", (const char *)key,
                       cl_sql_describe (self->sql));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
cl_store_verify_schema (ClStore *self, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (GHashTable) expected = expected_schema (error);
  g_autoptr (GHashTable) actual = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (expected == NULL)
    return FALSE;
  if (cl_sql_backend (self->sql) != CL_SQL_SQLITE)
    return verify_schema_pg (self, expected, error);
  cl_store_check_thread (self, "sqlite_master");
  if ((actual = read_schema (self->sql, error)) == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SchemaObject *want = value;
      SchemaObject *have = g_hash_table_lookup (actual, key);

      if (have == NULL)
        {
          if (is_optional_table (want->table) && !g_hash_table_contains (actual, want->table))
            continue;
          g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                       "Schema: %s %s (on table %s) is missing; this Cardline creates it as: %s", want->type,
                       (const char *)key, want->table, want->sql);
          return FALSE;
        }
      if (g_strcmp0 (have->sql, want->sql) != 0 || !g_str_equal (have->type, want->type))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                       "Schema: %s %s (on table %s) differs from this Cardline's: it is %s; expected %s", have->type,
                       (const char *)key, have->table, have->sql ? have->sql : "(no SQL)", want->sql);
          return FALSE;
        }
    }
  g_hash_table_iter_init (&iter, actual);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (expected, key))
      {
        SchemaObject *have = value;

        g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Schema: unexpected %s %s on table %s: %s", have->type,
                     (const char *)key, have->table, have->sql ? have->sql : "(no SQL)");
        return FALSE;
      }
  return TRUE;
}

typedef struct
{
  gint64 seq;
  char *detail;
} SealRecord;

static void
seal_record_free (SealRecord *record)
{
  g_free (record->detail);
  g_free (record);
}

typedef struct
{
  GHashTable *seals; /* "table/key" -> SealRecord, the latest */
  const char *table;
  guint64 n_rows;
} Check;

/* The first line (field) where row and seal differ, for the message. */
static char *
first_difference (const char *row, const char *seal)
{
  g_auto (GStrv) have = g_strsplit (row, "\n", -1);
  g_auto (GStrv) want = g_strsplit (seal, "\n", -1);

  guint i;

  for (i = 0; have[i] != NULL && want[i] != NULL; i++)
    if (!g_str_equal (have[i], want[i]))
      return g_strdup_printf ("the row has %s, the seal says %s", have[i], want[i]);
  if (have[i] != NULL || want[i] != NULL)
    return g_strdup_printf ("the row has %s, the seal %s", have[i] ? have[i] : "fewer fields",
                            want[i] ? want[i] : "fewer fields");
  return g_strdup ("the fields differ");
}

static gboolean
check_row (const char *key, const char *row_actor, const char *canonical, gpointer data, GError **error)
{
  Check *check = data;
  g_autofree char *subject = g_strdup_printf ("%s/%s", check->table, key);
  SealRecord *seal = g_hash_table_lookup (check->seals, subject);

  (void)row_actor;
  check->n_rows++;
  if (seal == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "Table %s, row %s: no seal in the audit trail (the row was written or changed outside Cardline)",
                   check->table, key);
      return FALSE;
    }
  if (!g_str_equal (seal->detail, canonical))
    {
      g_autofree char *difference = first_difference (canonical, seal->detail);

      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "Table %s, row %s differs from its seal (audit record %" G_GINT64_FORMAT "): %s", check->table, key,
                   seal->seq, difference);
      return FALSE;
    }
  g_hash_table_remove (check->seals, subject);
  return TRUE;
}

static GHashTable *
read_seals (ClStore *self, GError **error)
{
  g_autoptr (GHashTable) seals
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)seal_record_free);
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self, "SELECT seq, subject, detail FROM audit WHERE action = ? ORDER BY seq", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  cl_sql_bind_text (stmt, 1, CL_STORE_SEAL_ACTION);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      SealRecord *record = g_new0 (SealRecord, 1);

      record->seq = cl_sql_column_int64 (stmt, 0);
      record->detail = cl_store_column_dup_text (stmt, 2);
      g_hash_table_insert (seals, cl_store_column_dup_text (stmt, 1), record);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the seals");
      return NULL;
    }
  return g_steal_pointer (&seals);
}

/* A card's state is not sealed (it moves with every step), but GOOD is a verdict: only a GOOD attempt (sealed)
 * or a QA recovery (append-only, and itself needing a GOOD re-test) makes it. */
static gboolean
check_good_cards (ClStore *self, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self,
                        "SELECT chip_id FROM cards c WHERE state = 'GOOD' AND NOT EXISTS (SELECT 1 FROM attempts a "
                        "WHERE a.chip_id = c.chip_id AND a.result = 'GOOD') AND NOT EXISTS (SELECT 1 FROM qa_actions "
                        "q WHERE q.chip_id = c.chip_id AND q.action = 'RECOVER') LIMIT 1",
                        error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = cl_sql_step (stmt, error);
  if (rc == CL_SQL_STEP_ROW)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "Table cards, row %s is GOOD, but no GOOD attempt or QA recovery of that chip says so",
                   cl_sql_column_text (stmt, 0));
      return FALSE;
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Checking the cards");
      return FALSE;
    }
  return TRUE;
}

static gboolean
verify_records_locked (ClStore *self, guint64 *n_rows, GError **error)
{
  g_autoptr (GHashTable) seals = read_seals (self, error);
  Check check = { seals, NULL, 0 };
  GHashTableIter iter;
  gpointer key, value;

  if (seals == NULL)
    return FALSE;
  for (guint k = 0; k < CL_STORE_SEAL_N_KINDS; k++)
    {
      check.table = cl_store_seal_table (k);
      if (!cl_store_seal_foreach_locked (self, k, NULL, check_row, &check, error))
        return FALSE;
    }
  if (!check_good_cards (self, error))
    return FALSE;
  /* What is left was sealed and is gone (or an attempt is no longer ended). */
  g_hash_table_iter_init (&iter, seals);
  if (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_auto (GStrv) parts = g_strsplit (key, "/", 2);

      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "Table %s, row %s was sealed (audit record %" G_GINT64_FORMAT ") and is gone or no longer final",
                   parts[0], parts[1] ? parts[1] : "?", ((SealRecord *)value)->seq);
      return FALSE;
    }
  if (n_rows)
    *n_rows = check.n_rows;
  return TRUE;
}

gboolean
cl_store_verify_records (ClStore *self, guint64 *n_rows, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  gboolean ok;

  /* one read transaction: rows and seals as of one moment */
  if (!cl_store_exec (self, "BEGIN", error))
    return FALSE;
  ok = verify_records_locked (self, n_rows, error);
  cl_sql_exec (self->sql, ok ? "COMMIT" : "ROLLBACK", NULL);
  return ok;
}
