/* Records that prove themselves (issue 19): each tampering an auditor tried is found by `cardline-admin store
 * verify`, with a message naming what is wrong; verify never writes. Runs on the rig's SoftHSM2 (the audit key
 * lives there). argv[1] after the GTest options: the cardline-admin executable. */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cl-error.h"
#include "keys/cl-audit-checkpoint.h"
#include "p11-test-token.h"
#include "store/cl-store-private.h"
#include "store/cl-store-records.h"

#define HASH_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define KEYH   "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

static const char *admin_exe;

typedef struct
{
  char *dir;
  char *clean;    /* the store as the station left it, checkpoint signed */
  char *exported; /* that checkpoint, exported */
  gint64 rejected_attempt;
  gint64 last_seq;
} Fixture;

static Fixture fx;

static gint64
attempt (ClStore *store, gint64 batch, const char *chip, gboolean good)
{
  g_autoptr (GError) error = NULL;
  ClAttemptEnd end = { good ? CL_ATTEMPT_GOOD : CL_ATTEMPT_REJECTED,
                       good ? 0 : CL_REJECT_VERIFY_FAILED,
                       good ? 0 : CL_STEP_VERIFY,
                       good ? 0x9000 : 0x6982,
                       good ? CL_DISPOSITION_OUTPUT : CL_DISPOSITION_REJECT_BIN,
                       0 };
  gint64 id = cl_store_attempt_begin (store, batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 0", 0, &error);

  g_assert_no_error (error);
  g_assert_true (cl_store_attempt_identify (store, id, chip, 0, NULL, &error));
  for (ClProductionStep s = CL_STEP_IDENTIFY; s <= CL_STEP_CERTIFY; s++)
    g_assert_true (cl_store_attempt_add_step (store, id, s, 0, 1000, CL_STEP_RESULT_OK, 0x9000, NULL, &error));
  g_assert_true (cl_store_attempt_add_step (
    store, id, CL_STEP_VERIFY, 0, 1000, good ? CL_STEP_RESULT_OK : CL_STEP_RESULT_FAILED, end.last_sw, NULL, &error));
  g_assert_true (cl_store_attempt_end (store, id, &end, &error));
  g_assert_no_error (error);
  return id;
}

/* A station's store after a batch: users, a good and a rejected card, a certificate, a signed checkpoint. */
static void
make_clean_store (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClP11Token) token = p11_test_token_open (TRUE);
  g_autofree char *label = p11_test_unique_name ("audit");
  g_autoptr (ClP11EcKey) key = NULL;
  g_autoptr (ClAuditCheckpoint) checkpoint = NULL;
  g_autoptr (GBytes) cvc = g_bytes_new_static ("\x7f\x21\x01\x00", 4);
  g_autofree char *text = NULL;
  gint64 batch;

  fx.dir = g_dir_make_tmp ("cl-records-XXXXXX", &error);
  g_assert_no_error (error);
  fx.clean = g_build_filename (fx.dir, "clean.db", NULL);
  fx.exported = g_build_filename (fx.dir, "checkpoint.txt", NULL);
  store = cl_store_open (fx.clean, &error);
  g_assert_no_error (error);
  g_assert_true (cl_store_user_add (store, "olga", CL_ROLE_OPERATOR, "admin", &error));
  g_assert_true (cl_store_user_add (store, "sven", CL_ROLE_SUPERVISOR, "admin", &error));
  batch = cl_store_batch_create (store, "B1", "smartcard-hsm", HASH_A, 2, "sven", &error);
  g_assert_no_error (error);
  attempt (store, batch, "0A", TRUE);
  g_assert_cmpint (cl_store_certificate_add (store, "0A", KEYH, "UTCDV00001", cvc, 1, &error), >, 0);
  fx.rejected_attempt = attempt (store, batch, "0B", FALSE);
  g_assert_true (cl_store_batch_set_state (store, batch, CL_BATCH_CLOSED, "sven", &error));
  g_assert_no_error (error);

  key = cl_audit_key_create (token, label, &error);
  g_assert_no_error (error);
  checkpoint = cl_audit_checkpoint_sign (store, key, &error);
  g_assert_no_error (error);
  fx.last_seq = checkpoint->seq;
  g_assert_true (cl_audit_checkpoint_check_signature (checkpoint, &error));
  text = cl_audit_checkpoint_to_text (checkpoint);
  g_assert_true (g_file_set_contents (fx.exported, text, -1, &error));
  g_assert_no_error (error);
}

/* cardline-admin store verify; returns the exit status, stdout in *out. */
static int
run_verify (const char *path, gboolean with_checkpoint, char **out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { admin_exe, "store", "verify", "--store", path, "--checkpoint", fx.exported, NULL };
  int status = 0;

  /* without the exported checkpoint, a store without a signed one must fail */
  if (!with_checkpoint)
    argv[5] = "--require-signed", argv[6] = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("verify %s:\n%s%s", path, *out, err);
  return g_spawn_check_wait_status (status, NULL) ? 0 : 1;
}

static void
assert_found (const char *out, const char *check, const char *message)
{
  g_autofree char *line = g_strdup_printf ("%s: FAILED: ", check);
  const char *at = strstr (out, line);

  g_assert_nonnull (at);
  g_assert_nonnull (strstr (at, message));
}

/* A copy of the clean store with sql run on it (directly, as someone with the file but not the HSM would). */
static char *
tampered (const char *name, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  char *path = g_build_filename (fx.dir, name, NULL);
  gsize len;
  sqlite3 *db = NULL;
  char *msg = NULL;

  g_assert_true (g_file_get_contents (fx.clean, &contents, &len, &error));
  g_assert_true (g_file_set_contents_full (path, contents, (gssize)len, G_FILE_SET_CONTENTS_NONE, 0600, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, sql, NULL, NULL, &msg);
  g_assert_cmpstr (msg, ==, NULL);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  return path;
}

static void
test_clean (void)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (run_verify (fx.clean, TRUE, &out), ==, 0);
  g_assert_nonnull (strstr (out, "schema: ok"));
  g_assert_nonnull (strstr (out, "sealed rows: ok"));
  g_assert_nonnull (strstr (out, "checkpoints: ok, 1 signed"));
  g_assert_nonnull (strstr (out, "the exported checkpoint is reached"));
  g_assert_nonnull (strstr (out, "file modes: ok"));
}

/* The last records cut off (with the checkpoint rows, triggers put back as they were). */
static void
test_truncate (void)
{
  g_autofree char *sql = g_strdup_printf (
    "DROP TRIGGER audit_no_delete; DROP TRIGGER audit_checkpoints_no_delete;"
    "DELETE FROM audit_checkpoints; DELETE FROM audit WHERE seq > %" G_GINT64_FORMAT ";"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit records are "
    "append-only'); END;"
    "CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints BEGIN SELECT "
    "RAISE(ABORT, 'audit_checkpoints records are append-only'); END;",
    fx.last_seq - 2);
  g_autofree char *path = tampered ("truncated.db", sql);
  g_autofree char *out = NULL, *out2 = NULL;
  g_autofree char *cut = g_strdup_printf ("but the audit trail ends at record %" G_GINT64_FORMAT
                                          ": records %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT " were cut off",
                                          fx.last_seq - 2, fx.last_seq - 1, fx.last_seq);

  g_assert_cmpint (run_verify (path, TRUE, &out), ==, 1);
  assert_found (out, "checkpoints", cut);
  /* without the exported checkpoint: the store has no signed checkpoint left, which verify says */
  g_assert_cmpint (run_verify (path, FALSE, &out2), ==, 1);
  assert_found (out2, "checkpoints", "no signed checkpoint");
  g_unlink (path);
}

/* Record 2 (the first user-add) rewritten, and every hash from there recomputed: the chain links again. */
static void
test_rehash (void)
{
  g_autofree char *path = tampered ("rehashed.db", "DROP TRIGGER audit_no_update");
  g_autofree char *out = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint8 prev[32] = { 0 }, hash[32];
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE audit SET detail = 'ADMIN' WHERE seq = 1", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_prepare_v2 (db, "SELECT seq, at, actor, action, subject, detail FROM audit ORDER BY seq", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      cl_store_audit_record_hash (
        prev, sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
        (const char *)sqlite3_column_text (stmt, 2), (const char *)sqlite3_column_text (stmt, 3),
        (const char *)sqlite3_column_text (stmt, 4), (const char *)sqlite3_column_text (stmt, 5), hash);
      {
        g_autofree char *p = NULL, *h = NULL;
        GString *ps = g_string_new (NULL), *hs = g_string_new (NULL);

        for (int i = 0; i < 32; i++)
          g_string_append_printf (ps, "%02X", prev[i]), g_string_append_printf (hs, "%02X", hash[i]);
        p = g_string_free (ps, FALSE);
        h = g_string_free (hs, FALSE);
        g_ptr_array_add (rows, g_strdup_printf ("UPDATE audit SET prev_hash = x'%s', hash = x'%s' WHERE seq = %lld", p,
                                                h, (long long)sqlite3_column_int64 (stmt, 0)));
      }
      memcpy (prev, hash, 32);
    }
  sqlite3_finalize (stmt);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpint (sqlite3_exec (db, g_ptr_array_index (rows, i), NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, "
                                 "'audit records are append-only'); END;",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  g_ptr_array_unref (rows);

  g_assert_cmpint (run_verify (path, FALSE, &out), ==, 1);
  g_assert_nonnull (strstr (out, "audit chain: ok")); /* the re-hash did its job ... */
  g_assert_nonnull (strstr (out, "schema: ok"));
  {
    g_autofree char *msg
      = g_strdup_printf ("audit record %" G_GINT64_FORMAT " has another hash than the one signed", fx.last_seq);
    assert_found (out, "checkpoints", msg); /* ... but not the signature's */
  }
  g_unlink (path);
}

static void
test_drop_trigger (void)
{
  g_autofree char *path = tampered ("trigger.db", "DROP TRIGGER dispositions_no_update");
  g_autofree char *out = NULL;

  g_assert_cmpint (run_verify (path, FALSE, &out), ==, 1);
  assert_found (out, "schema", "trigger dispositions_no_update (on table dispositions) is missing");
  g_unlink (path);
}

/* The role trigger dropped, the row changed, the trigger put back as it was: only the seal sees it. */
static void
test_promote (void)
{
  g_autofree char *path = tampered (
    "promoted.db", "DROP TRIGGER users_role_fixed; UPDATE users SET role = 'ADMIN' WHERE name = 'olga';"
                   "CREATE TRIGGER IF NOT EXISTS users_role_fixed BEFORE UPDATE OF role ON users WHEN new.role IS NOT "
                   "old.role BEGIN SELECT RAISE(ABORT, 'a user''s role never changes: add another account'); END;");
  g_autofree char *out = NULL;

  g_assert_cmpint (run_verify (path, FALSE, &out), ==, 1);
  g_assert_nonnull (strstr (out, "schema: ok"));
  assert_found (out, "sealed rows", "Table users, row olga differs from its seal (audit record");
  assert_found (out, "sealed rows", "the row has role=ADMIN, the seal says role=OPERATOR");
  g_unlink (path);
}

/* The rejected card made GOOD: attempt result, its disposition, and a forged good VERIFY step. */
static void
test_forge_good (void)
{
  g_autofree char *sql = g_strdup_printf (
    "DROP TRIGGER dispositions_no_update;"
    "UPDATE attempts SET result = 'GOOD', reject_reason = NULL, failed_step = NULL, last_sw = 36864 WHERE id = "
    "%1$" G_GINT64_FORMAT ";"
    "UPDATE dispositions SET destination = 'OUTPUT' WHERE attempt_id = %1$" G_GINT64_FORMAT ";"
    "INSERT INTO steps (attempt_id, step, started, duration_us, result, last_sw) VALUES (%1$" G_GINT64_FORMAT
    ", 'VERIFY', 0, 1000, 'OK', 36864);"
    "UPDATE cards SET state = 'GOOD' WHERE chip_id = '0B';"
    "CREATE TRIGGER IF NOT EXISTS dispositions_no_update BEFORE UPDATE ON dispositions BEGIN SELECT RAISE(ABORT, "
    "'dispositions records are append-only'); END;",
    fx.rejected_attempt);
  g_autofree char *path = tampered ("forged.db", sql);
  g_autofree char *out = NULL;
  g_autofree char *msg
    = g_strdup_printf ("Table attempts, row %" G_GINT64_FORMAT " differs from its seal", fx.rejected_attempt);

  g_assert_cmpint (run_verify (path, FALSE, &out), ==, 1);
  assert_found (out, "sealed rows", msg);
  assert_found (out, "sealed rows", "the row has result=GOOD, the seal says result=REJECTED");
  g_unlink (path);
}

/* Only the card's state set to GOOD: no attempt says so. */
static void
test_card_made_good (void)
{
  g_autofree char *path = tampered ("card.db", "UPDATE cards SET state = 'GOOD' WHERE chip_id = '0B'");
  g_autofree char *out = NULL;

  g_assert_cmpint (run_verify (path, FALSE, &out), ==, 1);
  assert_found (out, "sealed rows", "Table cards, row 0B is GOOD, but no GOOD attempt or QA recovery");
  g_unlink (path);
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, len);
}

/* verify of an empty file fails and leaves it as it was; of a missing file, creates nothing. */
static void
test_empty_read_only (void)
{
  g_autofree char *empty = g_build_filename (fx.dir, "empty.db", NULL);
  g_autofree char *missing = g_build_filename (fx.dir, "missing.db", NULL);
  g_autofree char *wal = g_strconcat (empty, "-wal", NULL);
  g_autofree char *before = NULL, *after = NULL, *clean_before = NULL, *clean_after = NULL, *out = NULL;

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  before = file_sha256 (empty);
  g_assert_cmpint (run_verify (empty, FALSE, &out), ==, 1);
  after = file_sha256 (empty);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_verify (missing, FALSE, &out), ==, 1);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  /* nor does verify change a real store */
  g_clear_pointer (&out, g_free);
  clean_before = file_sha256 (fx.clean);
  g_assert_cmpint (run_verify (fx.clean, TRUE, &out), ==, 0);
  clean_after = file_sha256 (fx.clean);
  g_assert_cmpstr (clean_before, ==, clean_after);
  {
    g_autofree char *clean_wal = g_strconcat (fx.clean, "-wal", NULL);
    g_autofree char *clean_shm = g_strconcat (fx.clean, "-shm", NULL);

    g_assert_false (g_file_test (clean_wal, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (clean_shm, G_FILE_TEST_EXISTS));
  }
}

/* Store, WAL and SHM are 0600 whatever the umask; verify reports a store others can read. */
static void
test_modes (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (fx.dir, "modes.db", NULL);
  g_autofree char *loose = NULL, *out = NULL;
  const char *suffixes[] = { "", "-wal", "-shm" };
  mode_t old = umask (0);
  ClStore *store = cl_store_open (path, &error);

  umask (old);
  g_assert_no_error (error);
  g_assert_true (cl_store_user_add (store, "olga", CL_ROLE_OPERATOR, "admin", &error));
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (file, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    }
  g_object_unref (store);

  loose = tampered ("loose.db", "SELECT 1");
  g_assert_cmpint (g_chmod (loose, 0644), ==, 0);
  g_assert_cmpint (run_verify (loose, FALSE, &out), ==, 1);
  assert_found (out, "file modes", "loose.db is mode 0644");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  admin_exe = argv[1];
  make_clean_store ();
  g_test_add_func ("/store-records/clean", test_clean);
  g_test_add_func ("/store-records/truncate", test_truncate);
  g_test_add_func ("/store-records/rewrite-rehash", test_rehash);
  g_test_add_func ("/store-records/drop-trigger", test_drop_trigger);
  g_test_add_func ("/store-records/promote-to-admin", test_promote);
  g_test_add_func ("/store-records/rejected-made-good", test_forge_good);
  g_test_add_func ("/store-records/card-made-good", test_card_made_good);
  g_test_add_func ("/store-records/verify-read-only", test_empty_read_only);
  g_test_add_func ("/store-records/file-modes", test_modes);
  status = g_test_run ();
  {
    g_autoptr (GDir) dir = g_dir_open (fx.dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *file = g_build_filename (fx.dir, name, NULL);
        g_unlink (file);
      }
    g_rmdir (fx.dir);
  }
  return status;
}
