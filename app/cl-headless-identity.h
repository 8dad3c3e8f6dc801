/* cl-headless-identity.h: who a `cardline --headless` run acts as.
 *
 * A batch is run by a person who is accountable for it, with or without a window: --user NAME names a station
 * account whose role may control the line (operator, supervisor, admin), and that person signs in with the
 * account's password from --password-file FILE (mode 0600; a service manager's credential) or typed on the
 * terminal (cl-password-source.h), checked as the window's sign-in checks it. The sign-in is audited ("login");
 * the batch then records that account as who created, ran and ended it. Watching the readers without a batch needs
 * nobody. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* store_path may be NULL (cl_store_location default). Returns the signed-in account's name, or NULL with error set
 * (no --user, a wrong password, a role that may not run the line). */
char *cl_headless_identity_check (const char *store_path, const char *user, const char *password_file, GError **error);

G_END_DECLS
