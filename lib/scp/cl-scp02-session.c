#include "scp/cl-scp02-session.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "scp/cl-scp-level.h"

#define SCP02_MAC_LEN 8

gboolean
cl_scp02_derive_session_key (ClKeySet *keys, ClKeyRole role, guint16 constant, const guint8 seq[2], guint8 out[16],
                             GError **error)
{
  guint8 block[16] = { constant >> 8, constant & 0xFF, seq[0], seq[1] };
  g_autoptr (GBytes) key = NULL;

  if (cl_key_set_get_key_type (keys) != CL_KEY_TYPE_DES3)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "SCP02 needs a 3DES key set");
      return FALSE;
    }
  key = cl_key_set_encrypt (keys, role, CL_CIPHER_CBC_ZERO_IV, block, sizeof block, error);
  if (key == NULL)
    return FALSE;
  if (g_bytes_get_size (key) != 16)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_CRYPTO, "SCP02 session key derivation returned %" G_GSIZE_FORMAT " bytes",
                   g_bytes_get_size (key));
      return FALSE;
    }
  memcpy (out, g_bytes_get_data (key, NULL), 16);
  cl_wipe ((gpointer)g_bytes_get_data (key, NULL), 16);
  return TRUE;
}

gboolean
cl_scp02_session_derive (ClScp02Session *session, ClKeySet *keys, const guint8 host_challenge[8], const guint8 seq[2],
                         const guint8 card_challenge[6], GError **error)
{
  cl_scp02_session_clear (session);
  memcpy (session->host_challenge, host_challenge, 8);
  memcpy (session->seq, seq, 2);
  memcpy (session->card_challenge, card_challenge, 6);
  return cl_scp02_derive_session_key (keys, CL_KEY_ROLE_ENC, CL_SCP02_DERIVE_S_ENC, seq, session->s_enc, error)
         && cl_scp02_derive_session_key (keys, CL_KEY_ROLE_MAC, CL_SCP02_DERIVE_C_MAC, seq, session->c_mac, error)
         && cl_scp02_derive_session_key (keys, CL_KEY_ROLE_MAC, CL_SCP02_DERIVE_R_MAC, seq, session->r_mac, error)
         && cl_scp02_derive_session_key (keys, CL_KEY_ROLE_DEK, CL_SCP02_DERIVE_S_DEK, seq, session->s_dek, error);
}

gboolean
cl_scp02_session_cryptogram (ClScp02Session *session, gboolean card, guint8 out[8], GError **error)
{
  guint8 input[16];

  if (card)
    {
      memcpy (input, session->host_challenge, 8);
      memcpy (input + 8, session->seq, 2);
      memcpy (input + 10, session->card_challenge, 6);
    }
  else
    {
      memcpy (input, session->seq, 2);
      memcpy (input + 2, session->card_challenge, 6);
      memcpy (input + 8, session->host_challenge, 8);
    }
  return cl_des3_mac (session->s_enc, 16, NULL, input, sizeof input, out, error);
}

void
cl_scp02_session_clear (ClScp02Session *session)
{
  cl_wipe (session, sizeof *session);
}

gsize
cl_scp02_max_plain_data (guint8 level)
{
  return cl_scp02_max_plain_data_within (level, 255);
}

gsize
cl_scp02_max_plain_data_within (guint8 level, gsize max_wire_data)
{
  max_wire_data = MIN (max_wire_data, 255);
  if ((level & (CL_SCP_LEVEL_C_DEC | CL_SCP_LEVEL_C_MAC)) && max_wire_data < 8 + SCP02_MAC_LEN)
    return 0;
  /* C-DEC pads to whole DES blocks with at least one byte (80) */
  if (level & CL_SCP_LEVEL_C_DEC)
    return (max_wire_data - SCP02_MAC_LEN) / 8 * 8 - 1;
  if (level & CL_SCP_LEVEL_C_MAC)
    return max_wire_data - SCP02_MAC_LEN;
  return max_wire_data;
}

/* Retail MAC over CLA|04 INS P1 P2 (Lc + 8) plain data, with the ICV encrypted under the first C-MAC key half. */
static gboolean
command_mac (ClScp02Session *session, const ClApdu *apdu, const guint8 *data, gsize len, guint8 mac[8], GError **error)
{
  g_autoptr (GByteArray) input = g_byte_array_sized_new (5 + len);
  guint8 icv[8] = { 0 };

  if (len + SCP02_MAC_LEN > 255)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "SCP02 command data of %" G_GSIZE_FORMAT " bytes does not fit one short APDU with its C-MAC", len);
      return FALSE;
    }
  if (session->icv_set
      && !cl_cipher_encrypt (CL_CIPHER_DES, CL_CIPHER_MODE_ECB, session->c_mac, 8, NULL, session->icv, 8, icv, error))
    return FALSE;
  g_byte_array_append (
    input, (const guint8[]){ apdu->cla | 0x04, apdu->ins, apdu->p1, apdu->p2, (guint8)(len + SCP02_MAC_LEN) }, 5);
  if (len)
    g_byte_array_append (input, data, len);
  return cl_retail_mac (session->c_mac, 16, icv, input->data, input->len, mac, error);
}

ClApdu *
cl_scp02_session_wrap_command (ClScp02Session *session, const ClApdu *plain, gboolean force_mac, GError **error)
{
  gsize len = 0;
  const guint8 *data = plain->data ? g_bytes_get_data (plain->data, &len) : NULL;
  g_autofree guint8 *enc = NULL;
  gsize enc_len = 0;
  g_autoptr (GByteArray) out = NULL;
  guint8 mac[8];
  ClApdu *wrapped;

  if (!force_mac && !(session->level & CL_SCP_LEVEL_C_MAC))
    return cl_apdu_copy (plain);
  if (!command_mac (session, plain, data, len, mac, error))
    return NULL;
  memcpy (session->icv, mac, 8);
  session->icv_set = TRUE;
  out = g_byte_array_sized_new (len + 16);
  if ((session->level & CL_SCP_LEVEL_C_DEC) && !force_mac && len > 0)
    {
      enc = cl_pad_iso9797_m2 (data, len, 8, &enc_len);
      if (!cl_cipher_encrypt (CL_CIPHER_DES3, CL_CIPHER_MODE_CBC, session->s_enc, 16, NULL, enc, enc_len, enc, error))
        return NULL;
      g_byte_array_append (out, enc, enc_len);
    }
  else if (len)
    g_byte_array_append (out, data, len);
  g_byte_array_append (out, mac, 8);
  wrapped = cl_apdu_new (plain->cla | 0x04, plain->ins, plain->p1, plain->p2, out->data, out->len, plain->ne);
  wrapped->flags = plain->flags;
  return wrapped;
}

ClApdu *
cl_scp02_session_unwrap_command (ClScp02Session *session, const ClApdu *wrapped, gboolean force_mac, GError **error)
{
  gsize len = 0;
  const guint8 *data = wrapped->data ? g_bytes_get_data (wrapped->data, &len) : NULL;
  g_autofree guint8 *plain = NULL;
  gsize plain_len = 0;
  guint8 mac[8];

  if (!force_mac && !(session->level & CL_SCP_LEVEL_C_MAC))
    return cl_apdu_copy (wrapped);
  if (!(wrapped->cla & 0x04) || len < SCP02_MAC_LEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "Command %02X %02X (%" G_GSIZE_FORMAT " bytes) lacks the SCP02 C-MAC", wrapped->cla, wrapped->ins,
                   len);
      return NULL;
    }
  len -= SCP02_MAC_LEN;
  if ((session->level & CL_SCP_LEVEL_C_DEC) && !force_mac && len > 0)
    {
      if (len % 8 != 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "SCP02 encrypted data of %" G_GSIZE_FORMAT " bytes is not a multiple of 8", len);
          return NULL;
        }
      plain = g_malloc (len);
      if (!cl_cipher_decrypt (CL_CIPHER_DES3, CL_CIPHER_MODE_CBC, session->s_enc, 16, NULL, data, len, plain, error))
        return NULL;
      if (!cl_unpad_iso9797_m2 (plain, len, &plain_len))
        {
          cl_wipe (plain, len);
          g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "SCP02 decrypted command data has no valid padding");
          return NULL;
        }
    }
  else
    {
      plain = g_memdup2 (data, len ? len : 1);
      plain_len = len;
    }
  if (!command_mac (session, wrapped, plain, plain_len, mac, error))
    return NULL;
  if (!cl_memeq_const (mac, data + (wrapped->data ? g_bytes_get_size (wrapped->data) : 0) - SCP02_MAC_LEN, 8))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "SCP02 C-MAC of command %02X %02X does not verify", wrapped->cla,
                   wrapped->ins);
      return NULL;
    }
  memcpy (session->icv, mac, 8);
  session->icv_set = TRUE;
  return cl_apdu_new (wrapped->cla & ~0x04, wrapped->ins, wrapped->p1, wrapped->p2, plain, plain_len, wrapped->ne);
}
