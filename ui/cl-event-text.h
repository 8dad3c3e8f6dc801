/* cl-event-text.h: a line event as the operator reads it. The event log keeps the machine lines that headless mode
 * prints and scripts parse ("step chip=… step=ROTATE_KEYS result=OK ms=4.9 sw=9000"); the Line view shows them as
 * sentences ("Keys rotated — 4.9 ms, SW 9000") without changing them. No widgets: any string in, valid UTF-8 out. */
#pragma once

#include "station/cl-line-event.h"

G_BEGIN_DECLS

typedef enum
{
  CL_EVENT_TONE_NEUTRAL,
  CL_EVENT_TONE_GOOD,    /* a good card, a service back */
  CL_EVENT_TONE_WARNING, /* needs a hand: printer fault, card without ATR */
  CL_EVENT_TONE_ERROR,   /* a reject, a failed step, the PC/SC service gone */
} ClEventTone;

typedef struct
{
  char *title;    /* never NULL */
  char *subtitle; /* the reader, then particulars, joined by " · "; NULL when there are none */
  ClEventTone tone;
} ClEventText;

/* Fills out (which it overwrites, without clearing) from an event's parts; reader and detail may be NULL. A detail it
 * does not know, or cannot make sense of, becomes the title as it is. */
void cl_event_text_format (ClLineEventKind kind, const char *reader, const char *detail, ClEventText *out);
void cl_event_text_for_event (ClLineEvent *event, ClEventText *out);
void cl_event_text_clear (ClEventText *text);
/* Title and subtitle as one sentence, for screen readers ("Keys rotated — 4.9 ms, SW 9000. Reader 0"). */
char *cl_event_text_dup_sentence (const ClEventText *text);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClEventText, cl_event_text_clear)

G_END_DECLS
