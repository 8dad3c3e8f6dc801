/* cl-gp-data.h: GET DATA objects of the card manager: key diversification data (CF) and the key
 * information template (E0). CPLC (9F7F) is in cl-cplc.h. */
#pragma once

#include "apdu/cl-apdu.h"

G_BEGIN_DECLS

#define CL_GP_TAG_CPLC      0x9F7F
#define CL_GP_TAG_KDD       0x00CF
#define CL_GP_TAG_KEY_INFO  0x00E0
#define CL_GP_TAG_CARD_DATA 0x0066
#define CL_GP_KDD_LEN       10

typedef struct
{
  guint8 id;
  guint8 version;
  guint8 type;    /* 80 DES, 88 AES, ... (first key component) */
  guint16 length; /* bytes */
} ClGpKeyInfo;

/* 80 CA tag-high tag-low 00 */
ClApdu *cl_gp_get_data_apdu (guint16 tag);
/* CF 0A <10 bytes>, or the bare 10 bytes. */
gboolean cl_gp_kdd_parse (const guint8 *data, gsize len, guint8 kdd[CL_GP_KDD_LEN], GError **error);
/* E0 { C0 <id version type length ...> ... }: an array of ClGpKeyInfo. */
GArray *cl_gp_key_info_parse (const guint8 *data, gsize len, GError **error);

G_END_DECLS
