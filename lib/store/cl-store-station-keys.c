/* cl-store-station-keys.c: each station's key check values and the fleet's reference set
 * (cl-store-station-keys.h). */
#include "store/cl-store-station-keys.h"

#include "core/cl-error.h"
#include "store/cl-store-private.h"

static const char *const shared_keys[] = { "KMC", "KST", "SRCA", NULL };

ClStationKey *
cl_station_key_new (const char *key, const char *label, guint version, const char *check_value)
{
  ClStationKey *k = g_new0 (ClStationKey, 1);

  k->key = g_strdup (key);
  k->label = g_strdup (label);
  k->version = version;
  k->check_value = g_strdup (check_value);
  return k;
}

void
cl_station_key_free (ClStationKey *key)
{
  if (key == NULL)
    return;
  g_free (key->key);
  g_free (key->label);
  g_free (key->check_value);
  g_free (key->source);
  g_free (key->adopted_by);
  g_free (key);
}

gboolean
cl_station_key_is_shared (const char *key)
{
  return key != NULL && g_strv_contains (shared_keys, key);
}

static char *
key_name (const ClStationKey *k)
{
  /* a key set by label and version ("KMC/01"); a certificate by role and holder ("SRCA CLSRCA00001") */
  return k->version > 0 ? g_strdup_printf ("%s/%02X", k->label, k->version)
                        : g_strdup_printf ("%s %s", k->key, k->label);
}

char *
cl_station_keys_describe (GPtrArray *keys)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < keys->len; i++)
    {
      const ClStationKey *k = g_ptr_array_index (keys, i);
      g_autofree char *name = key_name (k);

      g_string_append_printf (text, "%s%s %s", i > 0 ? "\n" : "", name, k->check_value);
    }
  return g_string_free (text, FALSE);
}

/* The fleet's entry for k: the scheme root by its role (one per fleet), a key set by its label and version. */
static const ClStationKey *
fleet_entry (GPtrArray *fleet, const ClStationKey *k)
{
  for (guint i = 0; i < fleet->len; i++)
    {
      const ClStationKey *f = g_ptr_array_index (fleet, i);

      if (g_str_equal (k->key, "SRCA")
            ? g_str_equal (f->key, "SRCA")
            : g_str_equal (f->key, k->key) && g_str_equal (f->label, k->label) && f->version == k->version)
        return f;
    }
  return NULL;
}

char *
cl_station_keys_differences (GPtrArray *fleet, GPtrArray *station_keys)
{
  g_autoptr (GPtrArray) clauses = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < station_keys->len; i++)
    {
      const ClStationKey *have = g_ptr_array_index (station_keys, i);
      const ClStationKey *want = cl_station_key_is_shared (have->key) ? fleet_entry (fleet, have) : NULL;
      g_autofree char *have_name = key_name (have), *want_name = NULL;

      if (want == NULL
          || (g_str_equal (have->check_value, want->check_value) && g_str_equal (have->label, want->label)))
        continue;
      want_name = key_name (want);
      /* "KMC/01 check value …", "IssuerMK KMC/01 …", "SRCA CLSRCA00002 certificate SHA-256 …, the fleet's is SRCA
       * CLSRCA00001 …" */
      g_ptr_array_add (clauses, g_strdup_printf ("%s%s%s %s %s, the fleet's%s%s %s (station %s's)",
                                                 g_str_has_prefix (have_name, have->key) ? "" : have->key,
                                                 g_str_has_prefix (have_name, have->key) ? "" : " ", have_name,
                                                 have->version > 0 ? "check value" : "certificate SHA-256",
                                                 have->check_value, g_str_equal (have_name, want_name) ? "" : " is ",
                                                 g_str_equal (have_name, want_name) ? "" : want_name, want->check_value,
                                                 want->source));
    }
  if (clauses->len == 0)
    return NULL;
  g_ptr_array_add (clauses, NULL);
  return g_strjoinv ("; ", (char **)clauses->pdata);
}

static GPtrArray *
read_keys (ClStore *self, const char *sql, const char *station, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, sql, error);
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_station_key_free);
  ClSqlStep rc;

  if (stmt == NULL)
    return NULL;
  if (station != NULL)
    cl_sql_bind_text (stmt, 1, station);
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClStationKey *k = cl_station_key_new (cl_sql_column_text (stmt, 0), cl_sql_column_text (stmt, 1),
                                            (guint)cl_sql_column_int64 (stmt, 2), cl_sql_column_text (stmt, 3));

      k->source = cl_store_column_dup_text (stmt, 4);
      k->adopted_by = cl_store_column_dup_text (stmt, 5);
      g_ptr_array_add (keys, k);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading key check values");
      return NULL;
    }
  return g_steal_pointer (&keys);
}

#define STATION_KEYS_SQL                                                                                               \
  "SELECT key, label, version, check_value, NULL, NULL FROM station_keys WHERE station = ? "                           \
  "ORDER BY key, label, version"
#define FLEET_KEYS_SQL                                                                                                 \
  "SELECT key, label, version, check_value, station, adopted_by FROM fleet_keys ORDER BY key, label, version"

static gboolean
check_key (const ClStationKey *k, GError **error)
{
  gboolean ok = k->key != NULL && k->label != NULL && k->check_value != NULL && *k->label != '\0'
                && (cl_station_key_is_shared (k->key) || g_str_equal (k->key, "DICA")) && k->version <= 255;

  for (const char *c = ok ? k->check_value : ""; *c != '\0'; c++)
    ok = ok && (g_ascii_isxdigit (*c) || *c == '/');
  if (!ok)
    g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Not a key check value record: %s",
                 k->key != NULL ? k->key : "(no key)");
  return ok;
}

/* Deletes the row of table that k replaces: a certificate by its role, a key set by label and version. */
static gboolean
delete_replaced (ClStore *self, const char *table, const char *station, const ClStationKey *k, GError **error)
{
  gboolean by_role = g_str_equal (k->key, "SRCA") || g_str_equal (k->key, "DICA");
  g_autofree char *sql
    = g_strdup_printf ("DELETE FROM %s WHERE %s key = ?%s", table, station != NULL ? "station = ? AND" : "",
                       by_role ? "" : " AND label = ? AND version = ?");
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, sql, error);
  int i = 1;

  if (stmt == NULL)
    return FALSE;
  if (station != NULL)
    cl_sql_bind_text (stmt, i++, station);
  cl_sql_bind_text (stmt, i++, k->key);
  if (!by_role)
    {
      cl_sql_bind_text (stmt, i++, k->label);
      cl_sql_bind_int64 (stmt, i, k->version);
    }
  return cl_store_step_done (self, stmt, "Replacing a key record", error);
}

/* Inside the caller's transaction: station's shared keys become the fleet's entries for their key sets and the
 * scheme root — all of them, or (only_new) those the fleet does not have yet. Audited when any did. */
static gboolean
adopt_locked (ClStore *self, const char *station, const char *actor, gboolean only_new, gboolean *joined,
              GError **error)
{
  g_autoptr (GPtrArray) keys = read_keys (self, STATION_KEYS_SQL, station, error);
  g_autoptr (GPtrArray) fleet = keys ? read_keys (self, FLEET_KEYS_SQL, NULL, error) : NULL;
  g_autoptr (GPtrArray) adopted = g_ptr_array_new ();
  g_autoptr (ClSqlStmt) insert = NULL;
  g_autofree char *described = NULL, *detail = NULL;

  *joined = FALSE;
  if (fleet == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    {
      ClStationKey *k = g_ptr_array_index (keys, i);

      if (cl_station_key_is_shared (k->key) && (!only_new || fleet_entry (fleet, k) == NULL))
        g_ptr_array_add (adopted, k);
    }
  if (adopted->len == 0)
    {
      if (!only_new)
        g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND,
                     "Station “%s” has recorded no keys on this store: start it once with its token", station);
      return only_new;
    }
  insert = cl_store_prepare (self,
                             "INSERT INTO fleet_keys (key, label, version, check_value, station, adopted, adopted_by) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (insert == NULL)
    return FALSE;
  for (guint i = 0; i < adopted->len; i++)
    {
      const ClStationKey *k = g_ptr_array_index (adopted, i);

      if (!delete_replaced (self, "fleet_keys", NULL, k, error))
        return FALSE;
      cl_sql_reset (insert);
      cl_sql_bind_text (insert, 1, k->key);
      cl_sql_bind_text (insert, 2, k->label);
      cl_sql_bind_int64 (insert, 3, k->version);
      cl_sql_bind_text (insert, 4, k->check_value);
      cl_sql_bind_text (insert, 5, station);
      cl_sql_bind_int64 (insert, 6, g_get_real_time ());
      cl_sql_bind_text (insert, 7, actor);
      if (!cl_store_step_done (self, insert, "Recording the fleet's keys", error))
        return FALSE;
    }
  *joined = TRUE;
  described = cl_station_keys_describe (adopted);
  detail = g_strdup_printf ("%s\n%s", only_new ? "new to the fleet" : "adopted", described);
  return cl_store_audit_append_locked (self, actor, "fleet-keys-adopt", station, detail, error) > 0;
}

gboolean
cl_store_station_keys_record (ClStore *self, const char *station, GPtrArray *keys, gboolean *joined, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (GPtrArray) before = NULL, after = NULL;
  g_autoptr (ClSqlStmt) insert = NULL;
  g_autofree char *old_text = NULL, *new_text = NULL;
  gint64 now = g_get_real_time ();
  gboolean any = FALSE;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_name ("Station name", station, error))
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    if (!check_key (g_ptr_array_index (keys, i), error))
      return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)) || !(before = read_keys (self, STATION_KEYS_SQL, station, error)))
    return FALSE;
  insert = cl_store_prepare (self,
                             "INSERT INTO station_keys (station, key, label, version, check_value, recorded) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             error);
  if (insert == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    {
      const ClStationKey *k = g_ptr_array_index (keys, i);

      if (!delete_replaced (self, "station_keys", station, k, error))
        return FALSE;
      cl_sql_reset (insert);
      cl_sql_bind_text (insert, 1, station);
      cl_sql_bind_text (insert, 2, k->key);
      cl_sql_bind_text (insert, 3, k->label);
      cl_sql_bind_int64 (insert, 4, k->version);
      cl_sql_bind_text (insert, 5, k->check_value);
      cl_sql_bind_int64 (insert, 6, now);
      if (!cl_store_step_done (self, insert, "Recording the station's keys", error))
        return FALSE;
    }
  if (!(after = read_keys (self, STATION_KEYS_SQL, station, error)))
    return FALSE;
  old_text = cl_station_keys_describe (before);
  new_text = cl_station_keys_describe (after);
  if (!g_str_equal (old_text, new_text)
      && cl_store_audit_append_locked (self, station, "station-keys", station, new_text, error) <= 0)
    return FALSE;
  /* What the fleet does not know yet joins it. Write transactions are serialised across stations (on PostgreSQL by
   * the store's advisory lock), so of two stations starting at once with a new key set the second finds the
   * first's entry here and is compared with it. */
  if (!adopt_locked (self, station, station, TRUE, &any, error))
    return FALSE;
  if (joined != NULL)
    *joined = any;
  return cl_store_txn_commit (txn, error);
}

GPtrArray *
cl_store_station_keys_get (ClStore *self, const char *station, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  locker = g_mutex_locker_new (&self->lock);
  return read_keys (self, STATION_KEYS_SQL, station, error);
}

GStrv
cl_store_station_keys_stations (ClStore *self, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  ClSqlStep rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  locker = g_mutex_locker_new (&self->lock);
  stmt = cl_store_prepare (self, "SELECT station FROM station_keys UNION SELECT name FROM stations ORDER BY 1", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    g_strv_builder_add (names, cl_sql_column_text (stmt, 0));
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Listing the stations' keys");
      return NULL;
    }
  return g_strv_builder_end (names);
}

GPtrArray *
cl_store_fleet_keys_get (ClStore *self, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  locker = g_mutex_locker_new (&self->lock);
  return read_keys (self, FLEET_KEYS_SQL, NULL, error);
}

gboolean
cl_store_fleet_keys_adopt (ClStore *self, const char *station, const char *actor, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  gboolean any;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_name ("Station name", station, error) || !cl_store_check_name ("Actor", actor, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)) || !adopt_locked (self, station, actor, FALSE, &any, error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}
