/* bench-line: what one card costs the line (DESIGN §7: measured, never asserted).
 *
 *   (a) APDUs and bytes per card against the minimum sequence for the profile: every command of a clean run is
 *       named, and the commands strictly needed for a blank card of this profile are counted explicitly below;
 *   (b) host CPU seconds per card (getrusage user+sys of this process, which is the station: sequence, store and
 *       SoftHSM2) with the card timing model off, in-process (the card's own CPU is measured per APDU and taken
 *       out) and over the rig's pcscd (the cards are cardline-vcard processes, not counted);
 *   (c) throughput with 1, 4 and 16 readers with the card timing model on (cardline-vcard run --timing), as a
 *       ratio to the ideal of readers × the single-reader rate;
 *   (d) applet sizes with the card timing model on: the 256-byte stand-in CAP and the large one (a 24 KB Load File
 *       Data Block) in the largest short LOAD blocks, and the large one in extended-length blocks on a card that
 *       declares 2,048-byte commands; in-process and (short blocks: vpcd carries no extended length) over pcscd;
 *       next to what loaders with fixed 239 (0xEF) or 255-byte blocks would send, computed (no GlobalPlatform
 *       loader is packaged in Debian 12 to run against the same card).
 *
 * Run: tests/rig/rig-run --readers 8 --parts pcsc,hsm -- BUILDDIR/tests/bench/bench-line \
 *        BUILDDIR/tests/sim/vcard/cardline-vcard [CARDS-PER-READER]
 * (or `make bench`, which runs every bench with its rig: tests/bench/run BUILDDIR). */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench-common.h"
#include "bench-profile.h"
#include "cl-vcard-manufacture.h"
#include "cl-vcard-session.h"
#include "cl-vcard-transport.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "pcsc/cl-pcsc-transport.h"
#include "production/cl-card-sequence.h"
#include "production/cl-demo-pki.h"
#include "production/cl-production-env.h"

static ClProductionSetup *setup;
static char *work_dir;
static const char *vcard_exe;
static guint32 serial_base;
static gint card_index; /* atomic: worker threads manufacture cards */

static void
check (gboolean ok, GError *error)
{
  if (!ok)
    g_error ("bench-line: %s", error != NULL ? error->message : "failed");
}

/* ---- a transport that keeps the trace of a run and the card's own CPU time ---- */

typedef struct
{
  guint8 header[4];
  guint16 fid;  /* READ/UPDATE BINARY odd INS: the file */
  gboolean isd; /* SELECT of the ISD */
  gsize out;
  gsize in;
} TraceEntry;

#define BENCH_TYPE_TRACE (bench_trace_get_type ())
G_DECLARE_FINAL_TYPE (BenchTrace, bench_trace, BENCH, TRACE, GObject)

struct _BenchTrace
{
  GObject parent_instance;
  ClTransport *inner;
  GArray *entries;
  double card_cpu;
};

static void trace_iface_init (ClTransportInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (BenchTrace, bench_trace, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, trace_iface_init))

static GBytes *
trace_transmit (ClTransport *t, GBytes *command, GCancellable *cancellable, GError **error)
{
  BenchTrace *self = BENCH_TRACE (t);
  gsize len;
  const guint8 *c = g_bytes_get_data (command, &len);
  TraceEntry e = { { 0 } };
  double t0 = bench_thread_cpu_s ();
  GBytes *response = cl_transport_transmit (self->inner, command, cancellable, error);
  const ClProfileCard *card = cl_profile_get_card (cl_production_setup_get_profile (setup));

  self->card_cpu += bench_thread_cpu_s () - t0;
  memcpy (e.header, c, MIN (len, 4));
  e.out = len;
  e.in = response != NULL ? g_bytes_get_size (response) : 0;
  if (len >= 4 && (c[1] == 0xB1 || c[1] == 0xD7))
    e.fid = (guint16)(c[2] << 8 | c[3]);
  if (len > 5 && c[1] == 0xA4 && card->isd_aid != NULL && c[4] == g_bytes_get_size (card->isd_aid)
      && memcmp (c + 5, g_bytes_get_data (card->isd_aid, NULL), c[4]) == 0)
    e.isd = TRUE;
  g_array_append_val (self->entries, e);
  return response;
}

static GBytes *
trace_get_atr (ClTransport *t)
{
  return cl_transport_get_atr (BENCH_TRACE (t)->inner);
}

static gboolean
trace_supports_extended (ClTransport *t)
{
  return cl_transport_supports_extended (BENCH_TRACE (t)->inner);
}

static void
trace_iface_init (ClTransportInterface *iface)
{
  iface->transmit = trace_transmit;
  iface->get_atr = trace_get_atr;
  iface->supports_extended = trace_supports_extended;
}

static void
bench_trace_finalize (GObject *o)
{
  g_clear_object (&BENCH_TRACE (o)->inner);
  g_array_unref (BENCH_TRACE (o)->entries);
  G_OBJECT_CLASS (bench_trace_parent_class)->finalize (o);
}

static void
bench_trace_class_init (BenchTraceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bench_trace_finalize;
}

static void
bench_trace_init (BenchTrace *self)
{
  self->entries = g_array_new (FALSE, FALSE, sizeof (TraceEntry));
}

/* ---- cards ---- */

static GBytes *
demo_key (const char *group, const char *role)
{
  g_autofree char *path = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "demo", "demo-keys.ini", NULL);
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char *hex = NULL;
  g_autoptr (GError) error = NULL;

  check (g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error), error);
  hex = g_key_file_get_string (file, group, role, &error);
  check (hex != NULL, error);
  return cl_hex_decode (hex, NULL);
}

static guint card_max_command = CL_VCARD_MAX_COMMAND; /* of the cards made from now on */

static ClVcardImage *
new_card_numbered (guint index)
{
  ClVcardManufactureSpec spec = { CL_KEY_TYPE_AES, 0x30 };
  g_autoptr (GError) error = NULL;
  ClVcardImage *image;

  spec.kst_enc = demo_key ("KST", "enc");
  spec.kst_mac = demo_key ("KST", "mac");
  spec.kst_dek = demo_key ("KST", "dek");
  spec.scp = 0x03;
  spec.i = 0x70;
  image = cl_vcard_manufacture (&spec, serial_base, index, &error);
  check (image != NULL, error);
  cl_vcard_image_set_max_command_length (image, card_max_command);
  g_bytes_unref (spec.kst_enc), g_bytes_unref (spec.kst_mac), g_bytes_unref (spec.kst_dek);
  return image;
}

static ClVcardImage *
new_card (void)
{
  return new_card_numbered ((guint)g_atomic_int_add (&card_index, 1));
}

static char *
new_card_file (void)
{
  guint index = (guint)g_atomic_int_add (&card_index, 1);
  g_autoptr (ClVcardImage) image = new_card_numbered (index);
  g_autoptr (GError) error = NULL;
  char *path = g_strdup_printf ("%s/card-%04u.vcard", work_dir, index);

  check (cl_vcard_image_save (image, path, &error), error);
  return path;
}

static ClCardSequence *
run_card (ClTransport *transport, const char *reader)
{
  g_autoptr (GError) error = NULL;
  ClCardSequence *sequence = cl_card_sequence_new (setup, 0, "bench", reader);
  const ClSequenceOutcome *o;

  check (cl_card_sequence_run (sequence, transport, NULL, &error), error);
  o = cl_card_sequence_get_outcome (sequence);
  if (!o->good)
    g_error ("bench-line: card rejected %s at %s: %s", cl_reject_reason_to_string (o->reason),
             cl_production_step_to_string (o->failed_step), o->detail);
  return sequence;
}

/* ---- (a) APDUs and bytes against the minimum ---- */

typedef enum
{
  CMD_SELECT_ISD,
  CMD_GET_CPLC,
  CMD_GET_KEY_INFO,
  CMD_GET_KDD,
  CMD_INITIALIZE_UPDATE,
  CMD_EXTERNAL_AUTHENTICATE,
  CMD_GET_STATUS,
  CMD_STORE_DATA,
  CMD_SET_STATUS,
  CMD_PUT_KEY,
  CMD_DELETE,
  CMD_INSTALL_LOAD,
  CMD_LOAD,
  CMD_INSTALL_INSTALL,
  CMD_SELECT_APPLET,
  CMD_VERIFY_PIN,
  CMD_INITIALIZE_DEVICE,
  CMD_GENERATE_KEY,
  CMD_IMPORT_DKEK,
  CMD_READ_REQUEST,
  CMD_READ_DEVAUT,
  CMD_UPDATE_DEVAUT,
  CMD_OTHER,
  CMD_COUNT
} Command;

static const char *const command_names[CMD_COUNT] = {
  "SELECT ISD",
  "GET DATA CPLC",
  "GET DATA key info",
  "GET DATA KDD",
  "INITIALIZE UPDATE",
  "EXTERNAL AUTH",
  "GET STATUS",
  "STORE DATA",
  "SET STATUS",
  "PUT KEY",
  "DELETE",
  "INSTALL [for load]",
  "LOAD",
  "INSTALL [install]",
  "SELECT applet",
  "VERIFY (PIN status)",
  "INITIALIZE DEVICE",
  "GENERATE KEY PAIR",
  "IMPORT DKEK SHARE",
  "READ BINARY CE00",
  "READ BINARY 2F02",
  "UPDATE BINARY 2F02",
  "other",
};

static Command
classify (const TraceEntry *e)
{
  const guint8 *h = e->header;

  switch (h[1])
    {
      case 0xA4:
        return e->isd ? CMD_SELECT_ISD : CMD_SELECT_APPLET;
      case 0xCA:
        if (h[2] == 0x9F && h[3] == 0x7F)
          return CMD_GET_CPLC;
        if (h[2] == 0x00 && h[3] == 0xE0)
          return CMD_GET_KEY_INFO;
        if (h[2] == 0x00 && h[3] == 0xCF)
          return CMD_GET_KDD;
        return CMD_OTHER;
      case 0x50:
        /* INITIALIZE UPDATE names a key version; SmartCard-HSM's INITIALIZE DEVICE is 80 50 00 00 */
        return h[2] != 0x00 ? CMD_INITIALIZE_UPDATE : CMD_INITIALIZE_DEVICE;
      case 0x82:
        return CMD_EXTERNAL_AUTHENTICATE;
      case 0xF2:
        return CMD_GET_STATUS;
      case 0xE2:
        return CMD_STORE_DATA;
      case 0xF0:
        return CMD_SET_STATUS;
      case 0xD8:
        return CMD_PUT_KEY;
      case 0xE4:
        return CMD_DELETE;
      case 0xE6:
        return h[2] == 0x02 ? CMD_INSTALL_LOAD : CMD_INSTALL_INSTALL;
      case 0xE8:
        return CMD_LOAD;
      case 0x20:
        return CMD_VERIFY_PIN;
      case 0x46:
        return CMD_GENERATE_KEY;
      case 0x52:
        return CMD_IMPORT_DKEK;
      case 0xB1:
        return e->fid == 0x2F02 ? CMD_READ_DEVAUT : CMD_READ_REQUEST;
      case 0xD7:
        return CMD_UPDATE_DEVAUT;
      default:
        return CMD_OTHER;
    }
}

static gint
compare_desc (gconstpointer a, gconstpointer b)
{
  gsize x = *(const gsize *)a, y = *(const gsize *)b;

  return x < y ? 1 : x > y ? -1 : 0;
}

/* The sum of the k largest commands (or responses) of one kind in the trace. */
static double
largest_sum (GArray *entries, Command c, guint k, gboolean responses)
{
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  double sum = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      const TraceEntry *e = &g_array_index (entries, TraceEntry, i);

      gsize size = responses ? e->in : e->out;

      if (classify (e) == c)
        g_array_append_val (sizes, size);
    }
  g_array_sort (sizes, compare_desc);
  for (guint i = 0; i < k && i < sizes->len; i++)
    sum += g_array_index (sizes, gsize, i);
  return sum;
}

static guint
div_up (gsize a, gsize b)
{
  return (guint)((a + b - 1) / b);
}

static void
bench_apdus (void)
{
  ClProfile *profile = cl_production_setup_get_profile (setup);
  const ClProfileScp *scp = cl_profile_get_scp (profile);
  const ClProfileConfigure *configure = cl_profile_get_configure (profile);
  const ClProfileInit *init = cl_profile_get_init (profile);
  g_autoptr (ClVcardImage) image = new_card ();
  g_autoptr (ClVcardSession) session = cl_vcard_session_new (image);
  g_autoptr (BenchTrace) trace = g_object_new (BENCH_TYPE_TRACE, NULL);
  g_autoptr (ClCardSequence) sequence = NULL;
  const ClSequenceOutcome *o;
  guint n[CMD_COUNT] = { 0 }, min[CMD_COUNT] = { 0 };
  gsize out[CMD_COUNT] = { 0 }, in[CMD_COUNT] = { 0 };
  gsize request_bytes = 0, chain_bytes = 0, read_chunk = 0, write_chunk = 0, lfdb, block;
  guint min_apdus = 0, meas_apdus = 0;
  double min_out = 0, min_in = 0;
  gsize meas_out = 0, meas_in = 0;

  trace->inner = CL_TRANSPORT (cl_vcard_transport_new (session));
  sequence = run_card (CL_TRANSPORT (trace), "in-process");
  o = cl_card_sequence_get_outcome (sequence);
  for (guint i = 0; i < trace->entries->len; i++)
    {
      const TraceEntry *e = &g_array_index (trace->entries, TraceEntry, i);
      Command c = classify (e);

      n[c]++;
      out[c] += e->out;
      in[c] += e->in;
      if (c == CMD_READ_REQUEST)
        request_bytes += e->in - 2;
      if (c == CMD_READ_DEVAUT)
        read_chunk = MAX (read_chunk, e->in - 2);
    }
  /* The chain's size: one read of a file is a run of consecutive READ BINARY commands; the longest run read it
   * all (the others are the probe before the write, 6A82, and the later reads of the same chain). */
  {
    gsize run = 0;

    for (guint i = 0; i < trace->entries->len; i++)
      {
        const TraceEntry *e = &g_array_index (trace->entries, TraceEntry, i);

        if (classify (e) == CMD_READ_DEVAUT)
          run += e->in - 2;
        else
          run = 0;
        chain_bytes = MAX (chain_bytes, run);
      }
  }
  for (guint i = 0; i < trace->entries->len; i++)
    {
      const TraceEntry *e = &g_array_index (trace->entries, TraceEntry, i);

      if (classify (e) == CMD_UPDATE_DEVAUT)
        write_chunk = MAX (write_chunk, e->out);
    }
  lfdb = g_bytes_get_size (cl_production_setup_get_load_file_data_block (setup));
  /* the largest LOAD block one short APDU carries after secure messaging: 255 minus the 8-byte C-MAC, and with
   * C-DECRYPTION the block is padded to 16 bytes with at least one padding byte */
  block = (scp->level & 0x02) ? (255 - 8) / 16 * 16 - 1 : 255 - 8;

  /* The commands a blank card of this profile strictly needs (the sequence's probes of the card's state,
   * which make re-insertion resume, are not needed on a blank card and count 0): */
  min[CMD_SELECT_ISD] = 2;            /* IDENTIFY; VERIFY returns from the applet to the ISD */
  min[CMD_GET_CPLC] = 1;              /* the chip identity */
  min[CMD_GET_KEY_INFO] = 0;          /* probe: which key set the card holds (resumption) */
  min[CMD_GET_KDD] = 0;               /* INITIALIZE UPDATE's answer carries the KDD */
  min[CMD_INITIALIZE_UPDATE] = 3;     /* open with the KST; re-open with the card keys (proof); VERIFY's session */
  min[CMD_EXTERNAL_AUTHENTICATE] = 3; /* the same three sessions */
  min[CMD_GET_STATUS] = 0;            /* probes (life cycle, registry); SELECT proves the applet selectable */
  min[CMD_STORE_DATA] = 0;            /* one per block of the profile's data, counted below */
  for (guint i = 0; configure->store_data != NULL && i < configure->store_data->len; i++)
    min[CMD_STORE_DATA] += div_up (g_bytes_get_size (configure->store_data->pdata[i]), block);
  min[CMD_SET_STATUS] = configure->life_cycle >= 0 ? 1 : 0; /* the life cycle the profile asks for */
  min[CMD_PUT_KEY] = 1;                                     /* KST -> card keys, all three in one command */
  min[CMD_DELETE] = 0;                                      /* a blank card holds nothing to delete */
  min[CMD_INSTALL_LOAD] = 1;
  min[CMD_LOAD] = div_up (lfdb, block); /* the Load File Data Block in the largest blocks that fit */
  min[CMD_INSTALL_INSTALL] = 1;         /* install and make selectable in one */
  min[CMD_SELECT_APPLET] = 2;           /* INIT_APPLET; VERIFY's independent look */
  min[CMD_VERIFY_PIN] = 0;              /* probe: is the device initialised (resumption) */
  /* the device key pair, made on the card; INITIALIZE DEVICE and the DKEK shares only when the station
   * initialises the device (ship=initialised) */
  min[CMD_GENERATE_KEY] = 1;
  min[CMD_INITIALIZE_DEVICE] = init->ship == CL_SHIP_INITIALISED ? 1 : 0;
  min[CMD_IMPORT_DKEK] = init->ship == CL_SHIP_INITIALISED && init->dkek_shares > 0 ? (guint)init->dkek_shares : 0;
  min[CMD_READ_REQUEST] = read_chunk ? div_up (request_bytes, read_chunk) : n[CMD_READ_REQUEST]; /* the request */
  min[CMD_READ_DEVAUT] = read_chunk ? 2 * div_up (chain_bytes, read_chunk) : 0; /* read-back; VERIFY's read */
  min[CMD_UPDATE_DEVAUT] = n[CMD_UPDATE_DEVAUT]; /* the chain in chunks of one APDU each (cl_schsm_write_file) */
  min[CMD_OTHER] = 0;

  g_print ("(a) APDUs and bytes per card, profile %s (SCP%02X level %02X, LFDB %zu bytes in blocks of %zu)\n",
           cl_profile_get_name (profile), scp->scp, scp->level, lfdb, block);
  g_print ("    %-22s %9s %9s %12s %12s\n", "command", "measured", "minimum", "bytes out", "bytes in");
  for (guint c = 0; c < CMD_COUNT; c++)
    {
      double per_out = n[c] ? (double)out[c] / n[c] : 0, per_in = n[c] ? (double)in[c] / n[c] : 0;

      if (n[c] == 0 && min[c] == 0)
        continue;
      g_print ("    %-22s %9u %9u %12zu %12zu\n", command_names[c], n[c], min[c], out[c], in[c]);
      meas_apdus += n[c];
      min_apdus += min[c];
      meas_out += out[c];
      meas_in += in[c];
      /* a needed command costs what its largest instances cost in the run (a probe's short answer never stands
       * in for a needed command); beyond the measured ones, their mean */
      min_out
        += largest_sum (trace->entries, c, MIN (min[c], n[c]), FALSE) + (min[c] > n[c] ? per_out * (min[c] - n[c]) : 0);
      min_in
        += largest_sum (trace->entries, c, MIN (min[c], n[c]), TRUE) + (min[c] > n[c] ? per_in * (min[c] - n[c]) : 0);
    }
  g_assert_cmpuint (meas_apdus, ==, o->apdus);
  g_print ("    %-22s %9u %9u %12zu %12zu\n", "total", meas_apdus, min_apdus, meas_out, meas_in);
  g_print ("    measured/minimum: APDUs %.2f, bytes out %.2f, bytes in %.2f (minimum bytes %.0f out, %.0f in)\n",
           (double)meas_apdus / min_apdus, meas_out / min_out, meas_in / min_in, min_out, min_in);
}

/* ---- (b) host CPU per card ---- */

static void
bench_cpu_in_process (guint cards)
{
  double card_cpu = 0, t0, total;
  gint64 w0 = g_get_monotonic_time ();

  t0 = bench_process_cpu_s (RUSAGE_SELF);
  for (guint i = 0; i < cards; i++)
    {
      g_autoptr (ClVcardImage) image = new_card ();
      g_autoptr (ClVcardSession) session = cl_vcard_session_new (image);
      g_autoptr (BenchTrace) trace = g_object_new (BENCH_TYPE_TRACE, NULL);
      g_autoptr (ClCardSequence) sequence = NULL;

      trace->inner = CL_TRANSPORT (cl_vcard_transport_new (session));
      sequence = run_card (CL_TRANSPORT (trace), "in-process");
      card_cpu += trace->card_cpu;
    }
  total = bench_process_cpu_s (RUSAGE_SELF) - t0;
  g_print ("(b) host CPU per card, in-process, %u cards: station %.2f ms (user+sys %.3f s total, of which the "
           "card emulation %.3f s taken out), wall %.2f ms/card\n",
           cards, (total - card_cpu) * 1000 / cards, total, card_cpu, (g_get_monotonic_time () - w0) / 1000.0 / cards);
}

static BenchRigSlots rig;

static gint early_atrs; /* atomic */

static GSubprocess *
insert_card (const char *image, guint slot, gboolean timing)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", rig.ports[slot]);
  GSubprocess *p
    = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, vcard_exe, "run",
                        "--image", image, "--port", port, timing ? "--timing" : NULL, NULL);
  check (p != NULL, error);
  return p;
}

/* vpcd and pcscd need a moment to see the card: connect until it answers (10 s guard against a hang). A connect
 * within milliseconds of the insertion can see the ATR zero-padded to 33 bytes (vpcd asked before the card
 * answered): that is not yet the card, so it is tried again. */
static ClPcscTransport *
connect_when_present (const char *reader)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  GBytes *expected = cl_profile_get_card (cl_production_setup_get_profile (setup))->atr;

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      ClPcscTransport *t = cl_pcsc_transport_connect (reader, NULL, &error);

      if (t != NULL)
        {
          g_autoptr (GBytes) atr = cl_transport_get_atr (CL_TRANSPORT (t));

          if (atr != NULL && g_bytes_get_size (atr) == g_bytes_get_size (expected))
            return t;
          g_atomic_int_inc (&early_atrs);
          /* a reset powers the card up again, and pcscd asks it for its ATR anew */
          cl_pcsc_transport_disconnect (t, TRUE);
          g_object_unref (t);
        }
      if (g_get_monotonic_time () > deadline)
        g_error ("bench-line: no card in %s: %s", reader,
                 error != NULL ? error->message : "only a zero-padded ATR for 10 s");
      g_usleep (20000);
    }
}

/* Pulls the card. With exchange_us, also waits that long: pcscd polls vpcd for presence (400 ms), and a card
 * put into the slot before it saw the last one go would look like the same card. (Probing with connects
 * instead, 16 threads at once, crashed inside libpcsclite's SCardDisconnect: see the report.) */
#define CARD_EXCHANGE_US 500000

static void
remove_card (GSubprocess *card, gboolean exchange)
{
  g_subprocess_send_signal (card, SIGTERM);
  g_subprocess_wait (card, NULL, NULL);
  if (exchange)
    g_usleep (CARD_EXCHANGE_US);
}

static void
bench_cpu_pcsc (void)
{
  g_autoptr (GPtrArray) cards = g_ptr_array_new_with_free_func (g_object_unref);
  double t0, total;
  gint64 w0;
  guint64 apdus = 0;

  for (guint r = 0; r < rig.n; r++)
    {
      g_autofree char *image = new_card_file ();
      g_ptr_array_add (cards, insert_card (image, r, FALSE));
    }
  t0 = bench_process_cpu_s (RUSAGE_SELF);
  w0 = g_get_monotonic_time ();
  for (guint r = 0; r < rig.n; r++)
    {
      g_autoptr (ClPcscTransport) transport = connect_when_present (rig.names[r]);
      g_autoptr (ClCardSequence) sequence = run_card (CL_TRANSPORT (transport), rig.names[r]);

      apdus += cl_card_sequence_get_outcome (sequence)->apdus;
      cl_pcsc_transport_disconnect (transport, TRUE);
    }
  total = bench_process_cpu_s (RUSAGE_SELF) - t0;
  g_print ("(b) host CPU per card, over pcscd, %u cards one per reader: station %.2f ms (user+sys %.3f s total), "
           "wall %.2f ms/card, %.2f ms per APDU round trip\n",
           rig.n, total * 1000 / rig.n, total, (g_get_monotonic_time () - w0) / 1000.0 / rig.n,
           (g_get_monotonic_time () - w0) / 1000.0 / (double)apdus);
  for (guint i = 0; i < cards->len; i++)
    remove_card (cards->pdata[i], i + 1 == cards->len);
}

/* ---- (c) throughput with the timing model on ---- */

typedef struct
{
  guint reader;
  guint cards;
  gint64 cycle_us; /* sum of the sequences' own cycle times */
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;

  for (guint i = 0; i < w->cards; i++)
    {
      const char *reader = rig.names[w->reader];
      g_autofree char *image = new_card_file ();
      g_autoptr (GSubprocess) card = insert_card (image, w->reader, TRUE);
      g_autoptr (ClPcscTransport) transport = connect_when_present (reader);
      g_autoptr (ClCardSequence) sequence = run_card (CL_TRANSPORT (transport), reader);

      w->cycle_us += cl_card_sequence_get_outcome (sequence)->cycle_us;
      cl_pcsc_transport_disconnect (transport, TRUE);
      g_clear_object (&transport);
      remove_card (card, TRUE);
    }
  return NULL;
}

static void
bench_throughput (guint cards_per_reader)
{
  const guint sizes[] = { 1, 4, 16 };
  double single = 0;

  g_print ("(c) throughput with the card timing model on (cardline-vcard run --timing), %u cards per reader, "
           "%.1f s card exchange after each card\n",
           cards_per_reader, CARD_EXCHANGE_US / 1e6);
  g_print ("    %8s %7s %10s %12s %12s %14s %8s\n", "readers", "cards", "wall s", "cards/min", "ideal/min",
           "cycle ms/card", "ratio");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      guint readers = sizes[s];
      g_autofree Worker *workers = g_new0 (Worker, readers);
      g_autofree GThread **threads = g_new0 (GThread *, readers);
      gint64 w0, cycle = 0;
      double wall, rate, ideal;

      if (readers > rig.n)
        {
          g_print ("    %8u (the rig has only %u readers: run under rig-run --readers 8, two slots each)\n", readers,
                   rig.n);
          continue;
        }
      w0 = g_get_monotonic_time ();
      for (guint r = 0; r < readers; r++)
        {
          workers[r].reader = r;
          workers[r].cards = cards_per_reader;
          threads[r] = g_thread_new ("bench-reader", worker_thread, &workers[r]);
        }
      for (guint r = 0; r < readers; r++)
        {
          g_thread_join (threads[r]);
          cycle += workers[r].cycle_us;
        }
      wall = (g_get_monotonic_time () - w0) / 1e6;
      rate = readers * cards_per_reader / wall * 60;
      if (readers == 1)
        single = rate;
      ideal = single * readers;
      g_print ("    %8u %7u %10.2f %12.1f %12.1f %14.1f %8.2f\n", readers, readers * cards_per_reader, wall, rate,
               ideal, cycle / 1000.0 / (readers * cards_per_reader), rate / ideal);
    }
}

/* ---- (d) applet sizes ---- */

typedef struct
{
  guint cards;
  guint64 apdus, loads, out, in, load_out, load_in;
  gint64 cycle_us, load_us; /* sums; load: LOAD_APPLET's duration */
  gsize block;              /* the largest LOAD data field sent */
} SizeRun;

static void
size_event (const ClSequenceEvent *event, gpointer data)
{
  SizeRun *r = data;

  if (event->kind == CL_SEQUENCE_EVENT_STEP && event->step == CL_STEP_LOAD_APPLET)
    r->load_us += event->duration_us;
}

/* One card of with over transport (traced), added to r. */
static void
size_card (ClProductionSetup *with, ClTransport *inner, const char *reader, SizeRun *r)
{
  g_autoptr (BenchTrace) trace = g_object_new (BENCH_TYPE_TRACE, NULL);
  g_autoptr (ClCardSequence) sequence = cl_card_sequence_new (with, 0, "bench", reader);
  g_autoptr (GError) error = NULL;
  const ClSequenceOutcome *o;

  trace->inner = g_object_ref (inner);
  cl_card_sequence_set_event_func (sequence, size_event, r, NULL);
  check (cl_card_sequence_run (sequence, CL_TRANSPORT (trace), NULL, &error), error);
  o = cl_card_sequence_get_outcome (sequence);
  if (!o->good)
    g_error ("bench-line: card rejected %s at %s: %s", cl_reject_reason_to_string (o->reason),
             cl_production_step_to_string (o->failed_step), o->detail);
  r->cards++;
  r->apdus += o->apdus;
  r->out += o->bytes_sent;
  r->in += o->bytes_received;
  r->cycle_us += o->cycle_us;
  for (guint i = 0; i < trace->entries->len; i++)
    {
      const TraceEntry *e = &g_array_index (trace->entries, TraceEntry, i);

      if (classify (e) != CMD_LOAD)
        continue;
      r->loads++;
      r->load_out += e->out;
      r->load_in += e->in;
      /* the data field: a short command's 5-byte header and Le, an extended one's 7 and 2 */
      r->block = MAX (r->block, e->out > 261 ? e->out - 9 : e->out - 6);
    }
}

static void
size_row (const char *label, gsize lfdb, const SizeRun *r)
{
  guint n = MAX (r->cards, 1);

  g_print ("    %-36s %7zu %6zu %6.1f %6.1f %9.0f %9.0f %9.1f %9.1f\n", label, lfdb, r->block, (double)r->apdus / n,
           (double)r->loads / n, (double)r->out / n, (double)r->in / n, r->load_us / 1000.0 / n,
           r->cycle_us / 1000.0 / n);
}

/* What the card timing model charges for LOAD of lfdb in plain blocks of block bytes, secured (C-DEC pads to 16 with at
 * least one byte, the C-MAC adds 8) or plain, each answered with answer bytes; *out (if set) gets the bytes sent. */
static double
load_phase_us (const ClVcardTiming *timing, gsize lfdb, gsize block, gboolean secured, gsize answer, double *out)
{
  double us = 0, sent = 0;

  for (gsize offset = 0; offset < lfdb; offset += block)
    {
      gsize plain = MIN (block, lfdb - offset);
      gsize wire = 6 + (secured ? (plain + 16) / 16 * 16 + 8 : plain);

      sent += wire;
      us += cl_vcard_timing_cost_us (timing, wire, answer, plain, secured);
    }
  if (out != NULL)
    *out = sent;
  return us;
}

static void
bench_applet_sizes (ClP11Token *token, ClStore *store, guint cards)
{
  g_autofree char *large_cap = bench_profile_large_cap ();
  g_autoptr (ClProductionSetup) large = bench_profile_variant (token, store, work_dir, large_cap, 0);
  g_autoptr (ClProductionSetup) large_ext = bench_profile_variant (token, store, work_dir, large_cap, 2048);
  struct
  {
    const char *label;
    ClProductionSetup *setup;
    guint card_max;
    gboolean pcsc;
  } cases[] = {
    { "small CAP, short blocks", setup, CL_VCARD_MAX_COMMAND, FALSE },
    { "large CAP, short blocks", large, CL_VCARD_MAX_COMMAND, FALSE },
    { "large CAP, extended (card 2048 B)", large_ext, 2048, FALSE },
    { "small CAP, short, over pcscd", setup, CL_VCARD_MAX_COMMAND, TRUE },
    { "large CAP, short, over pcscd", large, CL_VCARD_MAX_COMMAND, TRUE },
  };
  ClVcardTiming timing;
  gsize large_lfdb = g_bytes_get_size (cl_production_setup_get_load_file_data_block (large));
  SizeRun short_large = { 0 };

  cl_vcard_timing_init_default (&timing);
  g_print ("(d) applet sizes, card timing model on (%u bit/s, %u us per APDU, %u us per EEPROM byte, %u us per "
           "secured command), %u cards each; per card:\n",
           timing.link_bps, timing.command_overhead_us, timing.eeprom_us_per_byte, timing.crypto_us, cards);
  g_print ("    (field: LOAD's data field on the wire, after secure messaging; LOAD ms: the LOAD_APPLET step, "
           "INSTALLs included; card ms: the whole sequence)\n");
  g_print ("    %-36s %7s %6s %6s %6s %9s %9s %9s %9s\n", "", "LFDB", "field", "APDUs", "LOADs", "bytes out",
           "bytes in", "LOAD ms", "card ms");
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      SizeRun r = { 0 };
      gsize lfdb = g_bytes_get_size (cl_production_setup_get_load_file_data_block (cases[c].setup));

      card_max_command = cases[c].card_max;
      for (guint i = 0; i < cards; i++)
        {
          if (!cases[c].pcsc)
            {
              g_autoptr (ClVcardImage) image = new_card ();
              g_autoptr (ClVcardSession) session = cl_vcard_session_new (image);
              g_autoptr (ClVcardTransport) transport = cl_vcard_transport_new (session);

              cl_vcard_transport_set_timing (transport, &timing);
              size_card (cases[c].setup, CL_TRANSPORT (transport), "in-process", &r);
            }
          else
            {
              g_autofree char *image = new_card_file ();
              g_autoptr (GSubprocess) card = insert_card (image, 0, TRUE);
              g_autoptr (ClPcscTransport) transport = connect_when_present (rig.names[0]);

              size_card (cases[c].setup, CL_TRANSPORT (transport), rig.names[0], &r);
              cl_pcsc_transport_disconnect (transport, TRUE);
              g_clear_object (&transport);
              remove_card (card, TRUE);
            }
        }
      card_max_command = CL_VCARD_MAX_COMMAND;
      size_row (cases[c].label, lfdb, &r);
      if (c == 1)
        short_large = r;
    }

  /* Other loaders on the same card, computed from the short-block run: the same commands but LOAD, whose blocks
   * cost what the timing model charges for their size on the wire, each answer as long as here. 0xEF (239) is the
   * block GPShell sends under C-DEC, the same as ours; 255-byte blocks fit a short APDU only without secure
   * messaging on LOAD (a loader at security level 00, or one that leaves LOAD plain). */
  {
    const gsize blocks[] = { 239, 255 };
    guint n = MAX (short_large.cards, 1);
    gsize load_in = (gsize)(short_large.load_in / MAX (short_large.loads, 1));
    double ours = load_phase_us (&timing, large_lfdb, 239, TRUE, load_in, NULL);

    for (guint b = 0; b < G_N_ELEMENTS (blocks); b++)
      {
        double out = 0, us = load_phase_us (&timing, large_lfdb, blocks[b], b == 0, load_in, &out);
        gsize loads = (large_lfdb + blocks[b] - 1) / blocks[b];

        g_print ("    %-36s %7zu %6zu %6.1f %6zu %9.0f %9s %9.1f %9s   (computed)\n",
                 b == 0 ? "loader, 0xEF blocks, C-DEC+C-MAC" : "loader, 255-byte blocks, plain LOAD", large_lfdb,
                 blocks[b] + (b == 0 ? 9 : 0), (double)(short_large.apdus - short_large.loads) / n + loads, loads,
                 (double)(short_large.out - short_large.load_out) / n + out, "",
                 (short_large.load_us / (double)n - ours + us) / 1000, "");
      }
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClProfile) profile = NULL;
  g_autofree char *pki = NULL, *keys = NULL, *profile_path = NULL, *db = NULL;
  const char *source = g_getenv ("CARDLINE_SOURCE_DIR");
  guint cards_per_reader = argc > 2 ? (guint)g_ascii_strtoull (argv[2], NULL, 10) : 3;

  if (argc < 2 || source == NULL || g_getenv ("CARDLINE_VPCD_PORTS") == NULL)
    {
      g_printerr ("usage: CARDLINE_SOURCE_DIR=... tests/rig/rig-run --readers 8 --parts pcsc,hsm -- "
                  "bench-line CARDLINE-VCARD [CARDS-PER-READER]\n");
      return 2;
    }
  vcard_exe = argv[1];
  bench_rig_slots_find (&rig);
  work_dir = g_dir_make_tmp ("bench-line-XXXXXX", &error);
  check (work_dir != NULL, error);
  pki = g_build_filename (work_dir, "pki", NULL);
  keys = g_build_filename (source, "data", "demo", "demo-keys.ini", NULL);
  profile_path = g_build_filename (source, "data", "profiles", "smartcard-hsm.profile", NULL);
  db = g_build_filename (work_dir, "store.db", NULL);
  serial_base = g_random_int () & 0x7FFF0000u;

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

  if (g_getenv ("BENCH_LINE_ONLY") == NULL || strchr (g_getenv ("BENCH_LINE_ONLY"), 'a'))
    bench_apdus ();
  if (g_getenv ("BENCH_LINE_ONLY") == NULL || strchr (g_getenv ("BENCH_LINE_ONLY"), 'b'))
    {
      bench_cpu_in_process (50);
      bench_cpu_pcsc ();
    }
  if (g_getenv ("BENCH_LINE_ONLY") == NULL || strchr (g_getenv ("BENCH_LINE_ONLY"), 'c'))
    bench_throughput (cards_per_reader);
  if (g_getenv ("BENCH_LINE_ONLY") == NULL || strchr (g_getenv ("BENCH_LINE_ONLY"), 'd'))
    bench_applet_sizes (token, store, cards_per_reader);
  g_print ("    (connects that saw a zero-padded ATR right after an insertion, and were repeated: %d)\n",
           g_atomic_int_get (&early_atrs));

  g_clear_object (&setup);
  for (guint i = 0; i < rig.n; i++)
    g_free (rig.names[i]);
  return 0;
}
