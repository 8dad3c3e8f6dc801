/* Unit tests of lib/store/cl-store-rows: importing a batch's data file, and the constraints that keep a row produced
 * exactly once whoever writes to the store. */
#include <sqlite3.h>
#include <string.h>

#include "core/cl-error.h"
#include "store/cl-store-rows.h"
#include "store-fixture.h"

#define HASH_A  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define PROFILE "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

typedef struct
{
  StoreFixture base;
  gint64 batch;
  GPtrArray *tables; /* GHashTable of each row's fields */
  GArray *rows;      /* ClRowImport */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  store_fixture_setup (&f->base, data);
  f->batch = cl_store_batch_create (f->base.store, "B-rows", "reference", PROFILE, 20, "supervisor", &error);
  g_assert_no_error (error);
  f->tables = g_ptr_array_new_with_free_func ((GDestroyNotify)g_hash_table_unref);
  f->rows = g_array_new (FALSE, TRUE, sizeof (ClRowImport));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_array_unref (f->rows);
  g_ptr_array_unref (f->tables);
  store_fixture_teardown (&f->base, data);
}

/* A row named PREFIX-N on line N + 1 whose fields are the given key/value pairs (NULL-terminated). */
static void
add_row (Fixture *f, const char *reference, const char *display, ...)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ClRowImport row = { 0 };
  const char *key;
  va_list args;

  va_start (args, display);
  while ((key = va_arg (args, const char *)) != NULL)
    g_hash_table_insert (fields, g_strdup (key), g_strdup (va_arg (args, const char *)));
  va_end (args);
  g_ptr_array_add (f->tables, fields);
  row.line = f->rows->len + 2;
  row.reference = g_intern_string (reference);
  row.display = g_intern_string (display);
  row.fields = fields;
  g_array_append_val (f->rows, row);
}

static ClDataFileImport
file_of (Fixture *f, const char *name, const char *sha256)
{
  return (ClDataFileImport){
    .file_name = name,
    .sha256 = sha256,
    .mapping = "[columns]\nname = face.name\n",
    .actor = "supervisor",
    .rows = (const ClRowImport *)(gpointer)f->rows->data,
    .n_rows = f->rows->len,
  };
}

static void
three_rows (Fixture *f)
{
  add_row (f, "E-1", "Ada Lovelace", "face.name", "Ada Lovelace", "chr.holder", "ADA01", "token-label", "Ada", NULL);
  add_row (f, "E-2", "Alan Turing", "face.name", "Alan Turing", "store-data.employee", "2", NULL);
  add_row (f, "E-3", "Grace Hopper", "face.name", "=cmd|' /C calc'!A0", NULL);
}

static void
assert_counts (Fixture *f, gint64 pending, gint64 in_production, gint64 done, gint64 failed)
{
  g_autoptr (GError) error = NULL;
  ClRowCounts counts;

  g_assert_true (cl_store_rows_count (f->base.store, f->batch, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counts.pending, ==, pending);
  g_assert_cmpint (counts.in_production, ==, in_production);
  g_assert_cmpint (counts.done, ==, done);
  g_assert_cmpint (counts.failed, ==, failed);
}

static gint64
raw_int (Fixture *f, const char *sql)
{
  return store_fixture_raw_int (&f->base, sql);
}

/* The error SQLite gives for sql run on a connection of its own, NULL if it ran. */
static char *
raw_sql_error (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  char *msg = NULL, *copy;

  g_assert_cmpint (sqlite3_open (f->base.path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, CL_STORE_BUSY_TIMEOUT_MS);
  sqlite3_exec (db, sql, NULL, NULL, &msg);
  copy = g_strdup (msg);
  sqlite3_free (msg);
  sqlite3_close (db);
  return copy;
}

static void
test_import (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ClRowsImportOutcome outcome = CL_ROWS_ALREADY_IMPORTED;
  ClDataFileImport file;
  gint64 id, again;

  three_rows (f);
  file = file_of (f, "people.csv", HASH_A);
  id = cl_store_rows_import (f->base.store, f->batch, &file, &outcome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (outcome, ==, CL_ROWS_IMPORTED);
  assert_counts (f, 3, 0, 0, 0);
  /* fields are a JSON object keyed by target names; a formula stays text */
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_rows WHERE reference = 'E-1' AND "
                               "json_extract(fields, '$.\"chr.holder\"') = 'ADA01' AND "
                               "json_extract(fields, '$.\"token-label\"') = 'Ada' AND line = 2"),
                   ==, 1);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_rows WHERE reference = 'E-3' AND "
                               "json_extract(fields, '$.\"face.name\"') = '=cmd|'' /C calc''!A0'"),
                   ==, 1);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM audit WHERE action = 'batch-data-import' AND subject = 'B-rows' "
                               "AND detail LIKE '%people.csv%" HASH_A "%rows 3 refused 0%'"),
                   ==, 1);
  /* the same file again changes nothing */
  again = cl_store_rows_import (f->base.store, f->batch, &file, &outcome, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, id);
  g_assert_cmpint (outcome, ==, CL_ROWS_ALREADY_IMPORTED);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_files"), ==, 1);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM audit WHERE action = 'batch-data-import'"), ==, 1);
  assert_counts (f, 3, 0, 0, 0);
}

/* A photo is kept with its media type; a photo without one is refused. */
static void
test_photo (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) photo = g_bytes_new_static ("\x89PNG\r\n\x1a\n", 8);
  ClDataFileImport file;

  add_row (f, "P-1", "With photo", NULL);
  g_array_index (f->rows, ClRowImport, 0).photo = photo;
  file = file_of (f, "photos.csv", HASH_A);
  g_assert_cmpint (cl_store_rows_import (f->base.store, f->batch, &file, NULL, &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "photos.csv:2"));
  g_clear_error (&error);
  g_array_index (f->rows, ClRowImport, 0).photo_type = "image/png";
  g_assert_cmpint (cl_store_rows_import (f->base.store, f->batch, &file, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT length(photo) FROM batch_rows WHERE photo_type = 'image/png'"), ==, 8);
}

static void
assert_refused (Fixture *f, const ClDataFileImport *file, const char *expected)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (cl_store_rows_import (f->base.store, f->batch, file, NULL, &error), ==, 0);
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  if (strstr (error->message, expected) == NULL)
    g_error ("expected \"%s\" in \"%s\"", expected, error->message);
}

/* Each bad file names what is wrong, and nothing of it is written. */
static void
test_refused (Fixture *f, gconstpointer data)
{
  ClDataFileImport file;

  three_rows (f);
  add_row (f, "E-2", "Again", NULL);
  file = file_of (f, "people.csv", HASH_A);
  assert_refused (f, &file, "people.csv:5: reference E-2: duplicate of line 3");
  g_array_set_size (f->rows, 3);
  file = file_of (f, "people.csv", HASH_A);
  g_hash_table_insert (g_ptr_array_index (f->tables, 1), g_strdup ("face.Name!"), g_strdup ("x"));
  assert_refused (f, &file, "people.csv:3: face.Name! is not a target field");
  g_hash_table_remove (g_ptr_array_index (f->tables, 1), "face.Name!");
  g_hash_table_insert (g_ptr_array_index (f->tables, 1), g_strdup ("face.photo"), g_strdup ("ada.png"));
  assert_refused (f, &file, "people.csv:3: face.photo is the row's photo");
  g_hash_table_remove (g_ptr_array_index (f->tables, 1), "face.photo");
  file.refused = 2;
  assert_refused (f, &file, "2 rows have errors");
  file.refused = 0;
  file.sha256 = "ABC";
  assert_refused (f, &file, "SHA-256");
  file.sha256 = HASH_A;
  file.n_rows = 0;
  assert_refused (f, &file, "no row to import");
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_files"), ==, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_rows"), ==, 0);
  /* the good rows of a file with errors, when asked for */
  file.n_rows = 3;
  file.refused = 1;
  file.good_only = TRUE;
  g_assert_cmpint (cl_store_rows_import (f->base.store, f->batch, &file, NULL, NULL), >, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM audit WHERE action = 'batch-data-import' AND "
                               "detail LIKE '%refused 1 good-only yes%'"),
                   ==, 1);
}

/* Another file replaces the rows while none was produced, and is refused once one was. */
static void
test_replace (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ClDataFileImport file;
  gint64 attempt;
  g_autofree char *sql = NULL;

  three_rows (f);
  file = file_of (f, "people.csv", HASH_A);
  g_assert_cmpint (cl_store_rows_import (f->base.store, f->batch, &file, NULL, &error), >, 0);
  g_array_set_size (f->rows, 2);
  file = file_of (f, "people-v2.csv", HASH_B);
  g_assert_cmpint (cl_store_rows_import (f->base.store, f->batch, &file, NULL, &error), >, 0);
  g_assert_no_error (error);
  assert_counts (f, 2, 0, 0, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM audit WHERE detail LIKE '%people-v2.csv%replaces " HASH_A "'"), ==,
                   1);
  attempt = cl_store_attempt_begin (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 0", 0, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf ("UPDATE batch_rows SET state = 'IN_PRODUCTION', attempt_id = %" G_GINT64_FORMAT
                         ", claimed = 1 WHERE reference = 'E-1'",
                         attempt);
  g_assert_null (raw_sql_error (f, sql));
  add_row (f, "E-9", "Someone else", NULL);
  file = file_of (f, "people.csv", HASH_A);
  assert_refused (f, &file,
                  "Batch B-rows already has 1 rows produced from people-v2.csv (SHA-256 " HASH_B
                  "): another data file (people.csv) is refused");
  assert_counts (f, 1, 1, 0, 0);
}

/* Whoever writes to the store, a chip holds one row, an attempt claims one row, a done row stays bound, a
 * produced row stays. */
static void
test_constraints (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *msg = NULL;
  ClDataFileImport file;

  three_rows (f);
  file = file_of (f, "people.csv", HASH_A);
  g_assert_cmpint (cl_store_rows_import (f->base.store, f->batch, &file, NULL, &error), >, 0);
  for (int i = 0; i < 2; i++)
    g_assert_cmpint (
      cl_store_attempt_begin (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 0", 0, &error), >, 0);
  g_assert_null (raw_sql_error (f, "UPDATE batch_rows SET state = 'DONE', attempt_id = 1, chip_id = 'C1', claimed = 1, "
                                   "finished = 2 WHERE reference = 'E-1'"));
  msg = raw_sql_error (f, "UPDATE batch_rows SET state = 'DONE', attempt_id = 2, chip_id = 'C1', claimed = 1, "
                          "finished = 2 WHERE reference = 'E-2'");
  g_assert_nonnull (strstr (msg, "UNIQUE"));
  g_clear_pointer (&msg, g_free);
  msg = raw_sql_error (f, "UPDATE batch_rows SET state = 'IN_PRODUCTION', attempt_id = 1, claimed = 1 "
                          "WHERE reference = 'E-2'");
  g_assert_nonnull (strstr (msg, "UNIQUE"));
  g_clear_pointer (&msg, g_free);
  msg = raw_sql_error (f, "UPDATE batch_rows SET chip_id = 'C2' WHERE reference = 'E-1'");
  g_assert_nonnull (strstr (msg, "stays bound"));
  g_clear_pointer (&msg, g_free);
  msg = raw_sql_error (f, "DELETE FROM batch_rows WHERE reference = 'E-1'");
  g_assert_nonnull (strstr (msg, "never deleted"));
  g_clear_pointer (&msg, g_free);
  /* a pending row has no attempt; a done row has its chip */
  msg = raw_sql_error (f, "UPDATE batch_rows SET attempt_id = 2 WHERE reference = 'E-2'");
  g_assert_nonnull (strstr (msg, "CHECK"));
  g_clear_pointer (&msg, g_free);
  msg = raw_sql_error (f, "UPDATE batch_rows SET state = 'DONE', attempt_id = 2, claimed = 1, finished = 2 "
                          "WHERE reference = 'E-2'");
  g_assert_nonnull (strstr (msg, "CHECK"));
  assert_counts (f, 2, 0, 1, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/store/rows/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("import", test_import);
  ADD ("photo", test_photo);
  ADD ("refused", test_refused);
  ADD ("replace", test_replace);
  ADD ("constraints", test_constraints);
  return g_test_run ();
}
