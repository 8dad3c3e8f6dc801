#include "scp/cl-scp03-session.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "scp/cl-scp-level.h"

#define SCP03_MAC_LEN 8

/* CMAC input of block n: 00*11 || constant || 00 || L || n || context. */
static guint8 *
kdf_input (guint8 constant, guint16 l_bits, guint8 n, const guint8 *context, gsize context_len, gsize *len)
{
  guint8 *input = g_malloc0 (16 + context_len);

  input[11] = constant;
  input[13] = (guint8)(l_bits >> 8);
  input[14] = (guint8)l_bits;
  input[15] = n;
  if (context_len)
    memcpy (input + 16, context, context_len);
  *len = 16 + context_len;
  return input;
}

static gboolean
kdf (ClKeySet *keys, ClKeyRole role, const guint8 *key, gsize key_len, guint8 constant, guint16 l_bits,
     const guint8 *context, gsize context_len, guint8 *out, GError **error)
{
  gsize out_len = l_bits / 8;

  if (l_bits == 0 || l_bits % 64 != 0 || out_len > 32)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "SCP03 KDF cannot produce %u bits", l_bits);
      return FALSE;
    }
  for (guint8 n = 1; (gsize)(n - 1) * 16 < out_len; n++)
    {
      gsize input_len = 0;
      g_autofree guint8 *input = kdf_input (constant, l_bits, n, context, context_len, &input_len);
      guint8 block[16];
      gboolean ok = keys ? cl_key_set_cmac (keys, role, input, input_len, block, error)
                         : cl_aes_cmac (key, key_len, input, input_len, block, error);

      if (!ok)
        return FALSE;
      memcpy (out + (n - 1) * 16, block, MIN (16, out_len - (n - 1) * 16));
      cl_wipe (block, sizeof block);
    }
  return TRUE;
}

gboolean
cl_scp03_kdf (ClKeySet *keys, ClKeyRole role, guint8 constant, guint16 l_bits, const guint8 *context, gsize context_len,
              guint8 *out, GError **error)
{
  g_return_val_if_fail (CL_IS_KEY_SET (keys), FALSE);
  return kdf (keys, role, NULL, 0, constant, l_bits, context, context_len, out, error);
}

gboolean
cl_scp03_kdf_with_key (const guint8 *key, gsize key_len, guint8 constant, guint16 l_bits, const guint8 *context,
                       gsize context_len, guint8 *out, GError **error)
{
  return kdf (NULL, 0, key, key_len, constant, l_bits, context, context_len, out, error);
}

gboolean
cl_scp03_card_challenge (ClKeySet *keys, const guint8 seq[3], const guint8 *sd_aid, gsize sd_aid_len, guint8 out[8],
                         GError **error)
{
  g_autofree guint8 *context = g_malloc (3 + sd_aid_len);

  memcpy (context, seq, 3);
  if (sd_aid_len)
    memcpy (context + 3, sd_aid, sd_aid_len);
  return cl_scp03_kdf (keys, CL_KEY_ROLE_ENC, CL_SCP03_DERIVE_CARD_CHALLENGE, 64, context, 3 + sd_aid_len, out, error);
}

gboolean
cl_scp03_session_derive (ClScp03Session *session, ClKeySet *keys, const guint8 host_challenge[8],
                         const guint8 card_challenge[8], GError **error)
{
  guint8 context[16];
  gsize key_len = cl_key_set_get_key_length (keys);
  guint16 bits = (guint16)(key_len * 8);

  if (cl_key_set_get_key_type (keys) != CL_KEY_TYPE_AES || (key_len != 16 && key_len != 24 && key_len != 32))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "SCP03 needs an AES-128/192/256 key set");
      return FALSE;
    }
  cl_scp03_session_clear (session);
  session->key_len = key_len;
  memcpy (session->host_challenge, host_challenge, 8);
  memcpy (session->card_challenge, card_challenge, 8);
  memcpy (context, host_challenge, 8);
  memcpy (context + 8, card_challenge, 8);
  return cl_scp03_kdf (keys, CL_KEY_ROLE_ENC, CL_SCP03_DERIVE_S_ENC, bits, context, 16, session->s_enc, error)
         && cl_scp03_kdf (keys, CL_KEY_ROLE_MAC, CL_SCP03_DERIVE_S_MAC, bits, context, 16, session->s_mac, error)
         && cl_scp03_kdf (keys, CL_KEY_ROLE_MAC, CL_SCP03_DERIVE_S_RMAC, bits, context, 16, session->s_rmac, error);
}

gboolean
cl_scp03_session_cryptogram (ClScp03Session *session, guint8 constant, guint8 out[8], GError **error)
{
  guint8 context[16];

  memcpy (context, session->host_challenge, 8);
  memcpy (context + 8, session->card_challenge, 8);
  return cl_scp03_kdf_with_key (session->s_mac, session->key_len, constant, 64, context, 16, out, error);
}

void
cl_scp03_session_clear (ClScp03Session *session)
{
  cl_wipe (session, sizeof *session);
}

gsize
cl_scp03_max_plain_data (guint8 level)
{
  return cl_scp03_max_plain_data_within (level, 255); /* with C-DEC 239: padded to 240, plus the MAC: 248 */
}

gsize
cl_scp03_max_plain_data_within (guint8 level, gsize max_wire_data)
{
  max_wire_data = MIN (max_wire_data, 65535);
  if ((level & (CL_SCP_LEVEL_C_DEC | CL_SCP_LEVEL_C_MAC)) && max_wire_data < 16 + SCP03_MAC_LEN)
    return 0;
  /* C-DEC pads to whole AES blocks with at least one byte (80) */
  if (level & CL_SCP_LEVEL_C_DEC)
    return (max_wire_data - SCP03_MAC_LEN) / 16 * 16 - 1;
  if (level & CL_SCP_LEVEL_C_MAC)
    return max_wire_data - SCP03_MAC_LEN;
  return max_wire_data;
}

/* CMAC(S-MAC, chain || CLA INS P1 P2 || Lc || data) where Lc counts the MAC; the full result is the next chain. */
static gboolean
command_mac (ClScp03Session *session, guint8 cla, const ClApdu *apdu, const guint8 *data, gsize len, guint8 mac[16],
             GError **error)
{
  g_autoptr (GByteArray) input = g_byte_array_sized_new (16 + 7 + len);
  gsize lc = len + SCP03_MAC_LEN;

  g_byte_array_append (input, session->chain, 16);
  g_byte_array_append (input, (const guint8[]){ cla, apdu->ins, apdu->p1, apdu->p2 }, 4);
  if (lc <= 255)
    g_byte_array_append (input, (const guint8[]){ (guint8)lc }, 1);
  else
    g_byte_array_append (input, (const guint8[]){ 0, (guint8)(lc >> 8), (guint8)lc }, 3);
  if (len)
    g_byte_array_append (input, data, len);
  return cl_aes_cmac (session->s_mac, session->key_len, input->data, input->len, mac, error);
}

/* The IV of command (0x00) or response (0x80) encryption: AES(S-ENC, marker || 00.. || counter). */
static gboolean
counter_iv (ClScp03Session *session, guint8 marker, guint8 iv[16], GError **error)
{
  guint8 block[16] = { 0 };

  block[0] = marker;
  block[12] = (guint8)(session->counter >> 24);
  block[13] = (guint8)(session->counter >> 16);
  block[14] = (guint8)(session->counter >> 8);
  block[15] = (guint8)session->counter;
  return cl_cipher_encrypt (CL_CIPHER_AES, CL_CIPHER_MODE_ECB, session->s_enc, session->key_len, NULL, block, 16, iv,
                            error);
}

static GBytes *
encrypt_padded (ClScp03Session *session, guint8 marker, const guint8 *data, gsize len, GError **error)
{
  gsize padded_len = 0;
  g_autofree guint8 *padded = cl_pad_iso9797_m2 (data, len, 16, &padded_len);
  guint8 iv[16];

  if (!counter_iv (session, marker, iv, error)
      || !cl_cipher_encrypt (CL_CIPHER_AES, CL_CIPHER_MODE_CBC, session->s_enc, session->key_len, iv, padded,
                             padded_len, padded, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&padded), padded_len);
}

static GBytes *
decrypt_unpad (ClScp03Session *session, guint8 marker, const guint8 *data, gsize len, const char *what, GError **error)
{
  g_autofree guint8 *plain = NULL;
  guint8 iv[16];
  gsize plain_len = 0;

  if (len == 0 || len % 16 != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "%s: encrypted data of %" G_GSIZE_FORMAT " bytes is not a multiple of 16", what, len);
      return NULL;
    }
  plain = g_malloc (len);
  if (!counter_iv (session, marker, iv, error)
      || !cl_cipher_decrypt (CL_CIPHER_AES, CL_CIPHER_MODE_CBC, session->s_enc, session->key_len, iv, data, len, plain,
                             error))
    return NULL;
  if (!cl_unpad_iso9797_m2 (plain, len, &plain_len))
    {
      cl_wipe (plain, len);
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "%s: decrypted data has no valid ISO 9797-1 padding", what);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&plain), plain_len);
}

ClApdu *
cl_scp03_session_wrap_command (ClScp03Session *session, const ClApdu *plain, gboolean force_mac, GError **error)
{
  g_autoptr (GBytes) data = plain->data ? g_bytes_ref (plain->data) : NULL;
  gsize len = data ? g_bytes_get_size (data) : 0;
  gboolean mac = force_mac || (session->level & CL_SCP_LEVEL_C_MAC);
  g_autoptr (GByteArray) out = NULL;
  guint8 cmac[16];
  guint8 cla = plain->cla | 0x04;
  ClApdu *wrapped;

  if (!force_mac)
    session->counter++;
  if (!mac)
    return cl_apdu_copy (plain);
  if ((session->level & CL_SCP_LEVEL_C_DEC) && !force_mac && len > 0)
    {
      GBytes *enc = encrypt_padded (session, 0x00, g_bytes_get_data (data, NULL), len, error);
      if (enc == NULL)
        return NULL;
      g_bytes_unref (data);
      data = enc;
      len = g_bytes_get_size (data);
    }
  if (len + SCP03_MAC_LEN > 65535)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Command data of %" G_GSIZE_FORMAT " bytes is too long for SCP03", len);
      return NULL;
    }
  if (!command_mac (session, cla, plain, data ? g_bytes_get_data (data, NULL) : NULL, len, cmac, error))
    return NULL;
  memcpy (session->chain, cmac, 16);
  out = g_byte_array_sized_new (len + SCP03_MAC_LEN);
  if (len)
    g_byte_array_append (out, g_bytes_get_data (data, NULL), len);
  g_byte_array_append (out, cmac, SCP03_MAC_LEN);
  wrapped = cl_apdu_new (cla, plain->ins, plain->p1, plain->p2, out->data, out->len, plain->ne);
  wrapped->flags = plain->flags;
  return wrapped;
}

static gboolean
response_mac (ClScp03Session *session, const guint8 *data, gsize len, guint16 sw, guint8 mac[16], GError **error)
{
  g_autoptr (GByteArray) input = g_byte_array_sized_new (16 + len + 2);

  g_byte_array_append (input, session->chain, 16);
  if (len)
    g_byte_array_append (input, data, len);
  g_byte_array_append (input, (const guint8[]){ sw >> 8, sw & 0xFF }, 2);
  return cl_aes_cmac (session->s_rmac, session->key_len, input->data, input->len, mac, error);
}

ClResponse *
cl_scp03_session_unwrap_response (ClScp03Session *session, const ClResponse *response, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (response->data, &len);
  g_autoptr (GBytes) plain = NULL;
  guint8 mac[16];

  if (!(session->level & CL_SCP_LEVEL_R_MAC))
    return cl_response_copy (response);
  /* A card that rejects a command may answer with the bare status word. */
  if (len == 0 && response->sw != 0x9000 && (response->sw & 0xFF00) != 0x6200 && (response->sw & 0xFF00) != 0x6300)
    return cl_response_copy (response);
  if (len < SCP03_MAC_LEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "SCP03 response of %" G_GSIZE_FORMAT " bytes (SW %04X) is too short to carry an R-MAC", len,
                   response->sw);
      return NULL;
    }
  len -= SCP03_MAC_LEN;
  if (!response_mac (session, data, len, response->sw, mac, error))
    return NULL;
  if (!cl_memeq_const (mac, data + len, SCP03_MAC_LEN))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "SCP03 R-MAC of the response (SW %04X) does not verify",
                   response->sw);
      return NULL;
    }
  if ((session->level & CL_SCP_LEVEL_R_ENC) && len > 0)
    {
      plain = decrypt_unpad (session, 0x80, data, len, "SCP03 R-ENC", error);
      if (plain == NULL)
        return NULL;
      return cl_response_new (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), response->sw);
    }
  return cl_response_new (data, len, response->sw);
}

ClApdu *
cl_scp03_session_unwrap_command (ClScp03Session *session, const ClApdu *wrapped, gboolean force_mac, GError **error)
{
  gsize len = 0;
  const guint8 *data = wrapped->data ? g_bytes_get_data (wrapped->data, &len) : NULL;
  gboolean mac = force_mac || (session->level & CL_SCP_LEVEL_C_MAC);
  g_autoptr (GBytes) plain = NULL;
  guint8 cmac[16];
  ClApdu *result;

  if (!mac)
    {
      session->counter++;
      return cl_apdu_copy (wrapped);
    }
  if (!(wrapped->cla & 0x04))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "Command %02X %02X lacks secure messaging (CLA bit 04) inside an SCP03 session", wrapped->cla,
                   wrapped->ins);
      return NULL;
    }
  if (len < SCP03_MAC_LEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY,
                   "Command %02X %02X carries %" G_GSIZE_FORMAT " bytes, too few for a C-MAC", wrapped->cla,
                   wrapped->ins, len);
      return NULL;
    }
  len -= SCP03_MAC_LEN;
  if (!command_mac (session, wrapped->cla, wrapped, data, len, cmac, error))
    return NULL;
  if (!cl_memeq_const (cmac, data + len, SCP03_MAC_LEN))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "C-MAC of command %02X %02X does not verify", wrapped->cla,
                   wrapped->ins);
      return NULL;
    }
  memcpy (session->chain, cmac, 16);
  if (!force_mac)
    session->counter++;
  if ((session->level & CL_SCP_LEVEL_C_DEC) && !force_mac && len > 0)
    {
      plain = decrypt_unpad (session, 0x00, data, len, "SCP03 C-DEC", error);
      if (plain == NULL)
        return NULL;
    }
  else
    plain = g_bytes_new (data, len);
  result = cl_apdu_new (wrapped->cla & ~0x04, wrapped->ins, wrapped->p1, wrapped->p2, g_bytes_get_data (plain, NULL),
                        g_bytes_get_size (plain), wrapped->ne);
  return result;
}

ClResponse *
cl_scp03_session_wrap_response (ClScp03Session *session, const ClResponse *plain, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (plain->data, &len);
  g_autoptr (GBytes) enc = NULL;
  g_autoptr (GByteArray) out = NULL;
  guint8 mac[16];

  if (!(session->level & CL_SCP_LEVEL_R_MAC))
    return cl_response_copy (plain);
  if ((session->level & CL_SCP_LEVEL_R_ENC) && len > 0)
    {
      enc = encrypt_padded (session, 0x80, data, len, error);
      if (enc == NULL)
        return NULL;
      data = g_bytes_get_data (enc, &len);
    }
  if (!response_mac (session, data, len, plain->sw, mac, error))
    return NULL;
  out = g_byte_array_sized_new (len + SCP03_MAC_LEN);
  if (len)
    g_byte_array_append (out, data, len);
  g_byte_array_append (out, mac, SCP03_MAC_LEN);
  return cl_response_new (out->data, out->len, plain->sw);
}
