/* Fuzzes the CVC parser and everything reachable from a parsed certificate without a trusted key:
 * re-encoding, the public key decoder (with a fallback curve) and a self-verification. */
#include <stdint.h>

#include "cvc/cl-cvc.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  g_autoptr (ClCvc) cvc = cl_cvc_new_from_bytes (bytes, NULL);
  g_autoptr (ClCvcBody) body = NULL;
  g_autoptr (GBytes) again = NULL;
  EVP_PKEY *key;

  if (cvc == NULL)
    return 0;
  body = cl_cvc_get_body (cvc);
  again = cl_cvc_body_encode (body, NULL);
  /* whatever parsed must re-encode; the re-encoding (canonical lengths) must be a fixed point */
  if (again == NULL)
    __builtin_trap ();
  {
    g_autoptr (GBytes) sig = cl_cvc_get_signature (cvc) ? g_bytes_ref (cl_cvc_get_signature (cvc)) : NULL;
    g_autoptr (GBytes) cert = cl_cvc_assemble (again, g_bytes_get_data (sig, NULL), g_bytes_get_size (sig));
    g_autoptr (ClCvc) reparsed = cl_cvc_new_from_bytes (cert, NULL);
    g_autoptr (ClCvcBody) body2 = reparsed ? cl_cvc_get_body (reparsed) : NULL;
    g_autoptr (GBytes) again2 = body2 ? cl_cvc_body_encode (body2, NULL) : NULL;

    if (again2 == NULL || !g_bytes_equal (again, again2))
      __builtin_trap ();
  }
  g_free (cl_cvc_get_opensc_serial (cvc));
  key = cl_cvc_get_public_key (cvc, CL_CVC_CURVE_SECP256K1, NULL);
  if (key != NULL)
    {
      cl_cvc_verify (cvc, key, cl_cvc_get_algorithm (cvc), NULL);
      EVP_PKEY_free (key);
    }
  return 0;
}
