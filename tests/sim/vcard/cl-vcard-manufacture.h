/* cl-vcard-manufacture.h: what the chip manufacturer does before cards reach the station (DESIGN §2 steps
 * 1-2): a unique chip identity (CPLC, KDD) and the ISD holding the KST, life cycle OP_READY. */
#pragma once

#include "cl-vcard-image.h"

G_BEGIN_DECLS

typedef struct
{
  ClKeyType kst_type;
  guint8 kst_version;
  GBytes *kst_enc;
  GBytes *kst_mac;
  GBytes *kst_dek;
  guint8 scp;
  guint8 i;
} ClVcardManufactureSpec;

/* Card number index of a batch; rand decides the batch's serial base and dates, so one seed gives one batch. */
ClVcardImage *cl_vcard_manufacture (const ClVcardManufactureSpec *spec, guint32 serial_base, guint index,
                                    GError **error);

G_END_DECLS
