/* cl-key-object.h (internal): the PKCS#11 secret key objects of a ceremony key.
 *
 * Attributes, per kind (all: CKO_SECRET_KEY, CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true; CKA_ID = the version
 * byte; CKA_DECRYPT, CKA_VERIFY false):
 *   set       as lib/p11/cl-p11-key-store.h: CKA_ENCRYPT, CKA_SIGN (AES), CKA_DERIVE; CKA_WRAP on dek only
 *   single    CKA_ENCRYPT, CKA_SIGN (AES), CKA_DERIVE (EMV option A, card key diversification)
 *   transport CKA_WRAP, CKA_UNWRAP, CKA_ENCRYPT (check value), CKA_SIGN (AES-CMAC check value)
 * CKA_EXTRACTABLE is false unless the spec is exportable. */
#pragma once

#include <p11-kit/pkcs11.h>

#include "keys/cl-key-record.h"
#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

/* Fills tmpl (at least 20 entries) for key i of spec; the template points into spec, label, storage.
 * Returns the count. value may be NULL (derive/unwrap templates: no CKA_VALUE). */
typedef struct
{
  CK_OBJECT_CLASS klass;
  CK_KEY_TYPE key_type;
  CK_BBOOL yes, no, extractable, sign, wrap, unwrap, derive, session_token;
  CK_ULONG value_len;
  guint8 id;
} ClKeyObjectStorage;

CK_ULONG cl_key_object_template (const ClKeySpec *spec, guint i, const char *label, gboolean token_object,
                                 const guint8 *value, ClKeyObjectStorage *storage, CK_ATTRIBUTE *tmpl);

/* The handle of the key object labelled label with CKA_ID version: 1 found, 0 none, -1 error. */
gint cl_key_object_find (ClP11Session *session, const char *label, guint8 version, CK_OBJECT_HANDLE *out,
                         GError **error);
/* Check value computed inside the token: C_Encrypt (GP) or C_Sign CKM_AES_CMAC (X9.24). */
gboolean cl_key_object_kcv (ClP11Session *session, CK_OBJECT_HANDLE key, ClKeyType type, ClKcvMethod method,
                            guint8 kcv[3], const char *what, GError **error);

/* Metadata objects (see cl-key-record.h). Writes (replacing an older record of NAME/V). */
gboolean cl_key_meta_write (ClP11Session *session, const ClKeyRecord *record, GError **error);
/* The record of NAME/V, or NULL with CL_ERROR_NOT_FOUND. */
ClKeyRecord *cl_key_meta_read (ClP11Session *session, const char *name, guint8 version, GError **error);
/* Every record on the token, sorted by name then version. */
GPtrArray *cl_key_meta_read_all (ClP11Session *session, GError **error);

G_END_DECLS
