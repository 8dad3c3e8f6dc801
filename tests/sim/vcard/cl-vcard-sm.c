#include "cl-vcard-sm.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "crypto/cl-plain-key-set.h"
#include "scp/cl-scp-level.h"
#include "scp/cl-scp02-card.h"
#include "scp/cl-scp03-card.h"

struct _ClVcardSm
{
  ClKeySet *keys;
  guint8 scp;
  guint8 i;
  gboolean open;
  guint8 level;
  guint8 dek[32]; /* the card's own static DEK: PUT KEY data is decrypted with it */
  gsize dek_len;
  ClScp03Card *scp03;
  ClScp02Card *scp02;
};

void
cl_vcard_sm_free (ClVcardSm *sm)
{
  if (sm == NULL)
    return;
  g_clear_object (&sm->keys);
  g_clear_object (&sm->scp03);
  g_clear_object (&sm->scp02);
  cl_wipe (sm->dek, sizeof sm->dek);
  g_free (sm);
}

static ClKeySet *
key_set_from (ClVcardSm *sm, ClVcardKeys *keys, gboolean wrong_keys, GError **error)
{
  gsize len = g_bytes_get_size (keys->enc);
  g_autofree guint8 *enc = g_memdup2 (g_bytes_get_data (keys->enc, NULL), len);
  g_autofree guint8 *mac = g_memdup2 (g_bytes_get_data (keys->mac, NULL), len);
  g_autofree guint8 *dek = g_memdup2 (g_bytes_get_data (keys->dek, NULL), len);
  ClKeySet *set;

  if (wrong_keys)
    {
      /* Not the KST the customer agreed: the host's card cryptogram check fails as with a real mix-up. */
      enc[0] ^= 0x5A, mac[0] ^= 0x5A, dek[0] ^= 0x5A;
    }
  set = cl_plain_key_set_new (keys->type, keys->version, enc, mac, dek, len, error);
  sm->dek_len = MIN (len, sizeof sm->dek);
  memcpy (sm->dek, dek, sm->dek_len);
  cl_wipe (enc, len), cl_wipe (mac, len), cl_wipe (dek, len);
  return set;
}

static ClVcardSm *
begin_scp03 (ClVcardSm *sm, ClVcardKeys *keys, GBytes *kdd, GBytes *sd_aid, const ClApdu *command,
             const guint8 *fixed_challenge, ClResponse **response, GError **error)
{
  g_autoptr (GBytes) data = NULL;

  sm->scp03 = cl_scp03_card_new (sm->keys, g_bytes_get_data (kdd, NULL), sm->i, g_bytes_get_data (sd_aid, NULL),
                                 g_bytes_get_size (sd_aid));
  cl_scp03_card_set_sequence_counter (sm->scp03, keys->sequence);
  if (fixed_challenge)
    cl_scp03_card_set_next_card_challenge (sm->scp03, fixed_challenge);
  data = cl_scp03_card_initialize_update (sm->scp03, command, error);
  if (data == NULL)
    return NULL;
  keys->sequence = cl_scp03_card_get_sequence_counter (sm->scp03);
  *response = cl_response_new (g_bytes_get_data (data, NULL), g_bytes_get_size (data), 0x9000);
  return sm;
}

static ClVcardSm *
begin_scp02 (ClVcardSm *sm, ClVcardKeys *keys, GBytes *kdd, const ClApdu *command, const guint8 *fixed_challenge,
             ClResponse **response, GError **error)
{
  g_autoptr (GBytes) data = NULL;

  sm->scp02 = cl_scp02_card_new (sm->keys, g_bytes_get_data (kdd, NULL));
  cl_scp02_card_set_sequence_counter (sm->scp02, (guint16)keys->sequence);
  if (fixed_challenge)
    cl_scp02_card_set_next_card_challenge (sm->scp02, fixed_challenge);
  data = cl_scp02_card_initialize_update (sm->scp02, command, error);
  if (data == NULL)
    return NULL;
  keys->sequence = cl_scp02_card_get_sequence_counter (sm->scp02);
  *response = cl_response_new (g_bytes_get_data (data, NULL), g_bytes_get_size (data), 0x9000);
  return sm;
}

ClVcardSm *
cl_vcard_sm_begin (ClVcardKeys *keys, GBytes *kdd, GBytes *sd_aid, const ClApdu *initialize_update, gboolean wrong_keys,
                   const guint8 *fixed_challenge, ClResponse **response, GError **error)
{
  g_autoptr (ClVcardSm) sm = g_new0 (ClVcardSm, 1);
  sm->scp = keys->scp;
  sm->i = keys->i;
  sm->keys = key_set_from (sm, keys, wrong_keys, error);
  if (sm->keys == NULL)
    return NULL;
  if (sm->scp == 0x03)
    return begin_scp03 (sm, keys, kdd, sd_aid, initialize_update, fixed_challenge, response, error)
             ? g_steal_pointer (&sm)
             : NULL;
  if (sm->scp == 0x02)
    return begin_scp02 (sm, keys, kdd, initialize_update, fixed_challenge, response, error) ? g_steal_pointer (&sm)
                                                                                            : NULL;
  g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED, "SCP%02X is not supported by the virtual card", sm->scp);
  return NULL;
}

gboolean
cl_vcard_sm_authenticate (ClVcardSm *sm, const ClApdu *apdu, GError **error)
{
  if (sm->scp02)
    {
      if (!cl_scp02_card_external_authenticate (sm->scp02, apdu, error))
        return FALSE;
      sm->level = cl_scp02_card_get_level (sm->scp02);
      sm->open = TRUE;
      return TRUE;
    }
  if (!cl_scp03_card_external_authenticate (sm->scp03, apdu, error))
    return FALSE;
  sm->level = cl_scp03_card_get_level (sm->scp03);
  sm->open = TRUE;
  return TRUE;
}

gboolean
cl_vcard_sm_is_open (ClVcardSm *sm)
{
  return sm->open;
}

guint8
cl_vcard_sm_get_level (ClVcardSm *sm)
{
  return sm->level;
}

guint8
cl_vcard_sm_get_key_version (ClVcardSm *sm)
{
  return cl_key_set_get_version (sm->keys);
}

ClKeyType
cl_vcard_sm_get_key_type (ClVcardSm *sm)
{
  return cl_key_set_get_key_type (sm->keys);
}

ClApdu *
cl_vcard_sm_unwrap (ClVcardSm *sm, const ClApdu *command, GError **error)
{
  ClApdu *plain = sm->scp02 ? cl_scp02_card_unwrap_command (sm->scp02, command, error)
                            : cl_scp03_card_unwrap_command (sm->scp03, command, error);

  if (plain == NULL)
    sm->open = FALSE;
  return plain;
}

ClResponse *
cl_vcard_sm_wrap (ClVcardSm *sm, const ClResponse *response, GError **error)
{
  if (sm->scp02)
    return cl_scp02_card_wrap_response (sm->scp02, response, error);
  return cl_scp03_card_wrap_response (sm->scp03, response, error);
}

GBytes *
cl_vcard_sm_decrypt_key (ClVcardSm *sm, const guint8 *data, gsize len, GError **error)
{
  guint8 *out;

  if (sm->scp02)
    {
      const guint8 *session_dek = cl_scp02_card_get_session_dek (sm->scp02);
      if (session_dek == NULL || len == 0 || len % 8 != 0)
        return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "PUT KEY: key data is not whole 3DES blocks"), NULL;
      out = g_malloc (len);
      if (!cl_cipher_decrypt (CL_CIPHER_DES3, CL_CIPHER_MODE_ECB, session_dek, 16, NULL, data, len, out, error))
        {
          g_free (out);
          return NULL;
        }
      return g_bytes_new_take (out, len);
    }
  if (len == 0 || len % 16 != 0)
    return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "PUT KEY: key data is not whole AES blocks"), NULL;
  out = g_malloc (len);
  if (!cl_cipher_decrypt (CL_CIPHER_AES, CL_CIPHER_MODE_CBC, sm->dek, sm->dek_len, NULL, data, len, out, error))
    {
      g_free (out);
      return NULL;
    }
  return g_bytes_new_take (out, len);
}
