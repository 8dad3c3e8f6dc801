/* cl-production-window.c: the window's production, opened on a worker (cl-production-window.h). */
#include "cl-production-window.h"

#include "production/cl-production-env.h"
#include "store/cl-store-location.h"

typedef struct
{
  ClLine *line;
  char *profile, *batch, *store, *printer, *printer_reader, *face_printer, *user;
  guint quantity;
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_clear_object (&request->line);
  g_free (request->profile);
  g_free (request->batch);
  g_free (request->store);
  g_free (request->printer);
  g_free (request->printer_reader);
  g_free (request->face_printer);
  g_free (request->user);
  g_free (request);
}

static ClProductionParts *
open_parts (Request *request, GError **error)
{
  ClProductionOptions options = { 0 };

  options.profile = request->profile;
  options.batch = request->batch;
  options.quantity = request->quantity;
  options.printer = request->printer;
  options.printer_reader = request->printer_reader;
  options.face_printer = request->face_printer;
  options.user = request->user;
  return cl_production_parts_open (&options, request->store, error);
}

static void
open_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  ClProductionParts *parts = open_parts (task_data, &error);

  if (parts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, parts, (GDestroyNotify)cl_production_parts_free);
}

void
cl_production_window_open_async (ClLine *line, const ClProductionOptions *options, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  request->line = g_object_ref (line);
  request->profile = g_strdup (options->profile);
  request->batch = g_strdup (options->batch);
  /* here, not on the worker: the rule may read the settings */
  request->store = cl_store_location (options->store);
  request->quantity = options->quantity;
  request->user = g_strdup (options->user);
  request->printer = g_strdup (options->printer);
  request->printer_reader = g_strdup (options->printer_reader);
  request->face_printer
    = g_strdup (options->face_printer != NULL ? options->face_printer : g_getenv ("CARDLINE_IPP_URI"));
  g_task_set_source_tag (task, cl_production_window_open_async);
  g_task_set_task_data (task, request, request_free);
  g_task_run_in_thread (task, open_in_thread);
}

ClProductionParts *
cl_production_window_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
