/* cl-gp-data.c: GET DATA and the card manager data objects. */
#include "gp/cl-gp-data.h"

#include <string.h>

#include "core/cl-error.h"
#include "gp/cl-gp-aid.h"
#include "tlv/cl-tlv.h"

ClApdu *
cl_gp_get_data_apdu (guint16 tag)
{
  return cl_apdu_new (CL_GP_CLA, CL_GP_INS_GET_DATA, tag >> 8, tag & 0xFF, NULL, 0, 256);
}

gboolean
cl_gp_kdd_parse (const guint8 *data, gsize len, guint8 kdd[CL_GP_KDD_LEN], GError **error)
{
  const guint8 *value = data;
  gsize value_len = len;

  if (len > 0 && data[0] == 0xCF)
    {
      gsize pos = 0;
      ClTlv tlv;

      if (!cl_tlv_read (data, len, &pos, &tlv, error))
        {
          g_prefix_error (error, "key diversification data: ");
          return FALSE;
        }
      value = tlv.value;
      value_len = tlv.len;
      if (pos != len)
        value_len = G_MAXSIZE;
    }
  if (value_len != CL_GP_KDD_LEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "key diversification data (CF): %" G_GSIZE_FORMAT " bytes in the response, expected tag CF with %d",
                   len, CL_GP_KDD_LEN);
      return FALSE;
    }
  memcpy (kdd, value, CL_GP_KDD_LEN);
  return TRUE;
}

GArray *
cl_gp_key_info_parse (const guint8 *data, gsize len, GError **error)
{
  g_autoptr (GArray) keys = g_array_new (FALSE, TRUE, sizeof (ClGpKeyInfo));
  g_autoptr (GArray) items = NULL;
  ClTlv tmpl;
  gsize pos = 0;

  if (!cl_tlv_read (data, len, &pos, &tmpl, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "key information template: empty response");
      else
        g_prefix_error (error, "key information template: ");
      return NULL;
    }
  if (tmpl.tag != 0xE0 || pos != len)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "key information template: tag %X of %" G_GSIZE_FORMAT " bytes in a %" G_GSIZE_FORMAT
                   "-byte response, expected one E0",
                   tmpl.tag, tmpl.raw_len, len);
      return NULL;
    }
  items = cl_tlv_parse_all (tmpl.value, tmpl.len, error);
  if (items == NULL)
    {
      g_prefix_error (error, "key information template: ");
      return NULL;
    }
  for (guint i = 0; i < items->len; i++)
    {
      const ClTlv *t = &g_array_index (items, ClTlv, i);
      ClGpKeyInfo info = { 0 };

      if (t->tag != 0xC0)
        continue;
      if (t->len < 4)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "key information template: entry %u (C0) of %" G_GSIZE_FORMAT " bytes, at least 4 needed", i,
                       t->len);
          return NULL;
        }
      info.id = t->value[0];
      info.version = t->value[1];
      info.type = t->value[2];
      /* GP 2.2 extended format: FF then the real type, and a two-byte length. */
      if (info.type == 0xFF)
        {
          if (t->len < 6)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                           "key information template: extended entry %u (C0) of %" G_GSIZE_FORMAT " bytes", i, t->len);
              return NULL;
            }
          info.type = t->value[3];
          info.length = (guint16)((t->value[4] << 8) | t->value[5]);
        }
      else
        info.length = t->value[3];
      g_array_append_val (keys, info);
    }
  return g_steal_pointer (&keys);
}
