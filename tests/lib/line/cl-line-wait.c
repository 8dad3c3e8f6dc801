#include "cl-line-wait.h"

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
cl_line_wait_until (const gboolean *flag, guint seconds, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)seconds * G_USEC_PER_SEC;
  guint ticker = g_timeout_add (200, tick, NULL);

  while (!*flag)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("waited %u s for %s", seconds, what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (ticker);
}
