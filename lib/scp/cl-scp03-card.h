/* cl-scp03-card.h: the card side of SCP03, as the virtual card runs it: answers INITIALIZE UPDATE, checks
 * EXTERNAL AUTHENTICATE, then unwraps every command and wraps every response at the negotiated level.
 * Errors: CL_ERROR_SECURITY for MAC/cryptogram failures (the session is closed; a card answers 6982),
 * CL_ERROR_MALFORMED for bad layouts (6700), CL_ERROR_NOT_FOUND for an unknown key version (6A88). */
#pragma once

#include "apdu/cl-apdu.h"
#include "core/cl-key-set.h"

G_BEGIN_DECLS

#define CL_TYPE_SCP03_CARD (cl_scp03_card_get_type ())
G_DECLARE_FINAL_TYPE (ClScp03Card, cl_scp03_card, CL, SCP03_CARD, GObject)

/* i: the card's "i" parameter (e.g. 0x70 pseudo-random challenge and R-MAC/R-ENC support, 0x00 random). */
ClScp03Card *cl_scp03_card_new (ClKeySet *static_keys, const guint8 kdd[10], guint8 i, const guint8 *sd_aid,
                                gsize sd_aid_len);
/* The sequence counter sent in the next INITIALIZE UPDATE response (i & 10); it advances after each. */
void cl_scp03_card_set_sequence_counter (ClScp03Card *self, guint32 seq);
guint32 cl_scp03_card_get_sequence_counter (ClScp03Card *self);
/* Fixes the next card challenge (known-answer tests); otherwise pseudo-random (i & 10) or random. */
void cl_scp03_card_set_next_card_challenge (ClScp03Card *self, const guint8 challenge[8]);

/* Returns the response data (no SW) to INITIALIZE UPDATE; resets any open session. */
GBytes *cl_scp03_card_initialize_update (ClScp03Card *self, const ClApdu *command, GError **error);
/* Verifies EXTERNAL AUTHENTICATE; on success the session is open at the level in its P1. */
gboolean cl_scp03_card_external_authenticate (ClScp03Card *self, const ClApdu *command, GError **error);
gboolean cl_scp03_card_is_open (ClScp03Card *self);
guint8 cl_scp03_card_get_level (ClScp03Card *self);
/* Ends the session (after a security failure, SELECT of another application, reset). */
void cl_scp03_card_close (ClScp03Card *self);
/* The plain command of a wrapped one; any failure closes the session. */
ClApdu *cl_scp03_card_unwrap_command (ClScp03Card *self, const ClApdu *wrapped, GError **error);
ClResponse *cl_scp03_card_wrap_response (ClScp03Card *self, const ClResponse *plain, GError **error);

G_END_DECLS
