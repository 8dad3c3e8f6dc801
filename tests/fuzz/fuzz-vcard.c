/* fuzz-vcard: the virtual card's APDU dispatcher driven with command sequences.
 *
 * Input: byte 0 chooses the card state, then records of len(1) || command APDU.
 *   bit 0  the SmartCard-HSM package and instance are installed
 *   bit 1  an SCP03 channel is open (the harness wraps every command with the host side of lib/scp, so the fuzzer
 *          reaches the authenticated GlobalPlatform commands); bits 2-3 choose level 01/03/13/33
 *   bit 4  life cycle SECURED instead of OP_READY
 *   bit 5  the SmartCard-HSM is selected and initialised first
 * The dispatcher must answer every command with a well-formed response and never crash. */
#include <stdint.h>
#include <string.h>

#include "apdu/cl-card-channel.h"
#include "cl-vcard-manufacture.h"
#include "cl-vcard-session.h"
#include "cl-vcard-transport.h"
#include "core/cl-hex.h"
#include "crypto/cl-plain-key-set.h"
#include "scp/cl-scp03.h"

static const guint8 key[16]
  = { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F };
static const guint8 schsm_aid[] = { 0xE8, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x81, 0xC3, 0x1F, 0x02, 0x01 };

static ClVcardImage *
make_image (guint8 state)
{
  g_autoptr (GBytes) k = g_bytes_new_static (key, sizeof key);
  ClVcardManufactureSpec spec = { CL_KEY_TYPE_AES, 0x30, k, k, k, 3, 0x70 };
  ClVcardImage *image = cl_vcard_manufacture (&spec, 0x100, 0, NULL);
  static const guint8 priv[3] = { 0 };

  if (state & 0x01)
    {
      g_autoptr (GBytes) package = g_bytes_new_static (schsm_aid, sizeof schsm_aid);
      cl_vcard_image_add_load_file (image, schsm_aid, sizeof schsm_aid);
      cl_vcard_image_add_applet (image, schsm_aid, sizeof schsm_aid, package, package, 0x07, priv);
    }
  if (state & 0x10)
    cl_vcard_image_set_life_cycle (image, CL_VCARD_LC_SECURED);
  return image;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const guint8 levels[4] = { 0x01, 0x03, 0x13, 0x33 };
  g_autoptr (ClVcardImage) image = NULL;
  g_autoptr (ClVcardSession) session = NULL;
  g_autoptr (ClVcardTransport) transport = NULL;
  g_autoptr (ClCardChannel) channel = NULL;
  g_autoptr (ClScp03) scp = NULL;
  guint8 state;
  gsize pos = 1;

  if (size < 1)
    return 0;
  state = data[0];
  image = make_image (state);
  session = cl_vcard_session_new (image);
  cl_vcard_session_set_random_seed (session, 1);
  transport = cl_vcard_transport_new (session);
  channel = cl_card_channel_new (CL_TRANSPORT (transport));

  if ((state & 0x21) == 0x21)
    {
      static const guint8 init[]
        = { 0x80, 0x50, 0x00, 0x00, 0x16, 0x80, 0x02, 0x00, 0x01, 0x81, 0x06, '6', '4',  '8',  '2',
            '1',  '9',  0x82, 0x08, '5',  '7',  '6',  '2',  '1',  '8',  '8',  '0', 0x91, 0x01, 0x03 };
      g_autoptr (GBytes) G_GNUC_UNUSED r1 = cl_vcard_session_transmit (
        session, (const guint8 *)"\x00\xA4\x04\x00\x0B\xE8\x2B\x06\x01\x04\x01\x81\xC3\x1F\x02\x01", 16);
      g_autoptr (GBytes) G_GNUC_UNUSED r2 = cl_vcard_session_transmit (session, init, sizeof init);
    }
  else if (state & 0x02)
    {
      g_autoptr (ClKeySet) kst = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x30, key, key, key, 16, NULL);
      scp = cl_scp03_open (channel, kst, 0x30, levels[(state >> 2) & 3], NULL, NULL, NULL);
    }

  while (pos < size)
    {
      gsize len = data[pos++];
      g_autoptr (GBytes) response = NULL;

      if (len > size - pos)
        len = size - pos;
      if (scp != NULL && len >= 4)
        {
          g_autoptr (ClApdu) apdu = cl_apdu_parse (data + pos, len, NULL);
          if (apdu != NULL)
            {
              g_autoptr (ClResponse) G_GNUC_UNUSED r = cl_card_channel_transmit (channel, apdu, NULL, NULL);
              pos += len;
              continue;
            }
        }
      response = cl_vcard_session_transmit (session, data + pos, len);
      /* a silent card is only allowed under the mute/tear defects, which the fuzzer cannot set */
      g_assert (response != NULL && g_bytes_get_size (response) >= 2);
      pos += len;
    }
  return 0;
}
