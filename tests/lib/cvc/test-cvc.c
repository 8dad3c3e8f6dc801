/* Unit tests of lib/cvc: the published certificates of cvc.txt, and chains and requests made here. */
#include <openssl/evp.h>
#include <string.h>

#include "cl-test-vectors.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-openssl-autoptr.h"
#include "cvc/cl-cvc-date.h"
#include "cvc/cl-cvc-public-key.h"
#include "cvc/cl-cvc-request.h"
#include "cvc/cl-cvc.h"

static ClCvc *
load_cert (ClTestVectors *v, const char *section)
{
  g_autoptr (GBytes) der = cl_test_vectors_get_hex (v, section, "cert");
  g_autoptr (GError) error = NULL;
  ClCvc *cvc = cl_cvc_new_from_bytes (der, &error);

  g_assert_no_error (error);
  return cvc;
}

static void
test_vectors_parse (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("cvc.txt");
  const char *const *sections = cl_test_vectors_sections (v);
  guint count = 0;

  for (guint i = 0; sections[i]; i++)
    {
      g_autoptr (GBytes) der = cl_test_vectors_get_hex (v, sections[i], "cert");
      g_autoptr (ClCvc) cvc = load_cert (v, sections[i]);
      g_autoptr (ClCvcBody) body = cl_cvc_get_body (cvc);
      g_autoptr (GBytes) body_tlv = NULL;
      g_autoptr (GBytes) again = NULL;
      g_autoptr (GError) error = NULL;
      const char *serial = cl_test_vectors_get (v, sections[i], "serial_as_opensc_reports");

      g_test_message ("vector %s", sections[i]);
      g_assert_cmpstr (cl_cvc_get_car (cvc), ==, cl_test_vectors_get (v, sections[i], "car"));
      g_assert_cmpstr (cl_cvc_get_chr (cvc), ==, cl_test_vectors_get (v, sections[i], "chr"));
      g_assert_cmpint (cl_cvc_get_algorithm (cvc), ==, CL_CVC_ALGORITHM_ECDSA_SHA256);
      g_assert_true (g_bytes_equal (cl_cvc_get_encoded (cvc), der));
      g_assert_nonnull (cl_cvc_get_effective_date (cvc));
      g_assert_nonnull (cl_cvc_get_expiry_date (cvc));
      g_assert_nonnull (cl_cvc_get_chat_oid (cvc));

      body_tlv = cl_cvc_body_encode (body, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (body_tlv, cl_cvc_get_body_tlv (cvc)));
      again = cl_cvc_assemble (body_tlv, g_bytes_get_data (cl_cvc_get_signature (cvc), NULL),
                               g_bytes_get_size (cl_cvc_get_signature (cvc)));
      g_assert_true (g_bytes_equal (again, der));

      if (serial)
        {
          g_autofree char *got = cl_cvc_get_opensc_serial (cvc);
          g_assert_cmpstr (got, ==, serial);
        }
      count++;
    }
  g_test_message ("%u certificates parsed and re-encoded", count);
  g_assert_cmpuint (count, ==, 3);
}

static void
test_srca_self_signed (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("cvc.txt");
  g_autoptr (ClCvc) srca = load_cert (v, "srca_DESRCACC100001");
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (cl_cvc_get_curve (srca), ==,
                   cl_cvc_curve_from_name (cl_test_vectors_get (v, "srca_DESRCACC100001", "curve")));
  g_assert_cmpint (cl_cvc_get_curve (srca), ==, CL_CVC_CURVE_BRAINPOOL_P256R1);
  g_assert_true (cl_cvc_verify_issued_by (srca, srca, CL_CVC_CURVE_NONE, &error));
  g_assert_no_error (error);
}

static void
test_pico_chain (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("cvc.txt");
  g_autoptr (ClCvc) dica = load_cert (v, "pico_dica");
  g_autoptr (ClCvc) device = load_cert (v, "pico_device");
  ClCvcCurve curve = cl_cvc_curve_from_name (cl_test_vectors_get (v, "pico_device", "curve"));
  g_autoptr (GError) error = NULL;
  g_autoptr (EVP_PKEY) key = NULL;

  g_assert_cmpstr (cl_test_vectors_get (v, "pico_device", "signed_by"), ==, "pico_dica");
  g_assert_cmpint (curve, ==, CL_CVC_CURVE_SECP256K1);
  g_assert_cmpint (cl_cvc_get_curve (dica), ==, CL_CVC_CURVE_NONE);

  /* only the point: the curve must come from somewhere */
  key = cl_cvc_get_public_key (dica, CL_CVC_CURVE_NONE, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_null (key);
  g_clear_error (&error);

  g_assert_true (cl_cvc_verify_issued_by (device, dica, curve, &error));
  g_assert_no_error (error);

  /* the wrong curve is not a verification */
  g_assert_false (cl_cvc_verify_issued_by (device, dica, CL_CVC_CURVE_P256, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* nor is the wrong issuer */
  g_assert_false (cl_cvc_verify_issued_by (dica, device, curve, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
}

static GBytes *
flip (GBytes *bytes, gsize offset)
{
  gsize len;
  guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (bytes), &len);

  g_assert_cmpuint (offset, <, len);
  copy[offset] ^= 0x01;
  return g_bytes_new_take (copy, len);
}

static void
test_tampered (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("cvc.txt");
  g_autoptr (GBytes) der = cl_test_vectors_get_hex (v, "srca_DESRCACC100001", "cert");
  gsize len = g_bytes_get_size (der);
  /* last byte of the signature; a byte of the CHR inside the body */
  const gsize offsets[] = { len - 1, len - 0x40 - 3 - 30 };

  for (gsize i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      g_autoptr (GBytes) bad = flip (der, offsets[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (ClCvc) cvc = cl_cvc_new_from_bytes (bad, &error);
      g_autoptr (EVP_PKEY) key = NULL;
      g_autoptr (ClCvc) good = cl_cvc_new_from_bytes (der, NULL);

      g_assert_no_error (error);
      key = cl_cvc_get_public_key (good, CL_CVC_CURVE_NONE, &error);
      g_assert_no_error (error);
      g_assert_false (cl_cvc_verify (cvc, key, CL_CVC_ALGORITHM_ECDSA_SHA256, &error));
      g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
    }
}

static void
test_malformed (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("cvc.txt");
  g_autoptr (GBytes) der = cl_test_vectors_get_hex (v, "pico_device", "cert");
  gsize len;
  const guint8 *data = g_bytes_get_data (der, &len);
  g_autoptr (GByteArray) longer = g_byte_array_new ();

  /* every truncation is an error, never a crash */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr (GBytes) part = g_bytes_new (data, cut);
      g_autoptr (GError) error = NULL;
      g_autoptr (ClCvc) cvc = cl_cvc_new_from_bytes (part, &error);

      g_assert_null (cvc);
      g_assert_nonnull (error);
    }

  g_byte_array_append (longer, data, (guint)len);
  g_byte_array_append (longer, (const guint8 *)"\x00", 1);
  {
    g_autoptr (GBytes) trailing = g_byte_array_free_to_bytes (g_steal_pointer (&longer));
    g_autoptr (GError) error = NULL;
    g_autoptr (ClCvc) cvc = cl_cvc_new_from_bytes (trailing, &error);

    g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
    g_assert_null (cvc);
  }

  /* a date digit above 9 (the last byte of 5F24 sits just before 5F37 40 <64 bytes>) */
  {
    g_autoptr (GBytes) copy = g_bytes_new (data, len);
    gsize n;
    guint8 *raw = g_bytes_unref_to_data (g_steal_pointer (&copy), &n);
    g_autoptr (GBytes) bad = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (ClCvc) cvc = NULL;

    raw[n - 64 - 3 - 1] = 0x0A;
    bad = g_bytes_new_take (raw, n);
    cvc = cl_cvc_new_from_bytes (bad, &error);
    g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
    g_assert_nonnull (strstr (error->message, "5F24"));
  }
}

static void
test_dates (void)
{
  char text[7];
  guint8 digits[6];
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) dt = cl_cvc_date_to_datetime ("250229");

  g_assert_null (dt); /* 2025 is not a leap year */
  g_assert_true (cl_cvc_date_encode ("240229", digits, &error));
  g_assert_true (cl_cvc_date_decode (digits, 6, "test", text, &error));
  g_assert_cmpstr (text, ==, "240229");
  g_assert_false (cl_cvc_date_encode ("241301", digits, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

/* A fresh chain root -> DICA -> device on one curve, with OpenSSL keys. */
typedef struct
{
  const char *group;
  ClCvcCurve curve;
  ClCvcAlgorithm algorithm;
} ChainCase;

static EVP_PKEY *
make_key (const char *group)
{
  EVP_PKEY *key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", group);

  g_assert_nonnull (key);
  return key;
}

static GBytes *
issue (EVP_PKEY *subject, gboolean with_domain, const char *car, const char *chr, EVP_PKEY *issuer,
       ClCvcAlgorithm algorithm)
{
  g_autoptr (ClCvcBody) body = cl_cvc_body_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) later = g_date_time_add_years (now, 5);
  ClCvcPkeySigner signer = { issuer, algorithm };
  const guint8 chat_oid[] = { 0x04, 0x00, 0x7F, 0x00, 0x07, 0x03, 0x01, 0x02, 0x02 };
  const guint8 chat[] = { 0x80 };
  GBytes *cert;

  body->car = g_strdup (car);
  body->chr = g_strdup (chr);
  g_assert_true (cl_cvc_body_set_public_key (body, subject, algorithm, with_domain, &error));
  g_assert_no_error (error);
  cl_cvc_body_set_chat (body, chat_oid, sizeof chat_oid, chat, sizeof chat);
  cl_cvc_body_set_validity (body, now, later);
  cert = cl_cvc_body_sign (body, cl_cvc_pkey_sign, &signer, &error);
  g_assert_no_error (error);
  return cert;
}

static void
test_generated_chain (gconstpointer data)
{
  const ChainCase *c = data;
  g_autoptr (EVP_PKEY) root_key = make_key (c->group);
  g_autoptr (EVP_PKEY) dica_key = make_key (c->group);
  g_autoptr (EVP_PKEY) device_key = make_key (c->group);
  g_autoptr (GBytes) root_der = issue (root_key, TRUE, "UTCVCA00001", "UTCVCA00001", root_key, c->algorithm);
  g_autoptr (GBytes) dica_der = issue (dica_key, FALSE, "UTCVCA00001", "UTDICA00001", root_key, c->algorithm);
  g_autoptr (GBytes) device_der = issue (device_key, FALSE, "UTDICA00001", "UTCLDEV0000100001", dica_key, c->algorithm);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCvc) root = cl_cvc_new_from_bytes (root_der, &error);
  g_autoptr (ClCvc) dica = cl_cvc_new_from_bytes (dica_der, &error);
  g_autoptr (ClCvc) device = cl_cvc_new_from_bytes (device_der, &error);
  g_autofree char *serial = NULL;
  g_autoptr (GByteArray) devaut = g_byte_array_new ();
  g_autoptr (ClCvc) first = NULL;
  gsize consumed = 0;

  g_assert_no_error (error);
  g_assert_cmpint (cl_cvc_get_curve (root), ==, c->curve);
  g_assert_cmpint (cl_cvc_get_curve (dica), ==, CL_CVC_CURVE_NONE);
  g_assert_true (cl_cvc_verify_issued_by (root, root, CL_CVC_CURVE_NONE, &error));
  g_assert_no_error (error);
  g_assert_true (cl_cvc_verify_issued_by (dica, root, CL_CVC_CURVE_NONE, &error));
  g_assert_no_error (error);
  /* DICA carries no domain parameters: its curve is the root's */
  g_assert_true (cl_cvc_verify_issued_by (device, dica, cl_cvc_get_curve (root), &error));
  g_assert_no_error (error);
  g_assert_false (cl_cvc_verify_issued_by (device, root, CL_CVC_CURVE_NONE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);

  serial = cl_cvc_get_opensc_serial (device);
  g_assert_cmpstr (serial, ==, "UTCLDEV00001");

  /* EF.C_DevAut = device || DICA: the first certificate and its length come out of the concatenation */
  g_byte_array_append (devaut, g_bytes_get_data (device_der, NULL), (guint)g_bytes_get_size (device_der));
  g_byte_array_append (devaut, g_bytes_get_data (dica_der, NULL), (guint)g_bytes_get_size (dica_der));
  first = cl_cvc_new_from_data (devaut->data, devaut->len, &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, g_bytes_get_size (device_der));
  g_assert_cmpstr (cl_cvc_get_chr (first), ==, "UTCLDEV0000100001");
}

static void
test_rsa (void)
{
  g_autoptr (EVP_PKEY) key = EVP_PKEY_Q_keygen (NULL, NULL, "RSA", (size_t)2048);
  const ClCvcAlgorithm algorithms[] = { CL_CVC_ALGORITHM_RSA_V15_SHA256, CL_CVC_ALGORITHM_RSA_PSS_SHA256 };

  for (gsize i = 0; i < G_N_ELEMENTS (algorithms); i++)
    {
      g_autoptr (GBytes) der = issue (key, FALSE, "UTRSA00001", "UTRSA00001", key, algorithms[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (ClCvc) cvc = cl_cvc_new_from_bytes (der, &error);

      g_assert_no_error (error);
      g_assert_cmpint (cl_cvc_get_algorithm (cvc), ==, algorithms[i]);
      g_assert_true (cl_cvc_verify_issued_by (cvc, cvc, CL_CVC_CURVE_NONE, &error));
      g_assert_no_error (error);
    }
}

static void
test_request (void)
{
  g_autoptr (EVP_PKEY) new_key = make_key ("brainpoolP256r1");
  g_autoptr (EVP_PKEY) device_key = make_key ("brainpoolP256r1");
  g_autoptr (EVP_PKEY) other_key = make_key ("brainpoolP256r1");
  g_autoptr (ClCvcBody) body = cl_cvc_body_new ();
  g_autoptr (GError) error = NULL;
  ClCvcPkeySigner inner = { new_key, CL_CVC_ALGORITHM_ECDSA_SHA256 };
  ClCvcPkeySigner outer = { device_key, CL_CVC_ALGORITHM_ECDSA_SHA256 };
  g_autoptr (GBytes) der = NULL;
  g_autoptr (ClCvcRequest) req = NULL;
  g_autoptr (GBytes) device_der
    = issue (device_key, FALSE, "UTDICA00001", "UTCLDEV0000100001", other_key, CL_CVC_ALGORITHM_ECDSA_SHA256);
  g_autoptr (ClCvc) device = cl_cvc_new_from_bytes (device_der, &error);

  body->car = g_strdup ("UTCLDEV0000100001");
  body->chr = g_strdup ("UTCLKEY0000100001");
  g_assert_true (cl_cvc_body_set_public_key (body, new_key, CL_CVC_ALGORITHM_ECDSA_SHA256, TRUE, &error));
  der = cl_cvc_request_build (body, cl_cvc_pkey_sign, &inner, "UTCLDEV0000100001", cl_cvc_pkey_sign, &outer, &error);
  g_assert_no_error (error);

  req = cl_cvc_request_new_from_bytes (der, &error);
  g_assert_no_error (error);
  g_assert_true (cl_cvc_request_is_authenticated (req));
  g_assert_cmpstr (cl_cvc_request_get_outer_car (req), ==, "UTCLDEV0000100001");
  g_assert_true (g_bytes_equal (cl_cvc_request_get_encoded (req), der));
  g_assert_true (cl_cvc_request_verify_inner (req, CL_CVC_CURVE_NONE, &error));
  g_assert_no_error (error);
  g_assert_true (cl_cvc_request_verify_outer (req, device_key, CL_CVC_ALGORITHM_ECDSA_SHA256, &error));
  g_assert_no_error (error);
  g_assert_true (cl_cvc_request_verify_outer_by (req, device, CL_CVC_CURVE_BRAINPOOL_P256R1, &error));
  g_assert_no_error (error);
  g_assert_false (cl_cvc_request_verify_outer (req, other_key, CL_CVC_ALGORITHM_ECDSA_SHA256, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);

  /* certify it: the issuer (other_key, as a DICA) signs a body made from the request */
  {
    g_autoptr (ClCvcBody) cert_body = cl_cvc_request_certificate_body (req, "UTDICA00001", CL_CVC_CURVE_NONE, &error);
    ClCvcPkeySigner dica = { other_key, CL_CVC_ALGORITHM_ECDSA_SHA256 };
    g_autoptr (GBytes) cert_der = NULL;
    g_autoptr (ClCvc) cert = NULL;
    g_autoptr (EVP_PKEY) cert_key = NULL;

    g_assert_no_error (error);
    cert_der = cl_cvc_body_sign (cert_body, cl_cvc_pkey_sign, &dica, &error);
    g_assert_no_error (error);
    cert = cl_cvc_new_from_bytes (cert_der, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (cl_cvc_get_car (cert), ==, "UTDICA00001");
    g_assert_cmpstr (cl_cvc_get_chr (cert), ==, "UTCLKEY0000100001");
    g_assert_cmpint (cl_cvc_get_curve (cert), ==, CL_CVC_CURVE_NONE);
    g_assert_true (cl_cvc_verify (cert, other_key, CL_CVC_ALGORITHM_ECDSA_SHA256, &error));
    g_assert_no_error (error);
    cert_key = cl_cvc_get_public_key (cert, CL_CVC_CURVE_BRAINPOOL_P256R1, &error);
    g_assert_no_error (error);
    g_assert_cmpint (EVP_PKEY_eq (cert_key, new_key), ==, 1);
  }

  /* tamper with the inner body (a byte of the public point), the inner and the outer signature in turn */
  {
    gsize len = g_bytes_get_size (der);
    gsize inner_sig_end = 4 + g_bytes_get_size (cl_cvc_get_encoded (cl_cvc_request_get_inner (req)));
    const gsize offsets[] = { inner_sig_end - 70 - 10, inner_sig_end - 1, len - 1 };

    for (gsize i = 0; i < G_N_ELEMENTS (offsets); i++)
      {
        g_autoptr (GBytes) bad = flip (der, offsets[i]);
        g_autoptr (ClCvcRequest) bad_req = cl_cvc_request_new_from_bytes (bad, &error);
        gboolean inner_ok, outer_ok;

        g_assert_no_error (error);
        inner_ok = cl_cvc_request_verify_inner (bad_req, CL_CVC_CURVE_NONE, NULL);
        outer_ok = cl_cvc_request_verify_outer (bad_req, device_key, CL_CVC_ALGORITHM_ECDSA_SHA256, NULL);
        g_assert_false (inner_ok && outer_ok);
        if (i == 2)
          g_assert_true (inner_ok);
      }
  }

  /* unauthenticated: a bare 7F21 */
  {
    g_autoptr (GBytes) bare = cl_cvc_request_build (body, cl_cvc_pkey_sign, &inner, NULL, NULL, NULL, &error);
    g_autoptr (ClCvcRequest) bare_req = cl_cvc_request_new_from_bytes (bare, &error);

    g_assert_no_error (error);
    g_assert_false (cl_cvc_request_is_authenticated (bare_req));
    g_assert_true (cl_cvc_request_verify_inner (bare_req, CL_CVC_CURVE_NONE, &error));
    g_assert_false (cl_cvc_request_verify_outer (bare_req, device_key, CL_CVC_ALGORITHM_ECDSA_SHA256, &error));
    g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  }
}

static const ChainCase chain_cases[] = {
  { "prime256v1", CL_CVC_CURVE_P256, CL_CVC_ALGORITHM_ECDSA_SHA256 },
  { "brainpoolP256r1", CL_CVC_CURVE_BRAINPOOL_P256R1, CL_CVC_ALGORITHM_ECDSA_SHA256 },
  { "secp384r1", CL_CVC_CURVE_P384, CL_CVC_ALGORITHM_ECDSA_SHA384 },
  { "brainpoolP384r1", CL_CVC_CURVE_BRAINPOOL_P384R1, CL_CVC_ALGORITHM_ECDSA_SHA384 },
  { "secp256k1", CL_CVC_CURVE_SECP256K1, CL_CVC_ALGORITHM_ECDSA_SHA256 },
};

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cvc/vectors/parse-reencode", test_vectors_parse);
  g_test_add_func ("/cvc/vectors/srca-self-signed", test_srca_self_signed);
  g_test_add_func ("/cvc/vectors/pico-chain", test_pico_chain);
  g_test_add_func ("/cvc/vectors/tampered", test_tampered);
  g_test_add_func ("/cvc/malformed", test_malformed);
  g_test_add_func ("/cvc/dates", test_dates);
  for (gsize i = 0; i < G_N_ELEMENTS (chain_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cvc/generated-chain/%s", chain_cases[i].group);
      g_test_add_data_func (path, &chain_cases[i], test_generated_chain);
    }
  g_test_add_func ("/cvc/rsa", test_rsa);
  g_test_add_func ("/cvc/request", test_request);
  return g_test_run ();
}
