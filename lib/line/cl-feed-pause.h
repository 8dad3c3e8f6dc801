/* cl-feed-pause.h: Pause and Resume of a line's feed, for the engines that drive a feeder (the batch run, the
 * remote-production client's run): the same lock-and-hold dance in each.
 *
 * The engine's state is its own; this names the parts of it the dance touches. Pause asks the feeder to hold its
 * next card outside the engine's lock (the feeder takes its own lock, and its reports come back into the engine's),
 * then, under the lock, records the state and cancels a feed still waiting (for an insertion) unless the feeder
 * holds it itself (a printer keeps watching its fault while paused). A card already fed still comes. */
#pragma once

#include "line/cl-feeder.h"

G_BEGIN_DECLS

typedef struct
{
  ClFeeder *feeder;
  GMutex *lock;
  GCond *cond;               /* broadcast once paused changed */
  const gboolean *stopping;  /* a stopping engine is neither paused nor resumed */
  gboolean *paused;          /* the engine's state, written under lock */
  GCancellable *const *feed; /* the feed's cancellable while one waits, else NULL (read under lock) */
} ClFeedPause;

/* Any thread but the feeder's own. FALSE: nothing changed (stopping, or already so). */
gboolean cl_feed_pause_set (const ClFeedPause *pause, gboolean paused);

G_END_DECLS
