/* cl-scp03-session.h: the SCP03 (GP 2.2 Amendment D) computations shared by the host (ClScp03) and the card
 * side (ClScp03Card). Static keys are only reached through their ClKeySet; session keys live here, in host
 * memory, for the life of the session, and are wiped by cl_scp03_session_clear. */
#pragma once

#include "apdu/cl-apdu.h"
#include "core/cl-key-set.h"

G_BEGIN_DECLS

/* KDF derivation constants. */
#define CL_SCP03_DERIVE_CARD_CRYPTOGRAM 0x00
#define CL_SCP03_DERIVE_HOST_CRYPTOGRAM 0x01
#define CL_SCP03_DERIVE_CARD_CHALLENGE  0x02
#define CL_SCP03_DERIVE_S_ENC           0x04
#define CL_SCP03_DERIVE_S_MAC           0x06
#define CL_SCP03_DERIVE_S_RMAC          0x07

/* i parameter bit: pseudo-random card challenge and a sequence counter in INITIALIZE UPDATE. */
#define CL_SCP03_I_PSEUDO_RANDOM 0x10

typedef struct
{
  gsize key_len;
  guint8 s_enc[32];
  guint8 s_mac[32];
  guint8 s_rmac[32];
  guint8 chain[16]; /* MAC chaining value */
  guint32 counter;  /* encryption counter of the last command */
  guint8 level;
  guint8 host_challenge[8];
  guint8 card_challenge[8];
} ClScp03Session;

/* SP800-108 counter KDF with AES-CMAC under the static key role of keys; out receives l_bits / 8 bytes. */
gboolean cl_scp03_kdf (ClKeySet *keys, ClKeyRole role, guint8 constant, guint16 l_bits, const guint8 *context,
                       gsize context_len, guint8 *out, GError **error);
/* The same KDF under a key in memory (session keys). */
gboolean cl_scp03_kdf_with_key (const guint8 *key, gsize key_len, guint8 constant, guint16 l_bits,
                                const guint8 *context, gsize context_len, guint8 *out, GError **error);
/* Pseudo-random card challenge: KDF(static ENC, 02, 64, seq(3) || SD AID). */
gboolean cl_scp03_card_challenge (ClKeySet *keys, const guint8 seq[3], const guint8 *sd_aid, gsize sd_aid_len,
                                  guint8 out[8], GError **error);

/* Derives S-ENC, S-MAC, S-RMAC from the static keys and the two challenges; resets chain and counter. */
gboolean cl_scp03_session_derive (ClScp03Session *session, ClKeySet *keys, const guint8 host_challenge[8],
                                  const guint8 card_challenge[8], GError **error);
/* constant CL_SCP03_DERIVE_CARD_CRYPTOGRAM or _HOST_CRYPTOGRAM. */
gboolean cl_scp03_session_cryptogram (ClScp03Session *session, guint8 constant, guint8 out[8], GError **error);
void cl_scp03_session_clear (ClScp03Session *session);

/* Host: C-DEC (if level has it) then C-MAC (if level has it, or always when force_mac, as for EXTERNAL
 * AUTHENTICATE); advances the counter unless force_mac. */
ClApdu *cl_scp03_session_wrap_command (ClScp03Session *session, const ClApdu *plain, gboolean force_mac,
                                       GError **error);
/* Host: verifies R-MAC and decrypts R-ENC per level. */
ClResponse *cl_scp03_session_unwrap_response (ClScp03Session *session, const ClResponse *response, GError **error);
/* Card: verifies C-MAC and decrypts C-DEC per level (force_mac as above); returns the plain command. */
ClApdu *cl_scp03_session_unwrap_command (ClScp03Session *session, const ClApdu *wrapped, gboolean force_mac,
                                         GError **error);
/* Card: R-ENC and R-MAC per level. */
ClResponse *cl_scp03_session_wrap_response (ClScp03Session *session, const ClResponse *plain, GError **error);
/* Largest plain command data that fits one short APDU at level. */
gsize cl_scp03_max_plain_data (guint8 level);
/* Largest plain command data whose wrapped data field (padding and C-MAC counted) is at most max_wire_data bytes. */
gsize cl_scp03_max_plain_data_within (guint8 level, gsize max_wire_data);

G_END_DECLS
