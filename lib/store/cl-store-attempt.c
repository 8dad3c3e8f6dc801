/* cl-store-attempt.c: attempts, their steps and their one disposition. */
#include "store/cl-store-private.h"

#include "core/cl-error.h"
#include "store/cl-store-claim.h"

static gint64
begin (ClStore *self, gint64 batch_id, ClAttemptKind kind, const char *station, const char *reader, gint64 started,
       GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreRelaxed) G_GNUC_UNUSED relaxed = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  gboolean places;
  gint64 id;

  if (!cl_store_check_name ("Station", station, error) || !cl_store_check_name ("Reader", reader, error))
    return 0;
  locker = g_mutex_locker_new (&self->lock);
  relaxed = cl_store_relax (self);
  /* a production attempt in a batch holds a place in it from its first row on (cl-store-place.h) */
  places = kind == CL_ATTEMPT_PRODUCTION && batch_id > 0;
  if (places && !(txn = cl_store_txn_begin (self, error)))
    return 0;
  stmt = cl_store_prepare (
    self, "INSERT INTO attempts (batch_id, kind, station, reader, started) VALUES (?, ?, ?, ?, ?) RETURNING id", error);
  if (stmt == NULL)
    return 0;
  cl_store_bind_opt_int (stmt, 1, batch_id > 0 ? batch_id : -1);
  cl_sql_bind_text (stmt, 2, cl_attempt_kind_to_string (kind));
  cl_sql_bind_text (stmt, 3, station);
  cl_sql_bind_text (stmt, 4, reader);
  cl_sql_bind_int64 (stmt, 5, cl_store_now (started));
  id = cl_store_step_insert (self, stmt, "Recording an attempt", error);
  if (id > 0 && places
      && (!cl_store_place_bind_locked (self, batch_id, station, id, error) || !cl_store_txn_commit (txn, error)))
    id = 0;
  return id;
}

gint64
cl_store_attempt_begin (ClStore *self, gint64 batch_id, ClAttemptKind kind, const char *station, const char *reader,
                        gint64 started, GError **error)
{
  return begin (self, batch_id, kind, station, reader, started, error);
}

gint64
cl_store_attempt_begin_admitted (ClStore *self, gint64 batch_id, const char *station, const char *reader,
                                 gint64 started, GError **error)
{
  return begin (self, batch_id, CL_ATTEMPT_PRODUCTION, station, reader, started, error);
}

gboolean
cl_store_attempt_identify (ClStore *self, gint64 attempt_id, const char *chip_id, gint64 when, gboolean *first_attempt,
                           GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreRelaxed) G_GNUC_UNUSED relaxed = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) card = NULL;
  g_autoptr (ClSqlStmt) prior = NULL;
  g_autoptr (ClSqlStmt) link = NULL;
  gboolean first;

  if (!cl_store_check_chip_id (chip_id, error))
    return FALSE;
  when = cl_store_now (when);
  locker = g_mutex_locker_new (&self->lock);
  relaxed = cl_store_relax (self);
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  card = cl_store_prepare (self,
                           "INSERT INTO cards (chip_id, first_seen, last_seen, state) VALUES (?, ?, ?, 'BLANK') "
                           "ON CONFLICT (chip_id) DO UPDATE SET last_seen = CASE WHEN excluded.last_seen > "
                           "cards.last_seen THEN excluded.last_seen ELSE cards.last_seen END",
                           error);
  if (card == NULL)
    return FALSE;
  cl_sql_bind_text (card, 1, chip_id);
  cl_sql_bind_int64 (card, 2, when);
  cl_sql_bind_int64 (card, 3, when);
  if (!cl_store_step_done (self, card, "Recording a card", error))
    return FALSE;
  prior = cl_store_prepare (self, "SELECT count(*) FROM attempts WHERE chip_id = ? AND kind = 'PRODUCTION' AND id != ?",
                            error);
  if (prior == NULL)
    return FALSE;
  cl_sql_bind_text (prior, 1, chip_id);
  cl_sql_bind_int64 (prior, 2, attempt_id);
  if (cl_sql_step (prior, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Counting earlier attempts");
      return FALSE;
    }
  first = cl_sql_column_int64 (prior, 0) == 0;
  link = cl_store_prepare (
    self,
    /* the same chip again: an attempt resumed after a station fault */
    "UPDATE attempts SET chip_id = ?, first_attempt = CASE WHEN kind = 'PRODUCTION' AND ? <> 0 THEN 1 ELSE 0 END "
    "WHERE id = ? AND (chip_id IS NULL OR chip_id = ?) AND ended IS NULL",
    error);
  if (link == NULL)
    return FALSE;
  cl_sql_bind_text (link, 1, chip_id);
  cl_sql_bind_text (link, 4, chip_id);
  cl_sql_bind_int64 (link, 2, first);
  cl_sql_bind_int64 (link, 3, attempt_id);
  if (!cl_store_step_done (self, link, "Linking an attempt to its chip", error))
    return FALSE;
  if (cl_sql_changes (self->sql) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE,
                   "Attempt %" G_GINT64_FORMAT " does not exist, has ended or is already linked to a chip", attempt_id);
      return FALSE;
    }
  if (!cl_store_txn_commit (txn, error))
    return FALSE;
  if (first_attempt)
    *first_attempt = first;
  return TRUE;
}

static gboolean
check_sw (gint sw, GError **error)
{
  if (sw > 0xFFFF)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Status word %X is not two bytes", (guint)sw);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_store_attempt_add_step (ClStore *self, gint64 attempt_id, ClProductionStep step, gint64 started, gint64 duration_us,
                           ClStepResult result, gint last_sw, const char *detail, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreRelaxed) G_GNUC_UNUSED relaxed = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;

  if (!check_sw (last_sw, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  relaxed = cl_store_relax (self);
  stmt = cl_store_prepare (self,
                           "INSERT INTO steps (attempt_id, step, started, duration_us, result, last_sw, detail) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, attempt_id);
  cl_sql_bind_text (stmt, 2, cl_production_step_to_string (step));
  cl_sql_bind_int64 (stmt, 3, cl_store_now (started));
  cl_sql_bind_int64 (stmt, 4, MAX (duration_us, 0));
  cl_sql_bind_text (stmt, 5, cl_step_result_to_string (result));
  cl_store_bind_opt_int (stmt, 6, last_sw);
  cl_store_bind_text (stmt, 7, detail);
  return cl_store_step_done (self, stmt, "Recording a step", error);
}

gboolean
cl_store_attempt_end (ClStore *self, gint64 attempt_id, const ClAttemptEnd *end, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) attempt = NULL;
  g_autoptr (ClSqlStmt) disposition = NULL;
  g_autoptr (ClSqlStmt) card = NULL;
  gboolean rejected = end->result == CL_ATTEMPT_REJECTED;
  gint64 ended = cl_store_now (end->ended);

  if (!check_sw (end->last_sw, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  attempt = cl_store_prepare (self,
                              "UPDATE attempts SET ended = ?, result = ?, reject_reason = ?, failed_step = ?, "
                              "last_sw = ? WHERE id = ? AND ended IS NULL",
                              error);
  if (attempt == NULL)
    return FALSE;
  cl_sql_bind_int64 (attempt, 1, ended);
  cl_sql_bind_text (attempt, 2, cl_attempt_result_to_string (end->result));
  cl_store_bind_text (attempt, 3, rejected ? cl_reject_reason_to_string (end->reason) : NULL);
  cl_store_bind_text (attempt, 4, rejected ? cl_production_step_to_string (end->failed_step) : NULL);
  cl_store_bind_opt_int (attempt, 5, end->last_sw);
  cl_sql_bind_int64 (attempt, 6, attempt_id);
  if (!cl_store_step_done (self, attempt, "Ending an attempt", error))
    return FALSE;
  if (cl_sql_changes (self->sql) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_STORE, "Attempt %" G_GINT64_FORMAT " does not exist or has already ended",
                   attempt_id);
      return FALSE;
    }
  disposition
    = cl_store_prepare (self, "INSERT INTO dispositions (attempt_id, destination, decided) VALUES (?, ?, ?)", error);
  if (disposition == NULL)
    return FALSE;
  cl_sql_bind_int64 (disposition, 1, attempt_id);
  cl_sql_bind_text (disposition, 2, cl_disposition_to_string (end->disposition));
  cl_sql_bind_int64 (disposition, 3, ended);
  if (!cl_store_step_done (self, disposition, "Recording a disposition", error))
    return FALSE;
  /* A good card stays good: a later reject of the same chip is a re-feed (DUPLICATE_CHIP), not a verdict on it. */
  card = cl_store_prepare (self,
                           "UPDATE cards SET state = CASE WHEN state = 'GOOD' THEN 'GOOD' ELSE ? END, "
                           "last_seen = CASE WHEN last_seen > ? THEN last_seen ELSE ? END "
                           "WHERE chip_id = (SELECT chip_id FROM attempts WHERE id = ?)",
                           error);
  if (card == NULL)
    return FALSE;
  cl_sql_bind_text (card, 1, rejected ? "REJECTED" : "GOOD");
  cl_sql_bind_int64 (card, 2, ended);
  cl_sql_bind_int64 (card, 3, ended);
  cl_sql_bind_int64 (card, 4, attempt_id);
  if (!cl_store_step_done (self, card, "Updating the card's state", error)
      || !cl_store_seal_int_locked (self, CL_STORE_SEAL_ATTEMPT, attempt_id, NULL, error)
      || !cl_store_rows_settle_locked (self, attempt_id, end, ended, error))
    return FALSE;
  /* a card never made gives its place in the batch back (cl-store-place.h) */
  if (end->disposition == CL_DISPOSITION_RETAINED && !cl_store_place_release_locked (self, attempt_id, error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}

typedef struct
{
  gint64 id;
  ClProductionStep failed_step;
} Abandoned;

gint
cl_store_attempt_abandon_open (ClStore *self, const char *station, GError **error)
{
  g_autoptr (GArray) abandoned = g_array_new (FALSE, FALSE, sizeof (Abandoned));
  gint n = 0;

  if (!cl_store_check_name ("Station", station, error))
    return -1;
  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
    /* the step that was running: the one after the last step recorded (steps are recorded in sequence order) */
    g_autoptr (ClSqlStmt) stmt
      = cl_store_prepare (self,
                          "SELECT a.id, (SELECT s.step FROM steps s WHERE s.attempt_id = a.id ORDER BY s.id DESC "
                          "LIMIT 1) FROM attempts a WHERE a.station = ? AND a.ended IS NULL ORDER BY a.id",
                          error);
    int rc;

    if (stmt == NULL)
      return -1;
    cl_sql_bind_text (stmt, 1, station);
    while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
      {
        Abandoned a = { cl_sql_column_int64 (stmt, 0), CL_STEP_IDENTIFY };
        const char *last = cl_sql_column_text (stmt, 1);
        ClProductionStep step;

        if (last != NULL && cl_production_step_from_string (last, &step, NULL))
          a.failed_step = MIN (step + 1, CL_STEP_DISPOSE);
        g_array_append_val (abandoned, a);
      }
    if (rc != CL_SQL_STEP_DONE)
      return cl_store_set_error (self, error, "Finding the station's open attempts"), -1;
  }
  for (guint i = 0; i < abandoned->len; i++)
    {
      const Abandoned *a = &g_array_index (abandoned, Abandoned, i);
      /* The station died with the card in the reader: what became of the card is not known here, so it is
       * neither output nor reject bin; its next insertion finds out from the card itself. */
      ClAttemptEnd end
        = { CL_ATTEMPT_REJECTED, CL_REJECT_PROTOCOL_ERROR, a->failed_step, -1, CL_DISPOSITION_RETAINED, 0 };
      g_autofree char *subject = g_strdup_printf ("attempt %" G_GINT64_FORMAT, a->id);

      if (!cl_store_attempt_end (self, a->id, &end, error))
        return -1;
      if (cl_store_audit_append (self, station, "attempt-abandoned", subject,
                                 "the station stopped during the attempt (crash or power loss)", error)
          <= 0)
        return -1;
      n++;
    }
  if (cl_store_chip_release_stale (self, station, error) < 0)
    return -1;
  /* the places it took for cards it never fed */
  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

    if (!cl_store_place_drop_unbound_locked (self, station, error))
      return -1;
  }
  return n;
}
