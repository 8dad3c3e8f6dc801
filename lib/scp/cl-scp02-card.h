/* cl-scp02-card.h: the card side of SCP02 (levels 01, 03), as the virtual card runs it. Same error contract as
 * cl-scp03-card.h. */
#pragma once

#include "apdu/cl-apdu.h"
#include "core/cl-key-set.h"

G_BEGIN_DECLS

#define CL_TYPE_SCP02_CARD (cl_scp02_card_get_type ())
G_DECLARE_FINAL_TYPE (ClScp02Card, cl_scp02_card, CL, SCP02_CARD, GObject)

ClScp02Card *cl_scp02_card_new (ClKeySet *static_keys, const guint8 kdd[10]);
/* The sequence counter of the next session; it advances after each INITIALIZE UPDATE. */
void cl_scp02_card_set_sequence_counter (ClScp02Card *self, guint16 seq);
guint16 cl_scp02_card_get_sequence_counter (ClScp02Card *self);
void cl_scp02_card_set_next_card_challenge (ClScp02Card *self, const guint8 challenge[6]);

GBytes *cl_scp02_card_initialize_update (ClScp02Card *self, const ClApdu *command, GError **error);
gboolean cl_scp02_card_external_authenticate (ClScp02Card *self, const ClApdu *command, GError **error);
gboolean cl_scp02_card_is_open (ClScp02Card *self);
guint8 cl_scp02_card_get_level (ClScp02Card *self);
void cl_scp02_card_close (ClScp02Card *self);
ClApdu *cl_scp02_card_unwrap_command (ClScp02Card *self, const ClApdu *wrapped, GError **error);
/* SCP02 levels 01/03 leave responses as they are. */
ClResponse *cl_scp02_card_wrap_response (ClScp02Card *self, const ClResponse *plain, GError **error);
/* The session DEK, for decrypting PUT KEY key data; NULL without a session. */
const guint8 *cl_scp02_card_get_session_dek (ClScp02Card *self);

G_END_DECLS
