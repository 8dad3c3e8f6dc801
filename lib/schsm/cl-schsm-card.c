#include "schsm/cl-schsm-card.h"

#include "core/cl-error.h"

/* Bytes of file data per UPDATE BINARY: a short APDU holds 255 bytes, less 54 02 off and 53 81 len. */
#define WRITE_CHUNK_SHORT    240
#define WRITE_CHUNK_EXTENDED 1024
#define READ_CHUNK_SHORT     256
#define READ_CHUNK_EXTENDED  65536

static ClResponse *
transmit (ClCardChannel *channel, ClApdu *apdu, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClApdu) owned = apdu;

  return cl_card_channel_transmit (channel, owned, cancellable, error);
}

gboolean
cl_schsm_select (ClCardChannel *channel, guint8 *major, guint8 *minor, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClResponse) r = transmit (channel, cl_schsm_apdu_select (), cancellable, error);
  gsize len;
  const guint8 *data;

  if (r == NULL || !cl_schsm_check_sw (r->sw, "SELECT SmartCard-HSM", error))
    return FALSE;
  data = g_bytes_get_data (r->data, &len);
  return cl_schsm_parse_select (data, len, major, minor, error);
}

gboolean
cl_schsm_initialize (ClCardChannel *channel, const ClSchsmInitParams *params, GCancellable *cancellable, GError **error)
{
  ClApdu *apdu = cl_schsm_apdu_initialize (params, error);
  g_autoptr (ClResponse) r = NULL;

  if (apdu == NULL)
    return FALSE;
  r = transmit (channel, apdu, cancellable, error);
  return r != NULL && cl_schsm_check_sw (r->sw, "INITIALIZE DEVICE", error);
}

static gboolean
pin_command (ClCardChannel *channel, ClApdu *apdu, const char *what, ClSchsmPinStatus *status,
             GCancellable *cancellable, GError **error)
{
  g_autoptr (ClResponse) r = transmit (channel, apdu, cancellable, error);
  ClSchsmPinStatus local;

  if (r == NULL)
    return FALSE;
  if (!cl_schsm_pin_status_from_sw (r->sw, status ? status : &local))
    return cl_schsm_check_sw (r->sw, what, error);
  return TRUE;
}

gboolean
cl_schsm_verify_pin (ClCardChannel *channel, guint8 ref, const guint8 *pin, gsize len, ClSchsmPinStatus *status,
                     GCancellable *cancellable, GError **error)
{
  return pin_command (channel, cl_schsm_apdu_verify (ref, pin, len), pin ? "VERIFY" : "VERIFY (PIN status)", status,
                      cancellable, error);
}

gboolean
cl_schsm_change_pin (ClCardChannel *channel, guint8 ref, const guint8 *old_pin, gsize old_len, const guint8 *new_pin,
                     gsize new_len, ClSchsmPinStatus *status, GCancellable *cancellable, GError **error)
{
  return pin_command (channel, cl_schsm_apdu_change_reference_data (ref, old_pin, old_len, new_pin, new_len),
                      "CHANGE REFERENCE DATA", status, cancellable, error);
}

gboolean
cl_schsm_reset_retry_counter (ClCardChannel *channel, const guint8 *so_pin, gsize so_len, const guint8 *new_pin,
                              gsize new_len, ClSchsmPinStatus *status, GCancellable *cancellable, GError **error)
{
  return pin_command (channel, cl_schsm_apdu_reset_retry_counter (so_pin, so_len, new_pin, new_len),
                      "RESET RETRY COUNTER", status, cancellable, error);
}

ClCvcRequest *
cl_schsm_generate_key (ClCardChannel *channel, guint8 key_id, guint8 sign_key_id, const ClCvcBody *body,
                       GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) contents = cl_cvc_body_encode_contents (body, error);
  g_autoptr (ClResponse) r = NULL;
  gsize len;
  const guint8 *data;

  if (contents == NULL)
    return NULL;
  r = transmit (channel, cl_schsm_apdu_generate_key (key_id, sign_key_id, contents), cancellable, error);
  if (r == NULL || !cl_schsm_check_sw (r->sw, "GENERATE ASYMMETRIC KEY PAIR", error))
    return NULL;
  data = g_bytes_get_data (r->data, &len);
  return cl_schsm_parse_generate_response (data, len, error);
}

GBytes *
cl_schsm_read_file (ClCardChannel *channel, guint16 fid, GCancellable *cancellable, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gboolean extended = cl_transport_supports_extended (cl_card_channel_get_transport (channel));
  guint32 chunk = extended ? READ_CHUNK_EXTENDED : READ_CHUNK_SHORT;

  for (;;)
    {
      g_autoptr (ClResponse) r = NULL;
      g_autofree char *what = NULL;
      gsize len;
      const guint8 *data;

      if (out->len > 0xFFFF)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "READ BINARY %04X: file longer than 65535 bytes", fid);
          return NULL;
        }
      r = transmit (channel, cl_schsm_apdu_read_binary (fid, (guint16)out->len, chunk), cancellable, error);
      if (r == NULL)
        return NULL;
      data = g_bytes_get_data (r->data, &len);
      /* 6282: end of file before Le bytes; 6B00 past the end: both close a file whose length was a chunk multiple */
      if (r->sw == 0x6282 || (r->sw == 0x6B00 && out->len > 0))
        {
          g_byte_array_append (out, data, (guint)len);
          break;
        }
      what = g_strdup_printf ("READ BINARY %04X at offset %u", fid, out->len);
      if (!cl_schsm_check_sw (r->sw, what, error))
        return NULL;
      if (len > chunk)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "%s: %" G_GSIZE_FORMAT " bytes, asked for %u", what, len,
                       chunk);
          return NULL;
        }
      g_byte_array_append (out, data, (guint)len);
      if (len < chunk)
        break;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
cl_schsm_write_file (ClCardChannel *channel, guint16 fid, GBytes *data, GCancellable *cancellable, GError **error)
{
  gboolean extended = cl_transport_supports_extended (cl_card_channel_get_transport (channel));
  gsize chunk = extended ? WRITE_CHUNK_EXTENDED : WRITE_CHUNK_SHORT;
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);
  gsize offset = 0;

  if (len > 0xFFFF)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "UPDATE BINARY %04X: %" G_GSIZE_FORMAT " bytes do not fit a file", fid, len);
      return FALSE;
    }
  do
    {
      gsize n = MIN (chunk, len - offset);
      g_autoptr (ClResponse) r
        = transmit (channel, cl_schsm_apdu_update_binary (fid, (guint16)offset, bytes + offset, n), cancellable, error);
      g_autofree char *what = NULL;

      if (r == NULL)
        return FALSE;
      what = g_strdup_printf ("UPDATE BINARY %04X at offset %" G_GSIZE_FORMAT, fid, offset);
      if (!cl_schsm_check_sw (r->sw, what, error))
        return FALSE;
      offset += n;
    }
  while (offset < len);
  return TRUE;
}

GArray *
cl_schsm_list_files (ClCardChannel *channel, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClResponse) r = transmit (channel, cl_schsm_apdu_list_files (), cancellable, error);
  gsize len;
  const guint8 *data;

  if (r == NULL || !cl_schsm_check_sw (r->sw, "LIST FILES", error))
    return NULL;
  data = g_bytes_get_data (r->data, &len);
  return cl_schsm_parse_file_list (data, len, error);
}

gboolean
cl_schsm_import_dkek_share (ClCardChannel *channel, const guint8 *share, ClSchsmDkekStatus *status,
                            GCancellable *cancellable, GError **error)
{
  g_autoptr (ClResponse) r = transmit (channel, cl_schsm_apdu_import_dkek_share (share), cancellable, error);
  ClSchsmDkekStatus local;
  gsize len;
  const guint8 *data;

  if (r == NULL || !cl_schsm_check_sw (r->sw, share ? "IMPORT DKEK SHARE" : "IMPORT DKEK SHARE (status)", error))
    return FALSE;
  data = g_bytes_get_data (r->data, &len);
  return cl_schsm_parse_dkek_status (data, len, status ? status : &local, error);
}

gboolean
cl_schsm_delete_file (ClCardChannel *channel, guint16 fid, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClResponse) r = transmit (channel, cl_schsm_apdu_delete_file (fid), cancellable, error);
  g_autofree char *what = g_strdup_printf ("DELETE FILE %04X", fid);

  return r != NULL && cl_schsm_check_sw (r->sw, what, error);
}
