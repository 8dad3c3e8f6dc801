/* test-batch-labels: token labels from a customer's data file (issue 17), read back from the cards with OpenSC
 * (rig-run --readers 1 --parts pcsc,hsm). A profile that initialises the cards (random PINs sealed to a customer
 * key) maps a CSV's label column to token-label; the file goes through the importer (CSV, mapping, checks against
 * the profile) into a batch that the line produces in process on virtual cards. Then each card is put into the
 * rig's vpcd reader (cardline-vcard run) and OpenSC, through the rig's pcscd, says its label: pkcs15-tool --dump
 * ("PKCS#15 Card [LABEL]") and pkcs11-tool -L (its token label). Each is its row's; the row with an empty label
 * leaves the card with the SmartCard-HSM's default. And cards torn while the label is written, resumed (read back
 * over the card's own interface). Every wait is bounded and keyed on its event.
 *
 *   test-batch-labels CARDLINE-VCARD */
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#include "cl-fake-feeder.h"
#include "cl-line-wait.h"
#include "cl-production-fixture.h"
#include "core/cl-error.h"
#include "data/cl-data-import.h"
#include "gp/cl-cplc.h"
#include "apdu/cl-card-channel.h"
#include "line/cl-batch-run.h"
#include "schsm/cl-schsm-card.h"
#include "schsm/cl-schsm-token-info.h"
#include "store/cl-store-manifest.h"
#include "store/cl-store-rows.h"

#define WAIT_SECONDS 180
#define BATCH        "B-labels"
#define PROFILE      "labels"

static ClProductionFixture *fixture;
static const char *vcard_exe;

/* reference, name, label: the label's bytes: ASCII, UTF-8 beyond Latin-1, the most a token label takes (32), none */
static const char *const rows[][3] = {
  { "L-1", "Ada Lovelace", "Ada Lovelace" },
  { "L-2", "Zoë Ω", "Zoë Ω-7" },
  { "L-3", "Max Length", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345" },
  { "L-4", "No Label", "" },
};
#define N_ROWS G_N_ELEMENTS (rows)

static char *
write_in (const char *dir, const char *name, const char *text)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  return path;
}

/* The customer's key the PINs are sealed to: only its public half is the station's. */
static char *
customer_key (const char *dir)
{
  EVP_PKEY *key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  char *path = g_build_filename (dir, "customer.pub", NULL);
  FILE *f = fopen (path, "w");

  g_assert_nonnull (key);
  g_assert_nonnull (f);
  g_assert_cmpint (PEM_write_PUBKEY (f, key), ==, 1);
  fclose (f);
  EVP_PKEY_free (key);
  return path;
}

/* The reference profile shipping initialised cards, with the data mapping, in DIR/profiles where the importer finds
 * it by name (CARDLINE_DATA_DIR). */
static ClProfile *
profile_in (const char *dir, const char *name, gboolean fixed_pins, const char *data_keys)
{
  g_autofree char *reference
    = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "profiles", "smartcard-hsm.profile", NULL);
  g_autofree char *profiles = g_build_filename (dir, "profiles", NULL);
  g_autofree char *export_key = customer_key (dir);
  g_autofree char *cap = NULL, *face = NULL, *text = NULL, *path = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) all = NULL;
  ClProfile *profile;

  g_assert_true (g_key_file_load_from_file (kf, reference, G_KEY_FILE_NONE, &error));
  g_key_file_set_string (kf, "profile", "name", name);
  cap = g_build_filename (fixture->data_dir, g_key_file_get_string (kf, "applet", "cap-file", NULL), NULL);
  g_key_file_set_string (kf, "applet", "cap-file", cap);
  face = g_build_filename (fixture->data_dir, "faces", "default.face", NULL);
  g_key_file_set_string (kf, "face", "template", face);
  g_key_file_set_string (kf, "initialize", "ship", "initialised");
  g_key_file_set_string (kf, "initialize", "pin-source", fixed_pins ? "fixed" : "random");
  g_key_file_set_string (kf, "initialize", "pin-length", "6");
  g_key_file_set_string (kf, "initialize", "so-pin-source", fixed_pins ? "fixed" : "random");
  if (fixed_pins)
    {
      /* the demo PINs: only a demo profile may fix them */
      g_key_file_set_boolean (kf, "profile", "demo", TRUE);
      g_key_file_set_string (kf, "initialize", "pin", "648219");
      g_key_file_set_string (kf, "initialize", "so-pin", "3537363231383830");
    }
  g_key_file_set_string (kf, "initialize", "pin-export-key", export_key);
  text = g_key_file_to_data (kf, NULL, NULL);
  all = g_string_new (text);
  g_string_append (all, "\n[data]\nreference=id\ndisplay=name\nface.name=name\ntoken-label=label\n");
  g_string_append (all, data_keys);
  g_assert_cmpint (g_mkdir_with_parents (profiles, 0700), ==, 0);
  path = g_strdup_printf ("%s/%s.profile", profiles, name);
  g_assert_true (g_file_set_contents (path, all->str, -1, NULL));
  g_setenv ("CARDLINE_DATA_DIR", dir, TRUE);
  profile = cl_production_profile_open (name, &error);
  g_assert_no_error (error);
  return profile;
}

static void
import_rows (ClStore *store, gint64 batch_id, ClProfile *profile, const char *dir)
{
  g_autoptr (GString) csv = g_string_new ("id,name,label\r\n");
  g_autofree char *path = NULL;
  g_autoptr (ClDataFile) file = NULL;
  g_autoptr (GError) error = NULL;
  ClRowsImportOutcome outcome;

  for (guint i = 0; i < N_ROWS; i++)
    g_string_append_printf (csv, "%s,%s,%s\r\n", rows[i][0], rows[i][1], rows[i][2]);
  path = write_in (dir, "people.csv", csv->str);
  file = cl_data_file_read (path, cl_profile_get_data_mapping (profile), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cl_data_import (store, batch_id, file, cl_profile_get_data_mapping (profile), FALSE, "supervisor",
                                   &outcome, &error),
                   >, 0);
  g_assert_no_error (error);
}

typedef struct
{
  guint good;
  gboolean finished;
} Seen;

static void
on_event (ClBatchRun *run, ClLineEvent *event, Seen *seen)
{
  seen->good += cl_line_event_get_kind (event) == CL_LINE_EVENT_GOOD;
  if (cl_line_event_has_line (event))
    g_test_message ("%s", cl_line_event_get_line (event));
}

static void
on_finished (ClBatchRun *run, Seen *seen)
{
  seen->finished = TRUE;
}

/* Runs argv; its exit status and stdout. */
static int
run (const char *const *argv, char **out)
{
  g_autoptr (GError) error = NULL;
  int status = 0;
  GSpawnFlags flags = G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL | (out == NULL ? G_SPAWN_STDOUT_TO_DEV_NULL : 0);

  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, flags, NULL, NULL, out, NULL, &status, &error));
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL) ? 0 : 1;
}

static char *
first_of (const char *list)
{
  g_auto (GStrv) parts = g_strsplit (list, ",", 2);

  return g_strdup (parts[0]);
}

/* The card in the rig's reader: cardline-vcard run on its image, until PC/SC gives its ATR (bounded). */
static GPid
insert_card (const char *image_path, const char *reader)
{
  g_autofree char *port = first_of (g_getenv ("CARDLINE_VPCD_PORTS"));
  const char *argv[] = { vcard_exe, "run", "--image", image_path, "--port", port, NULL };
  const char *atr[] = { "opensc-tool", "-r", reader, "-a", NULL };
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  GPid pid;

  g_assert_true (g_spawn_async (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  while (run (atr, NULL) != 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
  return pid;
}

/* The card out: the sim ends, and PC/SC sees the reader empty before the next card (bounded). */
static void
pull_card (GPid pid, const char *reader)
{
  const char *atr[] = { "opensc-tool", "-r", reader, "-a", NULL };
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  int status;

  kill (pid, SIGTERM);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  while (run (atr, NULL) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
}

/* The token label pkcs11-tool -L prints for a card labelled label: OpenSC's PKCS#11 module names the token after the
 * label and its user PIN, "LABEL (UserPIN)" in CK_TOKEN_INFO's 32 bytes (a longer label cut, with "..."). */
static char *
pkcs11_tool_label (const char *label)
{
  const char *pin = " (UserPIN)";

  if (strlen (label) + strlen (pin) <= 32)
    return g_strdup_printf ("  token label        : %s%s\n", label, pin);
  return g_strdup_printf ("  token label        : %.*s...%s\n", (int)(32 - strlen (pin) - 3), label, pin);
}

/* What OpenSC says the label of the card in reader is: pkcs15-tool's "PKCS#15 Card [LABEL]"; pkcs11-tool -L must
 * show the token label made of it. */
static char *
opensc_label (const char *reader)
{
  const char *dump[] = { "pkcs15-tool", "-r", reader, "--dump", NULL };
  const char *find[] = { "find", "/usr/lib", "/usr/lib64", "-name", "opensc-pkcs11.so", NULL };
  g_autofree char *found = NULL, *module = NULL;
  const char *list[] = { "pkcs11-tool", "--module", NULL, "-L", NULL };
  g_autofree char *out = NULL, *slots = NULL;
  const char *start, *end;
  char *label;

  run (find, &found);
  module = g_strndup (found, strcspn (found, "\n"));
  g_assert_cmpstr (module, !=, "");
  list[2] = module;
  g_assert_cmpint (run (dump, &out), ==, 0);
  start = strstr (out, "PKCS#15 Card [");
  g_assert_nonnull (start);
  start += strlen ("PKCS#15 Card [");
  end = strstr (start, "]:\n");
  g_assert_nonnull (end);
  label = g_strndup (start, (gsize)(end - start));
  g_assert_cmpint (run (list, &slots), ==, 0);
  {
    g_autofree char *expected = pkcs11_tool_label (label);

    if (strstr (slots, expected) == NULL)
      g_error ("pkcs11-tool -L does not show “%s”: [%s]", expected, slots);
  }
  return label;
}

static void
test_labels_on_cards (void)
{
  g_autofree char *dir = g_build_filename (fixture->work_dir, "labels", NULL);
  g_autoptr (ClProfile) profile = NULL;
  g_autoptr (ClStore) store = cl_production_fixture_open_store (fixture, "labels.db");
  g_autoptr (ClProductionSetup) setup = NULL;
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (GPtrArray) images = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (ClBatchRun) batch_run = NULL;
  g_autoptr (ClManifest) manifest = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *reader = first_of (g_getenv ("CARDLINE_READER_NAMES"));
  g_autofree char *conf = NULL;
  Seen seen = { 0 };
  gint64 batch_id;
  guint checked = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* Debian 12's vpcd does not advertise extended length to OpenSC (DESIGN §4) */
  conf = write_in (dir, "opensc.conf",
                   "app default {\n  reader_driver pcsc {\n    max_send_size = 65535;\n    max_recv_size = 65536;\n"
                   "  }\n}\n");
  g_setenv ("OPENSC_CONF", conf, TRUE);
  profile = profile_in (dir, PROFILE, FALSE, "");
  setup = cl_production_fixture_setup_new (fixture, profile, store);
  batch_id = cl_store_batch_open (store, BATCH, PROFILE, cl_profile_get_hash (profile), N_ROWS, "supervisor", &error);
  g_assert_no_error (error);
  import_rows (store, batch_id, profile, dir);

  for (guint i = 0; i < N_ROWS; i++)
    {
      ClVcardImage *image = cl_production_fixture_new_card (fixture);
      g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);

      g_ptr_array_add (images, image);
      cl_fake_feeder_add_card (feeder, transport);
    }
  batch_run = cl_batch_run_new (setup, CL_FEEDER (feeder), "station-l", BATCH, N_ROWS, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (batch_run, "event", G_CALLBACK (on_event), &seen);
  g_signal_connect (batch_run, "finished", G_CALLBACK (on_finished), &seen);
  cl_batch_run_start (batch_run);
  cl_line_wait_until (&seen.finished, WAIT_SECONDS, "the batch to end");
  g_assert_cmpuint (seen.good, ==, N_ROWS);
  manifest = cl_store_manifest (store, BATCH, &error);
  g_assert_no_error (error);
  g_assert_cmpint (manifest->rows.done, ==, N_ROWS);

  /* each card through pcscd and OpenSC: the label of the row the manifest bound it to */
  for (guint i = 0; i < images->len; i++)
    {
      g_autofree char *image_path = g_strdup_printf ("%s/card-%u.vcard", dir, i);
      GBytes *cplc_bytes = cl_vcard_image_get_cplc (images->pdata[i]); /* the image's */
      g_autofree char *chip = NULL, *label = NULL;
      const char *expected = NULL;
      ClCplc cplc;
      GPid pid;

      g_assert_true (cl_vcard_image_save (images->pdata[i], image_path, &error));
      g_assert_no_error (error);
      g_assert_true (cl_cplc_parse (g_bytes_get_data (cplc_bytes, NULL), g_bytes_get_size (cplc_bytes), &cplc, &error));
      g_assert_no_error (error);
      chip = cl_cplc_chip_id (&cplc);
      for (guint r = 0; r < manifest->records->len; r++)
        {
          const ClManifestRecord *m = manifest->records->pdata[r];

          for (guint k = 0; m->kind == CL_MANIFEST_ROW && g_strcmp0 (m->chip_id, chip) == 0 && k < N_ROWS; k++)
            if (g_str_equal (m->row_reference, rows[k][0]))
              expected = *rows[k][2] != '\0' ? rows[k][2] : "SmartCard-HSM";
        }
      g_assert_nonnull (expected);
      pid = insert_card (image_path, reader);
      label = opensc_label (reader);
      pull_card (pid, reader);
      g_assert_cmpstr (label, ==, expected);
      checked++;
    }
  g_assert_cmpuint (checked, ==, N_ROWS);
}

/* ---- a card torn while its label is written ---- */

typedef enum
{
  TEAR_NONE,
  TEAR_BEFORE_VERIFY, /* pulled after INITIALIZE DEVICE, before the PIN is verified for the label */
  TEAR_AFTER_LABEL,   /* the card writes EF.TokenInfo, its answer is lost */
} LabelTear;

typedef struct
{
  LabelTear mode;
  gboolean torn;
  guint label_writes;
} TearState;

static GBytes *
tear_transmit (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error, gpointer user_data)
{
  TearState *t = user_data;
  gsize n;
  const guint8 *c = g_bytes_get_data (command, &n);
  gboolean verify_pin = n > 5 && c[0] == 0x00 && c[1] == 0x20 && c[3] == 0x81;
  gboolean write_label = n > 4 && c[1] == 0xD7 && c[2] == 0x2F && c[3] == 0x03;

  t->label_writes += write_label && !t->torn;
  if (!t->torn && t->mode == TEAR_BEFORE_VERIFY && verify_pin)
    t->torn = TRUE;
  else if (!t->torn && t->mode == TEAR_AFTER_LABEL && write_label)
    {
      g_autoptr (GBytes) G_GNUC_UNUSED lost = cl_transport_transmit (inner, command, cancellable, NULL);
      t->torn = TRUE;
    }
  if (t->torn)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "the card was pulled (injected by the test)");
      return NULL;
    }
  return cl_transport_transmit (inner, command, cancellable, error);
}

static ClCardSequence *
produce (ClProductionSetup *setup, gint64 batch_id, ClVcardImage *image, TearState *state)
{
  ClTransport *transport
    = cl_production_fixture_filter_new (cl_production_fixture_insert (image), tear_transmit, state, NULL);
  ClCardSequence *sequence
    = cl_production_fixture_run (setup, batch_id, "station-t", "in-process", CL_ATTEMPT_PRODUCTION, transport);

  g_object_unref (transport);
  return sequence;
}

/* The card's token label, read over its own interface (SELECT, READ BINARY of EF.TokenInfo). */
static char *
card_label (ClVcardImage *image)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);
  g_autoptr (ClCardChannel) channel = cl_card_channel_new (transport);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) info = NULL;
  char *label;

  g_assert_true (cl_schsm_select (channel, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  info = cl_schsm_read_file (channel, CL_SCHSM_FID_TOKEN_INFO, NULL, &error);
  g_assert_no_error (error);
  label = cl_schsm_token_info_label (info, &error);
  g_assert_no_error (error);
  return label;
}

/* What the store recorded for the INIT_APPLET step of the chip's latest attempt: result and detail. */
static char *
init_step_record (ClStore *store, const char *chip_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *record;

  g_assert_cmpint (sqlite3_open_v2 (cl_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT s.result || ': ' || coalesce(s.detail, '') FROM steps s JOIN attempts a "
                                       "ON a.id = s.attempt_id WHERE a.chip_id = ? AND s.step = 'INIT_APPLET' "
                                       "ORDER BY s.id DESC LIMIT 1",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, chip_id, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  record = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return record;
}

/* One batch of one row labelled "Torn Card" under profile name; its card torn as mode says, then fed again. Returns
 * the second attempt, after checking the first was CARD_REMOVED. */
static ClCardSequence *
torn_then_resumed (const char *dir, const char *name, gboolean fixed_pins, LabelTear mode, ClVcardImage *image,
                   guint *writes_on_resume, char **init_record)
{
  g_autoptr (ClProfile) profile = profile_in (dir, name, fixed_pins, "");
  g_autofree char *db = g_strconcat (name, ".db", NULL);
  g_autoptr (ClStore) store = cl_production_fixture_open_store (fixture, db);
  g_autoptr (ClProductionSetup) setup = cl_production_fixture_setup_new (fixture, profile, store);
  g_autoptr (GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (ClCardSequence) torn = NULL;
  g_autoptr (GError) error = NULL;
  ClRowImport row = { 2, "T-1", "Torn Card", fields, NULL, NULL };
  ClDataFileImport file = { "torn.csv",
                            "1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f",
                            "token-label = label\n",
                            FALSE,
                            0,
                            "supervisor",
                            &row,
                            1 };
  TearState first = { mode, FALSE, 0 }, again = { TEAR_NONE, FALSE, 0 };
  const ClSequenceOutcome *o;
  ClCardSequence *resumed;
  gint64 batch_id;

  g_hash_table_insert (fields, g_strdup ("token-label"), g_strdup ("Torn Card"));
  /* the torn attempt was disposed (CARD_REMOVED): the resumed card takes a second place in the batch */
  batch_id = cl_store_batch_open (store, name, name, cl_profile_get_hash (profile), 2, "supervisor", &error);
  g_assert_no_error (error);
  g_assert_cmpint (cl_store_rows_import (store, batch_id, &file, NULL, &error), >, 0);
  g_assert_no_error (error);
  torn = produce (setup, batch_id, image, &first);
  o = cl_card_sequence_get_outcome (torn);
  g_assert_true (first.torn);
  g_assert_false (o->good);
  g_assert_cmpint (o->reason, ==, CL_REJECT_CARD_REMOVED);
  g_assert_cmpint (o->failed_step, ==, CL_STEP_INIT_APPLET);
  resumed = produce (setup, batch_id, image, &again);
  *writes_on_resume = again.label_writes;
  *init_record = init_step_record (store, cl_card_sequence_get_outcome (resumed)->chip_id);
  return resumed;
}

/* Resumption: a card torn between INITIALIZE DEVICE and its label is given the label on its next insertion where the
 * profile's PIN is fixed; where the PINs are random (sealed to the customer, unknown to the station) it is rejected
 * saying why, not shipped with another label; a card that wrote its label but lost the answer has it verified, not
 * written again. */
static void
test_torn_label (void)
{
  g_autofree char *dir = g_build_filename (fixture->work_dir, "torn", NULL);
  ClVcardImage *fixed_card = cl_production_fixture_new_card (fixture);
  ClVcardImage *random_card = cl_production_fixture_new_card (fixture);
  ClVcardImage *lost_card = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardSequence) fixed = NULL, random = NULL, lost = NULL;
  g_autofree char *fixed_label = NULL, *lost_label = NULL, *record = NULL;
  const ClSequenceOutcome *o;
  guint writes = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  fixed = torn_then_resumed (dir, "torn-fixed", TRUE, TEAR_BEFORE_VERIFY, fixed_card, &writes, &record);
  cl_production_fixture_assert_good (fixed);
  g_assert_cmpuint (writes, ==, 1);
  /* the step's record says what the resumption found and did */
  g_assert_cmpstr (record, ==, "OK: device already initialised, its PINs exported; its token label written again");
  g_clear_pointer (&record, g_free);
  fixed_label = card_label (fixed_card);
  g_assert_cmpstr (fixed_label, ==, "Torn Card");

  random = torn_then_resumed (dir, "torn-random", FALSE, TEAR_BEFORE_VERIFY, random_card, &writes, &record);
  g_assert_true (g_str_has_prefix (record, "FAILED: "));
  g_clear_pointer (&record, g_free);
  o = cl_card_sequence_get_outcome (random);
  g_assert_false (o->good);
  g_assert_cmpint (o->reason, ==, CL_REJECT_INIT_FAILED);
  g_assert_cmpint (o->failed_step, ==, CL_STEP_INIT_APPLET);
  g_assert_cmpstr (o->detail, ==,
                   "token label: the card was initialised on an earlier attempt but holds “SmartCard-HSM”, not its "
                   "row's label; its PIN is sealed to the customer, so the station cannot write it");
  g_assert_cmpuint (writes, ==, 0);

  lost = torn_then_resumed (dir, "torn-lost", FALSE, TEAR_AFTER_LABEL, lost_card, &writes, &record);
  cl_production_fixture_assert_good (lost);
  g_assert_cmpuint (writes, ==, 0);
  g_assert_cmpstr (record, ==,
                   "SKIPPED: device key made on an earlier attempt; its request read again; device already "
                   "initialised, its PINs exported; its token label already the row's");
  g_clear_pointer (&record, g_free);
  lost_label = card_label (lost_card);
  g_assert_cmpstr (lost_label, ==, "Torn Card");
  g_object_unref (fixed_card);
  g_object_unref (random_card);
  g_object_unref (lost_card);
}

/* [data] max-attempts on the line: a row whose cards fail key generation goes FAILED at its second rejected card,
 * with the reason and the count, and the batch stops taking cards (nothing left pending) instead of feeding the row
 * every blank card it has. */
static void
test_max_attempts (void)
{
  g_autofree char *dir = g_build_filename (fixture->work_dir, "attempts", NULL);
  g_autoptr (ClProfile) profile = NULL;
  g_autoptr (ClStore) store = cl_production_fixture_open_store (fixture, "attempts.db");
  g_autoptr (ClProductionSetup) setup = NULL;
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (GPtrArray) images = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (ClBatchRun) batch_run = NULL;
  g_autoptr (ClManifest) manifest = NULL;
  g_autoptr (GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GError) error = NULL;
  ClRowImport row = { 2, "M-1", "Many Tries", fields, NULL, NULL };
  ClDataFileImport file = { "tries.csv",
                            "2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e",
                            "token-label = label\n",
                            FALSE,
                            0,
                            "supervisor",
                            &row,
                            1 };
  ClRowCounts counts;
  Seen seen = { 0 };
  gint64 batch_id;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  profile = profile_in (dir, "attempts", FALSE, "max-attempts=2\n");
  g_assert_cmpuint (cl_profile_get_data_max_attempts (profile), ==, 2);
  setup = cl_production_fixture_setup_new (fixture, profile, store);
  batch_id
    = cl_store_batch_open (store, "B-attempts", "attempts", cl_profile_get_hash (profile), 4, "supervisor", &error);
  g_assert_no_error (error);
  g_hash_table_insert (fields, g_strdup ("token-label"), g_strdup ("Many Tries"));
  g_assert_cmpint (cl_store_rows_import (store, batch_id, &file, NULL, &error), >, 0);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      ClVcardImage *image = cl_production_fixture_new_card (fixture);
      g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);

      g_assert_true (cl_vcard_image_set_defect (image, "keygen_fail", "true", NULL));
      g_ptr_array_add (images, image);
      cl_fake_feeder_add_card (feeder, transport);
    }
  batch_run = cl_batch_run_new (setup, CL_FEEDER (feeder), "station-m", "B-attempts", 4, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (batch_run, "event", G_CALLBACK (on_event), &seen);
  g_signal_connect (batch_run, "finished", G_CALLBACK (on_finished), &seen);
  cl_batch_run_start (batch_run);
  cl_line_wait_until (&seen.finished, WAIT_SECONDS, "the batch to end");
  g_assert_cmpuint (seen.good, ==, 0);
  g_assert_cmpuint (cl_fake_feeder_get_feeds (feeder), ==, 2);
  g_assert_true (cl_store_rows_count (store, batch_id, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counts.failed, ==, 1);
  g_assert_cmpint (counts.pending + counts.in_production + counts.done, ==, 0);
  manifest = cl_store_manifest (store, "B-attempts", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < manifest->records->len; i++)
    {
      const ClManifestRecord *m = manifest->records->pdata[i];

      if (m->kind == CL_MANIFEST_ROW)
        g_assert_cmpstr (m->reason, ==, "KEYGEN_FAILED at INIT_APPLET (its cards rejected 2 times: max-attempts 2)");
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  vcard_exe = argv[1];
  fixture = cl_production_fixture_new ("cardline-batch-labels-XXXXXX", TRUE);
  g_test_add_func ("/line/token-labels-opensc", test_labels_on_cards);
  g_test_add_func ("/line/token-label-torn", test_torn_label);
  g_test_add_func ("/line/max-attempts", test_max_attempts);
  status = g_test_run ();
  cl_production_fixture_free (fixture);
  return status;
}
