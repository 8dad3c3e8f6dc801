/* cl-line-qa-service.c: QA re-test on the QA reader over lib/production (cl-line-qa-service.h). */
#include "cl-line-qa-service.h"

#include "cl-station-feed.h"

#include "core/cl-error.h"
#include "line/cl-card-session.h"
#include "line/cl-face-reprint.h"
#include "pcsc/cl-rack-feeder.h"
#include "production/cl-card-diagnosis.h"
#include "line/cl-card-job.h"
#include "production/cl-card-sequence.h"
#include "store/cl-store-station.h"

struct _ClLineQaService
{
  GObject parent_instance;

  ClProductionSetup *setup;
  char *station;
  ClLine *line; /* NULL: re-tests are not shown on a station */
  GMainContext *line_context;
  ClFacePrinter *face; /* NULL: no face reprints */
};

static void cl_line_qa_service_iface_init (ClQaServiceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClLineQaService, cl_line_qa_service, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_QA_SERVICE, cl_line_qa_service_iface_init))

typedef struct
{
  ClProductionSetup *setup;
  char *station;
  char *reader;
  char *chip_id;
  char *user;
  char *comment;
  ClLine *line;
  GMainContext *line_context;
  ClFacePrinter *face;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->setup);
  g_free (request->station);
  g_free (request->reader);
  g_free (request->chip_id);
  g_free (request->user);
  g_free (request->comment);
  g_clear_object (&request->line);
  g_clear_pointer (&request->line_context, g_main_context_unref);
  g_clear_object (&request->face);
  g_free (request);
}

static GTask *
new_task (ClLineQaService *self, const char *reader, const char *chip_id, const char *user, const char *comment,
          GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data, gpointer tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  request->setup = g_object_ref (self->setup);
  request->station = g_strdup (self->station);
  request->reader = g_strdup (reader);
  request->chip_id = g_strdup (chip_id);
  request->user = g_strdup (user);
  request->comment = g_strdup (comment);
  request->face = self->face != NULL ? g_object_ref (self->face) : NULL;
  if (self->line != NULL)
    {
      request->line = g_object_ref (self->line);
      request->line_context = g_main_context_ref (self->line_context);
    }
  g_task_set_task_data (task, request, (GDestroyNotify)request_free);
  g_task_set_source_tag (task, tag);
  return task;
}

static ClStore *
request_store (Request *request)
{
  return cl_production_setup_get_store (request->setup);
}

/* Connects to the QA reader and diagnoses the card there; checks it is the chip QA means. The connection is a
 * scoped card session: released (the card powered down) on every way out, or handed to the caller. */
static ClCardDiagnosis *
diagnose_card (Request *request, ClCardSequence *sequence, ClCardSession **session_out, GCancellable *cancellable,
               GError **error)
{
  /* the QA bench is a reader a person puts the card in: a rack of one */
  g_autoptr (ClRackFeeder) bench = cl_rack_feeder_new ();
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (ClCardSession) session = NULL;
  g_autoptr (ClCardDiagnosis) diagnosis = NULL;

  if (request->reader == NULL || *request->reader == '\0')
    return g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "No QA reader is chosen: set it in Setup"), NULL;
  card = cl_feeder_card_new (request->reader);
  session = cl_card_session_new (CL_FEEDER (bench), card, cancellable, error);
  if (session == NULL)
    return g_prefix_error (error, "QA reader %s: ", request->reader), NULL;
  diagnosis = cl_card_sequence_diagnose (sequence, cl_card_session_get_transport (session), cancellable, error);
  if (diagnosis == NULL)
    return NULL;
  if (request->chip_id != NULL && g_strcmp0 (diagnosis->chip_id, request->chip_id) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "The card in %s is %s%s, not chip %s", request->reader,
                   diagnosis->chip_id != NULL ? "chip " : "",
                   diagnosis->chip_id != NULL ? diagnosis->chip_id : "a card without a chip identity",
                   request->chip_id);
      return NULL;
    }
  if (session_out != NULL)
    *session_out = g_steal_pointer (&session);
  return g_steal_pointer (&diagnosis);
}

static void
diagnose_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr (ClCardSequence) sequence = cl_card_sequence_new (request->setup, 0, request->station, request->reader);
  g_autoptr (ClCardDiagnosis) found = NULL;
  g_autoptr (ClQaDiagnosis) diagnosis = g_new0 (ClQaDiagnosis, 1);
  GError *error = NULL;

  found = diagnose_card (request, sequence, NULL, cancellable, &error);
  if (found == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  diagnosis->chip_id = g_strdup (found->chip_id);
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    {
      diagnosis->checked[i] = found->checked[i];
      diagnosis->holds[i] = found->holds[i];
    }
  diagnosis->measured = TRUE;
  diagnosis->summary = g_strdup (found->summary);
  /* Read-only for the card, but QA's look at it is part of the card's history. */
  if (found->chip_id != NULL
      && cl_store_qa_record (request_store (request), found->chip_id, CL_QA_RETEST, 0, request->user, found->summary,
                             &error)
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
  g_autoptr (GTask) task = new_task (CL_LINE_QA_SERVICE (service), reader, expected_chip, user, NULL, cancellable,
                                     callback, user_data, diagnose_async);

  g_task_run_in_thread (task, diagnose_in_thread);
}

static ClQaDiagnosis *
diagnose_finish (ClQaService *service, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_job_event (ClCardJob *job, ClLineEvent *event, gpointer user_data)
{
  Request *request = user_data;

  cl_station_feed_post (request->line, request->line_context, event);
}

static void
resume_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr (ClCardSequence) sequence = cl_card_sequence_new (request->setup, 0, request->station, request->reader);
  g_autoptr (ClCardDiagnosis) found = NULL;
  g_autoptr (ClCardSession) session = NULL;
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (ClCardJob) job = NULL;
  const ClSequenceOutcome *outcome;
  gboolean ran;
  g_autofree char *note = NULL;
  GError *error = NULL;

  if (request->chip_id == NULL)
    {
      g_task_return_new_error (task, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "No card chosen to resume");
      return;
    }
  /* The identity first, read-only: a re-test must never produce whatever other card sits in the reader. */
  found = diagnose_card (request, sequence, &session, cancellable, &error);
  if (found == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* the same card job as the line's, on the QA bench: no feeder, the card is retained by QA */
  card = cl_feeder_card_new (request->reader);
  job = cl_card_job_new (request->setup, NULL, card, 0, NULL, request->station);
  cl_card_job_set_attempt_kind (job, CL_ATTEMPT_QA_RETEST);
  if (request->line != NULL)
    cl_card_job_set_event_func (job, on_job_event, request);
  ran = cl_card_job_run_on (job, cl_card_session_get_transport (session), cancellable, &error);
  outcome = cl_card_job_get_outcome (job);
  if (outcome == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!ran)
    {
      /* recorded, but the station failed on the way: QA must hear of it, not a recovery */
      g_task_return_error (task, error);
      return;
    }
  if (!outcome->good)
    {
      g_task_return_new_error (task, CL_ERROR, CL_ERROR_FAILED, "The re-test rejected chip %s again: %s at %s (%s)",
                               request->chip_id, cl_reject_reason_to_string (outcome->reason),
                               cl_production_step_to_string (outcome->failed_step),
                               outcome->detail != NULL ? outcome->detail : "no detail");
      return;
    }
  note = g_strdup_printf ("QA re-test resumed at %s and verified the card good (serial %s)",
                          cl_production_step_to_string (found->first_missing),
                          outcome->serial != NULL ? outcome->serial : "-");
  if (cl_store_qa_record (request_store (request), request->chip_id, CL_QA_RECOVER, outcome->attempt_id, request->user,
                          note, &error)
      <= 0)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
resume_async (ClQaService *service, const char *reader, const char *chip_id, const char *user,
              GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = new_task (CL_LINE_QA_SERVICE (service), reader, chip_id, user, NULL, cancellable, callback,
                                     user_data, resume_async);

  /* the sequence files a cancellation as CARD_REMOVED itself; the task must still deliver that outcome */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, resume_in_thread);
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
    g_task_return_new_error (task, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Scrapping needs a comment");
  else if (cl_store_qa_record (request_store (request), request->chip_id, CL_QA_SCRAP, 0, request->user,
                               request->comment, &error)
           <= 0)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
scrap_async (ClQaService *service, const char *chip_id, const char *comment, const char *user,
             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = new_task (CL_LINE_QA_SERVICE (service), NULL, chip_id, user, comment, cancellable, callback,
                                     user_data, scrap_async);

  g_task_run_in_thread (task, scrap_in_thread);
}

static void
reprint_face_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Request *request = task_data;
  GError *error = NULL;

  if (request->face == NULL)
    g_task_return_new_error (task, CL_ERROR, CL_ERROR_NOT_SUPPORTED,
                             "No card-face printer for reprints: start the station with --face-printer (or "
                             "CARDLINE_IPP_URI) and a profile with a [face] template");
  else if (!cl_face_reprint (request_store (request), request->face, request->chip_id,
                             cl_profile_get_name (cl_production_setup_get_profile (request->setup)), request->user,
                             cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
reprint_face_async (ClQaService *service, const char *chip_id, const char *user, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = new_task (CL_LINE_QA_SERVICE (service), NULL, chip_id, user, NULL, cancellable, callback,
                                     user_data, reprint_face_async);

  g_task_run_in_thread (task, reprint_face_in_thread);
}

static void
cl_line_qa_service_iface_init (ClQaServiceInterface *iface)
{
  iface->diagnose_async = diagnose_async;
  iface->diagnose_finish = diagnose_finish;
  iface->resume_async = resume_async;
  iface->resume_finish = bool_finish;
  iface->scrap_async = scrap_async;
  iface->scrap_finish = bool_finish;
  iface->reprint_face_async = reprint_face_async;
  iface->reprint_face_finish = bool_finish;
}

static void
cl_line_qa_service_finalize (GObject *object)
{
  ClLineQaService *self = CL_LINE_QA_SERVICE (object);

  g_clear_object (&self->setup);
  g_free (self->station);
  g_clear_object (&self->line);
  g_clear_pointer (&self->line_context, g_main_context_unref);
  g_clear_object (&self->face);
  G_OBJECT_CLASS (cl_line_qa_service_parent_class)->finalize (object);
}

static void
cl_line_qa_service_class_init (ClLineQaServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_line_qa_service_finalize;
}

static void
cl_line_qa_service_init (ClLineQaService *self)
{
}

ClLineQaService *
cl_line_qa_service_new (ClProductionSetup *setup, const char *station)
{
  ClLineQaService *self;

  g_return_val_if_fail (CL_IS_PRODUCTION_SETUP (setup), NULL);
  self = g_object_new (CL_TYPE_LINE_QA_SERVICE, NULL);
  self->setup = g_object_ref (setup);
  self->station = g_strdup (cl_station_identity (station));
  return self;
}

void
cl_line_qa_service_set_line (ClLineQaService *self, ClLine *line)
{
  g_return_if_fail (CL_IS_LINE_QA_SERVICE (self));
  g_return_if_fail (line == NULL || CL_IS_LINE (line));

  g_set_object (&self->line, line);
  g_clear_pointer (&self->line_context, g_main_context_unref);
  if (line != NULL)
    self->line_context = g_main_context_ref_thread_default ();
}

void
cl_line_qa_service_set_face_printer (ClLineQaService *self, ClFacePrinter *face)
{
  g_return_if_fail (CL_IS_LINE_QA_SERVICE (self));
  g_return_if_fail (face == NULL || CL_IS_FACE_PRINTER (face));
  g_set_object (&self->face, face);
}
