/* cl-audit-checkpoint.h: signed checkpoints of the store's audit chain (cl-store-records.h), as Dogtag signs its
 * audit log: the chain's sequence number and head hash, signed with an EC P-256 key that lives in the HSM
 * (CL_AUDIT_KEY_LABEL, made by `cardline-admin keys audit-key`; the private key is sensitive and never
 * extractable). Whoever can write the store but not use the token can rewrite and re-hash the chain, but cannot
 * sign its new head: verification finds the checkpoint whose head or signature no longer fits.
 *
 * When a checkpoint is signed: at the end of every batch run (stop or complete: the unit an auditor signs off and
 * what gets exported for safe keeping) and on demand (`cardline-admin store checkpoint sign`). One signature per
 * batch costs nothing next to the cards' own token work, while a signature per record would put the HSM on every
 * store write; records after the last checkpoint are covered by the hash chain alone, and verify says how many.
 *
 * Which key to trust: verification checks every checkpoint with its own public key, and requires all of them to be
 * one key: the trusted one when given (from an exported checkpoint kept elsewhere, or read from the token), else
 * the first checkpoint's (whose fingerprint verify prints, to compare with the one on record).
 *
 * Exported checkpoint: a text file (GKeyFile, group "Audit checkpoint": seq, head, signed, key, public-key,
 * signature, hex), kept off the station; verify against it finds a chain cut short before its seq. */
#pragma once

#include <glib.h>

#include "p11/cl-p11-ec-key.h"
#include "store/cl-store-records.h"

G_BEGIN_DECLS

#define CL_AUDIT_KEY_LABEL "cardline-audit"

/* Generates the audit signing key (P-256) in the token; fails if one with label exists. */
ClP11EcKey *cl_audit_key_create (ClP11Token *token, const char *label, GError **error);

/* Signs the chain's current head with key and records the checkpoint. When the head is already the last
 * checkpoint's, returns that one without signing again. */
ClAuditCheckpoint *cl_audit_checkpoint_sign (ClStore *store, ClP11EcKey *key, GError **error);

/* CL_ERROR_SECURITY when the signature does not fit the checkpoint and its public key. */
gboolean cl_audit_checkpoint_check_signature (const ClAuditCheckpoint *checkpoint, GError **error);

/* SHA-256 of the public point, hex: the key's fingerprint. */
char *cl_audit_key_fingerprint (GBytes *public_key);

typedef struct
{
  guint n_checkpoints;
  gint64 last_seq;    /* 0: none */
  gint64 chain_seq;   /* the chain's last record */
  GBytes *public_key; /* the key all checkpoints are signed with (NULL: none) */
} ClAuditCheckpointReport;

void cl_audit_checkpoint_report_clear (ClAuditCheckpointReport *report);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClAuditCheckpointReport, cl_audit_checkpoint_report_clear)

/* Checks every recorded checkpoint: its signature, its key (trusted_key when not NULL, else the first
 * checkpoint's), and that the chain's record at its seq still has its head. Then, when exported is not NULL, the
 * exported checkpoint: its signature, its key, and that the chain still reaches it with that head.
 * CL_ERROR_SECURITY naming the checkpoint and what is wrong. The chain's own links are
 * cl_store_verify_audit_chain()'s. */
gboolean cl_audit_checkpoints_verify (ClStore *store, GBytes *trusted_key, const ClAuditCheckpoint *exported,
                                      ClAuditCheckpointReport *report, GError **error);

/* The exported form, and reading it back (outside input: CL_ERROR_MALFORMED naming the field). */
char *cl_audit_checkpoint_to_text (const ClAuditCheckpoint *checkpoint);
ClAuditCheckpoint *cl_audit_checkpoint_from_text (const char *text, gsize len, GError **error);

G_END_DECLS
