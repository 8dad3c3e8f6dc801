/* cl-scp-level.h: GlobalPlatform security levels (the P1 of EXTERNAL AUTHENTICATE). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_SCP_LEVEL_NONE  0x00
#define CL_SCP_LEVEL_C_MAC 0x01
#define CL_SCP_LEVEL_C_DEC 0x02
#define CL_SCP_LEVEL_R_MAC 0x10
#define CL_SCP_LEVEL_R_ENC 0x20

/* Whether level is a consistent combination (C-DEC needs C-MAC, R-ENC needs R-MAC and C-DEC). */
gboolean cl_scp_level_is_valid (guint8 level, gboolean allow_response_protection);

G_END_DECLS
