#include "cl-remote-headless.h"

#include <glib-unix.h>
#include <stdio.h>
#include <unistd.h>

#include "cl-line.h"
#include "cl-station-feed.h"
#include "core/cl-name.h"
#include "cups/cl-cups-face-printer.h"
#include "pcsc/cl-rack-feeder.h"
#include "printer/cl-printer-feeder.h"
#include "remote/cl-remote-run.h"

typedef struct
{
  GMainLoop *loop;
  ClHeadlessWriter *writer;
  ClRemoteRun *run;
  ClLine *line;
  gint64 started;
  gboolean holds_cards;
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
  cl_station_feed_apply (remote->line, event, remote->holds_cards);
  /* JSON carries every event, also those the log has no line for */
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

static ClCvc *
load_srca (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gsize len;
  ClCvc *srca;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  srca = cl_cvc_new_from_bytes (bytes, error);
  if (srca == NULL)
    g_prefix_error (error, "SRCA certificate %s: ", path);
  return srca;
}

/* scheme://host[:port]: a production URL carries its secret token in its path or query, which stay out of the
 * output */
static char *
shown_url (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL ? g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                                   g_uri_get_port (uri), "", NULL, NULL)
                     : g_strdup ("(unparsable)");
}

static ClFeeder *
open_feeder (const ClRemoteOptions *options, GError **error)
{
  if (options->printer == NULL)
    return CL_FEEDER (cl_rack_feeder_new ());
  return CL_FEEDER (cl_printer_feeder_new (options->printer, options->printer_reader, error));
}

int
cl_remote_headless_run (const ClRemoteOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCvc) srca = NULL;
  g_autoptr (ClRamRelay) relay = NULL;
  g_autoptr (ClFeeder) feeder = NULL;
  g_autoptr (ClFacePrinter) face = NULL;
  g_autoptr (ClRemoteRun) run = NULL;
  g_autoptr (ClLine) line = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (ClHeadlessWriter) writer = NULL;
  g_autofree char *url = NULL, *printer = NULL;
  ClBatchCounters *counters;
  Remote remote = { 0 };
  guint sigint, sigterm, sigusr1, timeout = 0, cards, trips;
  guint64 sent, received;
  gulong events_handler;

  if (options->srca == NULL || (options->printer != NULL && options->printer_reader == NULL)
      || ((options->face_printer != NULL) != (options->face_template != NULL)))
    {
      g_printerr ("cardline: --remote needs --srca FILE (the SRCA certificate the cards must chain to); --printer "
                  "needs --printer-reader NAME; --face-printer and --face-template go together\n");
      return 2;
    }
  if (!(srca = load_srca (options->srca, &error))
      || !(relay = cl_ram_relay_new (options->url, options->ca_file, &error))
      || !(feeder = open_feeder (options, &error)))
    goto fail;
  /* the dialect's budget is 40 s; tests of a slow network shorten it rather than wait that long */
  if (g_getenv ("CARDLINE_REMOTE_POST_SECONDS") != NULL)
    cl_ram_relay_set_post_seconds (relay,
                                   (guint)g_ascii_strtoull (g_getenv ("CARDLINE_REMOTE_POST_SECONDS"), NULL, 10));
  if (options->face_printer != NULL
      && !(face = CL_FACE_PRINTER (cl_cups_face_printer_new (options->face_template, options->face_printer, &error))))
    goto fail;

  url = shown_url (options->url);
  printer = cl_text_escape (options->printer);
  printf ("remote production service=%s srca=%s quantity=%u feeder=%s%s (SIGUSR1 %d: resume after a fault)\n", url,
          cl_cvc_get_chr (srca), options->quantity, options->printer != NULL ? "printer " : "rack",
          options->printer != NULL ? printer : "", (int)getpid ());
  fflush (stdout);

  line = cl_line_new ();
  loop = g_main_loop_new (NULL, FALSE);
  writer = cl_headless_writer_new (options->output, stdout);
  run = cl_remote_run_new (feeder, relay, srca, NULL, options->batch, options->quantity);
  if (face != NULL)
    cl_remote_run_set_face_printer (run, face);
  counters = cl_remote_run_get_counters (run);
  cl_headless_writer_set_counters (writer, counters);
  remote = (Remote){ loop, writer, run, line, g_get_monotonic_time (), cl_feeder_get_finish_cards_on_stop (feeder) };

  events_handler
    = g_signal_connect (cl_line_get_events (line), "items-changed", G_CALLBACK (on_events_changed), &remote);
  g_signal_connect (run, "event", G_CALLBACK (on_run_event), &remote);
  g_signal_connect (run, "finished", G_CALLBACK (on_finished), &remote);
  g_cancellable_connect (cl_remote_run_get_done (run), G_CALLBACK (on_done), run, NULL);
  sigint = g_unix_signal_add (SIGINT, on_stop, &remote);
  sigterm = g_unix_signal_add (SIGTERM, on_stop, &remote);
  sigusr1 = g_unix_signal_add (SIGUSR1, on_resume, &remote);
  if (options->duration > 0)
    timeout = g_timeout_add_seconds (options->duration, on_stop, &remote);

  cl_line_attach_feeder (line, feeder);
  cl_line_start (line);
  cl_remote_run_start (run);
  g_main_loop_run (loop);
  cl_line_stop (line);

  g_signal_handlers_disconnect_by_data (run, &remote);
  g_signal_handler_disconnect (cl_line_get_events (line), events_handler);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_source_remove (sigusr1);
  if (timeout != 0)
    g_source_remove (timeout);
  cl_headless_writer_finish (writer);
  cl_remote_run_get_traffic (run, &cards, &trips, &sent, &received);
  printf ("remote batch %s cards=%u good=%u rejected=%u round-trips=%u bytes-out=%" G_GUINT64_FORMAT
          " bytes-in=%" G_GUINT64_FORMAT "\n",
          options->quantity > 0 && cards >= options->quantity ? "complete" : "stopped", cards,
          cl_batch_counters_get_good (counters), cl_batch_counters_get_rejected (counters), trips, sent, received);
  fflush (stdout);
  return 0;

fail:
  g_printerr ("cardline: %s\n", error->message);
  return 1;
}
