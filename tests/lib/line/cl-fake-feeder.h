/* cl-fake-feeder: the line engine's feeders without hardware, for in-process tests. Cards are transports the test
 * queues (virtual cards on cardline-vcard's dispatcher); dispositions are recorded per card; a fault can be set
 * that next_card reports and waits out until the test clears it or the operator retries.
 *
 *   ClFakeFeeder: printer-like: one card at a time, held cards finish on Stop, readers "fake 0", "fake 1", ...
 *   ClFakeRack:   rack-like: any number in flight, Stop cancels them. */
#pragma once

#include "line/cl-feeder.h"

G_BEGIN_DECLS

#define CL_TYPE_FAKE_FEEDER (cl_fake_feeder_get_type ())
G_DECLARE_DERIVABLE_TYPE (ClFakeFeeder, cl_fake_feeder, CL, FAKE_FEEDER, ClFeeder)

struct _ClFakeFeederClass
{
  ClFeederClass parent_class;
};

#define CL_TYPE_FAKE_RACK (cl_fake_rack_get_type ())
G_DECLARE_FINAL_TYPE (ClFakeRack, cl_fake_rack, CL, FAKE_RACK, ClFakeFeeder)

ClFakeFeeder *cl_fake_feeder_new (void);
ClFakeFeeder *cl_fake_rack_new (void);
/* A card to bring; transport NULL: a card the reader cannot reach (connect fails: card removed). */
void cl_fake_feeder_add_card (ClFakeFeeder *self, ClTransport *transport);
/* next_card reports fault and waits until cl_fake_feeder_clear_fault() or retry(). */
void cl_fake_feeder_set_fault (ClFakeFeeder *self, ClLineFault fault);
void cl_fake_feeder_clear_fault (ClFakeFeeder *self);
/* How often next_card was called, and how many cards went to each bin. */
guint cl_fake_feeder_get_feeds (ClFakeFeeder *self);
guint cl_fake_feeder_get_output (ClFakeFeeder *self);
guint cl_fake_feeder_get_rejected (ClFakeFeeder *self);
/* Cards whose session was released (each connected card once). */
guint cl_fake_feeder_get_released (ClFakeFeeder *self);
/* Whether shutdown was called. */
gboolean cl_fake_feeder_get_shut_down (ClFakeFeeder *self);

G_END_DECLS
