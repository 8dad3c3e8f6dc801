#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/cl-error.h"
#include "crypto/cl-crypto.h"

void
cl_sha1 (const guint8 *data, gsize len, guint8 out[20])
{
  unsigned int n = 0;

  if (!EVP_Digest (data, len, out, &n, EVP_sha1 (), NULL))
    g_error ("SHA-1 failed inside OpenSSL");
}

void
cl_sha256 (const guint8 *data, gsize len, guint8 out[32])
{
  unsigned int n = 0;

  if (!EVP_Digest (data, len, out, &n, EVP_sha256 (), NULL))
    g_error ("SHA-256 failed inside OpenSSL");
}

gboolean
cl_random_bytes (guint8 *out, gsize len, GError **error)
{
  if (len > G_MAXINT || RAND_bytes (out, (int)len) != 1)
    {
      cl_crypto_set_error (error, "Random generation");
      return FALSE;
    }
  return TRUE;
}
