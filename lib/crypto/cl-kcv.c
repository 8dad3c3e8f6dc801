#include <string.h>

#include "crypto/cl-crypto.h"

gboolean
cl_kcv_aes (const guint8 *key, gsize key_len, guint8 kcv[3], GError **error)
{
  guint8 block[16];

  memset (block, 0x01, sizeof block);
  if (!cl_cipher_encrypt (CL_CIPHER_AES, CL_CIPHER_MODE_ECB, key, key_len, NULL, block, 16, block, error))
    return FALSE;
  memcpy (kcv, block, 3);
  return TRUE;
}

gboolean
cl_kcv_des3 (const guint8 *key, gsize key_len, guint8 kcv[3], GError **error)
{
  guint8 block[8] = { 0 };

  if (!cl_cipher_encrypt (CL_CIPHER_DES3, CL_CIPHER_MODE_ECB, key, key_len, NULL, block, 8, block, error))
    return FALSE;
  memcpy (kcv, block, 3);
  return TRUE;
}

gboolean
cl_kcv_aes_cmac (const guint8 *key, gsize key_len, guint8 kcv[3], GError **error)
{
  guint8 zero[16] = { 0 };
  guint8 mac[16];

  if (!cl_aes_cmac (key, key_len, zero, sizeof zero, mac, error))
    return FALSE;
  memcpy (kcv, mac, 3);
  return TRUE;
}
