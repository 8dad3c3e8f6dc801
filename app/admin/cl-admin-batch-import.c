/* cardline-admin batch import --batch B --data FILE.csv [--photos DIR] [--mapping FILE] [--dry-run]
 * [--good-rows-only]: a customer's data file as the batch's rows, one per card (issue 17). Every row is checked first
 * (lib/data) and every problem listed as "FILE:LINE: COLUMN: …"; a file with problems is refused whole unless a
 * supervisor imports only its good rows (the store audits how many were left out). --dry-run checks and writes
 * nothing. The mapping is --mapping FILE, else the [data] groups of the batch's profile. Importing the same file
 * again changes nothing; another file for a batch whose rows went into production is refused by the store. */
#include <stdio.h>

#include "cl-admin-batch.h"
#include "core/cl-error.h"
#include "data/cl-data-import.h"
#include "store/cl-store-location.h"

#define COMMAND "batch import"

static void
print_problems (ClDataFile *file)
{
  ClDataProblems *problems = cl_data_file_get_problems (file);
  g_autofree char *text = cl_data_problems_to_text (problems);

  g_printerr ("%s", text);
}

static int
import (ClAdminBatchOptions *o, ClStore *store, gint64 batch_id, ClDataFile *file, ClDataMapping *mapping)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *actor = NULL;
  ClRowsImportOutcome outcome = CL_ROWS_IMPORTED;
  guint roles = o->good_rows_only ? CL_ROLE_BIT (CL_ROLE_SUPERVISOR)
                                  : CL_ROLE_BIT (CL_ROLE_SUPERVISOR) | CL_ROLE_BIT (CL_ROLE_ADMIN);
  guint refused = cl_data_file_count_refused (file);

  actor = cl_admin_sign_in (store, &o->auth, roles, COMMAND,
                            o->good_rows_only ? "import only the good rows of a data file" : "import a data file");
  if (actor == NULL)
    return 1;
  if (cl_data_import (store, batch_id, file, mapping, o->good_rows_only, actor, &outcome, &error) == 0)
    {
      g_printerr ("cardline-admin %s: %s\n", COMMAND, error->message);
      return 1;
    }
  if (outcome == CL_ROWS_ALREADY_IMPORTED)
    printf ("batch %s: %s (SHA-256 %s) is already its data file: nothing changed\n", o->batch,
            cl_data_file_get_name (file), cl_data_file_get_sha256 (file));
  else
    printf ("batch %s: %u row(s) of %s imported (SHA-256 %s)%s\n", o->batch, cl_data_file_get_good_rows (file)->len,
            cl_data_file_get_name (file), cl_data_file_get_sha256 (file),
            refused > 0 ? ", rows with problems left out" : "");
  if (refused > 0)
    printf ("%u row(s) left out\n", refused);
  return 0;
}

int
cl_admin_batch_import (ClAdminBatchOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClDataMapping) mapping = NULL;
  g_autoptr (ClDataFile) file = NULL;
  gint64 batch_id;

  if (o->batch == NULL || o->data == NULL)
    {
      g_printerr ("cardline-admin %s: --batch and --data are required\n", COMMAND);
      return 2;
    }
  if ((store = cl_store_open_existing (o->store_path, &error)) == NULL
      || (batch_id = cl_store_batch_lookup (store, o->batch, &error)) <= 0)
    goto fail;
  mapping = o->mapping != NULL ? cl_data_mapping_new_from_file (o->mapping, &error)
                               : cl_data_mapping_for_batch (store, batch_id, &error);
  if (mapping == NULL || !cl_data_mapping_check_for_batch (store, batch_id, mapping, &error)
      || (file = cl_data_file_read (o->data, mapping, o->photos, &error)) == NULL)
    goto fail;
  print_problems (file);
  printf ("%s: %u row(s), %u good, %u with problems (%u problem(s)); SHA-256 %s\n", cl_data_file_get_name (file),
          cl_data_file_get_row_count (file), cl_data_file_get_good_rows (file)->len, cl_data_file_count_refused (file),
          cl_data_problems_count (cl_data_file_get_problems (file)), cl_data_file_get_sha256 (file));
  if (o->dry_run)
    {
      printf ("dry run: nothing written\n");
      return cl_data_problems_count (cl_data_file_get_problems (file)) == 0 ? 0 : 1;
    }
  return import (o, store, batch_id, file, mapping);

fail:
  g_printerr ("cardline-admin %s: %s\n", COMMAND, error->message);
  return 1;
}
