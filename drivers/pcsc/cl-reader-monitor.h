/* cl-reader-monitor.h: readers coming and going, cards inserted and removed, as GObject signals.
 *
 * One thread with its own SCARDCONTEXT waits in SCardGetStatusChange on every reader plus the PnP
 * pseudo-reader. Signals are emitted in the thread-default main context of the thread that called
 * cl_reader_monitor_start(), never after cl_reader_monitor_stop().
 *
 * Signals:
 *   "reader-added"   (const char *reader)
 *   "reader-removed" (const char *reader)            -- after "card-removed" if a card was in it
 *   "card-inserted"  (const char *reader, GBytes *atr)
 *   "card-removed"   (const char *reader)
 *   "service-lost"   (const GError *error)           -- pcscd is not (or no longer) reachable; the monitor retries
 *                     every second. A missing service at start is reported the same way. The readers and cards
 *                     known are NOT reported removed: a card stays in its reader while pcscd restarts.
 *   "service-restored" ()                            -- reachable again after "service-lost". A reader or card known
 *                     before that is not seen again within a grace of 10 s is then reported removed (a card
 *                     taken out during the outage); one seen again reports nothing, one newly there "card-inserted". */
#pragma once

#include <glib-object.h>

#include "cl-driver-error.h"

G_BEGIN_DECLS

#define CL_TYPE_READER_MONITOR (cl_reader_monitor_get_type ())
G_DECLARE_FINAL_TYPE (ClReaderMonitor, cl_reader_monitor, CL, READER_MONITOR, GObject)

ClReaderMonitor *cl_reader_monitor_new (void);
/* Starts the monitor thread; signals are emitted in the thread-default main context of the caller. */
gboolean cl_reader_monitor_start (ClReaderMonitor *self, GError **error);
/* SCardCancel, then joins the thread. Safe to call twice; also done on finalize. */
void cl_reader_monitor_stop (ClReaderMonitor *self);
/* The readers as last seen by the monitor thread (which may be ahead of the signals delivered so far). */
GStrv cl_reader_monitor_dup_readers (ClReaderMonitor *self);

G_END_DECLS
