/* cl-store-checkpoint.c: signed checkpoints of the audit chain, as rows (see cl-store-records.h). The signing
 * and the signature checks are lib/keys/cl-audit-checkpoint.c's: the store only keeps them. */
#include "store/cl-store-private.h"
#include "store/cl-store-records.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"

#include <string.h>

#define HASH_LEN 32

void
cl_audit_checkpoint_free (ClAuditCheckpoint *checkpoint)
{
  if (checkpoint == NULL)
    return;
  g_free (checkpoint->key_label);
  g_clear_pointer (&checkpoint->public_key, g_bytes_unref);
  g_clear_pointer (&checkpoint->signature, g_bytes_unref);
  g_free (checkpoint);
}

GBytes *
cl_audit_checkpoint_message (const ClAuditCheckpoint *checkpoint)
{
  g_autofree char *head = cl_hex_encode (checkpoint->head, HASH_LEN);
  GString *out = g_string_new ("cardline audit checkpoint 1\n");

  g_string_append_printf (out, "seq %" G_GINT64_FORMAT "\nhead %s\nsigned %" G_GINT64_FORMAT "\nkey %s\n",
                          checkpoint->seq, head, checkpoint->signed_at, checkpoint->key_label);
  return g_string_free_to_bytes (out);
}

static gboolean
read_hash (ClStore *self, ClSqlStmt *stmt, gint64 *seq, guint8 head[HASH_LEN], GError **error)
{
  int rc = cl_sql_step (stmt, error);

  if (rc == CL_SQL_STEP_DONE)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No such audit record");
      return FALSE;
    }
  if (rc != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Reading the audit trail");
      return FALSE;
    }
  if (cl_store_column_hash (stmt, 1) == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Audit record %" G_GINT64_FORMAT " has a malformed hash",
                   (gint64)cl_sql_column_int64 (stmt, 0));
      return FALSE;
    }
  if (seq)
    *seq = cl_sql_column_int64 (stmt, 0);
  memcpy (head, cl_store_column_hash (stmt, 1), HASH_LEN);
  return TRUE;
}

gboolean
cl_store_audit_latest (ClStore *self, gint64 *seq, guint8 head[HASH_LEN], GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", error);
  g_autoptr (GError) local = NULL;

  if (stmt == NULL)
    return FALSE;
  if (read_hash (self, stmt, seq, head, &local))
    return TRUE;
  if (!g_error_matches (local, CL_ERROR, CL_ERROR_NOT_FOUND))
    return g_propagate_error (error, g_steal_pointer (&local)), FALSE;
  *seq = 0;
  memset (head, 0, HASH_LEN);
  return TRUE;
}

gboolean
cl_store_audit_hash_at (ClStore *self, gint64 seq, guint8 head[HASH_LEN], GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, "SELECT seq, hash FROM audit WHERE seq = ?", error);

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, seq);
  if (!read_hash (self, stmt, NULL, head, error))
    {
      g_prefix_error (error, "Audit record %" G_GINT64_FORMAT ": ", seq);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_store_audit_checkpoint_add (ClStore *self, const ClAuditCheckpoint *checkpoint, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = NULL;
  gsize key_len, sig_len;
  const void *key = g_bytes_get_data (checkpoint->public_key, &key_len);
  const void *sig = g_bytes_get_data (checkpoint->signature, &sig_len);

  if (!cl_store_check_name ("Checkpoint key label", checkpoint->key_label, error))
    return FALSE;
  /* the seq condition makes a checkpoint older than the last one a no-op, reported below */
  stmt = cl_store_prepare (self,
                           "INSERT INTO audit_checkpoints (seq, head, signed, key_label, public_key, signature) "
                           "SELECT ?, ?, ?, ?, ?, ? WHERE ? > (SELECT coalesce(max(seq), 0) FROM "
                           "audit_checkpoints)",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, checkpoint->seq);
  cl_sql_bind_int64 (stmt, 7, checkpoint->seq);
  cl_sql_bind_blob (stmt, 2, checkpoint->head, HASH_LEN);
  cl_sql_bind_int64 (stmt, 3, checkpoint->signed_at);
  cl_sql_bind_text (stmt, 4, checkpoint->key_label);
  cl_sql_bind_blob (stmt, 5, key, key_len);
  cl_sql_bind_blob (stmt, 6, sig, sig_len);
  if (!cl_store_step_done (self, stmt, "Recording an audit checkpoint", error))
    return FALSE;
  if (cl_sql_changes (self->sql) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE,
                   "A checkpoint at or after audit record %" G_GINT64_FORMAT " is already recorded", checkpoint->seq);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
cl_store_audit_checkpoints (ClStore *self, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_audit_checkpoint_free);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (
    self, "SELECT seq, head, signed, key_label, public_key, signature FROM audit_checkpoints ORDER BY seq", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClAuditCheckpoint *c = g_new0 (ClAuditCheckpoint, 1);

      g_ptr_array_add (out, c);
      c->seq = cl_sql_column_int64 (stmt, 0);
      if (cl_store_column_hash (stmt, 1) != NULL)
        memcpy (c->head, cl_store_column_hash (stmt, 1), HASH_LEN);
      c->signed_at = cl_sql_column_int64 (stmt, 2);
      c->key_label = cl_store_column_dup_text (stmt, 3);
      c->public_key = cl_store_column_bytes (stmt, 4);
      c->signature = cl_store_column_bytes (stmt, 5);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading the audit checkpoints");
      return NULL;
    }
  return g_steal_pointer (&out);
}
