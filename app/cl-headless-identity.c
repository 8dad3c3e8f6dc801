/* cl-headless-identity.c: the person a headless batch runs for (cl-headless-identity.h). */
#include "cl-headless-identity.h"

#include "core/cl-error.h"
#include "store/cl-password-source.h"
#include "store/cl-store-location.h"
#include "store/cl-store-users.h"

char *
cl_headless_identity_check (const char *store_path, const char *user, const char *password_file, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClPassword) password = NULL;

  if (user == NULL || *user == '\0')
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "a batch needs --user NAME: the operator, supervisor or administrator who runs it signs in");
      return NULL;
    }
  path = cl_store_location (store_path);
  if (!(store = cl_store_open (path, error)))
    return NULL;
  if (!(password = cl_password_read (user, password_file, error)))
    return NULL;
  if (!cl_store_user_authorize (store, user, password,
                                CL_ROLE_BIT (CL_ROLE_OPERATOR) | CL_ROLE_BIT (CL_ROLE_SUPERVISOR)
                                  | CL_ROLE_BIT (CL_ROLE_ADMIN),
                                "run the line", NULL, error))
    return NULL;
  return g_strdup (user);
}
