/* cl-store-types.h: the closed value lists of the store's records and the small records it returns.
 * String forms are what the database holds (CHECK constraints list them); never rename one. */
#pragma once

#include <glib-object.h>

#include "store/cl-production-types.h"

G_BEGIN_DECLS

typedef enum
{
  CL_BATCH_OPEN, /* set up, not started */
  CL_BATCH_RUNNING,
  CL_BATCH_PAUSED,
  CL_BATCH_CLOSED, /* finished normally */
  CL_BATCH_ABORTED,
} ClBatchState;

/* What is known to have been done to a chip (the furthest irreversible point reached), or its verdict. */
typedef enum
{
  CL_CARD_BLANK,        /* identified; still on the transport key */
  CL_CARD_KEYS_ROTATED, /* card-unique keys proven */
  CL_CARD_APPLET_LOADED,
  CL_CARD_INITIALISED, /* applet initialised, device key generated */
  CL_CARD_CERTIFIED,   /* device certificate written */
  CL_CARD_GOOD,        /* verified (DESIGN §2 step 10) */
  CL_CARD_REJECTED,
  CL_CARD_SCRAPPED, /* QA decided it is lost */
} ClCardState;

typedef enum
{
  CL_ATTEMPT_PRODUCTION, /* a feed on the line */
  CL_ATTEMPT_QA_RETEST,  /* a QA re-test of a rejected card */
} ClAttemptKind;

typedef enum
{
  CL_ATTEMPT_GOOD,
  CL_ATTEMPT_REJECTED,
} ClAttemptResult;

typedef enum
{
  CL_STEP_RESULT_OK,
  CL_STEP_RESULT_FAILED,
  CL_STEP_RESULT_SKIPPED, /* nothing to do: already done on an earlier attempt, or not in the profile */
} ClStepResult;

typedef enum
{
  CL_DISPOSITION_OUTPUT, /* output hopper */
  CL_DISPOSITION_REJECT_BIN,
  CL_DISPOSITION_RETAINED, /* stays with QA (re-tests, cards pulled by hand) */
  CL_DISPOSITION_UNKNOWN,  /* nobody can say where it went (its move was lost and no card was found afterwards) */
} ClDisposition;

/* Irreversible operations guarded by the write-ahead journal. */
typedef enum
{
  CL_JOURNAL_PUT_KEY,
  CL_JOURNAL_CERT_ISSUE,
} ClJournalOp;

typedef enum
{
  CL_JOURNAL_DONE,    /* the card (or the HSM) confirmed it */
  CL_JOURNAL_FAILED,  /* confirmed not done */
  CL_JOURNAL_UNKNOWN, /* sent, but no answer (card pulled mid-command): the next insertion must find out */
} ClJournalOutcome;

typedef enum
{
  CL_QA_RETEST,
  CL_QA_RECOVER, /* a re-test made the card good */
  CL_QA_SCRAP,
  CL_QA_NOTE,
} ClQaAction;

typedef enum
{
  CL_ROLE_OPERATOR,
  CL_ROLE_SUPERVISOR,
  CL_ROLE_QA,
  CL_ROLE_CUSTODIAN,
  CL_ROLE_ADMIN,
} ClUserRole;

#define CL_STORE_DECLARE_ENUM_STRINGS(Type, prefix)                                                                    \
  const char *prefix##_to_string (Type value);                                                                         \
  gboolean prefix##_from_string (const char *name, Type *out, GError **error);

CL_STORE_DECLARE_ENUM_STRINGS (ClBatchState, cl_batch_state)
CL_STORE_DECLARE_ENUM_STRINGS (ClCardState, cl_card_state)
CL_STORE_DECLARE_ENUM_STRINGS (ClAttemptKind, cl_attempt_kind)
CL_STORE_DECLARE_ENUM_STRINGS (ClAttemptResult, cl_attempt_result)
CL_STORE_DECLARE_ENUM_STRINGS (ClStepResult, cl_step_result)
CL_STORE_DECLARE_ENUM_STRINGS (ClDisposition, cl_disposition)
CL_STORE_DECLARE_ENUM_STRINGS (ClJournalOp, cl_journal_op)
CL_STORE_DECLARE_ENUM_STRINGS (ClJournalOutcome, cl_journal_outcome)
CL_STORE_DECLARE_ENUM_STRINGS (ClQaAction, cl_qa_action)
CL_STORE_DECLARE_ENUM_STRINGS (ClUserRole, cl_user_role)

/* A journal intent without an outcome: what the last insertion of chip_id was about to do. */
typedef struct
{
  gint64 id;
  char *chip_id;
  gint64 attempt_id;
  ClJournalOp op;
  gint from_version; /* PUT KEY: key version replaced; -1 otherwise */
  gint to_version;   /* PUT KEY: new key version; -1 otherwise */
  char *key_hash;    /* CERT_ISSUE: SHA-256 of the device public key (hex); NULL otherwise */
  gint64 created;    /* µs since the Unix epoch */
} ClJournalIntent;

#define CL_TYPE_JOURNAL_INTENT (cl_journal_intent_get_type ())
GType cl_journal_intent_get_type (void);
ClJournalIntent *cl_journal_intent_copy (const ClJournalIntent *intent);
void cl_journal_intent_free (ClJournalIntent *intent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClJournalIntent, cl_journal_intent_free)

/* A card's record. */
typedef struct
{
  char *chip_id;
  gint64 first_seen;
  gint64 last_seen;
  ClCardState state;
  gint key_version;     /* -1: unknown */
  char *printed_serial; /* NULL until printed */
} ClCardRecord;

#define CL_TYPE_CARD_RECORD (cl_card_record_get_type ())
GType cl_card_record_get_type (void);
ClCardRecord *cl_card_record_copy (const ClCardRecord *card);
void cl_card_record_free (ClCardRecord *card);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClCardRecord, cl_card_record_free)

G_END_DECLS
