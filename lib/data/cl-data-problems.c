/* cl-data-problems.c: the bounded problem list of a data file. */
#include "data/cl-data-problems.h"

struct _ClDataProblems
{
  char *file;
  GPtrArray *listed; /* char *, NULL-terminated, by line */
  GArray *lines;     /* guint: the line of each listed problem */
  guint count;
};

ClDataProblems *
cl_data_problems_new (const char *file)
{
  ClDataProblems *self = g_new0 (ClDataProblems, 1);

  self->file = g_strdup (file);
  self->listed = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->lines = g_array_new (FALSE, FALSE, sizeof (guint));
  return self;
}

void
cl_data_problems_free (ClDataProblems *self)
{
  if (self == NULL)
    return;
  g_free (self->file);
  g_ptr_array_unref (self->listed);
  g_array_unref (self->lines);
  g_free (self);
}

void
cl_data_problems_add (ClDataProblems *self, guint line, const char *column, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  guint at = self->lines->len;

  self->count++;
  /* the list holds the problems of the first lines, whatever order they were found in (a row's shape is checked
   * while reading, its values later): after those of the same line found before */
  while (at > 0 && g_array_index (self->lines, guint, at - 1) > line)
    at--;
  if (at >= CL_DATA_PROBLEMS_LISTED)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (column != NULL)
    g_ptr_array_insert (self->listed, (gint)at, g_strdup_printf ("%s:%u: %s: %s", self->file, line, column, message));
  else
    g_ptr_array_insert (self->listed, (gint)at, g_strdup_printf ("%s:%u: %s", self->file, line, message));
  g_array_insert_val (self->lines, at, line);
  if (self->lines->len > CL_DATA_PROBLEMS_LISTED)
    {
      g_ptr_array_remove_index (self->listed, CL_DATA_PROBLEMS_LISTED);
      g_array_remove_index (self->lines, CL_DATA_PROBLEMS_LISTED);
    }
}

guint
cl_data_problems_count (const ClDataProblems *self)
{
  return self->count;
}

const char *const *
cl_data_problems_list (const ClDataProblems *self)
{
  static const char *const none[] = { NULL };

  /* an empty array may have no storage yet */
  return self->listed->pdata != NULL ? (const char *const *)self->listed->pdata : none;
}

char *
cl_data_problems_to_text (const ClDataProblems *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < self->listed->len; i++)
    g_string_append_printf (text, "%s\n", (const char *)g_ptr_array_index (self->listed, i));
  if (self->count > self->listed->len)
    g_string_append_printf (text, "… and %u more problem(s)\n", self->count - self->listed->len);
  return g_string_free (text, FALSE);
}
