/* cl-ram-headers.c: see cl-ram-headers.h. */
#include "remote/cl-ram-headers.h"

#include <string.h>

#define MEDIA_TYPE "application/org.openscdp-content-mgt-response"

/* Only the media type and a version parameter of 1.0 (any case, any spaces around ';' and '='). */
static gboolean
content_type_ok (const char *value)
{
  g_auto (GStrv) parts = g_strsplit (value, ";", 8);

  if (g_ascii_strcasecmp (g_strstrip (parts[0]), MEDIA_TYPE) != 0)
    return FALSE;
  for (guint i = 1; parts[i] != NULL; i++)
    {
      char *param = g_strstrip (parts[i]);
      char *eq = strchr (param, '=');

      if (eq == NULL)
        return FALSE;
      *eq = '\0';
      if (g_ascii_strcasecmp (g_strstrip (param), "version") == 0
          && strcmp (g_strstrip (g_strdelimit (eq + 1, "\"", ' ')), "1.0") != 0)
        return FALSE;
    }
  return TRUE;
}

guint
cl_ram_headers_check (const char *content_type, const char *admin_protocol, char **why)
{
  g_return_val_if_fail (why != NULL, 400);

  *why = NULL;
  if (content_type == NULL || !content_type_ok (content_type))
    {
      *why = g_strdup_printf ("Content-Type must be %s", CL_RAM_CONTENT_TYPE);
      return 415;
    }
  if (admin_protocol == NULL
      || (strcmp (admin_protocol, CL_RAM_ADMIN_PROTOCOL) != 0
          && strcmp (admin_protocol, CL_RAM_ADMIN_PROTOCOL_GP) != 0))
    {
      *why = g_strdup_printf ("X-Admin-Protocol must be %s (or %s)", CL_RAM_ADMIN_PROTOCOL, CL_RAM_ADMIN_PROTOCOL_GP);
      return 400;
    }
  return 0;
}
