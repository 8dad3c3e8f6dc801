#include "schsm/cl-schsm-apdu.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "core/cl-secure-buffer.h"
#include "tlv/cl-tlv.h"

const guint8 cl_schsm_aid[11] = { 0xE8, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x81, 0xC3, 0x1F, 0x02, 0x01 };

/* Secrets must not outlive the APDU in freed heap memory: the data buffer is wiped on its last unref. */
static ClApdu *
sensitive_apdu (guint8 cla, guint8 ins, guint8 p1, guint8 p2, GByteArray *data, guint32 ne)
{
  ClApdu *apdu = cl_apdu_new (cla, ins, p1, p2, NULL, 0, ne);

  apdu->data = cl_secure_bytes_new_copy (data->data, data->len);
  cl_wipe (data->data, data->len);
  apdu->flags |= CL_APDU_FLAG_SENSITIVE;
  return apdu;
}

static void
append_secret (GByteArray *array, const guint8 *data, gsize len)
{
  if (len > 0)
    g_byte_array_append (array, data, (guint)len);
}

ClApdu *
cl_schsm_apdu_select (void)
{
  return cl_apdu_new (0x00, 0xA4, 0x04, 0x04, cl_schsm_aid, sizeof cl_schsm_aid, 256);
}

ClApdu *
cl_schsm_apdu_initialize (const ClSchsmInitParams *params, GError **error)
{
  g_autoptr (GByteArray) data = NULL;
  guint8 options[2];
  ClApdu *apdu;

  g_return_val_if_fail (params != NULL, NULL);
  if (params->user_pin == NULL || params->user_pin_len < 6 || params->user_pin_len > 16)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                           "INITIALIZE DEVICE: the user PIN (81) must be 6 to 16 bytes");
      return NULL;
    }
  if (params->so_pin == NULL || params->so_pin_len != CL_SCHSM_SO_PIN_LEN)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                           "INITIALIZE DEVICE: the initialisation code (82) must be 8 bytes");
      return NULL;
    }
  if (params->retry_counter < 1 || params->retry_counter > 10)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "INITIALIZE DEVICE: retry counter (91) %u is outside 1..10", params->retry_counter);
      return NULL;
    }
  if (params->dkek_shares > 255)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "INITIALIZE DEVICE: DKEK share count (92) %d is over 255", params->dkek_shares);
      return NULL;
    }

  /* built in one pre-sized array so that no reallocation leaves a PIN copy behind in freed memory */
  data = g_byte_array_sized_new (64);
  options[0] = (guint8)(params->options >> 8);
  options[1] = (guint8)params->options;
  cl_tlv_append (data, 0x80, options, 2);
  cl_tlv_append_tag (data, 0x81);
  cl_tlv_append_length (data, params->user_pin_len);
  append_secret (data, params->user_pin, params->user_pin_len);
  cl_tlv_append_tag (data, 0x82);
  cl_tlv_append_length (data, CL_SCHSM_SO_PIN_LEN);
  append_secret (data, params->so_pin, CL_SCHSM_SO_PIN_LEN);
  cl_tlv_append (data, 0x91, &params->retry_counter, 1);
  if (params->dkek_shares >= 0)
    {
      guint8 shares = (guint8)params->dkek_shares;
      cl_tlv_append (data, 0x92, &shares, 1);
    }
  apdu = sensitive_apdu (0x80, 0x50, 0x00, 0x00, data, 0);
  return apdu;
}

ClApdu *
cl_schsm_apdu_verify (guint8 ref, const guint8 *pin, gsize len)
{
  g_autoptr (GByteArray) data = NULL;

  if (pin == NULL)
    return cl_apdu_new (0x00, 0x20, 0x00, ref, NULL, 0, 0);
  data = g_byte_array_sized_new ((guint)len);
  append_secret (data, pin, len);
  return sensitive_apdu (0x00, 0x20, 0x00, ref, data, 0);
}

ClApdu *
cl_schsm_apdu_change_reference_data (guint8 ref, const guint8 *old_pin, gsize old_len, const guint8 *new_pin,
                                     gsize new_len)
{
  g_autoptr (GByteArray) data = g_byte_array_sized_new ((guint)(old_len + new_len));

  append_secret (data, old_pin, old_len);
  append_secret (data, new_pin, new_len);
  return sensitive_apdu (0x00, 0x24, 0x00, ref, data, 0);
}

ClApdu *
cl_schsm_apdu_reset_retry_counter (const guint8 *so_pin, gsize so_len, const guint8 *new_pin, gsize new_len)
{
  g_autoptr (GByteArray) data = g_byte_array_sized_new ((guint)(so_len + new_len));

  append_secret (data, so_pin, so_len);
  if (new_pin != NULL)
    append_secret (data, new_pin, new_len);
  return sensitive_apdu (0x00, 0x2C, new_pin != NULL ? 0x00 : 0x01, CL_SCHSM_PIN_USER, data, 0);
}

ClApdu *
cl_schsm_apdu_generate_key (guint8 key_id, guint8 sign_key_id, GBytes *data)
{
  gsize len = 0;
  const guint8 *bytes = data ? g_bytes_get_data (data, &len) : NULL;
  /* Le 65536 needs extended length; the card channel falls back to GET RESPONSE on readers without it */
  return cl_apdu_new (0x00, 0x46, key_id, sign_key_id, bytes, len, 65536);
}

ClApdu *
cl_schsm_apdu_read_binary (guint16 fid, guint16 offset, guint32 ne)
{
  const guint8 data[] = { 0x54, 0x02, (guint8)(offset >> 8), (guint8)offset };

  return cl_apdu_new (0x00, 0xB1, (guint8)(fid >> 8), (guint8)fid, data, sizeof data, ne);
}

ClApdu *
cl_schsm_apdu_update_binary (guint16 fid, guint16 offset, const guint8 *data, gsize len)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  const guint8 off[] = { (guint8)(offset >> 8), (guint8)offset };

  cl_tlv_append (out, 0x54, off, sizeof off);
  cl_tlv_append (out, 0x53, data, len);
  return cl_apdu_new (0x00, 0xD7, (guint8)(fid >> 8), (guint8)fid, out->data, out->len, 0);
}

ClApdu *
cl_schsm_apdu_list_files (void)
{
  return cl_apdu_new (0x80, 0x58, 0x00, 0x00, NULL, 0, 65536);
}

ClApdu *
cl_schsm_apdu_import_dkek_share (const guint8 *share)
{
  g_autoptr (GByteArray) data = NULL;

  if (share == NULL)
    return cl_apdu_new (0x80, 0x52, 0x00, 0x00, NULL, 0, 256);
  data = g_byte_array_sized_new (32);
  append_secret (data, share, 32);
  return sensitive_apdu (0x80, 0x52, 0x00, 0x00, data, 256);
}

ClApdu *
cl_schsm_apdu_delete_file (guint16 fid)
{
  const guint8 data[] = { (guint8)(fid >> 8), (guint8)fid };

  return cl_apdu_new (0x00, 0xE4, 0x02, 0x00, data, sizeof data, 0);
}
