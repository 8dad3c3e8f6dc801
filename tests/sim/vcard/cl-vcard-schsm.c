/* cl-vcard-schsm.c: the SmartCard-HSM applet emulation. */
#include "cl-vcard-private.h"

#include <string.h>

static const guint8 schsm_aid[] = { 0xE8, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x81, 0xC3, 0x1F, 0x02, 0x01 };

struct _ClVcardSchsm
{
  ClVcardSession *session; /* not owned: the session owns the applet */
};

gboolean
cl_vcard_schsm_is_package (const guint8 *aid, gsize len)
{
  return len == sizeof schsm_aid && memcmp (aid, schsm_aid, len) == 0;
}

ClVcardSchsm *
cl_vcard_schsm_new (ClVcardSession *session)
{
  ClVcardSchsm *schsm = g_new0 (ClVcardSchsm, 1);

  schsm->session = session;
  return schsm;
}

void
cl_vcard_schsm_free (ClVcardSchsm *schsm)
{
  g_free (schsm);
}

void
cl_vcard_schsm_erase (ClVcardImage *image)
{
  cl_vcard_image_clear_schsm (image);
}

ClResponse *
cl_vcard_schsm_select (ClVcardSchsm *schsm)
{
  /* FCP: 62 { 82 01 78 (DF), 85 proprietary: options + version 3.5 } */
  static const guint8 fcp[] = { 0x62, 0x0A, 0x82, 0x01, 0x78, 0x85, 0x05, 0x00, 0x00, 0x00, 0x03, 0x05 };

  return cl_vcard_ok (fcp, sizeof fcp);
}

ClResponse *
cl_vcard_schsm_process (ClVcardSchsm *schsm, const ClApdu *apdu)
{
  return cl_vcard_sw (SW_INS_NOT_SUPPORTED);
}
