/* test-card-sequence: ClCardSequence against cardline-vcard's dispatcher in-process, keys in SoftHSM2
 * (run under tests/rig/rig-run --parts hsm). Good cards, re-feeds, a chip claimed at another station, every defect
 * the demo uses, hostile answers, and resumption after the card is torn at many points of the sequence. */
#include <sqlite3.h>
#include <string.h>

#include "cl-production-fixture.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-plain-key-set.h"
#include "gp/cl-cplc.h"
#include "gp/cl-gp-card.h"
#include "production/cl-card-sequence.h"
#include "production/cl-demo-pki.h"
#include "production/cl-production-env.h"
#include "scp/cl-scp03.h"
#include "store/cl-store-claim.h"

static ClProductionFixture *fixture;
static ClProductionSetup *setup;
static ClStore *store;

/* ---- a transport that lies: hostile answers at chosen commands ---- */

typedef enum
{
  TAMPER_TRUNCATE_CPLC,
  TAMPER_FLIP_CRYPTOGRAM,
  TAMPER_GARBAGE_STATUS,
} Tamper;

static GBytes *
tamper_transmit (ClTransport *inner, GBytes *command, GCancellable *cancellable, GError **error, gpointer user_data)
{
  Tamper mode = GPOINTER_TO_INT (user_data);
  const guint8 *c = g_bytes_get_data (command, NULL);
  g_autoptr (GBytes) response = cl_transport_transmit (inner, command, cancellable, error);
  gsize len;
  guint8 *r;

  if (response == NULL)
    return NULL;
  r = g_bytes_unref_to_data (g_steal_pointer (&response), &len);
  if (mode == TAMPER_TRUNCATE_CPLC && c[1] == 0xCA && c[2] == 0x9F && c[3] == 0x7F && len > 12)
    {
      memmove (r + 10, r + len - 2, 2);
      len = 12;
    }
  else if (mode == TAMPER_FLIP_CRYPTOGRAM && c[1] == 0x50 && len > 30)
    r[28] ^= 0x01; /* last byte of the card cryptogram: KDD(10) KVN scp i challenge(8) cryptogram(8) */
  else if (mode == TAMPER_GARBAGE_STATUS && c[1] == 0xF2 && len > 4)
    r[0] = 0x99;
  return g_bytes_new_take (r, len);
}

/* ---- helpers ---- */

static ClCardSequence *
produce_over (ClTransport *transport)
{
  return cl_production_fixture_run (setup, 0, "test", "in-process", CL_ATTEMPT_PRODUCTION, transport);
}

static ClCardSequence *
produce (ClVcardImage *image)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);

  return produce_over (transport);
}

static void
assert_rejected (ClCardSequence *sequence, ClRejectReason reason, ClProductionStep step)
{
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  if (o->good || o->reason != reason || o->failed_step != step)
    g_error ("expected REJECT %s at %s, got %s %s at %s: %s", cl_reject_reason_to_string (reason),
             cl_production_step_to_string (step), o->good ? "GOOD" : "REJECT", cl_reject_reason_to_string (o->reason),
             cl_production_step_to_string (o->failed_step), o->detail ? o->detail : "");
}

static void
assert_good (ClCardSequence *sequence)
{
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  if (!o->good)
    g_error ("expected GOOD, got %s at %s (SW %04X): %s", cl_reject_reason_to_string (o->reason),
             cl_production_step_to_string (o->failed_step), o->last_sw, o->detail);
}

/* The card authenticates with keys, plain on the host (independent of the token). */
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

/* ---- tests ---- */

static void
test_good_card (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardSequence) sequence = produce (image);
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);
  g_autoptr (GBytes) kst_enc = cl_production_fixture_demo_key ("KST", "enc"),
                     kmc_enc = cl_production_fixture_demo_key ("KMC", "enc"),
                     kmc_mac = cl_production_fixture_demo_key ("KMC", "mac"),
                     kmc_dek = cl_production_fixture_demo_key ("KMC", "dek");
  g_autoptr (ClKeySet) kst = NULL, kmc = NULL, card = NULL;
  g_autoptr (ClCardRecord) record = NULL;
  GBytes *kdd = cl_vcard_image_get_kdd (image);

  assert_good (sequence);
  g_assert_nonnull (o->chip_id);
  g_assert_cmpuint (strlen (o->chr), ==, 15);
  g_assert_true (g_str_has_prefix (o->chr, o->serial));
  g_test_message ("good card %s serial %s: %" G_GUINT64_FORMAT " APDUs, %" G_GUINT64_FORMAT
                  " bytes out, %" G_GUINT64_FORMAT " in, %.1f ms",
                  o->chip_id, o->serial, o->apdus, o->bytes_sent, o->bytes_received, o->cycle_us / 1000.0);
  g_assert_cmpuint (o->apdus, >, 10);

  record = cl_store_card_lookup (store, o->chip_id, NULL);
  g_assert_nonnull (record);
  g_assert_cmpint (record->state, ==, CL_CARD_GOOD);

  /* The KST is gone; keys diversified from the KMC on the host (not the token) authenticate. */
  kst = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x30, g_bytes_get_data (kst_enc, NULL), g_bytes_get_data (kst_enc, NULL),
                              g_bytes_get_data (kst_enc, NULL), 16, NULL);
  kmc = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x01, g_bytes_get_data (kmc_enc, NULL), g_bytes_get_data (kmc_mac, NULL),
                              g_bytes_get_data (kmc_dek, NULL), 16, NULL);
  card = cl_key_set_diversify (kmc, CL_DIVERSIFY_KDF3, g_bytes_get_data (kdd, NULL), 0x01, NULL);
  g_assert_nonnull (card);
  g_assert_false (authenticates (image, kst, 0x30));
  g_assert_true (authenticates (image, card, 0x01));
}

static void
test_refeed_good_is_duplicate (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardSequence) first = produce (image);
  g_autoptr (ClCardSequence) again = NULL;

  assert_good (first);
  again = produce (image);
  assert_rejected (again, CL_REJECT_DUPLICATE_CHIP, CL_STEP_IDENTIFY);
}

static void
store_sql (const char *sql)
{
  sqlite3 *db = NULL;
  char *msg = NULL;

  g_assert_cmpint (sqlite3_open (cl_store_get_path (store), &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, CL_STORE_BUSY_TIMEOUT_MS);
  sqlite3_exec (db, sql, NULL, NULL, &msg);
  g_assert_cmpstr (msg, ==, NULL);
  sqlite3_close (db);
}

/* The chip is in production at another station sharing the store: DUPLICATE_CHIP naming that station, whose claim
 * stays. A store that cannot answer the claim is the store's failure, not a duplicate (nor a reject). Once the other
 * station released it, the card is produced, and its own claim ends with the run. */
static void
test_claimed_elsewhere (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  GBytes *cplc_value = cl_vcard_image_get_cplc (image);
  g_autoptr (ClCardSequence) held = NULL, broken = NULL, produced = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *chip = NULL;
  const char *elsewhere = "line-9/4242.1700000000/Reader 9";
  ClCplc cplc;

  g_assert_true (cl_cplc_parse (g_bytes_get_data (cplc_value, NULL), g_bytes_get_size (cplc_value), &cplc, &error));
  g_assert_no_error (error);
  chip = cl_cplc_chip_id (&cplc);
  g_assert_true (cl_store_chip_claim (store, chip, elsewhere, 0, 60 * G_USEC_PER_SEC, &error));
  g_assert_no_error (error);

  held = produce (image);
  assert_rejected (held, CL_REJECT_DUPLICATE_CHIP, CL_STEP_IDENTIFY);
  g_assert_nonnull (strstr (cl_card_sequence_get_outcome (held)->detail, elsewhere));
  g_assert_false (cl_store_chip_renew (store, chip, "line-8/1.1/Reader 0", 60 * G_USEC_PER_SEC, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_assert_nonnull (strstr (error->message, elsewhere));
  g_clear_error (&error);
  g_assert_true (cl_store_chip_release (store, chip, elsewhere, &error));
  g_assert_no_error (error);

  store_sql ("ALTER TABLE chip_claims RENAME TO chip_claims_away");
  broken = produce (image);
  store_sql ("ALTER TABLE chip_claims_away RENAME TO chip_claims");
  /* the store's failure, not the card's: no verdict, the card waits for the store */
  g_assert_true (cl_card_sequence_get_outcome (broken)->interrupted);
  g_assert_cmpint (cl_card_sequence_get_outcome (broken)->failed_step, ==, CL_STEP_IDENTIFY);
  g_assert_error (cl_card_sequence_get_station_error (broken), CL_ERROR, CL_ERROR_STORE);
  g_test_message ("claim with the store failing: %s", cl_card_sequence_get_station_error (broken)->message);

  produced = produce (image);
  assert_good (produced);
  /* nobody holds it after the run: a renewal finds no claim */
  g_assert_false (cl_store_chip_renew (store, chip, elsewhere, 60 * G_USEC_PER_SEC, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
}

static void
check_defect (const char *key, const char *value, ClRejectReason reason, ClProductionStep step)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardSequence) sequence = NULL;

  g_assert_true (cl_vcard_image_set_defect (image, key, value, NULL));
  sequence = produce (image);
  assert_rejected (sequence, reason, step);
  g_test_message ("%s=%s: %s at %s, SW %04X: %s", key, value,
                  cl_reject_reason_to_string (cl_card_sequence_get_outcome (sequence)->reason),
                  cl_production_step_to_string (cl_card_sequence_get_outcome (sequence)->failed_step),
                  cl_card_sequence_get_outcome (sequence)->last_sw, cl_card_sequence_get_outcome (sequence)->detail);
}

static void
test_defects (void)
{
  check_defect ("wrong_kst", "true", CL_REJECT_AUTH_KST_FAILED, CL_STEP_OPEN_KST);
  check_defect ("keygen_fail", "true", CL_REJECT_KEYGEN_FAILED, CL_STEP_INIT_APPLET);
  check_defect ("sw_at", "LOAD.1:6581", CL_REJECT_LOAD_FAILED, CL_STEP_LOAD_APPLET);
  check_defect ("sw_at", "D8:6A80", CL_REJECT_KEY_ROTATION_FAILED, CL_STEP_ROTATE_KEYS);
  check_defect ("mute", "true", CL_REJECT_NO_ATR, CL_STEP_IDENTIFY);
}

/* A card strict about GP Amendment D (tests/sim/vcard/cl-vcard-strict.c) produces good: the sequence relies on none
 * of the deviations it refuses. Its errors come back as bare status words inside the R-MAC session (§6.2.5): here a
 * 6581 to LOAD. */
static void
test_strict_card (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClVcardImage) refusing = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardSequence) good = NULL, rejected = NULL;

  g_setenv ("CARDLINE_VCARD_STRICT", "1", TRUE);
  good = produce (image);
  assert_good (good);
  g_assert_true (cl_vcard_image_set_defect (refusing, "sw_at", "LOAD.1:6581", NULL));
  rejected = produce (refusing);
  g_unsetenv ("CARDLINE_VCARD_STRICT");
  assert_rejected (rejected, CL_REJECT_LOAD_FAILED, CL_STEP_LOAD_APPLET);
  g_assert_cmphex (cl_card_sequence_get_outcome (rejected)->last_sw, ==, 0x6581);
}

/* known: the store has seen the chip (an attempt torn after IDENTIFY), so its state is probed (GET STATUS): a blank
 * card's minimal sequence asks the card nothing it need not. */
static void
check_hostile (Tamper mode, gboolean known, ClRejectReason reason, ClProductionStep step)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (ClTransport) tamper = cl_production_fixture_filter_new (cl_production_fixture_insert (image),
                                                                     tamper_transmit, GINT_TO_POINTER (mode), NULL);
  g_autoptr (ClCardSequence) sequence = NULL;

  if (known)
    {
      g_autoptr (ClCardSequence) torn = NULL;

      g_assert_true (cl_vcard_image_set_defect (image, "tear_after", "2", NULL));
      torn = produce (image);
      g_assert_false (cl_card_sequence_get_outcome (torn)->good);
      g_assert_true (cl_vcard_image_set_defect (image, "tear_after", "0", NULL));
    }
  sequence = produce_over (tamper);
  assert_rejected (sequence, reason, step);
  g_test_message ("hostile %d: %s", mode, cl_card_sequence_get_outcome (sequence)->detail);
}

static void
test_hostile (void)
{
  check_hostile (TAMPER_TRUNCATE_CPLC, FALSE, CL_REJECT_HOSTILE_CARD, CL_STEP_IDENTIFY);
  check_hostile (TAMPER_FLIP_CRYPTOGRAM, FALSE, CL_REJECT_AUTH_KST_FAILED, CL_STEP_OPEN_KST);
  check_hostile (TAMPER_GARBAGE_STATUS, TRUE, CL_REJECT_HOSTILE_CARD, CL_STEP_CONFIGURE);
}

/* Torn after n APDUs, then re-inserted intact: the second attempt must finish the card good. */
static void
test_tear_and_resume (void)
{
  g_autoptr (ClVcardImage) probe = cl_production_fixture_new_card (fixture);
  g_autoptr (ClCardSequence) full = produce (probe);
  guint64 total = cl_card_sequence_get_outcome (full)->apdus;
  guint step = MAX (1, (guint)total / 12);

  assert_good (full);
  for (guint n = 1; n < total; n += step)
    {
      g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
      g_autofree char *text = g_strdup_printf ("%u", n);
      g_autoptr (ClCardSequence) torn = NULL, again = NULL;

      g_assert_true (cl_vcard_image_set_defect (image, "tear_after", text, NULL));
      torn = produce (image);
      g_assert_false (cl_card_sequence_get_outcome (torn)->good);
      g_assert_true (cl_vcard_image_set_defect (image, "tear_after", "0", NULL));
      again = produce (image);
      if (!cl_card_sequence_get_outcome (again)->good)
        g_error ("torn after %u APDUs (%s at %s), then: %s at %s: %s", n,
                 cl_reject_reason_to_string (cl_card_sequence_get_outcome (torn)->reason),
                 cl_production_step_to_string (cl_card_sequence_get_outcome (torn)->failed_step),
                 cl_reject_reason_to_string (cl_card_sequence_get_outcome (again)->reason),
                 cl_production_step_to_string (cl_card_sequence_get_outcome (again)->failed_step),
                 cl_card_sequence_get_outcome (again)->detail);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fixture = cl_production_fixture_new ("cardline-sequence-XXXXXX", TRUE);
  /* twice: the second run keeps everything */
  g_assert_true (cl_demo_pki_setup (fixture->token, fixture->keys_path, fixture->pki_dir, NULL, NULL, &error));
  g_assert_no_error (error);
  store = cl_production_fixture_open_store (fixture, "store.db");
  setup = cl_production_fixture_setup_for (fixture, "smartcard-hsm.profile", store);

  g_test_add_func ("/production/good-card", test_good_card);
  g_test_add_func ("/production/refeed-good-is-duplicate", test_refeed_good_is_duplicate);
  g_test_add_func ("/production/claimed-elsewhere", test_claimed_elsewhere);
  g_test_add_func ("/production/defects", test_defects);
  g_test_add_func ("/production/strict-card", test_strict_card);
  g_test_add_func ("/production/hostile", test_hostile);
  g_test_add_func ("/production/tear-and-resume", test_tear_and_resume);
  status = g_test_run ();

  g_clear_object (&setup);
  g_clear_object (&store);
  g_clear_pointer (&fixture, cl_production_fixture_free);
  return status;
}
