/* bench-p11: the cost of keeping keys in a PKCS#11 token (SoftHSM2 on the rig).
 *
 *   SCP03 open (INITIALIZE UPDATE response processing + EXTERNAL AUTHENTICATE) with token-resident static keys,
 *   against a card side computing with host keys; then single token operations: AES-CMAC, KCV, EMV/AES_ECB/KDF3
 *   diversification (C_DeriveKey, 3 keys), PUT KEY wrapping (C_WrapKey).
 *
 * Needs CARDLINE_P11_MODULE, CARDLINE_P11_TOKEN, CARDLINE_P11_PIN_FILE (rig-run --parts hsm).
 * Usage: bench-p11 [ITERATIONS] */
#include <string.h>
#include <unistd.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-plain-key-set.h"
#include "p11/cl-p11-key-store.h"
#include "scp/cl-scp03-card.h"
#include "scp/cl-scp03.h"

static guint iterations = 200;

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);
  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run under tests/rig/rig-run --parts hsm", name);
  return value;
}

static void
report (const char *what, gint64 start)
{
  double us = (double)(g_get_monotonic_time () - start) / iterations;
  g_print ("%-44s %10.1f us/op  %8.0f op/s\n", what, us, 1e6 / us);
}

static void
check (gboolean ok, GError *error)
{
  if (!ok)
    g_error ("%s", error != NULL ? error->message : "failed");
}

/* One SCP03 open against the card side of lib/scp (keys in host memory, as the virtual card holds them):
 * INITIALIZE UPDATE, card cryptogram check and session keys on the host, EXTERNAL AUTHENTICATE checked by the card. */
static void
scp03_open (ClKeySet *host_keys, ClScp03Card *card)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClScp03) scp = cl_scp03_new (host_keys, 0x33, NULL, &error);
  g_autoptr (ClApdu) init = NULL;
  g_autoptr (ClApdu) ext = NULL;
  g_autoptr (GBytes) response = NULL;

  check (scp != NULL, error);
  init = cl_scp03_initialize_update_apdu (scp, 0x30);
  response = cl_scp03_card_initialize_update (card, init, &error);
  check (response != NULL, error);
  check (
    cl_scp03_process_initialize_update (scp, g_bytes_get_data (response, NULL), g_bytes_get_size (response), &error),
    error);
  ext = cl_scp03_external_authenticate_apdu (scp, &error);
  check (ext != NULL, error);
  check (cl_scp03_card_external_authenticate (card, ext, &error), error);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (ClP11KeySet) aes = NULL;
  g_autoptr (ClP11KeySet) des = NULL;
  g_autoptr (ClKeySet) plain_aes = NULL;
  g_autoptr (ClKeySet) card_keys = NULL;
  g_autoptr (ClScp03Card) card = NULL;
  g_autofree char *name_aes = g_strdup_printf ("bench-aes-%d", (int)getpid ());
  g_autofree char *name_des = g_strdup_printf ("bench-des-%d", (int)getpid ());
  guint8 key[16], kdd[10], data[32] = { 0 }, mac[16], kcv[3];
  g_autoptr (GBytes) key_bytes = NULL;
  gint64 start;

  if (argc > 1)
    iterations = MAX (1, (guint)g_ascii_strtoull (argv[1], NULL, 10));
  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8)g_random_int ();
  for (guint i = 0; i < sizeof kdd; i++)
    kdd[i] = (guint8)i;
  key_bytes = g_bytes_new (key, sizeof key);

  token = cl_p11_token_open (env ("CARDLINE_P11_MODULE"), env ("CARDLINE_P11_TOKEN"), &error);
  check (token != NULL, error);
  check (cl_p11_token_login_with_pin_file (token, env ("CARDLINE_P11_PIN_FILE"), &error), error);
  check (cl_p11_token_import_key_set (token, name_aes, 0x30, CL_KEY_TYPE_AES, key_bytes, key_bytes, key_bytes,
                                      CL_P11_KEY_SET_SESSION, &error),
         error);
  check (cl_p11_token_import_key_set (token, name_des, 0x20, CL_KEY_TYPE_DES3, key_bytes, key_bytes, key_bytes,
                                      CL_P11_KEY_SET_SESSION, &error),
         error);
  aes = cl_p11_token_find_key_set (token, name_aes, 0x30, 0, &error);
  check (aes != NULL, error);
  des = cl_p11_token_find_key_set (token, name_des, 0x20, 0, &error);
  check (des != NULL, error);
  plain_aes = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x30, key, key, key, sizeof key, &error);
  check (plain_aes != NULL, error);
  card_keys = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x30, key, key, key, sizeof key, &error);
  check (card_keys != NULL, error);
  card = cl_scp03_card_new (card_keys, kdd, 0x60, NULL, 0);
  cl_wipe (key, sizeof key);

  g_print ("bench-p11: %u iterations, token \"%s\"\n", iterations, cl_p11_token_get_label (token));

  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    scp03_open (CL_KEY_SET (aes), card);
  report ("SCP03 open, token static keys", start);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    scp03_open (plain_aes, card);
  report ("SCP03 open, host static keys (reference)", start);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    check (cl_key_set_cmac (CL_KEY_SET (aes), CL_KEY_ROLE_MAC, data, sizeof data, mac, &error), error);
  report ("C_Sign CKM_AES_CMAC (32 bytes)", start);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    check (cl_key_set_check_value (CL_KEY_SET (aes), CL_KEY_ROLE_ENC, kcv, &error), error);
  report ("KCV in token (C_Encrypt CKM_AES_ECB)", start);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    {
      g_autoptr (ClKeySet) card_set = cl_key_set_diversify (CL_KEY_SET (aes), CL_DIVERSIFY_AES_ECB, kdd, 0x31, &error);
      check (card_set != NULL, error);
    }
  report ("diversify AES_ECB (3x C_DeriveKey + destroy)", start);

  {
    /* the reference profile's published method, under its host-derivation opt-in */
    g_autoptr (ClP11KeySet) aes_host
      = cl_p11_token_find_key_set (token, name_aes, 0x30, CL_P11_KEY_SET_ALLOW_HOST_DERIVATION, &error);
    check (aes_host != NULL, error);
    start = g_get_monotonic_time ();
    for (guint i = 0; i < iterations; i++)
      {
        g_autoptr (ClKeySet) card_set
          = cl_key_set_diversify (CL_KEY_SET (aes_host), CL_DIVERSIFY_KDF3, kdd, 0x31, &error);
        check (card_set != NULL, error);
      }
    report ("diversify KDF3 (3x CMAC, host opt-in)", start);
  }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    {
      g_autoptr (ClKeySet) card_set = cl_key_set_diversify (CL_KEY_SET (des), CL_DIVERSIFY_EMV, kdd, 0x21, &error);
      check (card_set != NULL, error);
    }
  report ("diversify EMV (3x C_DeriveKey + destroy)", start);

  {
    g_autoptr (ClKeySet) card_set = cl_key_set_diversify (CL_KEY_SET (aes), CL_DIVERSIFY_AES_ECB, kdd, 0x31, &error);
    check (card_set != NULL, error);
    start = g_get_monotonic_time ();
    for (guint i = 0; i < iterations; i++)
      {
        g_autoptr (GBytes) wrapped = cl_key_set_wrap_with_key_set (card_set, CL_KEY_ROLE_ENC, CL_KEY_SET (aes),
                                                                   CL_KEY_ROLE_DEK, CL_CIPHER_CBC_ZERO_IV, &error);
        check (wrapped != NULL, error);
      }
    report ("PUT KEY wrap (C_WrapKey CKM_AES_CBC)", start);
  }
  return 0;
}
