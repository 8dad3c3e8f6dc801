/* cl-pin-export.h: the PIN export of a batch for its customer (what `cardline-admin batch export-pins` writes).
 *
 * A text file, one card per line after '#' comment lines:
 *   <chip id> TAB <contents: so-pin | so-pin,pin> TAB <base64 of the card's CMS envelope (DER)>
 * Each envelope opens only with the customer's private key (scheme in cl-pin-escrow.h), e.g.
 *   grep '^CHIPID<TAB>' FILE | cut -f3 | base64 -d | openssl cms -decrypt -inform DER -inkey customer-key.pem
 * and holds "chip-id: …", "so-pin: <16 hex digits>" and, for random user PINs, "pin: <digits>". The file holds no
 * PIN in the clear, so it may travel by ordinary means; it is written 0600 anyway. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

/* The latest envelope of every card of batch_name, written to path (replaced atomically). Audited as "pin-export"
 * by actor (batch, count, file). Returns the number of cards, -1 with CL_ERROR_NOT_FOUND for an unknown batch or one
 * with good cards and no envelope (shipped uninitialised), CL_ERROR_FAILED when some good card has none. */
gint cl_pin_export_write (ClStore *store, const char *batch_name, const char *path, const char *actor, GError **error);

G_END_DECLS
