/* cl-headless-identity.c: the service identity of a headless run (cl-headless-identity.h). */
#include "cl-headless-identity.h"

#include "cl-session.h"
#include "core/cl-error.h"
#include "store/cl-store-location.h"
#include "store/cl-store.h"

char *
cl_headless_identity_check (const char *store_path, const char *user, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (ClStore) store = NULL;
  ClUserRole role;

  if (user == NULL || *user == '\0')
    return g_strdup (CL_HEADLESS_DEFAULT_ACTOR);
  path = cl_store_location (store_path);
  if (!(store = cl_store_open (path, error)))
    return NULL;
  if (!cl_store_user_get_role (store, user, &role, error))
    return NULL;
  if (!cl_role_allows (role, CL_PERMISSION_LINE_CONTROL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "User %s (%s) may not run the line", user,
                   cl_user_role_to_string (role));
      return NULL;
    }
  if (cl_store_audit_append (store, user, "headless-start", "line", NULL, error) <= 0)
    return NULL;
  return g_strdup (user);
}
