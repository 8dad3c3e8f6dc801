/* ClPrinterFeeder against cardline-printer-sim, whose contact station is the rig's first vpcd reader: cards fed and
 * connected, moved to the output and the reject folder, faults reported typed and cleared when the sim's "operator"
 * fixes them, cancellation during a fault, a card an earlier run left inside, a dropped connection, a card the
 * reader never sees. Also measured (not asserted): how long after next_card a transport is connected, next to when
 * pcscd's card-inserted event reaches a main context, which the printer station used to wait for.
 *
 *   test-printer-feeder SIM VCARD      (under rig-run --readers 1 --parts pcsc)
 *   test-printer-feeder                (the reader-event filter only, no rig) */
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <sys/wait.h>

#include "core/cl-error.h"
#include "pcsc/cl-pcsc-transport.h"
#include "pcsc/cl-reader-monitor.h"
#include "printer/cl-printer-feeder.h"

/* Every wait is for an event; this only bounds a test that would otherwise hang. */
#define WAIT_S 20
/* The printer's reader gives up on a card after 10 s; its fault comes within that plus a margin. */
#define NO_CARD_WAIT_S 25
#define MEASURED_CARDS 6

static const char *sim_exe, *vcard_exe;

typedef struct
{
  guint cards;
  const char *at[4]; /* --at entries for the sim's script */
  gboolean timing;
  gboolean broken_card; /* one more hopper card the reader never sees */
} Setup;

/* What the feeder reported, from whatever thread it reported it. */
typedef struct
{
  GMutex lock;
  GCond cond;
  GPtrArray *events; /* "fault feeder-empty inside=0 ...", "cleared feeder-empty", "note ...", "removed READER" */
} Recorder;

typedef struct
{
  char *dir, *hopper, *output, *reject;
  GPid pid;
  guint16 port;
  char *reader;
  char *address;
  Recorder rec;
} Fixture;

static void
record (Recorder *rec, char *event)
{
  g_test_message ("feeder: %s", event);
  g_mutex_lock (&rec->lock);
  g_ptr_array_add (rec->events, event);
  g_cond_broadcast (&rec->cond);
  g_mutex_unlock (&rec->lock);
}

static void
on_fault (ClFeeder *feeder, const char *reader, ClLineFault fault, gboolean card_inside, const char *detail,
          Recorder *rec)
{
  record (rec, g_strdup_printf ("fault %s inside=%d detail=%s", cl_line_fault_to_nick (fault), card_inside, detail));
}

static void
on_fault_cleared (ClFeeder *feeder, const char *reader, ClLineFault fault, Recorder *rec)
{
  record (rec, g_strdup_printf ("cleared %s", cl_line_fault_to_nick (fault)));
}

static void
on_note (ClFeeder *feeder, const char *text, Recorder *rec)
{
  record (rec, g_strdup_printf ("note %s", text));
}

static void
on_card_removed (ClFeeder *feeder, const char *reader, Recorder *rec)
{
  record (rec, g_strdup_printf ("removed %s", reader));
}

/* Index of the first event from `from` on that starts with prefix, or -1 once WAIT_S passed without one. */
static gint
wait_event_from (Recorder *rec, guint from, const char *prefix, guint seconds)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&rec->lock);
  gint64 deadline = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  for (;;)
    {
      for (guint i = from; i < rec->events->len; i++)
        if (g_str_has_prefix (g_ptr_array_index (rec->events, i), prefix))
          return (gint)i;
      if (!g_cond_wait_until (&rec->cond, &rec->lock, deadline))
        return -1;
    }
}

static gint
wait_event (Recorder *rec, const char *prefix)
{
  return wait_event_from (rec, 0, prefix, WAIT_S);
}

static guint
count_events (Recorder *rec, const char *prefix)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&rec->lock);
  guint n = 0;

  for (guint i = 0; i < rec->events->len; i++)
    n += g_str_has_prefix (g_ptr_array_index (rec->events, i), prefix);
  return n;
}

static void
manufacture (const char *dir, guint count)
{
  const char *kst = "404142434445464748494A4B4C4D4E4F";
  g_autofree char *n = g_strdup_printf ("%u", count);
  const char *argv[]
    = { vcard_exe, "manufacture", "--out", dir,         "--count", n,           "--kst-type", "aes", "--kst-version",
        "30",      "--kst-enc",   kst,     "--kst-mac", kst,       "--kst-dek", kst,          NULL };
  g_autoptr (GError) error = NULL;
  int status;

  g_assert_true (
    g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static guint
count_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* A test that fails mid-way aborts: the sim (and its card) must not outlive it, holding the rig's reader. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_sim (Fixture *fx, const Setup *setup)
{
  const char *ports = g_getenv ("CARDLINE_VPCD_PORTS");
  g_auto (GStrv) port_list = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOChannel) channel = NULL;
  g_autofree char *line = NULL;
  int out_fd;

  g_assert_nonnull (ports);
  port_list = g_strsplit (ports, ",", -1);
  g_ptr_array_add (argv, (char *)sim_exe);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  g_ptr_array_add (argv, (gpointer) "--hopper");
  g_ptr_array_add (argv, fx->hopper);
  g_ptr_array_add (argv, (gpointer) "--output");
  g_ptr_array_add (argv, fx->output);
  g_ptr_array_add (argv, (gpointer) "--reject");
  g_ptr_array_add (argv, fx->reject);
  g_ptr_array_add (argv, (gpointer) "--vpcd-port");
  g_ptr_array_add (argv, port_list[0]);
  g_ptr_array_add (argv, (gpointer) "--vcard");
  g_ptr_array_add (argv, (char *)vcard_exe);
  if (setup->timing)
    g_ptr_array_add (argv, (gpointer) "--timing");
  for (guint i = 0; i < G_N_ELEMENTS (setup->at) && setup->at[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (gpointer) "--at");
      g_ptr_array_add (argv, (char *)setup->at[i]);
    }
  g_ptr_array_add (argv, NULL);
  g_spawn_async_with_pipes (NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL,
                            &fx->pid, NULL, &out_fd, NULL, &error);
  g_assert_no_error (error);
  channel = g_io_channel_unix_new (out_fd);
  g_io_channel_set_close_on_unref (channel, TRUE);
  g_assert_cmpint (g_io_channel_read_line (channel, &line, NULL, NULL, &error), ==, G_IO_STATUS_NORMAL);
  fx->port = (guint16)atoi (line);
  g_assert_cmpuint (fx->port, >, 0);
  fx->address = g_strdup_printf ("tcp://127.0.0.1:%u", fx->port);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  const Setup *setup = data;
  const char *names = g_getenv ("CARDLINE_READER_NAMES");
  g_auto (GStrv) name_list = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (names);
  name_list = g_strsplit (names, ",", -1);
  fx->reader = g_strdup (name_list[0]);
  fx->dir = g_dir_make_tmp ("cardline-printer-feeder-XXXXXX", &error);
  g_assert_no_error (error);
  fx->hopper = g_build_filename (fx->dir, "hopper", NULL);
  fx->output = g_build_filename (fx->dir, "output", NULL);
  fx->reject = g_build_filename (fx->dir, "reject", NULL);
  g_mkdir (fx->hopper, 0700);
  g_mkdir (fx->output, 0700);
  g_mkdir (fx->reject, 0700);
  if (setup->cards > 0)
    manufacture (fx->hopper, setup->cards);
  if (setup->broken_card)
    {
      /* after the good ones in name order; the virtual card refuses it, so the reader never sees a card */
      g_autofree char *path = g_build_filename (fx->hopper, "card-9999.vcard", NULL);
      g_assert_true (g_file_set_contents (path, "not a card image\n", -1, NULL));
    }
  g_mutex_init (&fx->rec.lock);
  g_cond_init (&fx->rec.cond);
  fx->rec.events = g_ptr_array_new_with_free_func (g_free);
  start_sim (fx, setup);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  int status;

  kill (fx->pid, SIGTERM);
  waitpid (fx->pid, &status, 0);
  g_spawn_close_pid (fx->pid);
  remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->hopper);
  g_free (fx->output);
  g_free (fx->reject);
  g_free (fx->reader);
  g_free (fx->address);
  g_ptr_array_unref (fx->rec.events);
  g_mutex_clear (&fx->rec.lock);
  g_cond_clear (&fx->rec.cond);
}

static ClFeeder *
new_feeder (Fixture *fx)
{
  g_autoptr (GError) error = NULL;
  ClPrinterFeeder *feeder = cl_printer_feeder_new (fx->address, fx->reader, &error);

  g_assert_no_error (error);
  g_assert_nonnull (feeder);
  g_signal_connect (feeder, "fault", G_CALLBACK (on_fault), &fx->rec);
  g_signal_connect (feeder, "fault-cleared", G_CALLBACK (on_fault_cleared), &fx->rec);
  g_signal_connect (feeder, "note", G_CALLBACK (on_note), &fx->rec);
  g_signal_connect (feeder, "card-removed", G_CALLBACK (on_card_removed), &fx->rec);
  return CL_FEEDER (feeder);
}

/* next_card on a thread of its own, as the batch run's feed thread calls it. */
typedef struct
{
  ClFeeder *feeder;
  GCancellable *cancellable;
  Recorder *rec;
  ClFeederCard *card;
  GError *error;
  gint64 done_us;
} Feed;

static gpointer
feed_thread (gpointer data)
{
  Feed *feed = data;

  feed->card = cl_feeder_next_card (feed->feeder, feed->cancellable, &feed->error);
  feed->done_us = g_get_monotonic_time ();
  record (feed->rec, g_strdup ("next-card-done"));
  return NULL;
}

static GThread *
feed_start (Feed *feed, Fixture *fx, ClFeeder *feeder, GCancellable *cancellable)
{
  feed->feeder = feeder;
  feed->cancellable = cancellable;
  feed->rec = &fx->rec;
  return g_thread_new ("feed", feed_thread, feed);
}

static void
transmit_select (ClTransport *transport)
{
  static const guint8 select_isd[]
    = { 0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00, 0x00 };
  g_autoptr (GBytes) command = g_bytes_new_static (select_isd, sizeof select_isd);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) response = cl_transport_transmit (transport, command, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (response), >=, 2);
}

/* A parked card is connected, answers, is released and moved: what a card job does with it. */
static void
produce (ClFeeder *feeder, ClFeederCard *card, ClDisposition disposition)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClTransport) transport = cl_feeder_connect (feeder, card, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (transport);
  transmit_select (transport);
  cl_feeder_release (feeder, card, transport);
  g_assert_true (cl_feeder_dispose (feeder, card, disposition, &error));
  g_assert_no_error (error);
}

static void
test_feed (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClFeederCard) first = NULL;
  g_autoptr (ClFeederCard) second = NULL;
  gint identity, feed;

  g_assert_cmpuint (cl_feeder_get_max_cards_in_flight (feeder), ==, 1);
  g_assert_true (cl_feeder_get_finish_cards_on_stop (feeder));

  first = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_false (cl_feeder_card_is_unproduced (first));
  g_assert_cmpstr (cl_feeder_card_get_reader (first), ==, fx->reader);
  identity
    = wait_event (&fx->rec, "note printer model=Primacy (cardline-printer-sim) serial=SIM00001 firmware=1.0.0-sim");
  feed = wait_event (&fx->rec, "note feed");
  g_assert_cmpint (identity, >=, 0);
  g_assert_cmpint (feed, >, identity);
  produce (feeder, first, CL_DISPOSITION_OUTPUT);
  g_assert_cmpuint (count_files (fx->output), ==, 1);

  second = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  produce (feeder, second, CL_DISPOSITION_REJECT_BIN);
  g_assert_cmpuint (count_files (fx->reject), ==, 1);
  g_assert_cmpuint (count_files (fx->hopper), ==, 0);
  /* one identity per connection: the printer stayed connected */
  g_assert_cmpuint (count_events (&fx->rec, "note printer model="), ==, 1);
  g_assert_cmpuint (count_events (&fx->rec, "fault"), ==, 0);
  cl_feeder_shutdown (feeder);
}

static void
test_feeder_empty (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autofree char *later = g_build_filename (fx->dir, "later", NULL);
  g_autoptr (GDir) dir = NULL;
  g_autoptr (ClFeederCard) card = NULL;
  const char *name;
  Feed feed = { 0 };
  GThread *thread;
  gint fault, cleared, done;

  g_mkdir (later, 0700);
  manufacture (later, 1);
  thread = feed_start (&feed, fx, feeder, NULL);
  fault = wait_event (&fx->rec, "fault feeder-empty inside=0");
  g_assert_cmpint (fault, >=, 0);
  g_assert_cmpint (wait_event_from (&fx->rec, 0, "next-card-done", 0), <, 0);

  /* the operator loads cards */
  dir = g_dir_open (later, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (later, name, NULL);
      g_autofree char *to = g_build_filename (fx->hopper, name, NULL);
      g_assert_cmpint (g_rename (from, to), ==, 0);
    }
  cleared = wait_event (&fx->rec, "cleared feeder-empty");
  done = wait_event (&fx->rec, "next-card-done");
  g_thread_join (thread);
  g_assert_cmpint (cleared, >, fault);
  g_assert_cmpint (done, >, cleared);
  g_assert_no_error (feed.error);
  card = g_steal_pointer (&feed.card);
  g_assert_nonnull (card);
  g_assert_false (cl_feeder_card_is_unproduced (card));
  produce (feeder, card, CL_DISPOSITION_OUTPUT);
  g_assert_cmpuint (count_files (fx->output), ==, 1);
  g_assert_cmpuint (count_events (&fx->rec, "fault"), ==, 1);
}

static void
test_cancel_in_fault (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (GError) error = NULL;
  Feed feed = { 0 };
  GThread *thread;
  gint64 cancelled_us;
  gint cleared;

  thread = feed_start (&feed, fx, feeder, cancellable);
  g_assert_cmpint (wait_event (&fx->rec, "fault feeder-empty"), >=, 0);
  cancelled_us = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_assert_cmpint (wait_event (&fx->rec, "next-card-done"), >=, 0);
  g_thread_join (thread);
  g_test_message ("next_card returned %.1f ms after the cancel",
                  (feed.done_us - cancelled_us) / (double)G_TIME_SPAN_MILLISECOND);
  g_assert_error (feed.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (feed.card);
  g_clear_error (&feed.error);
  /* woken by the cancellation, not by the next status poll (STATUS_POLL_MS) */
  g_assert_cmpint (feed.done_us - cancelled_us, <, 400 * G_TIME_SPAN_MILLISECOND);
  /* the fault is still there: no "fault-cleared" for a line that was only paused */
  g_assert_cmpuint (count_events (&fx->rec, "cleared"), ==, 0);

  /* cards loaded while paused: the resumed line's first feed works and clears the fault it left open */
  manufacture (fx->hopper, 1);
  card = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  cleared = wait_event (&fx->rec, "cleared feeder-empty");
  g_assert_cmpint (cleared, >=, 0);
  g_assert_cmpuint (count_events (&fx->rec, "fault"), ==, 1);
  produce (feeder, card, CL_DISPOSITION_REJECT_BIN);
}

static void
test_leftover (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) earlier = new_feeder (fx);
  g_autoptr (ClFeeder) feeder = NULL;
  g_autoptr (ClFeederCard) parked = NULL;
  g_autoptr (ClFeederCard) leftover = NULL;
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (GError) error = NULL;

  /* an earlier run parks a card and goes away (killed, or stopped mid-feed) */
  parked = cl_feeder_next_card (earlier, NULL, &error);
  g_assert_no_error (error);
  cl_feeder_shutdown (earlier);
  g_clear_object (&earlier);
  g_assert_cmpuint (count_files (fx->reject), ==, 0);

  feeder = new_feeder (fx);
  leftover = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (cl_feeder_card_is_unproduced (leftover));
  g_assert_cmpint (cl_feeder_card_get_reason (leftover), ==, CL_REJECT_PROTOCOL_ERROR);
  g_assert_cmpstr (cl_feeder_card_get_detail (leftover), ==,
                   "a card left in the printer by an earlier run went to the reject bin unproduced");
  g_assert_true (cl_feeder_card_get_already_in_bin (leftover));
  g_assert_cmpuint (count_files (fx->reject), ==, 1);
  /* already in the bin: a dispose there moves nothing (a reject now would be refused: no card inside) */
  g_assert_true (cl_feeder_dispose (feeder, leftover, CL_DISPOSITION_REJECT_BIN, &error));
  g_assert_no_error (error);

  card = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cl_feeder_card_is_unproduced (card));
  produce (feeder, card, CL_DISPOSITION_OUTPUT);
  g_assert_cmpuint (count_files (fx->output), ==, 1);
  g_assert_cmpuint (count_files (fx->reject), ==, 1);
}

/* A printer cannot keep a card: asked to retain one, it sends it to the reject bin and says so. */
static void
test_retained (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (GError) error = NULL;

  card = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cl_feeder_dispose (feeder, card, CL_DISPOSITION_RETAINED, &error));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (count_files (fx->reject), ==, 1);
  /* nothing left inside: asked again (a card taken out by hand), it is where it was asked to be */
  g_assert_true (cl_feeder_dispose (feeder, card, CL_DISPOSITION_RETAINED, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_events (&fx->rec, "fault"), ==, 0);
}

/* A jam at the first feed and a cover opened at the first eject, each fixed by the sim's "operator" after a while. */
static void
test_jam_and_cover (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClTransport) transport = NULL;
  gint jam, jam_cleared, cover, cover_cleared;

  card = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  jam = wait_event (&fx->rec, "fault jam inside=0");
  jam_cleared = wait_event (&fx->rec, "cleared jam");
  g_assert_cmpint (jam, >=, 0);
  g_assert_cmpint (jam_cleared, >, jam);

  transport = cl_feeder_connect (feeder, card, NULL, &error);
  g_assert_no_error (error);
  cl_feeder_release (feeder, card, transport);
  g_assert_true (cl_feeder_dispose (feeder, card, CL_DISPOSITION_OUTPUT, &error));
  g_assert_no_error (error);
  cover = wait_event (&fx->rec, "fault cover-open inside=1");
  cover_cleared = wait_event (&fx->rec, "cleared cover-open");
  g_assert_cmpint (cover, >, jam_cleared);
  g_assert_cmpint (cover_cleared, >, cover);
  g_assert_cmpuint (count_files (fx->output), ==, 1);
  g_assert_cmpuint (count_events (&fx->rec, "fault"), ==, 2);
  g_assert_cmpuint (count_events (&fx->rec, "cleared"), ==, 2);
}

/* Ribbon out is not in the status: the feed is retried blindly, or at once on the operator's retry. */
static void
test_ribbon_retry (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (ClFeederCard) card = NULL;
  Feed feed = { 0 };
  GThread *thread;
  gint fault, cleared;

  thread = feed_start (&feed, fx, feeder, NULL);
  fault = wait_event (&fx->rec, "fault ribbon-out inside=0");
  g_assert_cmpint (fault, >=, 0);
  cl_feeder_retry (feeder);
  cleared = wait_event (&fx->rec, "cleared ribbon-out");
  g_assert_cmpint (wait_event (&fx->rec, "next-card-done"), >, cleared);
  g_thread_join (thread);
  g_assert_no_error (feed.error);
  card = g_steal_pointer (&feed.card);
  /* a retry that met the same fault again did not report it twice */
  g_assert_cmpuint (count_events (&fx->rec, "fault"), ==, 1);
  produce (feeder, card, CL_DISPOSITION_OUTPUT);
}

/* The connection drops at the first eject with the card inside: recovered, the card goes to the reject bin. */
static void
test_drop_on_eject (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (ClFeederCard) next = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClTransport) transport = NULL;
  gint lost, cleared, recovered;

  card = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  transport = cl_feeder_connect (feeder, card, NULL, &error);
  g_assert_no_error (error);
  cl_feeder_release (feeder, card, transport);
  g_assert_false (cl_feeder_dispose (feeder, card, CL_DISPOSITION_OUTPUT, &error));
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_NO_READER);
  g_assert_nonnull (strstr (error->message, "the card was sent to the reject bin on recovery"));
  g_clear_error (&error);
  lost = wait_event (&fx->rec, "fault communication-lost inside=1");
  cleared = wait_event (&fx->rec, "cleared communication-lost");
  recovered = wait_event (&fx->rec, "note recovered card-rejected=yes");
  g_assert_cmpint (lost, >=, 0);
  g_assert_cmpint (cleared, >, lost);
  g_assert_cmpint (recovered, >, cleared);
  g_assert_cmpuint (count_files (fx->output), ==, 0);
  g_assert_cmpuint (count_files (fx->reject), ==, 1);

  /* the line goes on with the reconnected printer */
  next = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cl_feeder_card_is_unproduced (next));
  produce (feeder, next, CL_DISPOSITION_OUTPUT);
  g_assert_cmpuint (count_files (fx->output), ==, 1);
}

/* The printer loses power at the first eject and, powering up, ejects the card to the output hopper: recovered, no
 * card is left inside, so the feeder cannot say where the card went (CL_ERROR_WHEREABOUTS_UNKNOWN, recorded
 * UNKNOWN), rather than claim the reject bin, which received nothing. */
static void
test_power_off_on_eject (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (ClFeederCard) next = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClTransport) transport = NULL;

  card = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  transport = cl_feeder_connect (feeder, card, NULL, &error);
  g_assert_no_error (error);
  cl_feeder_release (feeder, card, transport);
  g_assert_false (cl_feeder_dispose (feeder, card, CL_DISPOSITION_OUTPUT, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_WHEREABOUTS_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "whereabouts are unknown"));
  g_clear_error (&error);
  g_assert_cmpint (wait_event (&fx->rec, "note recovered card-rejected=no"), >=, 0);
  g_assert_cmpuint (count_files (fx->output), ==, 1);
  g_assert_cmpuint (count_files (fx->reject), ==, 0);

  /* the line goes on with the printer powered up again */
  next = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cl_feeder_card_is_unproduced (next));
  produce (feeder, next, CL_DISPOSITION_OUTPUT);
  g_assert_cmpuint (count_files (fx->output), ==, 2);
}

/* The connection drops as the feed is sent (before the printer moved a card): recovered, nothing to reject, fed. */
static void
test_drop_on_feed (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (GError) error = NULL;

  card = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (cl_feeder_card_is_unproduced (card));
  g_assert_cmpint (wait_event (&fx->rec, "fault communication-lost inside=0"), >=, 0);
  g_assert_cmpint (wait_event (&fx->rec, "note recovered card-rejected=no"), >=, 0);
  g_assert_cmpint (wait_event (&fx->rec, "cleared communication-lost"), >=, 0);
  /* reconnected: identified again */
  g_assert_cmpuint (count_events (&fx->rec, "note printer model="), ==, 2);
  produce (feeder, card, CL_DISPOSITION_OUTPUT);
}

/* A card the reader never sees: CARD_NOT_PRESENT after 10 s, cleared once the card reached the reject bin. */
static void
test_card_not_present (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClTransport) transport = NULL;
  gint fault, cleared;

  card = cl_feeder_next_card (feeder, NULL, &error);
  g_assert_no_error (error);
  transport = cl_feeder_connect (feeder, card, NULL, &error);
  g_assert_null (transport);
  g_assert_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED);
  g_test_message ("connect: %s", error->message);
  g_clear_error (&error);
  fault = wait_event_from (
    &fx->rec, 0, "fault card-not-present inside=1 detail=the printer's reader saw no card within 10 s", NO_CARD_WAIT_S);
  g_assert_cmpint (fault, >=, 0);
  g_assert_cmpint (wait_event_from (&fx->rec, 0, "cleared", 0), <, 0);
  g_assert_true (cl_feeder_dispose (feeder, card, CL_DISPOSITION_REJECT_BIN, &error));
  g_assert_no_error (error);
  cleared = wait_event (&fx->rec, "cleared card-not-present");
  g_assert_cmpint (cleared, >, fault);
  g_assert_cmpuint (count_files (fx->reject), ==, 1);
}

/* Cancelling a connect that waits for the reader ends it at once. */
typedef struct
{
  ClFeeder *feeder;
  ClFeederCard *card;
  GCancellable *cancellable;
  ClTransport *transport;
  GError *error;
  gint64 done_us;
  gint done;
} Connect;

static gpointer
connect_thread (gpointer data)
{
  Connect *connect = data;

  connect->transport = cl_feeder_connect (connect->feeder, connect->card, connect->cancellable, &connect->error);
  connect->done_us = g_get_monotonic_time ();
  g_atomic_int_set (&connect->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
test_cancel_connect (Fixture *fx, gconstpointer data)
{
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (ClFeederCard) card = cl_feeder_card_new (fx->reader);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Connect connect = { feeder, card, cancellable };
  GThread *thread;
  gint64 cancelled_us;

  /* nothing was fed: the reader stays empty, so connect retries until it is cancelled; the pause only lets it get
   * into its retries (what is checked is how soon it ends after the cancel) */
  thread = g_thread_new ("connect", connect_thread, &connect);
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  cancelled_us = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  g_test_message ("connect returned %.1f ms after the cancel", (connect.done_us - cancelled_us) / 1000.0);
  g_assert_null (connect.transport);
  g_assert_error (connect.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&connect.error);
  /* the retry interval is at most 100 ms; one PC/SC connect attempt is quick */
  g_assert_cmpint (connect.done_us - cancelled_us, <, 400 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (count_events (&fx->rec, "fault"), ==, 0);
}

/* When pcscd's card-inserted event reaches a main context: what the printer station waited for. */
typedef struct
{
  GMutex lock;
  char *reader;
  gint64 inserted_us;
} Inserted;

static void
on_inserted (ClReaderMonitor *monitor, const char *reader, GBytes *atr, Inserted *inserted)
{
  g_mutex_lock (&inserted->lock);
  if (g_strcmp0 (reader, inserted->reader) == 0 && inserted->inserted_us == 0)
    inserted->inserted_us = g_get_monotonic_time ();
  g_mutex_unlock (&inserted->lock);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void
test_connect_time (Fixture *fx, gconstpointer data)
{
  const Setup *setup = data;
  g_autoptr (ClFeeder) feeder = new_feeder (fx);
  g_autoptr (ClReaderMonitor) monitor = cl_reader_monitor_new ();
  g_autoptr (GArray) connect_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) event_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GError) error = NULL;
  Inserted inserted = { 0 };

  g_mutex_init (&inserted.lock);
  inserted.reader = fx->reader;
  g_signal_connect (monitor, "card-inserted", G_CALLBACK (on_inserted), &inserted);
  g_assert_true (cl_reader_monitor_start (monitor, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < MEASURED_CARDS; i++)
    {
      g_autoptr (ClFeederCard) card = NULL;
      Connect connect = { 0 };
      GThread *thread;
      gint64 parked_us, deadline;
      double c, e;

      /* events of the previous card are in; the next insertion is this card's */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_mutex_lock (&inserted.lock);
      inserted.inserted_us = 0;
      g_mutex_unlock (&inserted.lock);

      card = cl_feeder_next_card (feeder, NULL, &error);
      parked_us = g_get_monotonic_time ();
      g_assert_no_error (error);
      connect.feeder = feeder;
      connect.card = card;
      thread = g_thread_new ("connect", connect_thread, &connect);
      /* the monitor's signals arrive on this thread's main context, as they did on the station's */
      deadline = g_get_monotonic_time () + WAIT_S * G_TIME_SPAN_SECOND;
      for (;;)
        {
          gboolean have_event;

          g_mutex_lock (&inserted.lock);
          have_event = inserted.inserted_us != 0;
          g_mutex_unlock (&inserted.lock);
          if (have_event && g_atomic_int_get (&connect.done))
            break;
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, TRUE);
        }
      g_thread_join (thread);
      g_assert_no_error (connect.error);
      transmit_select (connect.transport);
      cl_feeder_release (feeder, card, connect.transport);
      g_clear_object (&connect.transport);
      g_assert_true (cl_feeder_dispose (feeder, card, CL_DISPOSITION_OUTPUT, &error));
      g_assert_no_error (error);

      c = (connect.done_us - parked_us) / 1000.0;
      e = (inserted.inserted_us - parked_us) / 1000.0;
      g_array_append_val (connect_ms, c);
      /* an event from before the park is the monitor's first look at a reader pcscd still thought occupied */
      if (e >= 0)
        g_array_append_val (event_ms, e);
      g_test_message ("card %u: connected %.1f ms after next_card returned; card-inserted event after %.1f ms", i + 1,
                      c, e);
    }
  g_array_sort (connect_ms, compare_double);
  g_array_sort (event_ms, compare_double);
  g_assert_cmpuint (event_ms->len, >, 0);
  g_test_message ("%s sim, %u cards: connected after next_card min %.1f / median %.1f / max %.1f ms; pcscd's "
                  "card-inserted event on a main context (%u cards) min %.1f / median %.1f / max %.1f ms",
                  setup->timing ? "timed" : "untimed", connect_ms->len, g_array_index (connect_ms, double, 0),
                  g_array_index (connect_ms, double, connect_ms->len / 2),
                  g_array_index (connect_ms, double, connect_ms->len - 1), event_ms->len,
                  g_array_index (event_ms, double, 0), g_array_index (event_ms, double, event_ms->len / 2),
                  g_array_index (event_ms, double, event_ms->len - 1));
  g_assert_cmpuint (count_files (fx->output), ==, MEASURED_CARDS);
  cl_reader_monitor_stop (monitor);
  g_mutex_clear (&inserted.lock);
}

/* No rig: only this reader's removals are the card's, and only once the card was seen arriving. */
static void
test_reader_events (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPrinterFeeder) feeder = cl_printer_feeder_new ("tcp://127.0.0.1:9", "Printer Reader 00 00", &error);
  Recorder rec = { 0 };

  g_assert_no_error (error);
  g_mutex_init (&rec.lock);
  g_cond_init (&rec.cond);
  rec.events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (feeder, "card-removed", G_CALLBACK (on_card_removed), &rec);

  /* the previous card leaving, reported after this one was parked */
  cl_feeder_reader_changed (CL_FEEDER (feeder), "Printer Reader 00 00", FALSE);
  /* another reader's card */
  cl_feeder_reader_changed (CL_FEEDER (feeder), "Other Reader 00 00", TRUE);
  cl_feeder_reader_changed (CL_FEEDER (feeder), "Other Reader 00 00", FALSE);
  g_assert_cmpuint (rec.events->len, ==, 0);
  /* this card arrives and is pulled out */
  cl_feeder_reader_changed (CL_FEEDER (feeder), "Printer Reader 00 00", TRUE);
  cl_feeder_reader_changed (CL_FEEDER (feeder), "Printer Reader 00 00", FALSE);
  g_assert_cmpuint (rec.events->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (rec.events, 0), ==, "removed Printer Reader 00 00");

  g_ptr_array_unref (rec.events);
  g_mutex_clear (&rec.lock);
  g_cond_clear (&rec.cond);
}

static void
test_bad_address (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPrinterFeeder) feeder = cl_printer_feeder_new ("tpc://printer:9100", "Printer Reader 00 00", &error);

  g_assert_null (feeder);
  g_assert_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "tpc://printer:9100"));
}

static const Setup setup_two = { 2 };
static const Setup setup_empty = { 0 };
static const Setup setup_one = { 1 };
static const Setup setup_jam_cover = { 1, { "Sis#1=jam/800", "Se#1=cover-open/800" } };
static const Setup setup_ribbon = { 1, { "Sis#1=ribbon-out/300" } };
static const Setup setup_drop_eject = { 2, { "Se#1=drop" } };
static const Setup setup_drop_feed = { 1, { "Sis#1=drop" } };
static const Setup setup_power_eject = { 2, { "Se#1=power-off" } };
static const Setup setup_broken = { 0, { NULL }, FALSE, TRUE };
static const Setup setup_measure = { MEASURED_CARDS };
static const Setup setup_measure_timed = { MEASURED_CARDS, { NULL }, TRUE };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/printer-feeder/reader-events", test_reader_events);
  g_test_add_func ("/printer-feeder/bad-address", test_bad_address);
  if (argc < 3)
    return g_test_run ();
  /* meson passes build-relative paths; the simulator spawns the card from its own working directory */
  sim_exe = g_canonicalize_filename (argv[1], NULL);
  vcard_exe = g_canonicalize_filename (argv[2], NULL);
#define ADD(path, setup, test) g_test_add (path, Fixture, &setup, fixture_setup, test, fixture_teardown)
  ADD ("/printer-feeder/feed", setup_two, test_feed);
  ADD ("/printer-feeder/feeder-empty", setup_empty, test_feeder_empty);
  ADD ("/printer-feeder/cancel-in-fault", setup_empty, test_cancel_in_fault);
  ADD ("/printer-feeder/leftover", setup_two, test_leftover);
  ADD ("/printer-feeder/retained", setup_one, test_retained);
  ADD ("/printer-feeder/jam-and-cover", setup_jam_cover, test_jam_and_cover);
  ADD ("/printer-feeder/ribbon-retry", setup_ribbon, test_ribbon_retry);
  ADD ("/printer-feeder/drop-on-eject", setup_drop_eject, test_drop_on_eject);
  ADD ("/printer-feeder/drop-on-feed", setup_drop_feed, test_drop_on_feed);
  ADD ("/printer-feeder/power-off-on-eject", setup_power_eject, test_power_off_on_eject);
  ADD ("/printer-feeder/card-not-present", setup_broken, test_card_not_present);
  ADD ("/printer-feeder/cancel-connect", setup_one, test_cancel_connect);
  ADD ("/printer-feeder/connect-time", setup_measure, test_connect_time);
  ADD ("/printer-feeder/connect-time-timed", setup_measure_timed, test_connect_time);
#undef ADD
  return g_test_run ();
}
