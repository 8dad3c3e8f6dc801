/* cl-scp02.h: the host side of a GlobalPlatform SCP02 secure channel (3DES, i = 15/55, levels 00, 01, 03).
 * Responses pass unchanged (no R-MAC). The session S-DEK stays available for PUT KEY
 * (cl_key_set_wrap_with_session_key). */
#pragma once

#include "apdu/cl-card-channel.h"
#include "core/cl-key-set.h"
#include "scp/cl-scp-handshake.h"
#include "scp/cl-scp-level.h"

G_BEGIN_DECLS

#define CL_TYPE_SCP02 (cl_scp02_get_type ())
G_DECLARE_FINAL_TYPE (ClScp02, cl_scp02, CL, SCP02, GObject)

ClScp02 *cl_scp02_open (ClCardChannel *channel, ClKeySet *static_keys, guint8 kvn, guint8 level,
                        const guint8 *host_challenge, GCancellable *cancellable, GError **error);

/* The same with card-unique keys: keys_for_kdd makes them from the KDD in the card's INITIALIZE UPDATE answer,
 * so that the card need not be asked for its KDD first (one APDU less). */
ClScp02 *cl_scp02_open_diversified (ClCardChannel *channel, ClScpKeysForKdd keys_for_kdd, gpointer user_data,
                                    guint8 kvn, guint8 level, GCancellable *cancellable, GError **error);

ClScp02 *cl_scp02_new (ClKeySet *static_keys, guint8 level, const guint8 *host_challenge, GError **error);
ClApdu *cl_scp02_initialize_update_apdu (ClScp02 *self, guint8 kvn);
/* Parses the 28-byte INITIALIZE UPDATE response data (without SW), derives the session keys, checks the card
 * cryptogram. */
gboolean cl_scp02_process_initialize_update (ClScp02 *self, const guint8 *data, gsize len, GError **error);
ClApdu *cl_scp02_external_authenticate_apdu (ClScp02 *self, GError **error);

ClKeySet *cl_scp02_get_static_keys (ClScp02 *self);
guint8 cl_scp02_get_level (ClScp02 *self);
guint8 cl_scp02_get_card_kvn (ClScp02 *self);
const guint8 *cl_scp02_get_kdd (ClScp02 *self);
guint16 cl_scp02_get_sequence_counter (ClScp02 *self);
/* The 16-byte session DEK (host memory, wiped with the object); NULL before INITIALIZE UPDATE. */
const guint8 *cl_scp02_get_session_dek (ClScp02 *self, gsize *len);

G_END_DECLS
