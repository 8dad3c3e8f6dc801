#include "schsm/cl-schsm-token-info.h"

#include <string.h>

#include "core/cl-error.h"
#include "tlv/cl-tlv.h"

#define TAG_SEQUENCE 0x30
#define TAG_INTEGER  0x02
#define TAG_LABEL    0x80
#define TAG_BITS     0x03

GBytes *
cl_schsm_token_info_encode (const char *label, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  /* BIT STRING, 5 unused bits, bit 2 (prn-generation: the card's random numbers may be used) set */
  static const guint8 version = 0, flags[] = { 0x05, 0x20 };
  gsize len = label != NULL ? strlen (label) : 0, mark;

  if (len == 0 || len > CL_SCHSM_TOKEN_LABEL_MAX || !g_utf8_validate (label, (gssize)len, NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "token label: expected UTF-8 text of 1 to %d bytes, got %zu bytes", CL_SCHSM_TOKEN_LABEL_MAX, len);
      return NULL;
    }
  mark = cl_tlv_begin (out, TAG_SEQUENCE);
  cl_tlv_append (out, TAG_INTEGER, &version, 1);
  cl_tlv_append (out, TAG_LABEL, (const guint8 *)label, len);
  cl_tlv_append (out, TAG_BITS, flags, sizeof flags);
  cl_tlv_end (out, mark);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

char *
cl_schsm_token_info_label (GBytes *token_info, GError **error)
{
  gsize len, pos = 0;
  const guint8 *data = g_bytes_get_data (token_info, &len);
  g_autoptr (GError) local = NULL;
  ClTlv seq, label;

  if (!cl_tlv_read (data, len, &pos, &seq, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED, "token info: empty");
      return NULL;
    }
  if (seq.tag != TAG_SEQUENCE)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "token info: expected a SEQUENCE (30), got tag %X", seq.tag);
      return NULL;
    }
  if (!cl_tlv_find (seq.value, seq.len, TAG_LABEL, &label, &local))
    {
      if (g_error_matches (local, CL_ERROR, CL_ERROR_NOT_FOUND))
        return NULL;
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "token info: ");
      return NULL;
    }
  if (!g_utf8_validate ((const char *)label.value, (gssize)label.len, NULL)
      || memchr (label.value, '\0', label.len) != NULL)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_MALFORMED, "token info: the label is not UTF-8 text");
      return NULL;
    }
  return g_strndup ((const char *)label.value, label.len);
}
