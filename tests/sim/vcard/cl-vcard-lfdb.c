/* cl-vcard-lfdb.c: what the card's loader checks once the last LOAD block is in. A real Java Card
 * verifies far more (linking, bytecode); the virtual card checks the structure a broken transfer breaks. */
#include "cl-vcard-private.h"

#include "cap/cl-cap-component.h"
#include "core/cl-error.h"
#include "tlv/cl-tlv.h"

gboolean
cl_vcard_lfdb_validate (const guint8 *data, gsize len, GBytes **package_aid, GPtrArray *modules, GError **error)
{
  gboolean seen[CL_CAP_COMPONENT_LAST + 1] = { FALSE };
  g_autoptr (GError) local = NULL;
  ClCapHeader header = { 0 };
  ClTlv c4;
  gsize pos = 0, off;

  if (!cl_tlv_read (data, len, &pos, &c4, &local))
    return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Load File Data Block: %s", local->message), FALSE;
  if (c4.tag != 0xC4)
    return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Load File Data Block: starts with tag %X, not C4",
                        c4.tag),
           FALSE;
  if (pos != len)
    return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Load File Data Block: %zu bytes follow the C4 TLV",
                        len - pos),
           FALSE;

  for (off = 0; off < c4.len;)
    {
      const guint8 *comp = c4.value + off;
      guint8 tag;
      gsize size;

      if (c4.len - off < 3)
        return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                            "Load File Data Block: truncated component header at offset %zu", off),
               FALSE;
      tag = comp[0];
      size = (gsize)comp[1] << 8 | comp[2];
      if (tag < CL_CAP_COMPONENT_HEADER || tag > CL_CAP_COMPONENT_LAST)
        return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                            "Load File Data Block: unknown component tag %u at offset %zu", tag, off),
               FALSE;
      if (off == 0 && tag != CL_CAP_COMPONENT_HEADER)
        return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                            "Load File Data Block: the Header component must come first"),
               FALSE;
      if (seen[tag])
        return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Load File Data Block: %s component twice",
                            cl_cap_component_name (tag)),
               FALSE;
      if (size > c4.len - off - 3)
        return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                            "Load File Data Block: %s component of %zu bytes runs past the end",
                            cl_cap_component_name (tag), size),
               FALSE;
      if (!cl_cap_component_validate (tag, comp, size + 3, error))
        return FALSE;
      seen[tag] = TRUE;
      if (tag == CL_CAP_COMPONENT_HEADER)
        {
          if (!cl_cap_header_parse (comp, size + 3, &header, error))
            return FALSE;
          if (package_aid)
            *package_aid = g_bytes_new (header.package_aid, header.package_aid_len);
          cl_cap_header_clear (&header);
        }
      else if (tag == CL_CAP_COMPONENT_APPLET && modules)
        {
          g_autoptr (GPtrArray) aids = cl_cap_applet_parse (comp, size + 3, error);
          if (aids == NULL)
            return FALSE;
          for (guint n = 0; n < aids->len; n++)
            g_ptr_array_add (modules, g_bytes_ref (aids->pdata[n]));
        }
      off += 3 + size;
    }

  for (guint tag = CL_CAP_COMPONENT_HEADER; tag <= CL_CAP_COMPONENT_LAST; tag++)
    if (cl_cap_component_is_mandatory (tag) && !seen[tag])
      return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Load File Data Block: no %s component",
                          cl_cap_component_name (tag)),
             FALSE;
  return TRUE;
}
