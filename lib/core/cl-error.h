/* cl-error.h: the error domain of lib/. Drivers and the UI have their own domains;
 * foreign codes (SW, CKR_*, OpenSSL) are translated into these once, where they are met. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_ERROR (cl_error_quark ())

typedef enum
{
  CL_ERROR_FAILED,           /* anything not listed below */
  CL_ERROR_INVALID_ARGUMENT, /* the caller passed something unusable */
  CL_ERROR_MALFORMED,        /* input from outside (card, file) does not parse */
  CL_ERROR_CARD_STATUS,      /* card answered an unexpected status word */
  CL_ERROR_SECURITY,         /* MAC/cryptogram/KCV/signature mismatch */
  CL_ERROR_CRYPTO,           /* the crypto library failed */
  CL_ERROR_TOKEN,            /* the PKCS#11 token failed (CKR_*) */
  CL_ERROR_NOT_SUPPORTED,    /* the token or card lacks a mechanism/feature */
  CL_ERROR_NOT_FOUND,        /* key, file, record not found */
  CL_ERROR_TRANSPORT,        /* the transport to the card failed */
  CL_ERROR_CARD_REMOVED,     /* the card went away */
  CL_ERROR_CANCELLED,        /* also reported as G_IO_ERROR_CANCELLED where a GCancellable fired */
  CL_ERROR_STORE,            /* the record store failed */
  CL_ERROR_PROFILE,          /* a profile is invalid */
  CL_ERROR_READER_GONE,
  CL_ERROR_SERVICE_LOST,
  CL_ERROR_TIMEOUT,
  CL_ERROR_CLAIMED,          /* the chip is in production elsewhere: another owner's claim holds (cl-store-claim.h) */
} ClError;

GQuark cl_error_quark (void);

G_END_DECLS
