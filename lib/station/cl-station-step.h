/* cl-station-step.h: one production step of the card in a station, as the operator watches it: pending, running,
 * then OK, skipped (the card already held it) or failed, with its duration and last status word. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  CL_STATION_STEP_PENDING,
  CL_STATION_STEP_RUNNING,
  CL_STATION_STEP_OK,
  CL_STATION_STEP_SKIPPED, /* the card already held what the step makes (a resumed card) */
  CL_STATION_STEP_FAILED,
} ClStationStepState;

#define CL_TYPE_STATION_STEP_STATE (cl_station_step_state_get_type ())
GType cl_station_step_state_get_type (void);

#define CL_TYPE_STATION_STEP (cl_station_step_get_type ())
G_DECLARE_FINAL_TYPE (ClStationStep, cl_station_step, CL, STATION_STEP, GObject)

/* name: the step's stable name ("IDENTIFY", "ROTATE_KEYS", ...), as the store records it. */
ClStationStep *cl_station_step_new (const char *name);
const char *cl_station_step_get_name (ClStationStep *self);
ClStationStepState cl_station_step_get_state (ClStationStep *self);
/* -1 until the step ended */
gint64 cl_station_step_get_duration_us (ClStationStep *self);
/* -1: no status word */
gint cl_station_step_get_sw (ClStationStep *self);
const char *cl_station_step_get_detail (ClStationStep *self);

void cl_station_step_start (ClStationStep *self);
/* state is OK, SKIPPED or FAILED; detail may be NULL. */
void cl_station_step_end (ClStationStep *self, ClStationStepState state, gint64 duration_us, gint sw,
                          const char *detail);

G_END_DECLS
