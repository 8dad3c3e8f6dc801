#include "cvc/cl-cvc-date.h"

#include <string.h>

#include "core/cl-error.h"

static gboolean
digits_valid (const guint8 d[6])
{
  guint year = 2000 + d[0] * 10u + d[1];
  guint month = d[2] * 10u + d[3];
  guint day = d[4] * 10u + d[5];

  for (guint i = 0; i < 6; i++)
    if (d[i] > 9)
      return FALSE;
  return g_date_valid_dmy ((GDateDay)day, (GDateMonth)month, (GDateYear)year);
}

gboolean
cl_cvc_date_decode (const guint8 *value, gsize len, const char *what, char text[7], GError **error)
{
  if (len != 6 || !digits_valid (value))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "%s: not a date of six unpacked BCD digits YYMMDD (%" G_GSIZE_FORMAT " bytes)", what, len);
      return FALSE;
    }
  for (guint i = 0; i < 6; i++)
    text[i] = (char)('0' + value[i]);
  text[6] = '\0';
  return TRUE;
}

gboolean
cl_cvc_date_encode (const char *text, guint8 value[6], GError **error)
{
  if (text == NULL || strlen (text) != 6)
    {
      g_set_error_literal (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "CVC date must be six digits YYMMDD");
      return FALSE;
    }
  for (guint i = 0; i < 6; i++)
    value[i] = g_ascii_isdigit (text[i]) ? (guint8)(text[i] - '0') : 0xFF;
  if (!digits_valid (value))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "CVC date '%s' is not a valid YYMMDD date", text);
      return FALSE;
    }
  return TRUE;
}

char *
cl_cvc_date_from_datetime (GDateTime *datetime)
{
  g_autoptr (GDateTime) utc = g_date_time_to_utc (datetime);

  return g_strdup_printf ("%02d%02d%02d", g_date_time_get_year (utc) % 100, g_date_time_get_month (utc),
                          g_date_time_get_day_of_month (utc));
}

GDateTime *
cl_cvc_date_to_datetime (const char *text)
{
  guint8 v[6];

  if (!cl_cvc_date_encode (text, v, NULL))
    return NULL;
  return g_date_time_new_utc (2000 + v[0] * 10 + v[1], v[2] * 10 + v[3], v[4] * 10 + v[5], 0, 0, 0);
}
