/* cl-test-store.h: a small store with known figures for the dashboard, rejects and role tests.
 *
 * Batch "B1", ten chips, production from now - 2 days:
 *   C1..C6  good on the first attempt
 *   R1      AUTH_KST_FAILED at OPEN_KST, re-fed and good
 *   R2      LOAD_FAILED at LOAD_APPLET, recovered by a good QA re-test (printed serial SN-0002)
 *   R3      LOAD_FAILED at LOAD_APPLET, scrapped by QA
 *   R4      VERIFY_FAILED at VERIFY, still rejected (printed serial SN-0004)
 * fed 11, distinct 10, good 7, first-pass good 6, rejected 4, recovered 1, scrapped 1:
 * first-pass yield 6/11, final yield 8/10. Every step lasts 100 ms except LOAD_APPLET, 500 ms.
 * Users: "olga" OPERATOR, "sam" SUPERVISOR, "quinn" QA, all with password CL_TEST_PASSWORD. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_TEST_PASSWORD "correct horse battery"

#define CL_TEST_CHIP_C(i) "C" #i "0000000000000001"
#define CL_TEST_CHIP_R1   "A1000000000000001"
#define CL_TEST_CHIP_R2   "A2000000000000002"
#define CL_TEST_CHIP_R3   "A3000000000000003"
#define CL_TEST_CHIP_R4   "A4000000000000004"

/* Returns the batch id. with_users: also add the three users (slow: the KDF runs three times). */
gint64 cl_test_store_fill (ClStore *store, gboolean with_users);
/* A fresh store in a temporary directory; the path is returned in *path (free it and the directory with
 * cl_test_store_remove). */
ClStore *cl_test_store_new (char **path);
void cl_test_store_remove (const char *path);

G_END_DECLS
