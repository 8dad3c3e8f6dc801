/* cl-apdu-private.h: encoding helpers shared inside lib/apdu (the card channel needs the data offset to mask
 * sensitive data in traces). */
#pragma once

#include "apdu/cl-apdu.h"

G_BEGIN_DECLS

gboolean cl_apdu_fits_short (const ClApdu *apdu);
/* extended forces extended length; data_offset (optional) receives where the data field starts. */
GBytes *cl_apdu_encode_full (const ClApdu *apdu, gboolean extended, gsize *data_offset, GError **error);

G_END_DECLS
