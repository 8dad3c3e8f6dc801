#include <openssl/err.h>

#include "core/cl-error.h"
#include "crypto/cl-crypto.h"

void
cl_crypto_set_error (GError **error, const char *operation)
{
  unsigned long code = ERR_peek_last_error ();
  char reason[256] = "unknown reason";

  if (code != 0)
    ERR_error_string_n (code, reason, sizeof reason);
  ERR_clear_error ();
  g_set_error (error, CL_ERROR, CL_ERROR_CRYPTO, "%s failed: %s", operation, reason);
}
