/* cl-line-event.h: one timestamped line of the line's event log ("12:03:04 card-inserted Reader 0 ATR 3B..."). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  CL_LINE_EVENT_NOTE,
  CL_LINE_EVENT_READER_ADDED,
  CL_LINE_EVENT_READER_REMOVED,
  CL_LINE_EVENT_CARD_INSERTED,
  CL_LINE_EVENT_CARD_REMOVED,
  CL_LINE_EVENT_SERVICE_UNAVAILABLE, /* the PC/SC service could not be reached (at start or on retry) */
  CL_LINE_EVENT_SERVICE_LOST,        /* it was reached, then went away */
  CL_LINE_EVENT_SERVICE_RESTORED,
} ClLineEventKind;

#define CL_TYPE_LINE_EVENT_KIND (cl_line_event_kind_get_type ())
GType cl_line_event_kind_get_type (void);

/* The kind's stable name as printed in logs ("card-inserted"). */
const char *cl_line_event_kind_to_string (ClLineEventKind kind);

#define CL_TYPE_LINE_EVENT (cl_line_event_get_type ())
G_DECLARE_FINAL_TYPE (ClLineEvent, cl_line_event, CL, LINE_EVENT, GObject)

/* when NULL means now (local time). reader and detail may be NULL. */
ClLineEvent *cl_line_event_new (GDateTime *when, ClLineEventKind kind, const char *reader, const char *detail);
GDateTime *cl_line_event_get_time (ClLineEvent *self);
ClLineEventKind cl_line_event_get_kind (ClLineEvent *self);
const char *cl_line_event_get_reader (ClLineEvent *self);
const char *cl_line_event_get_detail (ClLineEvent *self);
/* Order of arrival in its log (0 until appended to one); newer events have larger numbers. */
guint64 cl_line_event_get_sequence (ClLineEvent *self);
void cl_line_event_set_sequence (ClLineEvent *self, guint64 sequence);
/* "HH:MM:SS kind [reader] [detail]" */
const char *cl_line_event_get_line (ClLineEvent *self);
/* "HH:MM:SS" */
char *cl_line_event_dup_time_text (ClLineEvent *self);

G_END_DECLS
