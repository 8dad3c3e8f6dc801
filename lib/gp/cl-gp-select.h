/* cl-gp-select.h: SELECT by AID and the parts of the answer (FCI, tag 6F) a card manager client uses. */
#pragma once

#include "apdu/cl-apdu.h"

G_BEGIN_DECLS

typedef struct
{
  guint8 aid[16]; /* tag 84; aid_len 0 if absent */
  gsize aid_len;
  gboolean is_security_domain; /* A5 carries Security Domain Management Data (tag 73) */
  guint32 max_command_data;    /* A5/9F65, 0 if absent */
} ClGpFci;

/* 00 A4 04 00 Lc AID 00 */
ClApdu *cl_gp_select_apdu (const guint8 *aid, gsize aid_len, GError **error);
/* An empty answer is accepted (some cards return no FCI); anything but 6F is CL_ERROR_MALFORMED. */
gboolean cl_gp_fci_parse (const guint8 *data, gsize len, ClGpFci *out, GError **error);

G_END_DECLS
