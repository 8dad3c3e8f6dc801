#include "core/cl-wait.h"

gboolean
cl_wait_unless_cancelled (GCancellable *cancellable, gint64 usec)
{
  GPollFD pollfd;
  gint64 until = g_get_monotonic_time () + usec;

  if (cancellable == NULL || !g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      /* no descriptor to wake on (none left, or no cancellable): a plain sleep is all there is */
      if (!g_cancellable_is_cancelled (cancellable) && usec > 0)
        g_usleep ((gulong)usec);
      return !g_cancellable_is_cancelled (cancellable);
    }
  for (gint64 now = g_get_monotonic_time (); now < until && !g_cancellable_is_cancelled (cancellable);
       now = g_get_monotonic_time ())
    {
      /* rounded up: a timeout of 0 would spin through the last millisecond */
      gint64 ms = (until - now + G_TIME_SPAN_MILLISECOND - 1) / G_TIME_SPAN_MILLISECOND;

      g_poll (&pollfd, 1, (gint)MIN (ms, G_MAXINT));
    }
  g_cancellable_release_fd (cancellable);
  return !g_cancellable_is_cancelled (cancellable);
}
