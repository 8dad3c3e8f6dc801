/* cl-test-dir.h: the scratch directories tests make under $TMPDIR. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes path and everything below it (symbolic links themselves, never what they point at), unless
 * CARDLINE_KEEP_RIG is set: then the files stay for a look after a failure. */
void cl_test_remove_tree (const char *path);

G_END_DECLS
