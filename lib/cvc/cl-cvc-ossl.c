#include "cvc/cl-cvc-ossl.h"

#include <openssl/err.h>

#include "core/cl-error.h"

void
cl_cvc_set_ossl_error (GError **error, const char *what)
{
  unsigned long code = ERR_peek_error ();
  char reason[256] = "no detail from OpenSSL";

  if (code != 0)
    ERR_error_string_n (code, reason, sizeof reason);
  ERR_clear_error ();
  g_set_error (error, CL_ERROR, CL_ERROR_CRYPTO, "%s failed: %s", what, reason);
}
