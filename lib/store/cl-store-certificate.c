/* cl-store-certificate.c: issued certificates; at most one per chip and device key unless re-issued on purpose. */
#include "store/cl-store-private.h"

#include "core/cl-error.h"

#include <string.h>

static gboolean
check_args (const char *chip_id, const char *key_hash, const char *chr, GBytes *cvc, GError **error)
{
  if (!cl_store_check_chip_id (chip_id, error) || !cl_store_check_name ("Certificate holder reference", chr, error))
    return FALSE;
  if (key_hash == NULL || strlen (key_hash) != 64)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Certificate for chip %s: the public key hash must be 64 hex digits", chip_id);
      return FALSE;
    }
  if (cvc == NULL || g_bytes_get_size (cvc) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Certificate for chip %s is empty", chip_id);
      return FALSE;
    }
  return TRUE;
}

static gint64
insert (ClStore *self, const char *chip_id, const char *key_hash, gint64 issue, const char *chr, GBytes *cvc,
        gint64 attempt_id, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = NULL;
  gsize len;
  const void *data = g_bytes_get_data (cvc, &len);
  gint64 id;

  stmt = cl_store_prepare (self,
                           "INSERT INTO certificates (chip_id, key_hash, issue, chr, cvc, issued, attempt_id) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           error);
  if (stmt == NULL)
    return 0;
  cl_sql_bind_text (stmt, 1, chip_id);
  cl_sql_bind_text (stmt, 2, key_hash);
  cl_sql_bind_int64 (stmt, 3, issue);
  cl_sql_bind_text (stmt, 4, chr);
  cl_sql_bind_blob (stmt, 5, data, len);
  cl_sql_bind_int64 (stmt, 6, g_get_real_time ());
  cl_store_bind_opt_int (stmt, 7, attempt_id > 0 ? attempt_id : -1);
  if ((id = cl_store_step_insert (self, stmt, "Recording a certificate", error)) == 0)
    {
      ClSqlFault fault = cl_sql_last_fault (self->sql);

      if (fault == CL_SQL_FAULT_UNIQUE || fault == CL_SQL_FAULT_FOREIGN_KEY)
        g_clear_error (error);
      if (fault == CL_SQL_FAULT_UNIQUE)
        g_set_error (error, CL_ERROR, CL_ERROR_STORE,
                     "A certificate was already issued for chip %s and key %.16s…; re-issue is an explicit, audited "
                     "act",
                     chip_id, key_hash);
      else if (fault == CL_SQL_FAULT_FOREIGN_KEY)
        g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Certificate for unknown chip %s or attempt %" G_GINT64_FORMAT,
                     chip_id, attempt_id);
      return 0;
    }
  if (!cl_store_seal_int_locked (self, CL_STORE_SEAL_CERTIFICATE, id, NULL, error))
    return 0;
  return id;
}

/* The row and its seal commit together, with the DONE outcome of intent_id if it is not 0: one commit and its fsync
 * where the certificate and its outcome took two (issue 14). */
static gint64
add (ClStore *self, gint64 intent_id, const char *chip_id, const char *key_hash, const char *chr, GBytes *cvc,
     gint64 attempt_id, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  gint64 id;

  if (!check_args (chip_id, key_hash, chr, cvc, error))
    return 0;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error))
      || !(id = insert (self, chip_id, key_hash, 1, chr, cvc, attempt_id, error))
      || (intent_id != 0 && !cl_store_journal_outcome_locked (self, intent_id, CL_JOURNAL_DONE, chr, error))
      || !cl_store_txn_commit (txn, error))
    return 0;
  return id;
}

gint64
cl_store_certificate_add (ClStore *self, const char *chip_id, const char *key_hash, const char *chr, GBytes *cvc,
                          gint64 attempt_id, GError **error)
{
  return add (self, 0, chip_id, key_hash, chr, cvc, attempt_id, error);
}

gint64
cl_store_certificate_add_issued (ClStore *self, gint64 intent_id, const char *chip_id, const char *key_hash,
                                 const char *chr, GBytes *cvc, gint64 attempt_id, GError **error)
{
  g_return_val_if_fail (intent_id != 0, 0);
  return add (self, intent_id, chip_id, key_hash, chr, cvc, attempt_id, error);
}

GBytes *
cl_store_certificate_lookup (ClStore *self, const char *chip_id, const char *key_hash, char **chr, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self,
                                                 "SELECT cvc, chr FROM certificates WHERE chip_id = ? AND "
                                                 "key_hash = ? ORDER BY issue DESC LIMIT 1",
                                                 error);
  ClSqlStep rc;

  if (stmt == NULL)
    return NULL;
  cl_store_bind_text (stmt, 1, chip_id);
  cl_store_bind_text (stmt, 2, key_hash);
  if ((rc = cl_sql_step (stmt, error)) != CL_SQL_STEP_ROW)
    {
      if (rc == CL_SQL_STEP_DONE)
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No certificate for chip %s and that key",
                     chip_id ? chip_id : "(null)");
      return NULL;
    }
  if (chr)
    *chr = cl_store_column_dup_text (stmt, 1);
  return cl_store_column_bytes (stmt, 0);
}

gint64
cl_store_certificate_reissue (ClStore *self, const char *chip_id, const char *key_hash, const char *chr, GBytes *cvc,
                              const char *actor, const char *reason, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *detail = NULL;
  gint64 issue, id;

  if (!check_args (chip_id, key_hash, chr, cvc, error) || !cl_store_check_name ("Re-issue reason", reason, error))
    return 0;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)))
    return 0;
  stmt = cl_store_prepare (self, "SELECT coalesce(max(issue), 0) FROM certificates WHERE chip_id = ? AND key_hash = ?",
                           error);
  if (stmt == NULL)
    return 0;
  cl_sql_bind_text (stmt, 1, chip_id);
  cl_sql_bind_text (stmt, 2, key_hash);
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Reading certificates");
      return 0;
    }
  issue = cl_sql_column_int64 (stmt, 0) + 1;
  if (!(id = insert (self, chip_id, key_hash, issue, chr, cvc, 0, error)))
    return 0;
  detail = g_strdup_printf ("issue %" G_GINT64_FORMAT " key %s chr %s reason: %s", issue, key_hash, chr, reason);
  if (!cl_store_audit_append_locked (self, actor, "certificate-reissue", chip_id, detail, error))
    return 0;
  if (!cl_store_txn_commit (txn, error))
    return 0;
  return id;
}
