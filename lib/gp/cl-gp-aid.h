/* cl-gp-aid.h: AIDs and the command bytes of the GlobalPlatform card manager (GP Card Spec 2.3). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_GP_CLA         0x80
#define CL_GP_AID_MIN_LEN 5
#define CL_GP_AID_MAX_LEN 16

#define CL_GP_INS_SELECT     0xA4
#define CL_GP_INS_GET_DATA   0xCA
#define CL_GP_INS_GET_STATUS 0xF2
#define CL_GP_INS_PUT_KEY    0xD8
#define CL_GP_INS_INSTALL    0xE6
#define CL_GP_INS_LOAD       0xE8
#define CL_GP_INS_DELETE     0xE4
#define CL_GP_INS_SET_STATUS 0xF0
#define CL_GP_INS_STORE_DATA 0xE2

/* The ISD AIDs tried in order when the profile names none: the GlobalPlatform default, then the
 * Visa/Open Platform ones older cards still use. NULL-terminated, each prefixed by its length byte. */
extern const guint8 *const cl_gp_isd_aids[];

/* CL_ERROR_INVALID_ARGUMENT naming what unless 5 <= len <= 16. */
gboolean cl_gp_check_aid (const char *what, const guint8 *aid, gsize len, GError **error);

G_END_DECLS
