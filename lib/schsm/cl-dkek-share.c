#include "schsm/cl-dkek-share.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"

#define MAGIC     "Salted__"
#define MAGIC_LEN 8
#define SALT_LEN  8

typedef struct
{
  guint8 key[32];
  guint8 iv[16];
} KeyIv;

/* EVP_BytesToKey (AES-256-CBC, MD5, salt, password, iterations) computed with an MD5 fetched once: the legacy
 * EVP_md5 () handle makes OpenSSL 3 look the provider up again for each of the 30 million digests. */
static gboolean
derive (const guint8 *salt, const char *password, gsize password_len, guint iterations, KeyIv *out, GError **error)
{
  EVP_MD *md = NULL;
  EVP_MD_CTX *ctx = NULL;
  guint8 block[16], material[sizeof out->key + sizeof out->iv];
  gsize have = 0;
  gboolean ok;

  if (iterations == 0)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "DKEK share: iteration count is zero");
      return FALSE;
    }
  md = EVP_MD_fetch (NULL, "MD5", NULL);
  ctx = EVP_MD_CTX_new ();
  ok = md != NULL && ctx != NULL;
  while (ok && have < sizeof material)
    {
      gsize n;

      ok = EVP_DigestInit_ex2 (ctx, md, NULL) && (have == 0 || EVP_DigestUpdate (ctx, block, sizeof block))
           && EVP_DigestUpdate (ctx, password, password_len) && EVP_DigestUpdate (ctx, salt, SALT_LEN)
           && EVP_DigestFinal_ex (ctx, block, NULL);
      for (guint i = 1; ok && i < iterations; i++)
        ok = EVP_DigestInit_ex2 (ctx, NULL, NULL) && EVP_DigestUpdate (ctx, block, sizeof block)
             && EVP_DigestFinal_ex (ctx, block, NULL);
      n = MIN (sizeof block, sizeof material - have);
      memcpy (material + have, block, n);
      have += n;
    }
  EVP_MD_CTX_free (ctx);
  EVP_MD_free (md);
  if (ok)
    {
      memcpy (out->key, material, sizeof out->key);
      memcpy (out->iv, material + sizeof out->key, sizeof out->iv);
    }
  cl_wipe (block, sizeof block);
  cl_wipe (material, sizeof material);
  if (!ok)
    {
      ERR_clear_error ();
      g_set_error_literal (error, CL_ERROR, CL_ERROR_CRYPTO, "DKEK share: deriving the key from the password failed");
    }
  return ok;
}

/* One pass of AES-256-CBC with PKCS#7 padding; out must hold len + 16 bytes. FALSE (no error set) on bad padding. */
static gboolean
cipher (gboolean encrypt, const KeyIv *kiv, const guint8 *in, gsize len, guint8 *out, gsize *out_len)
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int n1 = 0, n2 = 0;
  gboolean ok;

  ok = ctx != NULL && EVP_CipherInit_ex2 (ctx, EVP_aes_256_cbc (), kiv->key, kiv->iv, encrypt ? 1 : 0, NULL)
       && EVP_CipherUpdate (ctx, out, &n1, in, (int)len) && EVP_CipherFinal_ex (ctx, out + n1, &n2);
  EVP_CIPHER_CTX_free (ctx);
  ERR_clear_error ();
  *out_len = ok ? (gsize)(n1 + n2) : 0;
  return ok;
}

gboolean
cl_dkek_share_decrypt_full (const guint8 *file, gsize file_len, const char *password, gsize password_len,
                            guint iterations, guint8 share[CL_DKEK_SHARE_LEN], GError **error)
{
  KeyIv kiv;
  guint8 plain[CL_DKEK_SHARE_FILE_LEN];
  gsize plain_len = 0;
  gboolean ok;

  g_return_val_if_fail (file != NULL && password != NULL && share != NULL, FALSE);

  if (file_len != CL_DKEK_SHARE_FILE_LEN || memcmp (file, MAGIC, MAGIC_LEN) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "DKEK share file: %" G_GSIZE_FORMAT " bytes%s, expected 64 starting with \"Salted__\"", file_len,
                   file_len >= MAGIC_LEN && memcmp (file, MAGIC, MAGIC_LEN) != 0 ? " without the \"Salted__\" header"
                                                                                 : "");
      return FALSE;
    }
  if (!derive (file + MAGIC_LEN, password, password_len, iterations, &kiv, error))
    return FALSE;
  ok = cipher (FALSE, &kiv, file + MAGIC_LEN + SALT_LEN, file_len - MAGIC_LEN - SALT_LEN, plain, &plain_len);
  cl_wipe (&kiv, sizeof kiv);
  if (!ok || plain_len != CL_DKEK_SHARE_LEN)
    {
      cl_wipe (plain, sizeof plain);
      g_set_error_literal (error, CL_ERROR, CL_ERROR_SECURITY, "DKEK share file: wrong password or corrupted file");
      return FALSE;
    }
  memcpy (share, plain, CL_DKEK_SHARE_LEN);
  cl_wipe (plain, sizeof plain);
  return TRUE;
}

GBytes *
cl_dkek_share_encrypt_full (const guint8 share[CL_DKEK_SHARE_LEN], const char *password, gsize password_len,
                            const guint8 *salt, guint iterations, GError **error)
{
  guint8 out[CL_DKEK_SHARE_FILE_LEN + 16];
  KeyIv kiv;
  gsize enc_len = 0;
  gboolean ok;

  g_return_val_if_fail (share != NULL && password != NULL, NULL);

  memcpy (out, MAGIC, MAGIC_LEN);
  if (salt != NULL)
    memcpy (out + MAGIC_LEN, salt, SALT_LEN);
  else if (RAND_bytes (out + MAGIC_LEN, SALT_LEN) != 1)
    {
      ERR_clear_error ();
      g_set_error_literal (error, CL_ERROR, CL_ERROR_CRYPTO, "DKEK share file: no random salt");
      return NULL;
    }
  if (!derive (out + MAGIC_LEN, password, password_len, iterations, &kiv, error))
    return NULL;
  ok = cipher (TRUE, &kiv, share, CL_DKEK_SHARE_LEN, out + MAGIC_LEN + SALT_LEN, &enc_len);
  cl_wipe (&kiv, sizeof kiv);
  if (!ok || MAGIC_LEN + SALT_LEN + enc_len != CL_DKEK_SHARE_FILE_LEN)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_CRYPTO, "DKEK share file: encryption failed");
      return NULL;
    }
  return g_bytes_new (out, CL_DKEK_SHARE_FILE_LEN);
}

gboolean
cl_dkek_share_decrypt (const guint8 *file, gsize file_len, const char *password, gsize password_len,
                       guint8 share[CL_DKEK_SHARE_LEN], GError **error)
{
  return cl_dkek_share_decrypt_full (file, file_len, password, password_len, CL_DKEK_SHARE_ITERATIONS, share, error);
}

GBytes *
cl_dkek_share_encrypt (const guint8 share[CL_DKEK_SHARE_LEN], const char *password, gsize password_len,
                       const guint8 *salt, GError **error)
{
  return cl_dkek_share_encrypt_full (share, password, password_len, salt, CL_DKEK_SHARE_ITERATIONS, error);
}
