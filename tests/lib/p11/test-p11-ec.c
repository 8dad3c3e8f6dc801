/* EC key pairs in the token: r || s signatures that OpenSSL verifies with the exported public point. */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <string.h>

#include "core/cl-error.h"
#include "p11-test-token.h"
#include "p11/cl-p11-ec-key.h"

static ClP11Token *token;

static EVP_PKEY *
public_key_from_point (ClP11Curve curve, GBytes *point)
{
  OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new ();
  OSSL_PARAM *params;
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name (NULL, "EC", NULL);
  EVP_PKEY *pkey = NULL;

  OSSL_PARAM_BLD_push_utf8_string (bld, OSSL_PKEY_PARAM_GROUP_NAME, cl_p11_curve_to_string (curve), 0);
  OSSL_PARAM_BLD_push_octet_string (bld, OSSL_PKEY_PARAM_PUB_KEY, g_bytes_get_data (point, NULL),
                                    g_bytes_get_size (point));
  params = OSSL_PARAM_BLD_to_param (bld);
  g_assert_cmpint (EVP_PKEY_fromdata_init (ctx), ==, 1);
  g_assert_cmpint (EVP_PKEY_fromdata (ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), ==, 1);
  OSSL_PARAM_free (params);
  OSSL_PARAM_BLD_free (bld);
  EVP_PKEY_CTX_free (ctx);
  return pkey;
}

/* r || s to the DER ECDSA-Sig-Value OpenSSL verifies. */
static int
verify (EVP_PKEY *pkey, const char *digest, GBytes *signature, const guint8 *data, gsize len)
{
  gsize sig_len = g_bytes_get_size (signature);
  const guint8 *sig = g_bytes_get_data (signature, NULL);
  ECDSA_SIG *s = ECDSA_SIG_new ();
  unsigned char *der = NULL;
  int der_len, ok;
  EVP_MD_CTX *md = EVP_MD_CTX_new ();

  ECDSA_SIG_set0 (s, BN_bin2bn (sig, sig_len / 2, NULL), BN_bin2bn (sig + sig_len / 2, sig_len / 2, NULL));
  der_len = i2d_ECDSA_SIG (s, &der);
  g_assert_cmpint (EVP_DigestVerifyInit_ex (md, NULL, digest, NULL, NULL, pkey, NULL), ==, 1);
  ok = EVP_DigestVerify (md, der, der_len, data, len);
  EVP_MD_CTX_free (md);
  OPENSSL_free (der);
  ECDSA_SIG_free (s);
  return ok;
}

static void
test_sign_verify (gconstpointer data)
{
  ClP11Curve curve = GPOINTER_TO_UINT (data);
  g_autofree char *label = p11_test_unique_name ("dica");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11EcKey) key = NULL;
  g_autoptr (ClP11EcKey) found = NULL;
  g_autoptr (GBytes) point = NULL;
  g_autoptr (GBytes) signature = NULL;
  static const char message[] = "7F21 device certificate body";
  gsize size = cl_p11_curve_get_size (curve);
  GChecksumType digest = size == 32 ? G_CHECKSUM_SHA256 : G_CHECKSUM_SHA384;
  EVP_PKEY *pkey;

  key = cl_p11_ec_key_generate (token, curve, label, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (cl_p11_ec_key_get_id (key)), ==, 20);
  point = cl_p11_ec_key_get_public_point (key, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (point), ==, 1 + 2 * size);

  found = cl_p11_ec_key_find (token, label, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cl_p11_ec_key_get_curve (found), ==, curve);
  g_assert_true (g_bytes_equal (cl_p11_ec_key_get_id (found), cl_p11_ec_key_get_id (key)));

  signature = cl_p11_ec_key_sign (found, digest, (const guint8 *)message, strlen (message), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, 2 * size);

  pkey = public_key_from_point (curve, point);
  g_assert_cmpint (
    verify (pkey, size == 32 ? "SHA256" : "SHA384", signature, (const guint8 *)message, strlen (message)), ==, 1);
  g_assert_cmpint (verify (pkey, size == 32 ? "SHA256" : "SHA384", signature, (const guint8 *)"other", 5), ==, 0);
  EVP_PKEY_free (pkey);

  g_assert_null (cl_p11_ec_key_generate (token, curve, label, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

static void
test_id_and_find (void)
{
  g_autofree char *label = p11_test_unique_name ("srca");
  g_autoptr (GError) error = NULL;
  guint8 id[] = { 0x5C, 0xA1 };
  g_autoptr (GBytes) id_bytes = g_bytes_new (id, sizeof id);
  g_autoptr (ClP11EcKey) key = cl_p11_ec_key_generate (token, CL_P11_CURVE_P256, label, id_bytes, &error);
  g_autoptr (ClP11EcKey) missing = NULL;

  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (cl_p11_ec_key_get_id (key), id_bytes));
  missing = cl_p11_ec_key_find (token, "no-such-key", &error);
  g_assert_null (missing);
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  token = p11_test_token_open (TRUE);
  for (ClP11Curve c = CL_P11_CURVE_P256; c <= CL_P11_CURVE_BRAINPOOL_P384R1; c++)
    {
      g_autofree char *path = g_strdup_printf ("/p11/ec/sign-verify/%s", cl_p11_curve_to_string (c));
      g_test_add_data_func (path, GUINT_TO_POINTER (c), test_sign_verify);
    }
  g_test_add_func ("/p11/ec/id-and-find", test_id_and_find);
  status = g_test_run ();
  g_object_unref (token);
  return status;
}
