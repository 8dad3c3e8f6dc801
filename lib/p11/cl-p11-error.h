/* cl-p11-error.h: the one place where CKR_* codes become CL_ERROR codes. */
#pragma once

#include <glib.h>
#include <p11-kit/pkcs11.h>

G_BEGIN_DECLS

/* The CKR_ name of rv ("CKR_PIN_INCORRECT"), or "CKR_0x..." for vendor codes (static or thread-local). */
const char *cl_p11_rv_to_string (CK_RV rv);
/* The mechanism name ("CKM_AES_CMAC") for messages. */
const char *cl_p11_mechanism_to_string (CK_MECHANISM_TYPE mech);

/* Sets error from rv: "<what>: <CKR name>" in the CL_ERROR code that fits rv (CL_ERROR_TOKEN for token
 * failures, CL_ERROR_NOT_SUPPORTED for missing mechanisms, CL_ERROR_HSM_LOST for a token that went away or
 * lost the sessions and object handles the station holds (cl_p11_token_reconnect() is the way back), ...).
 * what names the operation and object (never a key value or PIN). Returns FALSE for `return cl_p11_...`. */
gboolean cl_p11_set_error (GError **error, CK_RV rv, const char *format, ...) G_GNUC_PRINTF (3, 4);

G_END_DECLS
