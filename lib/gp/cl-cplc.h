/* cl-cplc.h: Card Production Life Cycle data (GET DATA 9F7F), the 42-byte layout of GP Card Spec /
 * Visa OP. The chip identity derived from it is the key of a card's record. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_CPLC_LEN 42

typedef struct
{
  guint16 ic_fabricator;
  guint16 ic_type;
  guint16 os_id;
  guint16 os_release_date; /* dates are YDDD in BCD: last digit of the year, day of the year */
  guint16 os_release_level;
  guint16 ic_fabrication_date;
  guint32 ic_serial_number;
  guint16 ic_batch_id;
  guint16 ic_module_fabricator;
  guint16 ic_module_packaging_date;
  guint16 icc_manufacturer;
  guint16 ic_embedding_date;
  guint16 ic_pre_personalizer;
  guint16 ic_pre_perso_equipment_date;
  guint32 ic_pre_perso_equipment_id;
  guint16 ic_personalizer;
  guint16 ic_personalization_date;
  guint32 ic_perso_equipment_id;
} ClCplc;

/* Accepts the GET DATA response as 9F7F 2A <42 bytes> or the bare 42 bytes; anything else is
 * CL_ERROR_MALFORMED naming the length or tag. */
gboolean cl_cplc_parse (const guint8 *data, gsize len, ClCplc *out, GError **error);
/* The chip identity, exactly as the store keys cards on it and the QA view searches it: IC fabricator, IC type,
 * IC batch and IC serial number as 20 upper-case hex digits without separators ("FFFFTTTTBBBBSSSSSSSS"), so the
 * last 8 digits are the IC serial number (what a {chip:8} holder reference takes). */
char *cl_cplc_chip_id (const ClCplc *cplc);
/* One "name: value" line per field, for the QA view and traces. */
char *cl_cplc_to_string (const ClCplc *cplc);

G_END_DECLS
