/* cl-p11-key-check.h: whether a key object in the token carries the attributes production relies on (what a
 * station check reports before the first card): a master or signing key must be sensitive and never extractable,
 * and allow the operations the sequence asks of it. Read-only: attributes are read, nothing is changed. */
#pragma once

#include <p11-kit/pkcs11.h>

#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

typedef enum
{
  CL_P11_KEY_USE_NONE = 0,
  CL_P11_KEY_USE_SIGN = 1 << 0,    /* CKA_SIGN: AES-CMAC (SCP03 KDF), ECDSA (DICA) */
  CL_P11_KEY_USE_DERIVE = 1 << 1,  /* CKA_DERIVE: card key diversification */
  CL_P11_KEY_USE_WRAP = 1 << 2,    /* CKA_WRAP: PUT KEY under the DEK */
  CL_P11_KEY_USE_ENCRYPT = 1 << 3, /* CKA_ENCRYPT: check values, SCP02 session keys */
} ClP11KeyUse;

/* FALSE with CL_ERROR_SECURITY naming label and the attribute that is wrong (CKA_EXTRACTABLE true, CKA_SENSITIVE
 * false, a use not allowed), or the CL_ERROR_TOKEN of reading them. */
gboolean cl_p11_token_check_key (ClP11Token *token, CK_OBJECT_HANDLE key, const char *label, ClP11KeyUse uses,
                                 GError **error);

G_END_DECLS
