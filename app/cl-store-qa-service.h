/* cl-store-qa-service.h: ClQaService over the store alone, until the production sequence can run a QA
 * re-test attempt (lib/production's ClCardSequence records PRODUCTION attempts only, and the store accepts a
 * recovery only from a QA_RETEST attempt that ended good).
 *
 *   diagnose  the steps the card's records show as held (its latest attempt's OK/SKIPPED steps and its
 *             state); recorded as a RETEST QA action; the diagnosis says it was not measured on the chip
 *   resume    G_IO_ERROR_NOT_SUPPORTED, saying why
 *   scrap     cl_store_qa_record (SCRAP) with the comment: the card becomes SCRAPPED, audited */
#pragma once

#include "station/cl-qa-service.h"
#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_STORE_QA_SERVICE (cl_store_qa_service_get_type ())
G_DECLARE_FINAL_TYPE (ClStoreQaService, cl_store_qa_service, CL, STORE_QA_SERVICE, GObject)

ClStoreQaService *cl_store_qa_service_new (ClStore *store);

G_END_DECLS
