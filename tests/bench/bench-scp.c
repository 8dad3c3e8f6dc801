/* bench-scp: CPU cost of SCP03 secure messaging and of opening a channel, host and card in one process.
 * Prints microseconds per operation; not a test (numbers go into reports, not assertions). */
#include <stdio.h>
#include <string.h>

#include "crypto/cl-crypto.h"
#include "crypto/cl-plain-key-set.h"
#include "scp/cl-scp03-card.h"
#include "scp/cl-scp03.h"

static const guint8 kdd[10] = { 0 };

static void
open_pair (ClKeySet *keys, guint8 level, ClScp03 **host_out, ClScp03Card **card_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClScp03) host = cl_scp03_new (keys, level, NULL, &error);
  g_autoptr (ClScp03Card) card = cl_scp03_card_new (keys, kdd, 0x70, NULL, 0);
  g_autoptr (ClApdu) iu = cl_scp03_initialize_update_apdu (host, 0);
  g_autoptr (GBytes) answer = cl_scp03_card_initialize_update (card, iu, &error);
  g_autoptr (ClApdu) ea = NULL;

  if (answer == NULL
      || !cl_scp03_process_initialize_update (host, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error)
      || (ea = cl_scp03_external_authenticate_apdu (host, &error)) == NULL
      || !cl_scp03_card_external_authenticate (card, ea, &error))
    g_error ("SCP03 open failed: %s", error ? error->message : "?");
  *host_out = g_steal_pointer (&host);
  *card_out = g_steal_pointer (&card);
}

static void
bench_messaging (gsize key_len, gsize data_len, guint iterations)
{
  g_autoptr (GError) error = NULL;
  guint8 key[32], data[239];
  g_autoptr (ClKeySet) keys = NULL;
  ClScp03 *host = NULL;
  ClScp03Card *card = NULL;
  g_autoptr (ClApdu) plain = NULL;
  g_autoptr (ClResponse) plain_response = NULL;
  gint64 host_us = 0, card_us = 0;

  cl_random_bytes (key, sizeof key, NULL);
  cl_random_bytes (data, sizeof data, NULL);
  keys = cl_plain_key_set_new (CL_KEY_TYPE_AES, 1, key, key, key, key_len, &error);
  open_pair (keys, 0x33, &host, &card);
  plain = cl_apdu_new (0x80, 0xE8, 0x00, 0x00, data, data_len, 256);
  plain_response = cl_response_new (data, 16, 0x9000);
  for (guint i = 0; i < iterations; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr (ClApdu) wrapped = cl_secure_channel_wrap (CL_SECURE_CHANNEL (host), plain, &error);
      gint64 t1 = g_get_monotonic_time ();
      g_autoptr (ClApdu) G_GNUC_UNUSED unwrapped = cl_scp03_card_unwrap_command (card, wrapped, &error);
      g_autoptr (ClResponse) wrapped_response = cl_scp03_card_wrap_response (card, plain_response, &error);
      gint64 t2 = g_get_monotonic_time ();
      g_autoptr (ClResponse) back = cl_secure_channel_unwrap (CL_SECURE_CHANNEL (host), wrapped_response, &error);
      gint64 t3 = g_get_monotonic_time ();

      if (back == NULL)
        g_error ("round %u failed: %s", i, error->message);
      host_us += (t1 - t0) + (t3 - t2);
      card_us += t2 - t1;
    }
  printf ("SCP03 level 33 AES-%zu %3zu-byte command: host wrap+unwrap %6.2f us/APDU, card unwrap+wrap %6.2f us/APDU\n",
          key_len * 8, data_len, (double)host_us / iterations, (double)card_us / iterations);
  g_object_unref (host);
  g_object_unref (card);
}

static void
bench_open (gsize key_len, guint iterations)
{
  g_autoptr (GError) error = NULL;
  guint8 key[32];
  g_autoptr (ClKeySet) keys = NULL;
  gint64 t0;

  cl_random_bytes (key, sizeof key, NULL);
  keys = cl_plain_key_set_new (CL_KEY_TYPE_AES, 1, key, key, key, key_len, &error);
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < iterations; i++)
    {
      ClScp03 *host;
      ClScp03Card *card;

      open_pair (keys, 0x33, &host, &card);
      g_object_unref (host);
      g_object_unref (card);
    }
  printf ("SCP03 open (INITIALIZE UPDATE + EXTERNAL AUTHENTICATE, host+card, ClPlainKeySet) AES-%zu: %.1f us\n",
          key_len * 8, (double)(g_get_monotonic_time () - t0) / iterations);
}

int
main (int argc, char **argv)
{
  const gsize sizes[] = { 16, 128, 239 };
  guint iterations = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 20000;

  for (gsize k = 16; k <= 32; k += 16)
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      bench_messaging (k, sizes[i], iterations);
  bench_open (16, iterations / 10);
  bench_open (32, iterations / 10);
  return 0;
}
