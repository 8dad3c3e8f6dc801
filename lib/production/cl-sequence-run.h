/* cl-sequence-run.h (internal): the state of one run of ClCardSequence, shared by the runner
 * (cl-card-sequence.c) and the steps (cl-sequence-steps.c). */
#pragma once

#include "apdu/cl-card-channel.h"
#include "core/cl-error.h"
#include "cl-card-sequence.h"
#include "cl-observed-transport.h"
#include "cvc/cl-cvc-request.h"
#include "gp/cl-cplc.h"
#include "gp/cl-gp-data.h"
#include "gp/cl-gp-status.h"
#include "scp/cl-scp02.h"
#include "store/cl-store.h"
#include "store/cl-store-rows.h"

G_BEGIN_DECLS

typedef struct
{
  ClProductionSetup *setup;
  ClProfile *profile;
  const ClProfileKeys *keys; /* the profile's */
  ClStore *store;
  const char *station; /* the sequence's, for the chip claim */
  const char *reader;
  ClObservedTransport *transport;
  ClCardChannel *channel;
  GCancellable *cancellable;

  gint64 attempt_id;
  gint64 batch_id;
  char *chip_id;
  ClBatchRow *row;   /* the card's data row once IDENTIFY claimed it; NULL: the batch has no data */
  char *claim_owner; /* set while this run holds the claim on chip_id */
  /* The store had never seen this chip: a blank card, produced with the profile's minimal sequence (no probes of
   * the card's state). Cleared for good by the first answer that contradicts the blank state, from where the steps
   * probe the card as for any re-inserted one. */
  gboolean blank;
  ClCplc cplc;
  guint8 isd_aid[16];
  gsize isd_aid_len;

  guint8 kdd[CL_GP_KDD_LEN];
  gboolean have_kdd;
  ClKeySet *card_keys;                 /* diversified for this chip, lives in the token as session objects */
  guint8 card_keys_kdd[CL_GP_KDD_LEN]; /* the KDD card_keys were diversified from */
  gboolean on_card_keys;               /* the channel is open with the card keys: the KST is already gone */
  gboolean resumed_keys;               /* the card keys were there before this attempt */
  ClScp02 *scp02;                      /* the open SCP02 session (its S-DEK wraps PUT KEY) */
  /* key changeover: the card holds keys of an older, accepted KMC version (cl-sequence-custody.c) */
  ClKeySet *old_card_keys; /* the channel is open with these; ROTATE_KEYS replaces them */
  guint8 old_card_key_version;
  guint8 old_kmc_version;

  ClCvcRequest *request;
  char *key_hash;
  char *chr;
  GBytes *device_cvc;

  /* the reason a failure of the running step is filed under, unless the error says better */
  ClRejectReason reason;
  /* a skipped step says why */
  char *note;
} ClSequenceRun;

typedef gboolean (*ClSequenceStepFunc) (ClSequenceRun *run, gboolean *skipped, GError **error);

/* What the steps share (cl-sequence-steps.c). A skipped step's note; an error of code in CL_ERROR, returns FALSE. */
void cl_sequence_note (ClSequenceRun *run, const char *format, ...) G_GNUC_PRINTF (2, 3);
gboolean cl_sequence_fail (GError **error, ClError code, const char *format, ...) G_GNUC_PRINTF (3, 4);
gboolean cl_sequence_select_isd (ClSequenceRun *run, ClCardChannel *channel, GError **error);
/* The secure channel on channel with keys (key version kvn), at the profile's level. */
gboolean cl_sequence_open_channel (ClSequenceRun *run, ClCardChannel *channel, ClKeySet *keys, guint8 kvn,
                                   GError **error);
/* The journal's outcome after an irreversible step that did not complete; a store that cannot take it replaces
 * *local with its own error (a station fault). */
void cl_sequence_journal_unfinished (ClSequenceRun *run, gint64 intent, ClJournalOutcome outcome, GError **local);
/* Closes the chip's open intents of op (and key_hash, unless NULL) as done or failed. */
gboolean cl_sequence_resolve_intents (ClSequenceRun *run, ClJournalOp op, const char *key_hash, gboolean done,
                                      const char *detail, GError **error);
/* The registry entry of aid among entries (ClGpRegistryEntry), or NULL. */
ClGpRegistryEntry *cl_sequence_find_entry (GPtrArray *entries, GBytes *aid);

gboolean cl_sequence_step_identify (ClSequenceRun *run, gboolean *skipped, GError **error);
gboolean cl_sequence_step_open (ClSequenceRun *run, gboolean *skipped, GError **error);
gboolean cl_sequence_step_configure (ClSequenceRun *run, gboolean *skipped, GError **error);
gboolean cl_sequence_step_rotate_keys (ClSequenceRun *run, gboolean *skipped, GError **error);
gboolean cl_sequence_step_load_applet (ClSequenceRun *run, gboolean *skipped, GError **error);
gboolean cl_sequence_step_init_applet (ClSequenceRun *run, gboolean *skipped, GError **error);
gboolean cl_sequence_step_certify (ClSequenceRun *run, gboolean *skipped, GError **error);
gboolean cl_sequence_step_verify (ClSequenceRun *run, gboolean *skipped, GError **error);

/* Key changeover, DKEK import and PIN escrow (cl-sequence-custody.c). */
ClKeySet *cl_sequence_older_card_keys (ClSequenceRun *run, GArray *key_info, GError **error);
char *cl_sequence_describe_key_versions (ClSequenceRun *run, GArray *key_info);
gboolean cl_sequence_audit_changeover (ClSequenceRun *run, GError **error);
/* VERIFY: under ship=initialised, the card's latest PIN envelope is sealed to the profile's customer key. */
gboolean cl_sequence_check_pins_exported (ClSequenceRun *run, GError **error);
gboolean cl_sequence_escrow_pins (ClSequenceRun *run, GBytes *so_pin, GBytes *pin, GError **error);
gboolean cl_sequence_import_dkek (ClSequenceRun *run, GError **error);

/* Claims run->chip_id in the store for this run's station and reader (cl-store-claim.h), so that the same chip in
 * another reader, process or station sharing the store is refused: CL_ERROR_CLAIMED naming where it is (the
 * caller files that as DUPLICATE_CHIP); any other error is the store's. */
gboolean cl_sequence_claim_chip (ClSequenceRun *run, GError **error);
/* Drops the run's claim, if it holds one; a store failure is logged (the lease ends it anyway). */
void cl_sequence_release_chip (ClSequenceRun *run);

/* The card's data row (cl-sequence-rows.c): claimed for the attempt once the chip is known (IDENTIFY); a chip
 * bound to another row is DUPLICATE_CHIP. */
gboolean cl_sequence_claim_row (ClSequenceRun *run, GError **error);
/* The device certificate's CHR: the profile's pattern, its holder mnemonic replaced by the row's chr.holder. */
char *cl_sequence_device_chr (ClSequenceRun *run, GError **error);
/* The row's store-data.<tag> values as STORE DATA blocks (tag, length, UTF-8 value), in tag order. */
GPtrArray *cl_sequence_row_store_data (ClSequenceRun *run, GError **error);

/* The row's token label on the card (cl-sequence-label.c); each does nothing for a row without one. After INITIALIZE
 * DEVICE with pin: the user PIN verified, EF.TokenInfo written and read back. */
/* NULL: the row has none (or an empty one). */
const char *cl_sequence_row_label (ClSequenceRun *run);
gboolean cl_sequence_write_label (ClSequenceRun *run, GBytes *pin, GError **error);
/* A card initialised on an earlier attempt: its label checked, written again (*rewritten) where the profile's PIN is
 * fixed; a missing or other label on a card whose PIN the station cannot know is an error saying so. */
gboolean cl_sequence_resume_label (ClSequenceRun *run, gboolean *rewritten, GError **error);
/* VERIFY: the card's label is the row's, read over channel. */
gboolean cl_sequence_check_label (ClSequenceRun *run, ClCardChannel *channel, GError **error);

G_END_DECLS
