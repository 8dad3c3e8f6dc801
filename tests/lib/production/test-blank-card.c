/* test-blank-card: a chip the store has never seen costs the profile's minimal sequence, and nothing else; a chip
 * the store knows is probed as before; a chip unknown to the store but not blank (torn at any point of a production
 * recorded in another store) contradicts the blank state with its answers and is still produced good.
 * Runs under tests/rig/rig-run --parts hsm, in-process against cardline-vcard's dispatcher. */
#include <string.h>

#include "cl-production-fixture.h"
#include "production/cl-demo-pki.h"

static ClProductionFixture *fixture;
static ClProductionSetup *setup;

static ClCardSequence *
produce_traced (ClProductionSetup *with, ClVcardImage *image, GPtrArray *trace)
{
  g_autoptr (ClTransport) transport = cl_production_fixture_insert_traced (image, trace);

  return cl_production_fixture_run (with, 0, "test", "in-process", CL_ATTEMPT_PRODUCTION, transport);
}

/* One word per command: the ISD's and the applet's SELECT told apart, GET DATA by its tag, READ BINARY by its file;
 * runs of LOAD, STORE DATA, READ and UPDATE BINARY collapse into one word with their count. */
static char *
trace_words (GPtrArray *trace)
{
  GString *out = g_string_new (NULL);
  g_autofree char *last = NULL;
  guint run = 0;

  for (guint i = 0; i <= trace->len; i++)
    {
      g_autofree char *word = NULL;

      if (i < trace->len)
        {
          gsize len;
          const guint8 *c = g_bytes_get_data (trace->pdata[i], &len);

          g_assert_cmpuint (len, >=, 4);
          if (c[1] == 0xA4)
            word = g_strdup (len > 9 && c[5] == 0xA0 ? "SELECT-ISD" : "SELECT-APPLET");
          else if (c[1] == 0xCA || c[1] == 0xB1)
            word = g_strdup_printf ("%02X-%02X%02X", c[1], c[2], c[3]);
          else
            word = g_strdup_printf ("%02X", c[1]);
        }
      if (last != NULL && word != NULL && strcmp (word, last) == 0)
        {
          run++;
          continue;
        }
      if (last != NULL)
        {
          g_string_append_printf (out, "%s%s", out->len ? " " : "", last);
          if (run > 1)
            g_string_append_printf (out, "x%u", run);
        }
      g_free (last);
      last = g_steal_pointer (&word);
      run = 1;
    }
  return g_string_free (out, FALSE);
}

/* The smartcard-hsm profile's minimal sequence for a blank card: IDENTIFY (SELECT, CPLC), OPEN_KST, CONFIGURE (its one
 * STORE DATA and the life cycle), ROTATE_KEYS (PUT KEY, the new keys' session), LOAD_APPLET (INSTALL, the 256-byte
 * stand-in in two LOAD blocks, INSTALL), INIT_APPLET (SELECT, GENERATE ASYMMETRIC KEY PAIR), CERTIFY (write the chain,
 * read it back), VERIFY (ISD, a session with the card keys, SELECT, read the chain). No GET STATUS, key information,
 * KDD, PIN status or 2F02/CE00 probe. */
static const char blank_minimum[] = "SELECT-ISD CA-9F7F 50 82 E2 F0 D8 50 82 E6 E8x2 E6 SELECT-APPLET 46 D7 B1-2F02 "
                                    "SELECT-ISD 50 82 SELECT-APPLET B1-2F02";

static void
test_blank_is_minimal (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (GPtrArray) trace = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr (ClCardSequence) sequence = produce_traced (setup, image, trace);
  g_autofree char *words = trace_words (trace);

  cl_production_fixture_assert_good (sequence);
  g_test_message ("blank card: %u APDUs: %s", trace->len, words);
  g_assert_cmpstr (words, ==, blank_minimum);
  g_assert_cmpuint (cl_card_sequence_get_outcome (sequence)->apdus, ==, trace->len);
}

/* Torn after IDENTIFY recorded the chip: the store knows it, so the re-inserted card is probed (key information,
 * the life cycle, the registry, the device key's request, EF.C_DevAut) before anything is done again. */
static void
test_known_is_probed (void)
{
  g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
  g_autoptr (GPtrArray) torn_trace = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr (GPtrArray) trace = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr (ClCardSequence) torn = NULL, again = NULL;
  g_autofree char *words = NULL;

  g_assert_true (cl_vcard_image_set_defect (image, "tear_after", "2", NULL));
  torn = produce_traced (setup, image, torn_trace);
  g_assert_false (cl_card_sequence_get_outcome (torn)->good);
  g_assert_true (cl_vcard_image_set_defect (image, "tear_after", "0", NULL));
  again = produce_traced (setup, image, trace);
  cl_production_fixture_assert_good (again);
  words = trace_words (trace);
  g_test_message ("known card: %u APDUs: %s", trace->len, words);
  g_assert_nonnull (strstr (words, "CA-00E0"));
  g_assert_nonnull (strstr (words, "F2"));
  g_assert_nonnull (strstr (words, "B1-CE00"));
  g_assert_cmpuint (trace->len, >, 22);
}

/* A store that never saw the chip, a card torn at any point of a production another store recorded before that
 * store's certificate reached the card: whatever it holds (the KST or the card keys, its life cycle, an applet, a
 * device key), its answers contradict the blank state where they must, and it is produced good. (Once EF.C_DevAut
 * holds the other store's chain, the applet refuses to have it written again, blank path or not.) */
static void
test_unseen_but_not_blank (void)
{
  g_autoptr (ClStore) other_store = cl_production_fixture_open_store (fixture, "other.db");
  g_autoptr (ClProductionSetup) other = cl_production_fixture_setup_for (fixture, "smartcard-hsm.profile", other_store);
  g_autoptr (ClVcardImage) probe = cl_production_fixture_new_card (fixture);
  g_autoptr (GPtrArray) probe_trace = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr (ClCardSequence) full = produce_traced (other, probe, probe_trace);
  guint total = 0;

  cl_production_fixture_assert_good (full);
  while (total < probe_trace->len && ((const guint8 *)g_bytes_get_data (probe_trace->pdata[total], NULL))[1] != 0xD7)
    total++;
  g_assert_cmpuint (total, <, probe_trace->len);
  for (guint n = 1; n <= total; n++)
    {
      g_autoptr (ClVcardImage) image = cl_production_fixture_new_card (fixture);
      g_autofree char *text = g_strdup_printf ("%u", n);
      g_autoptr (GPtrArray) trace = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      g_autoptr (ClCardSequence) torn = NULL, again = NULL;
      const ClSequenceOutcome *o;

      g_assert_true (cl_vcard_image_set_defect (image, "tear_after", text, NULL));
      torn = produce_traced (other, image, trace);
      g_assert_false (cl_card_sequence_get_outcome (torn)->good);
      g_assert_true (cl_vcard_image_set_defect (image, "tear_after", "0", NULL));
      g_ptr_array_set_size (trace, 0);
      again = produce_traced (setup, image, trace);
      o = cl_card_sequence_get_outcome (again);
      if (!o->good)
        g_error ("torn after %u APDUs in another store, then here: %s at %s: %s", n,
                 cl_reject_reason_to_string (o->reason), cl_production_step_to_string (o->failed_step), o->detail);
      if (n == 2 || n == total)
        {
          g_autofree char *words = trace_words (trace);
          g_test_message ("torn after %u elsewhere: %u APDUs here: %s", n, trace->len, words);
        }
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fixture = cl_production_fixture_new ("cardline-blank-XXXXXX", TRUE);
  g_assert_true (cl_demo_pki_setup (fixture->token, fixture->keys_path, fixture->pki_dir, NULL, NULL, &error));
  g_assert_no_error (error);
  store = cl_production_fixture_open_store (fixture, "store.db");
  setup = cl_production_fixture_setup_for (fixture, "smartcard-hsm.profile", store);

  g_test_add_func ("/blank-card/minimal", test_blank_is_minimal);
  g_test_add_func ("/blank-card/known-is-probed", test_known_is_probed);
  g_test_add_func ("/blank-card/unseen-but-not-blank", test_unseen_but_not_blank);
  status = g_test_run ();

  g_clear_object (&setup);
  g_clear_pointer (&fixture, cl_production_fixture_free);
  return status;
}
