#include "cl-remote-headless.h"

#include <glib-unix.h>
#include <stdio.h>
#include <unistd.h>

#include "core/cl-error.h"

typedef struct
{
  GMainLoop *loop;
  ClHeadlessWriter *writer;
  ClRemoteRun *run;
  gint64 started;
} Remote;

static void
on_events_changed (GListModel *events, guint position, guint removed, guint added, Remote *remote)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (ClLineEvent) event = g_list_model_get_item (events, i);

      cl_headless_writer_write_event (remote->writer, event, g_get_monotonic_time () - remote->started);
    }
}

static void
on_run_event (ClRemoteRun *run, ClLineEvent *event, Remote *remote)
{
  /* JSON carries every event, also those the log has no line for (the log's are written as it grows) */
  if (!cl_line_event_has_line (event) && cl_headless_writer_get_output (remote->writer) == CL_HEADLESS_OUTPUT_JSON)
    cl_headless_writer_write_event (remote->writer, event, g_get_monotonic_time () - remote->started);
}

static void
on_finished (ClRemoteRun *run, Remote *remote)
{
  g_main_loop_quit (remote->loop);
}

static gboolean
on_stop (gpointer user_data)
{
  cl_remote_run_stop (((Remote *)user_data)->run);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_resume (gpointer user_data)
{
  cl_remote_run_retry (((Remote *)user_data)->run);
  return G_SOURCE_CONTINUE;
}

static void
on_done (GCancellable *done, gpointer user_data)
{
  /* on the card's thread; stopping is thread-safe */
  cl_remote_run_stop (user_data);
}

int
cl_remote_headless_run (const ClRemoteOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClRemoteParts) parts = cl_remote_parts_open (options, &error);
  g_autoptr (ClLine) line = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (ClHeadlessWriter) writer = NULL;
  g_autofree char *summary = NULL;
  Remote remote = { 0 };
  guint sigint, sigterm, sigusr1, timeout = 0;
  gulong events_handler;

  if (parts == NULL)
    {
      g_printerr ("cardline: %s\n", error->message);
      return g_error_matches (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT) ? 2 : 1;
    }
  printf ("%s (SIGUSR1 %d: resume after a fault)\n", parts->description, (int)getpid ());
  fflush (stdout);

  line = cl_line_new ();
  loop = g_main_loop_new (NULL, FALSE);
  writer = cl_headless_writer_new (options->output, stdout);
  cl_headless_writer_set_counters (writer, cl_remote_run_get_counters (parts->run));
  remote = (Remote){ loop, writer, parts->run, g_get_monotonic_time () };

  events_handler
    = g_signal_connect (cl_line_get_events (line), "items-changed", G_CALLBACK (on_events_changed), &remote);
  g_signal_connect (parts->run, "event", G_CALLBACK (on_run_event), &remote);
  g_signal_connect (parts->run, "finished", G_CALLBACK (on_finished), &remote);
  g_cancellable_connect (cl_remote_run_get_done (parts->run), G_CALLBACK (on_done), parts->run, NULL);
  sigint = g_unix_signal_add (SIGINT, on_stop, &remote);
  sigterm = g_unix_signal_add (SIGTERM, on_stop, &remote);
  sigusr1 = g_unix_signal_add (SIGUSR1, on_resume, &remote);
  if (options->duration > 0)
    timeout = g_timeout_add_seconds (options->duration, on_stop, &remote);

  cl_line_start (line);
  cl_remote_parts_start (parts, line);
  g_main_loop_run (loop);
  cl_line_stop (line);

  g_signal_handlers_disconnect_by_data (parts->run, &remote);
  g_signal_handlers_disconnect_by_data (parts->run, line);
  g_signal_handler_disconnect (cl_line_get_events (line), events_handler);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (sigusr1);
  if (timeout != 0)
    g_source_remove (timeout);
  cl_headless_writer_finish (writer);
  summary = cl_remote_run_summary (parts->run);
  printf ("%s\n", summary);
  fflush (stdout);
  return 0;
}
