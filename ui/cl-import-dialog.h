/* cl-import-dialog.h: the supervisor imports a customer's data file as a batch's rows (issue 17) from the window:
 * a data file (and a photos folder, and a mapping file when the batch's profile has none) chosen, every row checked
 * off the UI thread, a preview of the first rows and the problem list, then Import (a file without problems) or
 * Import good rows only (a supervisor: the store audits how many rows were left out). The same checks and the same
 * store call as `cardline-admin batch import` (lib/data/cl-data-import.h). */
#pragma once

#include <adwaita.h>

#include "cl-session.h"

G_BEGIN_DECLS

#define CL_TYPE_IMPORT_DIALOG (cl_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ClImportDialog, cl_import_dialog, CL, IMPORT_DIALOG, AdwWindow)

/* batch_id: the batch the rows are for; batch_name: what the title shows. */
ClImportDialog *cl_import_dialog_new (GtkWindow *parent, ClSession *session, gint64 batch_id, const char *batch_name);
/* Checks the data file (with photos_dir and mapping_path, either NULL) on a worker and shows the result; "checked"
 * is emitted when it is shown (tests wait for it). */
void cl_import_dialog_check (ClImportDialog *self, const char *data_path, const char *photos_dir,
                             const char *mapping_path);
/* Import and Import good rows only are the actions "import.import" and "import.import-good-rows"; "imported" is
 * emitted when their result is shown in the summary. */
/* The preview's summary and problem text, as shown (tests read them). */
const char *cl_import_dialog_get_summary (ClImportDialog *self);
const char *cl_import_dialog_get_problems (ClImportDialog *self);

G_END_DECLS
