/* cl-vcard-strict.c: the deviations from GlobalPlatform Amendment D (SCP03) that the lenient virtual card lets
 * pass and a real card may not. A strict card refuses them, so a station that relies on any of them fails on the
 * rig instead of in the field:
 *   1. a command without secure messaging (CLA without bit 04) while a session at C-MAC level or above is open
 *      (only SELECT and a new INITIALIZE UPDATE may end a session): 6982, and the session is closed;
 *   2. a security level Amendment D does not define (00, 01, 03, 11, 13, 33 only), or R-MAC / R-ENC that the
 *      key set's "i" parameter does not announce (b6 20 R-MAC, b7 40 R-ENC): 6A86 to EXTERNAL AUTHENTICATE;
 *   3. PUT KEY AES key data without the length of the key inside the encrypted block ("88 10 <16>" instead of
 *      "88 11 10 <16>"): 6A80;
 *   4. PUT KEY key components without their 3-byte key check value: 6A80.
 * The answers to errors (bare status words, §6.2.5) are the same strict or not. */
#include "cl-vcard-private.h"

gboolean
cl_vcard_is_error_sw (guint16 sw)
{
  return sw != 0x9000 && (sw & 0xFF00) != 0x6200 && (sw & 0xFF00) != 0x6300;
}

static gboolean
session_at_mac (ClVcardSession *self)
{
  return self->sm != NULL && cl_vcard_sm_is_open (self->sm)
         && (cl_vcard_sm_get_level (self->sm) & CL_VCARD_SM_C_MAC) != 0;
}

guint16
cl_vcard_strict_check_unsecured (ClVcardSession *self, const ClApdu *apdu)
{
  if (!self->strict || self->selected != CL_VCARD_SELECTED_ISD || !session_at_mac (self) || (apdu->cla & 0x04) != 0)
    return 0;
  if (apdu->ins == 0x50 || apdu->ins == 0xA4)
    return 0;
  g_debug ("vcard strict: %02X %02X without secure messaging inside a session: closed", apdu->cla, apdu->ins);
  g_clear_pointer (&self->sm, cl_vcard_sm_free);
  return SW_SECURITY;
}

guint16
cl_vcard_strict_check_level (ClVcardSession *self, guint8 level)
{
  ClVcardKeys *keys;

  if (!self->strict || self->sm == NULL || cl_vcard_sm_get_key_type (self->sm) != CL_KEY_TYPE_AES)
    return 0;
  keys = cl_vcard_image_find_keys (self->image, cl_vcard_sm_get_key_version (self->sm));
  if (level != 0x00 && level != 0x01 && level != 0x03 && level != 0x11 && level != 0x13 && level != 0x33)
    return SW_WRONG_P1P2;
  if (keys != NULL
      && (((level & CL_VCARD_SM_R_MAC) && !(keys->i & 0x20)) || ((level & CL_VCARD_SM_R_ENC) && !(keys->i & 0x40))))
    return SW_WRONG_P1P2;
  return 0;
}

guint16
cl_vcard_strict_check_key_component (ClVcardSession *self, gboolean has_inner_length, guint8 kcv_len)
{
  if (!self->strict)
    return 0;
  if (cl_vcard_sm_get_key_type (self->sm) == CL_KEY_TYPE_AES && !has_inner_length)
    return SW_WRONG_DATA;
  return kcv_len == 3 ? 0 : SW_WRONG_DATA;
}
