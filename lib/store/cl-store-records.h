/* cl-store-records.h: records that prove themselves (issue 19).
 *
 * What covers what:
 *  - the audit trail is one hash chain (cl_store_audit_append), for every station of a fleet sharing one
 *    PostgreSQL store too (issue 18). One chain rather than one per station, because each record then proves the
 *    order of every record before it, whichever station wrote it, one head is all a signed checkpoint needs to
 *    cover, and `cardline-admin store verify` walks one sequence as before. The database serialises the appends:
 *    each first updates the one row of audit_head (schema version 11) inside its transaction, so on PostgreSQL the
 *    next append on another connection waits for that row until the first commits, and only then reads the head
 *    it extends (SQLite's BEGIN IMMEDIATE already admits one writer at a time). Two records can never extend the
 *    same head; the seq primary key (head seq + 1) would refuse it anyway. The cost is that appends of all
 *    stations take turns. Every write transaction on PostgreSQL also takes the fleet's write lock first
 *    (cl_store_txn_begin); the head row keeps the chain whole on its own, even for a transaction that did not;
 *  - the rows that carry dispositions (an ended attempt with its disposition and steps), certificates and user
 *    roles are sealed into that chain: each write of such a row appends a "record-seal" audit record whose
 *    subject is "TABLE/KEY" and whose detail is the row's canonical "field=value" lines, in the same
 *    transaction, so an edit of the row without a matching seal, a row without a seal, or a sealed row that is
 *    gone is found by comparing them;
 *  - checkpoints of the chain (sequence number and head hash) are signed with an EC key held in the HSM
 *    (lib/keys/cl-audit-checkpoint.h); rewriting the chain and re-hashing it breaks a checkpoint's head or
 *    signature, and cutting it short is seen against a checkpoint kept elsewhere (exported).
 *  - the append-only triggers and the whole schema are compared with what this build's migrations create.
 *
 * Verification is read-only: cl_store_open_readonly() opens with SQLITE_OPEN_READONLY and neither creates nor
 * migrates. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

/* Opens an existing store read-only. A missing or empty file, a file that is not SQLite, and a store whose schema
 * version is not this build's are CL_ERROR_STORE naming the file and what it is. */
ClStore *cl_store_open_readonly (const char *path, GError **error);

/* The store file and its -wal and -shm, where they exist, must be mode 0600 (owner only): the store holds
 * password hashes and every record. CL_ERROR_SECURITY naming each file and its mode otherwise. */
gboolean cl_store_check_file_modes (const char *path, GError **error);

/* Compares every table, index and trigger with what this build's migrations (and the tables made on first use)
 * create: CL_ERROR_SECURITY naming the first object missing, changed or unexpected. */
gboolean cl_store_verify_schema (ClStore *self, GError **error);

/* Compares every sealed row with its latest seal: CL_ERROR_SECURITY naming the table, the row, the audit record
 * and the first field that differs, a row without a seal, or a sealed row that is gone. n_rows may be NULL. */
gboolean cl_store_verify_records (ClStore *self, guint64 *n_rows, GError **error);

/* ---- signed checkpoints of the audit chain ---- */

typedef struct
{
  gint64 seq;         /* the last audit record covered */
  guint8 head[32];    /* its hash */
  gint64 signed_at;   /* µs since the epoch */
  char *key_label;    /* the token key's label */
  GBytes *public_key; /* the signer's public point (04 || X || Y) */
  GBytes *signature;  /* ECDSA r || s over cl_audit_checkpoint_message() */
} ClAuditCheckpoint;

void cl_audit_checkpoint_free (ClAuditCheckpoint *checkpoint);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClAuditCheckpoint, cl_audit_checkpoint_free)

/* The bytes a checkpoint's signature covers. */
GBytes *cl_audit_checkpoint_message (const ClAuditCheckpoint *checkpoint);

/* The latest audit record's sequence number and hash (0 and zeros when empty). */
gboolean cl_store_audit_latest (ClStore *self, gint64 *seq, guint8 head[32], GError **error);
/* The hash stored for record seq; CL_ERROR_NOT_FOUND if there is no such record. */
gboolean cl_store_audit_hash_at (ClStore *self, gint64 seq, guint8 head[32], GError **error);
/* Appends a signed checkpoint (append-only); CL_ERROR_STORE if its seq is not newer than the last one. */
gboolean cl_store_audit_checkpoint_add (ClStore *self, const ClAuditCheckpoint *checkpoint, GError **error);
/* All checkpoints, oldest first (ClAuditCheckpoint). */
GPtrArray *cl_store_audit_checkpoints (ClStore *self, GError **error);

G_END_DECLS
