/* cl-qa-service.c: the QA service interface (cl-qa-service.h). */
#include "station/cl-qa-service.h"

#include "core/cl-error.h"

G_DEFINE_INTERFACE (ClQaService, cl_qa_service, G_TYPE_OBJECT)

static void
cl_qa_service_default_init (ClQaServiceInterface *iface)
{
}

void
cl_qa_diagnosis_free (ClQaDiagnosis *diagnosis)
{
  if (diagnosis == NULL)
    return;
  g_free (diagnosis->chip_id);
  g_free (diagnosis->summary);
  g_free (diagnosis);
}

ClQaDiagnosis *
cl_qa_diagnosis_copy (const ClQaDiagnosis *diagnosis)
{
  ClQaDiagnosis *copy = g_memdup2 (diagnosis, sizeof *diagnosis);

  copy->chip_id = g_strdup (diagnosis->chip_id);
  copy->summary = g_strdup (diagnosis->summary);
  return copy;
}

void
cl_qa_service_diagnose_async (ClQaService *self, const char *reader, const char *expected_chip, const char *user,
                              GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CL_IS_QA_SERVICE (self));
  CL_QA_SERVICE_GET_IFACE (self)->diagnose_async (self, reader, expected_chip, user, cancellable, callback, user_data);
}

ClQaDiagnosis *
cl_qa_service_diagnose_finish (ClQaService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (CL_IS_QA_SERVICE (self), NULL);
  return CL_QA_SERVICE_GET_IFACE (self)->diagnose_finish (self, result, error);
}

void
cl_qa_service_resume_async (ClQaService *self, const char *reader, const char *chip_id, const char *user,
                            GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CL_IS_QA_SERVICE (self));
  CL_QA_SERVICE_GET_IFACE (self)->resume_async (self, reader, chip_id, user, cancellable, callback, user_data);
}

gboolean
cl_qa_service_resume_finish (ClQaService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (CL_IS_QA_SERVICE (self), FALSE);
  return CL_QA_SERVICE_GET_IFACE (self)->resume_finish (self, result, error);
}

void
cl_qa_service_scrap_async (ClQaService *self, const char *chip_id, const char *comment, const char *user,
                           GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (CL_IS_QA_SERVICE (self));
  CL_QA_SERVICE_GET_IFACE (self)->scrap_async (self, chip_id, comment, user, cancellable, callback, user_data);
}

gboolean
cl_qa_service_scrap_finish (ClQaService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (CL_IS_QA_SERVICE (self), FALSE);
  return CL_QA_SERVICE_GET_IFACE (self)->scrap_finish (self, result, error);
}

void
cl_qa_service_reprint_face_async (ClQaService *self, const char *chip_id, const char *user, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  ClQaServiceInterface *iface;

  g_return_if_fail (CL_IS_QA_SERVICE (self));
  iface = CL_QA_SERVICE_GET_IFACE (self);
  if (iface->reprint_face_async == NULL)
    {
      g_task_report_new_error (self, callback, user_data, cl_qa_service_reprint_face_async, CL_ERROR,
                               CL_ERROR_NOT_SUPPORTED, "This station has no card-face printer to reprint on");
      return;
    }
  iface->reprint_face_async (self, chip_id, user, cancellable, callback, user_data);
}

gboolean
cl_qa_service_reprint_face_finish (ClQaService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (CL_IS_QA_SERVICE (self), FALSE);
  if (g_async_result_is_tagged (result, cl_qa_service_reprint_face_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  return CL_QA_SERVICE_GET_IFACE (self)->reprint_face_finish (self, result, error);
}
