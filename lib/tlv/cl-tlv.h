/* cl-tlv.h: BER-TLV (ISO 7816-4 / X.690 subset used by smart cards) with strict bounds.
 * Tags are kept as written on the wire in a guint32 (0x7F21, 0x5F29, 0x9F7F). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint32 tag;
  const guint8 *value; /* points into the parsed buffer */
  gsize len;
  const guint8 *raw; /* the whole TLV, tag to end of value */
  gsize raw_len;
} ClTlv;

/* Reads the TLV starting at *pos of buf[0..len) and advances *pos past it. Rejects tags over 4 bytes,
 * lengths over 4 bytes, indefinite lengths and values running past the end (CL_ERROR_MALFORMED, with
 * the offset). Returns FALSE with no error set if *pos == len (end of data). */
gboolean cl_tlv_read (const guint8 *buf, gsize len, gsize *pos, ClTlv *out, GError **error);
/* First TLV with tag among the direct children in buf; CL_ERROR_NOT_FOUND naming the tag if absent. */
gboolean cl_tlv_find (const guint8 *buf, gsize len, guint32 tag, ClTlv *out, GError **error);
/* Parses all direct children; fails on any malformed one. Returns an array of ClTlv. */
GArray *cl_tlv_parse_all (const guint8 *buf, gsize len, GError **error);
gboolean cl_tlv_tag_is_constructed (guint32 tag);

void cl_tlv_append_tag (GByteArray *out, guint32 tag);
void cl_tlv_append_length (GByteArray *out, gsize len);
void cl_tlv_append (GByteArray *out, guint32 tag, const guint8 *value, gsize len);
/* Nested templates: mark = cl_tlv_begin (out, 0x7F21); ...children...; cl_tlv_end (out, mark) fixes the length. */
gsize cl_tlv_begin (GByteArray *out, guint32 tag);
void cl_tlv_end (GByteArray *out, gsize mark);

G_END_DECLS
