/* cl-cplc.c: CPLC parsing and the chip identity. */
#include "gp/cl-cplc.h"

#include "core/cl-error.h"
#include "tlv/cl-tlv.h"

static guint16
be16 (const guint8 *p)
{
  return (guint16)((p[0] << 8) | p[1]);
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

gboolean
cl_cplc_parse (const guint8 *data, gsize len, ClCplc *out, GError **error)
{
  const guint8 *p = data;
  gsize plen = len;

  g_return_val_if_fail (out != NULL, FALSE);

  if (len >= 2 && data[0] == 0x9F && data[1] == 0x7F)
    {
      gsize pos = 0;
      ClTlv tlv;

      if (!cl_tlv_read (data, len, &pos, &tlv, error))
        {
          g_prefix_error (error, "CPLC: ");
          return FALSE;
        }
      if (pos != len)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "CPLC: %" G_GSIZE_FORMAT " unexpected bytes at offset %" G_GSIZE_FORMAT " after tag 9F7F",
                       len - pos, pos);
          return FALSE;
        }
      p = tlv.value;
      plen = tlv.len;
    }
  else if (len != CL_CPLC_LEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "CPLC: response of %" G_GSIZE_FORMAT " bytes is neither tag 9F7F nor the bare %d bytes", len,
                   CL_CPLC_LEN);
      return FALSE;
    }
  if (plen != CL_CPLC_LEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CPLC: value of %" G_GSIZE_FORMAT " bytes, expected %d", plen,
                   CL_CPLC_LEN);
      return FALSE;
    }

  out->ic_fabricator = be16 (p + 0);
  out->ic_type = be16 (p + 2);
  out->os_id = be16 (p + 4);
  out->os_release_date = be16 (p + 6);
  out->os_release_level = be16 (p + 8);
  out->ic_fabrication_date = be16 (p + 10);
  out->ic_serial_number = be32 (p + 12);
  out->ic_batch_id = be16 (p + 16);
  out->ic_module_fabricator = be16 (p + 18);
  out->ic_module_packaging_date = be16 (p + 20);
  out->icc_manufacturer = be16 (p + 22);
  out->ic_embedding_date = be16 (p + 24);
  out->ic_pre_personalizer = be16 (p + 26);
  out->ic_pre_perso_equipment_date = be16 (p + 28);
  out->ic_pre_perso_equipment_id = be32 (p + 30);
  out->ic_personalizer = be16 (p + 34);
  out->ic_personalization_date = be16 (p + 36);
  out->ic_perso_equipment_id = be32 (p + 38);
  return TRUE;
}

char *
cl_cplc_chip_id (const ClCplc *cplc)
{
  g_return_val_if_fail (cplc != NULL, NULL);

  return g_strdup_printf ("%04X%04X%04X%08X", cplc->ic_fabricator, cplc->ic_type, cplc->ic_batch_id,
                          cplc->ic_serial_number);
}

char *
cl_cplc_to_string (const ClCplc *c)
{
  g_return_val_if_fail (c != NULL, NULL);

  return g_strdup_printf ("IC fabricator: %04X\n"
                          "IC type: %04X\n"
                          "OS ID: %04X\n"
                          "OS release date: %04X\n"
                          "OS release level: %04X\n"
                          "IC fabrication date: %04X\n"
                          "IC serial number: %08X\n"
                          "IC batch identifier: %04X\n"
                          "IC module fabricator: %04X\n"
                          "IC module packaging date: %04X\n"
                          "ICC manufacturer: %04X\n"
                          "IC embedding date: %04X\n"
                          "IC pre-personalizer: %04X\n"
                          "IC pre-personalization equipment date: %04X\n"
                          "IC pre-personalization equipment ID: %08X\n"
                          "IC personalizer: %04X\n"
                          "IC personalization date: %04X\n"
                          "IC personalization equipment ID: %08X\n",
                          c->ic_fabricator, c->ic_type, c->os_id, c->os_release_date, c->os_release_level,
                          c->ic_fabrication_date, c->ic_serial_number, c->ic_batch_id, c->ic_module_fabricator,
                          c->ic_module_packaging_date, c->icc_manufacturer, c->ic_embedding_date,
                          c->ic_pre_personalizer, c->ic_pre_perso_equipment_date, c->ic_pre_perso_equipment_id,
                          c->ic_personalizer, c->ic_personalization_date, c->ic_perso_equipment_id);
}
