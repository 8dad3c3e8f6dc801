#include "schsm/cl-schsm-response.h"

#include <string.h>

#include "apdu/cl-apdu.h"
#include "core/cl-error.h"
#include "tlv/cl-tlv.h"

gboolean
cl_schsm_pin_status_from_sw (guint16 sw, ClSchsmPinStatus *status)
{
  g_return_val_if_fail (status != NULL, FALSE);

  status->retries_left = 0;
  if (sw == 0x9000)
    status->state = CL_SCHSM_PIN_VERIFIED;
  else if (sw == 0x63C0 || sw == 0x6983)
    status->state = CL_SCHSM_PIN_BLOCKED;
  else if ((sw & 0xFFF0) == 0x63C0)
    {
      status->state = CL_SCHSM_PIN_NOT_VERIFIED;
      status->retries_left = sw & 0x0F;
    }
  else if (sw == 0x6A88)
    status->state = CL_SCHSM_PIN_NOT_INITIALIZED;
  else
    return FALSE;
  return TRUE;
}

gboolean
cl_schsm_check_sw (guint16 sw, const char *what, GError **error)
{
  if (sw == 0x9000)
    return TRUE;
  cl_set_sw_error (error, sw, what);
  return FALSE;
}

gboolean
cl_schsm_parse_select (const guint8 *data, gsize len, guint8 *major, guint8 *minor, GError **error)
{
  gsize pos = 0;
  ClTlv outer, prop;
  GError *local = NULL;

  if (!cl_tlv_read (data, len, &pos, &outer, &local))
    {
      if (local)
        g_propagate_prefixed_error (error, local, "SmartCard-HSM SELECT response: ");
      else
        g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED, "SmartCard-HSM SELECT response: empty, no FCP");
      return FALSE;
    }
  if (outer.tag != 0x62 && outer.tag != 0x6F)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "SmartCard-HSM SELECT response: tag %X at offset 0, expected FCP (62)", outer.tag);
      return FALSE;
    }
  if (!cl_tlv_find (outer.value, outer.len, 0x85, &prop, error))
    {
      g_prefix_error (error, "SmartCard-HSM FCP: ");
      return FALSE;
    }
  if (prop.len < 2)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "SmartCard-HSM FCP: proprietary tag 85 has %" G_GSIZE_FORMAT " bytes, too short for a version",
                   prop.len);
      return FALSE;
    }
  if (major)
    *major = prop.value[prop.len - 2];
  if (minor)
    *minor = prop.value[prop.len - 1];
  return TRUE;
}

gboolean
cl_schsm_parse_dkek_status (const guint8 *data, gsize len, ClSchsmDkekStatus *status, GError **error)
{
  g_return_val_if_fail (status != NULL, FALSE);

  memset (status, 0, sizeof *status);
  if (len != 2 && len != 10)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "IMPORT DKEK SHARE response: %" G_GSIZE_FORMAT " bytes, expected 2 or 10 (total, outstanding, KCV)",
                   len);
      return FALSE;
    }
  status->total = data[0];
  status->outstanding = data[1];
  if (status->outstanding > status->total)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "IMPORT DKEK SHARE response: %u shares outstanding of %u in total", status->outstanding,
                   status->total);
      return FALSE;
    }
  status->has_kcv = len == 10;
  if (status->has_kcv)
    memcpy (status->kcv, data + 2, 8);
  return TRUE;
}

GArray *
cl_schsm_parse_file_list (const guint8 *data, gsize len, GError **error)
{
  GArray *fids;

  if (len % 2 != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "LIST FILES response: %" G_GSIZE_FORMAT " bytes is not a list of two-byte file identifiers", len);
      return NULL;
    }
  fids = g_array_sized_new (FALSE, FALSE, sizeof (guint16), (guint)(len / 2));
  for (gsize i = 0; i < len; i += 2)
    {
      guint16 fid = (guint16)(data[i] << 8 | data[i + 1]);
      g_array_append_val (fids, fid);
    }
  return fids;
}

ClCvcRequest *
cl_schsm_parse_generate_response (const guint8 *data, gsize len, GError **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);
  ClCvcRequest *request = cl_cvc_request_new_from_bytes (bytes, error);

  if (request == NULL)
    g_prefix_error (error, "GENERATE ASYMMETRIC KEY PAIR response: ");
  return request;
}
