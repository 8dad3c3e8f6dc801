/* cl-p11-diversify-data.h (internal): the derivation data of each diversification template, the part of
 * vectors/diversification.txt that the token cannot know. Must match ClPlainKeySet byte for byte. */
#pragma once

#include <glib.h>

#include "core/cl-key-set.h"

G_BEGIN_DECLS

/* EMV / VISA2: 16 bytes of 3DES-ECB input for a 16-byte card key (24-byte masters: first 16 repeated as K3). */
void cl_p11_diversify_data_des (ClDiversification method, const guint8 kdd[10], ClKeyRole role, guint8 out[16]);
/* AES_ECB: key_len rounded up to 16 bytes of AES-ECB input; returns the length written to out (<= 32). */
gsize cl_p11_diversify_data_aes_ecb (const guint8 kdd[10], ClKeyRole role, gsize key_len, guint8 out[32]);
/* KDF3: the AES-CMAC input of block i (1-based). */
void cl_p11_diversify_data_kdf3 (const guint8 kdd[10], ClKeyRole role, guint8 i, guint8 out[16]);

G_END_DECLS
