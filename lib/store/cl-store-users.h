/* cl-store-users.h: station accounts (operator, supervisor, QA, ...) with passwords.
 *
 * A password is kept only as PBKDF2-HMAC-SHA256 over a random 16-byte salt with CL_PASSWORD_ITERATIONS
 * iterations ("pbkdf2-sha256$ITER$SALT$HASH", hex), in its own table next to the store's users table. Nothing
 * here logs, audits or returns a password; the audit trail records who set whose password, never the value. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_PASSWORD_ITERATIONS 600000
#define CL_PASSWORD_MIN_LENGTH 8

typedef struct
{
  char *name;
  ClUserRole role;
  gint64 created;
  gboolean disabled;
  gboolean has_password;
} ClUserInfo;

void cl_user_info_free (ClUserInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClUserInfo, cl_user_info_free)

/* Adds the user (cl_store_user_add, audited "user-add") and sets the password (audited "user-password"). */
gboolean cl_store_user_add_with_password (ClStore *self, const char *name, ClUserRole role, const char *password,
                                          const char *actor, GError **error);
/* Replaces the password (audited "user-password"). CL_ERROR_INVALID_ARGUMENT if shorter than the minimum. */
gboolean cl_store_user_set_password (ClStore *self, const char *name, const char *password, const char *actor,
                                     GError **error);
/* Audited "user-disable". A disabled user can no longer sign in; its records stay. */
gboolean cl_store_user_disable (ClStore *self, const char *name, const char *actor, GError **error);
/* ClUserInfo of every user, by name. */
GPtrArray *cl_store_user_list (ClStore *self, GError **error);
/* Checks name and password (slow by design: run it on a worker). Success and failure are both audited
 * ("login" / "login-failed") with the name as actor. One error for every failure (CL_ERROR_SECURITY
 * "Unknown user or wrong password"), so the answer does not tell which names exist. */
gboolean cl_store_user_authenticate (ClStore *self, const char *name, const char *password, ClUserRole *role,
                                     GError **error);

/* Bit of role in a mask of roles (cl_store_user_authorize). */
#define CL_ROLE_BIT(role) (1u << (role))

/* Someone who has no window signs in to do what (a sentence's end: "add users"): cl_store_user_authenticate, then
 * CL_ERROR_SECURITY "User NAME (ROLE) may not WHAT" unless the account's role is in roles (CL_ROLE_BIT mask). role
 * may be NULL. */
gboolean cl_store_user_authorize (ClStore *self, const char *name, const char *password, guint roles, const char *what,
                                  ClUserRole *role, GError **error);
/* Whether the store has any account yet (disabled ones count). */
gboolean cl_store_user_any (ClStore *self, gboolean *any, GError **error);
/* The one thing nobody has to sign in for: the first account of a store without any, an ADMIN, audited
 * "user-add" and "user-password" with itself as the actor. CL_ERROR_SECURITY once the store has an account (checked
 * in the same transaction that adds it). */
gboolean cl_store_user_add_first_admin (ClStore *self, const char *name, const char *password, GError **error);

/* The hash string for password (exposed for tests and the benchmark of the KDF). salt may be NULL (random). */
char *cl_password_hash (const char *password, const guint8 *salt, guint iterations, GError **error);
gboolean cl_password_verify (const char *password, const char *encoded);

G_END_DECLS
