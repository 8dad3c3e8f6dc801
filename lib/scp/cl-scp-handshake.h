/* cl-scp-handshake.h: the INITIALIZE UPDATE / EXTERNAL AUTHENTICATE exchange that SCP02 and SCP03 share, on
 * both sides. The protocols differ only in the response layout and the cryptograms, which stay in
 * cl-scp02*.c / cl-scp03*.c and are passed in here. */
#pragma once

#include "apdu/cl-card-channel.h"
#include "apdu/cl-secure-channel.h"
#include "core/cl-key-set.h"

G_BEGIN_DECLS

/* Host side: checks the INITIALIZE UPDATE response data (no SW) and derives the session. */
typedef gboolean (*ClScpProcessInitializeUpdate) (ClSecureChannel *scp, const guint8 *data, gsize len, GError **error);
/* Host side: the wrapped EXTERNAL AUTHENTICATE; the channel is open from then on. */
typedef ClApdu *(*ClScpExternalAuthenticate) (ClSecureChannel *scp, GError **error);

/* 80 50 KVN 00 08 host-challenge 00. */
ClApdu *cl_scp_initialize_update_apdu (guint8 kvn, const guint8 host_challenge[8]);

/* Removes any secure channel from channel, runs INITIALIZE UPDATE + EXTERNAL AUTHENTICATE with the protocol's
 * steps, then installs scp on channel. */
gboolean cl_scp_handshake (ClCardChannel *channel, ClSecureChannel *scp, guint8 kvn, const guint8 host_challenge[8],
                           ClScpProcessInitializeUpdate process, ClScpExternalAuthenticate authenticate,
                           GCancellable *cancellable, GError **error);

/* The steps of cl_scp_handshake: INITIALIZE UPDATE in plain (removing any secure channel first), returning the
 * response data; then the checks, EXTERNAL AUTHENTICATE and the installation of scp on channel. */
GBytes *cl_scp_initialize_update (ClCardChannel *channel, guint8 kvn, const guint8 host_challenge[8],
                                  GCancellable *cancellable, GError **error);
gboolean cl_scp_handshake_finish (ClCardChannel *channel, ClSecureChannel *scp, GBytes *response,
                                  ClScpProcessInitializeUpdate process, ClScpExternalAuthenticate authenticate,
                                  GCancellable *cancellable, GError **error);

/* Card-unique static keys for the 10-byte KDD the card's INITIALIZE UPDATE answer carries (GlobalPlatform key
 * diversification): the host opens the session without asking the card for its KDD first. */
typedef ClKeySet *(*ClScpKeysForKdd) (const guint8 *kdd, gpointer user_data, GError **error);
/* The protocol object, not yet open, for static keys and a host challenge (cl_scp03_new, cl_scp02_new). */
typedef ClSecureChannel *(*ClScpNewChannel) (ClKeySet *static_keys, guint8 level, const guint8 *host_challenge,
                                             GError **error);
/* INITIALIZE UPDATE with a random host challenge, then the protocol object for the keys keys_for_kdd makes from the
 * answer's KDD, the rest of the handshake and its installation on channel; CL_ERROR_MALFORMED for an answer too
 * short to hold a KDD. */
ClSecureChannel *cl_scp_open_diversified (ClCardChannel *channel, guint8 kvn, guint8 level,
                                          ClScpKeysForKdd keys_for_kdd, gpointer user_data, ClScpNewChannel new_channel,
                                          ClScpProcessInitializeUpdate process, ClScpExternalAuthenticate authenticate,
                                          GCancellable *cancellable, GError **error);

/* Card side: checks the layout of INITIALIZE UPDATE (80 50 with an 8-byte host challenge, P1 0 or key_version)
 * and returns the host challenge; CL_ERROR_MALFORMED / CL_ERROR_NOT_FOUND otherwise. */
const guint8 *cl_scp_card_check_initialize_update (const ClApdu *command, guint8 key_version, GError **error);
/* Card side: checks the layout of EXTERNAL AUTHENTICATE (INS 82, 16 bytes, a valid level in P1);
 * CL_ERROR_MALFORMED otherwise. */
gboolean cl_scp_card_check_external_authenticate (const ClApdu *command, gboolean allow_response_protection,
                                                  GError **error);

G_END_DECLS
