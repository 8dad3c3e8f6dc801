/* bench-printer-feed: on the printer-fed line, how long a card parked at the contact station waits for its first APDU
 * answer, the old way and the new way, measured in the same run (DESIGN §7: measured, never asserted).
 *
 *   before: the printer station (removed with lib/line) fed a card, waited for the PC/SC reader monitor's
 *           "card-inserted" for the printer's reader to be delivered on its main context, and only then connected;
 *   after:  ClPrinterFeeder's connect waits on pcscd itself (cl_pcsc_reader_wait_card) and connects the moment pcscd
 *           reports the card.
 *
 * Both are timed from next_card's return (the printer says the card is parked) to the answer of a SELECT of the ISD.
 * The modes alternate card by card on one printer, one reader and one pcscd, so that whatever else loads the machine
 * loads both alike; the reader monitor runs throughout in both modes, as it does in the app. Each run starts with
 * one unrecorded card per mode: the first connection also pays for pcscd's and the page cache's first look.
 *
 * pcscd only learns of a vpcd card by polling the reader, and refuses SCardConnect until it has: that wait is in
 * both modes. A witness thread waits on pcscd for each card in both modes alike and notes when pcscd reports it, so
 * each card's time splits into pcscd's poll (park -> reported), which no mode can shorten, and what follows
 * (reported -> first APDU answered), where the modes differ; the totals alone would mostly show which poll phases
 * each mode's cards happened to meet. Both modes connect right after one of pcscd's polls, so with nothing
 * between the answer and the eject every park would fall at the same point of pcscd's poll cycle and every card wait
 * the same: between each answer and its eject a pause stands in for the card's production. The pauses spread evenly
 * over one poll interval, in a shuffled order that both modes share (the k-th card of each mode is fed after the same
 * pause), so both modes meet the same poll phases.
 *
 * Run: tests/rig/rig-run --readers 1 --parts pcsc -- BUILDDIR/tests/bench/bench-printer-feed \
 *        BUILDDIR/tests/sim/printer/cardline-printer-sim BUILDDIR/tests/sim/vcard/cardline-vcard [CARDS-PER-MODE]
 * (or tests/bench/run BUILDDIR printer). Runs once with the sim untimed and once with --timing (mechanical delays
 * and the chip timing model). */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "pcsc/cl-pcsc-reader.h"
#include "pcsc/cl-pcsc-transport.h"
#include "pcsc/cl-reader-monitor.h"
#include "printer/cl-printer-feeder.h"

/* Every wait is for an event; this only bounds a bench that would otherwise hang (the feeder's own connect gives up
 * after 10 s). */
#define WAIT_MS 15000
/* The sim answers SIGTERM by stopping its card; one that does not within this long is killed. */
#define SIM_STOP_MS   5000
#define DEFAULT_CARDS 10
/* One unrecorded card per mode before the measured ones. */
#define WARM_UP_CARDS 2
/* What the feeder notes once pcscd reported the card (cl-printer-feeder.c). */
#define NOTE_CARD_SEEN "card at the contact station"
/* How often pcscd polls a vpcd reader for a card (measured on the rig; drivers/pcsc/cl-pcsc-reader.h). */
#define PCSCD_POLL_MS 400
/* Fixed, so that two runs pause alike. */
#define PAUSE_SEED 20240611

typedef enum
{
  MODE_BEFORE,
  MODE_AFTER,
  N_MODES,
} Mode;

static const char *const mode_names[N_MODES] = { "before", "after" };

/* One mode's measurements, in ms, one entry per card that got its answer. "Reported" is when a witness thread,
 * waiting on pcscd in both modes alike, heard pcscd report the card: the same reference for both. */
typedef struct
{
  GArray *poll;        /* park -> reported: pcscd's poll, which no mode can shorten */
  GArray *hop;         /* reported -> the mode heard it (before: the monitor's signal on the main context; after: the
                        * feeder's own wait on pcscd); either may hear it before the witness */
  GArray *answer;      /* heard -> SELECT answered: the connection and one APDU */
  GArray *from_report; /* reported -> SELECT answered: what the change can affect */
  GArray *total;       /* park -> SELECT answered */
  guint failed;
  guint odd_atrs; /* connections that saw an ATR other than the card's */
} Series;

typedef struct
{
  const char *sim_exe, *vcard_exe;
  const char *reader;
  const char *vpcd_port;
  guint cards;

  /* one configuration (untimed or timed sim) */
  char *dir, *hopper, *output, *reject, *sim_out, *sim_err;
  GSubprocess *sim;
  ClFeeder *feeder;
  ClReaderMonitor *monitor;
  GBytes *card_atr;

  /* main thread only: the monitor's signals are delivered here, and connect runs here */
  guint inserted;
  gint64 inserted_us;
  gint64 note_us;
} Bench;

static Bench bench;

static void stop_sim (void);
static void remove_tree (const char *path);
static void fail (const char *format, ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

/* Something the bench cannot go on from (the sim, the feed, a card left somewhere unknown): say what, show the sim's
 * last words, and leave nothing running that this process started. */
static void
fail (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;
  g_autofree char *sim_err = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("bench-printer-feed: %s\n", message);
  if (bench.sim_err != NULL && g_file_get_contents (bench.sim_err, &sim_err, NULL, NULL) && *sim_err != '\0')
    g_printerr ("cardline-printer-sim's stderr:\n%s", sim_err);
  /* the monitor thread and the feeder's printer connection go with the process; the sim would not */
  stop_sim ();
  if (bench.dir != NULL)
    remove_tree (bench.dir);
  exit (1);
}

/* ---- the sim and its cards ---- */

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static guint
count_files (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
manufacture (guint count)
{
  /* any card keys do: the bench only selects the ISD */
  const char *kst = "404142434445464748494A4B4C4D4E4F";
  g_autofree char *n = g_strdup_printf ("%u", count);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) p = NULL;

  p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, bench.vcard_exe, "manufacture", "--out",
                        bench.hopper, "--count", n, "--kst-type", "aes", "--kst-version", "30", "--kst-enc", kst,
                        "--kst-mac", kst, "--kst-dek", kst, NULL);
  if (p == NULL || !g_subprocess_wait_check (p, NULL, &error))
    fail ("cardline-vcard manufacture: %s", error->message);
}

/* The ATR the cards answer with (all are made alike): what a connection should see. */
static GBytes *
read_card_atr (void)
{
  g_autofree char *path = g_build_filename (bench.hopper, "card-0001.vcard", NULL);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *hex = NULL;
  g_autoptr (GByteArray) atr = g_byte_array_new ();

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error)
      || (hex = g_key_file_get_string (file, "card", "atr", &error)) == NULL)
    fail ("card image %s: %s", path, error->message);
  for (const char *p = hex; g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]); p += 2)
    {
      guint8 b = (guint8)(g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
      g_byte_array_append (atr, &b, 1);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&atr));
}

/* The sim (and, through its SIGTERM handler, its card) must not outlive a bench that dies, holding the rig's reader. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts the sim on the rig's first vpcd reader; returns its command port. */
static guint
start_sim (gboolean timing)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *args[] = { "--listen", "127.0.0.1:0", "--hopper", bench.hopper,    "--output",    bench.output,
                         "--reject", bench.reject,  "--vcard",  bench.vcard_exe, "--vpcd-port", bench.vpcd_port };

  g_ptr_array_add (argv, (char *)bench.sim_exe);
  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    g_ptr_array_add (argv, (char *)args[i]);
  if (timing)
    g_ptr_array_add (argv, (char *)"--timing");
  g_ptr_array_add (argv, NULL);

  /* files, not pipes: the sim's cards inherit its stdout, and a pipe nobody reads any more would stall or kill them */
  g_subprocess_launcher_set_stdout_file_path (launcher, bench.sim_out);
  g_subprocess_launcher_set_stderr_file_path (launcher, bench.sim_err);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  bench.sim = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  if (bench.sim == NULL)
    fail ("cannot start %s: %s", bench.sim_exe, error->message);
  /* the first line of its stdout is the port it listens on */
  for (;;)
    {
      g_autofree char *out = NULL;

      if (g_file_get_contents (bench.sim_out, &out, NULL, NULL) && strchr (out, '\n') != NULL)
        {
          guint64 port = g_ascii_strtoull (out, NULL, 10);

          if (port == 0 || port > G_MAXUINT16)
            fail ("cardline-printer-sim printed no port: %s", out);
          return (guint)port;
        }
      if (g_subprocess_get_identifier (bench.sim) == NULL)
        fail ("cardline-printer-sim exited before it listened");
      if (g_get_monotonic_time () > deadline)
        fail ("cardline-printer-sim printed no port within %u s", WAIT_MS / 1000);
      g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
}

static void
stop_sim (void)
{
  gint64 deadline = g_get_monotonic_time () + SIM_STOP_MS * G_TIME_SPAN_MILLISECOND;

  if (bench.sim == NULL)
    return;
  /* SIGTERM lets it stop the card it holds; the identifier goes once GLib reaped it */
  g_subprocess_send_signal (bench.sim, SIGTERM);
  while (g_subprocess_get_identifier (bench.sim) != NULL && g_get_monotonic_time () < deadline)
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  if (g_subprocess_get_identifier (bench.sim) != NULL)
    {
      g_printerr ("bench-printer-feed: cardline-printer-sim ignored SIGTERM for %u s; killed\n", SIM_STOP_MS / 1000);
      g_subprocess_force_exit (bench.sim);
      g_subprocess_wait (bench.sim, NULL, NULL);
    }
  g_clear_object (&bench.sim);
}

/* A monitor started while pcscd still reports the previous run's last card (its poll has not seen it go) would
 * report that card inserted, and the first card would be connected on a stale report: start it on an empty reader. */
static void
wait_reader_empty (void)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      ClPcscReaderState state = { 0 };

      if (cl_pcsc_reader_get_state (bench.reader, &state, &error) && !state.present)
        return;
      if (g_get_monotonic_time () > deadline)
        fail ("pcscd still reports %s %s after %u s", bench.reader, error != NULL ? error->message : "holding a card",
              WAIT_MS / 1000);
      g_usleep (20 * G_TIME_SPAN_MILLISECOND);
    }
}

/* ---- one card ---- */

/* A third pcscd client, the same in both modes, that notes when pcscd reports the card: started before the feed with
 * pcscd's view of the reader then (which may still be the previous card, as the feeder allows for). */
typedef struct
{
  ClPcscReaderState before;
  GThread *thread;
  GCancellable *cancellable;
  gint64 reported_us;
  GError *error;
  gint done; /* atomic */
} Witness;

static gpointer
witness_thread (gpointer data)
{
  Witness *w = data;

  if (cl_pcsc_reader_wait_card (bench.reader, &w->before, WAIT_MS, w->cancellable, NULL, &w->error))
    w->reported_us = g_get_monotonic_time ();
  g_atomic_int_set (&w->done, TRUE);
  return NULL;
}

static void
witness_start (Witness *w)
{
  g_autoptr (GError) error = NULL;

  if (!cl_pcsc_reader_get_state (bench.reader, &w->before, &error))
    fail ("pcscd's state of %s: %s", bench.reader, error->message);
  w->cancellable = g_cancellable_new ();
  w->thread = g_thread_new ("witness", witness_thread, w);
}

/* FALSE with error when the witness heard no report (then the card's numbers have no reference). Called after the
 * card's time was taken. */
static gboolean
witness_finish (Witness *w, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + G_TIME_SPAN_SECOND;

  /* After an answer pcscd has reported the card, so the witness is done or about to be (on a busy machine it may not
   * have run since pcscd woke it: cancelling at once could lose its report). After a failure it may wait for ever. */
  while (!g_atomic_int_get (&w->done) && g_get_monotonic_time () < deadline)
    g_usleep (G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (w->cancellable);
  g_thread_join (w->thread);
  g_clear_object (&w->cancellable);
  if (w->reported_us != 0)
    return TRUE;
  g_propagate_prefixed_error (error, g_steal_pointer (&w->error), "the witness heard no report from pcscd: ");
  return FALSE;
}

static void
on_card_inserted (ClReaderMonitor *monitor, const char *reader, GBytes *atr, gpointer user_data)
{
  if (g_strcmp0 (reader, bench.reader) != 0)
    return;
  bench.inserted++;
  bench.inserted_us = g_get_monotonic_time ();
}

static void
on_note (ClFeeder *feeder, const char *text, gpointer user_data)
{
  /* emitted on the thread that runs connect, which is this one */
  if (g_strcmp0 (text, NOTE_CARD_SEEN) == 0)
    bench.note_us = g_get_monotonic_time ();
}

/* Monitor signals of the previous card (its removal, a late report) are taken in before the next one is fed. */
static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main context, as the station's main loop did, until a card-inserted for the reader arrived after
 * `seen` of them, or the deadline. */
static gboolean
wait_inserted (guint seen, gint64 deadline)
{
  gint64 now = g_get_monotonic_time ();
  GSource *timeout;

  if (bench.inserted != seen)
    return TRUE;
  if (now >= deadline)
    return FALSE;
  /* only there to end a blocking iteration at the deadline */
  timeout = g_timeout_source_new ((guint)((deadline - now) / G_TIME_SPAN_MILLISECOND) + 1);
  g_source_set_callback (timeout, wake, NULL, NULL);
  g_source_attach (timeout, NULL);
  while (bench.inserted == seen && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  return bench.inserted != seen;
}

/* SELECT by name with no AID: the card's ISD. */
static gboolean
select_isd (ClTransport *transport, GError **error)
{
  static const guint8 select_apdu[] = { 0x00, 0xA4, 0x04, 0x00, 0x00 };
  g_autoptr (GBytes) command = g_bytes_new_static (select_apdu, sizeof select_apdu);
  g_autoptr (GBytes) response = cl_transport_transmit (transport, command, NULL, error);
  const guint8 *r;
  gsize len;

  if (response == NULL)
    return FALSE;
  r = g_bytes_get_data (response, &len);
  if (len < 2 || r[len - 2] != 0x90 || r[len - 1] != 0x00)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "SELECT of the ISD answered %s",
                   len >= 2 ? "with an error status" : "without a status");
      return FALSE;
    }
  return TRUE;
}

static void
check_atr (ClTransport *transport, Series *series)
{
  g_autoptr (GBytes) atr = cl_transport_get_atr (transport);

  if (series != NULL && (atr == NULL || !g_bytes_equal (atr, bench.card_atr)))
    series->odd_atrs++;
}

static void
record (Series *series, gint64 parked_us, gint64 reported_us, gint64 heard_us, gint64 answered_us)
{
  double poll = (reported_us - parked_us) / 1000.0;
  double hop = (heard_us - reported_us) / 1000.0;
  double answer = (answered_us - heard_us) / 1000.0;
  double from_report = (answered_us - reported_us) / 1000.0;
  double total = (answered_us - parked_us) / 1000.0;

  if (series == NULL)
    return;
  g_array_append_val (series->poll, poll);
  g_array_append_val (series->hop, hop);
  g_array_append_val (series->answer, answer);
  g_array_append_val (series->from_report, from_report);
  g_array_append_val (series->total, total);
}

/* The card was not answered: said, counted, and sent to the reject bin so that the next feed finds the station
 * empty. A card whose move fails is somewhere nobody can vouch for: the bench stops. */
static void
card_failed (ClFeederCard *card, Mode mode, guint number, Series *series, const GError *error)
{
  g_autoptr (GError) local = NULL;

  g_printerr ("bench-printer-feed: card %u (%s): %s\n", number, mode_names[mode], error->message);
  if (series != NULL)
    series->failed++;
  if (!cl_feeder_dispose (bench.feeder, card, CL_DISPOSITION_REJECT_BIN, &local))
    fail ("card %u (%s) did not reach the reject bin: %s", number, mode_names[mode], local->message);
}

static ClFeederCard *
feed (Mode mode, guint number)
{
  g_autoptr (GError) error = NULL;
  ClFeederCard *card = cl_feeder_next_card (bench.feeder, NULL, &error);

  if (card == NULL)
    fail ("card %u (%s): the printer fed no card: %s", number, mode_names[mode], error->message);
  /* a fresh sim holds no card, so nothing may come back unproduced */
  if (cl_feeder_card_is_unproduced (card))
    fail ("card %u (%s): the feeder returned an unproduced card: %s", number, mode_names[mode],
          cl_feeder_card_get_detail (card));
  return card;
}

static void
dispose_output (ClFeederCard *card, Mode mode, guint number)
{
  g_autoptr (GError) error = NULL;

  if (!cl_feeder_dispose (bench.feeder, card, CL_DISPOSITION_OUTPUT, &error))
    fail ("card %u (%s) did not reach the output: %s", number, mode_names[mode], error->message);
}

/* The printer station's way: the park, then the reader monitor's card-inserted on the main context, then connect.
 * Returns the card, answered, released and still parked, or NULL when it failed (it is in the reject bin). */
static ClFeederCard *
card_before (guint number, Series *series)
{
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (ClPcscTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  Witness witness = { 0 };
  gint64 parked_us, answered_us;
  guint seen;

  drain_main_context ();
  /* counted from before the feed, as the station did: a report that came during the feed is this card's */
  seen = bench.inserted;
  witness_start (&witness);
  card = feed (MODE_BEFORE, number);
  parked_us = g_get_monotonic_time ();
  if (!wait_inserted (seen, parked_us + WAIT_MS * G_TIME_SPAN_MILLISECOND))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "the reader monitor reported no card inserted in %s within %u s of the park", bench.reader,
                   WAIT_MS / 1000);
      witness_finish (&witness, NULL);
      card_failed (card, MODE_BEFORE, number, series, error);
      return NULL;
    }
  /* one attempt, as the station made: pcscd has reported the card, so it lets it be connected */
  transport = cl_pcsc_transport_connect (bench.reader, NULL, &error);
  if (transport == NULL || !select_isd (CL_TRANSPORT (transport), &error))
    {
      if (transport != NULL)
        cl_pcsc_transport_disconnect (transport, TRUE);
      witness_finish (&witness, NULL);
      card_failed (card, MODE_BEFORE, number, series, error);
      return NULL;
    }
  answered_us = g_get_monotonic_time ();
  if (!witness_finish (&witness, &error))
    {
      cl_pcsc_transport_disconnect (transport, TRUE);
      card_failed (card, MODE_BEFORE, number, series, error);
      return NULL;
    }
  check_atr (CL_TRANSPORT (transport), series);
  record (series, parked_us, witness.reported_us, bench.inserted_us, answered_us);
  /* reset, as the feeder's release does, so that both modes leave the card alike */
  cl_pcsc_transport_disconnect (transport, TRUE);
  return g_steal_pointer (&card);
}

/* ClPrinterFeeder's way: connect at once after the park; it waits on pcscd itself. Returns as card_before. */
static ClFeederCard *
card_after (guint number, Series *series)
{
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (ClTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  Witness witness = { 0 };
  gint64 parked_us, answered_us;

  drain_main_context ();
  bench.note_us = 0;
  witness_start (&witness);
  card = feed (MODE_AFTER, number);
  parked_us = g_get_monotonic_time ();
  transport = cl_feeder_connect (bench.feeder, card, NULL, &error);
  if (transport == NULL || !select_isd (transport, &error))
    {
      if (transport != NULL)
        cl_feeder_release (bench.feeder, card, transport);
      witness_finish (&witness, NULL);
      card_failed (card, MODE_AFTER, number, series, error);
      return NULL;
    }
  answered_us = g_get_monotonic_time ();
  if (!witness_finish (&witness, &error))
    {
      cl_feeder_release (bench.feeder, card, transport);
      card_failed (card, MODE_AFTER, number, series, error);
      return NULL;
    }
  if (bench.note_us == 0)
    fail ("card %u (after): the feeder connected without its \"%s\" note; is this bench out of date?", number,
          NOTE_CARD_SEEN);
  check_atr (transport, series);
  record (series, parked_us, witness.reported_us, bench.note_us, answered_us);
  cl_feeder_release (bench.feeder, card, transport);
  return g_steal_pointer (&card);
}

/* ---- numbers ---- */

typedef struct
{
  double min, median, mean, max;
} Stats;

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static Stats
stats (GArray *values)
{
  g_autoptr (GArray) sorted = g_array_copy (values);
  guint n = sorted->len;
  Stats s = { 0 };

  if (n == 0)
    return s;
  g_array_sort (sorted, compare_double);
  s.min = g_array_index (sorted, double, 0);
  s.max = g_array_index (sorted, double, n - 1);
  s.median = n % 2 == 1 ? g_array_index (sorted, double, n / 2)
                        : (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
  for (guint i = 0; i < n; i++)
    s.mean += g_array_index (sorted, double, i) / n;
  return s;
}

static void
print_stats (const char *label, GArray *values)
{
  Stats s = stats (values);

  g_print ("      %-30s min %7.1f / median %7.1f / mean %7.1f / max %7.1f ms\n", label, s.min, s.median, s.mean, s.max);
}

static void
print_series (Mode mode, Series *series)
{
  g_autoptr (GString) each = g_string_new (NULL);

  g_print ("    %s: %s, %u cards answered", mode_names[mode],
           mode == MODE_BEFORE ? "monitor's card-inserted on the main context, then connect"
                               : "ClPrinterFeeder connect (waits on pcscd, connects at once)",
           series->total->len);
  if (series->failed > 0)
    g_print (", %u failed (see stderr)", series->failed);
  if (series->odd_atrs > 0)
    g_print (", %u saw an ATR other than the card's", series->odd_atrs);
  g_print ("\n");
  if (series->total->len == 0)
    return;
  print_stats ("parked -> pcscd reported it", series->poll);
  print_stats ("reported -> heard by the mode", series->hop);
  print_stats ("heard -> SELECT answered", series->answer);
  print_stats ("reported -> SELECT answered", series->from_report);
  print_stats ("parked -> first APDU answered", series->total);
  for (guint i = 0; i < series->total->len; i++)
    g_string_append_printf (each, " %.0f", g_array_index (series->total, double, i));
  g_print ("      %-30s%s ms\n", "each card, in order:", each->str);
}

/* ---- one configuration ---- */

static void
run (gboolean timing)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *address = NULL;
  ClPrinterFeeder *feeder;
  Series series[N_MODES];
  Stats before, after, before_poll, after_poll, before_report, after_report;
  guint number = 0;
  g_autofree guint *pauses = NULL;
  g_autoptr (GRand) shuffle = NULL;
  ClFeederCard *parked = NULL;
  Mode parked_mode = MODE_BEFORE;

  bench.dir = g_dir_make_tmp ("bench-printer-feed-XXXXXX", &error);
  if (bench.dir == NULL)
    fail ("%s", error->message);
  bench.hopper = g_build_filename (bench.dir, "hopper", NULL);
  bench.output = g_build_filename (bench.dir, "output", NULL);
  bench.reject = g_build_filename (bench.dir, "reject", NULL);
  bench.sim_out = g_build_filename (bench.dir, "sim.out", NULL);
  bench.sim_err = g_build_filename (bench.dir, "sim.err", NULL);
  g_mkdir (bench.hopper, 0700);
  g_mkdir (bench.output, 0700);
  g_mkdir (bench.reject, 0700);
  manufacture (WARM_UP_CARDS + N_MODES * bench.cards);
  bench.card_atr = read_card_atr ();

  address = g_strdup_printf ("tcp://127.0.0.1:%u", start_sim (timing));
  feeder = cl_printer_feeder_new (address, bench.reader, &error);
  if (feeder == NULL)
    fail ("printer feeder: %s", error->message);
  bench.feeder = CL_FEEDER (feeder);
  g_signal_connect (bench.feeder, "note", G_CALLBACK (on_note), NULL);

  for (guint m = 0; m < N_MODES; m++)
    {
      series[m].poll = g_array_new (FALSE, FALSE, sizeof (double));
      series[m].hop = g_array_new (FALSE, FALSE, sizeof (double));
      series[m].answer = g_array_new (FALSE, FALSE, sizeof (double));
      series[m].from_report = g_array_new (FALSE, FALSE, sizeof (double));
      series[m].total = g_array_new (FALSE, FALSE, sizeof (double));
      series[m].failed = 0;
      series[m].odd_atrs = 0;
    }

  /* the k-th card of each mode is fed after a pause of pauses[k] (µs): evenly spread over a poll interval, in a
   * shuffled order */
  pauses = g_new (guint, bench.cards);
  shuffle = g_rand_new_with_seed (PAUSE_SEED);
  for (guint k = 0; k < bench.cards; k++)
    pauses[k] = (guint)((k + 0.5) * PCSCD_POLL_MS * G_TIME_SPAN_MILLISECOND / bench.cards);
  for (guint k = bench.cards; k > 1; k--)
    {
      guint j = (guint)g_rand_int_range (shuffle, 0, (gint32)k);
      guint t = pauses[k - 1];

      pauses[k - 1] = pauses[j];
      pauses[j] = t;
    }

  wait_reader_empty ();
  /* the line's monitor, run the way app/cl-line.c runs it: its signals come to this thread's main context */
  bench.monitor = cl_reader_monitor_new ();
  g_signal_connect (bench.monitor, "card-inserted", G_CALLBACK (on_card_inserted), NULL);
  if (!cl_reader_monitor_start (bench.monitor, &error))
    fail ("reader monitor: %s", error->message);
  bench.inserted = 0;

  for (guint i = 0; i < WARM_UP_CARDS + N_MODES * bench.cards; i++)
    {
      /* alternating, so that both modes see the same load, the same pcscd and the same previous card's exit */
      Mode mode = i % 2 == 0 ? MODE_BEFORE : MODE_AFTER;
      gboolean warm_up = i < WARM_UP_CARDS;
      Series *to = warm_up ? NULL : &series[mode];

      if (parked != NULL)
        {
          /* the previous card's production, then its eject; this card is fed right after, as on the line */
          g_usleep (warm_up ? PCSCD_POLL_MS * G_TIME_SPAN_MILLISECOND / 2 : pauses[(i - WARM_UP_CARDS) / 2]);
          dispose_output (parked, parked_mode, number);
          g_clear_object (&parked);
        }
      number++;
      parked = mode == MODE_BEFORE ? card_before (number, to) : card_after (number, to);
      parked_mode = mode;
    }
  if (parked != NULL)
    dispose_output (parked, parked_mode, number);
  g_clear_object (&parked);

  g_print ("%s sim (%s), %u cards per mode, alternating, after %u unrecorded; 0-%u ms between answer and eject:\n",
           timing ? "timed" : "untimed", timing ? "--timing: mechanical delays, chip timing model" : "no delays",
           bench.cards, WARM_UP_CARDS, PCSCD_POLL_MS);
  for (guint m = 0; m < N_MODES; m++)
    print_series (m, &series[m]);
  before = stats (series[MODE_BEFORE].total);
  after = stats (series[MODE_AFTER].total);
  before_poll = stats (series[MODE_BEFORE].poll);
  after_poll = stats (series[MODE_AFTER].poll);
  before_report = stats (series[MODE_BEFORE].from_report);
  after_report = stats (series[MODE_AFTER].from_report);
  if (series[MODE_BEFORE].total->len > 0 && series[MODE_AFTER].total->len > 0)
    {
      g_print ("    parked->first APDU: before median %.1f ms, after median %.1f ms, ratio %.2f\n", before.median,
               after.median, after.median / before.median);
      /* the poll wait differs between the modes only by which poll phases their cards happened to meet */
      g_print ("    of which pcscd's poll (parked -> reported): before median %.1f ms, after median %.1f ms; the rest "
               "(reported -> first APDU answered): before median %.2f ms, after median %.2f ms, ratio %.2f\n",
               before_poll.median, after_poll.median, before_report.median, after_report.median,
               after_report.median / before_report.median);
    }
  else
    g_print ("    parked->first APDU: no ratio, a mode has no answered card\n");
  /* the bins agree with what was counted: every card went where its mode sent it */
  g_print ("    cards in the output %u, in the reject bin %u, left in the hopper %u\n\n", count_files (bench.output),
           count_files (bench.reject), count_files (bench.hopper));

  cl_reader_monitor_stop (bench.monitor);
  g_clear_object (&bench.monitor);
  cl_feeder_shutdown (bench.feeder);
  g_clear_object (&bench.feeder);
  stop_sim ();
  for (guint m = 0; m < N_MODES; m++)
    {
      g_array_unref (series[m].poll);
      g_array_unref (series[m].hop);
      g_array_unref (series[m].answer);
      g_array_unref (series[m].from_report);
      g_array_unref (series[m].total);
    }
  g_clear_pointer (&bench.card_atr, g_bytes_unref);
  remove_tree (bench.dir);
  g_clear_pointer (&bench.dir, g_free);
  g_clear_pointer (&bench.hopper, g_free);
  g_clear_pointer (&bench.output, g_free);
  g_clear_pointer (&bench.reject, g_free);
  g_clear_pointer (&bench.sim_out, g_free);
  g_clear_pointer (&bench.sim_err, g_free);
}

int
main (int argc, char **argv)
{
  const char *ports = g_getenv ("CARDLINE_VPCD_PORTS");
  const char *names = g_getenv ("CARDLINE_READER_NAMES");
  g_auto (GStrv) port_list = NULL;
  g_auto (GStrv) name_list = NULL;
  g_autofree char *sim_exe = NULL;
  g_autofree char *vcard_exe = NULL;
  guint64 cards = DEFAULT_CARDS;

  if (argc < 3 || argc > 4 || ports == NULL || names == NULL
      || (argc == 4 && (!g_ascii_string_to_unsigned (argv[3], 10, 1, 10000, &cards, NULL))))
    {
      g_printerr ("usage: tests/rig/rig-run --readers 1 --parts pcsc -- bench-printer-feed CARDLINE-PRINTER-SIM "
                  "CARDLINE-VCARD [CARDS-PER-MODE (default %u)]\n",
                  DEFAULT_CARDS);
      return 2;
    }
  /* the sim spawns the cards from its own working directory */
  sim_exe = g_canonicalize_filename (argv[1], NULL);
  vcard_exe = g_canonicalize_filename (argv[2], NULL);
  port_list = g_strsplit (ports, ",", -1);
  name_list = g_strsplit (names, ",", -1);
  bench.sim_exe = sim_exe;
  bench.vcard_exe = vcard_exe;
  bench.vpcd_port = port_list[0];
  bench.reader = name_list[0];
  bench.cards = (guint)cards;

  g_print ("printer-fed line, reader %s: time from the card parked at the contact station to the first APDU (SELECT "
           "of the ISD) answered\n\n",
           bench.reader);
  run (FALSE);
  run (TRUE);
  g_print ("note: pcscd learns of a vpcd card only by polling the reader (about every %u ms) and refuses SCardConnect "
           "until it has, so both modes wait for that poll (\"parked -> pcscd reported it\"; with the untimed sim, "
           "whose eject and next feed come within one poll, the card is reported only at the second poll after). "
           "What the change can remove is only what follows pcscd's report (\"reported -> SELECT answered\"): the "
           "reader monitor's hop to the main context (negative: heard before the witness thread), which is idle here; "
           "in the app that context also ran the UI.\n",
           PCSCD_POLL_MS);
  return 0;
}
