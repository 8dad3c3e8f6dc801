/* cl-gp-select.c: SELECT command and FCI parsing. */
#include "gp/cl-gp-select.h"

#include <string.h>

#include "core/cl-error.h"
#include "gp/cl-gp-aid.h"
#include "tlv/cl-tlv.h"

ClApdu *
cl_gp_select_apdu (const guint8 *aid, gsize aid_len, GError **error)
{
  if (!cl_gp_check_aid ("SELECT", aid, aid_len, error))
    return NULL;
  return cl_apdu_new (0x00, CL_GP_INS_SELECT, 0x04, 0x00, aid, aid_len, 256);
}

static gboolean
parse_proprietary (const guint8 *data, gsize len, ClGpFci *out, GError **error)
{
  g_autoptr (GArray) items = cl_tlv_parse_all (data, len, error);

  if (items == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      const ClTlv *t = &g_array_index (items, ClTlv, i);

      if (t->tag == 0x73)
        out->is_security_domain = TRUE;
      else if (t->tag == 0x9F65)
        {
          if (t->len == 0 || t->len > 4)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                           "tag 9F65 (maximum command data) of %" G_GSIZE_FORMAT " bytes", t->len);
              return FALSE;
            }
          out->max_command_data = 0;
          for (gsize k = 0; k < t->len; k++)
            out->max_command_data = (out->max_command_data << 8) | t->value[k];
        }
    }
  return TRUE;
}

gboolean
cl_gp_fci_parse (const guint8 *data, gsize len, ClGpFci *out, GError **error)
{
  ClTlv fci;
  gsize pos = 0;
  g_autoptr (GArray) items = NULL;

  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  if (len == 0)
    return TRUE;
  if (!cl_tlv_read (data, len, &pos, &fci, error))
    {
      g_prefix_error (error, "SELECT response: ");
      return FALSE;
    }
  if (fci.tag != 0x6F)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "SELECT response: tag %X at offset 0, expected FCI tag 6F",
                   fci.tag);
      return FALSE;
    }
  items = cl_tlv_parse_all (fci.value, fci.len, error);
  if (items == NULL)
    {
      g_prefix_error (error, "SELECT response FCI: ");
      return FALSE;
    }
  for (guint i = 0; i < items->len; i++)
    {
      const ClTlv *t = &g_array_index (items, ClTlv, i);

      if (t->tag == 0x84)
        {
          if (t->len > sizeof out->aid)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                           "SELECT response FCI: AID (tag 84) of %" G_GSIZE_FORMAT " bytes", t->len);
              return FALSE;
            }
          memcpy (out->aid, t->value, t->len);
          out->aid_len = t->len;
        }
      else if (t->tag == 0xA5 && !parse_proprietary (t->value, t->len, out, error))
        {
          g_prefix_error (error, "SELECT response FCI proprietary data (A5): ");
          return FALSE;
        }
    }
  return TRUE;
}
