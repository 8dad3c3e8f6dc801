/* cl-line.h: the running line: the reader monitor (drivers) feeding the station list and event log (lib).
 * Everything here runs on the main context; the monitor's thread only ever talks to us through its signals.
 *
 * Signals (main context, after the station and the log are updated):
 *   "card-inserted" (const char *reader, GBytes *atr)
 *   "card-removed"  (const char *reader) */
#pragma once

#include "line/cl-feeder.h"
#include "station/cl-event-log.h"
#include "station/cl-reader-list.h"

G_BEGIN_DECLS

#define CL_TYPE_LINE (cl_line_get_type ())
G_DECLARE_FINAL_TYPE (ClLine, cl_line, CL, LINE, GObject)

ClLine *cl_line_new (void);
ClReaderList *cl_line_get_stations (ClLine *self);
ClEventLog *cl_line_get_events (ClLine *self);
/* Never fails: an unreachable PC/SC service is an event in the log, and the line keeps retrying. */
void cl_line_start (ClLine *self);
void cl_line_stop (ClLine *self);
/* The feeder hears of every card inserted into or removed from the line's readers from now on, and of the cards
 * already waiting in them. */
void cl_line_attach_feeder (ClLine *self, ClFeeder *feeder);
/* The socket libpcsclite will try: $PCSCLITE_CSOCK_NAME or the built-in default. */
const char *cl_line_pcsc_socket (void);

G_END_DECLS
