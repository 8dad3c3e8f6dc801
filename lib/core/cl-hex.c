#include "core/cl-hex.h"

#include <string.h>

#include "core/cl-error.h"

GBytes *
cl_hex_decode (const char *text, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  int hi = -1;

  g_return_val_if_fail (text != NULL, NULL);

  for (const char *p = text; *p; p++)
    {
      int v;

      if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':')
        continue;
      v = g_ascii_xdigit_value (*p);
      if (v < 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Invalid hex character '%c' at offset %ld", *p,
                       (long)(p - text));
          return NULL;
        }
      if (hi < 0)
        hi = v;
      else
        {
          guint8 b = (guint8)((hi << 4) | v);
          g_byte_array_append (out, &b, 1);
          hi = -1;
        }
    }
  if (hi >= 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Odd number of hex digits");
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

char *
cl_hex_encode (const guint8 *data, gsize len)
{
  static const char digits[] = "0123456789ABCDEF";
  char *out = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0x0f];
    }
  out[len * 2] = '\0';
  return out;
}

char *
cl_hex_encode_bytes (GBytes *bytes)
{
  gsize len = 0;
  const guint8 *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  return cl_hex_encode (data, len);
}

gboolean
cl_memeq_const (const void *a, const void *b, gsize len)
{
  const volatile guint8 *x = a;
  const volatile guint8 *y = b;
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= x[i] ^ y[i];
  return diff == 0;
}

void
cl_wipe (void *data, gsize len)
{
  volatile guint8 *p = data;

  if (data == NULL)
    return;
  while (len--)
    *p++ = 0;
}
