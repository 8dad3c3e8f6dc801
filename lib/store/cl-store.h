/* cl-store.h: the station's records (DESIGN §3 Records) over SQLite.
 *
 * Durability: WAL with synchronous=FULL, so every call that returns TRUE has its records on disk (except step
 * records, attempt openings, chip links and claims, card states and journal outcomes, whose commits skip the fsync
 * and become durable with the next commit; see cl_store_relax_sync()). That is what
 * the write-ahead journal needs: cl_store_journal_intent() returns only once the intent is durable, and the
 * caller sends the irreversible command after that.
 *
 * Threads: a ClStore may be used from any number of threads at once. It holds one connection behind a mutex,
 * and every call is one transaction under that mutex, so calls are serialised (SQLite serialises writers
 * anyway). Another process (cardline-admin) may open the same file; it waits up to the busy timeout.
 *
 * Times are µs since the Unix epoch (g_get_real_time()); a time argument of 0 means now.
 * Status words are 0..0xFFFF, -1 for none. Chip ids are the hex chip identity from CPLC.
 * Nothing here takes a key, PIN or SO-PIN, and callers must not put one in a detail or note. */
#pragma once

#include <glib-object.h>

#include "store/cl-store-types.h"
#include "store/cl-yield-summary.h"

G_BEGIN_DECLS

/* The schema version this build creates and migrates to (PRAGMA user_version). */
#define CL_STORE_SCHEMA_VERSION  16
#define CL_STORE_BUSY_TIMEOUT_MS 10000

#define CL_TYPE_STORE (cl_store_get_type ())
G_DECLARE_FINAL_TYPE (ClStore, cl_store, CL, STORE, GObject)

/* Opens or creates the store at path and migrates it to CL_STORE_SCHEMA_VERSION. path is an SQLite file, or a
 * PostgreSQL connection URI (cl_store_is_postgresql(): "postgresql:///cardline?host=/socket/dir"), whose database
 * is migrated in one transaction that stations starting together serialise. A store written by a newer Cardline is
 * refused (CL_ERROR_STORE naming both versions). On PostgreSQL, cl_store_get_path() is the URI without its
 * password. */
ClStore *cl_store_open (const char *path, GError **error);
/* As cl_store_open, but an SQLite file that does not exist is not created: G_FILE_ERROR_NOENT "no store at PATH".
 * For the tools that read or amend a station's records, where a mistyped path must not leave an empty store. */
ClStore *cl_store_open_existing (const char *path, GError **error);
/* TRUE for a PostgreSQL connection URI ("postgresql://…" or "postgres://…"), FALSE for a file name. */
gboolean cl_store_is_postgresql (const char *location);
/* Whether other stations can reach this store's records: the fleet's database server, not a station's own file. */
gboolean cl_store_is_shared (ClStore *self);
const char *cl_store_get_path (ClStore *self);
guint cl_store_get_schema_version (ClStore *self);
/* PRAGMA integrity_check and foreign_key_check; CL_ERROR_STORE with SQLite's first complaint. */
gboolean cl_store_integrity_check (ClStore *self, GError **error);

/* The thread that must never block on the store: the GTK main thread (DESIGN §3 Concurrency). In builds without
 * NDEBUG, every store call made on it then logs a g_critical naming the statement, so that UI tests (run with
 * G_DEBUG=fatal-criticals) catch a call that should have gone to a worker. NULL (the default) turns the check
 * off. Safe from any thread. */
void cl_store_set_ui_thread (ClStore *self, GThread *thread);

/* ---- batches ---- */

/* Audited as "batch-create" by actor. name is unique (CL_ERROR_STORE if taken). profile_hash: 64 hex digits. */
gint64 cl_store_batch_create (ClStore *self, const char *name, const char *profile_name, const char *profile_hash,
                              guint quantity, const char *actor, GError **error);
gint64 cl_store_batch_lookup (ClStore *self, const char *name, GError **error);
/* The batch name with this profile and quantity: created (cl_store_batch_create) if new, else the known batch,
 * whose profile (by its SHA-256) and quantity are fixed at creation: another profile or quantity is refused
 * (CL_ERROR_INVALID_ARGUMENT naming what the batch was created with and what was asked). */
gint64 cl_store_batch_open (ClStore *self, const char *name, const char *profile_name, const char *profile_hash,
                            guint quantity, const char *actor, GError **error);
gboolean cl_store_batch_set_state (ClStore *self, gint64 batch_id, ClBatchState state, const char *actor,
                                   GError **error);
gboolean cl_store_batch_get_state (ClStore *self, gint64 batch_id, ClBatchState *state, GError **error);
/* Production attempts of the batch whose card went to the output hopper or the reject bin, or was lost on its way
 * (UNKNOWN: it left the line for good): what --quantity counts. An attempt a killed station left open ends
 * RETAINED: that card was never made, and counts when it is fed again. */
gint64 cl_store_batch_count_disposed (ClStore *self, gint64 batch_id, GError **error);

/* ---- cards ---- */

/* CL_ERROR_NOT_FOUND if the chip was never identified. */
ClCardRecord *cl_store_card_lookup (ClStore *self, const char *chip_id, GError **error);
ClCardRecord *cl_store_card_lookup_by_serial (ClStore *self, const char *printed_serial, GError **error);
/* Progress of the card; key_version -1 leaves the stored one. */
gboolean cl_store_card_set_state (ClStore *self, const char *chip_id, ClCardState state, gint key_version,
                                  GError **error);
gboolean cl_store_card_set_printed_serial (ClStore *self, const char *chip_id, const char *printed_serial,
                                           GError **error);

/* ---- attempts (one card in one reader, feed to eject) ---- */

/* batch_id 0: no batch (QA bench). Returns the attempt id. A production attempt in a batch with a quantity holds a
 * place in it (cl-store-place.h): one station took for it, or one taken here; CL_ERROR_BATCH_FULL when none is
 * free, and then no attempt is recorded. */
gint64 cl_store_attempt_begin (ClStore *self, gint64 batch_id, ClAttemptKind kind, const char *station,
                               const char *reader, gint64 started, GError **error);
/* A production attempt on a chip admitted into batch_id through a production URL (cl-store-production-url.h, remote
 * production): it holds a place in the batch as cl_store_attempt_begin's does (the service took it before it
 * admitted the chip), since local stations may share the batch's quantity. */
gint64 cl_store_attempt_begin_admitted (ClStore *self, gint64 batch_id, const char *station, const char *reader,
                                        gint64 started, GError **error);
/* After IDENTIFY: links the attempt to the chip (again, for an attempt resumed after a station fault: the same chip
 * only), creating the card record (BLANK) on first sight and updating last_seen. first_attempt (may be NULL) tells
 * whether this is the chip's first production attempt. */
gboolean cl_store_attempt_identify (ClStore *self, gint64 attempt_id, const char *chip_id, gint64 when,
                                    gboolean *first_attempt, GError **error);
gboolean cl_store_attempt_add_step (ClStore *self, gint64 attempt_id, ClProductionStep step, gint64 started,
                                    gint64 duration_us, ClStepResult result, gint last_sw, const char *detail,
                                    GError **error);

typedef struct
{
  ClAttemptResult result;
  ClRejectReason reason;        /* REJECTED only */
  ClProductionStep failed_step; /* REJECTED only */
  gint last_sw;                 /* -1: none */
  ClDisposition disposition;
  gint64 ended; /* 0: now */
  /* REJECTED: the attempt's data row (cl-store-rows.h) fails with the reason instead of going back to PENDING */
  gboolean row_fails_on_reject;
  /* REJECTED: > 0: the row fails (with the reason and the count) at its row_max_attempts-th rejected card instead */
  guint row_max_attempts;
} ClAttemptEnd;

/* Ends the attempt and records its one disposition, in one transaction; the card becomes GOOD or REJECTED
 * (a card already GOOD stays GOOD) and the attempt's data row is settled (cl-store-rows.h). Ending an attempt twice is
 * CL_ERROR_STORE. */
gboolean cl_store_attempt_end (ClStore *self, gint64 attempt_id, const ClAttemptEnd *end, GError **error);
/* On a station's start: ends every attempt of station still open (the station was killed or lost power during
 * it) as REJECTED with PROTOCOL_ERROR at the step that was running, disposition RETAINED, each audited as
 * "attempt-abandoned", so that every attempt has its one disposition; then drops the chip claims earlier
 * processes of station left (cl_store_chip_release_stale()), so that their chips can be fed again at once. Only
 * one process may produce as station on a store. Returns how many attempts were ended, -1 on error. */
gint cl_store_attempt_abandon_open (ClStore *self, const char *station, GError **error);

/* ---- write-ahead journal for irreversible steps ---- */

/* Durable before it returns. from/to_version: PUT KEY key versions (-1 otherwise); key_hash: CERT_ISSUE device
 * public key hash (NULL otherwise). Returns the intent id. */
gint64 cl_store_journal_intent (ClStore *self, gint64 attempt_id, const char *chip_id, ClJournalOp op,
                                gint from_version, gint to_version, const char *key_hash, GError **error);
/* Appends an outcome; an UNKNOWN outcome leaves the intent open until a later DONE or FAILED. */
gboolean cl_store_journal_outcome (ClStore *self, gint64 intent_id, ClJournalOutcome outcome, const char *detail,
                                   GError **error);
/* ClJournalIntent of chip_id whose latest outcome is missing or UNKNOWN, oldest first. */
GPtrArray *cl_store_journal_open_intents (ClStore *self, const char *chip_id, GError **error);

/* ---- certificates: at most one per chip and device key ---- */

/* CL_ERROR_STORE naming chip and key if one was already issued: re-issue is cl_store_certificate_reissue(). */
gint64 cl_store_certificate_add (ClStore *self, const char *chip_id, const char *key_hash, const char *chr, GBytes *cvc,
                                 gint64 attempt_id, GError **error);
/* cl_store_certificate_add() and the DONE outcome of intent_id, the journal intent that guarded the issue, in one
 * durable transaction: neither without the other. CL_ERROR_NOT_FOUND (nothing stored) for an unknown intent. */
gint64 cl_store_certificate_add_issued (ClStore *self, gint64 intent_id, const char *chip_id, const char *key_hash,
                                        const char *chr, GBytes *cvc, gint64 attempt_id, GError **error);
/* The latest certificate for chip and key; CL_ERROR_NOT_FOUND if none. chr may be NULL. */
GBytes *cl_store_certificate_lookup (ClStore *self, const char *chip_id, const char *key_hash, char **chr,
                                     GError **error);
/* An explicit second issue for the same chip and key, audited as "certificate-reissue" with actor and reason. */
gint64 cl_store_certificate_reissue (ClStore *self, const char *chip_id, const char *key_hash, const char *chr,
                                     GBytes *cvc, const char *actor, const char *reason, GError **error);

/* ---- QA and users ---- */

/* Audited. RECOVER needs attempt_id = a QA_RETEST attempt of this chip that ended GOOD, and makes the card
 * GOOD; SCRAP makes it SCRAPPED. Returns the action id. */
gint64 cl_store_qa_record (ClStore *self, const char *chip_id, ClQaAction action, gint64 attempt_id, const char *user,
                           const char *note, GError **error);
/* Audited as "user-add" by actor. */
gboolean cl_store_user_add (ClStore *self, const char *name, ClUserRole role, const char *actor, GError **error);
gboolean cl_store_user_get_role (ClStore *self, const char *name, ClUserRole *role, GError **error);

/* ---- audit trail: append-only, hash-chained ---- */

/* hash = SHA-256(prev_hash || canonical record), prev_hash of the first record = 32 zero bytes. The canonical
 * record is seq, time, actor, action, subject, detail, each as a 4-byte big-endian length then its UTF-8 bytes
 * (numbers in decimal). subject/detail may be NULL (stored as ""). Returns the record's sequence number. */
gint64 cl_store_audit_append (ClStore *self, const char *actor, const char *action, const char *subject,
                              const char *detail, GError **error);
/* Walks the whole chain; CL_ERROR_STORE naming the first record whose sequence, link or hash is wrong.
 * n_records may be NULL. */
gboolean cl_store_verify_audit_chain (ClStore *self, guint64 *n_records, GError **error);
/* Hash of the latest record (64 hex digits, zeros if empty): publish it elsewhere to anchor the chain's end. */
char *cl_store_audit_head (ClStore *self, GError **error);

/* ---- yield (definitions in cl-yield-summary.h) ---- */

/* batch_id 0: all batches. window_us: throughput window (0: one hour). now: end of the window (0: the latest
 * attempt end in scope, so a finished batch reports its own last hour rather than zero). */
ClYieldSummary *cl_store_yield_summary (ClStore *self, gint64 batch_id, gint64 window_us, gint64 now, GError **error);
/* Production attempts ended in [from, to) grouped in buckets of bucket_us, for the dashboard charts. Returns a
 * GArray of ClYieldBucket with every bucket present (empty ones zero). */
GArray *cl_store_yield_series (ClStore *self, gint64 batch_id, gint64 from, gint64 to, gint64 bucket_us,
                               GError **error);
/* The same for the production attempts of one station (station NULL or "": every station, as the two above), read
 * from as few aggregate rows as the fleet's (schema version 13, cl-store-schema-stations.h says how a chip that
 * moved between stations counts). An unknown station has no attempts: its figures are zero
 * (cl_store_check_yield_station() tells the two apart). */
ClYieldSummary *cl_store_yield_summary_at (ClStore *self, gint64 batch_id, const char *station, gint64 window_us,
                                           gint64 now, GError **error);
GArray *cl_store_yield_series_at (ClStore *self, gint64 batch_id, const char *station, gint64 from, gint64 to,
                                  gint64 bucket_us, GError **error);

G_END_DECLS
