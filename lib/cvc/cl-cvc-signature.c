#include "cvc/cl-cvc-signature.h"

#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "core/cl-error.h"
#include "crypto/cl-crypto.h"

GBytes *
cl_cvc_ecdsa_plain_to_der (const guint8 *sig, gsize len, GError **error)
{
  ECDSA_SIG *es;
  BIGNUM *r, *s;
  unsigned char *der = NULL;
  int der_len;
  GBytes *out;

  if (len == 0 || len % 2 != 0 || len > 2 * 66)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "ECDSA signature: %" G_GSIZE_FORMAT " bytes is not a plain r||s value", len);
      return NULL;
    }
  es = ECDSA_SIG_new ();
  r = BN_bin2bn (sig, (int)(len / 2), NULL);
  s = BN_bin2bn (sig + len / 2, (int)(len / 2), NULL);
  if (es == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0 (es, r, s))
    {
      BN_free (r);
      BN_free (s);
      ECDSA_SIG_free (es);
      cl_crypto_set_error (error, "Converting the ECDSA signature");
      return NULL;
    }
  der_len = i2d_ECDSA_SIG (es, &der);
  ECDSA_SIG_free (es);
  if (der_len <= 0)
    {
      cl_crypto_set_error (error, "Encoding the ECDSA signature");
      return NULL;
    }
  out = g_bytes_new (der, (gsize)der_len);
  OPENSSL_free (der);
  return out;
}

gboolean
cl_cvc_ecdsa_der_to_plain (const guint8 *der, gsize len, gsize field_size, GByteArray *out, GError **error)
{
  const unsigned char *p = der;
  ECDSA_SIG *es = d2i_ECDSA_SIG (NULL, &p, (long)len);
  const BIGNUM *r, *s;
  g_autofree guint8 *buf = NULL;
  gboolean ok;

  if (es == NULL)
    {
      cl_crypto_set_error (error, "Decoding the ECDSA signature");
      return FALSE;
    }
  ECDSA_SIG_get0 (es, &r, &s);
  buf = g_malloc0 (2 * field_size);
  ok = BN_bn2binpad (r, buf, (int)field_size) > 0 && BN_bn2binpad (s, buf + field_size, (int)field_size) > 0;
  ECDSA_SIG_free (es);
  if (!ok)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_CRYPTO, "ECDSA signature does not fit %" G_GSIZE_FORMAT "-byte r and s",
                   field_size);
      return FALSE;
    }
  g_byte_array_append (out, buf, (guint)(2 * field_size));
  return TRUE;
}

static gboolean
setup_padding (EVP_PKEY_CTX *pctx, ClCvcAlgorithm algorithm)
{
  if (!cl_cvc_algorithm_is_rsa_pss (algorithm))
    return TRUE;
  return EVP_PKEY_CTX_set_rsa_padding (pctx, RSA_PKCS1_PSS_PADDING) > 0
         && EVP_PKEY_CTX_set_rsa_pss_saltlen (pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
}

static gboolean
key_matches_algorithm (EVP_PKEY *key, ClCvcAlgorithm algorithm, GError **error)
{
  const char *type = cl_cvc_algorithm_is_ecdsa (algorithm) ? "EC" : "RSA";

  if (algorithm == CL_CVC_ALGORITHM_UNKNOWN || !EVP_PKEY_is_a (key, type))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "A %s key cannot be used with %s",
                   EVP_PKEY_get0_type_name (key) ? EVP_PKEY_get0_type_name (key) : "?",
                   cl_cvc_algorithm_get_name (algorithm));
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_cvc_signature_verify (ClCvcAlgorithm algorithm, EVP_PKEY *key, const guint8 *tbs, gsize tbs_len, const guint8 *sig,
                         gsize sig_len, GError **error)
{
  g_autoptr (GBytes) der = NULL;
  EVP_MD_CTX *md = NULL;
  EVP_PKEY_CTX *pctx = NULL;
  int rc;

  g_return_val_if_fail (key != NULL, FALSE);

  if (!key_matches_algorithm (key, algorithm, error))
    return FALSE;
  if (cl_cvc_algorithm_is_ecdsa (algorithm))
    {
      der = cl_cvc_ecdsa_plain_to_der (sig, sig_len, error);
      if (der == NULL)
        return FALSE;
      sig = g_bytes_get_data (der, &sig_len);
    }

  md = EVP_MD_CTX_new ();
  if (md == NULL
      || EVP_DigestVerifyInit_ex (md, &pctx, cl_cvc_algorithm_get_digest (algorithm), NULL, NULL, key, NULL) <= 0
      || !setup_padding (pctx, algorithm))
    {
      EVP_MD_CTX_free (md);
      cl_crypto_set_error (error, "Setting up signature verification");
      return FALSE;
    }
  rc = EVP_DigestVerify (md, sig, sig_len, tbs, tbs_len);
  EVP_MD_CTX_free (md);
  if (rc != 1)
    {
      /* a bad signature is an answer, not a library failure: drop what OpenSSL queued about it */
      ERR_clear_error ();
      g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "%s signature does not verify",
                   cl_cvc_algorithm_get_name (algorithm));
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_cvc_pkey_sign (const guint8 *tbs, gsize len, GByteArray *sig_out, gpointer user_data, GError **error)
{
  ClCvcPkeySigner *signer = user_data;
  EVP_MD_CTX *md;
  EVP_PKEY_CTX *pctx = NULL;
  g_autofree guint8 *sig = NULL;
  gsize sig_len = 0;
  gboolean ok;

  g_return_val_if_fail (signer != NULL && signer->key != NULL, FALSE);

  if (!key_matches_algorithm (signer->key, signer->algorithm, error))
    return FALSE;
  md = EVP_MD_CTX_new ();
  if (md == NULL
      || EVP_DigestSignInit_ex (md, &pctx, cl_cvc_algorithm_get_digest (signer->algorithm), NULL, NULL, signer->key,
                                NULL)
           <= 0
      || !setup_padding (pctx, signer->algorithm) || EVP_DigestSign (md, NULL, &sig_len, tbs, len) <= 0)
    {
      EVP_MD_CTX_free (md);
      cl_crypto_set_error (error, "Setting up signing");
      return FALSE;
    }
  sig = g_malloc (sig_len);
  ok = EVP_DigestSign (md, sig, &sig_len, tbs, len) > 0;
  EVP_MD_CTX_free (md);
  if (!ok)
    {
      cl_crypto_set_error (error, "Signing");
      return FALSE;
    }
  if (cl_cvc_algorithm_is_ecdsa (signer->algorithm))
    return cl_cvc_ecdsa_der_to_plain (sig, sig_len, (gsize)(EVP_PKEY_get_bits (signer->key) + 7) / 8, sig_out, error);
  g_byte_array_append (sig_out, sig, (guint)sig_len);
  return TRUE;
}
