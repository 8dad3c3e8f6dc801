/* cl-store-claim.c: chip claims, the store-wide "this chip is in production here" (see cl-store-claim.h). */
#include "store/cl-store-claim.h"

#include <string.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "store/cl-store-private.h"

typedef struct
{
  char *owner;
  gint64 attempt_id; /* -1: not known */
  gint64 lease_until;
} Claim;

static void
claim_clear (Claim *claim)
{
  g_clear_pointer (&claim->owner, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Claim, claim_clear)

/* Fixed at the first call: with the pid it tells this process from an earlier one that had the same pid. */
static gint64
process_started (void)
{
  static gsize started = 0;

  if (g_once_init_enter (&started))
    g_once_init_leave (&started, (gsize)(g_get_real_time () / G_USEC_PER_SEC));
  return (gint64)started;
}

static char *
station_prefix (const char *station)
{
  GString *out = g_string_new (NULL);

  for (const char *p = station; *p != '\0'; p++)
    if (*p == '%')
      g_string_append (out, "%25");
    else if (*p == '/')
      g_string_append (out, "%2F");
    else
      g_string_append_c (out, *p);
  g_string_append_c (out, '/');
  return g_string_free (out, FALSE);
}

char *
cl_store_process_id (void)
{
  return g_strdup_printf ("%d.%" G_GINT64_FORMAT, (int)getpid (), process_started ());
}

static char *
process_prefix (const char *station)
{
  g_autofree char *prefix = station_prefix (station);
  g_autofree char *process = cl_store_process_id ();

  return g_strdup_printf ("%s%s/", prefix, process);
}

char *
cl_store_chip_owner (const char *station, const char *reader)
{
  g_autofree char *prefix = NULL;

  g_return_val_if_fail (station != NULL, NULL);
  prefix = process_prefix (station);
  return g_strconcat (prefix, reader != NULL ? reader : "", NULL);
}

static gboolean
check_claim_args (const char *chip_id, const char *owner, gint64 lease_us, GError **error)
{
  if (!cl_store_check_chip_id (chip_id, error) || !cl_store_check_name ("Claim owner", owner, error))
    return FALSE;
  if (lease_us < 1 || lease_us > CL_STORE_CLAIM_MAX_LEASE_US)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "A claim's lease must be 1 µs to %" G_GINT64_FORMAT " s, not %" G_GINT64_FORMAT " µs",
                   CL_STORE_CLAIM_MAX_LEASE_US / G_USEC_PER_SEC, lease_us);
      return FALSE;
    }
  return TRUE;
}

static char *
format_time (gint64 us)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);

  return dt != NULL ? g_date_time_format_iso8601 (dt) : g_strdup_printf ("%" G_GINT64_FORMAT " µs", us);
}

static void
set_claimed_error (GError **error, const char *chip_id, const Claim *held, gint64 now)
{
  g_autofree char *until = format_time (held->lease_until);
  g_autofree char *attempt
    = held->attempt_id > 0 ? g_strdup_printf (", attempt %" G_GINT64_FORMAT, held->attempt_id) : g_strdup ("");

  if (held->lease_until > now)
    g_set_error (error, CL_ERROR, CL_ERROR_CLAIMED,
                 "Chip %s is in production at %s%s; its claim holds until %s (%" G_GINT64_FORMAT " s from now)",
                 chip_id, held->owner, attempt, until, (held->lease_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
  else
    g_set_error (error, CL_ERROR, CL_ERROR_CLAIMED, "Chip %s is claimed by %s%s, whose lease ended at %s", chip_id,
                 held->owner, attempt, until);
}

/* The claim on chip_id into *held; *found FALSE if there is none. The caller holds the lock. */
static gboolean
read_claim (ClStore *self, const char *chip_id, Claim *held, gboolean *found, GError **error)
{
  g_autoptr (ClSqlStmt) stmt
    = cl_store_prepare (self, "SELECT owner, attempt_id, lease_until FROM chip_claims WHERE chip_id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, chip_id);
  rc = cl_sql_step (stmt, error);
  if (rc != CL_SQL_STEP_ROW && rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading a chip's claim");
      return FALSE;
    }
  *found = rc == CL_SQL_STEP_ROW;
  if (*found)
    {
      held->owner = cl_store_column_dup_text (stmt, 0);
      held->attempt_id = cl_store_column_opt_int (stmt, 1);
      held->lease_until = cl_sql_column_int64 (stmt, 2);
    }
  return TRUE;
}

/* One try at the claim, in one transaction. A plain claim is not a record (a power cut that loses it loses the
 * attempt it belongs to as well): its commit skips the fsync. A takeover is audited, and an audit record is
 * committed durably; the setting cannot change inside a transaction (SQLite refuses), so a relaxed try that meets a
 * takeover writes nothing and asks for a durable one (*again). */
static gboolean
claim_once (ClStore *self, const char *chip_id, const char *owner, gint64 attempt_id, gint64 lease_us, gboolean durable,
            gboolean *again, GError **error)
{
  g_autoptr (ClStoreRelaxed) G_GNUC_UNUSED relaxed = durable ? NULL : cl_store_relax (self);
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_auto (Claim) held = { NULL, -1, 0 };
  gboolean found = FALSE, takeover;
  gint64 now;

  /* BEGIN IMMEDIATE: of two stores claiming the same chip, the second reads only after the first committed. */
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  /* after the wait for the write lock, which may have taken seconds */
  now = g_get_real_time ();
  if (!read_claim (self, chip_id, &held, &found, error))
    return FALSE;
  takeover = found && strcmp (held.owner, owner) != 0;
  if (takeover && held.lease_until > now)
    {
      set_claimed_error (error, chip_id, &held, now);
      return FALSE;
    }
  if (takeover && !durable)
    {
      *again = TRUE;
      return FALSE;
    }
  /* The same owner claiming again renews its claim and keeps when it was first taken. */
  stmt = cl_store_prepare (
    self,
    "INSERT INTO chip_claims (chip_id, owner, attempt_id, claimed, lease_until) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (chip_id) DO UPDATE SET "
    "attempt_id = CASE WHEN chip_claims.owner = excluded.owner "
    "THEN coalesce(excluded.attempt_id, chip_claims.attempt_id) ELSE excluded.attempt_id END, "
    "claimed = CASE WHEN chip_claims.owner = excluded.owner THEN chip_claims.claimed ELSE excluded.claimed END, "
    "owner = excluded.owner, lease_until = excluded.lease_until "
    /* the database decides, not the read above: on PostgreSQL a claim another connection committed after that read
     * is seen here (the insert waits for it), and a live claim of another owner is left as it is */
    "WHERE chip_claims.owner = excluded.owner OR chip_claims.lease_until <= ?",
    error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, chip_id);
  cl_sql_bind_text (stmt, 2, owner);
  cl_store_bind_opt_int (stmt, 3, attempt_id > 0 ? attempt_id : -1);
  cl_sql_bind_int64 (stmt, 4, now);
  cl_sql_bind_int64 (stmt, 5, now + lease_us);
  cl_sql_bind_int64 (stmt, 6, now);
  if (!cl_store_step_done (self, stmt, "Claiming a chip", error))
    return FALSE;
  if (cl_sql_changes (self->sql) == 0)
    {
      g_auto (Claim) winner = { NULL, -1, 0 };

      if (!read_claim (self, chip_id, &winner, &found, error))
        return FALSE;
      if (found)
        set_claimed_error (error, chip_id, &winner, now);
      else
        g_set_error (error, CL_ERROR, CL_ERROR_CLAIMED, "Chip %s was claimed and released meanwhile", chip_id);
      return FALSE;
    }
  if (takeover)
    {
      g_autofree char *until = format_time (held.lease_until);
      g_autofree char *detail = NULL;

      if (held.attempt_id > 0)
        detail = g_strdup_printf ("claim of %s (attempt %" G_GINT64_FORMAT ") taken over; its lease ended at %s",
                                  held.owner, held.attempt_id, until);
      else
        detail = g_strdup_printf ("claim of %s taken over; its lease ended at %s", held.owner, until);
      if (cl_store_audit_append_locked (self, owner, "chip-claim-takeover", chip_id, detail, error) <= 0)
        return FALSE;
    }
  return cl_store_txn_commit (txn, error);
}

gboolean
cl_store_chip_claim (ClStore *self, const char *chip_id, const char *owner, gint64 attempt_id, gint64 lease_us,
                     GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  gboolean again = FALSE;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!check_claim_args (chip_id, owner, lease_us, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (claim_once (self, chip_id, owner, attempt_id, lease_us, FALSE, &again, error))
    return TRUE;
  /* a takeover: again with the fsync, from the read on (the claim may have changed meanwhile) */
  return again && claim_once (self, chip_id, owner, attempt_id, lease_us, TRUE, &again, error);
}

gboolean
cl_store_chip_renew (ClStore *self, const char *chip_id, const char *owner, gint64 lease_us, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreRelaxed) G_GNUC_UNUSED relaxed = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_auto (Claim) held = { NULL, -1, 0 };
  gboolean found = FALSE;
  gint64 now;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!check_claim_args (chip_id, owner, lease_us, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  /* a renewal is not a record (the claim it extends is): its commit skips the fsync. Relaxed before BEGIN: SQLite
   * refuses to change the setting inside a transaction. */
  relaxed = cl_store_relax (self);
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  now = g_get_real_time ();
  if (!read_claim (self, chip_id, &held, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "Chip %s is not claimed: %s cannot renew its claim", chip_id,
                   owner);
      return FALSE;
    }
  if (strcmp (held.owner, owner) != 0)
    {
      set_claimed_error (error, chip_id, &held, now);
      return FALSE;
    }
  stmt = cl_store_prepare (self, "UPDATE chip_claims SET lease_until = ? WHERE chip_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_int64 (stmt, 1, now + lease_us);
  cl_sql_bind_text (stmt, 2, chip_id);
  if (!cl_store_step_done (self, stmt, "Renewing a chip's claim", error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}

gboolean
cl_store_chip_release (ClStore *self, const char *chip_id, const char *owner, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  gboolean ok;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_chip_id (chip_id, error) || !cl_store_check_name ("Claim owner", owner, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  stmt = cl_store_prepare (self, "DELETE FROM chip_claims WHERE chip_id = ? AND owner = ?", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, chip_id);
  cl_sql_bind_text (stmt, 2, owner);
  cl_store_relax_sync (self);
  ok = cl_store_step_done (self, stmt, "Releasing a chip's claim", error);
  cl_store_restore_sync (self);
  return ok;
}

gint
cl_store_chip_release_stale (ClStore *self, const char *station, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autofree char *of_station = NULL;
  g_autofree char *of_process = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), -1);
  if (!cl_store_check_name ("Station", station, error))
    return -1;
  of_station = station_prefix (station);
  of_process = process_prefix (station);
  locker = g_mutex_locker_new (&self->lock);
  /* substr, not LIKE: a station name may hold '%' or '_' */
  stmt = cl_store_prepare (self,
                           "DELETE FROM chip_claims WHERE substr(owner, 1, length(CAST(? AS TEXT))) = ? "
                           "AND substr(owner, 1, length(CAST(? AS TEXT))) != ?",
                           error);
  if (stmt == NULL)
    return -1;
  cl_sql_bind_text (stmt, 1, of_station);
  cl_sql_bind_text (stmt, 2, of_station);
  cl_sql_bind_text (stmt, 3, of_process);
  cl_sql_bind_text (stmt, 4, of_process);
  if (!cl_store_step_done (self, stmt, "Releasing the claims a station left", error))
    return -1;
  return cl_sql_changes (self->sql);
}
