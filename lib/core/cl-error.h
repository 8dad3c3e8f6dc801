/* cl-error.h: the error domain of lib/. Drivers and the UI have their own domains;
 * foreign codes (SW, CKR_*, OpenSSL) are translated into these once, where they are met.
 *
 * A failure that crosses the ClTransport interface is one of this domain's transport codes whatever the
 * transport (PC/SC, the virtual card, a relay): which code means what is the transport contract, written down
 * in apdu/cl-transport.h. They live here rather than in a domain of their own because one layer has one
 * domain: "the card went away" must not exist twice. Codes are appended, never renumbered. */
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
  CL_ERROR_TRANSPORT,        /* the transport to the card failed, for no reason listed here */
  CL_ERROR_CARD_REMOVED,     /* the card went away, was reset under us or stopped answering */
  CL_ERROR_CANCELLED,        /* also reported as G_IO_ERROR_CANCELLED where a GCancellable fired */
  CL_ERROR_STORE,            /* the record store failed */
  CL_ERROR_PROFILE,          /* a profile is invalid */
  CL_ERROR_READER_GONE,      /* the reader was unplugged or is unknown: the station's fault, not the card's */
  CL_ERROR_SERVICE_LOST,     /* the service behind the readers (pcscd) is unreachable: the station's fault */
  CL_ERROR_TIMEOUT,          /* the card did not answer in time */
  CL_ERROR_CLAIMED,          /* the chip is in production elsewhere: another owner's claim holds (cl-store-claim.h) */
  CL_ERROR_HSM_LOST,         /* the HSM (PKCS#11 token) went away or lost its session: the station's fault */
  CL_ERROR_PRINTER_QUEUE,    /* the face printer's queue is unreachable or takes no jobs: the station's fault */
  CL_ERROR_WHEREABOUTS_UNKNOWN, /* a card's move was lost (printer power loss) and no card was found afterwards */
  CL_ERROR_PRODUCTION_SERVICE,  /* the production service (remote production) is unreachable or answered outside the
                                 * dialect: the station's fault, not the card's */
  CL_ERROR_BATCH_FULL,          /* the batch has no place left for another card (store/cl-store-place.h) */
  CL_ERROR_FLEET_KEYS,          /* the station's master keys differ from the fleet's (cl-store-station-keys.h) */
} ClError;

GQuark cl_error_quark (void);

G_END_DECLS
