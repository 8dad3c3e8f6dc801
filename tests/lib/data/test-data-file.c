/* Unit tests of lib/data: the mapping, the rules of each value and the validation of a whole file, each refusal
 * with its exact message. Data: tests/data/import/. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>

#include "core/cl-error.h"
#include "data/cl-data-file.h"
#include "data/cl-data-mapping.h"
#include "data/cl-data-photo.h"

static char *
import_path (const char *name)
{
  return g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "tests", "data", "import", name, NULL);
}

static ClDataMapping *
mapping_from (const char *text, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();

  g_assert_true (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL));
  return cl_data_mapping_new_from_key_file (kf, "m.map", error);
}

static void
assert_mapping_refused (const char *text, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDataMapping) mapping = mapping_from (text, &error);

  g_assert_null (mapping);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_mapping (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = import_path ("people.map");
  g_autoptr (ClDataMapping) mapping = cl_data_mapping_new_from_file (path, &error);
  const char *columns[] = { "employee_id", "name", "photo", "badge", "hired", NULL };
  const ClDataRule *rule;

  g_assert_no_error (error);
  g_assert_cmpstr (cl_data_mapping_get_reference (mapping), ==, "employee_id");
  g_assert_cmpstr (cl_data_mapping_get_display (mapping), ==, "name");
  g_assert_cmpuint (cl_data_mapping_get_targets (mapping)->len, ==, 4);
  g_assert_cmpstr (cl_data_mapping_get_column_of (mapping, "face.photo"), ==, "photo");
  g_assert_null (cl_data_mapping_get_column_of (mapping, "token-label"));
  g_assert_cmpstrv (cl_data_mapping_get_columns (mapping), columns);
  /* the reference is required and unique without saying so */
  rule = cl_data_mapping_get_rule (mapping, "employee_id");
  g_assert_true (rule->required && rule->unique);
  g_assert_cmpuint (rule->max_length, ==, 5);
  rule = cl_data_mapping_get_rule (mapping, "hired");
  g_assert_cmpint (rule->type, ==, CL_DATA_TYPE_DATE);
  rule = cl_data_mapping_get_rule (mapping, "photo");
  g_assert_false (rule->required || rule->unique);

  /* no [data] group in a profile: no mapping, no error */
  g_clear_object (&mapping);
  mapping = mapping_from ("[profile]\nname=x\n", &error);
  g_assert_no_error (error);
  g_assert_null (mapping);
  /* a profile's own [data] key (what a rejected card's row becomes) is not the mapping's */
  mapping = mapping_from ("[data]\non-reject=fail\n", &error);
  g_assert_no_error (error);
  g_assert_null (mapping);
  mapping = mapping_from ("[data]\non-reject=fail\nreference=id\n", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_data_mapping_get_targets (mapping)->len, ==, 0);
  g_assert_cmpstr (cl_data_mapping_get_text (mapping), ==, "[data]\nreference=id\n");
}

static void
test_mapping_refused (void)
{
  assert_mapping_refused ("[data]\nreference=id\nface.name=name\nface.nmae=name\nphoto=pic\n",
                          "m.map:data:photo: unknown target field (expected reference, display, face.NAME, face.photo, "
                          "chr.holder, store-data.TAG or token-label)");
  assert_mapping_refused ("[data]\nreference=id\nface.serial=id\n",
                          "m.map:data:face.serial: the station prints the card's serial and batch itself");
  assert_mapping_refused (
    "[data]\nreference=id\nstore-data.badge=id\n",
    "m.map:data:store-data.badge: a STORE DATA value is store-data.TAG with a 1- or 2-byte tag in "
    "lower-case hex (e.g. store-data.5f20)");
  assert_mapping_refused ("[data]\nface.name=name\n",
                          "m.map:data:reference: expected a column name of the data file's header, got nothing");
  assert_mapping_refused ("[data]\nreference=id\ntoken-label=\n",
                          "m.map:data:token-label: expected a column name of the data file's header, got nothing");
  assert_mapping_refused ("[data]\nreference=id\n[data column id]\nmax-lenght=3\n",
                          "m.map:data column id:max-lenght: unknown rule (expected required, unique, max-length, "
                          "pattern or type)");
  assert_mapping_refused ("[data]\nreference=id\n[data column id]\nmax-length=0\n",
                          "m.map:data column id:max-length: expected a number of characters 1..65536, got “0”");
  assert_mapping_refused ("[data]\nreference=id\n[data column id]\ntype=integer\n",
                          "m.map:data column id:type: expected text, number or date, got “integer”");
  assert_mapping_refused ("[data]\nreference=id\n[data column id]\nunique=maybe\n",
                          "m.map:data column id:unique: expected true or false");
  assert_mapping_refused ("[data]\nreference=id\n[data column id]\npattern=[A-Z\n",
                          "m.map:data column id:pattern: not a regular expression: Error while compiling regular "
                          "expression ‘[A-Z’ at char 4: missing terminating ] for character class");
  assert_mapping_refused ("[data column id]\nrequired=true\n",
                          "m.map:data column id: a column's rules without a [data] group mapping the columns");
}

static void
test_mapping_file_refused (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cl-data-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "x.map", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDataMapping) mapping = NULL;

  g_assert_true (g_file_set_contents (path, "[data]\nreference=id\n[keys]\nkst-label=KST\n", -1, NULL));
  mapping = cl_data_mapping_new_from_file (path, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==, "x.map:keys: unknown group (expected [data] and [data column NAME])");
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "# nothing\n", -1, NULL));
  mapping = cl_data_mapping_new_from_file (path, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==, "x.map: no [data] group: nothing maps the data file's columns");
  g_unlink (path);
  g_rmdir (dir);
}

static ClDataFile *
check_text (const char *mapping_text, const char *csv, const char *photos, GError **error)
{
  g_autoptr (ClDataMapping) mapping = mapping_from (mapping_text, NULL);

  g_assert_nonnull (mapping);
  return cl_data_file_parse ("people.csv", (const guint8 *)csv, strlen (csv), mapping, photos, error);
}

static void
assert_problems (ClDataFile *file, const char *const *expected)
{
  ClDataProblems *problems = cl_data_file_get_problems (file);

  g_assert_cmpstrv (cl_data_problems_list (problems), expected);
  g_assert_cmpuint (cl_data_problems_count (problems), ==, g_strv_length ((char **)expected));
}

static void
test_good_file (void)
{
  g_autofree char *csv = import_path ("people.csv");
  g_autofree char *map = import_path ("people.map");
  g_autofree char *photos = import_path ("photos");
  g_autofree char *ada = g_build_filename (photos, "ada.png", NULL);
  g_autofree char *expected_sha = NULL;
  g_autofree char *bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDataMapping) mapping = cl_data_mapping_new_from_file (map, &error);
  g_autoptr (ClDataFile) file = NULL;
  const char *none[] = { NULL };
  ClDataRow *row;
  gsize len;

  g_assert_no_error (error);
  file = cl_data_file_read (csv, mapping, photos, &error);
  g_assert_no_error (error);
  assert_problems (file, none);
  g_assert_cmpuint (cl_data_file_get_row_count (file), ==, 3);
  g_assert_cmpuint (cl_data_file_get_good_rows (file)->len, ==, 3);
  row = g_ptr_array_index (cl_data_file_get_good_rows (file), 2);
  g_assert_cmpuint (row->line, ==, 4);
  g_assert_cmpstr (row->reference, ==, "E1003");
  g_assert_cmpstr (row->display, ==, "Torvalds, Linus");
  g_assert_cmpstr (g_hash_table_lookup (row->values, "face.name"), ==, "Torvalds, Linus");
  g_assert_cmpstr (g_hash_table_lookup (row->values, "chr.holder"), ==, "E1003");
  g_assert_cmpstr (g_hash_table_lookup (row->values, "store-data.df01"), ==, "103");
  row = g_ptr_array_index (cl_data_file_get_good_rows (file), 0);
  g_assert_cmpstr (row->photo, ==, ada);
  g_assert_cmpstr (row->photo_type, ==, "image/png");
  g_assert_null (g_hash_table_lookup (row->values, "face.photo"));
  g_assert_cmpuint (g_hash_table_size (row->values), ==, 3);
  /* the SHA-256 of the bytes as read */
  g_assert_true (g_file_get_contents (csv, &bytes, &len, NULL));
  expected_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)bytes, len);
  g_assert_cmpstr (cl_data_file_get_sha256 (file), ==, expected_sha);
  g_assert_cmpuint (strlen (cl_data_file_get_sha256 (file)), ==, 64);
}

/* tests/data/import/people-bad.csv: every row but the first is wrong in several ways */
static void
test_bad_file (void)
{
  g_autofree char *csv = import_path ("people-bad.csv");
  g_autofree char *map = import_path ("people.map");
  g_autofree char *photos = import_path ("photos");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDataMapping) mapping = cl_data_mapping_new_from_file (map, &error);
  g_autoptr (ClDataFile) file = cl_data_file_read (csv, mapping, photos, &error);
  g_autofree char *photos_problem
    = g_strdup_printf ("people-bad.csv:3: photo: no file “nobody.png” in the photos directory %s", photos);
  const char *expected[] = {
    "people-bad.csv:3: employee_id: duplicate of line 2",
    "people-bad.csv:3: name: “=SUM(A1:A9)” starts with “=”, which a spreadsheet would run as a formula",
    "people-bad.csv:3: hired: “2024-02-30” is not a date (type date: ISO 8601 YYYY-MM-DD)",
    "people-bad.csv:3: badge: “1O2” is not a number (type number: digits, a leading - and a decimal point allowed)",
    photos_problem,
    "people-bad.csv:4: employee_id: “e1003” does not match the pattern “E[0-9]{4}”",
    "people-bad.csv:4: name: required, but empty",
    "people-bad.csv:4: badge: duplicate of line 2",
    "people-bad.csv:4: photo: photo “notes.png” is not an image",
    "people-bad.csv:4: employee_id: “e1003” cannot be the holder in a CHR (chr.holder: 1 to 9 of A-Z and 0-9)",
    "people-bad.csv:5: photo: “../grace.png” is not a file name in the photos directory",
    "people-bad.csv:6: 3 field(s), the header has 5 column(s)",
    NULL,
  };

  g_assert_no_error (error);
  assert_problems (file, expected);
  g_assert_cmpuint (cl_data_file_get_row_count (file), ==, 5);
  g_assert_cmpuint (cl_data_file_get_good_rows (file)->len, ==, 1);
  g_assert_cmpstr (((ClDataRow *)g_ptr_array_index (cl_data_file_get_good_rows (file), 0))->reference, ==, "E1001");
}

static void
test_formula (void)
{
  const char *map = "[data]\nreference=id\nface.label=label\nstore-data.c1=n\n[data column n]\ntype=number\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDataFile) file = check_text (map,
                                            "id,label,n\n"
                                            "A1,+1,-5\n"
                                            "A2,-1,-5+1\n"
                                            "A3,@cmd,-0.5\n"
                                            "A4,\"\ttab\",1\n"
                                            "A5,\"\rcr\",2\n"
                                            "A6,x=1,3\n",
                                            NULL, &error);
  const char *expected[] = {
    "people.csv:2: label: “+1” starts with “+”, which a spreadsheet would run as a formula",
    "people.csv:3: label: “-1” starts with “-”, which a spreadsheet would run as a formula",
    "people.csv:3: n: “-5+1” starts with “-”, which a spreadsheet would run as a formula",
    "people.csv:3: n: “-5+1” is not a number (type number: digits, a leading - and a decimal point allowed)",
    "people.csv:4: label: “@cmd” starts with “@”, which a spreadsheet would run as a formula",
    "people.csv:5: label: “\\ttab” starts with a tab, which a spreadsheet would run as a formula",
    "people.csv:6: label: “\\rcr” starts with a carriage return, which a spreadsheet would run as a formula",
    NULL,
  };

  g_assert_no_error (error);
  assert_problems (file, expected);
  /* a negative number in a number column and "=" inside a value are fine */
  g_assert_cmpuint (cl_data_file_get_good_rows (file)->len, ==, 1);
  g_assert_cmpstr (((ClDataRow *)g_ptr_array_index (cl_data_file_get_good_rows (file), 0))->reference, ==, "A6");
}

static void
test_lengths (void)
{
  const char *map = "[data]\nreference=id\ntoken-label=label\nchr.holder=h\nstore-data.5f20=s\n[data column id]\n"
                    "max-length=3\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) csv = g_string_new ("id,label,h,s\nZoë,ok,ABCDEFGHI,x\nABCD,0123456789012345678901234567890123,"
                                          "ABCDEFGHIJ,");
  g_autoptr (ClDataFile) file = NULL;
  /* max-length counts characters (“Zoë” is 3), a token label and a STORE DATA value bytes, a CHR holder A-Z 0-9 */
  const char *expected[] = {
    "people.csv:3: id: 4 characters, more than max-length 3",
    "people.csv:3: label: 34 bytes, longer than a token label's 32",
    "people.csv:3: h: “ABCDEFGHIJ” cannot be the holder in a CHR (chr.holder: 1 to 9 of A-Z and 0-9)",
    "people.csv:3: s: 128 bytes, longer than a STORE DATA value's 127",
    NULL,
  };

  for (guint i = 0; i < 128; i++)
    g_string_append_c (csv, 's');
  g_string_append_c (csv, '\n');
  file = check_text (map, csv->str, NULL, &error);
  g_assert_no_error (error);
  assert_problems (file, expected);
}

/* reference and display are names in the store and on the Line panel */
static void
test_names (void)
{
  g_autoptr (GString) csv = g_string_new ("id,name\nA1,\"two\nlines\"\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDataFile) file = NULL;
  const char *expected[] = {
    "people.csv:2: name: display has a control or invisible character (U+000A) at character 4: only printable text",
    "people.csv:4: id: reference has 129 characters; at most 128",
    NULL,
  };

  for (guint i = 0; i < 129; i++)
    g_string_append_c (csv, 'R');
  g_string_append (csv, ",ok\n");
  file = check_text ("[data]\nreference=id\ndisplay=name\n", csv->str, NULL, &error);
  g_assert_no_error (error);
  assert_problems (file, expected);
}

static void
test_photo_limits (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cl-data-XXXXXX", NULL);
  g_autofree char *wide = g_build_filename (dir, "wide.png", NULL);
  g_autofree char *cut = g_build_filename (dir, "cut.png", NULL);
  g_autofree char *sub = g_build_filename (dir, "sub.png", NULL);
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, CL_DATA_PHOTO_MAX_PIXELS + 1, 1);
  g_autofree char *truncated = import_path ("photos/truncated.png");
  g_autofree char *bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDataFile) file = NULL;
  g_autofree char *expected_cut = NULL;
  gsize len;

  gdk_pixbuf_fill (pixbuf, 0xffffffff);
  g_assert_true (gdk_pixbuf_save (pixbuf, wide, "png", &error, NULL));
  g_assert_true (g_file_get_contents (truncated, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (cut, bytes, len, NULL));
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  file
    = check_text ("[data]\nreference=id\nface.photo=p\n", "id,p\nA,wide.png\nB,cut.png\nC,sub.png\nD,\n", dir, &error);
  g_assert_no_error (error);
  {
    ClDataProblems *problems = cl_data_file_get_problems (file);
    const char *const *list = cl_data_problems_list (problems);

    g_assert_cmpuint (cl_data_problems_count (problems), ==, 3);
    g_assert_cmpstr (list[0], ==,
                     "people.csv:2: p: photo “wide.png” is 4097×1 pixels, more than the limit of 4096×4096");
    expected_cut = g_strdup_printf ("people.csv:3: p: photo “cut.png” is not a readable image: Failed to load image "
                                    "“%s”: Fatal error in PNG image file: Read Error",
                                    cut);
    g_assert_cmpstr (list[1], ==, expected_cut);
    g_assert_cmpstr (list[2], ==, "people.csv:4: p: photo “sub.png” is not a regular file");
  }
  /* a row without a photo is the mapping's business (required or not) */
  g_assert_cmpuint (cl_data_file_get_good_rows (file)->len, ==, 1);
  g_unlink (wide);
  g_unlink (cut);
  g_rmdir (sub);
  g_rmdir (dir);
}

static void
test_file_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDataFile) file
    = check_text ("[data]\nreference=employee_id\nface.label=Name\n", "employee_id,name\nE1,x\n", NULL, &error);

  g_assert_null (file);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_assert_cmpstr (
    error->message, ==,
    "people.csv: mapping m.map names column “Name”, which people.csv lacks (its columns: employee_id, name)");
  g_clear_error (&error);
  file = check_text ("[data]\nreference=id\nface.photo=p\n", "id,p\nA,a.png\n", NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "people.csv: mapping m.map feeds face.photo from column “p”: the photos directory is needed");
  g_clear_error (&error);
  /* malformed CSV: refused whole, never a part */
  file = check_text ("[data]\nreference=id\n", "id\nA\n\"B\n", NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, "people.csv:3: malformed CSV: the quoted field opened here is never closed");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/data/mapping/read", test_mapping);
  g_test_add_func ("/data/mapping/refused", test_mapping_refused);
  g_test_add_func ("/data/mapping/file-refused", test_mapping_file_refused);
  g_test_add_func ("/data/file/good", test_good_file);
  g_test_add_func ("/data/file/bad", test_bad_file);
  g_test_add_func ("/data/file/formula", test_formula);
  g_test_add_func ("/data/file/lengths", test_lengths);
  g_test_add_func ("/data/file/names", test_names);
  g_test_add_func ("/data/file/photo-limits", test_photo_limits);
  g_test_add_func ("/data/file/refused", test_file_refused);
  return g_test_run ();
}
