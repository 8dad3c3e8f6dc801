/* cl-production-window.c: the window's production, opened on a worker (cl-production-window.h). */
#include "cl-production-window.h"

#include "production/cl-production-env.h"
#include "store/cl-store-location.h"

typedef struct
{
  ClLine *line;
  char *profile, *batch, *store, *printer, *printer_reader, *face_printer;
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
  g_free (request);
}

void
cl_production_parts_free (ClProductionParts *parts)
{
  if (parts == NULL)
    return;
  g_clear_object (&parts->rack);
  g_clear_object (&parts->printer);
  g_clear_object (&parts->setup);
  g_free (parts);
}

static ClProductionParts *
open_parts (Request *request, GError **error)
{
  g_autoptr (ClProductionParts) parts = g_new0 (ClProductionParts, 1);
  g_autoptr (ClProfile) profile = NULL;
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (ClStore) store = NULL;

  if (request->batch == NULL || request->quantity == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--profile needs --batch NAME and --quantity N");
      return NULL;
    }
  if (request->printer != NULL && request->printer_reader == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--printer needs --printer-reader NAME");
      return NULL;
    }
  profile = cl_production_profile_open (request->profile, error);
  if (profile == NULL || !(token = cl_production_token_open_from_env (error))
      || !(store = cl_store_open (request->store, error)))
    return NULL;
  parts->setup = cl_production_setup_new (profile, token, store, error);
  if (parts->setup == NULL)
    return NULL;
  if (request->printer != NULL)
    parts->printer = cl_printer_station_new (request->line, parts->setup, request->printer, request->printer_reader,
                                             request->face_printer, request->batch, request->quantity, error);
  else
    parts->rack = cl_production_line_new (request->line, parts->setup, request->batch, request->quantity, error);
  if (parts->printer == NULL && parts->rack == NULL)
    return NULL;
  return g_steal_pointer (&parts);
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
