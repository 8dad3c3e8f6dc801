/* cl-cvc-ossl.h: OpenSSL failures become CL_ERROR_CRYPTO here, and only here, so the
 * thread's OpenSSL error queue is always drained and the message always names the operation. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sets CL_ERROR_CRYPTO "<what>: <first OpenSSL reason>" and clears the OpenSSL error queue. */
void cl_cvc_set_ossl_error (GError **error, const char *what);

G_END_DECLS
