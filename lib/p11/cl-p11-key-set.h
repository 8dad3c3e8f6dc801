/* cl-p11-key-set.h: ClKeySet whose keys stay in a PKCS#11 token.
 *
 * Mechanisms: cmac = C_Sign CKM_AES_CMAC; encrypt and check values = C_Encrypt CKM_AES_ECB/CBC,
 * CKM_DES3_ECB/CBC (zero IV); wrap = C_WrapKey CKM_AES_CBC/CKM_DES3_CBC with zero IV (ECB of a single-block
 * key is the same bytes, and tokens such as SoftHSM2 offer wrapping only in CBC), CKM_AES_ECB/CKM_DES3_ECB
 * otherwise; diversify = C_DeriveKey CKM_DES3_ECB_ENCRYPT_DATA (EMV, VISA2) or CKM_AES_ECB_ENCRYPT_DATA
 * (AES_ECB).
 *
 * Diversified card keys are session objects: CKA_SENSITIVE true (their value cannot be read), but
 * CKA_EXTRACTABLE true, because PUT KEY must C_WrapKey them under the card's current DEK or the SCP02
 * session DEK; the master they come from stays non-extractable. They are destroyed with the key set.
 *
 * KDF3 needs AES-CMAC as a key derivation, which PKCS#11 tokens (SoftHSM2 included) do not offer through
 * C_DeriveKey. It fails with CL_ERROR_NOT_SUPPORTED unless the key set was found with
 * CL_P11_KEY_SET_ALLOW_HOST_DERIVATION: then the CMAC blocks are computed by C_Sign in the token, the card key
 * is assembled in host memory, created as a sensitive session object and the host copy wiped; the resulting
 * set reports cl_p11_key_set_get_host_derived() TRUE so the caller can audit it. The same opt-in covers SCP02
 * PUT KEY on tokens that wrap no 3DES key (SoftHSM2): see cl_p11_key_set_check_wrap(). */
#pragma once

#include <glib-object.h>
#include <p11-kit/pkcs11.h>

#include "core/cl-key-set.h"
#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

typedef enum
{
  CL_P11_KEY_SET_OPTIONS_NONE = 0,
  /* Profile opt-in: diversification methods the token cannot run inside itself (KDF3) may assemble the
   * card key in host memory for an instant. */
  CL_P11_KEY_SET_ALLOW_HOST_DERIVATION = 1 << 0,
} ClP11KeySetOptions;

#define CL_TYPE_P11_KEY_SET (cl_p11_key_set_get_type ())
G_DECLARE_FINAL_TYPE (ClP11KeySet, cl_p11_key_set, CL, P11_KEY_SET, GObject)

/* Wraps existing objects; owns_objects: destroy them when the key set goes (derived session keys). */
ClP11KeySet *cl_p11_key_set_new (ClP11Token *token, const char *name, guint8 version, ClKeyType type, gsize key_len,
                                 const CK_OBJECT_HANDLE handles[3], gboolean owns_objects, ClP11KeySetOptions options);

ClP11Token *cl_p11_key_set_get_token (ClP11KeySet *self);
const char *cl_p11_key_set_get_name (ClP11KeySet *self);
CK_OBJECT_HANDLE cl_p11_key_set_get_handle (ClP11KeySet *self, ClKeyRole role);
ClP11KeySetOptions cl_p11_key_set_get_options (ClP11KeySet *self);
/* The keys' length in bytes; 0 for an AES set whose token records no CKA_VALUE_LEN (SoftHSM2 for a key made by
 * C_UnwrapKey, which refuses the attribute in the unwrap template). */
gsize cl_p11_key_set_get_key_length (ClP11KeySet *self);
/* Gives such a set the length its keys were made with (the key ceremony's record); only while it has none. */
void cl_p11_key_set_set_unrecorded_length (ClP11KeySet *self, gsize key_len);
/* TRUE when this set's keys passed through host memory (KDF3, or a 3DES PUT KEY wrap, under the opt-in): audit it. */
gboolean cl_p11_key_set_get_host_derived (ClP11KeySet *self);
/* Whether PUT KEY can wrap keys of this set's type (ECB, or CBC for token-derived keys) inside the token, probed
 * once with throwaway session keys. SoftHSM2 2.6 wraps no 3DES key at all: then, for a 3DES set found with
 * CL_P11_KEY_SET_ALLOW_HOST_DERIVATION, each EMV/VISA2 card key is computed by C_Encrypt of its derivation data
 * under the master in the token, held in locked host memory while the token C_Encrypts it under the wrapping key
 * (the SCP02 session DEK), and wiped at once (*on_host TRUE). Otherwise CL_ERROR_NOT_SUPPORTED naming the
 * mechanisms and the missing opt-in. Call it before the first card (production setup). */
gboolean cl_p11_key_set_check_wrap (ClP11KeySet *self, gboolean *on_host, GError **error);

G_END_DECLS
