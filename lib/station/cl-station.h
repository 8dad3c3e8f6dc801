/* cl-station.h: one reader (or printer contact station) of the line, as the operator sees it. */
#pragma once

#include <gio/gio.h>

#include "station/cl-station-step.h"

G_BEGIN_DECLS

typedef enum
{
  CL_STATION_EMPTY,        /* reader present, no card */
  CL_STATION_CARD_PRESENT, /* a card is in the reader */
  CL_STATION_PRODUCING,    /* the production sequence runs on the card */
  CL_STATION_FAULT,        /* the station needs attention (service lost, printer fault) */
  CL_STATION_GONE,         /* the reader was unplugged; kept so the operator sees what went */
} ClStationState;

#define CL_TYPE_STATION_STATE (cl_station_state_get_type ())
GType cl_station_state_get_type (void);

/* How the last card of the station ended. */
typedef enum
{
  CL_STATION_RESULT_NONE, /* no card finished since the current one started */
  CL_STATION_RESULT_GOOD,
  CL_STATION_RESULT_REJECTED,
} ClStationResult;

#define CL_TYPE_STATION_RESULT (cl_station_result_get_type ())
GType cl_station_result_get_type (void);

#define CL_TYPE_STATION (cl_station_get_type ())
G_DECLARE_FINAL_TYPE (ClStation, cl_station, CL, STATION, GObject)

ClStation *cl_station_new (const char *name);
const char *cl_station_get_name (ClStation *self);
ClStationState cl_station_get_state (ClStation *self);
void cl_station_set_state (ClStation *self, ClStationState state);
const char *cl_station_get_atr (ClStation *self);
void cl_station_set_atr (ClStation *self, const char *atr_hex);
guint cl_station_get_card_count (ClStation *self);
void cl_station_set_card_count (ClStation *self, guint count);
const char *cl_station_get_last_event (ClStation *self);
GDateTime *cl_station_get_last_event_time (ClStation *self);
void cl_station_set_last_event (ClStation *self, const char *text, GDateTime *when);
/* FAULT with what the operator has to do ("Feeder empty: load cards; the line resumes by itself"); any other
 * state clears the instruction. */
void cl_station_set_fault (ClStation *self, const char *instruction);
const char *cl_station_get_instruction (ClStation *self);

/* The transitions the reader monitor drives; each updates the state, counters and last event together. */
void cl_station_card_inserted (ClStation *self, const char *atr_hex, GDateTime *when);
void cl_station_card_removed (ClStation *self, GDateTime *when);

/* The card in production: its chip identity (CPLC-derived, NULL until IDENTIFY found it) and its steps, a
 * GListModel of ClStationStep in sequence order. */
const char *cl_station_get_chip_id (ClStation *self);
void cl_station_set_chip_id (ClStation *self, const char *chip_id);
GListModel *cl_station_get_steps (ClStation *self);
/* A card starts: the previous card's steps and result go, steps (NULL-terminated names) all pending, PRODUCING. */
void cl_station_card_started (ClStation *self, const char *const *steps);
/* A step starts or ends; a name not in the list is appended (the sequence decides, the station shows). */
void cl_station_step_started (ClStation *self, const char *step);
void cl_station_step_ended (ClStation *self, const char *step, ClStationStepState state, gint64 duration_us, gint sw,
                            const char *detail);
/* The card's disposition: GOOD or REJECTED, with one line for the banner (serial, or reason, step and SW), and
 * the station's good/rejected counts advance. */
void cl_station_card_finished (ClStation *self, gboolean good, const char *text);
ClStationResult cl_station_get_result (ClStation *self);
const char *cl_station_get_result_text (ClStation *self);
guint cl_station_get_good_count (ClStation *self);
guint cl_station_get_reject_count (ClStation *self);

G_END_DECLS
