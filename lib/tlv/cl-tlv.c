/* cl-tlv.c: BER-TLV reading and writing with strict bounds. */
#include "tlv/cl-tlv.h"

#include <string.h>

#include "core/cl-error.h"

/* Tags longer than this (in bytes) are rejected: nothing on a smart card uses them and they would not
 * fit the guint32 representation. */
#define CL_TLV_MAX_TAG_BYTES    4
#define CL_TLV_MAX_LENGTH_BYTES 4

static guint
tag_byte_count (guint32 tag)
{
  if (tag > 0xFFFFFF)
    return 4;
  if (tag > 0xFFFF)
    return 3;
  if (tag > 0xFF)
    return 2;
  return 1;
}

gboolean
cl_tlv_tag_is_constructed (guint32 tag)
{
  guint first = (tag >> (8 * (tag_byte_count (tag) - 1))) & 0xFF;

  return (first & 0x20) != 0;
}

static gboolean
read_tag (const guint8 *buf, gsize len, gsize start, gsize *pos, guint32 *tag, GError **error)
{
  guint32 value = buf[*pos];
  gsize p = *pos + 1;

  if ((buf[*pos] & 0x1F) == 0x1F)
    {
      guint count = 1;
      guint8 b;

      do
        {
          if (p >= len)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                           "TLV at offset %" G_GSIZE_FORMAT ": tag runs past the end of the data", start);
              return FALSE;
            }
          if (++count > CL_TLV_MAX_TAG_BYTES)
            {
              g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                           "TLV at offset %" G_GSIZE_FORMAT ": tag longer than %d bytes", start, CL_TLV_MAX_TAG_BYTES);
              return FALSE;
            }
          b = buf[p++];
          value = (value << 8) | b;
        }
      while (b & 0x80);
    }
  *tag = value;
  *pos = p;
  return TRUE;
}

static gboolean
read_length (const guint8 *buf, gsize len, gsize start, guint32 tag, gsize *pos, gsize *out, GError **error)
{
  guint8 first;
  guint count;
  gsize value = 0;

  if (*pos >= len)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "TLV at offset %" G_GSIZE_FORMAT " (tag %X): length missing at the end of the data", start, tag);
      return FALSE;
    }
  first = buf[(*pos)++];
  if (first < 0x80)
    {
      *out = first;
      return TRUE;
    }
  if (first == 0x80)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "TLV at offset %" G_GSIZE_FORMAT " (tag %X): indefinite length is not allowed", start, tag);
      return FALSE;
    }
  count = first & 0x7F;
  if (count > CL_TLV_MAX_LENGTH_BYTES)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "TLV at offset %" G_GSIZE_FORMAT " (tag %X): length field of %u bytes (at most %d)", start, tag,
                   count, CL_TLV_MAX_LENGTH_BYTES);
      return FALSE;
    }
  if (len - *pos < count)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "TLV at offset %" G_GSIZE_FORMAT " (tag %X): length field runs past the end of the data", start,
                   tag);
      return FALSE;
    }
  for (guint i = 0; i < count; i++)
    value = (value << 8) | buf[(*pos)++];
  *out = value;
  return TRUE;
}

gboolean
cl_tlv_read (const guint8 *buf, gsize len, gsize *pos, ClTlv *out, GError **error)
{
  gsize start;
  gsize p;
  gsize value_len;
  guint32 tag;

  g_return_val_if_fail (pos != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (buf != NULL || len == 0, FALSE);

  if (*pos >= len)
    {
      if (*pos > len)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                       "TLV read position %" G_GSIZE_FORMAT " is beyond the data (%" G_GSIZE_FORMAT " bytes)", *pos,
                       len);
        }
      return FALSE;
    }
  start = *pos;
  p = start;
  if (!read_tag (buf, len, start, &p, &tag, error))
    return FALSE;
  if (!read_length (buf, len, start, tag, &p, &value_len, error))
    return FALSE;
  if (value_len > len - p)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "TLV at offset %" G_GSIZE_FORMAT " (tag %X): value of %" G_GSIZE_FORMAT
                   " bytes runs past the end of the data (%" G_GSIZE_FORMAT " bytes left)",
                   start, tag, value_len, len - p);
      return FALSE;
    }
  out->tag = tag;
  out->value = buf + p;
  out->len = value_len;
  out->raw = buf + start;
  out->raw_len = p + value_len - start;
  *pos = p + value_len;
  return TRUE;
}

gboolean
cl_tlv_find (const guint8 *buf, gsize len, guint32 tag, ClTlv *out, GError **error)
{
  gsize pos = 0;
  ClTlv tlv;
  GError *local_error = NULL;

  while (cl_tlv_read (buf, len, &pos, &tlv, &local_error))
    {
      if (tlv.tag == tag)
        {
          if (out != NULL)
            *out = tlv;
          return TRUE;
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "TLV tag %X not found", tag);
  return FALSE;
}

GArray *
cl_tlv_parse_all (const guint8 *buf, gsize len, GError **error)
{
  g_autoptr (GArray) list = g_array_new (FALSE, TRUE, sizeof (ClTlv));
  gsize pos = 0;
  ClTlv tlv;
  GError *local_error = NULL;

  while (cl_tlv_read (buf, len, &pos, &tlv, &local_error))
    g_array_append_val (list, tlv);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

void
cl_tlv_append_tag (GByteArray *out, guint32 tag)
{
  guint8 bytes[4];
  guint count = tag_byte_count (tag);

  for (guint i = 0; i < count; i++)
    bytes[i] = (tag >> (8 * (count - 1 - i))) & 0xFF;
  g_byte_array_append (out, bytes, count);
}

static guint
length_field_size (gsize len)
{
  if (len < 0x80)
    return 1;
  if (len <= 0xFF)
    return 2;
  if (len <= 0xFFFF)
    return 3;
  if (len <= 0xFFFFFF)
    return 4;
  return 5;
}

static void
encode_length (guint8 *dest, gsize len, guint size)
{
  if (size == 1)
    {
      dest[0] = (guint8)len;
      return;
    }
  dest[0] = 0x80 | (size - 1);
  for (guint i = 1; i < size; i++)
    dest[i] = (len >> (8 * (size - 1 - i))) & 0xFF;
}

void
cl_tlv_append_length (GByteArray *out, gsize len)
{
  guint8 bytes[5];
  guint size;

  g_return_if_fail (len <= G_MAXUINT32);
  size = length_field_size (len);
  encode_length (bytes, len, size);
  g_byte_array_append (out, bytes, size);
}

void
cl_tlv_append (GByteArray *out, guint32 tag, const guint8 *value, gsize len)
{
  g_return_if_fail (value != NULL || len == 0);

  cl_tlv_append_tag (out, tag);
  cl_tlv_append_length (out, len);
  if (len > 0)
    g_byte_array_append (out, value, len);
}

/* The mark is the offset of a one-byte length placeholder; cl_tlv_end grows it in place when the
 * value turns out to need a long-form length. Marks of enclosing templates lie before it and stay valid. */
gsize
cl_tlv_begin (GByteArray *out, guint32 tag)
{
  gsize mark;
  guint8 placeholder = 0;

  cl_tlv_append_tag (out, tag);
  mark = out->len;
  g_byte_array_append (out, &placeholder, 1);
  return mark;
}

void
cl_tlv_end (GByteArray *out, gsize mark)
{
  gsize value_len;
  guint size;
  guint extra;

  g_return_if_fail (mark < out->len);

  value_len = out->len - mark - 1;
  g_return_if_fail (value_len <= G_MAXUINT32);
  size = length_field_size (value_len);
  extra = size - 1;
  if (extra > 0)
    {
      g_byte_array_set_size (out, out->len + extra);
      memmove (out->data + mark + 1 + extra, out->data + mark + 1, value_len);
    }
  encode_length (out->data + mark, value_len, size);
}
