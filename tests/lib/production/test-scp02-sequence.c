/* test-scp02-sequence: the SCP02 profile (smartcard-hsm-scp02.profile, 3DES KST2/KMC2, EMV diversification) end
 * to end against cardline-vcard's dispatcher in-process, keys in the rig's SoftHSM2 token (run under
 * tests/rig/rig-run --parts hsm). SoftHSM2 wraps no 3DES key, so PUT KEY runs the host path of the profile's
 * opt-in: checked against a host reference, in the audit trail, and refused without the opt-in. */
#include <string.h>

#include <sqlite3.h>

#include "cl-production-fixture.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-plain-key-set.h"
#include "gp/cl-gp-card.h"
#include "p11/cl-p11-key-store.h"
#include "production/cl-card-sequence.h"
#include "production/cl-demo-pki.h"
#include "production/cl-production-env.h"
#include "scp/cl-scp02.h"

static ClProductionFixture *fixture;
static ClStore *store;

/* A plain 3DES key set from the DEMO key file: the host reference, independent of the token. */
static ClKeySet *
demo_key_set (const char *group, guint8 version)
{
  g_autoptr (GBytes) enc = cl_production_fixture_demo_key (group, "enc"),
                     mac = cl_production_fixture_demo_key (group, "mac"),
                     dek = cl_production_fixture_demo_key (group, "dek");

  return cl_plain_key_set_new (CL_KEY_TYPE_DES3, version, g_bytes_get_data (enc, NULL), g_bytes_get_data (mac, NULL),
                               g_bytes_get_data (dek, NULL), g_bytes_get_size (enc), NULL);
}

/* What `cardline-vcard manufacture --scp 02 --i 55 --kst-type des3 --kst-version 30 ...` makes. */
static ClVcardImage *
new_card (void)
{
  return cl_production_fixture_new_card_with (fixture, CL_KEY_TYPE_DES3, "KST2", 0x02, 0x55);
}

static ClProfile *
open_profile (gboolean host_derivation)
{
  g_autofree char *shipped = g_build_filename (fixture->data_dir, "profiles", "smartcard-hsm-scp02.profile", NULL);
  g_autofree char *text = NULL, *path = NULL;
  g_autoptr (GError) error = NULL;
  ClProfile *profile;

  g_assert_true (g_file_get_contents (shipped, &text, NULL, NULL));
  /* the shipped profile opts in; the variant differs in that line only */
  g_assert_nonnull (strstr (text, "\nhost-derivation=true\n"));
  if (!host_derivation)
    {
      g_auto (GStrv) parts = g_strsplit (text, "\nhost-derivation=true\n", 2);

      g_free (text);
      text = g_strjoinv ("\nhost-derivation=false\n", parts);
    }
  path = g_build_filename (fixture->work_dir, host_derivation ? "opt-in.profile" : "no-opt-in.profile", NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  profile = cl_profile_new_for_station (path, fixture->data_dir, fixture->pki_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cl_profile_get_keys (profile)->host_derivation, ==, host_derivation);
  return profile;
}

static gboolean
authenticates (ClVcardImage *image, ClKeySet *keys, guint8 kvn)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert (image);
  g_autoptr (ClCardChannel) channel = cl_card_channel_new (transport);
  g_autoptr (ClScp02) scp = NULL;
  ClGpFci fci;

  g_assert_true (cl_gp_select_isd (channel, &fci, NULL, NULL));
  scp = cl_scp02_open (channel, keys, kvn, 0x03, NULL, NULL, NULL);
  return scp != NULL;
}

/* The audit records of action, joined by newlines; the chain must verify. */
static char *
audit_details (const char *action)
{
  g_autoptr (GError) error = NULL;
  GString *out = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_true (cl_store_verify_audit_chain (store, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open_v2 (cl_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT detail FROM audit WHERE action = ? ORDER BY seq", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, action, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s\n", (const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

/* The host path's PUT KEY key data equals the plain reference's 3DES-ECB under the same session DEK, and the
 * token's card key object reports that it passed through host memory. */
static void
test_host_wrap_matches_reference (void)
{
  static const guint8 kdd[10] = { 0x00, 0x00, 0x74, 0x74, 0x6E, 0x6E, 0x6E, 0x62, 0x62, 0x62 };
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11KeySet) kmc = NULL, kmc_no_opt_in = NULL;
  g_autoptr (ClKeySet) p11_card = NULL, plain_kmc = demo_key_set ("KMC2", 0x01), plain_card = NULL;
  g_autoptr (ClKeySet) p11_card_no_opt_in = NULL;
  guint8 session_dek[16];
  gboolean on_host = FALSE;

  kmc = cl_p11_token_find_key_set (fixture->token, "KMC2", 0x01, CL_P11_KEY_SET_ALLOW_HOST_DERIVATION, &error);
  g_assert_no_error (error);
  g_assert_true (cl_p11_key_set_check_wrap (kmc, &on_host, &error));
  g_assert_no_error (error);
  g_assert_true (on_host); /* SoftHSM2 2.6; a token that wraps 3DES would take the in-token path */

  p11_card = cl_key_set_diversify (CL_KEY_SET (kmc), CL_DIVERSIFY_EMV, kdd, 0x01, &error);
  g_assert_no_error (error);
  plain_card = cl_key_set_diversify (plain_kmc, CL_DIVERSIFY_EMV, kdd, 0x01, &error);
  g_assert_no_error (error);
  g_assert_false (cl_p11_key_set_get_host_derived (CL_P11_KEY_SET (p11_card)));
  for (guint i = 0; i < 4; i++)
    {
      g_random_set_seed (i); /* any value: the session DEK of a card */
      for (guint j = 0; j < sizeof session_dek; j++)
        session_dek[j] = (guint8)g_random_int ();
      for (ClKeyRole role = CL_KEY_ROLE_ENC; role <= CL_KEY_ROLE_DEK; role++)
        {
          g_autoptr (GBytes) got
            = cl_key_set_wrap_with_session_key (p11_card, role, session_dek, sizeof session_dek, CL_CIPHER_ECB, &error);
          g_autoptr (GBytes) want = NULL;

          g_assert_no_error (error);
          want = cl_key_set_wrap_with_session_key (plain_card, role, session_dek, sizeof session_dek, CL_CIPHER_ECB,
                                                   &error);
          g_assert_no_error (error);
          g_assert_true (g_bytes_equal (got, want));
        }
    }
  g_assert_true (cl_p11_key_set_get_host_derived (CL_P11_KEY_SET (p11_card)));

  /* without the opt-in: neither the check nor the wrap itself */
  kmc_no_opt_in = cl_p11_token_find_key_set (fixture->token, "KMC2", 0x01, CL_P11_KEY_SET_OPTIONS_NONE, &error);
  g_assert_no_error (error);
  g_assert_false (cl_p11_key_set_check_wrap (kmc_no_opt_in, &on_host, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  p11_card_no_opt_in = cl_key_set_diversify (CL_KEY_SET (kmc_no_opt_in), CL_DIVERSIFY_EMV, kdd, 0x01, &error);
  g_assert_no_error (error);
  g_assert_null (cl_key_set_wrap_with_session_key (p11_card_no_opt_in, CL_KEY_ROLE_ENC, session_dek, sizeof session_dek,
                                                   CL_CIPHER_ECB, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "CKM_DES3_ECB"));
  g_assert_nonnull (strstr (error->message, "host-derivation"));
}

static void
test_good_card (void)
{
  g_autoptr (ClProfile) profile = open_profile (TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProductionSetup) setup = NULL;
  g_autoptr (ClVcardImage) image = new_card ();
  g_autoptr (ClTransport) transport = NULL;
  g_autoptr (ClCardSequence) sequence = NULL;
  g_autoptr (ClCardRecord) record = NULL;
  g_autoptr (ClKeySet) kst = demo_key_set ("KST2", 0x30), kmc = demo_key_set ("KMC2", 0x01), card = NULL;
  g_autofree char *before = audit_details ("host-derivation"), *after = NULL;
  const ClSequenceOutcome *o;
  GBytes *kdd;

  setup = cl_production_fixture_setup_new (fixture, profile, store);
  after = audit_details ("host-derivation");
  /* the batch's opt-in, and what it is used for: SCP02 PUT KEY on a token that cannot wrap 3DES */
  g_assert_true (g_str_has_prefix (after, before));
  g_assert_nonnull (strstr (after + strlen (before), "derives KMC2/01 card keys on the host"));
  g_assert_nonnull (strstr (after + strlen (before), "cannot wrap 3DES keys; SCP02 PUT KEY"));

  transport = cl_production_fixture_insert (image);
  sequence = cl_production_fixture_run (setup, 0, "test", "in-process", CL_ATTEMPT_PRODUCTION, transport);
  o = cl_card_sequence_get_outcome (sequence);
  if (!o->good)
    g_error ("expected GOOD, got %s at %s (SW %04X): %s", cl_reject_reason_to_string (o->reason),
             cl_production_step_to_string (o->failed_step), o->last_sw, o->detail);
  g_test_message ("SCP02 card %s serial %s: %" G_GUINT64_FORMAT " APDUs", o->chip_id, o->serial, o->apdus);
  record = cl_store_card_lookup (store, o->chip_id, NULL);
  g_assert_nonnull (record);
  g_assert_cmpint (record->state, ==, CL_CARD_GOOD);

  /* The KST2 is gone; SCP02 keys EMV-diversified from the DEMO KMC2 on the host (not the token) authenticate. */
  kdd = cl_vcard_image_get_kdd (image);
  card = cl_key_set_diversify (kmc, CL_DIVERSIFY_EMV, g_bytes_get_data (kdd, NULL), 0x01, &error);
  g_assert_no_error (error);
  g_assert_false (authenticates (image, kst, 0x30));
  g_assert_true (authenticates (image, card, 0x01));
}

static void
test_no_opt_in_refused (void)
{
  g_autoptr (ClProfile) profile = open_profile (FALSE);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProductionSetup) setup = NULL;
  g_autofree char *before = audit_details ("host-derivation"), *after = NULL;

  setup = cl_production_setup_new (profile, fixture->token, store, &error);
  g_assert_null (setup);
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "smartcard-hsm-scp02"));
  g_assert_nonnull (strstr (error->message, "CKM_DES3_ECB"));
  g_assert_nonnull (strstr (error->message, "KMC2"));
  g_assert_nonnull (strstr (error->message, "host-derivation=true"));
  after = audit_details ("host-derivation");
  g_assert_cmpstr (after, ==, before);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  fixture = cl_production_fixture_new ("cardline-scp02-XXXXXX", TRUE);
  store = cl_production_fixture_open_store (fixture, "store.db");

  g_test_add_func ("/production/scp02/host-wrap-matches-reference", test_host_wrap_matches_reference);
  g_test_add_func ("/production/scp02/good-card", test_good_card);
  g_test_add_func ("/production/scp02/no-opt-in-refused", test_no_opt_in_refused);
  status = g_test_run ();

  g_clear_object (&store);
  g_clear_pointer (&fixture, cl_production_fixture_free);
  return status;
}
