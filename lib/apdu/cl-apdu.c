#include "apdu/cl-apdu.h"

#include <stdlib.h>
#include <string.h>

#include "apdu/cl-apdu-private.h"
#include "core/cl-error.h"

#define SHORT_MAX_LC 255
#define SHORT_MAX_NE 256
#define EXT_MAX_LC   65535
#define EXT_MAX_NE   65536

G_DEFINE_BOXED_TYPE (ClApdu, cl_apdu, cl_apdu_copy, cl_apdu_free)
G_DEFINE_BOXED_TYPE (ClResponse, cl_response, cl_response_copy, cl_response_free)

ClApdu *
cl_apdu_new (guint8 cla, guint8 ins, guint8 p1, guint8 p2, const guint8 *data, gsize len, guint32 ne)
{
  ClApdu *apdu = g_new0 (ClApdu, 1);

  apdu->cla = cla;
  apdu->ins = ins;
  apdu->p1 = p1;
  apdu->p2 = p2;
  apdu->data = (data != NULL && len > 0) ? g_bytes_new (data, len) : NULL;
  apdu->ne = ne;
  return apdu;
}

ClApdu *
cl_apdu_copy (const ClApdu *apdu)
{
  ClApdu *copy;

  g_return_val_if_fail (apdu != NULL, NULL);
  copy = g_new0 (ClApdu, 1);
  *copy = *apdu;
  copy->data = apdu->data ? g_bytes_ref (apdu->data) : NULL;
  return copy;
}

void
cl_apdu_free (ClApdu *apdu)
{
  if (apdu == NULL)
    return;
  g_clear_pointer (&apdu->data, g_bytes_unref);
  g_free (apdu);
}

gsize
cl_apdu_get_lc (const ClApdu *apdu)
{
  g_return_val_if_fail (apdu != NULL, 0);
  return apdu->data ? g_bytes_get_size (apdu->data) : 0;
}

gboolean
cl_apdu_fits_short (const ClApdu *apdu)
{
  return cl_apdu_get_lc (apdu) <= SHORT_MAX_LC && apdu->ne <= SHORT_MAX_NE;
}

GBytes *
cl_apdu_encode_full (const ClApdu *apdu, gboolean extended, gsize *data_offset, GError **error)
{
  gsize lc = cl_apdu_get_lc (apdu);
  GByteArray *out;

  if (lc > EXT_MAX_LC || apdu->ne > EXT_MAX_NE)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "APDU %02X %02X cannot be encoded: Lc %" G_GSIZE_FORMAT " (max 65535), Ne %u (max 65536)", apdu->cla,
                   apdu->ins, lc, apdu->ne);
      return NULL;
    }
  if (!extended && !cl_apdu_fits_short (apdu))
    extended = TRUE;

  out = g_byte_array_sized_new (4 + 3 + lc + 3);
  g_byte_array_append (out, (const guint8[]){ apdu->cla, apdu->ins, apdu->p1, apdu->p2 }, 4);
  if (!extended)
    {
      if (lc > 0)
        g_byte_array_append (out, (const guint8[]){ (guint8)lc }, 1);
      if (data_offset)
        *data_offset = out->len;
      if (lc > 0)
        g_byte_array_append (out, g_bytes_get_data (apdu->data, NULL), lc);
      if (apdu->ne > 0)
        g_byte_array_append (out, (const guint8[]){ (guint8)(apdu->ne & 0xFF) }, 1);
    }
  else
    {
      if (lc > 0 || apdu->ne > 0)
        g_byte_array_append (out, (const guint8[]){ 0x00 }, 1);
      if (lc > 0)
        g_byte_array_append (out, (const guint8[]){ (guint8)(lc >> 8), (guint8)lc }, 2);
      if (data_offset)
        *data_offset = out->len;
      if (lc > 0)
        g_byte_array_append (out, g_bytes_get_data (apdu->data, NULL), lc);
      if (apdu->ne > 0)
        g_byte_array_append (out, (const guint8[]){ (guint8)((apdu->ne >> 8) & 0xFF), (guint8)(apdu->ne & 0xFF) }, 2);
    }
  return g_byte_array_free_to_bytes (out);
}

GBytes *
cl_apdu_encode (const ClApdu *apdu, GError **error)
{
  g_return_val_if_fail (apdu != NULL, NULL);
  return cl_apdu_encode_full (apdu, (apdu->flags & CL_APDU_FLAG_EXTENDED) != 0, NULL, error);
}

static ClApdu *
malformed (GError **error, gsize len, const char *why)
{
  g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Malformed command APDU of %" G_GSIZE_FORMAT " bytes: %s", len,
               why);
  return NULL;
}

ClApdu *
cl_apdu_parse (const guint8 *raw, gsize len, GError **error)
{
  g_autoptr (ClApdu) apdu = NULL;
  gsize lc = 0;
  guint32 ne = 0;
  const guint8 *data = NULL;
  gboolean extended = FALSE;

  if (raw == NULL || len < 4)
    return malformed (error, len, "shorter than the 4-byte header");

  if (len == 4)
    {
      /* case 1 */
    }
  else if (len == 5)
    {
      ne = raw[4] ? raw[4] : SHORT_MAX_NE; /* case 2S */
    }
  else if (raw[4] != 0)
    {
      lc = raw[4];
      data = raw + 5;
      if (len == 5 + lc)
        ; /* case 3S */
      else if (len == 6 + lc)
        ne = raw[5 + lc] ? raw[5 + lc] : SHORT_MAX_NE; /* case 4S */
      else
        return malformed (error, len, "Lc does not match the data length");
    }
  else
    {
      extended = TRUE;
      if (len < 7)
        return malformed (error, len, "truncated extended length field");
      if (len == 7)
        {
          ne = ((guint32)raw[5] << 8) | raw[6]; /* case 2E */
          if (ne == 0)
            ne = EXT_MAX_NE;
        }
      else
        {
          lc = ((gsize)raw[5] << 8) | raw[6];
          data = raw + 7;
          if (lc == 0)
            return malformed (error, len, "extended Lc of zero");
          if (len == 7 + lc)
            ; /* case 3E */
          else if (len == 9 + lc)
            {
              ne = ((guint32)raw[7 + lc] << 8) | raw[8 + lc]; /* case 4E */
              if (ne == 0)
                ne = EXT_MAX_NE;
            }
          else
            return malformed (error, len, "extended Lc does not match the data length");
        }
    }

  apdu = cl_apdu_new (raw[0], raw[1], raw[2], raw[3], data, lc, ne);
  if (extended)
    apdu->flags |= CL_APDU_FLAG_EXTENDED;
  return g_steal_pointer (&apdu);
}

ClResponse *
cl_response_new (const guint8 *data, gsize len, guint16 sw)
{
  ClResponse *response = g_new0 (ClResponse, 1);

  response->data = g_bytes_new (len > 0 ? data : NULL, len);
  response->sw = sw;
  return response;
}

ClResponse *
cl_response_parse (const guint8 *raw, gsize len, GError **error)
{
  if (raw == NULL || len < 2)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "Malformed response APDU: %" G_GSIZE_FORMAT " bytes, no room for the status word", len);
      return NULL;
    }
  return cl_response_new (raw, len - 2, (guint16)((raw[len - 2] << 8) | raw[len - 1]));
}

ClResponse *
cl_response_copy (const ClResponse *response)
{
  ClResponse *copy;

  g_return_val_if_fail (response != NULL, NULL);
  copy = g_new0 (ClResponse, 1);
  copy->data = g_bytes_ref (response->data);
  copy->sw = response->sw;
  return copy;
}

void
cl_response_free (ClResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->data, g_bytes_unref);
  g_free (response);
}

GBytes *
cl_response_encode (const ClResponse *response)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (response->data, &len);
  GByteArray *out = g_byte_array_sized_new (len + 2);

  if (len > 0)
    g_byte_array_append (out, data, len);
  g_byte_array_append (out, (const guint8[]){ response->sw >> 8, response->sw & 0xFF }, 2);
  return g_byte_array_free_to_bytes (out);
}
