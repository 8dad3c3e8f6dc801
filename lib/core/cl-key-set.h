/* cl-key-set.h: a GlobalPlatform key set (ENC, MAC, DEK of one key version) as the protocol code sees it.
 *
 * The protocol code never needs key values: it asks the key set to compute what the secure channel needs
 * (CMAC for the SCP03 KDF, block encryption for SCP02 session keys and cryptogram-free derivations, check
 * values, wrapping of new keys for PUT KEY, diversification). Two implementations exist:
 * ClPlainKeySet (lib/crypto, host memory: tests, the virtual card, explicit host-side opt-in) and
 * ClP11KeySet (lib/p11, keys stay in the PKCS#11 token). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The numbering is the key type byte of the diversification templates (ENC 01, MAC 02, DEK 03). */
typedef enum
{
  CL_KEY_ROLE_ENC = 1,
  CL_KEY_ROLE_MAC = 2,
  CL_KEY_ROLE_DEK = 3,
} ClKeyRole;

typedef enum
{
  CL_KEY_TYPE_AES,
  CL_KEY_TYPE_DES3, /* two-key (16 bytes) or three-key (24 bytes) triple DES */
} ClKeyType;

typedef enum
{
  CL_CIPHER_ECB,
  CL_CIPHER_CBC_ZERO_IV,
} ClCipherMode;

/* Card key diversification from a master key set and the 10-byte KDD (see vectors/diversification.txt). */
typedef enum
{
  CL_DIVERSIFY_NONE,    /* the card uses the master key set itself */
  CL_DIVERSIFY_EMV,     /* EMV CPS, 3DES-ECB over KDD[4..9] F0 kt KDD[4..9] 0F kt */
  CL_DIVERSIFY_VISA2,   /* VISA2, 3DES-ECB */
  CL_DIVERSIFY_KDF3,    /* AES-CMAC counter KDF; token-internal only where the token can derive by CMAC */
  CL_DIVERSIFY_AES_ECB, /* AES-ECB over KDD-based blocks, which a PKCS#11 token runs inside itself */
} ClDiversification;

#define CL_TYPE_KEY_SET (cl_key_set_get_type ())
G_DECLARE_INTERFACE (ClKeySet, cl_key_set, CL, KEY_SET, GObject)

struct _ClKeySetInterface
{
  GTypeInterface parent_iface;

  ClKeyType (*get_key_type) (ClKeySet *self);
  gsize (*get_key_length) (ClKeySet *self);
  guint8 (*get_version) (ClKeySet *self);

  gboolean (*cmac) (ClKeySet *self, ClKeyRole role, const guint8 *data, gsize len, guint8 out[16], GError **error);
  GBytes *(*encrypt) (ClKeySet *self, ClKeyRole role, ClCipherMode mode, const guint8 *data, gsize len, GError **error);
  gboolean (*check_value) (ClKeySet *self, ClKeyRole role, guint8 kcv[3], GError **error);
  GBytes *(*wrap_with_key_set) (ClKeySet *self, ClKeyRole role, ClKeySet *wrapping, ClKeyRole wrapping_role,
                                ClCipherMode mode, GError **error);
  GBytes *(*wrap_with_session_key) (ClKeySet *self, ClKeyRole role, const guint8 *session_key, gsize key_len,
                                    ClCipherMode mode, GError **error);
  ClKeySet *(*diversify) (ClKeySet *self, ClDiversification method, const guint8 kdd[10], guint8 new_version,
                          GError **error);
};

ClKeyType cl_key_set_get_key_type (ClKeySet *self);
gsize cl_key_set_get_key_length (ClKeySet *self);
guint8 cl_key_set_get_version (ClKeySet *self);

/* AES-CMAC of data under the static key of role (AES key sets only). */
gboolean cl_key_set_cmac (ClKeySet *self, ClKeyRole role, const guint8 *data, gsize len, guint8 out[16],
                          GError **error);
/* Block encryption of data (a multiple of the block size) under the static key of role. */
GBytes *cl_key_set_encrypt (ClKeySet *self, ClKeyRole role, ClCipherMode mode, const guint8 *data, gsize len,
                            GError **error);
/* GlobalPlatform check value: AES(key, 16x01)[0..2], 3DES(key, 8x00)[0..2]. */
gboolean cl_key_set_check_value (ClKeySet *self, ClKeyRole role, guint8 kcv[3], GError **error);
/* The key of role in self, encrypted under the key wrapping_role of wrapping (same backend). */
GBytes *cl_key_set_wrap_with_key_set (ClKeySet *self, ClKeyRole role, ClKeySet *wrapping, ClKeyRole wrapping_role,
                                      ClCipherMode mode, GError **error);
/* The key of role in self, encrypted under a session key that lives in host memory (SCP02 S-DEK). */
GBytes *cl_key_set_wrap_with_session_key (ClKeySet *self, ClKeyRole role, const guint8 *session_key, gsize key_len,
                                          ClCipherMode mode, GError **error);
/* A new key set of the same backend holding the card keys diversified from self. */
ClKeySet *cl_key_set_diversify (ClKeySet *self, ClDiversification method, const guint8 kdd[10], guint8 new_version,
                                GError **error);

const char *cl_diversification_to_string (ClDiversification method);
gboolean cl_diversification_from_string (const char *name, ClDiversification *out, GError **error);

G_END_DECLS
