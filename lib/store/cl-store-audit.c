/* cl-store-audit.c: the hash-chained audit trail. The triggers make rows append-only for anyone using the
 * store through SQLite; the chain makes an edit by someone who bypasses them (or edits the file) detectable. */
#include "store/cl-store-private.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"

#include <string.h>

#define HASH_LEN 32

static void
feed_field (GChecksum *sum, const char *text)
{
  guint32 len = (guint32)strlen (text);
  guint8 be[4] = { len >> 24, len >> 16, len >> 8, len };

  g_checksum_update (sum, be, sizeof be);
  g_checksum_update (sum, (const guchar *)text, len);
}

void
cl_store_audit_record_hash (const guint8 prev[HASH_LEN], gint64 seq, gint64 at, const char *actor, const char *action,
                            const char *subject, const char *detail, guint8 out[HASH_LEN])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, seq);
  g_autofree char *at_text = g_strdup_printf ("%" G_GINT64_FORMAT, at);
  gsize len = HASH_LEN;

  g_checksum_update (sum, prev, HASH_LEN);
  feed_field (sum, seq_text);
  feed_field (sum, at_text);
  feed_field (sum, actor);
  feed_field (sum, action);
  feed_field (sum, subject);
  feed_field (sum, detail);
  g_checksum_get_digest (sum, out, &len);
}

static gboolean
last_record (ClStore *self, gint64 *seq, guint8 hash[HASH_LEN], GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = cl_sql_step (stmt, error);
  if (rc == CL_SQL_STEP_DONE)
    {
      *seq = 0;
      memset (hash, 0, HASH_LEN);
      return TRUE;
    }
  if (rc != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Reading the audit trail");
      return FALSE;
    }
  *seq = cl_sql_column_int64 (stmt, 0);
  if (cl_store_column_hash (stmt, 1) == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Audit record %" G_GINT64_FORMAT " has a malformed hash", *seq);
      return FALSE;
    }
  memcpy (hash, cl_store_column_hash (stmt, 1), HASH_LEN);
  return TRUE;
}

static gboolean
lock_head (ClStore *self, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self, "UPDATE audit_head SET appends = appends + 1 WHERE id = 1", error);

  if (stmt == NULL || !cl_store_step_done (self, stmt, "Locking the audit chain's head", error))
    return FALSE;
  if (cl_sql_changes (self->sql) != 1)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_STORE, "The audit chain's head row is missing");
      return FALSE;
    }
  return TRUE;
}

gint64
cl_store_audit_append_locked (ClStore *self, const char *actor, const char *action, const char *subject,
                              const char *detail, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  guint8 prev[HASH_LEN], hash[HASH_LEN];
  gint64 seq, at = g_get_real_time ();

  if (!cl_store_check_name ("Audit actor", actor, error) || !cl_store_check_name ("Audit action", action, error))
    return 0;
  subject = subject ? subject : "";
  detail = detail ? detail : "";
  if (!g_utf8_validate (subject, -1, NULL) || !g_utf8_validate (detail, -1, NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Audit subject and detail must be UTF-8");
      return 0;
    }
  /* One chain, its appends serialised by the database (cl-store-records.h): the head row's lock is held to the end of
   * the caller's transaction, so a concurrent append on another connection reads the head only after this one
   * committed. A store being migrated (version not set yet) has one writer and may have no head row yet. */
  if (self->schema_version > 0 && !lock_head (self, error))
    return 0;
  if (!last_record (self, &seq, prev, error))
    return 0;
  seq++;
  cl_store_audit_record_hash (prev, seq, at, actor, action, subject, detail, hash);
  stmt = cl_store_prepare (self,
                           "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, hash) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return 0;
  cl_sql_bind_int64 (stmt, 1, seq);
  cl_sql_bind_int64 (stmt, 2, at);
  cl_sql_bind_text (stmt, 3, actor);
  cl_sql_bind_text (stmt, 4, action);
  cl_sql_bind_text (stmt, 5, subject);
  cl_sql_bind_text (stmt, 6, detail);
  cl_sql_bind_blob (stmt, 7, prev, HASH_LEN);
  cl_sql_bind_blob (stmt, 8, hash, HASH_LEN);
  if (!cl_store_step_done (self, stmt, "Appending to the audit trail", error))
    return 0;
  return seq;
}

gint64
cl_store_audit_append (ClStore *self, const char *actor, const char *action, const char *subject, const char *detail,
                       GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClStoreTxn) txn = cl_store_txn_begin (self, error);
  gint64 seq;

  if (txn == NULL)
    return 0;
  seq = cl_store_audit_append_locked (self, actor, action, subject, detail, error);
  if (seq == 0 || !cl_store_txn_commit (txn, error))
    return 0;
  return seq;
}

static const char *
column_text (ClSqlStmt *stmt, int i)
{
  const char *t = cl_sql_column_text (stmt, i);

  return t ? t : "";
}

gboolean
cl_store_verify_audit_chain (ClStore *self, guint64 *n_records, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = NULL;
  guint8 prev[HASH_LEN] = { 0 }, hash[HASH_LEN];
  gint64 expected = 1;
  int rc;

  /* One read transaction: a record appended meanwhile cannot make the walk see half a chain. */
  if (!cl_store_exec (self, "BEGIN", error))
    return FALSE;
  stmt = cl_store_prepare (self,
                           "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit "
                           "ORDER BY seq",
                           error);
  if (stmt == NULL)
    goto fail;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      gint64 seq = cl_sql_column_int64 (stmt, 0);
      const char *action = column_text (stmt, 3);

      if (seq != expected)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_STORE,
                       "Audit trail broken: record %" G_GINT64_FORMAT " follows record %" G_GINT64_FORMAT
                       " (records missing or renumbered)",
                       seq, expected - 1);
          goto fail;
        }
      if (cl_store_column_hash (stmt, 6) == NULL || memcmp (cl_store_column_hash (stmt, 6), prev, HASH_LEN) != 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_STORE,
                       "Audit trail broken at record %" G_GINT64_FORMAT
                       " (%s): it does not link to record %" G_GINT64_FORMAT,
                       seq, action, seq - 1);
          goto fail;
        }
      cl_store_audit_record_hash (prev, seq, cl_sql_column_int64 (stmt, 1), column_text (stmt, 2), action,
                                  column_text (stmt, 4), column_text (stmt, 5), hash);
      if (cl_store_column_hash (stmt, 7) == NULL || memcmp (cl_store_column_hash (stmt, 7), hash, HASH_LEN) != 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_STORE,
                       "Audit trail broken at record %" G_GINT64_FORMAT " (%s): its content does not match its hash",
                       seq, action);
          goto fail;
        }
      memcpy (prev, hash, HASH_LEN);
      expected++;
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the audit trail");
      goto fail;
    }
  g_clear_pointer (&stmt, cl_sql_stmt_release);
  cl_sql_exec (self->sql, "COMMIT", NULL);
  if (n_records)
    *n_records = (guint64)(expected - 1);
  return TRUE;

fail:
  g_clear_pointer (&stmt, cl_sql_stmt_release);
  cl_sql_exec (self->sql, "ROLLBACK", NULL);
  return FALSE;
}

char *
cl_store_audit_head (ClStore *self, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  guint8 hash[HASH_LEN];
  gint64 seq;

  if (!last_record (self, &seq, hash, error))
    return NULL;
  return cl_hex_encode (hash, HASH_LEN);
}
