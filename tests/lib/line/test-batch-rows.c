/* test-batch-rows: a batch with per-card data (issue 17) on the line, in process (rig-run --parts hsm,cups): 20 data
 * rows imported through the store, 22 virtual cards fed (two with a key-generation defect, one torn after its
 * certificate was written), faces printed on the rig's ippeveprinter. The torn card keeps its row, QA resumes it
 * and reprints its face. Then every row is bound to exactly one chip in the manifest, which agrees with the yield
 * summary; each good card's face (pdftotext of what ippeveprinter received) shows its row's name; and each chip
 * carries its row's values, read back from the card: the device certificate's CHR (its holder mnemonic) over the
 * card's own interface, and the STORE DATA the card received. Every wait is bounded and keyed on its event. */
#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "apdu/cl-card-channel.h"
#include "cl-fake-feeder.h"
#include "cl-line-wait.h"
#include "cl-production-fixture.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "cups/cl-cups-face-printer.h"
#include "cvc/cl-cvc.h"
#include "line/cl-batch-run.h"
#include "line/cl-card-job.h"
#include "line/cl-face-reprint.h"
#include "schsm/cl-schsm-card.h"
#include "store/cl-store-manifest.h"
#include "store/cl-store-rows.h"

#define WAIT_SECONDS 180
#define ROWS         20
#define BATCH        "B-rows"

#define FACE                                                                                                           \
  "[Face]\n"                                                                                                           \
  "[Text name]\nField=face.name\nX=30\nY=20\nSize=4\n"                                                                 \
  "[Text serial]\nField=serial\nPrefix=S/N\nX=6\nY=44\nSize=3\n"                                                       \
  "[Photo holder]\nX=4\nY=4\nWidth=20\nHeight=25\n"

static ClProductionFixture *fixture;

typedef struct
{
  GPtrArray *events;
  gboolean finished;
} Seen;

static void
on_event (ClBatchRun *run, ClLineEvent *event, Seen *seen)
{
  g_ptr_array_add (seen->events, g_object_ref (event));
  if (cl_line_event_has_line (event))
    g_test_message ("%s", cl_line_event_get_line (event));
}

static void
on_finished (ClBatchRun *run, Seen *seen)
{
  seen->finished = TRUE;
}

static guint
count_kind (Seen *seen, ClLineEventKind kind)
{
  guint n = 0;

  for (guint i = 0; i < seen->events->len; i++)
    n += cl_line_event_get_kind (seen->events->pdata[i]) == kind;
  return n;
}

static cairo_status_t
append_png (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static GBytes *
photo_png (void)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 6, 8);
  cairo_t *cr = cairo_create (surface);
  GByteArray *out = g_byte_array_new ();

  cairo_set_source_rgb (cr, 0.2, 0.4, 0.8);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_write_to_png_stream (surface, append_png, out);
  cairo_surface_destroy (surface);
  return g_byte_array_free_to_bytes (out);
}

/* Rows EMP-01 .. EMP-20: name "Person NN" on the face, holder EMPNN in the CHR, the name again as STORE DATA 5F20. */
static void
import_rows (ClStore *store, gint64 batch_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) photo = photo_png ();
  g_autoptr (GPtrArray) tables = g_ptr_array_new_with_free_func ((GDestroyNotify)g_hash_table_unref);
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  ClRowImport rows[ROWS] = { { 0 } };
  ClDataFileImport file = { "people.csv",
                            "0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0fa0",
                            "face.name = name\nchr.holder = employee\nstore-data.5f20 = name\n",
                            FALSE,
                            0,
                            "supervisor",
                            rows,
                            ROWS };

  for (guint i = 0; i < ROWS; i++)
    {
      GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      char *name = g_strdup_printf ("Person %02u", i + 1);

      g_hash_table_insert (fields, g_strdup ("face.name"), g_strdup (name));
      g_hash_table_insert (fields, g_strdup ("chr.holder"), g_strdup_printf ("EMP%02u", i + 1));
      g_hash_table_insert (fields, g_strdup ("store-data.5f20"), g_strdup (name));
      g_ptr_array_add (tables, fields);
      g_ptr_array_add (strings, name);
      g_ptr_array_add (strings, g_strdup_printf ("EMP-%02u", i + 1));
      rows[i] = (ClRowImport){ i + 2, strings->pdata[strings->len - 1], name, fields, photo, "image/png" };
    }
  g_assert_cmpint (cl_store_rows_import (store, batch_id, &file, NULL, &error), >, 0);
  g_assert_no_error (error);
}

typedef struct
{
  gboolean wrote; /* CERTIFY's UPDATE BINARY of EF.C_DevAut went through */
  gboolean torn;
} Tear;

/* The card is pulled right after its certificate was written: CERTIFY's read-back finds no card. */
static GBytes *
tear_after_certificate (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error,
                        gpointer user_data)
{
  Tear *tear = user_data;
  const guint8 *c = g_bytes_get_data (command, NULL);

  if (tear->torn || (tear->wrote && c[1] != 0xD7))
    {
      tear->torn = TRUE;
      g_set_error_literal (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "the card was pulled (injected by the test)");
      return NULL;
    }
  if (c[1] == 0xD7)
    tear->wrote = TRUE;
  return cl_transport_transmit (inner, command, cancellable, error);
}

/* The device certificate's CHR, read from the card over its own interface (SELECT, READ BINARY of EF.C_DevAut). */
static char *
card_chr (ClVcardImage *image)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);
  g_autoptr (ClCardChannel) channel = cl_card_channel_new (transport);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) file = NULL;
  g_autoptr (ClCvc) cvc = NULL;
  gsize consumed = 0;

  g_assert_true (cl_schsm_select (channel, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  file = cl_schsm_read_file (channel, 0x2F02, NULL, &error);
  g_assert_no_error (error);
  cvc = cl_cvc_new_from_data (g_bytes_get_data (file, NULL), g_bytes_get_size (file), &consumed, &error);
  g_assert_no_error (error);
  return g_strdup (cl_cvc_get_chr (cvc));
}

/* Whether the card received STORE DATA block (hex) in its life. */
static gboolean
card_has_store_data (ClVcardImage *image, const char *hex)
{
  gsize len;
  g_autofree char *data = cl_vcard_image_to_data (image, &len);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_auto (GStrv) blocks = NULL;

  g_assert_true (g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, NULL));
  blocks = g_key_file_get_string_list (kf, "card", "store_data", NULL, NULL);
  return blocks != NULL && g_strv_contains ((const char *const *)blocks, hex);
}

static guint
printed_count (void)
{
  g_autoptr (GDir) dir = g_dir_open (g_getenv ("CARDLINE_PRINTED_DIR"), 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    n += !g_str_has_suffix (name, ".part");
  return n;
}

/* The text of every face document ippeveprinter received. */
static GPtrArray *
printed_faces (void)
{
  const char *dir_name = g_getenv ("CARDLINE_PRINTED_DIR");
  g_autoptr (GDir) dir = g_dir_open (dir_name, 0, NULL);
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_name, name, NULL);
      const char *argv[] = { "pdftotext", path, "-", NULL };
      g_autoptr (GError) error = NULL;
      char *out = NULL;
      int status = 0;

      if (g_str_has_suffix (name, ".part"))
        continue;
      g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                                   NULL, &out, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_ptr_array_add (texts, out);
    }
  return texts;
}

static const ClManifestRecord *
row_record (const ClManifest *m, const char *reference)
{
  for (guint i = 0; i < m->records->len; i++)
    {
      const ClManifestRecord *r = m->records->pdata[i];

      if (r->kind == CL_MANIFEST_ROW && g_strcmp0 (r->row_reference, reference) == 0)
        return r;
    }
  return NULL;
}

/* QA resumes the torn card on its bench (no batch): it goes on with its row and ends good; recovered; its face
 * printed again from its records. */
static char *
qa_resume (ClProductionSetup *setup, ClStore *store, ClVcardImage *torn, ClFacePrinter *face)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (torn);
  g_autoptr (ClFeederCard) card = cl_feeder_card_new ("qa-bench");
  g_autoptr (ClCardJob) job = cl_card_job_new (setup, NULL, card, 0, NULL, "qa-station");
  g_autoptr (GError) error = NULL;
  const ClSequenceOutcome *outcome;

  cl_card_job_set_attempt_kind (job, CL_ATTEMPT_QA_RETEST);
  g_assert_true (cl_card_job_run_on (job, transport, NULL, &error));
  g_assert_no_error (error);
  outcome = cl_card_job_get_outcome (job);
  g_assert_true (outcome->good);
  g_assert_nonnull (outcome->row);
  g_assert_cmpint (
    cl_store_qa_record (store, outcome->chip_id, CL_QA_RECOVER, outcome->attempt_id, "qa", "resumed", &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (cl_face_reprint (store, face, outcome->chip_id, "smartcard-hsm", "qa", NULL, &error));
  g_assert_no_error (error);
  return g_strdup (outcome->chip_id);
}

static int
run_admin (const char *admin, const char *const *args, char **out)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_strv_builder_add (builder, admin);
  g_strv_builder_addv (builder, (const char **)args);
  argv = g_strv_builder_end (builder);
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, NULL, &status, &error));
  g_assert_no_error (error);
  return status;
}

/* cardline-admin batch manifest: signed in as the store's administrator, the CSV has the header and one line per
 * record; a wrong password gets nothing. */
static guint
faces_showing (GPtrArray *faces, const char *serial, const char *name)
{
  guint n = 0;

  for (guint k = 0; k < faces->len; k++)
    if (strstr (faces->pdata[k], serial) != NULL)
      {
        g_assert_nonnull (strstr (faces->pdata[k], name));
        n++;
      }
  return n;
}

/* QA reprints EMP-01's face with cardline-admin card reprint: one more document, with its serial and name. */
static void
check_admin_reprint (const char *admin, const char *path, const char *password, const char *template,
                     const ClManifest *manifest)
{
  const ClManifestRecord *r = row_record (manifest, "EMP-01");
  const char *add[]
    = { "user",   "add",    "quinn", "--role",          "qa",     "--store", path, "--new-password-file",
        password, "--user", "ada",   "--password-file", password, NULL };
  const char *reprint[] = { "card",       "reprint",       "--chip",          r->chip_id,
                            "--template", template,        "--face-printer",  g_getenv ("CARDLINE_IPP_URI"),
                            "--label",    "smartcard-hsm", "--store",         path,
                            "--user",     "quinn",         "--password-file", password,
                            NULL };
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  g_autoptr (GPtrArray) faces = NULL;

  g_assert_cmpint (run_admin (admin, add, NULL), ==, 0);
  g_assert_cmpint (run_admin (admin, reprint, NULL), ==, 0);
  /* ippeveprinter files a job once it has it whole: wait for the document, bounded */
  while (printed_count () <= ROWS && g_get_monotonic_time () < deadline)
    g_usleep (50 * 1000);
  faces = printed_faces ();
  g_assert_cmpuint (faces->len, ==, ROWS + 1);
  g_assert_cmpuint (faces_showing (faces, r->printed_serial, "Person 01"), ==, 2);
}

static void
check_admin_manifest (ClStore *store, const ClManifest *manifest, const char *template)
{
  g_autofree char *admin = g_build_filename (g_getenv ("CARDLINE_BUILD_DIR"), "app", "cardline-admin", NULL);
  g_autofree char *dir = g_dir_make_tmp ("cardline-manifest-XXXXXX", NULL);
  g_autofree char *password = g_build_filename (dir, "password", NULL);
  g_autofree char *wrong = g_build_filename (dir, "wrong", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "manifest.csv", NULL);
  g_autofree char *csv = NULL, *json = NULL, *refused = NULL, *expected = cl_manifest_to_csv (manifest);
  const char *path = cl_store_get_path (store);
  const char *add[]
    = { "user", "add", "ada", "--role", "admin", "--store", path, "--new-password-file", password, NULL };
  const char *as_csv[] = { "batch",   "manifest", "--batch", BATCH, "--format",        "csv",    "--out", csv_path,
                           "--store", path,       "--user",  "ada", "--password-file", password, NULL };
  const char *as_json[] = { "batch",  "manifest", "--batch",         BATCH,    "--format", "json", "--store", path,
                            "--user", "ada",      "--password-file", password, NULL };
  const char *denied[] = { "batch",  "manifest", "--batch",         BATCH, "--format", "json", "--store", path,
                           "--user", "ada",      "--password-file", wrong, NULL };

  g_assert_true (g_file_set_contents_full (password, "manifest password\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  g_assert_true (g_file_set_contents_full (wrong, "not the password\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  g_assert_cmpint (run_admin (admin, add, NULL), ==, 0);
  g_assert_cmpint (run_admin (admin, as_csv, NULL), ==, 0);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_cmpstr (csv, ==, expected);
  g_assert_cmpint (run_admin (admin, as_json, &json), ==, 0);
  g_assert_true (g_str_has_prefix (json, "{\"batch\":\"" BATCH "\""));
  g_assert_nonnull (strstr (json, "\"rows\":{\"pending\":0,\"in_production\":0,\"done\":20,\"failed\":0}"));
  g_assert_cmpint (run_admin (admin, denied, &refused), !=, 0);
  g_assert_cmpstr (refused, ==, "");
  check_admin_reprint (admin, path, password, template, manifest);
  g_unlink (password);
  g_unlink (wrong);
  g_unlink (csv_path);
  g_rmdir (dir);
}

static void
test_rows_exactly_once (void)
{
  g_autoptr (ClStore) store = cl_production_fixture_open_store (fixture, "rows.db");
  g_autoptr (ClProductionSetup) setup = cl_production_fixture_setup_for (fixture, "smartcard-hsm.profile", store);
  ClProfile *profile = cl_production_setup_get_profile (setup);
  g_autoptr (ClFakeFeeder) feeder = cl_fake_feeder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) images = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *template = NULL;
  g_autoptr (ClCupsFacePrinter) face = NULL;
  g_autoptr (ClBatchRun) run = NULL;
  g_autoptr (ClManifest) manifest = NULL;
  g_autoptr (ClYieldSummary) summary = NULL;
  g_autoptr (GPtrArray) faces = NULL;
  g_autoptr (GHashTable) chips = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *recovered = NULL;
  ClVcardImage *torn_image = NULL;
  Tear tear = { 0 };
  Seen seen = { g_ptr_array_new_with_free_func (g_object_unref), FALSE };
  gint64 batch_id;
  int fd;

  fd = g_file_open_tmp ("cardline-rows-XXXXXX.face", &template, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (template, FACE, -1, &error));
  face = cl_cups_face_printer_new (template, g_getenv ("CARDLINE_IPP_URI"), &error);
  g_assert_no_error (error);

  batch_id = cl_store_batch_open (store, BATCH, cl_profile_get_name (profile), cl_profile_get_hash (profile), 40,
                                  "supervisor", &error);
  g_assert_no_error (error);
  import_rows (store, batch_id);

  /* 22 cards: a key-generation defect first and ninth, the fifth torn after its certificate was written */
  for (guint i = 0; i < ROWS + 2; i++)
    {
      ClVcardImage *image = cl_production_fixture_new_card (fixture);
      g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);

      g_ptr_array_add (images, image);
      if (i == 0 || i == 8)
        g_assert_true (cl_vcard_image_set_defect (image, "keygen_fail", "true", NULL));
      if (i == 4)
        {
          torn_image = image;
          cl_fake_feeder_add_card (feeder, cl_production_fixture_filter_new (g_steal_pointer (&transport),
                                                                             tear_after_certificate, &tear, NULL));
        }
      else
        cl_fake_feeder_add_card (feeder, transport);
    }

  run = cl_batch_run_new (setup, CL_FEEDER (feeder), "station-r", BATCH, 40, NULL, &error);
  g_assert_no_error (error);
  cl_batch_run_set_face_printer (run, CL_FACE_PRINTER (face));
  g_signal_connect (run, "event", G_CALLBACK (on_event), &seen);
  g_signal_connect (run, "finished", G_CALLBACK (on_finished), &seen);
  cl_batch_run_start (run);
  cl_line_wait_until (&seen.finished, WAIT_SECONDS, "the batch to end");
  g_assert_true (tear.torn);
  /* no row left pending: the batch stopped taking cards by itself, with the torn card's row still on its chip */
  g_assert_cmpuint (count_kind (&seen, CL_LINE_EVENT_GOOD), ==, ROWS - 1);
  g_assert_cmpuint (count_kind (&seen, CL_LINE_EVENT_REJECTED), ==, 3);
  g_assert_cmpuint (cl_fake_feeder_get_feeds (feeder), ==, ROWS + 2);
  for (guint i = 0; i < seen.events->len; i++)
    {
      const ClLineEventFields *f = cl_line_event_get_fields (seen.events->pdata[i]);

      /* the Line panel shows the row: every good card's event names its row */
      if (cl_line_event_get_kind (seen.events->pdata[i]) == CL_LINE_EVENT_GOOD)
        g_assert_true (g_str_has_prefix (f->row_display, "Person "));
    }
  {
    ClRowCounts counts;

    g_assert_true (cl_store_rows_count (store, batch_id, &counts, &error));
    g_assert_cmpint (counts.done, ==, ROWS - 1);
    g_assert_cmpint (counts.in_production, ==, 1);
    g_assert_cmpint (counts.pending, ==, 0);
  }

  recovered = qa_resume (setup, store, torn_image, CL_FACE_PRINTER (face));

  manifest = cl_store_manifest (store, BATCH, &error);
  g_assert_no_error (error);
  summary = cl_store_yield_summary (store, batch_id, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (manifest->rows.done, ==, ROWS);
  g_assert_cmpint (manifest->rows.pending + manifest->rows.in_production + manifest->rows.failed, ==, 0);
  g_assert_cmpuint (manifest->good, ==, ROWS - 1);
  g_assert_cmpuint (manifest->recovered, ==, 1);
  g_assert_cmpuint (manifest->good + manifest->recovered, ==, summary->good + summary->recovered);
  g_assert_cmpuint (manifest->rejected, ==, summary->rejected);
  g_assert_cmpuint (manifest->rejected, ==, 3);
  g_assert_cmpuint (manifest->records->len, ==, ROWS + 3);

  /* every row on exactly one chip, each card read back: its CHR carries its row's holder, its STORE DATA its
   * row's name, and the manifest says the same chip and CHR */
  faces = printed_faces ();
  g_assert_cmpuint (faces->len, ==, ROWS);
  for (guint i = 0; i < images->len; i++)
    {
      ClVcardImage *image = images->pdata[i];
      g_autofree char *chr = NULL, *reference = NULL, *name = NULL, *tlv = NULL, *hex = NULL;
      const ClManifestRecord *r;
      guint n;

      if (i == 0 || i == 8)
        continue;
      chr = card_chr (image);
      g_assert_true (g_str_has_prefix (chr, "DEEMP") && g_str_has_suffix (chr, "00001") && strlen (chr) == 12);
      n = (guint)((chr[5] - '0') * 10 + (chr[6] - '0'));
      reference = g_strdup_printf ("EMP-%02u", n);
      name = g_strdup_printf ("Person %02u", n);
      r = row_record (manifest, reference);
      g_assert_nonnull (r);
      g_assert_cmpstr (r->device_chr, ==, chr);
      g_assert_cmpstr (r->disposition, ==, image == torn_image ? "RECOVERED" : "GOOD");
      g_assert_nonnull (r->certificate_sha256);
      g_assert_true (g_hash_table_add (chips, r->chip_id));
      if (image == torn_image)
        g_assert_cmpstr (r->chip_id, ==, recovered);
      hex = cl_hex_encode ((const guint8 *)name, strlen (name));
      tlv = g_strdup_printf ("5F20%02X%s", (guint)strlen (name), hex);
      g_assert_true (card_has_store_data (image, tlv));
      g_assert_cmpuint (faces_showing (faces, r->printed_serial, name), ==, 1);
    }
  g_assert_cmpuint (g_hash_table_size (chips), ==, ROWS);
  check_admin_manifest (store, manifest, template);
  g_unlink (template);
  g_ptr_array_unref (seen.events);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  fixture = cl_production_fixture_new ("cardline-batch-rows-XXXXXX", TRUE);
  g_test_add_func ("/line/rows-exactly-once", test_rows_exactly_once);
  status = g_test_run ();
  cl_production_fixture_free (fixture);
  return status;
}
