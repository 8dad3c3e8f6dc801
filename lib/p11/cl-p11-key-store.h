/* cl-p11-key-store.h: GlobalPlatform key sets stored as PKCS#11 objects.
 *
 * Object convention (what cardline-admin writes and ClP11KeySet looks for):
 *   a key set NAME of key version V is three secret keys, CKO_SECRET_KEY, CKK_AES or CKK_DES2/CKK_DES3,
 *   labelled "NAME/enc", "NAME/mac", "NAME/dek", each with CKA_ID = the single byte V (key version 0x01..0x7F).
 *   Attributes: CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true; CKA_EXTRACTABLE false unless the set is flagged
 *   extractable (never for KST/KMC: a master key can neither be read nor wrapped out); CKA_ENCRYPT (SCP02
 *   session keys, check values), CKA_SIGN on AES keys (AES-CMAC for the SCP03 KDF), CKA_DERIVE (card key
 *   diversification) on all three; CKA_WRAP on "dek" only (PUT KEY wraps new keys under the current DEK);
 *   CKA_DECRYPT, CKA_UNWRAP, CKA_VERIFY false.
 * Card keys diversified from a master are session objects labelled "NAME.KDD/enc" (KDD in hex), see
 * cl-p11-key-set.h. */
#pragma once

#include "core/cl-key-set.h"
#include "p11/cl-p11-key-set.h"
#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

typedef enum
{
  CL_P11_KEY_SET_FLAGS_NONE = 0,
  /* Static card keys that are themselves sent in PUT KEY; never masters. */
  CL_P11_KEY_SET_EXTRACTABLE = 1 << 0,
  /* Session objects, gone when the token is closed (tests, one-off ceremonies). */
  CL_P11_KEY_SET_SESSION = 1 << 1,
} ClP11KeySetFlags;

/* Imports plain key values (demo token and tests only; production masters come from a ceremony).
 * enc/mac/dek must have one length: 16/24/32 (AES) or 16/24 (DES3). Fails if NAME/V already exists. */
gboolean cl_p11_token_import_key_set (ClP11Token *token, const char *name, guint8 version, ClKeyType type, GBytes *enc,
                                      GBytes *mac, GBytes *dek, ClP11KeySetFlags flags, GError **error);
/* Generates the three keys inside the token. */
gboolean cl_p11_token_generate_key_set (ClP11Token *token, const char *name, guint8 version, ClKeyType type,
                                        gsize key_len, ClP11KeySetFlags flags, GError **error);
/* The key set NAME/V, or CL_ERROR_NOT_FOUND naming the missing label. */
ClP11KeySet *cl_p11_token_find_key_set (ClP11Token *token, const char *name, guint8 version, ClP11KeySetOptions options,
                                        GError **error);
/* Key versions present for NAME (those with all three keys), ascending; an empty array if none. */
GArray *cl_p11_token_list_key_set_versions (ClP11Token *token, const char *name, GError **error);
/* Destroys the three objects of NAME/V. */
gboolean cl_p11_token_delete_key_set (ClP11Token *token, const char *name, guint8 version, GError **error);

/* The label of role in key set name ("NAME/enc"). */
char *cl_p11_key_label (const char *name, ClKeyRole role);

G_END_DECLS
