/* cl-station-feed.h: the batch run's typed events onto the line's picture: each reader's station (card, step list,
 * result banner, fault and its instruction) and the event log (the events that have a machine line). The one path
 * from the engine to what the operator sees, for the rack, the printer-fed line and QA re-tests alike. */
#pragma once

#include "cl-line.h"
#include "line/cl-batch-run.h"

G_BEGIN_DECLS

/* Remote production: the step in a card's plan that the production service does (its notifies are its status). */
#define CL_STATION_FEED_SERVICE_STEP "SERVICE"

/* Main context. holds_cards: the feeder keeps the card until it is disposed (a printer): a finished card leaves its
 * reader empty; otherwise it stays present until someone takes it. */
void cl_station_feed_apply (ClLine *line, ClLineEvent *event, gboolean holds_cards);
/* Applies every event of run to line, from now on. */
void cl_station_feed_follow (ClLine *line, ClBatchRun *run);
/* Any thread: applies event on context (the line's), in the order posted. */
void cl_station_feed_post (ClLine *line, GMainContext *context, ClLineEvent *event);
/* Main context: a station fault that no batch run reports (the run could not be made): the event log and every
 * reader show it with its instruction, and so does every reader found later when the fault does not clear by itself
 * (keys that differ from the fleet's); detail is the technical cause. */
void cl_station_feed_fault (ClLine *line, ClLineFault fault, const char *detail);

G_END_DECLS
