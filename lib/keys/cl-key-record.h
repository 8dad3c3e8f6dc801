/* cl-key-record.h: the metadata Cardline keeps with every ceremony key.
 *
 * Where it lives: next to the key objects in the token, as one CKO_DATA object (CKA_TOKEN, CKA_PRIVATE,
 * CKA_APPLICATION "cardline-keys", CKA_LABEL "NAME/meta.V") whose CKA_VALUE is this record as a GLib key file
 * (group [key]; keys name, version, kind, type, length, kcv-method, kcv (comma-separated, one per key object
 * in enc,mac,dek order), origin, components, custodians, created, last-used, retired, exportable). The record
 * holds check values only, never a key or component. It travels with the token (backups, p11-kit server) and
 * is copied to the store's audit trail once lib/store offers one. */
#pragma once

#include <glib-object.h>

#include "keys/cl-key-spec.h"

G_BEGIN_DECLS

typedef enum
{
  CL_KEY_ORIGIN_COMBINED_IN_TOKEN, /* components XOR-ed by C_DeriveKey CKM_XOR_BASE_AND_DATA */
  CL_KEY_ORIGIN_COMBINED_IN_HOST,  /* components XOR-ed in locked host memory, wiped at once */
  CL_KEY_ORIGIN_UNWRAPPED,         /* imported from a transport file by C_UnwrapKey */
} ClKeyOrigin;

typedef struct
{
  char *name;
  guint8 version;
  ClKeyKind kind;
  ClKeyType type;
  gsize length;
  ClKcvMethod kcv_method;
  char *kcv[3]; /* hex, per key object; NULL past the kind's count */
  ClKeyOrigin origin;
  guint components;
  char *custodians; /* comma-separated names, or NULL */
  gint64 created;   /* seconds since the epoch */
  gint64 last_used; /* 0 = never */
  gboolean retired;
  gboolean exportable;
} ClKeyRecord;

#define CL_TYPE_KEY_RECORD (cl_key_record_get_type ())
GType cl_key_record_get_type (void);
ClKeyRecord *cl_key_record_new (const ClKeySpec *spec);
ClKeyRecord *cl_key_record_copy (const ClKeyRecord *record);
void cl_key_record_free (ClKeyRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClKeyRecord, cl_key_record_free)

char *cl_key_record_to_data (const ClKeyRecord *record, gsize *len);
/* CL_ERROR_MALFORMED naming the missing or bad field. */
ClKeyRecord *cl_key_record_from_data (const char *data, gsize len, GError **error);
/* The spec the record describes (strings borrowed from record). */
void cl_key_record_get_spec (const ClKeyRecord *record, ClKeySpec *spec);

const char *cl_key_origin_to_string (ClKeyOrigin origin); /* "combined-in-token", "combined-in-host", "unwrapped" */
gboolean cl_key_origin_from_string (const char *name, ClKeyOrigin *out, GError **error);

G_END_DECLS
