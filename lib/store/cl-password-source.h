/* cl-password-source.h: where a person's password comes from when there is no window to sign in: a file only its
 * owner can read (--password-file, for services and scripts), else a prompt on the controlling terminal with echo
 * off. Never the command line (ps, shell history) and never standard input, which a command may need for its own
 * data (a new account's password, key components). The password is held in memory only until it is checked. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest password line read; longer is refused, not cut. */
#define CL_PASSWORD_MAX_BYTES 1024

typedef char ClPassword;

/* The first line of file, which must be a regular file no group or other user may read or write (0600, 0400;
 * cl_secret_file_read()). file NULL: prompts "Password for USER: " on /dev/tty;
 * CL_ERROR_INVALID_ARGUMENT when there is no terminal (then a password file is needed). */
ClPassword *cl_password_read (const char *user, const char *file, GError **error);
/* Wipes and frees. */
void cl_password_free (ClPassword *password);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClPassword, cl_password_free)

G_END_DECLS
