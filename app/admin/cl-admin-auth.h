/* cl-admin-auth.h: who runs a privileged cardline-admin command. The person signs in with a station account, as in
 * the window: --user NAME (default: the login name) and the password from --password-file FILE (mode 0600) or
 * typed on the terminal; the account's role must allow the command. The audit actor is that account, never a
 * name given on the command line. */
#pragma once

#include "store/cl-store-users.h"

G_BEGIN_DECLS

typedef struct
{
  char *user;
  char *password_file;
} ClAdminAuth;

/* The two options of ClAdminAuth, for a command's GOptionEntry list. */
#define CL_ADMIN_AUTH_ENTRIES(auth)                                                                                      \
  {                                                                                                                      \
    "user", 0, 0, G_OPTION_ARG_STRING, &(auth).user, "Sign in as this station account (default: the login name)", "NAME" \
  },                                                                                                                     \
  {                                                                                                                      \
    "password-file", 0, 0, G_OPTION_ARG_FILENAME, &(auth).password_file,                                                 \
      "Read the account's password from FILE (mode 0600; default: ask on the terminal)", "FILE"                          \
  }

void cl_admin_auth_clear (ClAdminAuth *auth);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClAdminAuth, cl_admin_auth_clear)

/* Signs auth's account in on store for what (“add users”) if its role is in roles (CL_ROLE_BIT mask). Returns the
 * account's name, the actor of everything the command records; NULL with the reason printed as
 * "cardline-admin COMMAND: …". */
char *cl_admin_sign_in (ClStore *store, ClAdminAuth *auth, guint roles, const char *command, const char *what);

G_END_DECLS
