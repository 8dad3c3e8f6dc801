/* cl-apdu.h: ISO 7816-4 command and response APDUs (cases 1-4, short and extended). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  CL_APDU_FLAG_NONE = 0,
  CL_APDU_FLAG_SENSITIVE = 1 << 0, /* data is a secret (PUT KEY keys, PINs): never traced */
  CL_APDU_FLAG_EXTENDED = 1 << 1,  /* force extended length encoding */
} ClApduFlags;

typedef struct
{
  guint8 cla;
  guint8 ins;
  guint8 p1;
  guint8 p2;
  GBytes *data; /* NULL or empty: no command data */
  guint32 ne;   /* expected response length: 0 = no Le field, 1..65536 (256 = short "00") */
  ClApduFlags flags;
} ClApdu;

typedef struct
{
  GBytes *data; /* never NULL; may be empty */
  guint16 sw;
} ClResponse;

#define CL_TYPE_APDU     (cl_apdu_get_type ())
#define CL_TYPE_RESPONSE (cl_response_get_type ())
GType cl_apdu_get_type (void);
GType cl_response_get_type (void);

ClApdu *cl_apdu_new (guint8 cla, guint8 ins, guint8 p1, guint8 p2, const guint8 *data, gsize len, guint32 ne);
ClApdu *cl_apdu_copy (const ClApdu *apdu);
void cl_apdu_free (ClApdu *apdu);
gsize cl_apdu_get_lc (const ClApdu *apdu);
/* Encodes as short when it fits (and EXTENDED is not set), else extended; fails if it cannot be encoded. */
GBytes *cl_apdu_encode (const ClApdu *apdu, GError **error);
/* Parses a command APDU (card side, fuzzed); rejects inconsistent lengths with CL_ERROR_MALFORMED. */
ClApdu *cl_apdu_parse (const guint8 *raw, gsize len, GError **error);

ClResponse *cl_response_new (const guint8 *data, gsize len, guint16 sw);
/* Splits data || SW1 SW2; fewer than 2 bytes is CL_ERROR_MALFORMED. */
ClResponse *cl_response_parse (const guint8 *raw, gsize len, GError **error);
ClResponse *cl_response_copy (const ClResponse *response);
void cl_response_free (ClResponse *response);
GBytes *cl_response_encode (const ClResponse *response);

/* 9000 and 61xx are success; 62xx/63xx warnings per ISO 7816-4. */
gboolean cl_sw_is_success (guint16 sw);
/* A short English description of a status word ("security status not satisfied"). */
const char *cl_sw_describe (guint16 sw);
/* Sets CL_ERROR_CARD_STATUS "<what>: card answered 6982 (security status not satisfied)" */
void cl_set_sw_error (GError **error, guint16 sw, const char *what);
/* The status word carried by a CL_ERROR_CARD_STATUS error (0 if none). */
guint16 cl_error_get_sw (const GError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClApdu, cl_apdu_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClResponse, cl_response_free)

G_END_DECLS
