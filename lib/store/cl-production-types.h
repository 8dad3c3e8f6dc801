/* cl-production-types.h: the closed lists the production sequence, the store, yield charts and QA share.
 *
 * The string forms are stable: they are stored in the database and exported in reports, so a value may be
 * added at the end but never renamed or renumbered. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The steps of DESIGN §2, in sequence order. */
typedef enum
{
  CL_STEP_IDENTIFY,    /* ATR against the profile, SELECT ISD, GET DATA CPLC */
  CL_STEP_OPEN_KST,    /* secure channel with the transport key set (or the card keys when resuming) */
  CL_STEP_CONFIGURE,   /* card data the profile asks for */
  CL_STEP_ROTATE_KEYS, /* PUT KEY: KST -> card-unique keys, KCVs compared, channel re-opened */
  CL_STEP_LOAD_APPLET, /* [DELETE], INSTALL [for load], LOAD */
  CL_STEP_INIT_APPLET, /* INSTALL [for install], INITIALIZE DEVICE, device key generation */
  CL_STEP_CERTIFY,     /* device CVC signed by the DICA and written to EF.C_DevAut */
  CL_STEP_VERIFY,      /* independent check of the finished card */
  CL_STEP_FACE,        /* card-face printing */
  CL_STEP_DISPOSE,     /* output hopper or reject bin */
} ClProductionStep;

#define CL_PRODUCTION_STEP_COUNT (CL_STEP_DISPOSE + 1)

/* Why a card went to the reject bin. Each rejection also records the failed step and the last status word. */
typedef enum
{
  CL_REJECT_NO_ATR,              /* no answer to reset: no chip, dead chip or bad contact */
  CL_REJECT_WRONG_CARD,          /* ATR, ISD or CPLC do not match the profile */
  CL_REJECT_AUTH_KST_FAILED,     /* the secure channel with the KST (or known card keys) did not open */
  CL_REJECT_KEY_ROTATION_FAILED, /* PUT KEY refused, KCV mismatch, or the new keys did not authenticate */
  CL_REJECT_LOAD_FAILED,         /* DELETE, INSTALL [for load] or a LOAD block refused */
  CL_REJECT_INSTALL_FAILED,      /* INSTALL [for install and make selectable] refused */
  CL_REJECT_INIT_FAILED,         /* applet initialisation (INITIALIZE DEVICE) refused */
  CL_REJECT_KEYGEN_FAILED,       /* device key generation failed or its request did not verify */
  CL_REJECT_CERT_FAILED,         /* certificate could not be issued, written or read back */
  CL_REJECT_VERIFY_FAILED,       /* the final verification found the card not as it should be */
  CL_REJECT_CARD_REMOVED,        /* the card left the reader during the sequence */
  CL_REJECT_TIMEOUT,             /* the card or a step exceeded the profile's card timeout */
  CL_REJECT_PRINT_FAILED,        /* the card face could not be printed */
  CL_REJECT_DUPLICATE_CHIP,      /* the chip identity was already produced good (or is in production elsewhere) */
  CL_REJECT_HOSTILE_CARD,        /* the card answered malformed or out-of-protocol data (bad MAC, bad TLV) */
  CL_REJECT_PROTOCOL_ERROR,      /* a transport or host-side failure not attributable to the card (HSM, reader) */
} ClRejectReason;

#define CL_REJECT_REASON_COUNT (CL_REJECT_PROTOCOL_ERROR + 1)

#define CL_TYPE_PRODUCTION_STEP (cl_production_step_get_type ())
GType cl_production_step_get_type (void);
#define CL_TYPE_REJECT_REASON (cl_reject_reason_get_type ())
GType cl_reject_reason_get_type (void);

/* "IDENTIFY", "OPEN_KST", ... */
const char *cl_production_step_to_string (ClProductionStep step);
/* Case-sensitive; CL_ERROR_INVALID_ARGUMENT naming the value and the accepted names. */
gboolean cl_production_step_from_string (const char *name, ClProductionStep *out, GError **error);

/* "NO_ATR", "WRONG_CARD", ... */
const char *cl_reject_reason_to_string (ClRejectReason reason);
gboolean cl_reject_reason_from_string (const char *name, ClRejectReason *out, GError **error);
/* One line for operators and reports ("The card left the reader during the sequence"). */
const char *cl_reject_reason_describe (ClRejectReason reason);

G_END_DECLS
