/* cl-gp-install.h: loading and installing an executable load file: INSTALL [for load], LOAD,
 * INSTALL [for install and make selectable], and the parameter fields they carry. */
#pragma once

#include "apdu/cl-apdu.h"

G_BEGIN_DECLS

typedef struct
{
  const guint8 *aid;
  gsize len;
} ClGpAid;

/* EF { C6 nv-code, C7 volatile-data, C8 nv-data } with the limits that are non-zero (two bytes each
 * up to 0xFFFF, four beyond): the load parameters of INSTALL [for load]. Empty if all are zero. */
GBytes *cl_gp_build_load_parameters (guint32 nv_code, guint32 volatile_data, guint32 nv_data);
/* C9 <applet parameters> then EF { C7, C8 } when a limit is non-zero: install parameters. C9 is always
 * present (GP requires it, empty if there are no applet parameters). */
GBytes *cl_gp_build_install_parameters (const guint8 *applet_params, gsize applet_params_len, guint32 volatile_data,
                                        guint32 nv_data);

/* Data of INSTALL [for load]: LF AID, SD AID (may be empty), hash, load parameters, token (each
 * length-prefixed; NULL = empty). */
GBytes *cl_gp_install_for_load_data (ClGpAid load_file, ClGpAid security_domain, GBytes *hash, GBytes *load_params,
                                     GBytes *token, GError **error);
/* 80 E6 02 00 data 00 */
ClApdu *cl_gp_install_for_load_apdu (ClGpAid load_file, ClGpAid security_domain, GBytes *hash, GBytes *load_params,
                                     GBytes *token, GError **error);

/* Data of INSTALL [for install and make selectable]: LF AID, module AID, application AID, privileges,
 * install parameters, token. */
GBytes *cl_gp_install_for_install_data (ClGpAid load_file, ClGpAid module, ClGpAid application,
                                        const guint8 *privileges, gsize privileges_len, GBytes *install_params,
                                        GBytes *token, GError **error);
/* 80 E6 0C 00 data 00 */
ClApdu *cl_gp_install_for_install_apdu (ClGpAid load_file, ClGpAid module, ClGpAid application,
                                        const guint8 *privileges, gsize privileges_len, GBytes *install_params,
                                        GBytes *token, GError **error);

/* 80 E8 P1 P2: one ClApdu per block of at most max_block bytes of lfdb (the C4 TLV), P1 80 on the last,
 * P2 the block number; blocks beyond 255 bytes need an extended-length APDU (a card that takes one). More than 256
 * blocks is CL_ERROR_INVALID_ARGUMENT. */
GPtrArray *cl_gp_load_apdus (GBytes *lfdb, gsize max_block, GError **error);

G_END_DECLS
