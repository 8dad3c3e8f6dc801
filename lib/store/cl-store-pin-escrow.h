/* cl-store-pin-escrow.h: the per-card PIN envelopes of batches whose profile names a customer key
 * ([initialize] pin-export-key). An envelope is opaque to the store: a CMS EnvelopedData that only the customer's
 * private key opens (production/cl-pin-escrow.h makes them); the station cannot read a PIN back.
 *
 * Table pin_escrow (append-only, created on first use by CREATE TABLE IF NOT EXISTS rather than a numbered
 * migration, so it adds to any schema version without touching the migration list): id, chip_id, attempt_id,
 * created, recipient (SHA-256 of the customer key's SubjectPublicKeyInfo, hex), contents ("so-pin" or
 * "so-pin,pin"), envelope (DER). A card initialised again gets a new row; the latest row of a chip is the one
 * that holds. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 id;
  char *chip_id;
  gint64 attempt_id;
  gint64 created;
  char *recipient;
  char *contents;
  GBytes *envelope;
} ClPinEscrowRecord;

void cl_pin_escrow_record_free (ClPinEscrowRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClPinEscrowRecord, cl_pin_escrow_record_free)

/* Durable before it returns (the caller initialises the card only after it), and audited as "pin-escrow" by actor
 * with the recipient and contents (never a value). Returns the row id. */
gint64 cl_store_pin_escrow_add (ClStore *self, gint64 attempt_id, const char *chip_id, const char *recipient,
                                const char *contents, GBytes *envelope, const char *actor, GError **error);
/* The latest envelope of every chip whose attempt belongs to batch_id, by chip id; GPtrArray of ClPinEscrowRecord. */
GPtrArray *cl_store_pin_escrow_list (ClStore *self, gint64 batch_id, GError **error);
/* Good chips of batch_id, those with an envelope, and the good ones without (a batch whose cards the station
 * initialised — it has envelopes — cannot be closed while the last is above 0; see cl_store_batch_set_state). */
gboolean cl_store_pin_escrow_count (ClStore *self, gint64 batch_id, gint64 *good, gint64 *sealed, gint64 *unsealed_good,
                                    GError **error);
/* The recipient fingerprint of chip_id's latest envelope; NULL with CL_ERROR_NOT_FOUND when it has none. */
char *cl_store_pin_escrow_recipient (ClStore *self, const char *chip_id, GError **error);

G_END_DECLS
