/* cl-scp03.h: the host side of a GlobalPlatform SCP03 secure channel (AES-128/192/256; levels 00, 01, 03, 11,
 * 13, 33). It implements ClSecureChannel and installs itself on a ClCardChannel once open. */
#pragma once

#include "apdu/cl-card-channel.h"
#include "core/cl-key-set.h"
#include "scp/cl-scp-handshake.h"
#include "scp/cl-scp-level.h"

G_BEGIN_DECLS

#define CL_TYPE_SCP03 (cl_scp03_get_type ())
G_DECLARE_FINAL_TYPE (ClScp03, cl_scp03, CL, SCP03, GObject)

/* INITIALIZE UPDATE + EXTERNAL AUTHENTICATE on channel (removing any secure channel first), then installs the new
 * channel on it. kvn 0 = the card's default key set. host_challenge NULL = random. */
ClScp03 *cl_scp03_open (ClCardChannel *channel, ClKeySet *static_keys, guint8 kvn, guint8 level,
                        const guint8 *host_challenge, GCancellable *cancellable, GError **error);

/* The same with card-unique keys: keys_for_kdd makes them from the KDD in the card's INITIALIZE UPDATE answer,
 * so that the card need not be asked for its KDD first (one APDU less). */
ClScp03 *cl_scp03_open_diversified (ClCardChannel *channel, ClScpKeysForKdd keys_for_kdd, gpointer user_data,
                                    guint8 kvn, guint8 level, GCancellable *cancellable, GError **error);

/* The steps of cl_scp03_open, for tests and for callers that drive the exchange themselves. */
ClScp03 *cl_scp03_new (ClKeySet *static_keys, guint8 level, const guint8 *host_challenge, GError **error);
/* With the AID of the security domain, a pseudo-random card challenge (i & 10) is checked against it. */
void cl_scp03_set_sd_aid (ClScp03 *self, const guint8 *aid, gsize len);
ClApdu *cl_scp03_initialize_update_apdu (ClScp03 *self, guint8 kvn);
/* Parses the INITIALIZE UPDATE response data (without SW), derives the session keys and checks the card
 * cryptogram (CL_ERROR_SECURITY on mismatch, CL_ERROR_MALFORMED on a bad layout). */
gboolean cl_scp03_process_initialize_update (ClScp03 *self, const guint8 *data, gsize len, GError **error);
/* The EXTERNAL AUTHENTICATE command; from here on the channel wraps and unwraps. */
ClApdu *cl_scp03_external_authenticate_apdu (ClScp03 *self, GError **error);

ClKeySet *cl_scp03_get_static_keys (ClScp03 *self);
guint8 cl_scp03_get_level (ClScp03 *self);
guint8 cl_scp03_get_i (ClScp03 *self);
guint8 cl_scp03_get_card_kvn (ClScp03 *self);
/* KDD (10 bytes) from the INITIALIZE UPDATE response, the input of card key diversification. */
const guint8 *cl_scp03_get_kdd (ClScp03 *self);
/* Sequence counter (i & 10), or -1 when the card sent none. */
gint32 cl_scp03_get_sequence_counter (ClScp03 *self);

G_END_DECLS
