#include "cl-headless.h"

#include <glib-unix.h>
#include <stdio.h>

typedef struct
{
  GMainLoop *loop;
  ClHeadlessWriter *writer;
  gint64 started;
  ClBatchRun *run; /* NULL: the reader monitor alone */
  gboolean stop_asked;
  guint counts[CL_LINE_EVENT_SERVICE_RESTORED + 1];
  guint64 printed;
} Headless;

static void
on_events_changed (GListModel *events, guint position, guint removed, guint added, Headless *headless)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (ClLineEvent) event = g_list_model_get_item (events, i);
      ClLineEventKind kind = cl_line_event_get_kind (event);

      if (kind < G_N_ELEMENTS (headless->counts))
        headless->counts[kind]++;
      headless->printed++;
      /* flushed per event: a pipe reader (test, supervisor script) sees each as it happens */
      cl_headless_writer_write_event (headless->writer, event, g_get_monotonic_time () - headless->started);
    }
}

static void
on_run_stopped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_main_loop_quit (((Headless *)user_data)->loop);
}

/* Production ends through the run's stop, so the cards in flight finish and the batch's end is written first. */
static void
ask_stop (Headless *headless)
{
  if (headless->run == NULL)
    {
      g_main_loop_quit (headless->loop);
      return;
    }
  if (headless->stop_asked)
    return;
  headless->stop_asked = TRUE;
  cl_batch_run_stop_async (headless->run, NULL, NULL, on_run_stopped, headless);
}

static gboolean
on_quit (gpointer user_data)
{
  ask_stop (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_done_idle (gpointer user_data)
{
  ask_stop (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_done_cancelled (GCancellable *done, gpointer user_data)
{
  /* "cancelled" fires on the card job's thread: the stop belongs to the main context */
  g_idle_add (on_done_idle, user_data);
}

/* JSON carries every event of the run, also those the log has no line for (a step started). */
static void
on_run_event (ClBatchRun *run, ClLineEvent *event, Headless *headless)
{
  if (!cl_line_event_has_line (event))
    cl_headless_writer_write_event (headless->writer, event, g_get_monotonic_time () - headless->started);
}

static gboolean
on_progress (gpointer user_data)
{
  Headless *headless = user_data;

  cl_headless_writer_update_progress (headless->writer, g_get_monotonic_time () - headless->started);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_resume (gpointer user_data)
{
  Headless *headless = user_data;

  cl_batch_run_set_paused (headless->run, FALSE, NULL);
  cl_batch_run_retry (headless->run);
  return G_SOURCE_CONTINUE;
}

static int run (ClLine *line, ClBatchRun *batch_run, guint duration_seconds, ClHeadlessOutput output);

int
cl_headless_run (ClLine *line, guint duration_seconds, ClHeadlessOutput output)
{
  return run (line, NULL, duration_seconds, output);
}

int
cl_headless_run_production (ClLine *line, ClBatchRun *batch_run, guint duration_seconds, ClHeadlessOutput output)
{
  return run (line, batch_run, duration_seconds, output);
}

static int
run (ClLine *line, ClBatchRun *batch_run, guint duration_seconds, ClHeadlessOutput output)
{
  g_autoptr (ClHeadlessWriter) writer = cl_headless_writer_new (output, stdout);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *time_text = NULL;
  ClEventLog *events = cl_line_get_events (line);
  Headless headless = { .loop = loop, .run = batch_run, .writer = writer, .started = g_get_monotonic_time () };
  guint sigint, sigterm, sigusr1 = 0, timeout = 0, progress = 0;
  gulong handler, done_handler = 0, run_handler = 0;

  handler = g_signal_connect (events, "items-changed", G_CALLBACK (on_events_changed), &headless);
  sigint = g_unix_signal_add (SIGINT, on_quit, &headless);
  sigterm = g_unix_signal_add (SIGTERM, on_quit, &headless);
  if (duration_seconds > 0)
    timeout = g_timeout_add_seconds (duration_seconds, on_quit, &headless);

  if (batch_run != NULL)
    {
      sigusr1 = g_unix_signal_add (SIGUSR1, on_resume, &headless);
      cl_headless_writer_set_counters (writer, cl_batch_run_get_counters (batch_run));
      if (output == CL_HEADLESS_OUTPUT_JSON)
        run_handler = g_signal_connect (batch_run, "event", G_CALLBACK (on_run_event), &headless);
      if (cl_headless_writer_get_terminal (writer))
        progress = g_timeout_add_seconds (1, on_progress, &headless);
      /* called at once if the batch was complete before it started */
      done_handler
        = g_cancellable_connect (cl_batch_run_get_done (batch_run), G_CALLBACK (on_done_cancelled), &headless, NULL);
    }

  cl_line_start (line);
  g_main_loop_run (loop);
  cl_line_stop (line);
  if (batch_run != NULL)
    {
      g_cancellable_disconnect (cl_batch_run_get_done (batch_run), done_handler);
      g_source_remove (sigusr1);
      g_clear_signal_handler (&run_handler, batch_run);
      g_clear_handle_id (&progress, g_source_remove);
    }

  g_signal_handler_disconnect (events, handler);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (timeout != 0)
    g_source_remove (timeout);
  /* an idle from the done handler may still be queued: it must not outlive headless */
  while (g_source_remove_by_user_data (&headless))
    ;

  cl_headless_writer_finish (writer);
  now = g_date_time_new_now_local ();
  time_text = g_date_time_format (now, "%H:%M:%S");
  printf ("%s summary events=%" G_GUINT64_FORMAT " readers-added=%u readers-removed=%u cards-inserted=%u "
          "cards-removed=%u service-lost=%u\n",
          time_text, headless.printed, headless.counts[CL_LINE_EVENT_READER_ADDED],
          headless.counts[CL_LINE_EVENT_READER_REMOVED], headless.counts[CL_LINE_EVENT_CARD_INSERTED],
          headless.counts[CL_LINE_EVENT_CARD_REMOVED],
          headless.counts[CL_LINE_EVENT_SERVICE_LOST] + headless.counts[CL_LINE_EVENT_SERVICE_UNAVAILABLE]);
  fflush (stdout);

  return 0;
}
