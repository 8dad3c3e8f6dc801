/* cl-reader.h: one reader (or printer contact station) of the line, as the operator sees it. */
#pragma once

#include <gio/gio.h>

#include "station/cl-reader-step.h"

G_BEGIN_DECLS

typedef enum
{
  CL_READER_EMPTY,        /* reader present, no card */
  CL_READER_CARD_PRESENT, /* a card is in the reader */
  CL_READER_PRODUCING,    /* the production sequence runs on the card */
  CL_READER_FAULT,        /* the reader needs attention (service lost, printer fault) */
  CL_READER_GONE,         /* the reader was unplugged; kept so the operator sees what went */
} ClReaderState;

#define CL_TYPE_READER_STATE (cl_reader_state_get_type ())
GType cl_reader_state_get_type (void);

/* How the last card of the reader ended. */
typedef enum
{
  CL_READER_RESULT_NONE, /* no card finished since the current one started */
  CL_READER_RESULT_GOOD,
  CL_READER_RESULT_REJECTED,
} ClReaderResult;

#define CL_TYPE_READER_RESULT (cl_reader_result_get_type ())
GType cl_reader_result_get_type (void);

#define CL_TYPE_READER (cl_reader_get_type ())
G_DECLARE_FINAL_TYPE (ClReader, cl_reader, CL, READER, GObject)

ClReader *cl_reader_new (const char *name);
const char *cl_reader_get_name (ClReader *self);
ClReaderState cl_reader_get_state (ClReader *self);
void cl_reader_set_state (ClReader *self, ClReaderState state);
const char *cl_reader_get_atr (ClReader *self);
void cl_reader_set_atr (ClReader *self, const char *atr_hex);
guint cl_reader_get_card_count (ClReader *self);
void cl_reader_set_card_count (ClReader *self, guint count);
const char *cl_reader_get_last_event (ClReader *self);
GDateTime *cl_reader_get_last_event_time (ClReader *self);
void cl_reader_set_last_event (ClReader *self, const char *text, GDateTime *when);
/* FAULT with what the operator has to do ("Feeder empty: load cards; the line resumes by itself"); any other
 * state clears the instruction. */
void cl_reader_set_fault (ClReader *self, const char *instruction);
const char *cl_reader_get_instruction (ClReader *self);

/* The transitions the reader monitor drives; each updates the state, counters and last event together. */
void cl_reader_card_inserted (ClReader *self, const char *atr_hex, GDateTime *when);
void cl_reader_card_removed (ClReader *self, GDateTime *when);

/* The card in production: its chip identity (CPLC-derived, NULL until IDENTIFY found it) and its steps, a
 * GListModel of ClReaderStep in sequence order. */
const char *cl_reader_get_chip_id (ClReader *self);
void cl_reader_set_chip_id (ClReader *self, const char *chip_id);
/* The display field of the data row the card in the reader is produced with (NULL: none). */
const char *cl_reader_get_row_display (ClReader *self);
void cl_reader_set_row_display (ClReader *self, const char *row_display);
GListModel *cl_reader_get_steps (ClReader *self);
/* A card starts: the previous card's steps and result go, steps (NULL-terminated names) all pending, PRODUCING. */
void cl_reader_card_started (ClReader *self, const char *const *steps);
/* A step starts or ends; a name not in the list is appended (the sequence decides, the reader's panel shows). */
void cl_reader_step_started (ClReader *self, const char *step);
/* The step runs and says text (cl_reader_step_set_progress). */
void cl_reader_step_progress (ClReader *self, const char *step, const char *text);
void cl_reader_step_ended (ClReader *self, const char *step, ClReaderStepState state, gint64 duration_us, gint sw,
                           const char *detail);
/* The card's disposition: GOOD or REJECTED, with one line for the banner (serial, or reason, step and SW), and
 * the reader's good/rejected counts advance. */
void cl_reader_card_finished (ClReader *self, gboolean good, const char *text);
ClReaderResult cl_reader_get_result (ClReader *self);
const char *cl_reader_get_result_text (ClReader *self);
guint cl_reader_get_good_count (ClReader *self);
guint cl_reader_get_reject_count (ClReader *self);

G_END_DECLS
