/* cl-secret-file.h: a secret (a token's PIN, an account's password) kept in a file for a service or a script: the
 * file must be private to its owner, or the secret is not one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The first line of path, which must be a regular file (not a link) that no group or other user may read or write
 * (0600, 0400), of at most max bytes and not empty. what names the file in errors ("PIN file"), which never carry
 * the secret: CL_ERROR_NOT_FOUND when it does not exist, CL_ERROR_INVALID_ARGUMENT otherwise (its mode named).
 * Free the result with cl_secret_free(). */
char *cl_secret_file_read (const char *what, const char *path, gsize max, GError **error);
/* Wipes and frees a secret string. */
void cl_secret_free (char *secret);

G_END_DECLS
