/* cl-store-users.c: passwords for the store's users (cl-store-users.h). */
#include "store/cl-store-users.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "store/cl-store-private.h"

#define SALT_LEN 16
#define HASH_LEN 32

/* The released schema has no password column; a side table created on first use keeps that migration
 * untouched. Its rows are overwritten on a password change, unlike the append-only audit. */
const char cl_store_credentials_sql[] = "CREATE TABLE IF NOT EXISTS user_credentials ("
                                        "name TEXT PRIMARY KEY NOT NULL REFERENCES users(name), "
                                        "hash TEXT NOT NULL, changed INTEGER NOT NULL)";

void
cl_user_info_free (ClUserInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info);
}

char *
cl_password_hash (const char *password, const guint8 *salt, guint iterations, GError **error)
{
  guint8 fresh_salt[SALT_LEN];
  guint8 hash[HASH_LEN];
  g_autofree char *salt_hex = NULL;
  g_autofree char *hash_hex = NULL;
  char *encoded;

  if (salt == NULL)
    {
      if (RAND_bytes (fresh_salt, sizeof fresh_salt) != 1)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_CRYPTO, "No random bytes for a password salt");
          return NULL;
        }
      salt = fresh_salt;
    }
  if (PKCS5_PBKDF2_HMAC (password, (int)strlen (password), salt, SALT_LEN, (int)iterations, EVP_sha256 (), HASH_LEN,
                         hash)
      != 1)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_CRYPTO, "PBKDF2 failed");
      return NULL;
    }
  salt_hex = cl_hex_encode (salt, SALT_LEN);
  hash_hex = cl_hex_encode (hash, HASH_LEN);
  encoded = g_strdup_printf ("pbkdf2-sha256$%u$%s$%s", iterations, salt_hex, hash_hex);
  OPENSSL_cleanse (hash, sizeof hash);
  return encoded;
}

gboolean
cl_password_verify (const char *password, const char *encoded)
{
  g_auto (GStrv) parts = g_strsplit (encoded ? encoded : "", "$", -1);
  g_autoptr (GBytes) salt = NULL;
  g_autofree char *again = NULL;
  guint64 iterations;
  gboolean equal;

  if (g_strv_length (parts) != 4 || !g_str_equal (parts[0], "pbkdf2-sha256")
      || !g_ascii_string_to_unsigned (parts[1], 10, 1000, G_MAXINT, &iterations, NULL)
      || !(salt = cl_hex_decode (parts[2], NULL)) || g_bytes_get_size (salt) != SALT_LEN)
    return FALSE;
  again = cl_password_hash (password, g_bytes_get_data (salt, NULL), (guint)iterations, NULL);
  if (again == NULL || strlen (again) != strlen (encoded))
    return FALSE;
  equal = CRYPTO_memcmp (again, encoded, strlen (encoded)) == 0;
  OPENSSL_cleanse (again, strlen (again));
  return equal;
}

static gboolean
check_password (const char *password, GError **error)
{
  if (password == NULL || g_utf8_strlen (password, -1) < CL_PASSWORD_MIN_LENGTH)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A password needs at least %d characters",
                   CL_PASSWORD_MIN_LENGTH);
      return FALSE;
    }
  return TRUE;
}

static gboolean
store_hash (ClStore *self, const char *name, const char *encoded, const char *actor, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;

  if (!cl_store_make_table (self, cl_store_credentials_sql, error))
    return FALSE;
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  stmt = cl_store_prepare (self,
                           "INSERT INTO user_credentials (name, hash, changed) VALUES (?, ?, ?) "
                           "ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, changed = excluded.changed",
                           error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, name);
  cl_sql_bind_text (stmt, 2, encoded);
  cl_sql_bind_int64 (stmt, 3, g_get_real_time ());
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_DONE)
    {
      if (cl_sql_last_fault (self->sql) == CL_SQL_FAULT_FOREIGN_KEY)
        {
          g_clear_error (error);
          g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No user %s", name);
        }
      else
        cl_store_set_error (self, error, "Storing a password hash");
      return FALSE;
    }
  if (!cl_store_audit_append_locked (self, actor, "user-password", name, "", error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}

gboolean
cl_store_user_set_password (ClStore *self, const char *name, const char *password, const char *actor, GError **error)
{
  g_autofree char *encoded = NULL;
  ClUserRole role;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!check_password (password, error) || !cl_store_check_name ("Actor", actor, error))
    return FALSE;
  if (!cl_store_user_get_role (self, name, &role, error))
    return FALSE;
  /* The slow KDF runs outside the store's lock so that production writes are not held up. */
  if (!(encoded = cl_password_hash (password, NULL, CL_PASSWORD_ITERATIONS, error)))
    return FALSE;
  return store_hash (self, name, encoded, actor, error);
}

gboolean
cl_store_user_add_with_password (ClStore *self, const char *name, ClUserRole role, const char *password,
                                 const char *actor, GError **error)
{
  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!check_password (password, error) || !cl_store_check_name ("Actor", actor, error))
    return FALSE;
  if (!cl_store_user_add (self, name, role, actor, error))
    return FALSE;
  return cl_store_user_set_password (self, name, password, actor, error);
}

gboolean
cl_store_user_disable (ClStore *self, const char *name, const char *actor, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_name ("User name", name, error) || !cl_store_check_name ("Actor", actor, error))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (!(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  stmt = cl_store_prepare (self, "UPDATE users SET disabled = 1 WHERE name = ?", error);
  if (stmt == NULL)
    return FALSE;
  cl_sql_bind_text (stmt, 1, name);
  if (!cl_store_step_done (self, stmt, "Disabling a user", error))
    return FALSE;
  if (cl_sql_changes (self->sql) == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No user %s", name);
      return FALSE;
    }
  if (!cl_store_audit_append_locked (self, actor, "user-disable", name, "", error)
      || !cl_store_seal_locked (self, CL_STORE_SEAL_USER, name, actor, error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}

GPtrArray *
cl_store_user_list (ClStore *self, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClSqlStmt) stmt = NULL;
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_user_info_free);
  int rc;

  g_return_val_if_fail (CL_IS_STORE (self), NULL);
  locker = g_mutex_locker_new (&self->lock);
  if (!cl_store_make_table (self, cl_store_credentials_sql, error))
    return NULL;
  stmt = cl_store_prepare (self,
                           "SELECT u.name, u.role, u.created, u.disabled, c.name IS NOT NULL FROM users u "
                           "LEFT JOIN user_credentials c ON c.name = u.name ORDER BY u.name",
                           error);
  if (stmt == NULL)
    return NULL;
  while ((rc = cl_sql_step (stmt, error)) == CL_SQL_STEP_ROW)
    {
      ClUserInfo *info = g_new0 (ClUserInfo, 1);

      info->name = cl_store_column_dup_text (stmt, 0);
      cl_user_role_from_string (cl_sql_column_text (stmt, 1), &info->role, NULL);
      info->created = cl_sql_column_int64 (stmt, 2);
      info->disabled = cl_sql_column_int64 (stmt, 3) != 0;
      info->has_password = cl_sql_column_int64 (stmt, 4) != 0;
      g_ptr_array_add (users, info);
    }
  if (rc != CL_SQL_STEP_DONE)
    {
      cl_store_set_error (self, error, "Listing users");
      return NULL;
    }
  return g_steal_pointer (&users);
}

static char *
lookup_hash (ClStore *self, const char *name, ClUserRole *role, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  g_autoptr (ClSqlStmt) stmt = NULL;

  if (!cl_store_make_table (self, cl_store_credentials_sql, error))
    return NULL;
  stmt = cl_store_prepare (self,
                           "SELECT c.hash, u.role FROM users u JOIN user_credentials c ON c.name = u.name "
                           "WHERE u.name = ? AND u.disabled = 0",
                           error);
  if (stmt == NULL)
    return NULL;
  cl_sql_bind_text (stmt, 1, name);
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    return NULL;
  if (!cl_user_role_from_string (cl_sql_column_text (stmt, 1), role, error))
    return NULL;
  return cl_store_column_dup_text (stmt, 0);
}

gboolean
cl_store_user_authenticate (ClStore *self, const char *name, const char *password, ClUserRole *role, GError **error)
{
  /* A fixed dummy keeps the time of an unknown name close to that of a wrong password. */
  static const char dummy[] = "pbkdf2-sha256$600000$00000000000000000000000000000000$"
                              "0000000000000000000000000000000000000000000000000000000000000000";
  g_autofree char *encoded = NULL;
  GError *local = NULL;
  ClUserRole found = CL_ROLE_OPERATOR;
  gboolean ok;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_name ("User name", name, error))
    return FALSE;
  encoded = lookup_hash (self, name, &found, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  ok = cl_password_verify (password ? password : "", encoded ? encoded : dummy) && encoded != NULL;
  if (!cl_store_audit_append (self, name, ok ? "login" : "login-failed", name, "", error))
    return FALSE;
  if (!ok)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "Unknown user or wrong password");
      return FALSE;
    }
  if (role != NULL)
    *role = found;
  return TRUE;
}

gboolean
cl_store_user_authorize (ClStore *self, const char *name, const char *password, guint roles, const char *what,
                         ClUserRole *role, GError **error)
{
  ClUserRole found;

  if (!cl_store_user_authenticate (self, name, password, &found, error))
    return FALSE;
  if ((roles & CL_ROLE_BIT (found)) == 0)
    {
      cl_store_audit_append (self, name, "denied", name, what, NULL);
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "User %s (%s) may not %s", name, cl_user_role_to_string (found),
                   what);
      return FALSE;
    }
  if (role != NULL)
    *role = found;
  return TRUE;
}

static gboolean
count_users (ClStore *self, gint64 *n, GError **error)
{
  g_autoptr (ClSqlStmt) stmt = cl_store_prepare (self, "SELECT count(*) FROM users", error);

  if (stmt == NULL)
    return FALSE;
  if (cl_sql_step (stmt, error) != CL_SQL_STEP_ROW)
    {
      cl_store_set_error (self, error, "Counting users");
      return FALSE;
    }
  *n = cl_sql_column_int64 (stmt, 0);
  return TRUE;
}

gboolean
cl_store_user_any (ClStore *self, gboolean *any, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  gint64 n = 0;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);
  if (!count_users (self, &n, error))
    return FALSE;
  *any = n > 0;
  return TRUE;
}

static gboolean
insert_first (ClStore *self, const char *name, const char *encoded, GError **error)
{
  g_autoptr (ClSqlStmt) user = NULL;
  g_autoptr (ClSqlStmt) hash = NULL;
  gint64 now = g_get_real_time ();

  user = cl_store_prepare (self, "INSERT INTO users (name, role, created) VALUES (?, ?, ?)", error);
  if (user == NULL)
    return FALSE;
  cl_sql_bind_text (user, 1, name);
  cl_sql_bind_text (user, 2, cl_user_role_to_string (CL_ROLE_ADMIN));
  cl_sql_bind_int64 (user, 3, now);
  if (!cl_store_step_done (self, user, "Adding the first administrator", error))
    return FALSE;
  hash = cl_store_prepare (self, "INSERT INTO user_credentials (name, hash, changed) VALUES (?, ?, ?)", error);
  if (hash == NULL)
    return FALSE;
  cl_sql_bind_text (hash, 1, name);
  cl_sql_bind_text (hash, 2, encoded);
  cl_sql_bind_int64 (hash, 3, now);
  return cl_store_step_done (self, hash, "Storing a password hash", error);
}

gboolean
cl_store_user_add_first_admin (ClStore *self, const char *name, const char *password, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (ClStoreTxn) txn = NULL;
  g_autofree char *encoded = NULL;
  gint64 n = 0;

  g_return_val_if_fail (CL_IS_STORE (self), FALSE);
  if (!cl_store_check_name ("User name", name, error) || !check_password (password, error))
    return FALSE;
  if (!(encoded = cl_password_hash (password, NULL, CL_PASSWORD_ITERATIONS, error)))
    return FALSE;
  locker = g_mutex_locker_new (&self->lock);
  if (!cl_store_make_table (self, cl_store_credentials_sql, error) || !(txn = cl_store_txn_begin (self, error)))
    return FALSE;
  if (!count_users (self, &n, error))
    return FALSE;
  if (n > 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "The store has accounts already: only an administrator who signs in may add users");
      return FALSE;
    }
  if (!insert_first (self, name, encoded, error)
      || !cl_store_audit_append_locked (self, name, "user-add", name, cl_user_role_to_string (CL_ROLE_ADMIN), error)
      || !cl_store_audit_append_locked (self, name, "user-password", name, "", error)
      || !cl_store_seal_locked (self, CL_STORE_SEAL_USER, name, name, error))
    return FALSE;
  return cl_store_txn_commit (txn, error);
}
