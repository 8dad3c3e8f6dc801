/* cl-station.h: one reader (or printer contact station) of the line, as the operator sees it. */
#pragma once

#include <glib-object.h>

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

G_END_DECLS
