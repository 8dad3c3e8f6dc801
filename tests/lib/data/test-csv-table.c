/* Unit tests of lib/data/cl-csv-table: RFC 4180 rows with their lines, and every way a file is refused. */
#include <string.h>

#include "core/cl-error.h"
#include "data/cl-csv-table.h"

static ClCsvTable *
parse (const char *text, gssize len, ClDataProblems **problems, GError **error)
{
  *problems = cl_data_problems_new ("t.csv");
  return cl_csv_table_parse ("t.csv", (const guint8 *)text, len < 0 ? strlen (text) : (gsize)len, *problems, error);
}

/* text must be refused whole with exactly message */
static void
assert_refused (const char *text, gssize len, const char *message)
{
  g_autoptr (ClDataProblems) problems = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCsvTable) table = parse (text, len, &problems, &error);

  g_assert_null (table);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, message);
}

/* text must read with exactly the problems listed (NULL-terminated) */
static ClCsvTable *
assert_problems (const char *text, gssize len, const char *const *expected)
{
  g_autoptr (ClDataProblems) problems = NULL;
  g_autoptr (GError) error = NULL;
  ClCsvTable *table = parse (text, len, &problems, &error);
  const char *const *got;

  g_assert_no_error (error);
  g_assert_nonnull (table);
  got = cl_data_problems_list (problems);
  g_assert_cmpstrv (got, expected);
  g_assert_cmpuint (cl_data_problems_count (problems), ==, g_strv_length ((char **)expected));
  return table;
}

static void
test_rfc4180 (void)
{
  /* BOM, CRLF, a quoted comma, doubled quotes, a line break inside quotes, spaces kept, an empty line skipped, the
   * last line without its line break */
  const char *text = "\xEF\xBB\xBFid,name,note\r\n"
                     "1, Ada ,\"a, b\"\r\n"
                     "2,\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
                     "\r\n"
                     "3,,\"\"";
  const char *none[] = { NULL };
  g_autoptr (ClCsvTable) table = assert_problems (text, -1, none);
  const char *header[] = { "id", "name", "note", NULL };
  ClCsvRow *row;

  g_assert_cmpstrv (table->header, header);
  g_assert_cmpuint (table->rows->len, ==, 3);
  row = g_ptr_array_index (table->rows, 0);
  g_assert_cmpuint (row->line, ==, 2);
  g_assert_cmpstr (row->fields[1], ==, " Ada ");
  g_assert_cmpstr (row->fields[2], ==, "a, b");
  row = g_ptr_array_index (table->rows, 1);
  g_assert_cmpuint (row->line, ==, 3);
  g_assert_cmpstr (row->fields[1], ==, "say \"hi\"");
  g_assert_cmpstr (row->fields[2], ==, "two\nlines");
  row = g_ptr_array_index (table->rows, 2);
  g_assert_cmpuint (row->line, ==, 6);
  g_assert_false (row->bad);
  g_assert_cmpstr (row->fields[1], ==, "");
  g_assert_cmpstr (row->fields[2], ==, "");
  g_assert_cmpint (cl_csv_table_column (table, "note"), ==, 2);
  g_assert_cmpint (cl_csv_table_column (table, "other"), ==, -1);
}

static void
test_quoting (void)
{
  assert_refused ("a,b\n1,x\"y\n", -1,
                  "t.csv:2: malformed CSV at byte 4 of the line: a quote may only open a field, end it, or be doubled "
                  "inside a quoted field (RFC 4180)");
  assert_refused ("a,b\n1,\"x\"y\n", -1,
                  "t.csv:2: malformed CSV at byte 6 of the line: a quote may only open a field, end it, or be doubled "
                  "inside a quoted field (RFC 4180)");
  assert_refused ("a,b\n1,2\n3,\"never\nclosed\n", -1,
                  "t.csv:3: malformed CSV: the quoted field opened here is never closed");
}

static void
test_header (void)
{
  assert_refused ("", 0, "t.csv: no header row (the file is empty)");
  assert_refused ("\xEF\xBB\xBF\n\n", -1, "t.csv: no header row (the file is empty)");
  assert_refused ("a,,c\n1,2,3\n", -1, "t.csv:1: header: column 2 has no name");
  assert_refused ("a,b,a\n", -1, "t.csv:1: header: column “a” twice (columns 1 and 3)");
  assert_refused ("a,\xC3\x28\n", -1, "t.csv:1: header: column 2: not UTF-8 text (byte 1 of the field)");
}

static void
test_column_count (void)
{
  const char *expected[]
    = { "t.csv:2: 1 field(s), the header has 2 column(s)", "t.csv:4: 3 field(s), the header has 2 column(s)", NULL };
  g_autoptr (ClCsvTable) table = assert_problems ("a,b\n1\n1,2\n1,2,3\n", -1, expected);

  g_assert_cmpuint (table->rows->len, ==, 3);
  g_assert_true (((ClCsvRow *)g_ptr_array_index (table->rows, 0))->bad);
  g_assert_false (((ClCsvRow *)g_ptr_array_index (table->rows, 1))->bad);
  g_assert_true (((ClCsvRow *)g_ptr_array_index (table->rows, 2))->bad);
}

static void
test_utf8 (void)
{
  const char *expected[]
    = { "t.csv:2: b: not UTF-8 text (byte 3 of the field)", "t.csv:3: a: not UTF-8 text (byte 2 of the field)", NULL };
  /* Latin-1 "é", then a NUL byte inside a field */
  static const char text[] = "a,b\n1,ab\xE9\n4\0x,5\n";
  g_autoptr (ClCsvTable) table = assert_problems (text, sizeof text - 1, expected);

  g_assert_cmpuint (table->rows->len, ==, 2);
}

static void
test_limits (void)
{
  g_autoptr (GString) text = g_string_new ("a,b\n1,");
  const char *field[] = { "t.csv:2: b: field of 65537 bytes, longer than the limit of 65536 bytes", NULL };
  const char *row[] = { "t.csv:2: row of 1114112 bytes, longer than the limit of 1048576 bytes", NULL };
  const char *wide[] = { "t.csv:2: 300 field(s), the header has 2 column(s)", NULL };
  g_autoptr (ClCsvTable) t1 = NULL, t2 = NULL, t3 = NULL;
  g_autofree char *too_wide_header = NULL;
  g_autofree guint8 *huge = NULL;

  for (guint i = 0; i < CL_CSV_MAX_FIELD_BYTES + 1; i++)
    g_string_append_c (text, 'x');
  t1 = assert_problems (text->str, text->len, field);

  /* 17 fields of 64 KiB: each within the field limit, the row over its own */
  g_string_assign (text, "c0");
  for (guint i = 1; i < 17; i++)
    g_string_append_printf (text, ",c%u", i);
  g_string_append_c (text, '\n');
  for (guint i = 0; i < 17; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      for (guint j = 0; j < CL_CSV_MAX_FIELD_BYTES; j++)
        g_string_append_c (text, 'y');
    }
  t2 = assert_problems (text->str, text->len, row);

  g_string_assign (text, "a,b\n");
  for (guint i = 0; i < 300; i++)
    g_string_append (text, i ? ",1" : "1");
  t3 = assert_problems (text->str, text->len, wide);

  g_string_assign (text, "c");
  for (guint i = 1; i < 300; i++)
    g_string_append_printf (text, ",c%u", i);
  too_wide_header = g_strdup_printf ("%s\n", text->str);
  assert_refused (too_wide_header, -1, "t.csv:1: header: 300 columns, more than the limit of 256");

  g_string_assign (text, "id\n");
  for (guint i = 0; i < CL_CSV_MAX_ROWS + 1; i++)
    g_string_append (text, "1\n");
  assert_refused (text->str, text->len, "t.csv:100002: more than 100000 rows, the limit of one data file");

  huge = g_malloc0 (CL_CSV_MAX_FILE_BYTES + 1);
  assert_refused ((const char *)huge, CL_CSV_MAX_FILE_BYTES + 1,
                  "t.csv: 67108865 bytes, larger than the limit of 67108864 bytes");
}

static void
test_problem_list_bounded (void)
{
  g_autoptr (GString) text = g_string_new ("a,b\n");
  g_autoptr (ClDataProblems) problems = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCsvTable) table = NULL;
  g_autofree char *listed = NULL;

  for (guint i = 0; i < 150; i++)
    g_string_append (text, "1\n");
  table = parse (text->str, text->len, &problems, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_data_problems_count (problems), ==, 150);
  g_assert_cmpuint (g_strv_length ((char **)cl_data_problems_list (problems)), ==, CL_DATA_PROBLEMS_LISTED);
  listed = cl_data_problems_to_text (problems);
  g_assert_true (g_str_has_prefix (listed, "t.csv:2: 1 field(s), the header has 2 column(s)\n"));
  g_assert_true (
    g_str_has_suffix (listed, "t.csv:101: 1 field(s), the header has 2 column(s)\n… and 50 more problem(s)\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/csv/rfc4180", test_rfc4180);
  g_test_add_func ("/data/csv/quoting", test_quoting);
  g_test_add_func ("/data/csv/header", test_header);
  g_test_add_func ("/data/csv/column-count", test_column_count);
  g_test_add_func ("/data/csv/utf8", test_utf8);
  g_test_add_func ("/data/csv/limits", test_limits);
  g_test_add_func ("/data/csv/problem-list-bounded", test_problem_list_bounded);
  return g_test_run ();
}
