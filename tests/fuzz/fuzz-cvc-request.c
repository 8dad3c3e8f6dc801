/* Fuzzes the CV request parser (authenticated 67 and bare 7F21) and its signature checks. */
#include <stdint.h>

#include "cvc/cl-cvc-request.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  g_autoptr (ClCvcRequest) req = cl_cvc_request_new_from_bytes (bytes, NULL);
  ClCvc *inner;
  EVP_PKEY *key;

  if (req == NULL)
    return 0;
  cl_cvc_request_verify_inner (req, CL_CVC_CURVE_P256, NULL);
  inner = cl_cvc_request_get_inner (req);
  key = cl_cvc_get_public_key (inner, CL_CVC_CURVE_P256, NULL);
  if (key != NULL)
    {
      cl_cvc_request_verify_outer (req, key, cl_cvc_get_algorithm (inner), NULL);
      EVP_PKEY_free (key);
    }
  return 0;
}
