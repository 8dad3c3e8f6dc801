/* cardline-admin readers: the PC/SC readers the station sees, through the same monitor the line uses. */
#include <stdio.h>

#include "cl-admin-commands.h"
#include "pcsc/cl-reader-monitor.h"

/* The monitor lists readers on its own thread; wait until it has been quiet this long, or at most MAX_WAIT. */
#define SETTLE_MS   400
#define MAX_WAIT_MS 5000

typedef struct
{
  GMainLoop *loop;
  guint settle_source;
  GError *error;
} Listing;

static gboolean
on_settled (gpointer user_data)
{
  Listing *listing = user_data;

  listing->settle_source = 0;
  g_main_loop_quit (listing->loop);
  return G_SOURCE_REMOVE;
}

static void
restart_settle (Listing *listing)
{
  g_clear_handle_id (&listing->settle_source, g_source_remove);
  listing->settle_source = g_timeout_add (SETTLE_MS, on_settled, listing);
}

static void
on_reader_added (ClReaderMonitor *monitor, const char *reader, Listing *listing)
{
  restart_settle (listing);
}

static void
on_service_lost (ClReaderMonitor *monitor, const GError *error, Listing *listing)
{
  if (listing->error == NULL)
    listing->error = g_error_copy (error);
  g_main_loop_quit (listing->loop);
}

static gboolean
on_timeout (gpointer user_data)
{
  g_main_loop_quit (((Listing *)user_data)->loop);
  return G_SOURCE_CONTINUE;
}

static int
run (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— list PC/SC readers");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClReaderMonitor) monitor = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_auto (GStrv) readers = NULL;
  const char *socket = g_getenv ("PCSCLITE_CSOCK_NAME");
  Listing listing = { 0 };
  guint timeout;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-admin readers: %s\n", error->message);
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  listing.loop = loop;

  monitor = cl_reader_monitor_new ();
  g_signal_connect (monitor, "reader-added", G_CALLBACK (on_reader_added), &listing);
  g_signal_connect (monitor, "service-lost", G_CALLBACK (on_service_lost), &listing);
  if (!cl_reader_monitor_start (monitor, &error))
    {
      g_printerr ("cardline-admin readers: %s\n", error->message);
      return 1;
    }

  timeout = g_timeout_add (MAX_WAIT_MS, on_timeout, &listing);
  restart_settle (&listing);
  g_main_loop_run (loop);

  g_source_remove (timeout);
  g_clear_handle_id (&listing.settle_source, g_source_remove);
  readers = cl_reader_monitor_dup_readers (monitor);
  cl_reader_monitor_stop (monitor);

  if (listing.error != NULL)
    {
      g_printerr ("cardline-admin readers: PC/SC service not reachable at %s: %s\n",
                  socket != NULL ? socket : "/run/pcscd/pcscd.comm (set PCSCLITE_CSOCK_NAME to change)",
                  listing.error->message);
      g_clear_error (&listing.error);
      return 1;
    }

  if (readers == NULL || readers[0] == NULL)
    printf ("No readers.\n");
  for (guint i = 0; readers != NULL && readers[i] != NULL; i++)
    printf ("%s\n", readers[i]);
  return 0;
}

const ClAdminCommand cl_admin_command_readers = {
  .name = "readers",
  .summary = "List the PC/SC readers",
  .run = run,
};
