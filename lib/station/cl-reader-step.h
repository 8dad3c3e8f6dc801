/* cl-reader-step.h: one production step of the card in a reader, as the operator watches it: pending, running,
 * then OK, skipped (the card already held it) or failed, with its duration and last status word. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  CL_READER_STEP_PENDING,
  CL_READER_STEP_RUNNING,
  CL_READER_STEP_OK,
  CL_READER_STEP_SKIPPED, /* the card already held what the step makes (a resumed card) */
  CL_READER_STEP_FAILED,
} ClReaderStepState;

#define CL_TYPE_READER_STEP_STATE (cl_reader_step_state_get_type ())
GType cl_reader_step_state_get_type (void);

#define CL_TYPE_READER_STEP (cl_reader_step_get_type ())
G_DECLARE_FINAL_TYPE (ClReaderStep, cl_reader_step, CL, READER_STEP, GObject)

/* name: the step's stable name ("IDENTIFY", "ROTATE_KEYS", ...), as the store records it. */
ClReaderStep *cl_reader_step_new (const char *name);
const char *cl_reader_step_get_name (ClReaderStep *self);
ClReaderStepState cl_reader_step_get_state (ClReaderStep *self);
/* -1 until the step ended */
gint64 cl_reader_step_get_duration_us (ClReaderStep *self);
/* -1: no status word */
gint cl_reader_step_get_sw (ClReaderStep *self);
const char *cl_reader_step_get_detail (ClReaderStep *self);

void cl_reader_step_start (ClReaderStep *self);
/* The running step's live status (a production service's notify, any service's words): starts the step, its detail
 * says text until it ends. */
void cl_reader_step_set_progress (ClReaderStep *self, const char *text);
/* state is OK, SKIPPED or FAILED; detail may be NULL. */
void cl_reader_step_end (ClReaderStep *self, ClReaderStepState state, gint64 duration_us, gint sw, const char *detail);

G_END_DECLS
