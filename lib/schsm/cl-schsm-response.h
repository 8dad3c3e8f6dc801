/* cl-schsm-response.h: parsers for SmartCard-HSM responses (hostile input: fuzzed) and the mapping of status
 * words to results and errors. */
#pragma once

#include <glib.h>

#include "cvc/cl-cvc-request.h"

G_BEGIN_DECLS

typedef enum
{
  CL_SCHSM_PIN_VERIFIED,        /* 9000 */
  CL_SCHSM_PIN_NOT_VERIFIED,    /* 63Cx: not verified (or just given wrong), retries_left = x */
  CL_SCHSM_PIN_BLOCKED,         /* 6983 (or 63C0) */
  CL_SCHSM_PIN_NOT_INITIALIZED, /* 6A88: the device has no PIN yet */
} ClSchsmPinState;

typedef struct
{
  ClSchsmPinState state;
  guint retries_left; /* meaningful for NOT_VERIFIED */
} ClSchsmPinStatus;

typedef struct
{
  guint8 total;       /* shares the DKEK is made of */
  guint8 outstanding; /* shares still to import */
  gboolean has_kcv;
  guint8 kcv[8]; /* first 8 bytes of SHA-256 (DKEK), when present */
} ClSchsmDkekStatus;

/* TRUE and status filled when sw is an answer about a PIN (9000, 63Cx, 6983, 6A88); FALSE otherwise. */
gboolean cl_schsm_pin_status_from_sw (guint16 sw, ClSchsmPinStatus *status);
/* TRUE for 9000; otherwise CL_ERROR_CARD_STATUS "<what>: card answered XXXX (...)" (cl_error_get_sw finds it). */
gboolean cl_schsm_check_sw (guint16 sw, const char *what, GError **error);

/* FCP (62) or FCI (6F) of SELECT: the applet version is the last two bytes of proprietary tag 85 (major, minor). */
gboolean cl_schsm_parse_select (const guint8 *data, gsize len, guint8 *major, guint8 *minor, GError **error);
/* total(1) outstanding(1) [KCV(8)]. */
gboolean cl_schsm_parse_dkek_status (const guint8 *data, gsize len, ClSchsmDkekStatus *status, GError **error);
/* A list of two-byte FIDs; returns a GArray of guint16. */
GArray *cl_schsm_parse_file_list (const guint8 *data, gsize len, GError **error);
/* The answer to GENERATE ASYMMETRIC KEY PAIR: an (authenticated) CV request. */
ClCvcRequest *cl_schsm_parse_generate_response (const guint8 *data, gsize len, GError **error);

G_END_DECLS
