#include "cl-vcard-manufacture.h"

#include "core/cl-error.h"

/* NXP as IC fabricator and a JCOP-like IC type, so the CPLC looks like what production meets in practice */
#define FABRICATOR 0x4790
#define IC_TYPE    0x5167

static void
put16 (guint8 *p, guint16 v)
{
  p[0] = (guint8)(v >> 8);
  p[1] = (guint8)v;
}

static void
put32 (guint8 *p, guint32 v)
{
  put16 (p, (guint16)(v >> 16));
  put16 (p + 2, (guint16)v);
}

ClVcardImage *
cl_vcard_manufacture (const ClVcardManufactureSpec *spec, guint32 serial_base, guint index, GError **error)
{
  g_autoptr (ClVcardImage) image = cl_vcard_image_new ();
  guint8 cplc[42] = { 0 };
  guint8 kdd[10];
  guint32 serial = serial_base + index;
  guint16 batch = (guint16)(serial_base >> 8 ^ 0x2600);
  gsize len = g_bytes_get_size (spec->kst_enc);

  if ((spec->kst_type == CL_KEY_TYPE_AES) != (spec->scp == 3))
    return g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "SCP%02X does not go with a %s key set", spec->scp,
                        spec->kst_type == CL_KEY_TYPE_AES ? "AES" : "3DES"),
           NULL;
  if (g_bytes_get_size (spec->kst_mac) != len || g_bytes_get_size (spec->kst_dek) != len
      || (spec->kst_type == CL_KEY_TYPE_AES ? (len != 16 && len != 24 && len != 32) : (len != 16 && len != 24)))
    return g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                        "KST ENC/MAC/DEK must be three keys of one valid length"),
           NULL;
  if (spec->kst_version == 0 || spec->kst_version > 0x7F)
    return g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "KST key version must be 01..7F"), NULL;

  put16 (cplc + 0, FABRICATOR);
  put16 (cplc + 2, IC_TYPE);
  put16 (cplc + 4, 0xD000);      /* OS ID */
  put16 (cplc + 6, 0x5123);      /* OS release date, YDDD */
  put16 (cplc + 8, 0x0301);      /* OS release level */
  put16 (cplc + 10, 0x6042);     /* IC fabrication date */
  put32 (cplc + 12, serial);     /* IC serial number */
  put16 (cplc + 16, batch);      /* IC batch identifier */
  put16 (cplc + 18, 0x4790);     /* module fabricator */
  put16 (cplc + 20, 0x6050);     /* module packaging date */
  put16 (cplc + 22, 0x0005);     /* ICC manufacturer */
  put16 (cplc + 24, 0x6060);     /* IC embedding date */
  put16 (cplc + 26, 0x0005);     /* pre-personalizer */
  put16 (cplc + 28, 0x6061);     /* pre-perso date */
  put32 (cplc + 30, 0x00000001); /* pre-perso equipment */
  /* personalizer, date and equipment stay zero: personalisation is the station's job */

  /* KDD as many cards build it: fabricator, IC type, serial, batch (unique because the serial is) */
  put16 (kdd + 0, FABRICATOR);
  put16 (kdd + 2, IC_TYPE);
  put32 (kdd + 4, serial);
  put16 (kdd + 8, batch);

  {
    g_autoptr (GBytes) cplc_bytes = g_bytes_new (cplc, sizeof cplc);
    g_autoptr (GBytes) kdd_bytes = g_bytes_new (kdd, sizeof kdd);

    cl_vcard_image_set_cplc (image, cplc_bytes);
    cl_vcard_image_set_kdd (image, kdd_bytes);
  }
  cl_vcard_image_set_life_cycle (image, CL_VCARD_LC_OP_READY);
  cl_vcard_image_put_keys (image, cl_vcard_keys_new (spec->kst_version, spec->kst_type, spec->kst_enc, spec->kst_mac,
                                                     spec->kst_dek, spec->scp, spec->i));
  return g_steal_pointer (&image);
}
