/* bench-rack: a rack of PC/SC readers at the limit, and what the station's host adds to each card (DESIGN §7:
 * measured, never asserted).
 *
 * With 1, 4 and 16 readers (16: one pcscd's maximum) and the card timing model on (cardline-vcard run --timing),
 * every reader produces cards back to back: a card goes in, pcscd reports it, the station connects and runs the
 * production sequence, the card is pulled and pcscd reports it gone. Printed per size, from the same run:
 *   - cards/min against the ideal, readers x the one-reader rate of this run (what the rack would do if readers did
 *     not slow each other down);
 *   - host CPU per card: getrusage of this process (the station: sequence, store, SoftHSM2, PC/SC client) less the
 *     CPU its threads spent starting and stopping the virtual cards (the rig's part, not a station's), against the
 *     card's own time, which the timing model charges for the card's APDUs (computed once, in-process, by the
 *     same model over the same sequence);
 *   - the machine's load: /proc/loadavg before and after, and over the run from /proc/stat: how busy the CPUs
 *     were, the share of this process, of its cards, of everything else (pcscd, other processes), and steal
 *     (CPU a hypervisor gave to another guest), so that a run on a loaded machine can be told apart.
 *
 * Then the same sizes again with the large stand-in CAP (a Load File Data Block the size of a real PKI applet), half
 * as many cards per reader: the host's share of a card whose LOAD takes most of its time.
 *
 * Run: tests/rig/rig-run --readers 8 --parts pcsc,hsm -- BUILDDIR/tests/bench/bench-rack \
 *        BUILDDIR/tests/sim/vcard/cardline-vcard [CARDS-PER-READER]
 * (or tests/bench/run BUILDDIR rack). With --model instead of CARDS-PER-READER it only prints the card's own time
 * by the timing model (card_model_ms=...), for bench-printer-line.sh's limit; that needs only the rig's hsm. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"
#include "bench-profile.h"
#include "cl-test-dir.h"
#include "cl-vcard-session.h"
#include "cl-vcard-timing.h"
#include "cl-vcard-transport.h"
#include "pcsc/cl-pcsc-reader.h"
#include "pcsc/cl-pcsc-transport.h"
#include "production/cl-card-sequence.h"
#include "production/cl-demo-pki.h"
#include "production/cl-production-env.h"

#define DEFAULT_CARDS_PER_READER 4
/* Bounds a wait for pcscd that would otherwise hang the bench; every wait is keyed on pcscd's report. */
#define PCSCD_WAIT_MS 15000

static ClProductionSetup *setup;
static const char *vcard_exe;
static char *card_dir;
static gint next_card; /* atomic: readers take card images in turn */

static BenchRigSlots rig;

static void
check (gboolean ok, GError *error)
{
  if (!ok)
    g_error ("bench-rack: %s", error != NULL ? error->message : "failed");
}

/* ---- the card's own time: the timing model over one in-process run ---- */

#define BENCH_TYPE_MODEL_CLOCK (bench_model_clock_get_type ())
G_DECLARE_FINAL_TYPE (BenchModelClock, bench_model_clock, BENCH, MODEL_CLOCK, GObject)

/* Hands the APDUs to an in-process card and adds up what cardline-vcard run --timing would have slept for each. */
struct _BenchModelClock
{
  GObject parent_instance;
  ClVcardTransport *card;
  ClVcardTiming timing;
  guint64 model_us;
};

static void model_clock_iface_init (ClTransportInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (BenchModelClock, bench_model_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, model_clock_iface_init))

static GBytes *
model_clock_transmit (ClTransport *t, GBytes *command, GCancellable *cancellable, GError **error)
{
  BenchModelClock *self = BENCH_MODEL_CLOCK (t);
  GBytes *response = cl_transport_transmit (CL_TRANSPORT (self->card), command, cancellable, error);
  gsize len;
  const guint8 *c = g_bytes_get_data (command, &len);

  /* as cardline-vcard's runner charges it: secure-messaging commands (CLA 84) pay the crypto time */
  if (response != NULL)
    self->model_us += cl_vcard_timing_cost_us (
      &self->timing, len, g_bytes_get_size (response),
      cl_vcard_session_get_last_write_size (cl_vcard_transport_get_session (self->card)), len > 0 && c[0] == 0x84);
  return response;
}

static GBytes *
model_clock_get_atr (ClTransport *t)
{
  return cl_transport_get_atr (CL_TRANSPORT (BENCH_MODEL_CLOCK (t)->card));
}

static gboolean
model_clock_supports_extended (ClTransport *t)
{
  return cl_transport_supports_extended (CL_TRANSPORT (BENCH_MODEL_CLOCK (t)->card));
}

static void
model_clock_iface_init (ClTransportInterface *iface)
{
  iface->transmit = model_clock_transmit;
  iface->get_atr = model_clock_get_atr;
  iface->supports_extended = model_clock_supports_extended;
}

static void
bench_model_clock_finalize (GObject *o)
{
  g_clear_object (&BENCH_MODEL_CLOCK (o)->card);
  G_OBJECT_CLASS (bench_model_clock_parent_class)->finalize (o);
}

static void
bench_model_clock_class_init (BenchModelClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bench_model_clock_finalize;
}

static void
bench_model_clock_init (BenchModelClock *self)
{
  cl_vcard_timing_init_default (&self->timing);
}

static char *
take_card_image (void)
{
  return g_strdup_printf ("%s/card-%04d.vcard", card_dir, g_atomic_int_add (&next_card, 1) + 1);
}

static void
produce (ClTransport *transport, const char *reader, gint64 *cycle_us)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCardSequence) sequence = cl_card_sequence_new (setup, 0, "bench-rack", reader);
  const ClSequenceOutcome *o;

  check (cl_card_sequence_run (sequence, transport, NULL, &error), error);
  o = cl_card_sequence_get_outcome (sequence);
  if (!o->good)
    g_error ("bench-rack: card rejected %s at %s: %s", cl_reject_reason_to_string (o->reason),
             cl_production_step_to_string (o->failed_step), o->detail);
  if (cycle_us != NULL)
    *cycle_us += o->cycle_us;
}

/* The card's own time for one card of this profile, by the timing model cardline-vcard --timing sleeps by. */
static double
card_model_ms (void)
{
  g_autofree char *path = take_card_image ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ClVcardImage) image = cl_vcard_image_load (path, &error);
  g_autoptr (ClVcardSession) session = NULL;
  g_autoptr (BenchModelClock) clock = g_object_new (BENCH_TYPE_MODEL_CLOCK, NULL);

  check (image != NULL, error);
  session = cl_vcard_session_new (image);
  clock->card = cl_vcard_transport_new (session);
  produce (CL_TRANSPORT (clock), "in-process", NULL);
  return clock->model_us / 1000.0;
}

/* ---- the rack ---- */

typedef struct
{
  guint reader;
  guint cards;
  double rig_cpu_s;      /* this thread's CPU starting and stopping cards */
  double sequence_cpu_s; /* this thread's CPU in the production sequence (connected to the card's release) */
  double sequence_sys_s; /* of which in the kernel (PC/SC socket, store writes and syncs, token files) */
  double watch_cpu_s;    /* this thread's CPU waiting for pcscd to report the card in and out (a station's monitor) */
  gint64 cycle_us;
  /* wall time per phase, summed over the cards: card started until pcscd reports it, connect to release, pulled
   * until pcscd reports it gone; and when the reader's last card was gone (since the start of the size) */
  gint64 insert_us, run_us, pull_us, done_us;
} Reader;

static void
wait_for_pcscd (const char *reader, gboolean present, ClPcscReaderState *state)
{
  gint64 deadline = g_get_monotonic_time () + PCSCD_WAIT_MS * G_TIME_SPAN_MILLISECOND;
  g_autoptr (GError) error = NULL;

  if (present)
    {
      ClPcscReaderState before = *state;

      check (cl_pcsc_reader_wait_card (reader, &before, PCSCD_WAIT_MS, NULL, state, &error), error);
      return;
    }
  /* gone: pcscd's removal moves the event count, which a wait for a card different from this one sees as no card */
  for (;;)
    {
      ClPcscReaderState now = { 0 };

      check (cl_pcsc_reader_get_state (reader, &now, &error), error);
      if (!now.present)
        {
          *state = now;
          return;
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("bench-rack: pcscd still reports the pulled card in %s", reader);
      /* woken by pcscd's next report on the reader, whatever it is */
      if (!cl_pcsc_reader_wait_card (reader, &now, 500, NULL, NULL, &error))
        g_clear_error (&error);
    }
}

static gpointer
reader_thread (gpointer data)
{
  Reader *r = data;
  const char *reader = rig.names[r->reader];
  g_autofree char *port = g_strdup_printf ("%u", rig.ports[r->reader]);
  ClPcscReaderState state = { 0 };
  g_autoptr (GError) error = NULL;

  check (cl_pcsc_reader_get_state (reader, &state, &error), error);
  for (guint i = 0; i < r->cards; i++)
    {
      g_autofree char *image = take_card_image ();
      g_autoptr (GSubprocess) card = NULL;
      g_autoptr (ClPcscTransport) transport = NULL;
      double t0 = bench_thread_cpu_s (), k0;
      gint64 w = g_get_monotonic_time ();

      card = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, vcard_exe,
                               "run", "--image", image, "--port", port, "--timing", NULL);
      check (card != NULL, error);
      r->rig_cpu_s += bench_thread_cpu_s () - t0;
      t0 = bench_thread_cpu_s ();
      wait_for_pcscd (reader, TRUE, &state);
      r->watch_cpu_s += bench_thread_cpu_s () - t0;
      r->insert_us += g_get_monotonic_time () - w;
      w = g_get_monotonic_time ();
      t0 = bench_thread_cpu_s ();
      k0 = bench_kernel_cpu_s (RUSAGE_THREAD);
      transport = cl_pcsc_transport_connect (reader, NULL, &error);
      check (transport != NULL, error);
      produce (CL_TRANSPORT (transport), reader, &r->cycle_us);
      cl_pcsc_transport_disconnect (transport, FALSE);
      r->sequence_cpu_s += bench_thread_cpu_s () - t0;
      r->sequence_sys_s += bench_kernel_cpu_s (RUSAGE_THREAD) - k0;
      r->run_us += g_get_monotonic_time () - w;
      w = g_get_monotonic_time ();
      t0 = bench_thread_cpu_s ();
      g_subprocess_send_signal (card, SIGTERM);
      g_subprocess_wait (card, NULL, NULL);
      r->rig_cpu_s += bench_thread_cpu_s () - t0;
      t0 = bench_thread_cpu_s ();
      wait_for_pcscd (reader, FALSE, &state);
      r->watch_cpu_s += bench_thread_cpu_s () - t0;
      r->pull_us += g_get_monotonic_time () - w;
    }
  r->done_us = g_get_monotonic_time ();
  return NULL;
}

static void
bench_rack (guint cards_per_reader, double model_ms)
{
  const guint sizes[] = { 1, 4, 16 };
  double single = 0;

  g_print ("%8s %6s %8s %10s %10s %7s %14s %14s %16s %9s\n", "readers", "cards", "wall s", "cards/min", "ideal/min",
           "ratio", "cycle ms/card", "card model ms", "host CPU ms/card", "host/card");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint readers = sizes[s];
      g_autofree Reader *rack = g_new0 (Reader, readers);
      g_autofree GThread **threads = g_new0 (GThread *, readers);
      double cpu0, wall, rate, host_ms, rig_s = 0, sequence_s = 0, sequence_sys = 0, watch_s = 0;
      gint64 w0, cycle = 0, insert = 0, run = 0, pull = 0, first_done = G_MAXINT64;
      guint cards = readers * cards_per_reader;
      BenchLoad before, after;

      if (readers > rig.n)
        {
          g_print ("%8u (the rig has only %u readers: run under rig-run --readers 8, two slots each)\n", readers,
                   rig.n);
          continue;
        }
      bench_load_read (&before);
      cpu0 = bench_process_cpu_s (RUSAGE_SELF);
      w0 = g_get_monotonic_time ();
      for (guint r = 0; r < readers; r++)
        {
          rack[r].reader = r;
          rack[r].cards = cards_per_reader;
          threads[r] = g_thread_new ("bench-rack-reader", reader_thread, &rack[r]);
        }
      for (guint r = 0; r < readers; r++)
        {
          g_thread_join (threads[r]);
          cycle += rack[r].cycle_us;
          rig_s += rack[r].rig_cpu_s;
          sequence_s += rack[r].sequence_cpu_s;
          sequence_sys += rack[r].sequence_sys_s;
          watch_s += rack[r].watch_cpu_s;
          insert += rack[r].insert_us;
          run += rack[r].run_us;
          pull += rack[r].pull_us;
          first_done = MIN (first_done, rack[r].done_us);
        }
      wall = (g_get_monotonic_time () - w0) / 1e6;
      host_ms = (bench_process_cpu_s (RUSAGE_SELF) - cpu0 - rig_s) * 1000 / cards;
      bench_load_read (&after);
      rate = cards / wall * 60;
      if (readers == 1)
        single = rate;
      g_print ("%8u %6u %8.2f %10.1f %10.1f %7.2f %14.1f %14.1f %16.2f %8.2f%%\n", readers, cards, wall, rate,
               single * readers, rate / (single * readers), cycle / 1000.0 / cards, model_ms, host_ms,
               100 * host_ms / model_ms);
      g_print ("      host CPU per card: %.2f ms in the production sequence (connect to release; %.2f ms of it in the "
               "kernel), "
               "%.2f ms waiting for pcscd to report the card in and out, %.2f ms in the process's other threads\n",
               sequence_s * 1000 / cards, sequence_sys * 1000 / cards, watch_s * 1000 / cards,
               host_ms - (sequence_s + watch_s) * 1000 / cards);
      g_print (
        "      wall per card: %.0f ms from the card's start to pcscd seeing it, %.0f ms connect to release, %.0f ms "
        "from the pull to pcscd seeing it gone; the first reader done at %.2f s of %.2f s\n",
        insert / 1000.0 / cards, run / 1000.0 / cards, pull / 1000.0 / cards, (first_done - w0) / 1e6, wall);
      bench_load_print (&before, &after, "its cards");
    }
}

static void
manufacture (const char *source, guint count)
{
  g_autofree char *keys = g_build_filename (source, "data", "demo", "demo-keys.ini", NULL);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *n = g_strdup_printf ("%u", count);
  g_autofree char *type = NULL, *version = NULL, *enc = NULL, *mac = NULL, *dek = NULL;
  g_autoptr (GSubprocess) p = NULL;

  check (g_key_file_load_from_file (file, keys, G_KEY_FILE_NONE, &error), error);
  type = g_key_file_get_string (file, "KST", "type", NULL);
  version = g_key_file_get_string (file, "KST", "version", NULL);
  enc = g_key_file_get_string (file, "KST", "enc", NULL);
  mac = g_key_file_get_string (file, "KST", "mac", NULL);
  dek = g_key_file_get_string (file, "KST", "dek", NULL);
  if (type == NULL || version == NULL || enc == NULL || mac == NULL || dek == NULL)
    g_error ("bench-rack: %s has no complete [KST] group", keys);
  p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, vcard_exe, "manufacture", "--out", card_dir,
                        "--count", n, "--kst-type", type, "--kst-version", version, "--kst-enc", enc, "--kst-mac", mac,
                        "--kst-dek", dek, NULL);
  check (p != NULL && g_subprocess_wait_check (p, NULL, &error), error);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClProfile) profile = NULL;
  g_autofree char *work = NULL, *pki = NULL, *keys = NULL, *profile_path = NULL, *db = NULL;
  const char *source = g_getenv ("CARDLINE_SOURCE_DIR");
  guint64 cards_per_reader = DEFAULT_CARDS_PER_READER;
  gboolean model_only = argc == 3 && g_str_equal (argv[2], "--model");
  g_autofree char *large_cap = NULL;
  guint large_cards_per_reader;
  double model_ms;

  if (argc < 2 || argc > 3 || source == NULL
      || (!model_only
          && (g_getenv ("CARDLINE_VPCD_PORTS") == NULL || g_getenv ("CARDLINE_READER_NAMES") == NULL
              || (argc == 3 && !g_ascii_string_to_unsigned (argv[2], 10, 1, 1000, &cards_per_reader, NULL)))))
    {
      g_printerr ("usage: CARDLINE_SOURCE_DIR=... tests/rig/rig-run --readers 8 --parts pcsc,hsm -- bench-rack "
                  "CARDLINE-VCARD [CARDS-PER-READER (default %u) | --model]\n",
                  DEFAULT_CARDS_PER_READER);
      return 2;
    }
  vcard_exe = argv[1];
  /* a large-applet card takes several times as long: half as many per reader keep the run short */
  large_cards_per_reader = MAX (1, (guint)cards_per_reader / 2);
  if (!model_only)
    bench_rig_slots_find (&rig);
  work = g_dir_make_tmp ("bench-rack-XXXXXX", &error);
  check (work != NULL, error);
  card_dir = g_build_filename (work, "cards", NULL);
  pki = g_build_filename (work, "pki", NULL);
  keys = g_build_filename (source, "data", "demo", "demo-keys.ini", NULL);
  profile_path = g_build_filename (source, "data", "profiles", "smartcard-hsm.profile", NULL);
  db = g_build_filename (work, "store.db", NULL);
  /* one for the model, then every size's cards; as many again for the large applet */
  manufacture (source, 1 + (model_only ? 0 : 1 + (1 + 4 + 16) * ((guint)cards_per_reader + large_cards_per_reader)));

  token = cl_production_token_open_from_env (&error);
  check (token != NULL, error);
  check (cl_demo_pki_setup (token, keys, pki, NULL, NULL, &error), error);
  g_setenv ("CARDLINE_PKI_DIR", pki, TRUE);
  profile = cl_production_profile_open (profile_path, &error);
  check (profile != NULL, error);
  store = cl_store_open (db, &error);
  check (store != NULL, error);
  setup = cl_production_setup_new (profile, token, store, &error);
  check (setup != NULL, error);

  model_ms = card_model_ms ();
  if (model_only)
    {
      g_print ("card_model_ms=%.1f\n", model_ms);
      g_clear_object (&setup);
      cl_test_remove_tree (work);
      return 0;
    }
  g_print ("rack of PC/SC readers, card timing model on (cardline-vcard run --timing), %u cards per reader; the "
           "card's own time by the timing model: %.1f ms per card\n",
           (guint)cards_per_reader, model_ms);
  bench_rack ((guint)cards_per_reader, model_ms);

  /* the same rack with an applet the size of a real PKI applet, where LOAD takes most of the card's time */
  g_clear_object (&setup);
  large_cap = bench_profile_large_cap ();
  setup = bench_profile_variant (token, store, work, large_cap, 0);
  model_ms = card_model_ms ();
  g_print ("\nthe same with the large stand-in CAP (%" G_GSIZE_FORMAT " bytes of Load File Data Block, largest short "
           "LOAD blocks), %u cards per reader; the card's own time by the timing model: %.1f ms per card\n",
           g_bytes_get_size (cl_production_setup_get_load_file_data_block (setup)), large_cards_per_reader, model_ms);
  bench_rack (large_cards_per_reader, model_ms);
  g_print ("ideal: readers x the one-reader rate above; host CPU: this process (sequence, store, SoftHSM2, PC/SC "
           "client) less its threads' CPU for starting and stopping the cards; host/card: that against the card's "
           "own time (target <= 1 %%, issue 14)\n");

  g_clear_object (&setup);
  for (guint i = 0; i < rig.n; i++)
    g_free (rig.names[i]);
  /* the card images, store and PKI of this run (CARDLINE_KEEP_RIG keeps them) */
  cl_test_remove_tree (work);
  return 0;
}
