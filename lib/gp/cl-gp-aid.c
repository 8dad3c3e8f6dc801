/* cl-gp-aid.c: well-known AIDs and AID checks. */
#include "gp/cl-gp-aid.h"

#include "core/cl-error.h"

static const guint8 isd_gp[] = { 8, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00 };
static const guint8 isd_visa[] = { 8, 0xA0, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00 };
static const guint8 isd_op[] = { 7, 0xA0, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00 };

const guint8 *const cl_gp_isd_aids[] = { isd_gp, isd_visa, isd_op, NULL };

gboolean
cl_gp_check_aid (const char *what, const guint8 *aid, gsize len, GError **error)
{
  if (aid == NULL || len < CL_GP_AID_MIN_LEN || len > CL_GP_AID_MAX_LEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "%s: AID of %" G_GSIZE_FORMAT " bytes (must be %d to %d)", what, aid == NULL ? 0 : len,
                   CL_GP_AID_MIN_LEN, CL_GP_AID_MAX_LEN);
      return FALSE;
    }
  return TRUE;
}
