#include <openssl/evp.h>
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"

gsize
cl_cipher_block_size (ClCipherAlgorithm algorithm)
{
  return algorithm == CL_CIPHER_AES ? CL_AES_BLOCK : CL_DES_BLOCK;
}

/* Single DES is DES-EDE with K1 = K2: OpenSSL 3 keeps plain DES in the legacy provider, which a production
 * host need not load. */
static const EVP_CIPHER *
pick_cipher (ClCipherAlgorithm algorithm, ClCipherModeKind mode, gsize key_len, GError **error)
{
  gboolean ecb = mode == CL_CIPHER_MODE_ECB;

  switch (algorithm)
    {
      case CL_CIPHER_AES:
        if (key_len == 16)
          return ecb ? EVP_aes_128_ecb () : EVP_aes_128_cbc ();
        if (key_len == 24)
          return ecb ? EVP_aes_192_ecb () : EVP_aes_192_cbc ();
        if (key_len == 32)
          return ecb ? EVP_aes_256_ecb () : EVP_aes_256_cbc ();
        break;
      case CL_CIPHER_DES3:
        if (key_len == 16)
          return ecb ? EVP_des_ede_ecb () : EVP_des_ede_cbc ();
        if (key_len == 24)
          return ecb ? EVP_des_ede3_ecb () : EVP_des_ede3_cbc ();
        break;
      case CL_CIPHER_DES:
        if (key_len == 8)
          return ecb ? EVP_des_ede_ecb () : EVP_des_ede_cbc ();
        break;
      default:
        break;
    }
  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "No %s cipher for a %" G_GSIZE_FORMAT "-byte key",
               algorithm == CL_CIPHER_AES    ? "AES"
               : algorithm == CL_CIPHER_DES3 ? "3DES"
                                             : "DES",
               key_len);
  return NULL;
}

static gboolean
run_cipher (gboolean encrypt, ClCipherAlgorithm algorithm, ClCipherModeKind mode, const guint8 *key, gsize key_len,
            const guint8 *iv, const guint8 *in, gsize len, guint8 *out, GError **error)
{
  const EVP_CIPHER *cipher = pick_cipher (algorithm, mode, key_len, error);
  gsize block = cl_cipher_block_size (algorithm);
  guint8 zero_iv[16] = { 0 };
  guint8 des_key[16];
  EVP_CIPHER_CTX *ctx;
  int n = 0, fin = 0;
  gboolean ok;

  if (cipher == NULL)
    return FALSE;
  if (len % block != 0 || len > G_MAXINT)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Cipher input of %" G_GSIZE_FORMAT " bytes is not a multiple of the %" G_GSIZE_FORMAT "-byte block",
                   len, block);
      return FALSE;
    }
  if (algorithm == CL_CIPHER_DES)
    {
      memcpy (des_key, key, 8);
      memcpy (des_key + 8, key, 8);
      key = des_key;
    }
  ctx = EVP_CIPHER_CTX_new ();
  ok = ctx != NULL
       && EVP_CipherInit_ex (ctx, cipher, NULL, key, mode == CL_CIPHER_MODE_CBC ? (iv ? iv : zero_iv) : NULL,
                             encrypt ? 1 : 0)
       && EVP_CIPHER_CTX_set_padding (ctx, 0) && EVP_CipherUpdate (ctx, out, &n, in, (int)len)
       && EVP_CipherFinal_ex (ctx, out + n, &fin);
  EVP_CIPHER_CTX_free (ctx);
  cl_wipe (des_key, sizeof des_key);
  if (!ok)
    {
      cl_crypto_set_error (error, encrypt ? "Encryption" : "Decryption");
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_cipher_encrypt (ClCipherAlgorithm algorithm, ClCipherModeKind mode, const guint8 *key, gsize key_len,
                   const guint8 *iv, const guint8 *in, gsize len, guint8 *out, GError **error)
{
  return run_cipher (TRUE, algorithm, mode, key, key_len, iv, in, len, out, error);
}

gboolean
cl_cipher_decrypt (ClCipherAlgorithm algorithm, ClCipherModeKind mode, const guint8 *key, gsize key_len,
                   const guint8 *iv, const guint8 *in, gsize len, guint8 *out, GError **error)
{
  return run_cipher (FALSE, algorithm, mode, key, key_len, iv, in, len, out, error);
}
