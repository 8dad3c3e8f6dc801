#include "keys/cl-emv.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "core/cl-secure-buffer.h"
#include "p11/cl-p11-error.h"

static gboolean
all_digits (const char *s, gsize min, gsize max, const char *what, GError **error)
{
  gsize n = s != NULL ? strlen (s) : 0;

  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (s[i]))
      n = 0;
  if (n < min || n > max)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "The %s must be %zu..%zu digits", what, min, max);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_emv_option_a_data (const char *pan, const char *psn, guint8 out[16], GError **error)
{
  g_autofree char *digits = NULL;
  char y[17];
  gsize len;

  if (psn == NULL)
    psn = "00";
  if (!all_digits (pan, 12, 19, "PAN", error) || !all_digits (psn, 2, 2, "PAN sequence number", error))
    return FALSE;
  digits = g_strconcat (pan, psn, NULL);
  len = strlen (digits);
  if (len >= 16)
    memcpy (y, digits + len - 16, 16);
  else
    {
      memset (y, '0', 16 - len);
      memcpy (y + 16 - len, digits, len);
    }
  for (guint i = 0; i < 8; i++)
    {
      out[i] = (guint8)((y[2 * i] - '0') << 4 | (y[2 * i + 1] - '0'));
      out[i + 8] = out[i] ^ 0xFF;
    }
  return TRUE;
}

gboolean
cl_emv_option_a_host (const guint8 imk[16], const char *pan, const char *psn, guint8 out[16], GError **error)
{
  guint8 data[16];

  if (!cl_emv_option_a_data (pan, psn, data, error)
      || !cl_cipher_encrypt (CL_CIPHER_DES3, CL_CIPHER_MODE_ECB, imk, 16, NULL, data, 16, out, error))
    return FALSE;
  for (guint i = 0; i < 16; i++)
    {
      guint8 b = out[i] & 0xFE;
      out[i] = b | (__builtin_parity (b) ? 0 : 1);
    }
  return TRUE;
}

gboolean
cl_emv_option_a_derive (ClP11Token *token, CK_OBJECT_HANDLE imk, const char *pan, const char *psn,
                        CK_OBJECT_HANDLE *out, GError **error)
{
  g_autoptr (ClP11Session) session = NULL;
  guint8 data[16];
  CK_KEY_DERIVATION_STRING_DATA params = { data, sizeof data };
  CK_MECHANISM mech = { CKM_DES3_ECB_ENCRYPT_DATA, &params, sizeof params };
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_DES2;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &type, sizeof type }, { CKA_TOKEN, &no, sizeof no },
    { CKA_SENSITIVE, &yes, sizeof yes }, { CKA_EXTRACTABLE, &no, sizeof no },  { CKA_ENCRYPT, &yes, sizeof yes },
    { CKA_DERIVE, &yes, sizeof yes },
  };
  CK_RV rv;

  if (!cl_emv_option_a_data (pan, psn, data, error))
    return FALSE;
  session = cl_p11_token_acquire_session (token, error);
  if (session == NULL)
    return FALSE;
  rv = session->f->C_DeriveKey (session->handle, &mech, imk, tmpl, G_N_ELEMENTS (tmpl), out);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "EMV option A derivation with CKM_DES3_ECB_ENCRYPT_DATA");
  return TRUE;
}

gboolean
cl_pin_block_iso0 (const char *pin, const char *pan, guint8 out[8], GError **error)
{
  gsize pin_len = pin != NULL ? strlen (pin) : 0, pan_len;
  guint8 nib[16];

  if (!all_digits (pin, 4, 12, "PIN", error) || !all_digits (pan, 13, 19, "PAN", error))
    return FALSE;
  pan_len = strlen (pan);
  nib[0] = 0;
  nib[1] = (guint8)pin_len;
  for (gsize i = 0; i < 14; i++)
    nib[2 + i] = i < pin_len ? (guint8)(pin[i] - '0') : 0xF;
  /* 12 rightmost digits without the check digit, behind four zero nibbles. */
  for (gsize i = 0; i < 12; i++)
    nib[4 + i] ^= (guint8)(pan[pan_len - 13 + i] - '0');
  for (guint i = 0; i < 8; i++)
    out[i] = (guint8)(nib[2 * i] << 4 | nib[2 * i + 1]);
  cl_wipe (nib, sizeof nib);
  return TRUE;
}

gboolean
cl_pin_block_iso0_encrypt (ClP11Token *token, CK_OBJECT_HANDLE pin_key, const char *pin, const char *pan, guint8 out[8],
                           GError **error)
{
  g_autoptr (ClSecureBuffer) block = cl_secure_buffer_new (8);
  g_autoptr (ClP11Session) session = NULL;
  CK_MECHANISM mech = { CKM_DES3_ECB, NULL, 0 };
  CK_ULONG out_len = 8;
  CK_RV rv;

  if (!cl_pin_block_iso0 (pin, pan, block->data, error))
    return FALSE;
  session = cl_p11_token_acquire_session (token, error);
  if (session == NULL)
    return FALSE;
  rv = session->f->C_EncryptInit (session->handle, &mech, pin_key);
  if (rv == CKR_OK)
    rv = session->f->C_Encrypt (session->handle, block->data, 8, out, &out_len);
  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "Encrypting the PIN block with CKM_DES3_ECB");
  return TRUE;
}
