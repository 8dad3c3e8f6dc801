/* test-key-custody: key changeover, DKEK import and PIN escrow in the production sequence, in-process against
 * cardline-vcard's dispatcher with the keys in SoftHSM2 (run under tests/rig/rig-run --parts hsm).
 *   - a card keyed under KMC 01 is re-keyed to KMC 02 when a profile with KMC 02 current and 01 accepted meets it
 *     (re-fed on another line, and QA re-test of a rejected card), and audited; an unaccepted version is refused;
 *   - the profile's DKEK share is imported during INIT_APPLET and the card's KCV checked (a wrong KCV rejects);
 *   - the random SO-PIN and PIN, sealed to the customer's RSA or EC key, are exported and opened with the openssl
 *     command line, and they work on the card (VERIFY, RESET RETRY COUNTER);
 *   - no key, share, password or PIN in the store file or its WAL. */
#include <string.h>

#include "cl-production-fixture.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-plain-key-set.h"
#include "gp/cl-gp-card.h"
#include "p11/cl-p11-key-store.h"
#include "production/cl-card-sequence.h"
#include "production/cl-demo-pki.h"
#include "production/cl-pin-export.h"
#include "schsm/cl-schsm-card.h"
#include "scp/cl-scp03.h"

#include <sqlite3.h>

/* test-only master key values of KMC version 02 */
#define KMC2_ENC "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF"
#define KMC2_MAC "B0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"
#define KMC2_DEK "9091929394959697989990919293949F"
/* dkek.txt [single_share] */
#define SHARE_FILE                                                                                                     \
  "53616C7465645F5F01020304050607082585D4F5F834ED0D917B9811186CBFB588380A503C9F2839F4B48EBADF59E8A9412FC1F3F65BCBFE0B" \
  "66B041DF8EC330"
#define SHARE_VALUE    "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
#define SHARE_PASSWORD "password"
#define SHARE_KCV      "630DCD2966C43366"

static ClProductionFixture *fixture;
/* secrets seen during the run, looked for in the stores at the end */
static GPtrArray *secrets;
static GPtrArray *store_paths;

/* ---- a transport that changes the KCV answered to IMPORT DKEK SHARE ---- */

static GBytes *
kcv_flip_transmit (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error, gpointer user_data)
{
  const guint8 *c = g_bytes_get_data (command, NULL);
  g_autoptr (GBytes) response = cl_transport_transmit (inner, command, cancellable, error);
  gsize len;
  guint8 *r;

  if (response == NULL)
    return NULL;
  r = g_bytes_unref_to_data (g_steal_pointer (&response), &len);
  if (c[0] == 0x80 && c[1] == 0x52 && len == 12)
    r[9] ^= 0x01; /* total outstanding KCV(8) SW: last KCV byte */
  return g_bytes_new_take (r, len);
}

/* ---- helpers ---- */

static char *
write_file (const char *name, const void *data, gssize len, int mode)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (fixture->work_dir, name, NULL);

  g_assert_true (g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, mode, &error));
  g_assert_no_error (error);
  return path;
}

/* The reference profile with some keys replaced (NULL value: removed); written to the work directory as name. */
static ClProfile *
profile_with (const char *name, const char *const *changes)
{
  g_autofree char *reference
    = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "profiles", "smartcard-hsm.profile", NULL);
  g_autofree char *data_dir = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", NULL);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL, *path = NULL;
  ClProfile *profile;

  g_assert_true (g_key_file_load_from_file (kf, reference, G_KEY_FILE_KEEP_COMMENTS, &error));
  for (guint i = 0; changes[i] != NULL; i += 3)
    if (changes[i + 2] == NULL)
      g_key_file_remove_key (kf, changes[i], changes[i + 1], NULL);
    else
      g_key_file_set_string (kf, changes[i], changes[i + 1], changes[i + 2]);
  g_key_file_set_string (kf, "profile", "name", name);
  text = g_key_file_to_data (kf, NULL, NULL);
  path = write_file (name, text, -1, 0644);
  profile = cl_profile_new_for_station (path, data_dir, fixture->pki_dir, &error);
  g_assert_no_error (error);
  return profile;
}

static ClStore *
new_store (const char *name)
{
  ClStore *store = cl_production_fixture_open_store (fixture, name);

  g_ptr_array_add (store_paths, g_strdup (cl_store_get_path (store)));
  return store;
}

static ClCardSequence *
produce_over (ClProductionSetup *setup, gint64 batch, ClAttemptKind kind, ClTransport *transport)
{
  return cl_production_fixture_run (setup, batch, "test", "in-process", kind, transport);
}

static ClCardSequence *
produce (ClProductionSetup *setup, gint64 batch, ClAttemptKind kind, ClVcardImage *image)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);

  return produce_over (setup, batch, kind, transport);
}

static void
assert_good (ClCardSequence *sequence)
{
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  if (!o->good)
    g_error ("expected GOOD, got %s at %s (SW %04X): %s", cl_reject_reason_to_string (o->reason),
             cl_production_step_to_string (o->failed_step), o->last_sw, o->detail);
}

static const ClSequenceOutcome *
assert_rejected (ClCardSequence *sequence, ClRejectReason reason, ClProductionStep step)
{
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  if (o->good || o->reason != reason || o->failed_step != step)
    g_error ("expected REJECT %s at %s, got %s %s at %s: %s", cl_reject_reason_to_string (reason),
             cl_production_step_to_string (step), o->good ? "GOOD" : "REJECT", cl_reject_reason_to_string (o->reason),
             cl_production_step_to_string (o->failed_step), o->detail ? o->detail : "");
  g_test_message ("rejected as expected: %s at %s: %s", cl_reject_reason_to_string (o->reason),
                  cl_production_step_to_string (o->failed_step), o->detail);
  return o;
}

/* Card keys diversified on the host from plain master values (the reference, independent of the token). */
static ClKeySet *
host_card_keys (const char *enc, const char *mac, const char *dek, ClVcardImage *image, guint8 kvn)
{
  g_autoptr (GBytes) e = cl_hex_decode (enc, NULL), m = cl_hex_decode (mac, NULL), d = cl_hex_decode (dek, NULL);
  g_autoptr (ClKeySet) kmc = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x01, g_bytes_get_data (e, NULL),
                                                   g_bytes_get_data (m, NULL), g_bytes_get_data (d, NULL), 16, NULL);

  return cl_key_set_diversify (kmc, CL_DIVERSIFY_KDF3, g_bytes_get_data (cl_vcard_image_get_kdd (image), NULL), kvn,
                               NULL);
}

static ClKeySet *
kmc1_card_keys (ClVcardImage *image)
{
  return host_card_keys ("C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF", "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF",
                         "E0E1E2E3E4E5E6E7E8E9EAEBECEDEEEF", image, 0x01);
}

static gboolean
authenticates (ClVcardImage *image, ClKeySet *keys, guint8 kvn)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);
  g_autoptr (ClCardChannel) channel = cl_card_channel_new (transport);
  g_autoptr (ClScp03) scp = NULL;
  ClGpFci fci;

  g_assert_true (cl_gp_select_isd (channel, &fci, NULL, NULL));
  scp = cl_scp03_open (channel, keys, kvn, 0x03, NULL, NULL, NULL);
  return scp != NULL;
}

/* The audit records of action for subject, joined by newlines ("" if none); the chain must verify. */
static char *
audit_details (ClStore *store, const char *action, const char *subject)
{
  g_autoptr (GError) error = NULL;
  GString *out = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_true (cl_store_verify_audit_chain (store, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open_v2 (cl_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (
    sqlite3_prepare_v2 (db, "SELECT detail FROM audit WHERE action = ? AND subject = ? ORDER BY seq", -1, &stmt, NULL),
    ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, action, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, subject, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s\n", (const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static char *
run_sh (const char *command)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;
  const char *argv[] = { "sh", "-c", command, NULL };

  g_assert_true (g_spawn_sync (fixture->work_dir, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("`%s` failed: %s", command, err);
  return out;
}

/* ---- key changeover ---- */

static ClProfile *profile_v1, *profile_v2, *profile_v2_strict;

static void
check_v2_keys (ClVcardImage *image)
{
  g_autoptr (ClKeySet) v1 = kmc1_card_keys (image);
  g_autoptr (ClKeySet) v2 = host_card_keys (KMC2_ENC, KMC2_MAC, KMC2_DEK, image, 0x02);

  g_assert_true (authenticates (image, v2, 0x02));
  g_assert_false (authenticates (image, v1, 0x01));
}

static void
check_changeover_audit (ClStore *store, const char *chip_id)
{
  g_autofree char *details = audit_details (store, "key-changeover", chip_id);

  g_test_message ("key-changeover %s: %s", chip_id, details);
  g_assert_nonnull (strstr (details, "card keys of KMC 01 (key version 01) replaced by keys of KMC 02 (key version "
                                     "02), KCV enc "));
}

/* A card whose keys were rotated under KMC 01 and that was then rejected (device key generation failed): what a
 * line meets again when the card is re-fed or re-tested by QA. */
static ClVcardImage *
keyed_under_v1 (ClStore *store)
{
  g_autoptr (ClProductionSetup) setup1 = cl_production_fixture_setup_new (fixture, profile_v1, store);
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardSequence) first = NULL;
  g_autoptr (ClKeySet) v1 = kmc1_card_keys (image);

  g_assert_true (cl_vcard_image_set_defect (image, "keygen_fail", "true", NULL));
  first = produce (setup1, 0, CL_ATTEMPT_PRODUCTION, image);
  assert_rejected (first, CL_REJECT_KEYGEN_FAILED, CL_STEP_INIT_APPLET);
  g_assert_true (cl_vcard_image_set_defect (image, "keygen_fail", "false", NULL));
  g_assert_true (authenticates (image, v1, 0x01));
  return g_steal_pointer (&image);
}

static void
check_changeover (ClAttemptKind kind, const char *db)
{
  g_autoptr (ClStore) store = new_store (db);
  g_autoptr (ClVcardImage) image = keyed_under_v1 (store);
  g_autoptr (ClProductionSetup) setup2 = cl_production_fixture_setup_new (fixture, profile_v2, store);
  g_autoptr (ClCardSequence) again = produce (setup2, 0, kind, image);

  assert_good (again);
  check_v2_keys (image);
  check_changeover_audit (store, cl_card_sequence_get_outcome (again)->chip_id);
}

static void
test_changeover_refeed (void)
{
  check_changeover (CL_ATTEMPT_PRODUCTION, "changeover-refeed.db");
}

static void
test_changeover_qa_retest (void)
{
  check_changeover (CL_ATTEMPT_QA_RETEST, "changeover-qa.db");
}

static void
test_changeover_unaccepted (void)
{
  g_autoptr (ClStore) store = new_store ("changeover-unaccepted.db");
  g_autoptr (ClVcardImage) image = keyed_under_v1 (store);
  g_autoptr (ClProductionSetup) strict = cl_production_fixture_setup_new (fixture, profile_v2_strict, store);
  g_autoptr (ClCardSequence) again = produce (strict, 0, CL_ATTEMPT_PRODUCTION, image);
  g_autoptr (ClKeySet) v1 = kmc1_card_keys (image);
  const ClSequenceOutcome *o;

  o = assert_rejected (again, CL_REJECT_AUTH_KST_FAILED, CL_STEP_OPEN_KST);
  g_assert_nonnull (strstr (o->detail, "key version(s) 01"));
  g_assert_nonnull (strstr (o->detail, "accepts no older KMC version"));
  /* untouched */
  g_assert_true (authenticates (image, v1, 0x01));
}

/* ---- DKEK and PIN escrow ---- */

static char *share_path, *password_path;

static ClProfile *
profile_custody (const char *name, const char *export_key)
{
  /* clang-format off */
  const char *changes[] = {
    "initialize", "ship", "initialised",
    "initialize", "pin-source", "random",
    "initialize", "pin-length", "6",
    "initialize", "so-pin-source", "random",
    "initialize", "dkek-shares", "1",
    "initialize", "dkek-share-files", share_path,
    "initialize", "dkek-password-files", password_path,
    "initialize", "pin-export-key", export_key,
    NULL,
  };
  /* clang-format on */
  return profile_with (name, changes);
}

static void
check_dkek_on_card (ClVcardImage *image)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);
  g_autoptr (ClCardChannel) channel = cl_card_channel_new (transport);
  g_autoptr (GError) error = NULL;
  ClSchsmDkekStatus status = { 0 };
  g_autofree char *kcv = NULL;
  guint8 major, minor;

  g_assert_true (cl_schsm_select (channel, &major, &minor, NULL, &error));
  g_assert_true (cl_schsm_import_dkek_share (channel, NULL, &status, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status.total, ==, 1);
  g_assert_cmpuint (status.outstanding, ==, 0);
  g_assert_true (status.has_kcv);
  kcv = cl_hex_encode (status.kcv, 8);
  g_assert_cmpstr (kcv, ==, SHARE_KCV);
}

/* The customer's side: the export line of chip opened with the documented openssl command line. */
static void
open_export (const char *export_path, const char *chip_id, const char *private_key, char **so_pin, char **pin)
{
  g_autofree char *command
    = g_strdup_printf ("grep '^%s\t' '%s' | cut -f3 | base64 -d | openssl cms -decrypt -inform DER -inkey '%s'",
                       chip_id, export_path, private_key);
  g_autofree char *plain = run_sh (command);
  g_auto (GStrv) lines = g_strsplit (plain, "\n", -1);
  g_autofree char *chip_line = g_strdup_printf ("chip-id: %s", chip_id);

  g_assert_cmpstr (lines[0], ==, chip_line);
  g_assert_true (g_str_has_prefix (lines[1], "so-pin: "));
  *so_pin = g_strdup (lines[1] + 8);
  g_assert_cmpuint (strlen (*so_pin), ==, 16);
  g_assert_true (g_str_has_prefix (lines[2], "pin: "));
  *pin = g_strdup (lines[2] + 5);
  g_assert_cmpuint (strlen (*pin), ==, 6);
  cl_wipe (plain, strlen (plain));
}

/* The PINs from the export work on the card: VERIFY with the PIN; RESET RETRY COUNTER with the SO-PIN after the
 * PIN was blocked, then VERIFY again. */
static void
check_pins_on_card (ClVcardImage *image, const char *so_pin_hex, const char *pin)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);
  g_autoptr (ClCardChannel) channel = cl_card_channel_new (transport);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) so_pin = cl_hex_decode (so_pin_hex, NULL);
  g_autoptr (ClApdu) reset = NULL;
  g_autoptr (ClResponse) r = NULL;
  ClSchsmPinStatus status = { 0 };
  guint8 major, minor;

  g_assert_true (cl_schsm_select (channel, &major, &minor, NULL, &error));
  g_assert_true (cl_schsm_verify_pin (channel, 0x81, (const guint8 *)pin, strlen (pin), &status, NULL, &error));
  g_assert_cmpint (status.state, ==, CL_SCHSM_PIN_VERIFIED);
  for (guint i = 0; i < 3; i++)
    cl_schsm_verify_pin (channel, 0x81, (const guint8 *)"000000", 6, &status, NULL, NULL);
  g_assert_cmpint (status.state, ==, CL_SCHSM_PIN_BLOCKED);
  reset = cl_apdu_new (0x80, 0x2C, 0x01, 0x81, g_bytes_get_data (so_pin, NULL), 8, 0);
  r = cl_card_channel_transmit (channel, reset, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmphex (r->sw, ==, 0x9000);
  g_assert_true (cl_schsm_verify_pin (channel, 0x81, (const guint8 *)pin, strlen (pin), &status, NULL, &error));
  g_assert_cmpint (status.state, ==, CL_SCHSM_PIN_VERIFIED);
}

static void
check_custody (const char *key_kind)
{
  g_autofree char *name = g_strdup_printf ("custody-%s", key_kind);
  g_autofree char *db = g_strdup_printf ("%s.db", name), *export_name = g_strdup_printf ("%s.pins", name);
  g_autofree char *private_key = g_strdup_printf ("%s/customer-%s.key", fixture->work_dir, key_kind);
  g_autofree char *public_key = g_strdup_printf ("%s/customer-%s.pub", fixture->work_dir, key_kind);
  g_autofree char *export_path = g_build_filename (fixture->work_dir, export_name, NULL);
  g_autofree char *dkek_audit = NULL, *escrow_audit = NULL, *so_pin = NULL, *pin = NULL, *export_text = NULL;
  g_autoptr (ClProfile) profile = profile_custody (name, public_key);
  g_autoptr (ClStore) store = new_store (db);
  g_autoptr (ClProductionSetup) setup = cl_production_fixture_setup_new (fixture, profile, store);
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardSequence) sequence = NULL;
  g_autoptr (GError) error = NULL;
  const char *chip;
  gint64 batch = cl_store_batch_create (store, name, cl_profile_get_name (profile), cl_profile_get_hash (profile), 10,
                                        "supervisor", &error);

  g_assert_no_error (error);
  sequence = produce (setup, batch, CL_ATTEMPT_PRODUCTION, image);
  assert_good (sequence);
  chip = cl_card_sequence_get_outcome (sequence)->chip_id;
  check_dkek_on_card (image);
  dkek_audit = audit_details (store, "dkek-import", chip);
  g_test_message ("dkek-import %s: %s", chip, dkek_audit);
  g_assert_nonnull (strstr (dkek_audit, "card KCV " SHARE_KCV " matches"));
  escrow_audit = audit_details (store, "pin-escrow", chip);
  g_assert_nonnull (strstr (escrow_audit, "so-pin,pin encrypted to customer key "));

  g_assert_cmpint (cl_pin_export_write (store, name, export_path, "supervisor", &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (export_path, &export_text, NULL, NULL));
  open_export (export_path, chip, private_key, &so_pin, &pin);
  g_ptr_array_add (secrets, g_strdup (so_pin));
  g_ptr_array_add (secrets, g_strdup (pin));
  g_assert_null (strstr (export_text, so_pin));
  check_pins_on_card (image, so_pin, pin);
  g_test_message ("%s customer key: SO-PIN and PIN from the export opened with openssl cms and work on the card",
                  key_kind);
}

/* The PIN export is part of an initialised batch: with a good card lacking its envelope the batch is neither exported
 * nor closed; a batch shipped uninitialised has nothing to export, and says so. */
static void
test_export_incomplete (void)
{
  g_autofree char *public_key = g_strdup_printf ("%s/customer-ec.pub", fixture->work_dir);
  g_autofree char *out = g_build_filename (fixture->work_dir, "incomplete.pins", NULL);
  g_autoptr (ClProfile) initialised = profile_custody ("custody-incomplete", public_key);
  const char *none[] = { NULL };
  g_autoptr (ClProfile) uninitialised = profile_with ("custody-uninitialised", none);
  g_autoptr (ClStore) store = new_store ("custody-incomplete.db");
  g_autoptr (ClProductionSetup) with_pins = cl_production_fixture_setup_new (fixture, initialised, store);
  g_autoptr (ClProductionSetup) without = cl_production_fixture_setup_new (fixture, uninitialised, store);
  g_autoptr (GError) error = NULL;
  gint64 mixed = cl_store_batch_create (store, "mixed", "custody-incomplete", cl_profile_get_hash (initialised), 2,
                                        "supervisor", &error);
  gint64 plain = cl_store_batch_create (store, "plain", "custody-uninitialised", cl_profile_get_hash (uninitialised), 1,
                                        "supervisor", &error);

  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
      g_autoptr (ClCardSequence) sequence
        = produce (i == 0 ? with_pins : without, i == 2 ? plain : mixed, CL_ATTEMPT_PRODUCTION, image);

      assert_good (sequence);
    }
  g_assert_cmpint (cl_pin_export_write (store, "mixed", out, "supervisor", &error), ==, -1);
  g_assert_error (error, CL_ERROR, CL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "1 of 2 good card(s) have no PIN envelope"));
  g_clear_error (&error);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_assert_false (cl_store_batch_set_state (store, mixed, CL_BATCH_CLOSED, "supervisor", &error));
  g_assert_nonnull (strstr (error->message, "1 good card(s) have no PIN envelope"));
  g_clear_error (&error);

  g_assert_cmpint (cl_pin_export_write (store, "plain", out, "supervisor", &error), ==, -1);
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "shipped uninitialised"));
  g_clear_error (&error);
  g_assert_true (cl_store_batch_set_state (store, plain, CL_BATCH_CLOSED, "supervisor", &error));
  g_assert_no_error (error);
}

static void
test_custody_rsa (void)
{
  check_custody ("rsa");
}

static void
test_custody_ec (void)
{
  check_custody ("ec");
}

static void
test_dkek_mismatch (void)
{
  g_autofree char *public_key = g_strdup_printf ("%s/customer-rsa.pub", fixture->work_dir);
  g_autoptr (ClProfile) profile = profile_custody ("custody-mismatch", public_key);
  g_autoptr (ClStore) store = new_store ("custody-mismatch.db");
  g_autoptr (ClProductionSetup) setup = cl_production_fixture_setup_new (fixture, profile, store);
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClTransport) flip
    = cl_production_fixture_filter_new (cl_production_fixture_insert (image), kcv_flip_transmit, NULL, NULL);
  g_autoptr (ClCardSequence) sequence = NULL;
  const ClSequenceOutcome *o;

  sequence = produce_over (setup, 0, CL_ATTEMPT_PRODUCTION, flip);
  o = assert_rejected (sequence, CL_REJECT_INIT_FAILED, CL_STEP_INIT_APPLET);
  g_assert_nonnull (strstr (o->detail, "DKEK key check value"));
  g_assert_nonnull (strstr (o->detail, "differs from " SHARE_KCV " expected"));
}

static void
test_profile_errors (void)
{
  static const char *const cases[][4] = {
    { "keys", "kmc-accepted-versions", "01", "is the current kmc-version" },
    { "keys", "kmc-accepted-versions", "03:30", "also the KST version" },
    { "keys", "kmc-accepted-versions", "03;04:03", "repeats a version" },
    { "keys", "kmc-accepted-versions", "0x3", "expected entries VV or VV:KK" },
    { "initialize", "dkek-share-files", "a.pbe;b.pbe", "expected 1 file(s) (dkek-shares), got 2" },
    { "initialize", "dkek-share-files", "a.pbe", "expected one password file" },
  };
  g_autofree char *reference
    = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "profiles", "smartcard-hsm.profile", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GKeyFile) kf = g_key_file_new ();
      g_autoptr (GError) error = NULL;
      g_autoptr (ClProfile) profile = NULL;
      g_autofree char *text = NULL;
      gsize len;

      g_assert_true (g_key_file_load_from_file (kf, reference, G_KEY_FILE_NONE, NULL));
      /* DKEK shares go into a card the station initialises */
      g_key_file_set_string (kf, "initialize", "ship", "initialised");
      g_key_file_set_string (kf, "initialize", "pin-source", "random");
      g_key_file_set_string (kf, "initialize", "pin-length", "6");
      g_key_file_set_string (kf, "initialize", "so-pin-source", "random");
      g_key_file_set_string (kf, "initialize", "dkek-shares", "1");
      g_key_file_set_string (kf, "initialize", "pin-export-key", "customer.pem");
      g_key_file_set_string (kf, cases[i][0], cases[i][1], cases[i][2]);
      text = g_key_file_to_data (kf, &len, NULL);
      profile = cl_profile_new_from_data (text, len, "p.profile", fixture->work_dir, NULL, &error);
      g_assert_null (profile);
      g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i][3]));
    }
}

static gboolean
contains (const char *data, gsize len, const void *needle, gsize n)
{
  for (gsize i = 0; n > 0 && i + n <= len; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* Last: nothing secret in any store file or its WAL. */
static void
test_no_secrets_in_stores (void)
{
  g_autoptr (GPtrArray) needles = g_ptr_array_new ();
  const char *fixed[] = { KMC2_ENC, KMC2_MAC, KMC2_DEK, SHARE_VALUE, "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF", NULL };

  g_assert_cmpuint (secrets->len, >=, 4);
  for (guint i = 0; fixed[i] != NULL; i++)
    g_ptr_array_add (needles, (gpointer)fixed[i]);
  for (guint i = 0; i < secrets->len; i++)
    g_ptr_array_add (needles, secrets->pdata[i]);
  for (guint s = 0; s < store_paths->len; s++)
    for (guint w = 0; w < 2; w++)
      {
        g_autofree char *path = g_strconcat (store_paths->pdata[s], w ? "-wal" : "", NULL);
        g_autofree char *data = NULL;
        gsize len = 0;

        if (!g_file_get_contents (path, &data, &len, NULL))
          continue;
        for (guint i = 0; i < needles->len; i++)
          {
            const char *needle = needles->pdata[i];
            g_autofree char *lower = g_ascii_strdown (needle, -1);
            g_autoptr (GBytes) raw = cl_hex_decode (needle, NULL);

            g_assert_false (contains (data, len, needle, strlen (needle)));
            g_assert_false (contains (data, len, lower, strlen (lower)));
            if (raw != NULL && g_bytes_get_size (raw) >= 8)
              g_assert_false (contains (data, len, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw)));
          }
      }
  g_test_message ("%u store files (and WALs) hold none of %u secrets", store_paths->len, needles->len);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) share = cl_hex_decode (SHARE_FILE, NULL);
  g_autoptr (GBytes) enc = cl_hex_decode (KMC2_ENC, NULL), mac = cl_hex_decode (KMC2_MAC, NULL),
                     dek = cl_hex_decode (KMC2_DEK, NULL);
  int status;

  g_test_init (&argc, &argv, NULL);
  /* CARDLINE_PKI_DIR left alone: profile_with gives each profile the PKI directory itself */
  fixture = cl_production_fixture_new ("cardline-custody-XXXXXX", FALSE);
  secrets = g_ptr_array_new_with_free_func (g_free);
  store_paths = g_ptr_array_new_with_free_func (g_free);
  /* KMC 02 next to the demo KMC 01, for this process only */
  g_assert_true (cl_p11_token_import_key_set (fixture->token, "KMC", 0x02, CL_KEY_TYPE_AES, enc, mac, dek,
                                              CL_P11_KEY_SET_SESSION, &error));
  g_assert_no_error (error);

  share_path = write_file ("share-1.pbe", g_bytes_get_data (share, NULL), (gssize)g_bytes_get_size (share), 0600);
  password_path = write_file ("share-1.pw", SHARE_PASSWORD "\n", -1, 0600);
  g_free (run_sh ("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out customer-rsa.key 2>/dev/null && "
                  "openssl pkey -in customer-rsa.key -pubout -out customer-rsa.pub && "
                  "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out customer-ec.key && "
                  "openssl pkey -in customer-ec.key -pubout -out customer-ec.pub"));

  {
    const char *v1[] = { NULL };
    const char *v2[]
      = { "keys", "kmc-version", "02", "keys", "card-key-version", "02", "keys", "kmc-accepted-versions", "01", NULL };
    const char *v2_strict[] = { "keys", "kmc-version", "02", "keys", "card-key-version", "02", NULL };

    profile_v1 = profile_with ("kmc-v1", v1);
    profile_v2 = profile_with ("kmc-v2", v2);
    profile_v2_strict = profile_with ("kmc-v2-strict", v2_strict);
  }

  g_test_add_func ("/custody/profile-errors", test_profile_errors);
  g_test_add_func ("/custody/changeover-refeed", test_changeover_refeed);
  g_test_add_func ("/custody/changeover-qa-retest", test_changeover_qa_retest);
  g_test_add_func ("/custody/changeover-unaccepted", test_changeover_unaccepted);
  g_test_add_func ("/custody/dkek-and-pins-rsa", test_custody_rsa);
  g_test_add_func ("/custody/dkek-and-pins-ec", test_custody_ec);
  g_test_add_func ("/custody/dkek-mismatch", test_dkek_mismatch);
  g_test_add_func ("/custody/export-incomplete", test_export_incomplete);
  g_test_add_func ("/custody/no-secrets-in-stores", test_no_secrets_in_stores);
  status = g_test_run ();

  g_clear_object (&profile_v1);
  g_clear_object (&profile_v2);
  g_clear_object (&profile_v2_strict);
  g_clear_pointer (&fixture, cl_production_fixture_free);
  return status;
}
