/* cl-store-types.c */
#include "store/cl-store-types.h"

#include "core/cl-error.h"
#include "store/cl-store-private.h"

gboolean
cl_store_enum_lookup (const char *const *names, guint n, const char *what, const char *name, gint *out, GError **error)
{
  g_autoptr (GString) all = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *out = (gint)i;
        return TRUE;
      }
  for (guint i = 0; i < n; i++)
    g_string_append_printf (all, "%s%s", i ? ", " : "", names[i]);
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Unknown %s “%s” (expected one of %s)", what,
               name ? name : "(null)", all->str);
  return FALSE;
}

CL_STORE_DEFINE_ENUM_STRINGS (ClBatchState, cl_batch_state, "batch state", "OPEN", "RUNNING", "PAUSED", "CLOSED",
                              "ABORTED")
CL_STORE_DEFINE_ENUM_STRINGS (ClCardState, cl_card_state, "card state", "BLANK", "KEYS_ROTATED", "APPLET_LOADED",
                              "INITIALISED", "CERTIFIED", "GOOD", "REJECTED", "SCRAPPED")
CL_STORE_DEFINE_ENUM_STRINGS (ClAttemptKind, cl_attempt_kind, "attempt kind", "PRODUCTION", "QA_RETEST")
CL_STORE_DEFINE_ENUM_STRINGS (ClAttemptResult, cl_attempt_result, "attempt result", "GOOD", "REJECTED")
CL_STORE_DEFINE_ENUM_STRINGS (ClStepResult, cl_step_result, "step result", "OK", "FAILED", "SKIPPED")
CL_STORE_DEFINE_ENUM_STRINGS (ClDisposition, cl_disposition, "disposition", "OUTPUT", "REJECT_BIN", "RETAINED",
                              "UNKNOWN")
CL_STORE_DEFINE_ENUM_STRINGS (ClJournalOp, cl_journal_op, "journal operation", "PUT_KEY", "CERT_ISSUE")
CL_STORE_DEFINE_ENUM_STRINGS (ClJournalOutcome, cl_journal_outcome, "journal outcome", "DONE", "FAILED", "UNKNOWN")
CL_STORE_DEFINE_ENUM_STRINGS (ClQaAction, cl_qa_action, "QA action", "RETEST", "RECOVER", "SCRAP", "NOTE")
CL_STORE_DEFINE_ENUM_STRINGS (ClUserRole, cl_user_role, "role", "OPERATOR", "SUPERVISOR", "QA", "CUSTODIAN", "ADMIN")

G_DEFINE_BOXED_TYPE (ClJournalIntent, cl_journal_intent, cl_journal_intent_copy, cl_journal_intent_free)
G_DEFINE_BOXED_TYPE (ClCardRecord, cl_card_record, cl_card_record_copy, cl_card_record_free)

ClJournalIntent *
cl_journal_intent_copy (const ClJournalIntent *intent)
{
  ClJournalIntent *copy = g_new (ClJournalIntent, 1);

  *copy = *intent;
  copy->chip_id = g_strdup (intent->chip_id);
  copy->key_hash = g_strdup (intent->key_hash);
  return copy;
}

void
cl_journal_intent_free (ClJournalIntent *intent)
{
  if (intent == NULL)
    return;
  g_free (intent->chip_id);
  g_free (intent->key_hash);
  g_free (intent);
}

ClCardRecord *
cl_card_record_copy (const ClCardRecord *card)
{
  ClCardRecord *copy = g_new (ClCardRecord, 1);

  *copy = *card;
  copy->chip_id = g_strdup (card->chip_id);
  copy->printed_serial = g_strdup (card->printed_serial);
  return copy;
}

void
cl_card_record_free (ClCardRecord *card)
{
  if (card == NULL)
    return;
  g_free (card->chip_id);
  g_free (card->printed_serial);
  g_free (card);
}
