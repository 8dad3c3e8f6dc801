/* cl-emv.h: EMV issuer key helpers.
 *
 * Option A (EMV Book 2 A1.4.1): the ICC master key of a card is
 *   3DES-ECB(IMK, Y) || 3DES-ECB(IMK, Y xor FF..FF), Y = the rightmost 16 digits of PAN || PSN (PSN "00" when
 *   absent; left-padded with zeros to 16 digits) as 8 bytes of BCD, with odd DES parity.
 * Inside the token this is one C_DeriveKey CKM_DES3_ECB_ENCRYPT_DATA over Y || ~Y from the IMK (a single key
 * with CKA_DERIVE, cl-key-object.h); the ICC master key stays a sensitive session object.
 *
 * PIN block ISO 9564-1 format 0: (0 L PIN F...) xor (0000 + the 12 rightmost PAN digits without the check
 * digit). The clear block exists in locked host memory only while it is encrypted by the token (C_Encrypt
 * CKM_DES3_ECB under a PIN key) — the token has no mechanism that would build it from the PIN itself. */
#pragma once

#include <p11-kit/pkcs11.h>

#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

/* Y || ~Y. CL_ERROR_INVALID_ARGUMENT names a PAN/PSN that is not digits. psn may be NULL. */
gboolean cl_emv_option_a_data (const char *pan, const char *psn, guint8 out[16], GError **error);
/* Host computation (tests, cross-checks): 16-byte ICC master key with odd parity. */
gboolean cl_emv_option_a_host (const guint8 imk[16], const char *pan, const char *psn, guint8 out[16], GError **error);
/* In the token: derives a session key (CKK_DES2, sensitive, encrypt+derive) from imk. */
gboolean cl_emv_option_a_derive (ClP11Token *token, CK_OBJECT_HANDLE imk, const char *pan, const char *psn,
                                 CK_OBJECT_HANDLE *out, GError **error);

/* The clear format 0 block; pin is 4..12 digits. */
gboolean cl_pin_block_iso0 (const char *pin, const char *pan, guint8 out[8], GError **error);
/* The format 0 block encrypted under pin_key (3DES, CKA_ENCRYPT) inside the token. */
gboolean cl_pin_block_iso0_encrypt (ClP11Token *token, CK_OBJECT_HANDLE pin_key, const char *pin, const char *pan,
                                    guint8 out[8], GError **error);

G_END_DECLS
