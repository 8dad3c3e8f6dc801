/* cardline-printer-sim: the virtual card printer of the rig, speaking the Evolis command set over TCP.
 *
 *   cardline-printer-sim (--port P | --listen 127.0.0.1:0) --hopper DIR --output DIR --reject DIR
 *                        --vpcd-port P --vcard PATH [--vpcd-host H] [--fault NAME] [--timing]
 *
 * Prints the port it listens on as the first line of stdout. One client at a time (a printer has one
 * command channel). The input hopper is DIR's files in name order. Sis moves the next card to the contact
 * station: `VCARD run --image IMG --port VPCDPORT` is started, so the card appears in the printer's PC/SC
 * reader (a vpcd reader of the rig); Se / Ser stop that process (the card leaves the reader) and move the
 * image to --output / --reject. An empty hopper is a feeder fault.
 *
 * Replies follow drivers/printer/cl-evolis-reply.h: OK, NACK;<code> (after Pem;2; before it ERR <text>),
 * ERR CARD, values. Commands: Pem;2 Sis Sic Se Ser Srs Sk;f Rlr;p Rse;o|p|m Rsn Rfv Rtp Rco;c.
 *
 * Test controls (not Evolis; same framing, answered OK):
 *   ESC Xfault;feeder-empty|jam|cover-open|ribbon-out|none CR   set or clear an injected fault
 *   ESC Xdrop CR       close the connection without answering (the card stays where it is)
 * A printer has one command channel, so faults during a run come from a script instead (repeatable):
 *   --at CMD#N=FAULT[/MS]   on the Nth CMD command (Sis, Se, Ser, ...), inject FAULT, cleared after MS ms
 *                           (the operator fixing it); without /MS it stays until Xfault;none
 *   --at CMD#N=drop         on the Nth CMD, close the connection without answering (a card stays inside)
 *   --at CMD#N=power-off    on the Nth CMD, lose power: the connection closes without an answer and, powering up,
 *                           the printer ejects the card inside to the output hopper without telling anyone (as an
 *                           Evolis does with a card at its contact station on power-up)
 * Faults: feeder-empty -> Sis NACK;F; jam -> motion NACK;T and Rlr;p ERR CARD; cover-open -> motion NACK;C
 * and Rse;o 1; ribbon-out -> Sis NACK;R. --timing adds the mechanical delays (feed, move, eject) and runs the
 * cards with their chip timing model (cardline-vcard run --timing). --print-timing prints those delays
 * (feed_ms=... eject_ms=...) and exits, for a benchmark's limit. */
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

typedef struct
{
  char *hopper, *output, *reject;
  char *vcard, *vpcd_host;
  int vpcd_port;
  char *fault; /* NULL or the injected fault's name */
  gboolean timing;
  gboolean host_errors; /* Pem;2 */
  char *card_image;     /* the card inside, at the contact station */
  GPid vcard_pid;
  guint64 count;
  char **script;         /* --at entries, NULL'ed out once done */
  GHashTable *seen;      /* command -> how many arrived */
  gint64 fault_clear_at; /* monotonic; 0: the fault stays */
} Sim;

/* The mechanics with --timing: the feed picks a card from the hopper and moves it to the contact station; an eject or
 * a reject moves it out; a reset clears the path. */
#define FEED_PICK_MS 800
#define FEED_MOVE_MS 300
#define EJECT_MS     600
#define RESET_MS     1000

static const char *const fault_names[] = { "feeder-empty", "jam", "cover-open", "ribbon-out", NULL };

static void
delay_ms (Sim *sim, guint ms)
{
  if (sim->timing)
    g_usleep (ms * G_TIME_SPAN_MILLISECOND);
}

/* strcmp on the GPtrArray's pointers-to-pointers. */
static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

static GPtrArray *
hopper_cards (Sim *sim)
{
  GPtrArray *cards = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (sim->hopper, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (cards, g_strdup (name));
  g_ptr_array_sort (cards, compare_names);
  return cards;
}

static char *
nack (Sim *sim, char code, const char *text)
{
  if (sim->host_errors)
    return g_strdup_printf ("NACK;%c", code);
  return g_strdup_printf ("ERR %s", text);
}

static void
stop_vcard (Sim *sim)
{
  int status;

  if (sim->vcard_pid == 0)
    return;
  kill (sim->vcard_pid, SIGTERM);
  waitpid (sim->vcard_pid, &status, 0);
  g_spawn_close_pid (sim->vcard_pid);
  sim->vcard_pid = 0;
}

static gboolean
start_vcard (Sim *sim, GError **error)
{
  g_autofree char *port = g_strdup_printf ("%d", sim->vpcd_port);
  const char *argv[]
    = { sim->vcard, "run", "--image", sim->card_image, "--port", port, "--host", sim->vpcd_host,
        /* a printer with mechanical timing carries cards with chip timing: the demo's whole line is paced */
        sim->timing ? "--timing" : NULL, NULL };

  return g_spawn_async (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &sim->vcard_pid, error);
}

static char *
move_card_out (Sim *sim, const char *dir)
{
  g_autofree char *base = NULL;
  g_autofree char *dest = NULL;

  stop_vcard (sim);
  base = g_path_get_basename (sim->card_image);
  dest = g_build_filename (dir, base, NULL);
  if (g_rename (sim->card_image, dest) != 0)
    return g_strdup_printf ("ERR cannot move %s: %s", base, g_strerror (errno));
  g_clear_pointer (&sim->card_image, g_free);
  sim->count++;
  return g_strdup ("OK");
}

static gboolean
fault_is (Sim *sim, const char *name)
{
  return sim->fault != NULL && strcmp (sim->fault, name) == 0;
}

/* Applies the --at entries due at this command; FALSE: drop the connection. */
static gboolean
run_script (Sim *sim, const char *cmd)
{
  guint n;

  if (sim->fault_clear_at > 0 && g_get_monotonic_time () >= sim->fault_clear_at)
    {
      g_printerr ("cardline-printer-sim: fault %s cleared\n", sim->fault);
      g_clear_pointer (&sim->fault, g_free);
      sim->fault_clear_at = 0;
    }
  n = GPOINTER_TO_UINT (g_hash_table_lookup (sim->seen, cmd)) + 1;
  g_hash_table_insert (sim->seen, g_strdup (cmd), GUINT_TO_POINTER (n));
  for (guint i = 0; sim->script != NULL && sim->script[i] != NULL; i++)
    {
      g_autofree char *due = g_strdup_printf ("%s#%u=", cmd, n);
      const char *action = sim->script[i];
      g_auto (GStrv) fault = NULL;

      if (action[0] == '\0' || !g_str_has_prefix (action, due))
        continue;
      action += strlen (due);
      g_printerr ("cardline-printer-sim: %s#%u: %s\n", cmd, n, action);
      if (strcmp (action, "drop") == 0)
        {
          sim->script[i][0] = '\0';
          return FALSE;
        }
      if (strcmp (action, "power-off") == 0)
        {
          sim->script[i][0] = '\0';
          if (sim->card_image != NULL)
            {
              g_autofree char *moved = move_card_out (sim, sim->output);

              g_printerr ("cardline-printer-sim: power-up eject: %s\n", moved);
            }
          g_clear_pointer (&sim->fault, g_free);
          return FALSE;
        }
      fault = g_strsplit (action, "/", 2);
      g_clear_pointer (&sim->fault, g_free);
      sim->fault = g_strdup (fault[0]);
      sim->fault_clear_at
        = fault[1] != NULL ? g_get_monotonic_time () + g_ascii_strtoll (fault[1], NULL, 10) * 1000 : 0;
      sim->script[i][0] = '\0';
    }
  return TRUE;
}

/* The reply to one command, or NULL to drop the connection. */
static char *
handle (Sim *sim, const char *command)
{
  g_auto (GStrv) parts = g_strsplit (command, ";", -1);
  const char *cmd = parts[0];
  const char *arg = parts[1];
  gboolean motion
    = strcmp (cmd, "Sis") == 0 || strcmp (cmd, "Sic") == 0 || strcmp (cmd, "Se") == 0 || strcmp (cmd, "Ser") == 0;

  if (strcmp (cmd, "Xdrop") == 0 || !run_script (sim, cmd))
    return NULL;
  if (strcmp (cmd, "Xfault") == 0)
    {
      if (arg == NULL || (!g_strv_contains (fault_names, arg) && strcmp (arg, "none") != 0))
        return nack (sim, '2', "PARAMETER");
      g_clear_pointer (&sim->fault, g_free);
      if (strcmp (arg, "none") != 0)
        sim->fault = g_strdup (arg);
      return g_strdup ("OK");
    }
  if (strcmp (cmd, "Pem") == 0)
    {
      if (arg == NULL || (strcmp (arg, "2") != 0 && strcmp (arg, "0") != 0))
        return nack (sim, '2', "PARAMETER");
      sim->host_errors = strcmp (arg, "2") == 0;
      return g_strdup ("OK");
    }
  if (motion && fault_is (sim, "cover-open"))
    return nack (sim, 'C', "COVER OPEN");
  if (motion && fault_is (sim, "jam"))
    return nack (sim, 'T', "MECHANICAL");
  if (strcmp (cmd, "Sis") == 0 || strcmp (cmd, "Sic") == 0)
    {
      g_autoptr (GPtrArray) cards = NULL;
      g_autoptr (GError) error = NULL;

      if (fault_is (sim, "ribbon-out"))
        return nack (sim, 'R', "RIBBON");
      if (sim->card_image != NULL)
        return nack (sim, '1', "CARD ALREADY INSIDE");
      cards = hopper_cards (sim);
      if (fault_is (sim, "feeder-empty") || cards->len == 0)
        return nack (sim, 'F', "FEEDER EMPTY");
      delay_ms (sim, FEED_PICK_MS);
      sim->card_image = g_build_filename (sim->hopper, g_ptr_array_index (cards, 0), NULL);
      delay_ms (sim, FEED_MOVE_MS);
      if (strcmp (cmd, "Sis") == 0 && !start_vcard (sim, &error))
        return g_strdup_printf ("ERR %s", error->message);
      return g_strdup ("OK");
    }
  if (strcmp (cmd, "Se") == 0 || strcmp (cmd, "Ser") == 0)
    {
      if (sim->card_image == NULL)
        return nack (sim, '1', "NO CARD");
      delay_ms (sim, EJECT_MS);
      return move_card_out (sim, strcmp (cmd, "Se") == 0 ? sim->output : sim->reject);
    }
  if (strcmp (cmd, "Srs") == 0)
    {
      delay_ms (sim, RESET_MS);
      sim->host_errors = FALSE;
      if (sim->card_image != NULL)
        return move_card_out (sim, sim->reject);
      return g_strdup ("OK");
    }
  if (strcmp (cmd, "Sk") == 0)
    {
      g_autoptr (GPtrArray) cards = NULL;
      if (g_strcmp0 (arg, "f") != 0)
        return nack (sim, '2', "PARAMETER");
      cards = hopper_cards (sim);
      if (fault_is (sim, "feeder-empty") || cards->len == 0)
        return g_strdup ("3");
      return g_strdup (cards->len >= 10 ? "0" : cards->len >= 5 ? "1" : "2");
    }
  if (strcmp (cmd, "Rlr") == 0)
    {
      if (g_strcmp0 (arg, "p") != 0)
        return nack (sim, '2', "PARAMETER");
      if (fault_is (sim, "jam"))
        return g_strdup ("ERR CARD");
      return g_strdup (sim->card_image != NULL ? "CARD CONTACT" : "NO CARD");
    }
  if (strcmp (cmd, "Rse") == 0)
    {
      if (g_strcmp0 (arg, "o") == 0)
        return g_strdup (fault_is (sim, "cover-open") ? "1" : "0");
      if (g_strcmp0 (arg, "p") == 0)
        return g_strdup (sim->card_image != NULL ? "1" : "0");
      if (g_strcmp0 (arg, "m") == 0)
        return g_strdup (fault_is (sim, "ribbon-out") ? "1" : "0");
      return nack (sim, '2', "PARAMETER");
    }
  if (strcmp (cmd, "Rco") == 0)
    {
      if (g_strcmp0 (arg, "c") != 0)
        return nack (sim, '2', "PARAMETER");
      return g_strdup_printf ("%" G_GUINT64_FORMAT, sim->count);
    }
  if (strcmp (cmd, "Rsn") == 0)
    return g_strdup ("SIM00001");
  if (strcmp (cmd, "Rfv") == 0)
    return g_strdup ("1.0.0-sim");
  if (strcmp (cmd, "Rtp") == 0)
    return g_strdup ("Primacy (cardline-printer-sim)");
  return nack (sim, '1', "COMMAND");
}

/* Reads one frame (ESC ... CR); NULL at end of stream or on a byte outside a frame. */
static char *
read_frame (GInputStream *in)
{
  GString *frame = g_string_new (NULL);
  guint8 byte;
  gboolean started = FALSE;

  for (;;)
    {
      if (g_input_stream_read (in, &byte, 1, NULL, NULL) != 1)
        break;
      if (!started)
        {
          started = byte == 0x1b;
          continue;
        }
      if (byte == '\r')
        return g_string_free (frame, FALSE);
      g_string_append_c (frame, (char)byte);
      if (frame->len > 1024)
        break;
    }
  g_string_free (frame, TRUE);
  return NULL;
}

static void
serve (Sim *sim, GSocketConnection *connection)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  char *command;

  sim->host_errors = FALSE;
  while ((command = read_frame (in)) != NULL)
    {
      g_autofree char *reply = handle (sim, command);
      g_autofree char *framed = NULL;

      g_free (command);
      if (reply == NULL)
        break;
      framed = g_strconcat (reply, "\r", NULL);
      if (!g_output_stream_write_all (out, framed, strlen (framed), NULL, NULL, NULL))
        break;
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

static gboolean
on_signal (gpointer user_data)
{
  Sim *sim = user_data;
  stop_vcard (sim);
  exit (0);
  return G_SOURCE_REMOVE;
}

static gpointer
signal_thread (gpointer user_data)
{
  GMainContext *context = g_main_context_new ();
  GMainLoop *loop;
  GSource *term, *intr;

  g_main_context_push_thread_default (context);
  term = g_unix_signal_source_new (SIGTERM);
  intr = g_unix_signal_source_new (SIGINT);
  g_source_set_callback (term, on_signal, user_data, NULL);
  g_source_set_callback (intr, on_signal, user_data, NULL);
  g_source_attach (term, context);
  g_source_attach (intr, context);
  loop = g_main_loop_new (context, FALSE);
  g_main_loop_run (loop);
  return NULL;
}

int
main (int argc, char **argv)
{
  Sim sim = { 0 };
  int port = -1;
  g_autofree char *listen = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new ("- virtual Evolis card printer");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketListener) listener = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketAddress) effective = NULL;
  gboolean print_timing = FALSE;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "TCP port on 127.0.0.1", "P" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "127.0.0.1:PORT (0 = any free port)", "ADDR" },
    { "hopper", 0, 0, G_OPTION_ARG_FILENAME, &sim.hopper, "input hopper: a folder of card images", "DIR" },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &sim.output, "output hopper", "DIR" },
    { "reject", 0, 0, G_OPTION_ARG_FILENAME, &sim.reject, "reject box", "DIR" },
    { "vpcd-port", 0, 0, G_OPTION_ARG_INT, &sim.vpcd_port, "vpcd port of the built-in reader", "P" },
    { "vpcd-host", 0, 0, G_OPTION_ARG_STRING, &sim.vpcd_host, "vpcd host (127.0.0.1)", "H" },
    { "vcard", 0, 0, G_OPTION_ARG_FILENAME, &sim.vcard, "the cardline-vcard executable", "PATH" },
    { "fault", 0, 0, G_OPTION_ARG_STRING, &sim.fault, "feeder-empty, jam, cover-open or ribbon-out", "NAME" },
    { "timing", 0, 0, G_OPTION_ARG_NONE, &sim.timing, "mechanical delays (feed, move, eject)", NULL },
    { "print-timing", 0, 0, G_OPTION_ARG_NONE, &print_timing, "print the --timing delays and exit", NULL },
    { "at", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sim.script,
      "CMD#N=FAULT[/MS], CMD#N=drop or CMD#N=power-off (repeatable)", "ENTRY" },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-printer-sim: %s\n", error->message);
      return 2;
    }
  if (print_timing)
    {
      printf ("feed_ms=%d eject_ms=%d reject_ms=%d\n", FEED_PICK_MS + FEED_MOVE_MS, EJECT_MS, EJECT_MS);
      return 0;
    }
  if (listen != NULL)
    {
      const char *colon = strrchr (listen, ':');
      if (colon == NULL || strncmp (listen, "127.0.0.1:", 10) != 0)
        {
          g_printerr ("cardline-printer-sim: --listen takes 127.0.0.1:PORT\n");
          return 2;
        }
      port = atoi (colon + 1);
    }
  if (port < 0 || port > 65535 || !sim.hopper || !sim.output || !sim.reject || !sim.vcard || sim.vpcd_port <= 0)
    {
      g_printerr ("cardline-printer-sim: needs --port|--listen, --hopper, --output, --reject, --vpcd-port, --vcard\n");
      return 2;
    }
  if (sim.fault != NULL && !g_strv_contains (fault_names, sim.fault))
    {
      g_printerr ("cardline-printer-sim: unknown --fault %s\n", sim.fault);
      return 2;
    }
  if (sim.vpcd_host == NULL)
    sim.vpcd_host = g_strdup ("127.0.0.1");
  sim.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; sim.script != NULL && sim.script[i] != NULL; i++)
    {
      const char *eq = strchr (sim.script[i], '=');
      g_autofree char *name = eq != NULL ? g_strndup (eq + 1, strcspn (eq + 1, "/")) : NULL;

      if (strchr (sim.script[i], '#') == NULL || eq == NULL
          || (strcmp (name, "drop") != 0 && strcmp (name, "power-off") != 0 && !g_strv_contains (fault_names, name)))
        {
          g_printerr ("cardline-printer-sim: --at %s: expected CMD#N=FAULT[/MS], CMD#N=drop or CMD#N=power-off\n",
                      sim.script[i]);
          return 2;
        }
    }

  listener = g_socket_listener_new ();
  {
    g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    address = g_inet_socket_address_new (loopback, port);
  }
  if (!g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &effective,
                                      &error))
    {
      g_printerr ("cardline-printer-sim: cannot listen on 127.0.0.1:%d: %s\n", port, error->message);
      return 1;
    }
  printf ("%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  fflush (stdout);
  g_thread_unref (g_thread_new ("signals", signal_thread, &sim));

  for (;;)
    {
      g_autoptr (GSocketConnection) connection = g_socket_listener_accept (listener, NULL, NULL, &error);
      if (connection == NULL)
        {
          g_printerr ("cardline-printer-sim: accept: %s\n", error->message);
          stop_vcard (&sim);
          return 1;
        }
      serve (&sim, connection);
    }
}
