/* cl-gp-manage.c: DELETE, SET STATUS and STORE DATA commands. */
#include "gp/cl-gp-manage.h"

#include "core/cl-error.h"
#include "gp/cl-gp-aid.h"
#include "tlv/cl-tlv.h"

ClApdu *
cl_gp_delete_apdu (const guint8 *aid, gsize aid_len, gboolean related, GError **error)
{
  g_autoptr (GByteArray) data = g_byte_array_new ();

  if (!cl_gp_check_aid ("DELETE", aid, aid_len, error))
    return NULL;
  cl_tlv_append (data, 0x4F, aid, aid_len);
  return cl_apdu_new (CL_GP_CLA, CL_GP_INS_DELETE, 0x00, related ? 0x80 : 0x00, data->data, data->len, 256);
}

ClApdu *
cl_gp_set_status_apdu (ClGpSetStatusScope scope, guint8 state, const guint8 *aid, gsize aid_len, GError **error)
{
  if (scope != CL_GP_SET_STATUS_ISD && !cl_gp_check_aid ("SET STATUS", aid, aid_len, error))
    return NULL;
  if (scope == CL_GP_SET_STATUS_ISD && aid != NULL && !cl_gp_check_aid ("SET STATUS", aid, aid_len, error))
    return NULL;
  return cl_apdu_new (CL_GP_CLA, CL_GP_INS_SET_STATUS, scope, state, aid, aid != NULL ? aid_len : 0, 0);
}

GPtrArray *
cl_gp_store_data_apdus (const guint8 *data, gsize len, gsize max_block, ClGpStoreDataFormat format, gboolean sensitive,
                        GError **error)
{
  g_autoptr (GPtrArray) apdus = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_apdu_free);
  gsize count;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (max_block == 0 || max_block > 255)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "STORE DATA: block size %" G_GSIZE_FORMAT " (1 to 255)",
                   max_block);
      return NULL;
    }
  count = len == 0 ? 1 : (len + max_block - 1) / max_block;
  if (count > 256)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "STORE DATA: %" G_GSIZE_FORMAT " bytes need %" G_GSIZE_FORMAT " blocks, more than 256", len, count);
      return NULL;
    }
  for (gsize i = 0; i < count; i++)
    {
      gsize offset = i * max_block;
      gsize n = MIN (max_block, len - offset);
      guint8 p1 = (guint8)format | (i + 1 == count ? 0x80 : 0x00);
      ClApdu *apdu = cl_apdu_new (CL_GP_CLA, CL_GP_INS_STORE_DATA, p1, (guint8)i, n > 0 ? data + offset : NULL, n, 0);

      if (sensitive)
        apdu->flags |= CL_APDU_FLAG_SENSITIVE;
      g_ptr_array_add (apdus, apdu);
    }
  return g_steal_pointer (&apdus);
}
