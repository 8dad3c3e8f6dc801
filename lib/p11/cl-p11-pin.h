/* cl-p11-pin.h: where a PKCS#11 PIN comes from. Never the command line: a prompt (callback) or a file only
 * its owner can read. The PIN is returned in memory the caller wipes with cl_p11_pin_free(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns a newly allocated NUL-terminated PIN, or NULL and sets error (e.g. the operator cancelled).
 * token_label says which token asks. */
typedef char *(*ClP11PinFunc) (const char *token_label, gpointer user_data, GError **error);

/* Reads the PIN from path (first line, trailing CR/LF dropped). Refuses with CL_ERROR_INVALID_ARGUMENT a file
 * that is not a regular file, is a symlink, or is readable or writable by group or others. */
char *cl_p11_pin_read_file (const char *path, GError **error);
/* Wipes and frees a PIN. */
void cl_p11_pin_free (char *pin);

G_END_DECLS
