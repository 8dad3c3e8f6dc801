#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"

/* Fetched once: fetching is the expensive part of a CMAC and the secure channel runs several per APDU. */
static EVP_MAC *
cmac_algorithm (void)
{
  static gsize once = 0;
  static EVP_MAC *mac = NULL;

  if (g_once_init_enter (&once))
    {
      mac = EVP_MAC_fetch (NULL, "CMAC", NULL);
      g_once_init_leave (&once, 1);
    }
  return mac;
}

gboolean
cl_aes_cmac (const guint8 *key, gsize key_len, const guint8 *data, gsize len, guint8 out[16], GError **error)
{
  EVP_MAC *mac = cmac_algorithm ();
  EVP_MAC_CTX *ctx;
  const char *cipher;
  OSSL_PARAM params[2];
  size_t out_len = 0;
  gboolean ok;

  switch (key_len)
    {
      case 16:
        cipher = "AES-128-CBC";
        break;
      case 24:
        cipher = "AES-192-CBC";
        break;
      case 32:
        cipher = "AES-256-CBC";
        break;
      default:
        g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                     "AES-CMAC needs a 16, 24 or 32-byte key, not %" G_GSIZE_FORMAT, key_len);
        return FALSE;
    }
  if (mac == NULL)
    {
      cl_crypto_set_error (error, "Fetching CMAC");
      return FALSE;
    }
  params[0] = OSSL_PARAM_construct_utf8_string (OSSL_MAC_PARAM_CIPHER, (char *)cipher, 0);
  params[1] = OSSL_PARAM_construct_end ();
  ctx = EVP_MAC_CTX_new (mac);
  ok = ctx != NULL && EVP_MAC_init (ctx, key, key_len, params) && EVP_MAC_update (ctx, data, len)
       && EVP_MAC_final (ctx, out, &out_len, 16) && out_len == 16;
  EVP_MAC_CTX_free (ctx);
  if (!ok)
    {
      cl_crypto_set_error (error, "AES-CMAC");
      return FALSE;
    }
  return TRUE;
}

guint8 *
cl_pad_iso9797_m2 (const guint8 *data, gsize len, gsize block, gsize *out_len)
{
  gsize padded = (len / block + 1) * block;
  guint8 *out = g_malloc0 (padded);

  if (len > 0)
    memcpy (out, data, len);
  out[len] = 0x80;
  *out_len = padded;
  return out;
}

gboolean
cl_unpad_iso9797_m2 (const guint8 *data, gsize len, gsize *out_len)
{
  gsize i = len;

  while (i > 0 && data[i - 1] == 0x00)
    i--;
  if (i == 0 || data[i - 1] != 0x80)
    return FALSE;
  *out_len = i - 1;
  return TRUE;
}

static gboolean
check_des3_key (gsize key_len, const char *what, GError **error)
{
  if (key_len == 16 || key_len == 24)
    return TRUE;
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s needs a 16 or 24-byte 3DES key, not %" G_GSIZE_FORMAT,
               what, key_len);
  return FALSE;
}

gboolean
cl_retail_mac (const guint8 *key, gsize key_len, const guint8 *icv, const guint8 *data, gsize len, guint8 out[8],
               GError **error)
{
  g_autofree guint8 *padded = NULL;
  gsize padded_len = 0;
  guint8 chain[8] = { 0 };
  gboolean ok = TRUE;

  if (!check_des3_key (key_len, "Retail MAC", error))
    return FALSE;
  padded = cl_pad_iso9797_m2 (data, len, 8, &padded_len);
  if (icv)
    memcpy (chain, icv, 8);
  /* All blocks but the last under single DES K1, CBC; the last under 3DES. */
  if (padded_len > 8)
    {
      g_autofree guint8 *tmp = g_malloc (padded_len - 8);
      ok = cl_cipher_encrypt (CL_CIPHER_DES, CL_CIPHER_MODE_CBC, key, 8, chain, padded, padded_len - 8, tmp, error);
      if (ok)
        memcpy (chain, tmp + padded_len - 16, 8);
    }
  if (ok)
    ok = cl_cipher_encrypt (CL_CIPHER_DES3, CL_CIPHER_MODE_CBC, key, key_len, chain, padded + padded_len - 8, 8, out,
                            error);
  cl_wipe (chain, sizeof chain);
  return ok;
}

gboolean
cl_des3_mac (const guint8 *key, gsize key_len, const guint8 *icv, const guint8 *data, gsize len, guint8 out[8],
             GError **error)
{
  g_autofree guint8 *padded = NULL;
  g_autofree guint8 *tmp = NULL;
  gsize padded_len = 0;

  if (!check_des3_key (key_len, "3DES MAC", error))
    return FALSE;
  padded = cl_pad_iso9797_m2 (data, len, 8, &padded_len);
  tmp = g_malloc (padded_len);
  if (!cl_cipher_encrypt (CL_CIPHER_DES3, CL_CIPHER_MODE_CBC, key, key_len, icv, padded, padded_len, tmp, error))
    return FALSE;
  memcpy (out, tmp + padded_len - 8, 8);
  return TRUE;
}
