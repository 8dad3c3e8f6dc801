/* cl-gp-manage.h: DELETE, SET STATUS and STORE DATA. */
#pragma once

#include "apdu/cl-apdu.h"

G_BEGIN_DECLS

typedef enum
{
  CL_GP_SET_STATUS_ISD = 0x80,
  CL_GP_SET_STATUS_APPLICATION = 0x40, /* application or supplementary security domain */
  CL_GP_SET_STATUS_SD_AND_APPS = 0x60, /* security domain and its associated applications */
} ClGpSetStatusScope;

/* STORE DATA P1 bits 5-4: what structure the data has. */
typedef enum
{
  CL_GP_STORE_DATA_NO_INFO = 0x00,
  CL_GP_STORE_DATA_DGI = 0x08,
  CL_GP_STORE_DATA_BER_TLV = 0x10,
} ClGpStoreDataFormat;

/* 80 E4 00 (related ? 80 : 00) 4F len AID 00 */
ClApdu *cl_gp_delete_apdu (const guint8 *aid, gsize aid_len, gboolean related, GError **error);
/* 80 F0 scope state [AID]: aid may be NULL for the ISD. */
ClApdu *cl_gp_set_status_apdu (ClGpSetStatusScope scope, guint8 state, const guint8 *aid, gsize aid_len,
                               GError **error);
/* 80 E2 P1 P2: data cut into blocks of at most max_block bytes, P2 the block number, P1 = format | 80
 * on the last block. Marked sensitive when sensitive is set (personalisation secrets). */
GPtrArray *cl_gp_store_data_apdus (const guint8 *data, gsize len, gsize max_block, ClGpStoreDataFormat format,
                                   gboolean sensitive, GError **error);

G_END_DECLS
