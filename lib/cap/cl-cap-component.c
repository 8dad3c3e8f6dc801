/* cl-cap-component.c: CAP component names, framing checks, Header and Applet parsing. */
#include "cap/cl-cap-component.h"

#include <string.h>

#include "core/cl-error.h"

#define CL_CAP_MAGIC 0xDECAFFEDu

static const char *const component_names[] = {
  [CL_CAP_COMPONENT_HEADER] = "Header",
  [CL_CAP_COMPONENT_DIRECTORY] = "Directory",
  [CL_CAP_COMPONENT_APPLET] = "Applet",
  [CL_CAP_COMPONENT_IMPORT] = "Import",
  [CL_CAP_COMPONENT_CONSTANT_POOL] = "ConstantPool",
  [CL_CAP_COMPONENT_CLASS] = "Class",
  [CL_CAP_COMPONENT_METHOD] = "Method",
  [CL_CAP_COMPONENT_STATIC_FIELD] = "StaticField",
  [CL_CAP_COMPONENT_REF_LOCATION] = "RefLocation",
  [CL_CAP_COMPONENT_EXPORT] = "Export",
  [CL_CAP_COMPONENT_DESCRIPTOR] = "Descriptor",
  [CL_CAP_COMPONENT_DEBUG] = "Debug",
};

const char *
cl_cap_component_name (ClCapComponent component)
{
  if (component < CL_CAP_COMPONENT_HEADER || component > CL_CAP_COMPONENT_LAST)
    return NULL;
  return component_names[component];
}

gboolean
cl_cap_component_from_file_name (const char *name, ClCapComponent *out)
{
  for (guint c = CL_CAP_COMPONENT_HEADER; c <= CL_CAP_COMPONENT_LAST; c++)
    {
      gsize n = strlen (component_names[c]);

      if (strncmp (name, component_names[c], n) == 0 && strcmp (name + n, ".cap") == 0)
        {
          *out = (ClCapComponent)c;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
cl_cap_component_is_mandatory (ClCapComponent component)
{
  switch (component)
    {
      case CL_CAP_COMPONENT_HEADER:
      case CL_CAP_COMPONENT_DIRECTORY:
      case CL_CAP_COMPONENT_IMPORT:
      case CL_CAP_COMPONENT_CONSTANT_POOL:
      case CL_CAP_COMPONENT_CLASS:
      case CL_CAP_COMPONENT_METHOD:
      case CL_CAP_COMPONENT_STATIC_FIELD:
      case CL_CAP_COMPONENT_REF_LOCATION:
        return TRUE;
      case CL_CAP_COMPONENT_APPLET:
      case CL_CAP_COMPONENT_EXPORT:
      case CL_CAP_COMPONENT_DESCRIPTOR:
      case CL_CAP_COMPONENT_DEBUG:
      default:
        return FALSE;
    }
}

gboolean
cl_cap_component_validate (ClCapComponent component, const guint8 *data, gsize len, GError **error)
{
  const char *name = cl_cap_component_name (component);
  gsize size;

  g_return_val_if_fail (name != NULL, FALSE);

  if (len < 3)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "%s component truncated: %" G_GSIZE_FORMAT " bytes, the tag and size need 3", name, len);
      return FALSE;
    }
  if (data[0] != component)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "%s component: tag %u at offset 0, expected %u", name, data[0],
                   (guint)component);
      return FALSE;
    }
  size = ((gsize)data[1] << 8) | data[2];
  if (size > len - 3)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "%s component: size field at offset 1 says %" G_GSIZE_FORMAT " bytes but only %" G_GSIZE_FORMAT
                   " follow (truncated or size field beyond the data)",
                   name, size, len - 3);
      return FALSE;
    }
  if (size < len - 3)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "%s component: %" G_GSIZE_FORMAT " stray bytes at offset %" G_GSIZE_FORMAT
                   " after the %" G_GSIZE_FORMAT " bytes the size field declares",
                   name, len - 3 - size, 3 + size, size);
      return FALSE;
    }
  return TRUE;
}

static gboolean
need (const char *what, gsize offset, gsize count, gsize len, GError **error)
{
  if (offset > len || count > len - offset)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "%s truncated: %" G_GSIZE_FORMAT " bytes needed at offset %" G_GSIZE_FORMAT
                   ", the component has %" G_GSIZE_FORMAT,
                   what, count, offset, len);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_aid_length (const char *what, gsize offset, gsize aid_len, GError **error)
{
  if (aid_len < CL_CAP_AID_MIN_LEN || aid_len > CL_CAP_AID_MAX_LEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "%s: AID length %" G_GSIZE_FORMAT " at offset %" G_GSIZE_FORMAT " (must be %d to %d)", what, aid_len,
                   offset, CL_CAP_AID_MIN_LEN, CL_CAP_AID_MAX_LEN);
      return FALSE;
    }
  return TRUE;
}

gboolean
cl_cap_header_parse (const guint8 *data, gsize len, ClCapHeader *out, GError **error)
{
  const char *what = "Header component";
  guint32 magic;
  gsize pos = 3;

  memset (out, 0, sizeof *out);
  if (!need (what, pos, 4, len, error))
    return FALSE;
  magic = ((guint32)data[3] << 24) | ((guint32)data[4] << 16) | ((guint32)data[5] << 8) | data[6];
  if (magic != CL_CAP_MAGIC)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Header component: bad magic %08X at offset 3 (expected %08X)",
                   magic, CL_CAP_MAGIC);
      return FALSE;
    }
  pos += 4;
  if (!need (what, pos, 6, len, error))
    return FALSE;
  out->cap_minor = data[pos++];
  out->cap_major = data[pos++];
  out->flags = data[pos++];
  out->package_minor = data[pos++];
  out->package_major = data[pos++];
  out->package_aid_len = data[pos];
  if (out->cap_major != 2)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED,
                   "Header component: CAP format %u.%u at offset 7 is not supported (only 2.x)", out->cap_major,
                   out->cap_minor);
      return FALSE;
    }
  if (!check_aid_length ("Header component package", pos, out->package_aid_len, error))
    return FALSE;
  pos++;
  if (!need (what, pos, out->package_aid_len, len, error))
    return FALSE;
  memcpy (out->package_aid, data + pos, out->package_aid_len);
  pos += out->package_aid_len;

  /* CAP 2.2 added an optional package name after the package info. */
  if (pos < len)
    {
      gsize name_len = data[pos++];

      if (!need ("Header component package name", pos, name_len, len, error))
        return FALSE;
      out->package_name = g_strndup ((const char *)data + pos, name_len);
      pos += name_len;
    }
  if (pos != len)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "Header component: %" G_GSIZE_FORMAT " unexpected bytes at offset %" G_GSIZE_FORMAT, len - pos, pos);
      cl_cap_header_clear (out);
      return FALSE;
    }
  return TRUE;
}

void
cl_cap_header_clear (ClCapHeader *header)
{
  g_clear_pointer (&header->package_name, g_free);
}

GPtrArray *
cl_cap_applet_parse (const guint8 *data, gsize len, GError **error)
{
  const char *what = "Applet component";
  g_autoptr (GPtrArray) aids = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  gsize pos = 3;
  guint count;

  if (!need (what, pos, 1, len, error))
    return NULL;
  count = data[pos++];
  if (count == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Applet component: zero applets at offset 3");
      return NULL;
    }
  for (guint i = 0; i < count; i++)
    {
      gsize aid_len;

      if (!need (what, pos, 1, len, error))
        return NULL;
      aid_len = data[pos];
      if (!check_aid_length ("Applet component", pos, aid_len, error))
        return NULL;
      pos++;
      /* AID, then the u2 install method offset */
      if (!need (what, pos, aid_len + 2, len, error))
        return NULL;
      g_ptr_array_add (aids, g_bytes_new (data + pos, aid_len));
      pos += aid_len + 2;
    }
  if (pos != len)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "Applet component: %" G_GSIZE_FORMAT " unexpected bytes at offset %" G_GSIZE_FORMAT
                   " after %u applets",
                   len - pos, pos, count);
      return NULL;
    }
  return g_steal_pointer (&aids);
}
