/* cl-test-store.c: the known test store (cl-test-store.h). */
#include "cl-test-store.h"

#include <glib/gstdio.h>

#include "store/cl-store-users.h"

#define STEP_US (100 * 1000)
#define LOAD_US (500 * 1000)

static gint64
step_length (ClProductionStep step)
{
  return step == CL_STEP_LOAD_APPLET ? LOAD_US : STEP_US;
}

/* One attempt: steps from IDENTIFY to VERIFY then DISPOSE, or up to the failing step. */
static gint64
add_attempt (ClStore *store, gint64 batch, ClAttemptKind kind, const char *chip, gint64 started, gint fail_step,
             ClRejectReason reason)
{
  g_autoptr (GError) error = NULL;
  gint64 attempt = cl_store_attempt_begin (store, batch, kind, "test", "Reader 0", started, &error);
  gint64 at = started;
  ClAttemptEnd end = { 0 };

  g_assert_no_error (error);
  g_assert_true (cl_store_attempt_identify (store, attempt, chip, started, NULL, &error));
  for (guint step = CL_STEP_IDENTIFY; step <= CL_STEP_DISPOSE; step++)
    {
      gboolean failed = (gint)step == fail_step;

      if (step == CL_STEP_FACE)
        continue;
      if (fail_step >= 0 && step == CL_STEP_DISPOSE)
        break;
      g_assert_true (cl_store_attempt_add_step (store, attempt, step, at, step_length (step),
                                                failed ? CL_STEP_RESULT_FAILED : CL_STEP_RESULT_OK,
                                                failed ? 0x6982 : 0x9000, failed ? "refused" : NULL, &error));
      at += step_length (step);
      if (failed)
        break;
    }
  end.result = fail_step >= 0 ? CL_ATTEMPT_REJECTED : CL_ATTEMPT_GOOD;
  end.reason = reason;
  end.failed_step = fail_step >= 0 ? (ClProductionStep)fail_step : CL_STEP_IDENTIFY;
  end.last_sw = fail_step >= 0 ? 0x6982 : 0x9000;
  end.disposition = kind == CL_ATTEMPT_QA_RETEST ? CL_DISPOSITION_RETAINED
                    : fail_step >= 0             ? CL_DISPOSITION_REJECT_BIN
                                                 : CL_DISPOSITION_OUTPUT;
  end.ended = at;
  g_assert_true (cl_store_attempt_end (store, attempt, &end, &error));
  return attempt;
}

gint64
cl_test_store_fill (ClStore *store, gboolean with_users)
{
  static const char *const good[] = { CL_TEST_CHIP_C (1), CL_TEST_CHIP_C (2), CL_TEST_CHIP_C (3),
                                      CL_TEST_CHIP_C (4), CL_TEST_CHIP_C (5), CL_TEST_CHIP_C (6) };
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_real_time () - (gint64)2 * 24 * 3600 * G_USEC_PER_SEC;
  gint64 minute = 60 * G_USEC_PER_SEC;
  gint64 batch, retest;

  /* room for its 11 production attempts, each holding a place in the batch */
  batch = cl_store_batch_create (store, "B1", "test.profile",
                                 "0000000000000000000000000000000000000000000000000000000000000000", 12, "sam", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    add_attempt (store, batch, CL_ATTEMPT_PRODUCTION, good[i], t0 + i * 10 * minute, -1, 0);
  add_attempt (store, batch, CL_ATTEMPT_PRODUCTION, CL_TEST_CHIP_R1, t0 + 70 * minute, CL_STEP_OPEN_KST,
               CL_REJECT_AUTH_KST_FAILED);
  add_attempt (store, batch, CL_ATTEMPT_PRODUCTION, CL_TEST_CHIP_R2, t0 + 80 * minute, CL_STEP_LOAD_APPLET,
               CL_REJECT_LOAD_FAILED);
  add_attempt (store, batch, CL_ATTEMPT_PRODUCTION, CL_TEST_CHIP_R3, t0 + 90 * minute, CL_STEP_LOAD_APPLET,
               CL_REJECT_LOAD_FAILED);
  add_attempt (store, batch, CL_ATTEMPT_PRODUCTION, CL_TEST_CHIP_R4, t0 + 100 * minute, CL_STEP_VERIFY,
               CL_REJECT_VERIFY_FAILED);
  add_attempt (store, batch, CL_ATTEMPT_PRODUCTION, CL_TEST_CHIP_R1, t0 + 110 * minute, -1, 0);
  g_assert_true (cl_store_card_set_printed_serial (store, CL_TEST_CHIP_R2, "SN-0002", &error));
  g_assert_true (cl_store_card_set_printed_serial (store, CL_TEST_CHIP_R4, "SN-0004", &error));

  retest = add_attempt (store, 0, CL_ATTEMPT_QA_RETEST, CL_TEST_CHIP_R2, t0 + 24 * 60 * minute, -1, 0);
  g_assert_cmpint (cl_store_qa_record (store, CL_TEST_CHIP_R2, CL_QA_RECOVER, retest, "quinn", "re-test good", &error),
                   >, 0);
  g_assert_cmpint (cl_store_qa_record (store, CL_TEST_CHIP_R3, CL_QA_SCRAP, 0, "quinn", "cracked chip", &error), >, 0);
  g_assert_no_error (error);

  if (with_users)
    {
      g_assert_true (
        cl_store_user_add_with_password (store, "olga", CL_ROLE_OPERATOR, CL_TEST_PASSWORD, "test", &error));
      g_assert_true (
        cl_store_user_add_with_password (store, "sam", CL_ROLE_SUPERVISOR, CL_TEST_PASSWORD, "test", &error));
      g_assert_true (cl_store_user_add_with_password (store, "quinn", CL_ROLE_QA, CL_TEST_PASSWORD, "test", &error));
    }
  return batch;
}

ClStore *
cl_test_store_new (char **path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cardline-ui-XXXXXX", &error);
  ClStore *store;

  g_assert_no_error (error);
  *path = g_build_filename (dir, "store.db", NULL);
  store = cl_store_open (*path, &error);
  g_assert_no_error (error);
  return store;
}

void
cl_test_store_remove (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
}
