/* cl-event-text.h: a line event as the Line view shows it: a title, a dimmed subtitle (the reader, then the
 * particulars) and a tone for the title's colour. The words come from lib/line/cl-event-words.h, which headless
 * mode shares; this is only their arrangement on a row. No widgets: any event in, valid UTF-8 out. */
#pragma once

#include "line/cl-event-words.h"
#include "station/cl-line-event.h"

G_BEGIN_DECLS

/* ClEventTone (neutral, good, warning, error) is cl-event-words.h's. */

typedef struct
{
  char *title;    /* never NULL */
  char *subtitle; /* the reader, then particulars, joined by " · "; NULL when there are none */
  ClEventTone tone;
} ClEventText;

/* Fills out (which it overwrites, without clearing). */
void cl_event_text_for_event (ClLineEvent *event, ClEventText *out);
void cl_event_text_clear (ClEventText *text);
/* Title and subtitle as one sentence, for screen readers ("Keys rotated — 4.9 ms, SW 9000. Reader 0"). */
char *cl_event_text_dup_sentence (const ClEventText *text);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClEventText, cl_event_text_clear)

G_END_DECLS
