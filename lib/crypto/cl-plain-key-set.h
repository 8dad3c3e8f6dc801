/* cl-plain-key-set.h: a ClKeySet whose keys live in host memory (tests, the virtual card, and the explicit
 * host-side opt-in of a profile). Keys are wiped when the object is finalized.
 *
 * Diversification (cl_key_set_diversify), per role key kt = 01 ENC, 02 MAC, 03 DEK, each from the master key of
 * the same role:
 *   EMV      3DES-ECB(master, KDD[4..9] F0 kt KDD[4..9] 0F kt)
 *   VISA2    3DES-ECB(master, KDD[0..1] KDD[4..7] F0 kt KDD[0..1] KDD[4..7] 0F kt)
 *   KDF3     AES-CMAC(master, n 00 00 00 kt 00 KDD[0..9]) for n = 01 (and 02 for 24/32-byte masters),
 *            concatenated and truncated to the master's length
 *   AES_ECB  AES-ECB(master, B1 [|| B2]) truncated to the master's length, with the 16-byte blocks
 *            Bn = KDD[0..9] || kt || n || 00 00 00 00   (n = 01, and 02 for 24/32-byte masters)
 *            This is what a PKCS#11 token computes inside itself with CKM_AES_ECB_ENCRYPT_DATA over
 *            B1 (16-byte master) or B1 || B2 (24/32-byte master, CKA_VALUE_LEN = master length).
 * The input layouts are built in one place, core/cl-diversify-data.h, shared with the PKCS#11 key set. */
#pragma once

#include "core/cl-key-set.h"

G_BEGIN_DECLS

#define CL_TYPE_PLAIN_KEY_SET (cl_plain_key_set_get_type ())
G_DECLARE_FINAL_TYPE (ClPlainKeySet, cl_plain_key_set, CL, PLAIN_KEY_SET, GObject)

/* key_len: 16/24/32 for AES, 16/24 for 3DES; the three keys are copied. */
ClKeySet *cl_plain_key_set_new (ClKeyType type, guint8 version, const guint8 *enc, const guint8 *mac, const guint8 *dek,
                                gsize key_len, GError **error);

G_END_DECLS
