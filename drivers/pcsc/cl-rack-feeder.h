/* cl-rack-feeder.h: the rack feeder (DESIGN §8): a person or robot inserts cards into any reader of the station's
 * PC/SC service; each inserted card is a card for the batch run, several readers in parallel. The station's reader
 * monitor reports insertions and removals (cl_feeder_reader_changed, main context); a card waits in its reader while
 * the line is paused and is taken on resume. A card that was produced stays taken until it is removed, so it is not
 * produced twice. Nothing moves a card: the operator takes it, guided by the reader's panel. Stop cancels the cards
 * in flight (CARD_REMOVED). */
#pragma once

#include "line/cl-feeder.h"

G_BEGIN_DECLS

#define CL_TYPE_RACK_FEEDER (cl_rack_feeder_get_type ())
G_DECLARE_FINAL_TYPE (ClRackFeeder, cl_rack_feeder, CL, RACK_FEEDER, ClFeeder)

ClRackFeeder *cl_rack_feeder_new (void);
/* A reader the rack never produces on (the QA reader); NULL: none. Any thread. */
void cl_rack_feeder_set_reserved_reader (ClRackFeeder *self, const char *reader);

/* The PC/SC service went away (lost, detail says how) or is back with its readers (any thread): while it is away
 * no card is taken and the line shows the service-lost fault; its return clears the fault by itself. */
void cl_rack_feeder_set_service_lost (ClRackFeeder *self, gboolean lost, const char *detail);

G_END_DECLS
