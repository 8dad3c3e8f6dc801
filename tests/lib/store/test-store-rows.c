/* Unit tests of lib/store/cl-store-rows: importing a batch's data file, and the constraints that keep a row produced
 * exactly once whoever writes to the store. */
#include <string.h>

#include "core/cl-error.h"
#include "store/cl-store-manifest.h"
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
  add_row (f, "E-2", "Alan Turing", "face.name", "Alan Turing", "store-data.5f21", "2", NULL);
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

/* Whether msg is a refusal by a constraint of kind ("unique", "check"): SQLite says "UNIQUE constraint failed",
 * PostgreSQL "violates unique constraint". */
static gboolean
refused_by (const char *msg, const char *kind)
{
  g_autofree char *lower = g_ascii_strdown (msg ? msg : "", -1);

  return strstr (lower, kind) != NULL;
}

/* The error the database gives for sql run on a connection of its own, NULL if it ran. */
static char *
raw_sql_error (Fixture *f, const char *sql)
{
  char *msg = NULL;

  store_fixture_raw_exec (&f->base, sql, &msg);
  return msg;
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
  {
    /* each backend's own JSON reading, so the stored text is checked as JSON on both */
    gboolean pg = store_fixture_is_postgresql ();
    g_autofree char *e1 = g_strdup_printf (
      "SELECT count(*) FROM batch_rows WHERE reference = 'E-1' AND %s = 'ADA01' AND %s = 'Ada' AND line = 2",
      pg ? "CAST(fields AS json)->>'chr.holder'" : "json_extract(fields, '$.\"chr.holder\"')",
      pg ? "CAST(fields AS json)->>'token-label'" : "json_extract(fields, '$.\"token-label\"')");
    g_autofree char *e3
      = g_strdup_printf ("SELECT count(*) FROM batch_rows WHERE reference = 'E-3' AND %s = '=cmd|'' /C calc''!A0'",
                         pg ? "CAST(fields AS json)->>'face.name'" : "json_extract(fields, '$.\"face.name\"')");

    g_assert_cmpint (raw_int (f, e1), ==, 1);
    g_assert_cmpint (raw_int (f, e3), ==, 1);
  }
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
  g_hash_table_insert (g_ptr_array_index (f->tables, 1), g_strdup ("chr.holder"), g_strdup ("toolong123"));
  assert_refused (f, &file, "people.csv:3: chr.holder “toolong123” must be 1 to 9 of A-Z 0-9");
  g_hash_table_remove (g_ptr_array_index (f->tables, 1), "chr.holder");
  g_hash_table_insert (g_ptr_array_index (f->tables, 1), g_strdup ("store-data.5g20"), g_strdup ("x"));
  assert_refused (f, &file, "people.csv:3: store-data.5g20: STORE DATA needs a 1- or 2-byte hex tag");
  g_hash_table_remove (g_ptr_array_index (f->tables, 1), "store-data.5g20");
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
  g_assert_true (refused_by (msg, "unique"));
  g_clear_pointer (&msg, g_free);
  msg = raw_sql_error (f, "UPDATE batch_rows SET state = 'IN_PRODUCTION', attempt_id = 1, claimed = 1 "
                          "WHERE reference = 'E-2'");
  g_assert_true (refused_by (msg, "unique"));
  g_clear_pointer (&msg, g_free);
  msg = raw_sql_error (f, "UPDATE batch_rows SET chip_id = 'C2' WHERE reference = 'E-1'");
  g_assert_nonnull (strstr (msg, "stays bound"));
  g_clear_pointer (&msg, g_free);
  msg = raw_sql_error (f, "DELETE FROM batch_rows WHERE reference = 'E-1'");
  g_assert_nonnull (strstr (msg, "never deleted"));
  g_clear_pointer (&msg, g_free);
  /* a pending row has no attempt; a done row has its chip */
  msg = raw_sql_error (f, "UPDATE batch_rows SET attempt_id = 2 WHERE reference = 'E-2'");
  g_assert_true (refused_by (msg, "check"));
  g_clear_pointer (&msg, g_free);
  msg = raw_sql_error (f, "UPDATE batch_rows SET state = 'DONE', attempt_id = 2, claimed = 1, finished = 2 "
                          "WHERE reference = 'E-2'");
  g_assert_true (refused_by (msg, "check"));
  assert_counts (f, 2, 0, 1, 0);
}

/* ---- rows through production ---- */

static void
import_rows (Fixture *f, guint n)
{
  g_autoptr (GError) error = NULL;
  ClDataFileImport file;

  for (guint i = 1; i <= n; i++)
    {
      g_autofree char *reference = g_strdup_printf ("R-%02u", i);
      g_autofree char *name = g_strdup_printf ("Person %u", i);

      add_row (f, reference, name, "face.name", name, NULL);
    }
  file = file_of (f, "people.csv", HASH_A);
  g_assert_cmpint (cl_store_rows_import (f->base.store, f->batch, &file, NULL, &error), >, 0);
  g_assert_no_error (error);
}

static char *
chip_of (guint n)
{
  return g_strdup_printf ("4790%016X", n);
}

/* An attempt of the batch (batch_id 0: QA's) on chip n. */
static gint64
attempt_on (ClStore *store, gint64 batch_id, ClAttemptKind kind, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *chip = chip_of (n);
  gint64 id = cl_store_attempt_begin (store, batch_id, kind, "line-1", "Reader 0", 0, &error);

  g_assert_no_error (error);
  g_assert_true (cl_store_attempt_identify (store, id, chip, 0, NULL, &error));
  g_assert_no_error (error);
  return id;
}

static ClBatchRow *
claim (ClStore *store, gint64 batch_id, gint64 attempt, guint n)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *chip = chip_of (n);
  ClBatchRow *row = NULL;

  g_assert_true (cl_store_rows_claim (store, batch_id, attempt, chip, &row, &error));
  g_assert_no_error (error);
  g_assert_nonnull (row);
  g_assert_cmpint (row->state, ==, CL_ROW_IN_PRODUCTION);
  g_assert_cmpint (row->attempt_id, ==, attempt);
  g_assert_cmpstr (row->chip_id, ==, chip);
  return row;
}

static void
end_attempt (ClStore *store, gint64 attempt, gboolean good, ClRejectReason reason, ClDisposition disposition,
             gboolean fails)
{
  g_autoptr (GError) error = NULL;
  ClAttemptEnd end
    = { good ? CL_ATTEMPT_GOOD : CL_ATTEMPT_REJECTED, reason, CL_STEP_LOAD_APPLET, -1, disposition, 0, fails };

  g_assert_true (cl_store_attempt_end (store, attempt, &end, &error));
  g_assert_no_error (error);
}

/* Rows go in file order, each to one attempt; a good card binds its row; claiming again in the same attempt gives
 * the same row; with nothing pending the batch says so; a batch without data has nothing to claim. */
static void
test_claim_once (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClBatchRow) first = NULL, second = NULL, again = NULL, none = NULL;
  g_autofree char *chip3 = chip_of (3);
  gint64 a1, a2, a3, other;

  import_rows (f, 2);
  a1 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 1);
  a2 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 2);
  first = claim (f->base.store, f->batch, a1, 1);
  second = claim (f->base.store, f->batch, a2, 2);
  g_assert_cmpstr (first->reference, ==, "R-01");
  g_assert_cmpstr (cl_batch_row_get (first, "face.name"), ==, "Person 1");
  g_assert_cmpstr (second->reference, ==, "R-02");
  again = claim (f->base.store, f->batch, a1, 1);
  g_assert_cmpint (again->id, ==, first->id);
  assert_counts (f, 0, 2, 0, 0);
  a3 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 3);
  g_assert_false (cl_store_rows_claim (f->base.store, f->batch, a3, chip3, &none, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_assert_null (none);
  g_clear_error (&error);
  end_attempt (f->base.store, a1, TRUE, 0, CL_DISPOSITION_OUTPUT, FALSE);
  assert_counts (f, 0, 1, 1, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_rows WHERE state = 'DONE' AND reference = 'R-01' AND "
                               "chip_id = '47900000000000000001' AND finished IS NOT NULL"),
                   ==, 1);
  /* a batch without data: nothing to claim, and no error */
  other = cl_store_batch_create (f->base.store, "B-plain", "reference", PROFILE, 5, "supervisor", &error);
  g_assert_true (cl_store_rows_claim (f->base.store, other, a3, chip3, &none, &error));
  g_assert_no_error (error);
  g_assert_null (none);
}

/* A good chip's row is never claimed again, by this batch or another. */
static void
test_bound_once (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClBatchRow) row = NULL, none = NULL;
  g_autofree char *chip1 = chip_of (1);
  gint64 a1, a2;

  import_rows (f, 3);
  a1 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 1);
  row = claim (f->base.store, f->batch, a1, 1);
  end_attempt (f->base.store, a1, TRUE, 0, CL_DISPOSITION_OUTPUT, FALSE);
  a2 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 1);
  g_assert_false (cl_store_rows_claim (f->base.store, f->batch, a2, chip1, &none, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_CLAIMED);
  g_assert_nonnull (strstr (error->message, "is bound to row R-01"));
  end_attempt (f->base.store, a2, FALSE, CL_REJECT_DUPLICATE_CHIP, CL_DISPOSITION_REJECT_BIN, FALSE);
  assert_counts (f, 2, 0, 1, 0);
}

/* A rejected blank card gives its row back for the next card, or fails it when the profile says so. */
static void
test_release_on_reject (Fixture *f, gconstpointer data)
{
  g_autoptr (ClBatchRow) r1 = NULL, r2 = NULL, r3 = NULL;
  gint64 a1, a2, a3;

  import_rows (f, 3);
  a1 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 1);
  r1 = claim (f->base.store, f->batch, a1, 1);
  end_attempt (f->base.store, a1, FALSE, CL_REJECT_LOAD_FAILED, CL_DISPOSITION_REJECT_BIN, FALSE);
  assert_counts (f, 3, 0, 0, 0);
  a2 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 2);
  r2 = claim (f->base.store, f->batch, a2, 2);
  g_assert_cmpint (r2->id, ==, r1->id);
  end_attempt (f->base.store, a2, FALSE, CL_REJECT_LOAD_FAILED, CL_DISPOSITION_REJECT_BIN, TRUE);
  assert_counts (f, 2, 0, 0, 1);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_rows WHERE reference = 'R-01' AND state = 'FAILED' AND "
                               "failure = 'LOAD_FAILED at LOAD_APPLET'"),
                   ==, 1);
  a3 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 3);
  r3 = claim (f->base.store, f->batch, a3, 3);
  g_assert_cmpstr (r3->reference, ==, "R-02");
}

static void
reject_with_limit (ClStore *store, gint64 attempt, guint max_attempts)
{
  g_autoptr (GError) error = NULL;
  ClAttemptEnd end
    = { CL_ATTEMPT_REJECTED, CL_REJECT_KEYGEN_FAILED, CL_STEP_INIT_APPLET, -1, CL_DISPOSITION_REJECT_BIN, 0, FALSE,
        max_attempts };

  g_assert_true (cl_store_attempt_end (store, attempt, &end, &error));
  g_assert_no_error (error);
}

/* A card of the batch claims the next row, expected, and is rejected blank under max-attempts (0: no limit). */
static void
reject_next (Fixture *f, guint *chip, const char *expected, guint max_attempts)
{
  gint64 a = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, ++*chip);
  g_autoptr (ClBatchRow) row = claim (f->base.store, f->batch, a, *chip);

  g_assert_cmpstr (row->reference, ==, expected);
  reject_with_limit (f->base.store, a, max_attempts);
}

/* [data] max-attempts: a row goes back to PENDING until its max-attempts-th card was rejected, then FAILED with the
 * reason and the count; a torn card (it keeps its row) counts for nothing; without a limit a row cycles as before.
 * A file replacing the rows takes their counts with them. */
static void
test_max_attempts (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClBatchRow) torn = NULL;
  ClAttemptEnd end
    = { CL_ATTEMPT_REJECTED, CL_REJECT_CARD_REMOVED, CL_STEP_INIT_APPLET, -1, CL_DISPOSITION_RETAINED, 0, FALSE, 3 };
  ClDataFileImport file;
  guint chip = 0;
  gint64 a;

  import_rows (f, 2);
  reject_next (f, &chip, "R-01", 3);
  /* a file replacing rows that only went back to PENDING: their counts go with them */
  file = file_of (f, "people-v2.csv", HASH_B);
  g_assert_cmpint (cl_store_rows_import (f->base.store, f->batch, &file, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_row_rejections"), ==, 0);
  for (guint i = 0; i < 2; i++)
    {
      reject_next (f, &chip, "R-01", 3);
      assert_counts (f, 2, 0, 0, 0);
    }
  a = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, ++chip);
  torn = claim (f->base.store, f->batch, a, chip);
  g_assert_true (cl_store_attempt_end (f->base.store, a, &end, &error));
  g_assert_no_error (error);
  assert_counts (f, 1, 1, 0, 0);
  /* QA scraps it: the row goes back, its count as it was */
  g_assert_cmpint (cl_store_qa_record (f->base.store, torn->chip_id, CL_QA_SCRAP, 0, "qa", "cracked", &error), >, 0);
  g_assert_no_error (error);
  assert_counts (f, 2, 0, 0, 0);
  reject_next (f, &chip, "R-01", 3);
  assert_counts (f, 1, 0, 0, 1);
  g_assert_cmpint (raw_int (f, "SELECT count(*) FROM batch_rows WHERE reference = 'R-01' AND state = 'FAILED' AND "
                               "failure = 'KEYGEN_FAILED at INIT_APPLET (its cards rejected 3 times: max-attempts 3)' "
                               "AND attempt_id IS NOT NULL AND finished IS NOT NULL"),
                   ==, 1);
  /* no limit: R-02 goes back however often */
  for (guint i = 0; i < 5; i++)
    reject_next (f, &chip, "R-02", 0);
  assert_counts (f, 1, 0, 0, 1);
  g_assert_cmpint (raw_int (f, "SELECT rejections FROM batch_row_rejections JOIN batch_rows ON id = row_id WHERE "
                               "reference = 'R-02'"),
                   ==, 5);
}

/* A torn card keeps its row: fed again it goes on with it; left with QA and resumed there it still has it; a
 * card that carries the row's certificate keeps it too. QA scrapping a chip gives its row back. */
static void
test_keep_on_tear (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClBatchRow) torn = NULL, refed = NULL, qa = NULL, r2 = NULL, r3 = NULL;
  g_autoptr (GBytes) cvc = g_bytes_new_static ("cvc", 3);
  g_autofree char *chip2 = chip_of (2), *chip3 = chip_of (3);
  gint64 a1, a2, a3, a4, a5;

  import_rows (f, 4);
  a1 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 1);
  torn = claim (f->base.store, f->batch, a1, 1);
  end_attempt (f->base.store, a1, FALSE, CL_REJECT_CARD_REMOVED, CL_DISPOSITION_REJECT_BIN, TRUE);
  assert_counts (f, 3, 1, 0, 0);
  /* fed again on the line */
  a2 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 1);
  refed = claim (f->base.store, f->batch, a2, 1);
  g_assert_cmpint (refed->id, ==, torn->id);
  /* torn again, then resumed by QA on its bench (no batch) */
  end_attempt (f->base.store, a2, FALSE, CL_REJECT_CARD_REMOVED, CL_DISPOSITION_REJECT_BIN, FALSE);
  a3 = attempt_on (f->base.store, 0, CL_ATTEMPT_QA_RETEST, 1);
  qa = claim (f->base.store, 0, a3, 1);
  g_assert_cmpint (qa->id, ==, torn->id);
  end_attempt (f->base.store, a3, TRUE, 0, CL_DISPOSITION_RETAINED, FALSE);
  assert_counts (f, 3, 0, 1, 0);
  /* a chip that carries its row's certificate keeps the row when rejected afterwards */
  a4 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 2);
  r2 = claim (f->base.store, f->batch, a4, 2);
  g_assert_cmpint (cl_store_certificate_add (f->base.store, chip2, HASH_B, "DE4790000200001", cvc, a4, &error), >, 0);
  end_attempt (f->base.store, a4, FALSE, CL_REJECT_VERIFY_FAILED, CL_DISPOSITION_REJECT_BIN, FALSE);
  assert_counts (f, 2, 1, 1, 0);
  /* QA scraps it: the row goes back for another card */
  g_assert_cmpint (cl_store_qa_record (f->base.store, chip2, CL_QA_SCRAP, 0, "qa", "cracked", &error), >, 0);
  g_assert_no_error (error);
  assert_counts (f, 3, 0, 1, 0);
  a5 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 3);
  r3 = claim (f->base.store, f->batch, a5, 3);
  g_assert_cmpint (r3->id, ==, r2->id);
  g_assert_cmpstr (r3->chip_id, ==, chip3);
}

typedef struct
{
  char *path;
  gint64 batch;
  guint first_chip;
  GArray *rows; /* gint64 row ids claimed */
} Racer;

static gpointer
race (gpointer data)
{
  Racer *r = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = cl_store_open (r->path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < 10; i++)
    {
      gint64 attempt = attempt_on (store, r->batch, CL_ATTEMPT_PRODUCTION, r->first_chip + i);
      g_autoptr (ClBatchRow) row = claim (store, r->batch, attempt, r->first_chip + i);

      g_array_append_val (r->rows, row->id);
    }
  return NULL;
}

/* Two stations (two connections) taking rows at once: each of 20 rows goes to exactly one attempt. */
static void
test_claim_race (Fixture *f, gconstpointer data)
{
  Racer racers[2] = { { f->base.path, f->batch, 1, g_array_new (FALSE, FALSE, sizeof (gint64)) },
                      { f->base.path, f->batch, 101, g_array_new (FALSE, FALSE, sizeof (gint64)) } };
  GThread *threads[2];
  g_autoptr (GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);

  import_rows (f, 20);
  for (guint i = 0; i < 2; i++)
    threads[i] = g_thread_new ("racer", race, &racers[i]);
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      for (guint k = 0; k < racers[i].rows->len; k++)
        g_assert_true (g_hash_table_add (seen, &g_array_index (racers[i].rows, gint64, k)));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 20);
  assert_counts (f, 0, 20, 0, 0);
  g_assert_cmpint (raw_int (f, "SELECT count(DISTINCT attempt_id) FROM batch_rows"), ==, 20);
  for (guint i = 0; i < 2; i++)
    g_array_unref (racers[i].rows);
}

static const ClManifestRecord *
record_of (const ClManifest *m, ClManifestKind kind, const char *chip)
{
  for (guint i = 0; i < m->records->len; i++)
    {
      const ClManifestRecord *r = m->records->pdata[i];

      if (r->kind == kind && g_strcmp0 (r->chip_id, chip) == 0)
        return r;
    }
  return NULL;
}

/* The manifest: a record per row (done ones with their chip, serial, CHR and certificate hash), the rejected cards
 * with reasons; its counts agree with the yield summary; formulas stay text in the CSV. */
static void
test_manifest (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClBatchRow) r1 = NULL, r2 = NULL, r3 = NULL;
  g_autoptr (GBytes) cvc = g_bytes_new_static ("cvc-bytes", 9);
  g_autoptr (ClManifest) m = NULL;
  g_autoptr (ClYieldSummary) summary = NULL;
  g_autofree char *chip1 = chip_of (1), *chip2 = chip_of (2), *csv = NULL, *json = NULL;
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)"cvc-bytes", 9);
  const ClManifestRecord *row1, *rejected;
  gint64 a1, a2, a3;

  add_row (f, "=HYPERLINK(\"x\")", "Formula", NULL);
  import_rows (f, 2);
  a1 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 1);
  r1 = claim (f->base.store, f->batch, a1, 1);
  g_assert_cmpint (cl_store_certificate_add (f->base.store, chip1, HASH_B, "DEADA0000100001", cvc, a1, &error), >, 0);
  g_assert_true (cl_store_card_set_printed_serial (f->base.store, chip1, "DEADA00001", &error));
  end_attempt (f->base.store, a1, TRUE, 0, CL_DISPOSITION_OUTPUT, FALSE);
  a2 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 2);
  r2 = claim (f->base.store, f->batch, a2, 2);
  end_attempt (f->base.store, a2, FALSE, CL_REJECT_LOAD_FAILED, CL_DISPOSITION_REJECT_BIN, FALSE);
  a3 = attempt_on (f->base.store, f->batch, CL_ATTEMPT_PRODUCTION, 3);
  r3 = claim (f->base.store, f->batch, a3, 3);
  end_attempt (f->base.store, a3, FALSE, CL_REJECT_VERIFY_FAILED, CL_DISPOSITION_REJECT_BIN, TRUE);

  m = cl_store_manifest (f->base.store, "B-rows", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->records->len, ==, 5);
  g_assert_cmpint (m->rows.done, ==, 1);
  g_assert_cmpint (m->rows.pending, ==, 1);
  g_assert_cmpint (m->rows.failed, ==, 1);
  row1 = record_of (m, CL_MANIFEST_ROW, chip1);
  g_assert_nonnull (row1);
  g_assert_cmpstr (row1->row_reference, ==, "=HYPERLINK(\"x\")");
  g_assert_cmpstr (row1->disposition, ==, "GOOD");
  g_assert_cmpstr (row1->printed_serial, ==, "DEADA00001");
  g_assert_cmpstr (row1->device_chr, ==, "DEADA0000100001");
  g_assert_cmpstr (row1->certificate_sha256, ==, sha);
  g_assert_cmpstr (row1->station, ==, "line-1");
  rejected = record_of (m, CL_MANIFEST_REJECTED, chip2);
  g_assert_nonnull (rejected);
  g_assert_cmpstr (rejected->reason, ==, "LOAD_FAILED at LOAD_APPLET");
  summary = cl_store_yield_summary (f->base.store, f->batch, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m->good + m->recovered, ==, summary->good + summary->recovered);
  g_assert_cmpuint (m->rejected, ==, summary->rejected);

  csv = cl_manifest_to_csv (m);
  g_assert_true (g_str_has_prefix (csv, "record,row_reference,row_line,chip_id,"));
  g_assert_nonnull (strstr (csv, "row,\"'=HYPERLINK(\"\"x\"\")\",2,47900000000000000001,DEADA00001,"));
  g_assert_nonnull (strstr (csv, "rejected,,,47900000000000000002,"));
  json = cl_manifest_to_json (m);
  g_assert_nonnull (strstr (json, "\"rows\":{\"pending\":1,\"in_production\":0,\"done\":1,\"failed\":1}"));
  g_assert_nonnull (strstr (json, "\"row_reference\":\"=HYPERLINK(\\\"x\\\")\""));
  g_assert_null (cl_store_manifest (f->base.store, "B-none", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
}

/* Neutralised cells: each formula lead, a tab and a CR; quotes doubled; plain text untouched. */
static void
test_csv_cells (void)
{
  const char *const cases[][2] = {
    { "=1+2", "\"'=1+2\"" }, { "+1", "\"'+1\"" },   { "-1", "\"'-1\"" },  { "@SUM(A1)", "\"'@SUM(A1)\"" },
    { "\tx", "\"'\tx\"" },   { "\rx", "\"'\rx\"" }, { "a,b", "\"a,b\"" }, { "say \"hi\"", "\"say \"\"hi\"\"\"" },
    { "plain", "plain" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GString) out = g_string_new (NULL);

      cl_manifest_append_csv_cell (out, cases[i][0]);
      g_assert_cmpstr (out->str, ==, cases[i][1]);
    }
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
  ADD ("claim-once", test_claim_once);
  ADD ("bound-once", test_bound_once);
  ADD ("release-on-reject", test_release_on_reject);
  ADD ("max-attempts", test_max_attempts);
  ADD ("keep-on-tear", test_keep_on_tear);
  ADD ("claim-race", test_claim_race);
  ADD ("manifest", test_manifest);
  g_test_add_func ("/store/rows/csv-cells", test_csv_cells);
  return g_test_run ();
}
