/* cl-event-words.h: a line event in the operator's words ("Keys rotated — 4.9 ms, SW 9000"), for every view that
 * shows events to a person: the Line view (ui/cl-event-text.h) and headless mode's human output. No GTK.
 *
 * The batch run's typed events are worded from their fields alone; their machine line (the "note" text headless
 * mode prints for scripts) is never read back. The reader monitor's events and free-text notes are worded from
 * their kind and shown with their text as it is. Any field value is accepted (NULL strings, bytes that are not
 * UTF-8, out-of-range enums, absurd numbers): the result is always valid UTF-8 on one line, with a non-empty title,
 * and no control characters, so a terminal can print it and a label can show it as it is. */
#pragma once

#include "station/cl-line-event.h"

G_BEGIN_DECLS

typedef enum
{
  CL_EVENT_TONE_NEUTRAL,
  CL_EVENT_TONE_GOOD,    /* a good card, a fault cleared, a service back */
  CL_EVENT_TONE_WARNING, /* needs a hand: a line fault, a card without ATR, a reader gone */
  CL_EVENT_TONE_ERROR,   /* a reject, a failed step, the PC/SC service gone */
} ClEventTone;

typedef struct
{
  char *title;   /* never NULL, never empty */
  char *details; /* the particulars (chip, instruction, what a step said) joined by " · "; NULL when none */
  char *reader;  /* the event's reader; NULL when it has none */
  ClEventTone tone;
} ClEventWords;

/* The separator of details, and of the reader before them where a view shows both on one line. */
#define CL_EVENT_WORDS_SEPARATOR " · "

/* Fills out (which it overwrites, without clearing). reader, fields and text may be NULL. fields are read for the
 * batch run's kinds (CL_LINE_EVENT_CARD_PRESENT and after); text, the event's detail, for the others. A kind this
 * build does not know reads as a note. */
void cl_event_words_format (ClLineEventKind kind, const char *reader, const ClLineEventFields *fields, const char *text,
                            ClEventWords *out);
void cl_event_words_for_event (ClLineEvent *event, ClEventWords *out);
void cl_event_words_clear (ClEventWords *words);

/* "Keys rotated" for a finished step, "key rotation" for the step mid-sentence; NULL out of range. */
const char *cl_event_words_step_done (ClProductionStep step);
const char *cl_event_words_step_noun (ClProductionStep step);
/* "Printer fault: Cover open" / "Cover closed, printer resumed"; a general sentence out of range. */
const char *cl_event_words_fault_title (ClLineFault fault);
const char *cl_event_words_fault_cleared (ClLineFault fault);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClEventWords, cl_event_words_clear)

G_END_DECLS
