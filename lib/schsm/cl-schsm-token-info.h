/* cl-schsm-token-info.h: the SmartCard-HSM's EF.TokenInfo (2F03), where OpenSC's pkcs15-sc-hsm emulation reads the
 * token label (pkcs15-tool's "PKCS#15 Card [LABEL]", the label pkcs11-tool -L shows) and which sc-hsm-tool
 * --initialize --label writes after INITIALIZE DEVICE, with the user PIN verified.
 *
 * Content: a PKCS#15 TokenInfo (ISO/IEC 7816-15) with what OpenSC writes there: SEQUENCE { version INTEGER 0,
 * label [0] UTF8String, tokenflags BIT STRING prn-generation }. No serial number: OpenSC takes it from the device
 * certificate. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_SCHSM_FID_TOKEN_INFO 0x2F03
/* CK_TOKEN_INFO's label field: what a PKCS#11 application can show of it */
#define CL_SCHSM_TOKEN_LABEL_MAX 32

/* CL_ERROR_INVALID_ARGUMENT unless label is UTF-8 of 1 to CL_SCHSM_TOKEN_LABEL_MAX bytes. */
GBytes *cl_schsm_token_info_encode (const char *label, GError **error);
/* The label of a TokenInfo; NULL without an error when it has none. CL_ERROR_MALFORMED when it is no TokenInfo. */
char *cl_schsm_token_info_label (GBytes *token_info, GError **error);

G_END_DECLS
