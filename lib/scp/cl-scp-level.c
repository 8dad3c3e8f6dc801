#include "scp/cl-scp-level.h"

gboolean
cl_scp_level_is_valid (guint8 level, gboolean allow_response_protection)
{
  if (level & ~(CL_SCP_LEVEL_C_MAC | CL_SCP_LEVEL_C_DEC | CL_SCP_LEVEL_R_MAC | CL_SCP_LEVEL_R_ENC))
    return FALSE;
  if (!allow_response_protection && (level & (CL_SCP_LEVEL_R_MAC | CL_SCP_LEVEL_R_ENC)))
    return FALSE;
  if ((level & CL_SCP_LEVEL_C_DEC) && !(level & CL_SCP_LEVEL_C_MAC))
    return FALSE;
  if ((level & CL_SCP_LEVEL_R_MAC) && !(level & CL_SCP_LEVEL_C_MAC))
    return FALSE;
  if ((level & CL_SCP_LEVEL_R_ENC) && !((level & CL_SCP_LEVEL_R_MAC) && (level & CL_SCP_LEVEL_C_DEC)))
    return FALSE;
  return TRUE;
}
