/* cl-event-log.h: the line's recent events, oldest first, as a bounded GListModel.
 * When full, appending drops the oldest event, so a long shift cannot grow memory without bound;
 * the durable record is the store's journal, not this log. */
#pragma once

#include <gio/gio.h>

#include "station/cl-line-event.h"

G_BEGIN_DECLS

#define CL_EVENT_LOG_DEFAULT_CAPACITY 500

#define CL_TYPE_EVENT_LOG (cl_event_log_get_type ())
G_DECLARE_FINAL_TYPE (ClEventLog, cl_event_log, CL, EVENT_LOG, GObject)

ClEventLog *cl_event_log_new (guint capacity);
guint cl_event_log_get_capacity (ClEventLog *self);
/* Takes a reference; stamps the event's sequence number. */
void cl_event_log_append (ClEventLog *self, ClLineEvent *event);
/* Convenience: builds an event stamped now and appends it; returns it (borrowed). */
ClLineEvent *cl_event_log_add (ClEventLog *self, ClLineEventKind kind, const char *reader, const char *detail);
/* How many events were ever appended, including those since dropped. */
guint64 cl_event_log_get_total (ClEventLog *self);

G_END_DECLS
