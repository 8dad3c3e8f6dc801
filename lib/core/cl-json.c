#include "cl-json.h"

/* A JSON string of any bytes: made valid UTF-8 first (JSON text is UTF-8; a chip ID or a device's reply may not be),
 * then quotes, backslashes and control characters escaped. U+2028 and U+2029 are escaped too, since JavaScript
 * readers of JSON Lines used to take them for line ends. */
void
cl_json_append_string (GString *out, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (c)
        {
          case '"':
            g_string_append (out, "\\\"");
            break;
          case '\\':
            g_string_append (out, "\\\\");
            break;
          case '\n':
            g_string_append (out, "\\n");
            break;
          case '\r':
            g_string_append (out, "\\r");
            break;
          case '\t':
            g_string_append (out, "\\t");
            break;
          case '\b':
            g_string_append (out, "\\b");
            break;
          case '\f':
            g_string_append (out, "\\f");
            break;
          default:
            if (c < 0x20 || c == 0x2028 || c == 0x2029)
              g_string_append_printf (out, "\\u%04x", c);
            else
              g_string_append_len (out, p, g_utf8_next_char (p) - p);
            break;
        }
    }
  g_string_append_c (out, '"');
}
