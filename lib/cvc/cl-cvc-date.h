/* cl-cvc-date.h: CVC dates (5F25 effective, 5F24 expiry): six bytes YYMMDD, one unpacked BCD digit per byte,
 * years 2000-2099. Kept as "YYMMDD" text in the API. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Checks the six digits form a real calendar date and writes "YYMMDD" to text (7 bytes). what names the field. */
gboolean cl_cvc_date_decode (const guint8 *value, gsize len, const char *what, char text[7], GError **error);
/* The inverse; text must be "YYMMDD" naming a real date. */
gboolean cl_cvc_date_encode (const char *text, guint8 value[6], GError **error);
/* "YYMMDD" of a date-time (its UTC date). */
char *cl_cvc_date_from_datetime (GDateTime *datetime);
/* Start of that day in UTC; NULL if text is not a valid date. */
GDateTime *cl_cvc_date_to_datetime (const char *text);

G_END_DECLS
