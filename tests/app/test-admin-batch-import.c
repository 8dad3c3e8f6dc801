/* `cardline-admin batch import` end to end on a real SQLite store: --dry-run lists every problem and writes nothing,
 * a file with problems is refused whole, only a supervisor imports its good rows (audited), the same file again
 * changes nothing, another file replaces rows only until one went into production, and the exit codes (0 ok, 1
 * refused or invalid, 2 usage). Data: tests/data/import/. */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "store/cl-store-rows.h"
#include "store/cl-store-users.h"

#define PROFILE_HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define PASSWORD     "import test password"

typedef struct
{
  char *dir;
  char *store_path;
  char *password_file;
  ClStore *store;
  gint64 batch;
  char *out;
  char *err;
  int status;
} Fixture;

static char *
import_path (const char *name)
{
  return g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "tests", "data", "import", name, NULL);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("cl-admin-import-XXXXXX", &error);
  g_assert_no_error (error);
  f->store_path = g_build_filename (f->dir, "station.db", NULL);
  f->password_file = g_build_filename (f->dir, "password", NULL);
  g_assert_true (g_file_set_contents_full (f->password_file, PASSWORD "\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  f->store = cl_store_open (f->store_path, &error);
  g_assert_no_error (error);
  g_assert_true (cl_store_user_add_first_admin (f->store, "ada", PASSWORD, &error));
  g_assert_true (cl_store_user_add_with_password (f->store, "sam", CL_ROLE_SUPERVISOR, PASSWORD, "ada", &error));
  g_assert_true (cl_store_user_add_with_password (f->store, "olga", CL_ROLE_OPERATOR, PASSWORD, "ada", &error));
  g_assert_no_error (error);
  f->batch = cl_store_batch_create (f->store, "B1", "smartcard-hsm", PROFILE_HASH, 20, "ada", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "rm", "-rf", f->dir, NULL };

  g_clear_object (&f->store);
  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &error));
  g_free (f->store_path);
  g_free (f->password_file);
  g_free (f->dir);
  g_free (f->out);
  g_free (f->err);
}

/* Runs cardline-admin batch import --store … ARGS (NULL-terminated); its exit status, stdout and stderr into f. */
static void
run_import (Fixture *f, const char *user, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  const char *arg;
  va_list args;
  int wait = 0;

  g_ptr_array_add (argv, g_build_filename (g_getenv ("CARDLINE_BUILD_DIR"), "app", "cardline-admin", NULL));
  g_ptr_array_add (argv, g_strdup ("batch"));
  g_ptr_array_add (argv, g_strdup ("import"));
  g_ptr_array_add (argv, g_strdup ("--store"));
  g_ptr_array_add (argv, g_strdup (f->store_path));
  if (user != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--user"));
      g_ptr_array_add (argv, g_strdup (user));
      g_ptr_array_add (argv, g_strdup ("--password-file"));
      g_ptr_array_add (argv, g_strdup (f->password_file));
    }
  va_start (args, user);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_clear_pointer (&f->out, g_free);
  g_clear_pointer (&f->err, g_free);
  g_assert_true (
    g_spawn_sync (NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &f->out, &f->err, &wait, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait));
  f->status = WEXITSTATUS (wait);
}

static ClRowCounts
counts (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  ClRowCounts c = { 0 };

  g_assert_true (cl_store_rows_count (f->store, f->batch, &c, &error));
  g_assert_no_error (error);
  return c;
}

static gint64
raw_int (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open (f->store_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, CL_STORE_BUSY_TIMEOUT_MS);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static char *
sha256_of (const char *path)
{
  g_autofree char *bytes = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)bytes, len);
}

static void
test_dry_run (Fixture *f, gconstpointer data)
{
  g_autofree char *good = import_path ("people.csv");
  g_autofree char *bad = import_path ("people-bad.csv");
  g_autofree char *map = import_path ("people.map");
  g_autofree char *photos = import_path ("photos");
  g_autofree char *sha = sha256_of (good);
  g_autofree char *expected_out = g_strdup_printf (
    "people.csv: 3 row(s), 3 good, 0 with problems (0 problem(s)); SHA-256 %s\ndry run: nothing written\n", sha);
  g_autofree char *expected_err = NULL;

  /* a dry run needs no account: it writes nothing */
  run_import (f, NULL, "--batch", "B1", "--data", good, "--photos", photos, "--mapping", map, "--dry-run", NULL);
  g_assert_cmpstr (f->err, ==, "");
  g_assert_cmpstr (f->out, ==, expected_out);
  g_assert_cmpint (f->status, ==, 0);

  run_import (f, NULL, "--batch", "B1", "--data", bad, "--photos", photos, "--mapping", map, "--dry-run", NULL);
  expected_err = g_strdup_printf (
    "people-bad.csv:3: employee_id: duplicate of line 2\n"
    "people-bad.csv:3: name: “=SUM(A1:A9)” starts with “=”, which a spreadsheet would run as a formula\n"
    "people-bad.csv:3: hired: “2024-02-30” is not a date (type date: ISO 8601 YYYY-MM-DD)\n"
    "people-bad.csv:3: badge: “1O2” is not a number (type number: digits, a leading - and a decimal point allowed)\n"
    "people-bad.csv:3: photo: no file “nobody.png” in the photos directory %s\n"
    "people-bad.csv:4: employee_id: “e1003” does not match the pattern “E[0-9]{4}”\n"
    "people-bad.csv:4: name: required, but empty\n"
    "people-bad.csv:4: badge: duplicate of line 2\n"
    "people-bad.csv:4: photo: photo “notes.png” is not an image\n"
    "people-bad.csv:4: employee_id: “e1003” cannot be the holder in a CHR (chr.holder: 1 to 9 of A-Z and 0-9)\n"
    "people-bad.csv:5: photo: “../grace.png” is not a file name in the photos directory\n"
    "people-bad.csv:6: 3 field(s), the header has 5 column(s)\n",
    photos);
  g_assert_cmpstr (f->err, ==, expected_err);
  g_assert_true (
    g_str_has_prefix (f->out, "people-bad.csv: 5 row(s), 1 good, 4 with problems (12 problem(s)); SHA-256 "));
  g_assert_cmpint (f->status, ==, 1);
  g_assert_cmpint (counts (f).pending, ==, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_files"), ==, 0);
}

static void
test_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *good = import_path ("people.csv");
  g_autofree char *bad = import_path ("people-bad.csv");
  g_autofree char *map = import_path ("people.map");
  g_autofree char *photos = import_path ("photos");
  g_autofree char *wrong_map = g_build_filename (f->dir, "wrong.map", NULL);
  g_autofree char *malformed = g_build_filename (f->dir, "broken.csv", NULL);
  g_autofree char *face = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "faces", "default.face", NULL);
  g_autofree char *expected = NULL;

  /* usage */
  run_import (f, NULL, "--batch", "B1", NULL);
  g_assert_cmpint (f->status, ==, 2);
  g_assert_true (g_str_has_prefix (f->err, "cardline-admin batch import: --batch and --data are required\n"));
  run_import (f, NULL, "--batch", "B1", "--data", good, "--colour", NULL);
  g_assert_cmpint (f->status, ==, 2);
  g_assert_true (g_str_has_prefix (f->err, "cardline-admin batch: Unknown option --colour\n"));

  /* a mapping naming a column the file lacks, an unknown target field, a malformed file, no photos directory */
  g_assert_true (g_file_set_contents (wrong_map, "[data]\nreference=staff_no\n", -1, NULL));
  run_import (f, NULL, "--batch", "B1", "--data", good, "--mapping", wrong_map, "--dry-run", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_cmpstr (f->err, ==,
                   "cardline-admin batch import: people.csv: mapping wrong.map names column “staff_no”, which "
                   "people.csv lacks (its columns: employee_id, name, photo, hired, badge)\n");
  g_assert_true (
    g_file_set_contents (wrong_map, "[data]\nreference=employee_id\nface.nmae=name\nsurname=name\n", -1, NULL));
  run_import (f, NULL, "--batch", "B1", "--data", good, "--mapping", wrong_map, "--dry-run", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_cmpstr (f->err, ==,
                   "cardline-admin batch import: wrong.map:data:surname: unknown target field (expected reference, "
                   "display, face.NAME, face.photo, chr.holder, store-data.TAG or token-label)\n");
  /* what the batch's profile cannot carry out: a face field its template does not print, a token label on cards it
   * ships uninitialised (the customer's sc-hsm-tool writes that) */
  g_assert_true (g_file_set_contents (wrong_map, "[data]\nreference=employee_id\nface.title=name\n", -1, NULL));
  run_import (f, NULL, "--batch", "B1", "--data", good, "--mapping", wrong_map, "--dry-run", NULL);
  g_assert_cmpint (f->status, ==, 1);
  expected = g_strdup_printf ("cardline-admin batch import: wrong.map:data:face.title: the face template %s has no "
                              "field face.title (it prints: label, face.name, serial, batch)\n",
                              face);
  g_assert_cmpstr (f->err, ==, expected);
  g_assert_true (g_file_set_contents (wrong_map, "[data]\nreference=employee_id\ntoken-label=name\n", -1, NULL));
  run_import (f, NULL, "--batch", "B1", "--data", good, "--mapping", wrong_map, "--dry-run", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_cmpstr (f->err, ==,
                   "cardline-admin batch import: wrong.map:data:token-label: profile smartcard-hsm ships cards "
                   "uninitialised, and the customer's initialisation (sc-hsm-tool --initialize --label) writes the "
                   "token label: only a profile with ship=initialised takes one\n");
  g_assert_true (g_file_set_contents (malformed, "employee_id,name\nE1001,\"Ada\nE1002,Grace\n", -1, NULL));
  run_import (f, "ada", "--batch", "B1", "--data", malformed, "--mapping", map, NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_cmpstr (f->err, ==,
                   "cardline-admin batch import: broken.csv:2: malformed CSV: the quoted field opened here is never "
                   "closed\n");
  run_import (f, "ada", "--batch", "B1", "--data", good, "--mapping", map, NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_cmpstr (f->err, ==,
                   "cardline-admin batch import: people.csv: mapping people.map feeds face.photo from column “photo”: "
                   "the photos directory is needed\n");
  run_import (f, "ada", "--batch", "B9", "--data", good, "--mapping", map, "--photos", photos, NULL);
  g_assert_cmpint (f->status, ==, 1);

  /* a file with problems: refused whole */
  run_import (f, "ada", "--batch", "B1", "--data", bad, "--photos", photos, "--mapping", map, NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_true (g_str_has_suffix (f->err, "cardline-admin batch import: people-bad.csv: 12 problem(s) in 4 row(s): "
                                           "nothing imported (a supervisor may import only its 1 good row(s))\n"));
  /* not signed in, or not allowed */
  run_import (f, "olga", "--batch", "B1", "--data", good, "--photos", photos, "--mapping", map, NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_cmpstr (f->err, ==, "cardline-admin batch import: User olga (OPERATOR) may not import a data file\n");
  run_import (f, "ada", "--batch", "B1", "--data", bad, "--photos", photos, "--mapping", map, "--good-rows-only", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_true (g_str_has_suffix (
    f->err, "cardline-admin batch import: User ada (ADMIN) may not import only the good rows of a data file\n"));
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_rows"), ==, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_files"), ==, 0);
}

static void
test_import (Fixture *f, gconstpointer data)
{
  g_autofree char *good = import_path ("people.csv");
  g_autofree char *bad = import_path ("people-bad.csv");
  g_autofree char *map = import_path ("people.map");
  g_autofree char *photos = import_path ("photos");
  g_autofree char *good_sha = sha256_of (good);
  g_autofree char *bad_sha = sha256_of (bad);
  g_autofree char *expected = NULL;
  g_autofree char *sql = NULL;
  g_autoptr (GError) error = NULL;
  gint64 audits, attempt;

  /* the supervisor imports the good rows of a file with problems: audited with the count left out */
  run_import (f, "sam", "--batch", "B1", "--data", bad, "--photos", photos, "--mapping", map, "--good-rows-only", NULL);
  g_assert_cmpint (f->status, ==, 0);
  expected = g_strdup_printf ("batch B1: 1 row(s) of people-bad.csv imported (SHA-256 %s), rows with problems left "
                              "out\n4 row(s) left out\n",
                              bad_sha);
  g_assert_true (g_str_has_suffix (f->out, expected));
  g_assert_cmpint (counts (f).pending, ==, 1);
  sql = g_strdup_printf ("SELECT count(*) FROM audit WHERE actor = 'sam' AND action = 'batch-data-import' AND detail = "
                         "'file people-bad.csv sha256 %s rows 1 refused 4 good-only yes'",
                         bad_sha);
  g_assert_cmpint (raw_int (f, sql), ==, 1);

  /* another file replaces it while nothing was produced; the photo travels as bytes with its media type */
  run_import (f, "ada", "--batch", "B1", "--data", good, "--photos", photos, "--mapping", map, NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("batch B1: 3 row(s) of people.csv imported (SHA-256 %s)\n", good_sha);
  g_assert_true (g_str_has_suffix (f->out, expected));
  g_assert_cmpint (counts (f).pending, ==, 3);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_rows WHERE reference = 'E1003' AND display = 'Torvalds, "
                               "Linus' AND photo_type = 'image/png' AND length(photo) = 74"),
                   ==, 1);

  /* the same file again: nothing changes, and it says so */
  audits = raw_int (f, "SELECT count(*) FROM audit");
  run_import (f, "ada", "--batch", "B1", "--data", good, "--photos", photos, "--mapping", map, NULL);
  g_assert_cmpint (f->status, ==, 0);
  g_clear_pointer (&expected, g_free);
  expected
    = g_strdup_printf ("batch B1: people.csv (SHA-256 %s) is already its data file: nothing changed\n", good_sha);
  g_assert_true (g_str_has_suffix (f->out, expected));
  g_assert_cmpint (counts (f).pending, ==, 3);
  /* signing in is audited ("login"); no import record */
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM audit WHERE action = 'batch-data-import'"), ==, 2);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM audit"), >, audits);

  /* once a row went into production, another file is refused with the store's reason */
  attempt = cl_store_attempt_begin (f->store, f->batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 0", 0, &error);
  g_assert_no_error (error);
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("UPDATE batch_rows SET state = 'IN_PRODUCTION', attempt_id = %" G_GINT64_FORMAT
                         ", claimed = 1 WHERE reference = 'E1001'",
                         attempt);
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (f->store_path, &db), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, CL_STORE_BUSY_TIMEOUT_MS);
    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  run_import (f, "sam", "--batch", "B1", "--data", bad, "--photos", photos, "--mapping", map, "--good-rows-only", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_clear_pointer (&expected, g_free);
  expected
    = g_strdup_printf ("cardline-admin batch import: Batch B1 already has 1 rows produced from people.csv (SHA-256 "
                       "%s): another data file (people-bad.csv) is refused\n",
                       good_sha);
  g_assert_true (g_str_has_suffix (f->err, expected));
  g_assert_cmpint (counts (f).pending, ==, 2);
  g_assert_cmpint (counts (f).in_production, ==, 1);
  /* and the same file still says nothing changed */
  run_import (f, "ada", "--batch", "B1", "--data", good, "--photos", photos, "--mapping", map, NULL);
  g_assert_cmpint (f->status, ==, 0);
}

/* Without --mapping, the [data] groups of the batch's profile, found by its name as the station finds it. */
static void
test_profile_mapping (Fixture *f, gconstpointer data)
{
  g_autofree char *good = import_path ("people.csv");
  g_autofree char *map = import_path ("people.map");
  g_autofree char *photos = import_path ("photos");
  g_autofree char *reference
    = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "profiles", "smartcard-hsm.profile", NULL);
  g_autofree char *data_dir = g_build_filename (f->dir, "data", NULL);
  g_autofree char *profiles = g_build_filename (data_dir, "profiles", NULL);
  g_autofree char *profile = g_build_filename (profiles, "smartcard-hsm.profile", NULL);
  g_autofree char *faces = g_build_filename (data_dir, "faces", NULL);
  g_autofree char *face = g_build_filename (faces, "default.face", NULL);
  g_autofree char *reference_face
    = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "faces", "default.face", NULL);
  g_autofree char *profile_text = NULL, *mapping_text = NULL, *both = NULL, *face_text = NULL, *expected = NULL;

  /* the installed reference profile has no mapping: said so */
  g_setenv ("CARDLINE_DATA_DIR", data_dir, TRUE);
  g_assert_cmpint (g_mkdir_with_parents (profiles, 0700), ==, 0);
  g_assert_true (g_file_get_contents (reference, &profile_text, NULL, NULL));
  g_assert_true (g_file_set_contents (profile, profile_text, -1, NULL));
  run_import (f, NULL, "--batch", "B1", "--data", good, "--photos", photos, "--dry-run", NULL);
  g_assert_cmpint (f->status, ==, 1);
  g_assert_cmpstr (f->err, ==,
                   "cardline-admin batch import: profile smartcard-hsm has no [data] mapping for a data file: give a "
                   "mapping file\n");
  /* the same profile with the mapping's groups: its face template must be there to say what it prints */
  g_assert_true (g_file_get_contents (map, &mapping_text, NULL, NULL));
  both = g_strconcat (profile_text, "\n", mapping_text, NULL);
  g_assert_true (g_file_set_contents (profile, both, -1, NULL));
  run_import (f, "ada", "--batch", "B1", "--data", good, "--photos", photos, NULL);
  g_assert_cmpint (f->status, ==, 1);
  expected = g_strdup_printf ("cardline-admin batch import: face template %s: No such file or directory\n", face);
  g_assert_cmpstr (f->err, ==, expected);
  g_assert_cmpint (g_mkdir_with_parents (faces, 0700), ==, 0);
  g_assert_true (g_file_get_contents (reference_face, &face_text, NULL, NULL));
  g_assert_true (g_file_set_contents (face, face_text, -1, NULL));
  run_import (f, "ada", "--batch", "B1", "--data", good, "--photos", photos, NULL);
  g_unsetenv ("CARDLINE_DATA_DIR");
  g_assert_cmpstr (f->err, ==, "");
  g_assert_cmpint (f->status, ==, 0);
  g_assert_cmpint (counts (f).pending, ==, 3);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_files WHERE mapping LIKE '%[data column badge]%'"), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/admin/batch-import/dry-run", Fixture, NULL, fixture_setup, test_dry_run, fixture_teardown);
  g_test_add ("/admin/batch-import/refused", Fixture, NULL, fixture_setup, test_refused, fixture_teardown);
  g_test_add ("/admin/batch-import/import", Fixture, NULL, fixture_setup, test_import, fixture_teardown);
  g_test_add ("/admin/batch-import/profile-mapping", Fixture, NULL, fixture_setup, test_profile_mapping,
              fixture_teardown);
  return g_test_run ();
}
