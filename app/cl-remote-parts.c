/* cl-remote-parts.c: a remote-producing station's parts (cl-remote-parts.h). */
#include "cl-remote-parts.h"

#include "cl-station-feed.h"
#include "core/cl-error.h"
#include "core/cl-name.h"
#include "cups/cl-cups-face-printer.h"
#include "pcsc/cl-rack-feeder.h"
#include "printer/cl-printer-feeder.h"

void
cl_remote_parts_free (ClRemoteParts *parts)
{
  if (parts == NULL)
    return;
  g_clear_object (&parts->run);
  g_clear_object (&parts->feeder);
  g_clear_object (&parts->station);
  g_free (parts->description);
  g_free (parts);
}

static ClFeeder *
open_feeder (const ClRemoteOptions *options, GError **error)
{
  if (options->printer == NULL)
    return CL_FEEDER (cl_rack_feeder_new ());
  return CL_FEEDER (cl_printer_feeder_new (options->printer, options->printer_reader, error));
}

ClRemoteParts *
cl_remote_parts_open (const ClRemoteOptions *options, GError **error)
{
  g_autoptr (ClRemoteParts) parts = g_new0 (ClRemoteParts, 1);
  g_autoptr (ClFacePrinter) face = NULL;
  g_autofree char *printer = NULL;

  if (options->srca == NULL || (options->printer != NULL && options->printer_reader == NULL)
      || ((options->face_printer != NULL) != (options->face_template != NULL)))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "--remote needs --srca FILE (the SRCA certificate the cards must chain to); --printer needs "
                   "--printer-reader NAME; --face-printer and --face-template go together");
      return NULL;
    }
  if (!(parts->station = cl_remote_station_new (options->url, options->srca, options->ca_file, error))
      || !(parts->feeder = open_feeder (options, error)))
    return NULL;
  if (options->face_printer != NULL
      && !(face = CL_FACE_PRINTER (cl_cups_face_printer_new (options->face_template, options->face_printer, error))))
    return NULL;
  parts->run = cl_remote_station_new_run (parts->station, parts->feeder, face, options->batch, options->quantity);
  printer = cl_text_escape (options->printer);
  parts->description = g_strdup_printf (
    "remote production service=%s srca=%s quantity=%u feeder=%s%s", cl_remote_station_get_service (parts->station),
    cl_cvc_get_chr (cl_remote_station_get_srca (parts->station)), options->quantity,
    options->printer != NULL ? "printer " : "rack", options->printer != NULL ? printer : "");
  return g_steal_pointer (&parts);
}

static void
on_run_event (ClRemoteRun *run, ClLineEvent *event, gpointer user_data)
{
  cl_station_feed_apply (CL_LINE (user_data), event,
                         cl_feeder_get_finish_cards_on_stop (cl_remote_run_get_feeder (run)));
}

void
cl_remote_parts_start (ClRemoteParts *parts, ClLine *line)
{
  g_return_if_fail (parts != NULL);
  g_return_if_fail (CL_IS_LINE (line));

  g_signal_connect_object (parts->run, "event", G_CALLBACK (on_run_event), line, 0);
  cl_line_attach_feeder (line, parts->feeder);
  cl_remote_run_start (parts->run);
}

/* ---- the window's: on a worker ---- */

typedef struct
{
  ClRemoteOptions options;
  char *strings[8];
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  for (guint i = 0; i < G_N_ELEMENTS (request->strings); i++)
    g_free (request->strings[i]);
  g_free (request);
}

static void
open_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Request *request = task_data;
  GError *error = NULL;
  ClRemoteParts *parts = cl_remote_parts_open (&request->options, &error);

  if (parts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, parts, (GDestroyNotify)cl_remote_parts_free);
}

void
cl_remote_parts_open_async (const ClRemoteOptions *options, GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);
  const char *given[G_N_ELEMENTS (request->strings)]
    = { options->url,     options->srca,           options->ca_file,      options->batch,
        options->printer, options->printer_reader, options->face_printer, options->face_template };

  for (guint i = 0; i < G_N_ELEMENTS (given); i++)
    request->strings[i] = g_strdup (given[i]);
  request->options = *options;
  request->options.url = request->strings[0];
  request->options.srca = request->strings[1];
  request->options.ca_file = request->strings[2];
  request->options.batch = request->strings[3];
  request->options.printer = request->strings[4];
  request->options.printer_reader = request->strings[5];
  request->options.face_printer = request->strings[6];
  request->options.face_template = request->strings[7];
  g_task_set_source_tag (task, cl_remote_parts_open_async);
  g_task_set_task_data (task, request, request_free);
  g_task_run_in_thread (task, open_in_thread);
}

ClRemoteParts *
cl_remote_parts_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
