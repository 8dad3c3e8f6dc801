/* cl-station-feed.h: a card sequence's events, from the thread that runs it, onto the line's main context: the
 * station's step list, chip, result banner and counts, and the event log's step lines. */
#pragma once

#include "cl-line.h"
#include "production/cl-card-sequence.h"

G_BEGIN_DECLS

/* Callable from any thread; the update runs on context (the line's), in the order posted. */
void cl_station_feed_post (ClLine *line, GMainContext *context, const char *reader, const ClSequenceEvent *event);

G_END_DECLS
