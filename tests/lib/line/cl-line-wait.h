/* cl-line-wait: what the line tests wait on. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Iterates the default main context until *flag is set (by a signal handler running in it); fails the test after
 * seconds. A ticker keeps the iteration from blocking for good when nothing else is due. */
void cl_line_wait_until (const gboolean *flag, guint seconds, const char *what);

G_END_DECLS
