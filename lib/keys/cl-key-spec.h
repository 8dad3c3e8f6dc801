/* cl-key-spec.h: what a key ceremony makes — a GlobalPlatform key set or a single key, its algorithm, label,
 * version and check value method — and the closed value lists of key metadata (stable strings: they are
 * stored in the token's metadata objects and in transport files). */
#pragma once

#include <glib.h>

#include "core/cl-key-set.h"

G_BEGIN_DECLS

typedef enum
{
  CL_KEY_KIND_SET,       /* "NAME/enc|mac|dek", CKA_ID = version: KMC, KST (lib/p11 convention) */
  CL_KEY_KIND_SINGLE,    /* "NAME/key": an issuer master key (derive, encrypt) such as an EMV IMK */
  CL_KEY_KIND_TRANSPORT, /* "NAME/key": a key encryption key that only wraps and unwraps (AES only) */
} ClKeyKind;

typedef enum
{
  CL_KCV_METHOD_GP,       /* GlobalPlatform: AES(key, 16x01)[0..2], 3DES(key, 8x00)[0..2] */
  CL_KCV_METHOD_AES_CMAC, /* ANSI X9.24-1: AES-CMAC(key, 16x00)[0..2]; AES keys only */
} ClKcvMethod;

typedef struct
{
  const char *name; /* no '/'; the label stem */
  guint8 version;   /* 1..127 */
  ClKeyKind kind;
  ClKeyType type;
  gsize length; /* 16/24/32 (AES), 16/24 (3DES) */
  ClKcvMethod kcv_method;
  /* Master keys are never extractable; an exportable key is CKA_SENSITIVE but may be C_WrapKey'd under a
   * transport key (see cl-key-transport.h). Transport keys themselves are never exportable. */
  gboolean exportable;
} ClKeySpec;

/* Fails with CL_ERROR_INVALID_ARGUMENT naming what is wrong with spec. */
gboolean cl_key_spec_check (const ClKeySpec *spec, GError **error);
/* Number of key objects of the kind: 3 for a set, 1 otherwise. */
guint cl_key_kind_get_n_keys (ClKeyKind kind);
/* The label suffix of key i (0-based) of the kind: "enc", "mac", "dek" or "key". */
const char *cl_key_kind_get_slot_name (ClKeyKind kind, guint i);
/* The CKA_LABEL of key i: "NAME/enc", "NAME/key". */
char *cl_key_spec_label (const char *name, ClKeyKind kind, guint i);

const char *cl_key_kind_to_string (ClKeyKind kind); /* "set", "single", "transport" */
gboolean cl_key_kind_from_string (const char *name, ClKeyKind *out, GError **error);
const char *cl_kcv_method_to_string (ClKcvMethod method); /* "gp", "aes-cmac" */
gboolean cl_kcv_method_from_string (const char *name, ClKcvMethod *out, GError **error);
const char *cl_key_type_to_string (ClKeyType type); /* "aes", "des3" */
gboolean cl_key_type_from_string (const char *name, ClKeyType *out, GError **error);

/* Check value of a key held in host memory (components, tests). */
gboolean cl_kcv_compute (ClKcvMethod method, ClKeyType type, const guint8 *key, gsize len, guint8 kcv[3],
                         GError **error);

G_END_DECLS
