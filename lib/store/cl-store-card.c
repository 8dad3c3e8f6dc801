/* cl-store-card.c: card records, keyed by chip identity. */
#include "store/cl-store-private.h"

#include "core/cl-error.h"

static ClCardRecord *
lookup_where (ClStore *self, const char *where, const char *value, const char *what, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autofree char *sql = g_strdup_printf ("SELECT chip_id, first_seen, last_seen, state, key_version, printed_serial "
                                          "FROM cards WHERE %s = ?",
                                          where);
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, sql, error);
  g_autoptr (ClCardRecord) card = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  cl_store_bind_text (stmt, 1, value);
  rc = cl_sql_step (stmt, error);
  if (rc == CL_SQL_STEP_DONE)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No card with %s %s", what, value ? value : "(null)");
      return NULL;
    }
  if (rc != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Looking up a card");
      return NULL;
    }
  card = g_new0 (ClCardRecord, 1);
  card->chip_id = cl_store_column_dup_text (stmt, 0);
  card->first_seen = cl_sql_column_int64 (stmt, 1);
  card->last_seen = cl_sql_column_int64 (stmt, 2);
  if (!cl_card_state_from_string (cl_sql_column_text (stmt, 3), &card->state, error))
    return NULL;
  card->key_version = (gint)cl_store_column_opt_int (stmt, 4);
  card->printed_serial = cl_store_column_dup_text (stmt, 5);
  return g_steal_pointer (&card);
}

ClCardRecord *
cl_store_card_lookup (ClStore *self, const char *chip_id, GError **error)
{
  return lookup_where (self, "chip_id", chip_id, "chip id", error);
}

ClCardRecord *
cl_store_card_lookup_by_serial (ClStore *self, const char *printed_serial, GError **error)
{
  return lookup_where (self, "printed_serial", printed_serial, "printed serial", error);
}

static gboolean
update_card (ClStore *self, const char *sql, const char *chip_id, const char *text, gint64 number, gboolean relaxed,
             GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClStoreRelaxed) G_GNUC_UNUSED relax = relaxed ? cl_store_relax (self) : NULL;
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  cl_store_bind_text (stmt, 1, text);
  cl_store_bind_opt_int (stmt, 2, number);
  cl_sql_bind_text (stmt, 3, chip_id);
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_DONE)
    {
      if (cl_sql_last_fault (self->sql) == CL_SQL_FAULT_UNIQUE)
        {
          g_clear_error (error);
          g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Printed serial %s is already on another card", text);
        }
      else
        cl_store_set_error (self, error, "Updating a card");
      return FALSE;
    }
  if (cl_sql_changes (self->sql) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No card with chip id %s", chip_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_store_card_set_state (ClStore *self, const char *chip_id, ClCardState state, gint key_version, GError **error)
{
  if (!cl_store_check_chip_id (chip_id, error))
    return FALSE;
  if (key_version > 255)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Key version %d of chip %s is not a byte", key_version,
                   chip_id);
      return FALSE;
    }
  /* A card's progress between the journal's records (keys rotated, applet loaded, initialised, certified): like a
   * step record, its commit skips the fsync, and the next FULL commit syncs it (a journal record, at the latest the
   * attempt's end, which sets the card's final state before its outcome is reported). Four fsyncs per card, each
   * under the store's lock that every reader of a rack waits for (issue 14). */
  return update_card (self, "UPDATE cards SET state = ?, key_version = coalesce(?, key_version) WHERE chip_id = ?",
                      chip_id, cl_card_state_to_string (state), key_version, TRUE, error);
}

gboolean
cl_store_card_set_printed_serial (ClStore *self, const char *chip_id, const char *printed_serial, GError **error)
{
  if (!cl_store_check_chip_id (chip_id, error) || !cl_store_check_name ("Printed serial", printed_serial, error))
    return FALSE;
  /* the second '?' only keeps update_card's three: it binds it NULL */
  return update_card (self, "UPDATE cards SET printed_serial = ? WHERE CAST(? AS INTEGER) IS NULL AND chip_id = ?",
                      chip_id, printed_serial, -1, FALSE, error);
}
