/* cl-store-place.h: a batch's quantity shared by every station producing it (issue 18: exactly once across
 * stations, enforced by the database).
 *
 * A batch with a quantity has places 1..quantity (batch_places, schema version 11). A printer-fed station takes a
 * place before it feeds a card from its hopper, a rack once a card is present in a reader (so an idle reader holds
 * none), and the production service before it admits a relayed card (cl_store_place_take); the card's production
 * attempt keeps it (cl_store_attempt_begin binds a
 * place the station took, or takes one itself): a card is never fed, nor its chip changed, without one. An attempt
 * disposed to the output, the reject bin or UNKNOWN keeps its place for good; one that ends RETAINED (the card was
 * never made: a killed station's, a station fault's) gives it back, and an interrupted attempt resumed on the same
 * card keeps it, as it keeps its attempt. So a batch ends at exactly its quantity of disposed cards, however many
 * stations share it, and a station that finds no place free stops feeding.
 *
 * The rule is the database's: a place's primary key (batch_id, place) and CHECK (place BETWEEN 1 AND quantity)
 * make an extra place impossible, and each take runs in one transaction (the fleet's write lock on PostgreSQL,
 * BEGIN IMMEDIATE on SQLite) that also locks the batch row, so that concurrent takes take their turn instead of
 * failing on the key. A place a station took and never bound to an attempt goes back when that station starts again
 * (cl_store_attempt_abandon_open) or, once its station lease has ended (cl-store-station.h), to whichever station
 * takes the next place. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 quantity;
  gint64 held;     /* places taken: by stations about to feed, by open attempts, by disposed cards */
  gint64 disposed; /* cl_store_batch_count_disposed() */
} ClPlaceCounts;

/* Takes a free place of batch_id for station, to be bound by the station's next production attempt in the batch.
 * Returns the place (1..quantity), 0 when none is free (every place is held: the batch is complete once as many
 * cards are disposed), -1 with error. A batch without a quantity (0) has no places: CL_ERROR_INVALID_ARGUMENT. */
gint64 cl_store_place_take (ClStore *self, gint64 batch_id, const char *station, GError **error);
/* Gives back one place station took in batch_id and bound to no attempt (the card it was for was not fed). FALSE
 * with CL_ERROR_NOT_FOUND when station holds none. */
gboolean cl_store_place_give_back (ClStore *self, gint64 batch_id, const char *station, GError **error);
gboolean cl_store_place_count (ClStore *self, gint64 batch_id, ClPlaceCounts *out, GError **error);

G_END_DECLS
