/* cardline-admin store: checking a station's store, and its signed audit checkpoints (cl-store-records.h,
 * keys/cl-audit-checkpoint.h).
 *
 *   store verify [--checkpoint FILE] [--key-fingerprint HEX] [--require-signed]
 *       Strictly read-only (SQLITE_OPEN_READONLY; never creates or migrates). Runs every check and prints one line
 *       per check, "ok" or what is wrong (which table, row, record, trigger): file modes, SQLite integrity and
 *       foreign keys, the schema and its append-only triggers against this build's, the audit hash chain, the
 *       sealed rows (dispositions, certificates, roles) against their seals, the signed checkpoints (signature,
 *       key, head) and, given an exported checkpoint, that the chain still reaches it. Exit 0 only if all pass.
 *       A store with no checkpoint yet passes with a line saying so, unless --require-signed.
 *   store checkpoint sign          signs the chain's head with the audit key in the token (CARDLINE_P11_*)
 *   store checkpoint export [--out FILE]   the latest signed checkpoint, to keep off the station
 *   store checkpoint key-create    makes the audit signing key (EC P-256) in the token */
#include <stdio.h>

#include "cl-admin-commands.h"
#include "cl-admin-token.h"
#include "core/cl-error.h"
#include "keys/cl-audit-checkpoint.h"
#include "store/cl-store-location.h"
#include "store/cl-store-records.h"
#include "store/cl-store.h"

#define PREFIX "cardline-admin store"

typedef struct
{
  guint failed;
} Checks;

/* Prints the check's line; a failure goes to stderr too, so that scripts see it. */
static void
report (Checks *checks, const char *name, gboolean ok, GError *error, const char *detail)
{
  if (ok)
    {
      printf ("%s: ok%s%s\n", name, detail ? ", " : "", detail ? detail : "");
      return;
    }
  checks->failed++;
  printf ("%s: FAILED: %s\n", name, error->message);
  g_printerr ("%s verify: %s: %s\n", PREFIX, name, error->message);
}

static ClAuditCheckpoint *
read_exported (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  return cl_audit_checkpoint_from_text (text, len, error);
}

static void
check_checkpoints (Checks *checks, ClStore *store, const char *exported_path, const char *fingerprint,
                   gboolean require_signed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClAuditCheckpoint) exported = NULL;
  g_auto (ClAuditCheckpointReport) result = { 0 };
  g_autofree char *have = NULL;
  g_autofree char *detail = NULL;

  if (exported_path != NULL && (exported = read_exported (exported_path, &error)) == NULL)
    return report (checks, "checkpoints", FALSE, error, NULL);
  if (!cl_audit_checkpoints_verify (store, NULL, exported, &result, &error))
    return report (checks, "checkpoints", FALSE, error, NULL);
  if (result.public_key != NULL)
    have = cl_audit_key_fingerprint (result.public_key);
  if (fingerprint != NULL && g_ascii_strcasecmp (fingerprint, have ? have : "") != 0)
    {
      g_set_error (&error, CL_ERROR, CL_ERROR_SECURITY,
                   "the checkpoints are signed by key %s, not by the trusted key %s", have ? have : "(none)",
                   fingerprint);
      return report (checks, "checkpoints", FALSE, error, NULL);
    }
  if (result.last_seq == 0 && !require_signed)
    {
      detail = g_strdup_printf ("none signed yet: the %" G_GINT64_FORMAT
                                " audit records are covered by the hash chain only (sign one: cardline-admin store "
                                "checkpoint sign; --require-signed makes this a failure)",
                                result.chain_seq);
      return report (checks, "checkpoints", TRUE, NULL, detail);
    }
  if (result.last_seq == 0)
    {
      g_set_error (&error, CL_ERROR, CL_ERROR_SECURITY,
                   "no signed checkpoint: the %" G_GINT64_FORMAT
                   " audit records are covered by the hash chain only, which anyone who can write the store can "
                   "recompute (sign one: cardline-admin store checkpoint sign)",
                   result.chain_seq);
      return report (checks, "checkpoints", FALSE, error, NULL);
    }
  detail = g_strdup_printf ("%u signed, the last at record %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                            " (%" G_GINT64_FORMAT " later records are hash-chained only); key %s%s",
                            result.n_checkpoints, result.last_seq, result.chain_seq, result.chain_seq - result.last_seq,
                            have, exported ? "; the exported checkpoint is reached" : "");
  report (checks, "checkpoints", TRUE, NULL, detail);
}

static int
verify (const char *store_path, const char *exported_path, const char *fingerprint, gboolean require_signed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autofree char *detail = NULL;
  Checks checks = { 0 };
  guint64 n = 0;
  gboolean ok;

  store = cl_store_open_readonly (store_path, &error);
  if (store == NULL)
    {
      g_printerr ("%s verify: %s\n", PREFIX, error->message);
      return 1;
    }
  ok = cl_store_check_file_modes (store_path, &error);
  report (&checks, "file modes", ok, error,
          !ok                                   ? NULL
          : cl_store_is_postgresql (store_path) ? "kept by the database server"
                                                : "0600");
  g_clear_error (&error);
  detail = g_strdup_printf ("schema version %u", cl_store_get_schema_version (store));
  ok = cl_store_integrity_check (store, &error);
  report (&checks, "integrity", ok, error, detail);
  g_clear_error (&error);
  ok = cl_store_verify_schema (store, &error);
  report (&checks, "schema", ok, error, "tables, indexes and triggers as built");
  g_clear_error (&error);
  ok = cl_store_verify_audit_chain (store, &n, &error);
  g_clear_pointer (&detail, g_free);
  detail = g_strdup_printf ("%" G_GUINT64_FORMAT " records", n);
  report (&checks, "audit chain", ok, error, detail);
  g_clear_error (&error);
  ok = cl_store_verify_records (store, &n, &error);
  g_clear_pointer (&detail, g_free);
  detail = g_strdup_printf ("%" G_GUINT64_FORMAT " rows match their seals", n);
  report (&checks, "sealed rows", ok, error, detail);
  g_clear_error (&error);
  check_checkpoints (&checks, store, exported_path, fingerprint, require_signed);
  return checks.failed == 0 ? 0 : 1;
}

static int
fail (const char *what, GError *error)
{
  g_printerr ("%s checkpoint %s: %s\n", PREFIX, what, error->message);
  g_error_free (error);
  return 1;
}

static int
checkpoint (const char *action, const char *store_path, const char *label, const char *out)
{
  GError *error = NULL;

  if (g_str_equal (action, "key-create") || g_str_equal (action, "sign"))
    {
      g_autoptr (ClP11Token) token = cl_admin_token_open (&error);
      g_autoptr (ClP11EcKey) key = NULL;
      g_autoptr (ClStore) store = NULL;
      g_autoptr (ClAuditCheckpoint) signed_checkpoint = NULL;
      g_autoptr (GBytes) point = NULL;
      g_autofree char *fingerprint = NULL;

      if (token == NULL)
        return fail (action, error);
      if (g_str_equal (action, "key-create"))
        {
          if (!(key = cl_audit_key_create (token, label, &error))
              || !(point = cl_p11_ec_key_get_public_point (key, &error)))
            return fail (action, error);
          fingerprint = cl_audit_key_fingerprint (point);
          printf ("audit key %s made in the token; fingerprint %s (keep it on record)\n", label, fingerprint);
          return 0;
        }
      if (!(key = cl_p11_ec_key_find (token, label, &error)) || !(store = cl_store_open (store_path, &error))
          || !(signed_checkpoint = cl_audit_checkpoint_sign (store, key, &error)))
        return fail (action, error);
      fingerprint = cl_audit_key_fingerprint (signed_checkpoint->public_key);
      printf ("checkpoint at audit record %" G_GINT64_FORMAT " signed with %s (key %s)\n", signed_checkpoint->seq,
              label, fingerprint);
      return 0;
    }
  if (g_str_equal (action, "export"))
    {
      g_autoptr (ClStore) store = cl_store_open_readonly (store_path, &error);
      g_autoptr (GPtrArray) all = NULL;
      g_autofree char *text = NULL;

      if (store == NULL || !(all = cl_store_audit_checkpoints (store, &error)))
        return fail (action, error);
      if (all->len == 0)
        return g_printerr ("%s checkpoint export: no signed checkpoint yet (sign one first)\n", PREFIX), 1;
      text = cl_audit_checkpoint_to_text (g_ptr_array_index (all, all->len - 1));
      if (out == NULL)
        return fputs (text, stdout), 0;
      if (!g_file_set_contents (out, text, -1, &error))
        return fail (action, error);
      return 0;
    }
  g_printerr ("%s checkpoint: unknown action “%s” (sign, export, key-create)\n", PREFIX, action);
  return 2;
}

static int
run (int argc, char **argv)
{
  g_autofree char *store_path = NULL, *exported = NULL, *fingerprint = NULL, *label = NULL, *out = NULL;
  gboolean require_signed = FALSE;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      "store file (default: the station's store, as cardline picks it)", "FILE" },
    { "checkpoint", 0, 0, G_OPTION_ARG_FILENAME, &exported, "verify: an exported checkpoint the chain must reach",
      "FILE" },
    { "key-fingerprint", 0, 0, G_OPTION_ARG_STRING, &fingerprint,
      "verify: the audit key's fingerprint on record (SHA-256 of its public point)", "HEX" },
    { "require-signed", 0, 0, G_OPTION_ARG_NONE, &require_signed, "verify: a store without a signed checkpoint fails",
      NULL },
    { "key", 0, 0, G_OPTION_ARG_STRING, &label, "checkpoint: the audit key's label [" CL_AUDIT_KEY_LABEL "]", "LABEL" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "checkpoint export: write here instead of stdout", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context
    = g_option_context_new ("verify | checkpoint sign|export|key-create — check a store; sign its audit chain");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", PREFIX, error->message);
      return 2;
    }
  {
    g_autofree char *option = g_steal_pointer (&store_path);

    store_path = cl_store_location_full (option, NULL);
  }
  if (label == NULL)
    label = g_strdup (CL_AUDIT_KEY_LABEL);
  if (argc == 2 && g_str_equal (argv[1], "verify"))
    return verify (store_path, exported, fingerprint, require_signed);
  if (argc == 3 && g_str_equal (argv[1], "checkpoint"))
    return checkpoint (argv[2], store_path, label, out);
  g_printerr ("%s: usage: cardline-admin store verify [--store FILE] [--checkpoint FILE] [--key-fingerprint HEX] "
              "[--require-signed]\n"
              "       cardline-admin store checkpoint sign|export|key-create [--store FILE] [--key LABEL] "
              "[--out FILE]\n",
              PREFIX);
  return 2;
}

const ClAdminCommand cl_admin_command_store = {
  .name = "store",
  .summary = "Store maintenance: `store verify` (read-only checks), `store checkpoint` (signed audit checkpoints)",
  .run = run,
};
