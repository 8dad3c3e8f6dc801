/* cl-qa-service.h: what the QA re-test view asks of the line, without knowing how the line talks to a card.
 *
 * The UI calls these asynchronously and gets its answer in its own main context; app/ implements the
 * interface over the production sequence (or over the store alone where that is all there is). */
#pragma once

#include <gio/gio.h>

#include "store/cl-production-types.h"

G_BEGIN_DECLS

/* The outcome of diagnosing the card in the QA reader. */
typedef struct
{
  char *chip_id;                              /* as read from the card (CPLC); NULL if none answered */
  gboolean holds[CL_PRODUCTION_STEP_COUNT];   /* TRUE: that step's result is present and sound on the card */
  gboolean checked[CL_PRODUCTION_STEP_COUNT]; /* TRUE: the step was examined */
  gint64 attempt_id;                          /* the QA_RETEST attempt recorded for it; 0 if none */
  char *summary;                              /* one line for the QA engineer */
  gboolean measured;                          /* FALSE: derived from the records, not re-measured on the chip */
} ClQaDiagnosis;

void cl_qa_diagnosis_free (ClQaDiagnosis *diagnosis);
ClQaDiagnosis *cl_qa_diagnosis_copy (const ClQaDiagnosis *diagnosis);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClQaDiagnosis, cl_qa_diagnosis_free)

#define CL_TYPE_QA_SERVICE (cl_qa_service_get_type ())
G_DECLARE_INTERFACE (ClQaService, cl_qa_service, CL, QA_SERVICE, GObject)

struct _ClQaServiceInterface
{
  GTypeInterface parent_iface;

  /* expected_chip: the chip QA believes is in the reader (a mismatch is an error); user: who asks. */
  void (*diagnose_async) (ClQaService *self, const char *reader, const char *expected_chip, const char *user,
                          GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
  ClQaDiagnosis *(*diagnose_finish) (ClQaService *self, GAsyncResult *result, GError **error);
  /* Continues production of the card in reader from where it stands; TRUE when it ended good (recovered). */
  void (*resume_async) (ClQaService *self, const char *reader, const char *chip_id, const char *user,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*resume_finish) (ClQaService *self, GAsyncResult *result, GError **error);
  /* Records the card as scrapped with the comment (required, audited). */
  void (*scrap_async) (ClQaService *self, const char *chip_id, const char *comment, const char *user,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*scrap_finish) (ClQaService *self, GAsyncResult *result, GError **error);
  /* Prints a GOOD card's face again from its records (its row's data and its serial), without touching the chip;
   * audited as "face-reprint" by user. NULL: this service has no card-face printer (the call then fails). */
  void (*reprint_face_async) (ClQaService *self, const char *chip_id, const char *user, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*reprint_face_finish) (ClQaService *self, GAsyncResult *result, GError **error);
};

void cl_qa_service_diagnose_async (ClQaService *self, const char *reader, const char *expected_chip, const char *user,
                                   GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
ClQaDiagnosis *cl_qa_service_diagnose_finish (ClQaService *self, GAsyncResult *result, GError **error);
void cl_qa_service_resume_async (ClQaService *self, const char *reader, const char *chip_id, const char *user,
                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean cl_qa_service_resume_finish (ClQaService *self, GAsyncResult *result, GError **error);
void cl_qa_service_scrap_async (ClQaService *self, const char *chip_id, const char *comment, const char *user,
                                GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean cl_qa_service_scrap_finish (ClQaService *self, GAsyncResult *result, GError **error);
void cl_qa_service_reprint_face_async (ClQaService *self, const char *chip_id, const char *user,
                                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean cl_qa_service_reprint_face_finish (ClQaService *self, GAsyncResult *result, GError **error);

G_END_DECLS
