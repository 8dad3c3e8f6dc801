/* Card-side SCP03/SCP02: arbitrary commands after a fixed handshake must be refused cleanly or unwrapped.
 * Byte 0: bit 0 SCP02 instead of SCP03, bits 1-3 the level, bit 7: wrap each command with the host side first
 * (so the fuzzer reaches decryption and padding checks behind a valid MAC). Then commands as (length, bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cl-error.h"
#include "crypto/cl-plain-key-set.h"
#include "scp/cl-scp02-card.h"
#include "scp/cl-scp02.h"
#include "scp/cl-scp03-card.h"
#include "scp/cl-scp03.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const guint8 key[16]
  = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F };
static const guint8 kdd[10] = { 0 };
static const guint8 host_challenge[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const guint8 card_challenge[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };

static const guint8 scp03_levels[] = { 0x00, 0x01, 0x03, 0x11, 0x13, 0x33, 0x33, 0x13 };
static const guint8 scp02_levels[] = { 0x00, 0x01, 0x03, 0x03, 0x01, 0x03, 0x01, 0x03 };

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClKeySet) keys = NULL;
  g_autoptr (ClSecureChannel) host = NULL;
  g_autoptr (ClScp03Card) card03 = NULL;
  g_autoptr (ClScp02Card) card02 = NULL;
  g_autoptr (ClApdu) iu = NULL;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (ClApdu) ea = NULL;
  gboolean scp02, host_wrap;
  guint8 level;
  size_t pos = 1;

  if (size < 1)
    return 0;
  scp02 = data[0] & 1;
  host_wrap = (data[0] & 0x80) != 0;
  level = scp02 ? scp02_levels[(data[0] >> 1) & 7] : scp03_levels[(data[0] >> 1) & 7];
  keys = cl_plain_key_set_new (scp02 ? CL_KEY_TYPE_DES3 : CL_KEY_TYPE_AES, 0x30, key, key, key, 16, &error);
  if (scp02)
    {
      ClScp02 *h = cl_scp02_new (keys, level, host_challenge, &error);
      host = CL_SECURE_CHANNEL (h);
      card02 = cl_scp02_card_new (keys, kdd);
      cl_scp02_card_set_next_card_challenge (card02, card_challenge);
      iu = cl_scp02_initialize_update_apdu (h, 0);
      answer = cl_scp02_card_initialize_update (card02, iu, &error);
      if (!cl_scp02_process_initialize_update (h, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error))
        abort ();
      ea = cl_scp02_external_authenticate_apdu (h, &error);
      if (!cl_scp02_card_external_authenticate (card02, ea, &error))
        abort ();
    }
  else
    {
      ClScp03 *h = cl_scp03_new (keys, level, host_challenge, &error);
      host = CL_SECURE_CHANNEL (h);
      card03 = cl_scp03_card_new (keys, kdd, 0x70, NULL, 0);
      cl_scp03_card_set_next_card_challenge (card03, card_challenge);
      iu = cl_scp03_initialize_update_apdu (h, 0);
      answer = cl_scp03_card_initialize_update (card03, iu, &error);
      if (!cl_scp03_process_initialize_update (h, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error))
        abort ();
      ea = cl_scp03_external_authenticate_apdu (h, &error);
      if (!cl_scp03_card_external_authenticate (card03, ea, &error))
        abort ();
    }

  while (pos < size)
    {
      size_t len = MIN ((size_t)data[pos], size - pos - 1);
      g_autoptr (ClApdu) command = cl_apdu_parse (data + pos + 1, len, NULL);
      g_autoptr (ClApdu) wire = NULL;
      g_autoptr (ClApdu) plain = NULL;
      g_autoptr (GError) step_error = NULL;

      pos += 1 + len;
      if (command == NULL)
        continue;
      if (host_wrap)
        {
          wire = cl_secure_channel_wrap (host, command, &step_error);
          if (wire == NULL)
            continue;
        }
      else
        wire = cl_apdu_copy (command);
      plain = scp02 ? cl_scp02_card_unwrap_command (card02, wire, &step_error)
                    : cl_scp03_card_unwrap_command (card03, wire, &step_error);
      if (plain == NULL)
        {
          if (step_error == NULL)
            abort ();
          if (host_wrap && (level & 0x01))
            abort (); /* the card must accept what the host wrapped */
          continue;
        }
      if (host_wrap && cl_apdu_get_lc (plain) != cl_apdu_get_lc (command))
        abort ();
      if (!scp02)
        {
          g_autoptr (ClResponse) pr = cl_response_new (data + pos - len, len, 0x9000);
          g_autoptr (ClResponse) wr = cl_scp03_card_wrap_response (card03, pr, &step_error);
          g_autoptr (ClResponse) back = NULL;

          if (wr == NULL)
            abort ();
          if (host_wrap)
            {
              back = cl_secure_channel_unwrap (host, wr, &step_error);
              if (back == NULL || !g_bytes_equal (back->data, pr->data))
                abort ();
            }
        }
    }
  return 0;
}
