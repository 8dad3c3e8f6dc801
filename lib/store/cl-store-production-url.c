/* cl-store-production-url.c: production URLs (cl-store-production-url.h). */
#include "store/cl-store-production-url.h"

#include "core/cl-error.h"
#include "store/cl-store-private.h"

gint64
cl_store_production_url_add (ClStore *self, gint64 batch_id, const guint8 hash[CL_PRODUCTION_URL_HASH_LEN], guint cards,
                             gint64 expires, const char *actor, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *subject = NULL, *detail = NULL;
  gint64 id, now = g_get_real_time ();
  ClSqlStep step;

  g_return_val_if_fail (CL_IS_STORE (self), 0);
  if (cards == 0 || expires <= now || !cl_store_check_name ("Actor", actor, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                     "A production URL must allow at least one card and expire in the future");
      return 0;
    }
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)))
    return 0;
  stmt = cl_store_prepare (self,
                           "INSERT INTO production_urls (batch_id, token_hash, cards, issued, expires, issued_by) "
                           "SELECT id, ?, ?, ?, ?, ? FROM batches WHERE id = ? RETURNING id",
                           error);
  if (stmt == NULL)
    return 0;
  cl_sql_bind_blob (stmt, 1, hash, CL_PRODUCTION_URL_HASH_LEN);
  cl_sql_bind_int64 (stmt, 2, cards);
  cl_sql_bind_int64 (stmt, 3, now);
  cl_sql_bind_int64 (stmt, 4, expires);
  cl_store_bind_text (stmt, 5, actor);
  cl_sql_bind_int64 (stmt, 6, batch_id);
  step = cl_sql_step (stmt, error);
  if (step == CL_SQL_STEP_DONE)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No batch with id %" G_GINT64_FORMAT, batch_id);
      return 0;
    }
  if (step != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Recording the production URL");
      return 0;
    }
  id = cl_sql_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, cl_sql_stmt_release); /* off its row: the transaction commits below */
  subject = g_strdup_printf ("production-url/%" G_GINT64_FORMAT, id);
  detail = g_strdup_printf ("batch=%" G_GINT64_FORMAT " cards=%u expires=%" G_GINT64_FORMAT, batch_id, cards,
                            expires / G_USEC_PER_SEC);
  if (cl_store_audit_append_locked (self, actor, "production-url-issue", subject, detail, error) <= 0
      || !cl_store_txn_commit (txn, error))
    return 0;
  return id;
}

static gboolean
find_locked (ClStore *self, const char *where, const void *key, gint64 key_id, ClProductionUrl *out, GError **error)
{
  g_autofree char *sql = g_strdup_printf (
    "SELECT u.id, u.batch_id, u.cards, u.issued, u.expires, "
    "(SELECT count(*) FROM production_url_cards c WHERE c.url_id = u.id), "
    "(SELECT count(*) FROM production_url_cards c WHERE c.url_id = u.id AND EXISTS (SELECT 1 FROM attempts a "
    "WHERE a.chip_id = c.chip_id AND a.batch_id = u.batch_id AND a.result = 'GOOD')), "
    "(SELECT quantity FROM batches b WHERE b.id = u.batch_id), "
    "(SELECT count(DISTINCT a.chip_id) FROM attempts a WHERE a.batch_id = u.batch_id AND a.result = 'GOOD'), "
    "(SELECT count(DISTINCT c.chip_id) FROM production_url_cards c JOIN production_urls v ON v.id = c.url_id "
    "WHERE v.batch_id = u.batch_id) + "
    "(SELECT count(DISTINCT a.chip_id) FROM attempts a WHERE a.batch_id = u.batch_id AND a.result = 'GOOD' "
    "AND NOT EXISTS (SELECT 1 FROM production_url_cards c JOIN production_urls v ON v.id = c.url_id "
    "WHERE v.batch_id = u.batch_id AND c.chip_id = a.chip_id)) "
    "FROM production_urls u WHERE %s",
    where);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (key != NULL)
    cl_sql_bind_blob (stmt, 1, key, CL_PRODUCTION_URL_HASH_LEN);
  else
    cl_sql_bind_int64 (stmt, 1, key_id);
  rc = cl_sql_step (stmt, error);
  if (rc == CL_SQL_STEP_DONE)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No such production URL");
      return FALSE;
    }
  if (rc != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Reading a production URL");
      return FALSE;
    }
  out->id = cl_sql_column_int64 (stmt, 0);
  out->batch_id = cl_sql_column_int64 (stmt, 1);
  out->cards = (guint)cl_sql_column_int64 (stmt, 2);
  out->issued = cl_sql_column_int64 (stmt, 3);
  out->expires = cl_sql_column_int64 (stmt, 4);
  out->admitted = (guint)cl_sql_column_int64 (stmt, 5);
  out->finished = (guint)cl_sql_column_int64 (stmt, 6);
  out->batch_quantity = (guint)cl_sql_column_int64 (stmt, 7);
  out->batch_good = (guint)cl_sql_column_int64 (stmt, 8);
  out->batch_taken = (guint)cl_sql_column_int64 (stmt, 9);
  return TRUE;
}

gboolean
cl_store_production_url_find (ClStore *self, const guint8 hash[CL_PRODUCTION_URL_HASH_LEN], ClProductionUrl *out,
                              GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);
  return find_locked (self, "u.token_hash = ?", hash, 0, out, error);
}

static gboolean
audit_locked (ClStore *self, gint64 url_id, const char *action, const char *detail, const char *actor, GError **error)
{
  g_autofree char *subject = g_strdup_printf ("production-url/%" G_GINT64_FORMAT, url_id);

  return cl_store_audit_append_locked (self, actor, action, subject, detail, error) > 0;
}

/* Inside the admission's transaction: the URL's batch row stays locked until it ends, so that on PostgreSQL two
 * services admitting chips into one batch count its chips one after the other, never both from the same count
 * (SQLite's BEGIN IMMEDIATE already does). */
static gboolean
lock_url_batch (ClStore *self, gint64 url_id, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (
    self, "UPDATE batches SET state = state WHERE id = (SELECT batch_id FROM production_urls WHERE id = ?)", error);

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, url_id);
  return cl_store_step_done (self, stmt, "Locking a production URL's batch", error);
}

gboolean
cl_store_production_url_admit (ClStore *self, gint64 url_id, const char *chip_id, gint64 now, const char *actor,
                               ClUrlAdmission *admission, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) known = NULL, insert = NULL;
  g_autofree char *detail = NULL;
  ClProductionUrl url;
  int rc;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_chip_id (chip_id, error) || !cl_store_check_name ("Actor", actor, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)) || !lock_url_batch (self, url_id, error)
      || !find_locked (self, "u.id = ?", NULL, url_id, &url, error))
    return FALSE;
  known = cl_store_prepare (self, "SELECT 1 FROM production_url_cards WHERE url_id = ? AND chip_id = ?", error);
  if (known == NULL)
    return FALSE;
  cl_sql_bind_int64 (known, 1, url_id);
  cl_store_bind_text (known, 2, chip_id);
  rc = cl_sql_step (known, error);
  if (rc != CL_SQL_STEP_ROW && rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading a production URL's cards");
      return FALSE;
    }
  if (now >= url.expires)
    *admission = CL_URL_EXPIRED;
  else if (rc == CL_SQL_STEP_ROW)
    *admission = CL_URL_RESUMED;
  else if (url.admitted >= url.cards)
    *admission = CL_URL_USED_UP;
  else if (url.batch_quantity > 0 && url.batch_taken >= url.batch_quantity)
    *admission = CL_URL_BATCH_FULL;
  else
    {
      insert = cl_store_prepare (self, "INSERT INTO production_url_cards (url_id, chip_id, admitted) VALUES (?, ?, ?)",
                                 error);
      if (insert == NULL)
        return FALSE;
      cl_sql_bind_int64 (insert, 1, url_id);
      cl_store_bind_text (insert, 2, chip_id);
      cl_sql_bind_int64 (insert, 3, now);
      if (cl_sql_step (insert, error) != CL_SQL_STEP_DONE)
        {
          cl_store_set_error (self, error, "Admitting a chip through a production URL");
          return FALSE;
        }
      *admission = CL_URL_ADMITTED;
    }
  switch (*admission)
    {
      case CL_URL_ADMITTED:
        detail = g_strdup_printf ("chip=%s card=%u/%u", chip_id, url.admitted + 1, url.cards);
        break;
      case CL_URL_RESUMED:
        detail = g_strdup_printf ("chip=%s resumed", chip_id);
        break;
      case CL_URL_EXPIRED:
        detail = g_strdup_printf ("chip=%s expired", chip_id);
        break;
      case CL_URL_BATCH_FULL:
        detail = g_strdup_printf ("chip=%s batch full (%u of %u cards)", chip_id, url.batch_taken, url.batch_quantity);
        break;
      case CL_URL_USED_UP:
      default:
        detail = g_strdup_printf ("chip=%s used up (%u of %u cards)", chip_id, url.admitted, url.cards);
        break;
    }
  if (!audit_locked (self, url_id,
                     *admission == CL_URL_ADMITTED || *admission == CL_URL_RESUMED ? "production-url-use"
                                                                                   : "production-url-refused",
                     detail, actor, error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}

gboolean
cl_store_production_url_refuse (ClStore *self, gint64 url_id, const char *why, const char *actor, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error))
      || !audit_locked (self, url_id, "production-url-refused", why, actor, error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}
