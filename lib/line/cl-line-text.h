/* cl-line-text.h: the batch run's typed events, made with the machine line headless mode has always printed for them
 * ("step chip=... step=... result=... ms=... sw=...", "good chip=... serial=...", "reject chip=... reason=...",
 * "fault fault=... card-inside=... instruction=...", "resumed fault=..."). Scripts read those lines: their bytes do
 * not change. Views never read them; they read the event's fields. */
#pragma once

#include "station/cl-line-event.h"

G_BEGIN_DECLS

/* STEP_FINISHED, GOOD, REJECTED, FAULT and FAULT_CLEARED get their machine line from fields; any other kind takes
 * text as its line (NULL: none, the event is not for the log). */
ClLineEvent *cl_line_text_event_new (ClLineEventKind kind, const char *reader, const ClLineEventFields *fields,
                                     const char *text);
/* The PAUSED (paused) or RESUMED event of station's line: "line paused: ..." says what still finishes (one_card: the
 * card in production, else the cards) and what waits (feeder_holds: no new card is fed, else taken). */
ClLineEvent *cl_line_pause_event_new (const char *station, gboolean paused, gboolean feeder_holds, gboolean one_card);

G_END_DECLS
