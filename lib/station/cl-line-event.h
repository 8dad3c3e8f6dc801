/* cl-line-event.h: one timestamped event of the line: the reader monitor's (reader added, card inserted, ...) and the
 * batch run's (card present, step started / finished, good, rejected, fault, fault cleared, paused, resumed, batch
 * done). The batch run's events are typed: their fields (chip, step, result, SW, duration, reason, serial, fault,
 * instruction) are what views and formatters read; nothing parses the text back.
 *
 * Every event also has the machine line headless mode prints and scripts read ("12:03:04 card-inserted Reader 0 ATR
 * 3B...", "12:03:05 note Reader 0 good chip=... serial=..."). Those lines are a stable format: the batch run's events
 * print as the "note" lines they always were. An event without one (a step started) is not for the log. */
#pragma once

#include <glib-object.h>

#include "station/cl-line-fault.h"
#include "store/cl-production-types.h"
#include "store/cl-store-types.h"

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
  /* the batch run's, typed */
  CL_LINE_EVENT_CARD_PRESENT,  /* a card job began at the reader: plan, atr */
  CL_LINE_EVENT_STEP_STARTED,  /* step, chip */
  CL_LINE_EVENT_STEP_FINISHED, /* step, result, duration, sw, chip, note */
  CL_LINE_EVENT_GOOD,          /* chip, serial, duration (the card's cycle), apdus */
  CL_LINE_EVENT_REJECTED,      /* chip, reason, step (the failed one), sw, duration, apdus, note */
  CL_LINE_EVENT_FAULT,         /* fault, card_inside, instruction, note */
  CL_LINE_EVENT_FAULT_CLEARED, /* fault */
  CL_LINE_EVENT_PAUSED,
  CL_LINE_EVENT_RESUMED,
  CL_LINE_EVENT_BATCH_DONE, /* good: TRUE when the quantity was reached (closed), else stopped */
  /* remote production (a station relaying to a production service) */
  CL_LINE_EVENT_SERVICE_NOTIFY, /* the service's progress for the card: note (its text, any service's words),
                                 * duration_us (the time to completion it announced, -1: none) */
  CL_LINE_EVENT_SERVICE_ENDED,  /* the service's session for the card ended: result (OK: completed), duration_us,
                                 * apdus, note (how it ended) */
} ClLineEventKind;

#define CL_LINE_EVENT_LAST_TYPED CL_LINE_EVENT_SERVICE_ENDED

/* The typed fields of the batch run's events; what a kind does not use stays at its zero (sw -1). */
typedef struct
{
  const char *station; /* the station (Cardline process) whose batch run made the event */
  const char *chip_id;
  ClProductionStep step;
  ClStepResult result;
  gint sw; /* last status word, -1: none */
  gint64 duration_us;
  gboolean good;
  ClRejectReason reason;
  gboolean whereabouts_unknown; /* REJECTED: the card's move was lost; it is in neither bin's count */
  const char *serial;
  const char *note; /* why a step failed or what it skipped; a fault's technical detail */
  guint64 apdus;
  ClLineFault fault;
  gboolean card_inside;
  const char *instruction;
  const char *atr;         /* hex */
  const char *const *plan; /* CARD_PRESENT: the step names in order, NULL-terminated */
  /* the card's data row (store/cl-store-rows.h) from the step that claimed it on: what the Line panel shows */
  const char *row_reference;
  const char *row_display;
} ClLineEventFields;

#define CL_LINE_EVENT_FIELDS_INIT                                                                                      \
  {                                                                                                                    \
    .sw = -1                                                                                                           \
  }

#define CL_TYPE_LINE_EVENT_KIND (cl_line_event_kind_get_type ())
GType cl_line_event_kind_get_type (void);

/* The kind's stable name as printed in logs ("card-inserted"). */
const char *cl_line_event_kind_to_string (ClLineEventKind kind);

#define CL_TYPE_LINE_EVENT (cl_line_event_get_type ())
G_DECLARE_FINAL_TYPE (ClLineEvent, cl_line_event, CL, LINE_EVENT, GObject)

/* when NULL means now (local time). reader and detail may be NULL. */
ClLineEvent *cl_line_event_new (GDateTime *when, ClLineEventKind kind, const char *reader, const char *detail);
/* A typed event stamped now; fields are copied. text: the machine line's text after "note READER" (NULL: the event
 * has no machine line and is not for the log). */
ClLineEvent *cl_line_event_new_typed (ClLineEventKind kind, const char *reader, const ClLineEventFields *fields,
                                      const char *text);
/* Whether the event belongs in the log (and headless lines): it has a machine line. */
gboolean cl_line_event_has_line (ClLineEvent *self);
/* The typed fields (borrowed; valid as long as the event). */
const ClLineEventFields *cl_line_event_get_fields (ClLineEvent *self);
const char *cl_line_event_get_chip_id (ClLineEvent *self);
ClProductionStep cl_line_event_get_step (ClLineEvent *self);
ClStepResult cl_line_event_get_result (ClLineEvent *self);
gint cl_line_event_get_sw (ClLineEvent *self);
gint64 cl_line_event_get_duration_us (ClLineEvent *self);
ClRejectReason cl_line_event_get_reason (ClLineEvent *self);
const char *cl_line_event_get_serial (ClLineEvent *self);
const char *cl_line_event_get_note (ClLineEvent *self);
ClLineFault cl_line_event_get_fault (ClLineEvent *self);
const char *cl_line_event_get_instruction (ClLineEvent *self);
GDateTime *cl_line_event_get_time (ClLineEvent *self);
ClLineEventKind cl_line_event_get_kind (ClLineEvent *self);
const char *cl_line_event_get_reader (ClLineEvent *self);
const char *cl_line_event_get_detail (ClLineEvent *self);
/* Order of arrival in its log (0 until appended to one); newer events have larger numbers. */
guint64 cl_line_event_get_sequence (ClLineEvent *self);
void cl_line_event_set_sequence (ClLineEvent *self, guint64 sequence);
/* "HH:MM:SS kind [reader] [detail]"; typed events: "HH:MM:SS note reader text", or NULL without text */
const char *cl_line_event_get_line (ClLineEvent *self);
/* "HH:MM:SS" */
char *cl_line_event_dup_time_text (ClLineEvent *self);

G_END_DECLS
