/* cl-csv-table.c: RFC 4180 rows from libcsv's callbacks, with line numbers.
 *
 * libcsv reports fields and row ends but no positions, so the file is fed to it one physical line at a time: a
 * line whose '\n' ended a row (CSV_REPALL_NL reports every unquoted line break) starts the next row on the next
 * line; a line ending inside a quoted field continues the row. */
#include "data/cl-csv-table.h"

#include <csv.h>
#include <string.h>

#include "core/cl-error.h"

typedef struct
{
  const char *file;
  ClDataProblems *problems;
  ClCsvTable *table;
  guint line;          /* the line being fed */
  guint row_line;      /* where the row being parsed started */
  gboolean line_ended; /* the last '\n' fed ended a row */
  GPtrArray *fields;   /* of the row being parsed; "" for a field refused */
  guint extra_fields;  /* beyond CL_CSV_MAX_COLUMNS: counted, not kept */
  gsize row_bytes;
  gboolean row_bad;
  GError *fatal;
} Reader;

static const guint8 utf8_bom[] = { 0xEF, 0xBB, 0xBF };

/* RFC 4180 §2.4: spaces are part of a field. libcsv trims spaces and tabs unless told otherwise, which would also
 * hide a leading tab from the formula check of the validator. */
static int
no_space (unsigned char c)
{
  return 0;
}

static const char *
column_name (Reader *r, guint index, char **owned)
{
  if (r->table->header != NULL && index < g_strv_length (r->table->header))
    return r->table->header[index];
  *owned = g_strdup_printf ("column %u", index + 1);
  return *owned;
}

static void
field_done (void *s, size_t len, void *data)
{
  Reader *r = data;
  guint index = r->fields->len + r->extra_fields;
  g_autofree char *owned = NULL;
  const char *end = NULL;

  if (r->fatal != NULL)
    return;
  if (index >= CL_CSV_MAX_COLUMNS)
    {
      r->extra_fields++;
      return;
    }
  r->row_bytes += len;
  if (len > CL_CSV_MAX_FIELD_BYTES || !g_utf8_validate_len (len ? s : "", len, &end))
    {
      g_autofree char *what
        = len > CL_CSV_MAX_FIELD_BYTES
            ? g_strdup_printf ("field of %zu bytes, longer than the limit of %d bytes", len, CL_CSV_MAX_FIELD_BYTES)
            : g_strdup_printf ("not UTF-8 text (byte %zu of the field)", (gsize)(end - (const char *)s) + 1);

      if (r->table->header == NULL)
        g_set_error (&r->fatal, CL_ERROR, CL_ERROR_MALFORMED, "%s:%u: header: %s: %s", r->file, r->row_line,
                     column_name (r, index, &owned), what);
      else
        cl_data_problems_add (r->problems, r->row_line, column_name (r, index, &owned), "%s", what);
      r->row_bad = TRUE;
      g_ptr_array_add (r->fields, g_strdup (""));
      return;
    }
  g_ptr_array_add (r->fields, g_strndup (len ? s : "", len));
}

static void
take_header (Reader *r)
{
  guint n = r->fields->len;

  if (r->extra_fields > 0)
    {
      g_set_error (&r->fatal, CL_ERROR, CL_ERROR_MALFORMED, "%s:%u: header: %u columns, more than the limit of %d",
                   r->file, r->row_line, n + r->extra_fields, CL_CSV_MAX_COLUMNS);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      const char *name = g_ptr_array_index (r->fields, i);

      if (*name == '\0')
        {
          g_set_error (&r->fatal, CL_ERROR, CL_ERROR_MALFORMED, "%s:%u: header: column %u has no name", r->file,
                       r->row_line, i + 1);
          return;
        }
      for (guint j = 0; j < i; j++)
        if (g_str_equal (name, g_ptr_array_index (r->fields, j)))
          {
            g_set_error (&r->fatal, CL_ERROR, CL_ERROR_MALFORMED,
                         "%s:%u: header: column “%s” twice (columns %u and %u)", r->file, r->row_line, name, j + 1,
                         i + 1);
            return;
          }
    }
  g_ptr_array_add (r->fields, NULL);
  r->table->header = (char **)g_ptr_array_free (g_steal_pointer (&r->fields), FALSE);
  r->fields = g_ptr_array_new_with_free_func (g_free);
}

static void
take_row (Reader *r)
{
  guint n = r->fields->len + r->extra_fields;
  guint columns = g_strv_length (r->table->header);
  ClCsvRow *row;

  if (r->table->rows->len >= CL_CSV_MAX_ROWS)
    {
      g_set_error (&r->fatal, CL_ERROR, CL_ERROR_MALFORMED, "%s:%u: more than %d rows, the limit of one data file",
                   r->file, r->row_line, CL_CSV_MAX_ROWS);
      return;
    }
  if (n != columns)
    {
      cl_data_problems_add (r->problems, r->row_line, NULL, "%u field(s), the header has %u column(s)", n, columns);
      r->row_bad = TRUE;
    }
  else if (r->row_bytes > CL_CSV_MAX_RECORD_BYTES)
    {
      cl_data_problems_add (r->problems, r->row_line, NULL, "row of %zu bytes, longer than the limit of %d bytes",
                            r->row_bytes, CL_CSV_MAX_RECORD_BYTES);
      r->row_bad = TRUE;
    }
  row = g_new0 (ClCsvRow, 1);
  row->line = r->row_line;
  row->bad = r->row_bad;
  g_ptr_array_add (r->fields, NULL);
  row->fields = (char **)g_ptr_array_free (g_steal_pointer (&r->fields), FALSE);
  g_ptr_array_add (r->table->rows, row);
  r->fields = g_ptr_array_new_with_free_func (g_free);
}

static void
row_done (int c, void *data)
{
  Reader *r = data;

  if (c == '\n')
    r->line_ended = TRUE;
  /* an empty line (or the LF of a CRLF): CSV_REPALL_NL reports it as a row without fields */
  if (r->fatal != NULL || (r->fields->len == 0 && r->extra_fields == 0))
    return;
  if (r->table->header == NULL)
    take_header (r);
  else
    take_row (r);
  g_ptr_array_set_size (r->fields, 0);
  r->extra_fields = 0;
  r->row_bytes = 0;
  r->row_bad = FALSE;
}

static void
csv_row_free (gpointer p)
{
  ClCsvRow *row = p;

  g_strfreev (row->fields);
  g_free (row);
}

void
cl_csv_table_free (ClCsvTable *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->header);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_free (self);
}

static gboolean
feed (Reader *r, struct csv_parser *p, const guint8 *data, gsize len)
{
  gsize pos = 0;

  if (len >= sizeof utf8_bom && memcmp (data, utf8_bom, sizeof utf8_bom) == 0)
    pos = sizeof utf8_bom;
  for (r->line = 1; pos < len && r->fatal == NULL; r->line++)
    {
      const guint8 *nl = memchr (data + pos, '\n', len - pos);
      gsize end = nl != NULL ? (gsize)(nl - data) + 1 : len;
      gsize done;

      if (r->line_ended || r->line == 1)
        r->row_line = r->line;
      r->line_ended = FALSE;
      done = csv_parse (p, data + pos, end - pos, field_done, row_done, r);
      if (done != end - pos && r->fatal == NULL)
        {
          if (csv_error (p) == CSV_EPARSE)
            g_set_error (&r->fatal, CL_ERROR, CL_ERROR_MALFORMED,
                         "%s:%u: malformed CSV at byte %zu of the line: a quote may only open a field, end it, or be "
                         "doubled inside a quoted field (RFC 4180)",
                         r->file, r->line, done + 1);
          else
            g_set_error (&r->fatal, CL_ERROR, CL_ERROR_MALFORMED, "%s:%u: %s", r->file, r->line,
                         csv_strerror (csv_error (p)));
        }
      pos = end;
    }
  if (r->fatal == NULL && csv_fini (p, field_done, row_done, r) != 0 && r->fatal == NULL)
    g_set_error (&r->fatal, CL_ERROR, CL_ERROR_MALFORMED,
                 "%s:%u: malformed CSV: the quoted field opened here is never closed", r->file, r->row_line);
  if (r->fatal == NULL && r->table->header == NULL)
    g_set_error (&r->fatal, CL_ERROR, CL_ERROR_MALFORMED, "%s: no header row (the file is empty)", r->file);
  return r->fatal == NULL;
}

ClCsvTable *
cl_csv_table_parse (const char *file, const guint8 *data, gsize len, ClDataProblems *problems, GError **error)
{
  g_autoptr (ClCsvTable) table = g_new0 (ClCsvTable, 1);
  Reader r = { .file = file, .problems = problems, .table = table };
  struct csv_parser p;
  gboolean ok;

  if (len > CL_CSV_MAX_FILE_BYTES)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "%s: %zu bytes, larger than the limit of %d bytes", file, len,
                   CL_CSV_MAX_FILE_BYTES);
      return NULL;
    }
  if (csv_init (&p, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "%s: cannot start the CSV parser", file);
      return NULL;
    }
  csv_set_space_func (&p, no_space);
  table->rows = g_ptr_array_new_with_free_func (csv_row_free);
  r.fields = g_ptr_array_new_with_free_func (g_free);
  ok = feed (&r, &p, data, len);
  csv_free (&p);
  g_ptr_array_unref (r.fields);
  if (!ok)
    {
      g_propagate_error (error, r.fatal);
      return NULL;
    }
  return g_steal_pointer (&table);
}

gint
cl_csv_table_column (const ClCsvTable *self, const char *name)
{
  for (guint i = 0; self->header[i] != NULL; i++)
    if (g_str_equal (self->header[i], name))
      return (gint)i;
  return -1;
}
