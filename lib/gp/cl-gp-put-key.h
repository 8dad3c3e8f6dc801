/* cl-gp-put-key.h: PUT KEY for a whole key set (ENC, MAC, DEK as key ids 1-3) and the check of the
 * card's answer. Key values never pass through here: the key set wraps its keys and computes their KCVs. */
#pragma once

#include "apdu/cl-apdu.h"
#include "core/cl-key-set.h"

G_BEGIN_DECLS

typedef enum
{
  /* SCP03: AES keys (type 88) under AES-CBC with the current static DEK, IV 0. */
  CL_GP_KEY_WRAP_STATIC_DEK,
  /* SCP02: 3DES keys (type 80) under 3DES-ECB with the session DEK. */
  CL_GP_KEY_WRAP_SESSION_DEK,
} ClGpKeyWrapMode;

typedef struct
{
  ClGpKeyWrapMode mode;
  ClKeySet *current;         /* STATIC_DEK: the key set the channel was opened with */
  const guint8 *session_dek; /* SESSION_DEK: the S-DEK of the open session */
  gsize session_dek_len;
  /* AES only: write the key length byte inside the key data ("88 11 10 <key>"); some cards
   * want it left out ("88 10 <key>"). */
  gboolean inner_length;
} ClGpKeyWrap;

/* What the card must answer: the new key version and the check values of ENC, MAC, DEK. */
typedef struct
{
  guint8 version;
  guint8 kcv[3][3];
} ClGpKeyCheck;

/* 80 D8 old_kvn 81 <new_kvn {type len [keylen] wrapped 03 kcv} x3> 00, flagged sensitive.
 * old_kvn 0 adds a key set; otherwise it replaces that version. expected (may be NULL) receives the
 * answer to compare with cl_gp_put_key_check_response. */
ClApdu *cl_gp_put_key_apdu (ClKeySet *new_keys, guint8 old_kvn, const ClGpKeyWrap *wrap, ClGpKeyCheck *expected,
                            GError **error);
/* Compares the card's "KVN KCV1 KCV2 KCV3" with expected; a mismatch is CL_ERROR_SECURITY naming the key. */
gboolean cl_gp_put_key_check_response (const guint8 *data, gsize len, const ClGpKeyCheck *expected, GError **error);

G_END_DECLS
