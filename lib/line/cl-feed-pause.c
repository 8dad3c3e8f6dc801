/* cl-feed-pause.c: Pause and Resume of a line's feed (cl-feed-pause.h). */
#include "line/cl-feed-pause.h"

gboolean
cl_feed_pause_set (const ClFeedPause *pause, gboolean paused)
{
  g_autoptr (GCancellable) feed = NULL;
  gboolean held;

  paused = !!paused;
  g_mutex_lock (pause->lock);
  if (*pause->stopping || *pause->paused == paused)
    {
      g_mutex_unlock (pause->lock);
      return FALSE;
    }
  g_mutex_unlock (pause->lock);
  held = cl_feeder_hold (pause->feeder, paused);
  g_mutex_lock (pause->lock);
  *pause->paused = paused;
  if (paused && !held && *pause->feed != NULL)
    feed = g_object_ref (*pause->feed);
  g_cond_broadcast (pause->cond);
  g_mutex_unlock (pause->lock);
  /* outside the lock: a cancelled feed's handlers run here and may take the engine's lock */
  if (feed != NULL)
    g_cancellable_cancel (feed);
  return TRUE;
}
