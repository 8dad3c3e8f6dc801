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
  /* a certificate that parsed must re-encode to its own body */
  if (again == NULL || !g_bytes_equal (again, cl_cvc_get_body_tlv (cvc)))
    __builtin_trap ();
  g_free (cl_cvc_get_opensc_serial (cvc));
  key = cl_cvc_get_public_key (cvc, CL_CVC_CURVE_SECP256K1, NULL);
  if (key != NULL)
    {
      cl_cvc_verify (cvc, key, cl_cvc_get_algorithm (cvc), NULL);
      EVP_PKEY_free (key);
    }
  return 0;
}
