/* test-qa-retest: QA's side of the production sequence against cardline-vcard's dispatcher in-process, keys in
 * SoftHSM2 (run under tests/rig/rig-run --parts hsm): the read-only diagnosis of blank, rejected and good cards;
 * a rejected card resumed as a QA_RETEST attempt that continues from what holds on it; the recovery filed and
 * counted as recovered (not good, not fed) by the store's yield. */
#include <string.h>

#include "cl-production-fixture.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "production/cl-card-diagnosis.h"
#include "production/cl-card-sequence.h"
#include "production/cl-demo-pki.h"
#include "production/cl-production-env.h"
#include "store/cl-store-dashboard.h"
#include "store/cl-yield-summary.h"

static ClProductionFixture *fixture;
static ClProductionSetup *setup;
static ClStore *store;

static ClCardSequence *
run (ClVcardImage *image, gint64 batch, ClAttemptKind kind)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);

  return cl_production_fixture_run (setup, batch, "test", kind == CL_ATTEMPT_QA_RETEST ? "qa" : "line", kind,
                                    transport);
}

static ClCardDiagnosis *
diagnose (ClVcardImage *image)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);
  g_autoptr (ClCardSequence) sequence = cl_card_sequence_new (setup, 0, "test", "qa");
  g_autoptr (GError) error = NULL;
  ClCardDiagnosis *diagnosis = cl_card_sequence_diagnose (sequence, transport, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (diagnosis);
  g_test_message ("%s", diagnosis->summary);
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    if (diagnosis->checked[i])
      g_test_message ("  %s %s: %s", diagnosis->holds[i] ? "holds" : "MISSING",
                      cl_production_step_to_string ((ClProductionStep)i), diagnosis->detail[i]);
  return diagnosis;
}

static gint64
new_batch (void)
{
  static guint n;
  g_autofree char *name = g_strdup_printf ("qa-batch-%u", ++n);
  g_autoptr (GError) error = NULL;
  gint64 id = cl_store_batch_create (store, name, cl_profile_get_name (cl_production_setup_get_profile (setup)),
                                     cl_profile_get_hash (cl_production_setup_get_profile (setup)), 10, "test", &error);

  g_assert_no_error (error);
  return id;
}

/* What the store holds of attempt id: kind and disposition, as strings. */
static void
assert_attempt (gint64 attempt_id, const char *chip_id, const char *kind, const char *result, const char *disposition)
{
  g_autoptr (GPtrArray) history = NULL;
  g_autoptr (GError) error = NULL;
  gboolean began = FALSE, ended = FALSE;

  history = cl_store_card_history (store, chip_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < history->len; i++)
    {
      ClCardEvent *event = history->pdata[i];

      if (event->attempt_id != attempt_id)
        continue;
      if (event->kind == CL_CARD_EVENT_ATTEMPT)
        {
          g_assert_cmpstr (event->what, ==, kind);
          began = TRUE;
        }
      else if (event->kind == CL_CARD_EVENT_END)
        {
          g_test_message ("attempt %" G_GINT64_FORMAT " ended %s: %s", attempt_id, event->what, event->detail);
          g_assert_cmpstr (event->what, ==, result);
          g_assert_nonnull (strstr (event->detail, disposition));
          ended = TRUE;
        }
    }
  g_assert_true (began && ended);
}

/* ---- tests ---- */

static void
test_diagnose_blank (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardDiagnosis) d = diagnose (image);
  g_autoptr (ClCardDiagnosis) again = NULL;

  g_assert_nonnull (d->chip_id);
  g_assert_true (d->holds[CL_STEP_IDENTIFY]);
  g_assert_true (d->holds[CL_STEP_OPEN_KST]);
  g_assert_false (d->holds[CL_STEP_CONFIGURE]);
  g_assert_false (d->holds[CL_STEP_ROTATE_KEYS]);
  g_assert_false (d->checked[CL_STEP_LOAD_APPLET]);
  g_assert_cmpint (d->first_missing, ==, CL_STEP_CONFIGURE);
  /* read-only: the card still holds the KST and no record was made of it */
  again = diagnose (image);
  g_assert_cmpint (again->first_missing, ==, CL_STEP_CONFIGURE);
  g_assert_false (again->holds[CL_STEP_ROTATE_KEYS]);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (ClCardRecord) record = cl_store_card_lookup (store, d->chip_id, &error);

    g_assert_null (record);
    g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  }
}

static void
test_diagnose_good (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardSequence) sequence = run (image, 0, CL_ATTEMPT_PRODUCTION);
  g_autoptr (ClCardDiagnosis) d = NULL;

  g_assert_true (cl_card_sequence_get_outcome (sequence)->good);
  d = diagnose (image);
  g_assert_cmpstr (d->chip_id, ==, cl_card_sequence_get_outcome (sequence)->chip_id);
  for (guint i = CL_STEP_IDENTIFY; i <= CL_STEP_VERIFY; i++)
    {
      g_assert_true (d->checked[i]);
      g_assert_true (d->holds[i]);
    }
  g_assert_cmpint (d->first_missing, ==, CL_STEP_DISPOSE);
  g_assert_nonnull (strstr (d->detail[CL_STEP_CERTIFY], cl_card_sequence_get_outcome (sequence)->chr));
}

static void
check_recovery (const char *key, const char *value, ClRejectReason reason, ClProductionStep failed,
                ClProductionStep missing)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  gint64 batch = new_batch ();
  g_autoptr (ClCardSequence) line = NULL, qa = NULL;
  g_autoptr (ClCardDiagnosis) d = NULL;
  g_autoptr (ClYieldSummary) before = NULL, after = NULL;
  g_autoptr (ClCardRecord) record = NULL;
  g_autoptr (GError) error = NULL;
  const ClSequenceOutcome *o;
  const char *chip;
  ClVcardDefects *defects;

  g_assert_true (cl_vcard_image_set_defect (image, key, value, &error));
  line = run (image, batch, CL_ATTEMPT_PRODUCTION);
  o = cl_card_sequence_get_outcome (line);
  chip = o->chip_id;
  g_assert_false (o->good);
  g_assert_cmpint (o->reason, ==, reason);
  g_assert_cmpint (o->failed_step, ==, failed);

  d = diagnose (image);
  g_assert_cmpstr (d->chip_id, ==, chip);
  g_assert_cmpint (d->first_missing, ==, missing);
  for (guint i = CL_STEP_IDENTIFY; i < missing; i++)
    g_assert_true (d->holds[i]);

  /* cleaned by QA */
  defects = cl_vcard_image_get_defects (image);
  defects->sw_ins = -1;
  defects->sw_load_block = -1;
  defects->keygen_fail = FALSE;

  before = cl_store_yield_summary (store, batch, 0, 0, &error);
  g_assert_no_error (error);
  qa = run (image, 0, CL_ATTEMPT_QA_RETEST);
  g_assert_true (cl_card_sequence_get_outcome (qa)->good);
  assert_attempt (cl_card_sequence_get_outcome (qa)->attempt_id, chip, "QA_RETEST", "GOOD", "RETAINED");
  /* the steps that held were not done again */
  {
    g_autoptr (GPtrArray) history = cl_store_card_history (store, chip, &error);
    guint skipped = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < history->len; i++)
      {
        ClCardEvent *event = history->pdata[i];

        if (event->kind == CL_CARD_EVENT_STEP && event->attempt_id == cl_card_sequence_get_outcome (qa)->attempt_id
            && g_str_has_prefix (event->detail, "SKIPPED"))
          skipped++;
      }
    g_assert_cmpuint (skipped, >, 0);
  }

  g_assert_cmpint (cl_store_qa_record (store, chip, CL_QA_RECOVER, cl_card_sequence_get_outcome (qa)->attempt_id,
                                       "quinn", "re-seated", &error),
                   >, 0);
  g_assert_no_error (error);
  record = cl_store_card_lookup (store, chip, &error);
  g_assert_cmpint (record->state, ==, CL_CARD_GOOD);

  /* recovered, not good, not fed again: the re-test is QA's, not production's */
  after = cl_store_yield_summary (store, batch, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (before->recovered, ==, 0);
  g_assert_cmpuint (after->recovered, ==, 1);
  g_assert_cmpuint (after->fed, ==, before->fed);
  g_assert_cmpuint (after->good, ==, before->good);
  g_assert_cmpuint (after->rejected, ==, before->rejected);
  g_assert_cmpfloat (after->final_yield, >, before->final_yield);
}

static void
test_recover_load (void)
{
  check_recovery ("sw_at", "LOAD.1:6581", CL_REJECT_LOAD_FAILED, CL_STEP_LOAD_APPLET, CL_STEP_LOAD_APPLET);
}

static void
test_recover_keygen (void)
{
  check_recovery ("keygen_fail", "true", CL_REJECT_KEYGEN_FAILED, CL_STEP_INIT_APPLET, CL_STEP_INIT_APPLET);
}

static void
test_recover_needs_good_retest (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardSequence) line = NULL, qa = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (cl_vcard_image_set_defect (image, "sw_at", "LOAD.1:6581", NULL));
  line = run (image, new_batch (), CL_ATTEMPT_PRODUCTION);
  g_assert_false (cl_card_sequence_get_outcome (line)->good);
  /* not cleaned: the re-test fails again, and a recovery cannot be filed on it or on the production attempt */
  qa = run (image, 0, CL_ATTEMPT_QA_RETEST);
  g_assert_false (cl_card_sequence_get_outcome (qa)->good);
  assert_attempt (cl_card_sequence_get_outcome (qa)->attempt_id, cl_card_sequence_get_outcome (qa)->chip_id,
                  "QA_RETEST", "REJECTED", "RETAINED");
  g_assert_cmpint (cl_store_qa_record (store, cl_card_sequence_get_outcome (qa)->chip_id, CL_QA_RECOVER,
                                       cl_card_sequence_get_outcome (qa)->attempt_id, "quinn", NULL, &error),
                   ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (cl_store_qa_record (store, cl_card_sequence_get_outcome (line)->chip_id, CL_QA_RECOVER,
                                       cl_card_sequence_get_outcome (line)->attempt_id, "quinn", NULL, &error),
                   ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  fixture = cl_production_fixture_new ("cardline-qa-XXXXXX", TRUE);
  store = cl_production_fixture_open_store (fixture, "store.db");
  setup = cl_production_fixture_setup_for (fixture, "smartcard-hsm.profile", store);

  g_test_add_func ("/qa/diagnose-blank", test_diagnose_blank);
  g_test_add_func ("/qa/diagnose-good", test_diagnose_good);
  g_test_add_func ("/qa/recover-load", test_recover_load);
  g_test_add_func ("/qa/recover-keygen", test_recover_keygen);
  g_test_add_func ("/qa/recover-needs-good-retest", test_recover_needs_good_retest);
  status = g_test_run ();

  g_clear_object (&setup);
  g_clear_object (&store);
  g_clear_pointer (&fixture, cl_production_fixture_free);
  return status;
}
