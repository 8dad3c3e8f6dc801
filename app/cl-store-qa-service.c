/* cl-store-qa-service.c: the QA service over the store (cl-store-qa-service.h). */
#include "cl-store-qa-service.h"

#include "store/cl-store-dashboard.h"

struct _ClStoreQaService
{
  GObject parent_instance;

  ClStore *store;
};

static void cl_store_qa_service_iface_init (ClQaServiceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClStoreQaService, cl_store_qa_service, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_QA_SERVICE, cl_store_qa_service_iface_init))

typedef struct
{
  ClStore *store;
  char *reader;
  char *chip_id;
  char *user;
  char *comment;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->store);
  g_free (request->reader);
  g_free (request->chip_id);
  g_free (request->user);
  g_free (request->comment);
  g_free (request);
}

static GTask *
new_task (ClStoreQaService *self, const char *reader, const char *chip_id, const char *user, const char *comment,
          GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data, gpointer tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  request->store = g_object_ref (self->store);
  request->reader = g_strdup (reader);
  request->chip_id = g_strdup (chip_id);
  request->user = g_strdup (user);
  request->comment = g_strdup (comment);
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);
  g_task_set_source_tag (task, tag);
  return task;
}

static void
diagnose_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr (ClQaDiagnosis) diagnosis = g_new0 (ClQaDiagnosis, 1);
  g_autoptr (GPtrArray) history = NULL;
  g_autoptr (ClCardRecord) card = NULL;
  GError *error = NULL;
  gint64 last_attempt = 0;
  guint held = 0;

  if (request->chip_id == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "No card chosen");
      return;
    }
  if (!(card = cl_store_card_lookup (request->store, request->chip_id, &error))
      || !(history = cl_store_card_history (request->store, request->chip_id, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < history->len; i++)
    {
      ClCardEvent *event = g_ptr_array_index (history, i);

      if (event->kind == CL_CARD_EVENT_ATTEMPT)
        last_attempt = event->attempt_id;
    }
  for (guint i = 0; i < history->len; i++)
    {
      ClCardEvent *event = g_ptr_array_index (history, i);
      ClProductionStep step;

      if (event->kind != CL_CARD_EVENT_STEP || event->attempt_id != last_attempt
          || !cl_production_step_from_string (event->what, &step, NULL))
        continue;
      diagnosis->checked[step] = TRUE;
      diagnosis->holds[step] = !g_str_has_prefix (event->detail, "FAILED");
      held += diagnosis->holds[step];
    }
  diagnosis->chip_id = g_strdup (request->chip_id);
  diagnosis->measured = FALSE;
  diagnosis->summary = g_strdup_printf ("Card %s is %s; %u steps of its last attempt held.", request->chip_id,
                                        cl_card_state_to_string (card->state), held);
  if (cl_store_qa_record (request->store, request->chip_id, CL_QA_RETEST, 0, request->user,
                          "diagnosis from the records", &error)
      <= 0)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&diagnosis), (GDestroyNotify)cl_qa_diagnosis_free);
}

static void
diagnose_async (ClQaService *service, const char *reader, const char *expected_chip, const char *user,
                GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = new_task (CL_STORE_QA_SERVICE (service), reader, expected_chip, user, NULL, cancellable,
                                     callback, user_data, diagnose_async);

  g_task_run_in_thread (task, diagnose_in_thread);
}

static ClQaDiagnosis *
diagnose_finish (ClQaService *service, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
resume_async (ClQaService *service, const char *reader, const char *chip_id, const char *user,
              GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = new_task (CL_STORE_QA_SERVICE (service), reader, chip_id, user, NULL, cancellable, callback,
                                     user_data, resume_async);

  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Resuming production from QA is not available yet: the production sequence cannot run "
                           "a QA re-test attempt");
}

static gboolean
bool_finish (ClQaService *service, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
scrap_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Request *request = task_data;
  GError *error = NULL;

  if (request->comment == NULL || *request->comment == '\0')
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Scrapping needs a comment");
  else if (cl_store_qa_record (request->store, request->chip_id, CL_QA_SCRAP, 0, request->user, request->comment,
                               &error)
           <= 0)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
scrap_async (ClQaService *service, const char *chip_id, const char *comment, const char *user,
             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = new_task (CL_STORE_QA_SERVICE (service), NULL, chip_id, user, comment, cancellable, callback,
                                     user_data, scrap_async);

  g_task_run_in_thread (task, scrap_in_thread);
}

static void
cl_store_qa_service_iface_init (ClQaServiceInterface *iface)
{
  iface->diagnose_async = diagnose_async;
  iface->diagnose_finish = diagnose_finish;
  iface->resume_async = resume_async;
  iface->resume_finish = bool_finish;
  iface->scrap_async = scrap_async;
  iface->scrap_finish = bool_finish;
}

static void
cl_store_qa_service_dispose (GObject *object)
{
  g_clear_object (&CL_STORE_QA_SERVICE (object)->store);
  G_OBJECT_CLASS (cl_store_qa_service_parent_class)->dispose (object);
}

static void
cl_store_qa_service_class_init (ClStoreQaServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_store_qa_service_dispose;
}

static void
cl_store_qa_service_init (ClStoreQaService *self)
{
}

ClStoreQaService *
cl_store_qa_service_new (ClStore *store)
{
  ClStoreQaService *self = g_object_new (CL_TYPE_STORE_QA_SERVICE, NULL);

  self->store = g_object_ref (store);
  return self;
}
