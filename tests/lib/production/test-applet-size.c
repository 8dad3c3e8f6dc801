/* test-applet-size: the large stand-in CAP (data/demo/smartcard-hsm-standin-large.cap, a Load File Data Block of
 * over 20 KB) is loaded and installed by the production sequence: in the largest short blocks after secure messaging
 * when the profile declares no command length, in extended-length blocks that fill the command length a profile
 * declares for a card that takes it, and refused by a card (6700, LOAD_FAILED) when the profile declares more than the
 * card takes. Runs under tests/rig/rig-run --parts hsm, in-process against cardline-vcard's dispatcher. */
#include <string.h>

#include "cl-production-fixture.h"
#include "production/cl-demo-pki.h"

static ClProductionFixture *fixture;
static ClStore *store;

/* smartcard-hsm.profile with the large stand-in CAP, and max-command-length when max_command is not 0. */
static ClProductionSetup *
large_setup (guint max_command)
{
  g_autofree char *shipped = g_build_filename (fixture->data_dir, "profiles", "smartcard-hsm.profile", NULL);
  g_autofree char *cap = g_build_filename (fixture->data_dir, "demo", "smartcard-hsm-standin-large.cap", NULL);
  g_autofree char *name = g_strdup_printf ("large-%u.profile", max_command);
  g_autofree char *path = g_build_filename (fixture->work_dir, name, NULL);
  g_autofree char *text = NULL, *cap_line = g_strdup_printf ("cap-file=%s", cap);
  g_autofree char *card_line = g_strdup_printf ("[card]\nmax-command-length=%u", max_command);
  g_autoptr (GString) variant = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) profile = NULL;

  g_assert_true (g_file_get_contents (shipped, &text, NULL, &error));
  variant = g_string_new (text);
  g_assert_cmpuint (g_string_replace (variant, "cap-file=demo/smartcard-hsm-standin.cap", cap_line, 1), ==, 1);
  if (max_command != 0)
    g_assert_cmpuint (g_string_replace (variant, "[card]", card_line, 1), ==, 1);
  g_assert_true (g_file_set_contents (path, variant->str, -1, &error));
  profile = cl_production_profile_open (path, &error);
  g_assert_no_error (error);
  return cl_production_fixture_setup_new (fixture, profile, store);
}

/* A card taking commands of up to card_max bytes, produced with setup; the LOAD commands' count and longest. */
static ClCardSequence *
produce (ClProductionSetup *setup, guint card_max, guint *loads, gsize *longest)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (GPtrArray) trace = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr (ClTransport) transport = NULL;

  g_assert_true (cl_vcard_image_set_max_command_length (image, card_max));
  transport = cl_production_fixture_insert_traced (image, trace);
  *loads = 0;
  *longest = 0;
  {
    ClCardSequence *sequence
      = cl_production_fixture_run (setup, 0, "test", "in-process", CL_ATTEMPT_PRODUCTION, transport);

    for (guint i = 0; i < trace->len; i++)
      {
        gsize len;
        const guint8 *c = g_bytes_get_data (trace->pdata[i], &len);

        if (c[1] == 0xE8)
          (*loads)++, *longest = MAX (*longest, len);
      }
    return sequence;
  }
}

static gsize
large_lfdb (void)
{
  g_autoptr (ClProductionSetup) setup = large_setup (0);
  gsize len = g_bytes_get_size (cl_production_setup_get_load_file_data_block (setup));

  g_assert_cmpuint (len, >=, 20 * 1024);
  return len;
}

/* A profile that declares no command length: the largest short blocks, 239 bytes (C-DEC pads them to 240, the C-MAC
 * adds 8: 248 of 255), each command 261 bytes at most, whatever more the card would take. */
static void
test_short_blocks (void)
{
  g_autoptr (ClProductionSetup) setup = large_setup (0);
  gsize lfdb = large_lfdb (), longest;
  guint loads;
  g_autoptr (ClCardSequence) sequence = produce (setup, CL_VCARD_MAX_COMMAND, &loads, &longest);

  cl_production_fixture_assert_good (sequence);
  g_test_message ("LFDB %zu bytes: %u LOAD commands of up to %zu bytes", lfdb, loads, longest);
  g_assert_cmpuint (loads, ==, (lfdb + 238) / 239);
  g_assert_cmpuint (longest, <=, 261);
}

/* A card taking 2,048-byte commands, which the profile declares: extended-length LOAD of 2,015-byte blocks (padded
 * to 2,016, MAC 8, header 7, Le 2: 2,033 bytes). */
static void
test_extended_blocks (void)
{
  g_autoptr (ClProductionSetup) setup = large_setup (2048);
  gsize lfdb = large_lfdb (), longest;
  guint loads;
  g_autoptr (ClCardSequence) sequence = produce (setup, 2048, &loads, &longest);

  cl_production_fixture_assert_good (sequence);
  g_test_message ("LFDB %zu bytes: %u LOAD commands of up to %zu bytes", lfdb, loads, longest);
  g_assert_cmpuint (loads, ==, (lfdb + 2014) / 2015);
  g_assert_cmpuint (longest, ==, 2033);
}

/* The profile says 4,096 bytes, the card takes 2,048: the card refuses the first LOAD (6700), the card is rejected
 * LOAD_FAILED, and nothing of the package is left registered. */
static void
test_card_enforces (void)
{
  g_autoptr (ClProductionSetup) setup = large_setup (4096);
  gsize longest;
  guint loads;
  g_autoptr (ClCardSequence) sequence = produce (setup, 2048, &loads, &longest);
  const ClSequenceOutcome *o = cl_card_sequence_get_outcome (sequence);

  g_assert_false (o->good);
  g_assert_cmpint (o->reason, ==, CL_REJECT_LOAD_FAILED);
  g_assert_cmpint (o->failed_step, ==, CL_STEP_LOAD_APPLET);
  g_assert_cmphex (o->last_sw, ==, 0x6700);
  g_assert_cmpuint (loads, ==, 1);
  g_assert_cmpuint (longest, >, 2048);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fixture = cl_production_fixture_new ("cardline-applet-size-XXXXXX", TRUE);
  g_assert_true (cl_demo_pki_setup (fixture->token, fixture->keys_path, fixture->pki_dir, NULL, NULL, &error));
  g_assert_no_error (error);
  store = cl_production_fixture_open_store (fixture, "store.db");

  g_test_add_func ("/applet-size/short-blocks", test_short_blocks);
  g_test_add_func ("/applet-size/extended-blocks", test_extended_blocks);
  g_test_add_func ("/applet-size/card-enforces", test_card_enforces);
  status = g_test_run ();

  g_clear_object (&store);
  g_clear_pointer (&fixture, cl_production_fixture_free);
  return status;
}
