/* cl-admin-batch.h: the options of `cardline-admin batch SUBCOMMAND` (one option list for all its subcommands, so
 * `batch --help` shows them all) and the subcommands kept in files of their own. */
#pragma once

#include "cl-admin-auth.h"

G_BEGIN_DECLS

typedef struct
{
  char *store_path; /* resolved: the station's store when not given */
  char *batch;
  char *out;
  char *data;
  char *photos;
  char *mapping;
  char *format; /* manifest: csv or json */
  gboolean dry_run;
  gboolean good_rows_only;
  ClAdminAuth auth;
} ClAdminBatchOptions;

/* `batch import` (cl-admin-batch-import.c). Returns the exit status: 0 imported (or the same file again, or a clean
 * dry run), 1 refused or invalid, 2 usage. */
int cl_admin_batch_import (ClAdminBatchOptions *o);

G_END_DECLS
