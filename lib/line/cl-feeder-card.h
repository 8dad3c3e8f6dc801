/* cl-feeder-card.h: one card a feeder handed to the batch run: the reader it is at and, when the feeder already
 * knows it cannot be produced (the reader never saw it, a card an earlier run left in the printer), why. Such a card
 * still gets an attempt and a disposition, so the bins and the store agree. Immutable once handed over. */
#pragma once

#include <glib-object.h>

#include "store/cl-production-types.h"

G_BEGIN_DECLS

#define CL_TYPE_FEEDER_CARD (cl_feeder_card_get_type ())
G_DECLARE_FINAL_TYPE (ClFeederCard, cl_feeder_card, CL, FEEDER_CARD, GObject)

/* The card's ATR is known once it is connected (cl_transport_get_atr()), not here. */
ClFeederCard *cl_feeder_card_new (const char *reader);
/* A card to record as REJECTED with reason at IDENTIFY and send to the reject bin, without running the sequence.
 * already_in_bin: the feeder moved it there itself (a recovery), so the card job does not dispose it again. */
ClFeederCard *cl_feeder_card_new_unproduced (const char *reader, ClRejectReason reason, const char *detail,
                                             gboolean already_in_bin);
const char *cl_feeder_card_get_reader (ClFeederCard *self);
gboolean cl_feeder_card_is_unproduced (ClFeederCard *self);
ClRejectReason cl_feeder_card_get_reason (ClFeederCard *self);
const char *cl_feeder_card_get_detail (ClFeederCard *self);
gboolean cl_feeder_card_get_already_in_bin (ClFeederCard *self);

G_END_DECLS
