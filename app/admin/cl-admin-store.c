/* cardline-admin store verify: the checks to run on a station's store after a crash, a power cut or a copy:
 * SQLite's integrity and foreign-key checks, then the audit trail's hash chain from its first record to its head.
 * Exit status 0 only when both pass; the first complaint is printed. Read-only apart from what opening the store
 * does (a store of an older schema is migrated, as the station itself would). */
#include <stdio.h>

#include "cl-admin-commands.h"
#include "store/cl-store-location.h"
#include "store/cl-store.h"

static int
verify (const char *store_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autofree char *head = NULL;
  guint64 n_records = 0;

  if (!g_file_test (store_path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("cardline-admin store verify: no store at %s\n", store_path);
      return 1;
    }
  store = cl_store_open (store_path, &error);
  if (store == NULL)
    goto fail;
  if (!cl_store_integrity_check (store, &error))
    goto fail;
  printf ("integrity: ok (schema version %u)\n", cl_store_get_schema_version (store));
  if (!cl_store_verify_audit_chain (store, &n_records, &error))
    goto fail;
  head = cl_store_audit_head (store, &error);
  if (head == NULL)
    goto fail;
  printf ("audit chain: ok, %" G_GUINT64_FORMAT " records, head %s\n", n_records, head);
  return 0;

fail:
  g_printerr ("cardline-admin store verify: %s: %s\n", store_path, error->message);
  return 1;
}

static int
run (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      "store file (default: the station's store, as cardline picks it)", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("verify — check a store's integrity and audit chain");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-admin store: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || !g_str_equal (argv[1], "verify"))
    {
      g_printerr ("cardline-admin store: usage: cardline-admin store verify [--store FILE]\n");
      return 2;
    }
  {
    g_autofree char *option = g_steal_pointer (&store_path);

    store_path = cl_store_location_full (option, NULL);
  }
  return verify (store_path);
}

const ClAdminCommand cl_admin_command_store = {
  .name = "store",
  .summary = "Store maintenance: `store verify` checks integrity and the audit chain",
  .run = run,
};
