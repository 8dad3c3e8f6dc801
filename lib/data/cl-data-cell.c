/* cl-data-cell.c: the rules of one value. */
#include "data/cl-data-cell.h"

#include <string.h>

#define SHOWN_CHARACTERS 40

char *
cl_data_cell_shown (const char *value)
{
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *c = value; *c != '\0' && n < SHOWN_CHARACTERS; c = g_utf8_next_char (c), n++)
    {
      if (*c == '\t')
        g_string_append (out, "\\t");
      else if (*c == '\r')
        g_string_append (out, "\\r");
      else if (*c == '\n')
        g_string_append (out, "\\n");
      else if ((guchar)*c < 0x20 || *c == 0x7f)
        g_string_append_c (out, '?');
      else
        g_string_append_len (out, c, g_utf8_next_char (c) - c);
    }
  if (g_utf8_strlen (value, -1) > SHOWN_CHARACTERS)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

static gboolean
is_number (const char *value)
{
  const char *c = value;
  const char *digits;

  if (*c == '-')
    c++;
  digits = c;
  while (g_ascii_isdigit (*c))
    c++;
  if (c == digits)
    return FALSE;
  if (*c == '.')
    {
      const char *fraction = ++c;

      while (g_ascii_isdigit (*c))
        c++;
      if (c == fraction)
        return FALSE;
    }
  return *c == '\0';
}

/* ISO 8601 calendar date, extended format: YYYY-MM-DD, a day that exists. */
static gboolean
is_date (const char *value)
{
  guint64 y, m, d;
  char part[5];

  if (strlen (value) != 10 || value[4] != '-' || value[7] != '-')
    return FALSE;
  memcpy (part, value, 4), part[4] = '\0';
  if (!g_ascii_string_to_unsigned (part, 10, 1, 9999, &y, NULL))
    return FALSE;
  memcpy (part, value + 5, 2), part[2] = '\0';
  if (!g_ascii_string_to_unsigned (part, 10, 1, 12, &m, NULL))
    return FALSE;
  memcpy (part, value + 8, 2), part[2] = '\0';
  if (!g_ascii_string_to_unsigned (part, 10, 1, 31, &d, NULL))
    return FALSE;
  return g_date_valid_dmy ((GDateDay)d, (GDateMonth)m, (GDateYear)y);
}

static const char *
formula_start (const ClDataRule *rule, const char *value)
{
  switch (value[0])
    {
      case '=':
        return "“=”";
      case '+':
        return "“+”";
      case '-':
        return rule->type == CL_DATA_TYPE_NUMBER && is_number (value) ? NULL : "“-”";
      case '@':
        return "“@”";
      case '\t':
        return "a tab";
      case '\r':
        return "a carriage return";
      default:
        return NULL;
    }
}

gboolean
cl_data_cell_check (const ClDataRule *rule, const char *column, const char *value, guint line, ClDataProblems *problems)
{
  guint before = cl_data_problems_count (problems);
  g_autofree char *shown = NULL;
  const char *formula;
  glong length;

  if (*value == '\0')
    {
      if (rule->required)
        cl_data_problems_add (problems, line, column, "required, but empty");
      return !rule->required;
    }
  shown = cl_data_cell_shown (value);
  if ((formula = formula_start (rule, value)) != NULL)
    cl_data_problems_add (problems, line, column, "“%s” starts with %s, which a spreadsheet would run as a formula",
                          shown, formula);
  length = g_utf8_strlen (value, -1);
  if (rule->max_length > 0 && length > (glong)rule->max_length)
    cl_data_problems_add (problems, line, column, "%ld characters, more than max-length %u", length, rule->max_length);
  if (rule->type == CL_DATA_TYPE_NUMBER && !is_number (value))
    cl_data_problems_add (problems, line, column,
                          "“%s” is not a number (type number: digits, a leading - and a "
                          "decimal point allowed)",
                          shown);
  if (rule->type == CL_DATA_TYPE_DATE && !is_date (value))
    cl_data_problems_add (problems, line, column, "“%s” is not a date (type date: ISO 8601 YYYY-MM-DD)", shown);
  if (rule->regex != NULL && !g_regex_match (rule->regex, value, 0, NULL))
    cl_data_problems_add (problems, line, column, "“%s” does not match the pattern “%s”", shown, rule->pattern);
  return cl_data_problems_count (problems) == before;
}
