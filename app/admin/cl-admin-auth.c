/* cl-admin-auth.c: signing in to cardline-admin (cl-admin-auth.h). */
#include "cl-admin-auth.h"

#include "store/cl-password-source.h"

void
cl_admin_auth_clear (ClAdminAuth *auth)
{
  g_clear_pointer (&auth->user, g_free);
  g_clear_pointer (&auth->password_file, g_free);
}

char *
cl_admin_sign_in (ClStore *store, ClAdminAuth *auth, guint roles, const char *command, const char *what)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPassword) password = NULL;
  const char *user = auth->user != NULL ? auth->user : g_get_user_name ();

  if (!(password = cl_password_read (user, auth->password_file, &error))
      || !cl_store_user_authorize (store, user, password, roles, what, NULL, &error))
    {
      g_printerr ("cardline-admin %s: %s\n", command, error->message);
      return NULL;
    }
  return g_strdup (user);
}
