/* Host-side SCP03 at level 33: arbitrary responses (R-MAC/R-ENC) must be refused cleanly or unwrapped.
 * Byte 0: bit 0 selects AES-256; then responses as (length, bytes incl. SW). Before each, the host wraps a
 * command so the MAC chain and counter move as in a session. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cl-error.h"
#include "crypto/cl-plain-key-set.h"
#include "scp/cl-scp03-card.h"
#include "scp/cl-scp03.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const guint8 key[32]
  = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F,
      0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F };
static const guint8 kdd[10] = { 0 };
static const guint8 host_challenge[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClKeySet) keys = NULL;
  g_autoptr (ClScp03) host = NULL;
  g_autoptr (ClScp03Card) card = NULL;
  g_autoptr (ClApdu) iu = NULL;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (ClApdu) ea = NULL;
  g_autoptr (ClApdu) command = cl_apdu_new (0x80, 0xCA, 0x00, 0x66, NULL, 0, 256);
  size_t pos = 1;

  if (size < 1)
    return 0;
  keys = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x30, key, key, key, (data[0] & 1) ? 32 : 16, &error);
  host = cl_scp03_new (keys, 0x33, host_challenge, &error);
  card = cl_scp03_card_new (keys, kdd, 0x70, NULL, 0);
  iu = cl_scp03_initialize_update_apdu (host, 0);
  answer = cl_scp03_card_initialize_update (card, iu, &error);
  if (!cl_scp03_process_initialize_update (host, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error))
    abort ();
  ea = cl_scp03_external_authenticate_apdu (host, &error);
  if (ea == NULL)
    abort ();

  while (pos < size)
    {
      size_t len = MIN ((size_t)data[pos], size - pos - 1);
      g_autoptr (GError) step_error = NULL;
      g_autoptr (ClApdu) wrapped = cl_secure_channel_wrap (CL_SECURE_CHANNEL (host), command, &step_error);
      g_autoptr (ClResponse) raw = NULL;
      g_autoptr (ClResponse) plain = NULL;

      if (wrapped == NULL)
        abort ();
      raw = cl_response_parse (data + pos + 1, len, &step_error);
      pos += 1 + len;
      if (raw == NULL)
        continue;
      plain = cl_secure_channel_unwrap (CL_SECURE_CHANNEL (host), raw, &step_error);
      if (plain == NULL && step_error == NULL)
        abort ();
    }
  return 0;
}
