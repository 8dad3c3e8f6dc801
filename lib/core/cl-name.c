/* cl-name.c: names as data (cl-name.h). */
#include "core/cl-name.h"

#include <string.h>

#include "core/cl-error.h"

/* What may act on a line, a terminal or a reader's eye: controls, formats (U+202E turns text around), separators,
 * surrogates, private use and unassigned code points. */
static gboolean
is_inert (gunichar c)
{
  switch (g_unichar_type (c))
    {
      case G_UNICODE_CONTROL:
      case G_UNICODE_FORMAT:
      case G_UNICODE_UNASSIGNED:
      case G_UNICODE_PRIVATE_USE:
      case G_UNICODE_SURROGATE:
      case G_UNICODE_LINE_SEPARATOR:
      case G_UNICODE_PARAGRAPH_SEPARATOR:
        return FALSE;
      default:
        return TRUE;
    }
}

gboolean
cl_name_check (const char *what, const char *value, GError **error)
{
  glong length = 0;

  if (value == NULL || *value == '\0')
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s is empty", what);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s is not valid UTF-8", what);
      return FALSE;
    }
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p), length++)
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_inert (c))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                       "%s has a control or invisible character (U+%04X) at character %ld: only printable text", what,
                       c, length + 1);
          return FALSE;
        }
    }
  if (length > CL_NAME_MAX_LENGTH)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s has %ld characters; at most %d", what, length,
                   CL_NAME_MAX_LENGTH);
      return FALSE;
    }
  return TRUE;
}

char *
cl_text_escape (const char *text)
{
  GString *out;
  const char *p, *end;

  if (text == NULL)
    return NULL;
  out = g_string_sized_new (strlen (text));
  end = text + strlen (text);
  for (p = text; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar)-1 || c == (gunichar)-2)
        {
          g_string_append_printf (out, "\\x%02X", (guchar)*p);
          p++;
          continue;
        }
      if (c == '\\')
        g_string_append (out, "\\\\");
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == 0x1b)
        g_string_append (out, "\\e");
      else if (!is_inert (c) && g_unichar_type (c) != G_UNICODE_PRIVATE_USE
               && g_unichar_type (c) != G_UNICODE_UNASSIGNED)
        g_string_append_printf (out, "\\u{%04X}", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}
