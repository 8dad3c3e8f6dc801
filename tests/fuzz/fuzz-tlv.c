/* Fuzz target for lib/tlv: parse recursively into constructed tags, rebuild with the builder API,
 * and check that parsing and rebuilding the result is a fixed point. */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "tlv/cl-tlv.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_DEPTH 32

/* Rebuilds buf into out; returns FALSE if buf is not a sequence of TLVs. Constructed values that do
 * not parse are kept as opaque bytes, so a rebuild of the rebuild sees the same tree. */
static gboolean
rebuild (const guint8 *buf, gsize len, GByteArray *out, guint depth, guint *nodes)
{
  gsize pos = 0;
  ClTlv tlv;
  g_autoptr (GError) error = NULL;

  while (cl_tlv_read (buf, len, &pos, &tlv, &error))
    {
      (*nodes)++;
      g_assert (tlv.raw + tlv.raw_len <= buf + len);
      g_assert (tlv.value + tlv.len == tlv.raw + tlv.raw_len);
      if (cl_tlv_tag_is_constructed (tlv.tag) && depth < MAX_DEPTH)
        {
          g_autoptr (GByteArray) inner = g_byte_array_new ();
          guint inner_nodes = 0;

          if (rebuild (tlv.value, tlv.len, inner, depth + 1, &inner_nodes))
            {
              gsize mark = cl_tlv_begin (out, tlv.tag);

              g_byte_array_append (out, inner->data, inner->len);
              cl_tlv_end (out, mark);
              *nodes += inner_nodes;
              continue;
            }
        }
      cl_tlv_append (out, tlv.tag, tlv.value, tlv.len);
    }
  return error == NULL;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GByteArray) first = g_byte_array_new ();
  g_autoptr (GByteArray) second = g_byte_array_new ();
  guint nodes_first = 0, nodes_second = 0;
  g_autoptr (GArray) all = NULL;
  g_autoptr (GError) error = NULL;
  ClTlv found;

  all = cl_tlv_parse_all (data, size, &error);
  g_assert ((all == NULL) == (error != NULL));
  g_clear_error (&error);
  if (size > 0 && cl_tlv_find (data, size, data[0], &found, &error))
    g_assert (found.tag == data[0]);
  g_clear_error (&error);

  if (!rebuild (data, size, first, 0, &nodes_first))
    return 0;
  g_assert (rebuild (first->data, first->len, second, 0, &nodes_second));
  g_assert (nodes_first == nodes_second);
  g_assert (first->len == second->len);
  g_assert (memcmp (first->data, second->data, first->len) == 0);
  return 0;
}
