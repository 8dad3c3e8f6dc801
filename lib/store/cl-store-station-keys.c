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

static const ClStationKey *
find_key (GPtrArray *keys, const char *key)
{
  for (guint i = 0; i < keys->len; i++)
    if (g_str_equal (((const ClStationKey *)g_ptr_array_index (keys, i))->key, key))
      return g_ptr_array_index (keys, i);
  return NULL;
}

char *
cl_station_keys_differences (GPtrArray *fleet, GPtrArray *station_keys)
{
  g_autoptr (GPtrArray) clauses = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < fleet->len; i++)
    {
      const ClStationKey *want = g_ptr_array_index (fleet, i);
      const ClStationKey *have = find_key (station_keys, want->key);
      g_autofree char *want_name = key_name (want);
      g_autofree char *have_name = have != NULL ? key_name (have) : NULL;

      if (have == NULL)
        g_ptr_array_add (clauses, g_strdup_printf ("%s missing (the fleet's is %s)", want->key, want_name));
      else if (!g_str_equal (have_name, want_name))
        g_ptr_array_add (clauses, g_strdup_printf ("%s is %s, the fleet's is %s", want->key, have_name, want_name));
      else if (!g_str_equal (have->check_value, want->check_value))
        /* "KMC/01 check value …", "IssuerMK KMC/01 check value …", "SRCA CLSRCA00001 certificate SHA-256 …" */
        g_ptr_array_add (clauses, g_strdup_printf ("%s%s%s %s %s, the fleet's %s",
                                                   g_str_has_prefix (have_name, want->key) ? "" : want->key,
                                                   g_str_has_prefix (have_name, want->key) ? "" : " ", have_name,
                                                   want->version > 0 ? "check value" : "certificate SHA-256",
                                                   have->check_value, want->check_value));
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
    g_ptr_array_add (keys, cl_station_key_new (cl_sql_column_text (stmt, 0), cl_sql_column_text (stmt, 1),
                                               (guint)cl_sql_column_int64 (stmt, 2), cl_sql_column_text (stmt, 3)));
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Reading key check values");
      return NULL;
    }
  return g_steal_pointer (&keys);
}

#define STATION_KEYS_SQL "SELECT key, label, version, check_value FROM station_keys WHERE station = ? ORDER BY key"

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

/* Inside the caller's transaction: fleet_keys := station's shared keys, the source row names it. */
static gboolean
adopt_locked (ClStore *self, const char *station, const char *actor, const char *why, GError **error)
{
  g_autoptr (ClSqlStmt) source = NULL, copy = NULL;
  g_autoptr (GPtrArray) keys = read_keys (self, STATION_KEYS_SQL, station, error);
  g_autofree char *described = NULL, *detail = NULL;

  if (keys == NULL)
    return FALSE;
  for (guint i = keys->len; i-- > 0;)
    if (!cl_station_key_is_shared (((ClStationKey *)g_ptr_array_index (keys, i))->key))
      g_ptr_array_remove_index (keys, i);
  if (keys->len == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND,
                   "Station “%s” has recorded no keys on this store: start it once with its token", station);
      return FALSE;
    }
  source = cl_store_prepare (self,
                             "INSERT INTO fleet_key_source (one, station, adopted, adopted_by) VALUES (1, ?, ?, ?) "
                             "ON CONFLICT (one) DO UPDATE SET station = ?, adopted = ?, adopted_by = ?",
                             error);
  if (source == NULL)
    return FALSE;
  for (int base = 0; base <= 3; base += 3)
    {
      cl_sql_bind_text (source, base + 1, station);
      cl_sql_bind_int64 (source, base + 2, g_get_real_time ());
      cl_sql_bind_text (source, base + 3, actor);
    }
  if (!cl_store_step_done (self, source, "Recording the fleet's key source", error)
      || !cl_store_exec (self, "DELETE FROM fleet_keys", error))
    return FALSE;
  copy = cl_store_prepare (self,
                           "INSERT INTO fleet_keys (key, label, version, check_value) SELECT key, label, version, "
                           "check_value FROM station_keys WHERE station = ? AND key IN ('KMC','KST','SRCA')",
                           error);
  if (copy == NULL)
    return FALSE;
  cl_sql_bind_text (copy, 1, station);
  if (!cl_store_step_done (self, copy, "Copying the fleet's keys", error))
    return FALSE;
  described = cl_station_keys_describe (keys);
  detail = g_strdup_printf ("%s\n%s", why, described);
  return cl_store_audit_append_locked (self, actor, "fleet-keys-adopt", station, detail, error) > 0;
}

gboolean
cl_store_station_keys_record (ClStore *self, const char *station, GPtrArray *keys, gboolean *became_fleet,
                              GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (ClSqlStmt) insert = NULL, source = NULL;
  g_autofree char *old_text = NULL, *new_text = NULL;
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (became_fleet != NULL)
    *became_fleet = FALSE;
  if (!cl_store_check_name ("Station name", station, error))
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    if (!check_key (g_ptr_array_index (keys, i), error))
      return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)) || !(before = read_keys (self, STATION_KEYS_SQL, station, error)))
    return FALSE;
  old_text = cl_station_keys_describe (before);
  {
    g_autoptr (ClSqlStmt) clear = cl_store_prepare (self, "DELETE FROM station_keys WHERE station = ?", error);
    if (clear == NULL)
      return FALSE;
    cl_sql_bind_text (clear, 1, station);
    if (!cl_store_step_done (self, clear, "Replacing the station's keys", error))
      return FALSE;
  }
  insert = cl_store_prepare (self,
                             "INSERT INTO station_keys (station, key, label, version, check_value, recorded) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             error);
  if (insert == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    {
      const ClStationKey *k = g_ptr_array_index (keys, i);

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
  g_clear_pointer (&before, g_ptr_array_unref);
  if (!(before = read_keys (self, STATION_KEYS_SQL, station, error)))
    return FALSE;
  new_text = cl_station_keys_describe (before);
  if (!g_str_equal (old_text, new_text)
      && cl_store_audit_append_locked (self, station, "station-keys", station, new_text, error) <= 0)
    return FALSE;
  /* No fleet set yet: this station's becomes it. Of two stations starting at once on PostgreSQL, the second's
   * INSERT waits for the first's commit and then does nothing. */
  source = cl_store_prepare (self,
                             "INSERT INTO fleet_key_source (one, station, adopted, adopted_by) VALUES (1, ?, ?, ?) "
                             "ON CONFLICT (one) DO NOTHING",
                             error);
  if (source == NULL)
    return FALSE;
  cl_sql_bind_text (source, 1, station);
  cl_sql_bind_int64 (source, 2, now);
  cl_sql_bind_text (source, 3, station);
  if (!cl_store_step_done (self, source, "Recording the fleet's key source", error))
    return FALSE;
  if (cl_sql_changes (self->sql) == 1)
    {
      if (!adopt_locked (self, station, station, "the first station to record its keys on this store", error))
        return FALSE;
      if (became_fleet != NULL)
        *became_fleet = TRUE;
    }
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
cl_store_fleet_keys_get (ClStore *self, char **source, char **adopted_by, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  ClSqlStep rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  locker = g_mutex_locker_new (&self->lock);
  stmt = cl_store_prepare (self, "SELECT station, adopted_by FROM fleet_key_source", error);
  if (stmt == NULL)
    return NULL;
  rc = cl_sql_step (stmt, error);
  if (rc == CL_SQL_STEP_ERROR)
    {
      cl_store_set_error (self, error, "Reading the fleet's key source");
      return NULL;
    }
  if (source != NULL)
    *source = rc == CL_SQL_STEP_ROW ? cl_store_column_dup_text (stmt, 0) : NULL;
  if (adopted_by != NULL)
    *adopted_by = rc == CL_SQL_STEP_ROW ? cl_store_column_dup_text (stmt, 1) : NULL;
  return read_keys (self, "SELECT key, label, version, check_value FROM fleet_keys ORDER BY key", NULL, error);
}

gboolean
cl_store_fleet_keys_adopt (ClStore *self, const char *station, const char *actor, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_name ("Station name", station, error) || !cl_store_check_name ("Actor", actor, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)) || !adopt_locked (self, station, actor, "adopted", error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}
