#include "cl-headless.h"

#include <glib-unix.h>
#include <stdio.h>

typedef struct
{
  GMainLoop *loop;
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
      /* One flushed line per event: a pipe reader (test, supervisor script) sees each as it happens. */
      printf ("%s\n", cl_line_event_get_line (event));
      fflush (stdout);
    }
}

static gboolean
on_quit (gpointer user_data)
{
  g_main_loop_quit (((Headless *)user_data)->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_stop_cancelled (GCancellable *stop, gpointer user_data)
{
  /* "cancelled" may fire on another thread; quitting is thread-safe */
  g_main_loop_quit (((Headless *)user_data)->loop);
}

int
cl_headless_run (ClLine *line, guint duration_seconds)
{
  return cl_headless_run_until (line, duration_seconds, NULL);
}

int
cl_headless_run_until (ClLine *line, guint duration_seconds, GCancellable *stop)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *time_text = NULL;
  ClEventLog *events = cl_line_get_events (line);
  Headless headless = { .loop = loop };
  guint sigint, sigterm, timeout = 0;
  gulong handler, stop_handler = 0;

  handler = g_signal_connect (events, "items-changed", G_CALLBACK (on_events_changed), &headless);
  sigint = g_unix_signal_add (SIGINT, on_quit, &headless);
  sigterm = g_unix_signal_add (SIGTERM, on_quit, &headless);
  if (duration_seconds > 0)
    timeout = g_timeout_add_seconds (duration_seconds, on_quit, &headless);

  if (stop != NULL)
    stop_handler = g_cancellable_connect (stop, G_CALLBACK (on_stop_cancelled), &headless, NULL);

  cl_line_start (line);
  if (stop == NULL || !g_cancellable_is_cancelled (stop))
    g_main_loop_run (loop);
  cl_line_stop (line);
  if (stop != NULL)
    g_cancellable_disconnect (stop, stop_handler);

  g_signal_handler_disconnect (events, handler);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (timeout != 0)
    g_source_remove (timeout);

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
