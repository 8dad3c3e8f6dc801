/* cl-key-transport.h: moving a master key from one token to another under a transport key.
 *
 * Both tokens hold the same transport key (kind transport, AES, entered from the same components on each
 * side; its check value is compared). Export wraps each key object of NAME/V with C_WrapKey CKM_AES_KEY_WRAP
 * (RFC 3394) under it; import unwraps with C_UnwrapKey into sensitive, non-extractable objects and compares
 * the check values computed inside the receiving token with those in the file (a mismatch destroys them).
 *
 * What must be extractable: PKCS#11 tokens (SoftHSM2 included) refuse C_WrapKey of a CKA_EXTRACTABLE=false
 * key, and a token key's CKA_EXTRACTABLE can never go from false to true. So a master key that is to leave its
 * token must be made exportable at its ceremony (ClKeySpec.exportable): it is CKA_SENSITIVE (its value can
 * never be read in clear) but CKA_EXTRACTABLE, i.e. it can be wrapped under ANY wrapping key the user may use,
 * not only the transport key — CKA_WRAP_WITH_TRUSTED/CKA_TRUSTED would limit that, but CKA_TRUSTED can only be
 * set by the SO, which this station does not hold. The default is non-exportable; imported keys are
 * non-exportable on the receiving token.
 *
 * File format (GLib key file, UTF-8, group [cardline-wrapped-key]; values are no secret without the transport
 * key):
 *   format=1
 *   name=KMC            version=1           kind=set|single|transport   type=aes|des3   length=16
 *   kcv-method=gp|aes-cmac
 *   kcv=504A77;...      one check value per key object (enc;mac;dek for a set)
 *   wrapped=HEX;...     CKM_AES_KEY_WRAP of each key object's value, same order
 *   wrap-mechanism=CKM_AES_KEY_WRAP
 *   transport-key=TK    transport-version=1   transport-kcv=ABCDEF (the transport key's check value, gp)
 */
#pragma once

#include "keys/cl-key-audit.h"
#include "keys/cl-key-record.h"
#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

/* Writes the file to path (mode 0600). Returns the exported key's record. */
ClKeyRecord *cl_key_transport_export (ClP11Token *token, const char *name, guint8 version, const char *transport_name,
                                      guint8 transport_version, const char *path, ClKeyAudit *audit, const char *actor,
                                      GError **error);
/* Unwraps the file's key into token under the file's name/version. */
ClKeyRecord *cl_key_transport_import (ClP11Token *token, const char *path, ClKeyAudit *audit, const char *actor,
                                      GError **error);

G_END_DECLS
