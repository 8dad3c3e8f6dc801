/* cl-diversify-data.h: the derivation input of each card key diversification template (see
 * vectors/diversification.txt and cl-plain-key-set.h). Pure byte layout, no cryptography, so that the host
 * implementation (lib/crypto) and the token one (lib/p11) build exactly the same bytes from one definition. */
#pragma once

#include <glib.h>

#include "core/cl-key-set.h"

G_BEGIN_DECLS

/* EMV / VISA2: the 16 bytes of 3DES-ECB input, KDD-half F0 kt KDD-half 0F kt. */
void cl_diversify_data_des (ClDiversification method, const guint8 kdd[10], ClKeyRole role, guint8 out[16]);
/* AES_ECB: block n (1 or 2) = KDD || kt || n || 00 00 00 00. */
void cl_diversify_data_aes_ecb_block (const guint8 kdd[10], ClKeyRole role, guint8 n, guint8 out[16]);
/* AES_ECB: the blocks needed for a key_len-byte master (B1, or B1 || B2); returns the length written (16 or 32). */
gsize cl_diversify_data_aes_ecb (const guint8 kdd[10], ClKeyRole role, gsize key_len, guint8 out[32]);
/* KDF3: the AES-CMAC input of block n (1-based), n 00 00 00 kt 00 KDD. */
void cl_diversify_data_kdf3 (const guint8 kdd[10], ClKeyRole role, guint8 n, guint8 out[16]);

G_END_DECLS
