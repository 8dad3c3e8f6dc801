/* cl-data-import.h: a validated data file (cl-data-file.h) written as a batch's rows (store/cl-store-rows.h), the
 * one way the admin command and the window import. A file with problems is refused whole unless good_only, when
 * only its good rows are written and the count of rows left out goes to the store's audit record with the actor.
 * Photos are read from the photos directory here, after validation; a photo that changed or vanished since is an
 * error and nothing is written. Its own library: it needs the store and the profiles, the rest of lib/data does
 * not. */
#pragma once

#include "data/cl-data-file.h"
#include "store/cl-store-rows.h"

G_BEGIN_DECLS

/* Returns the store's file id (> 0) and *outcome; 0 with what cl_data_mapping_check_for_batch refuses (a mapping
 * the batch's profile cannot carry out: a face field its template lacks, a token label on cards it ships
 * uninitialised), or with CL_ERROR_INVALID_ARGUMENT "FILE: N problem(s) in M row(s):
 * nothing imported …" when the file has problems and !good_only, or with what the store refused (another file for
 * a batch with produced rows: the store's own message). */
gint64 cl_data_import (ClStore *store, gint64 batch_id, ClDataFile *file, ClDataMapping *mapping, gboolean good_only,
                       const char *actor, ClRowsImportOutcome *outcome, GError **error);
/* The [data] groups of the profile batch_id was created with (found as the station finds profiles by name):
 * CL_ERROR_PROFILE when it has none ("give --mapping FILE"), CL_ERROR_NOT_FOUND for an unknown batch. */
ClDataMapping *cl_data_mapping_for_batch (ClStore *store, gint64 batch_id, GError **error);
/* The mapping against the profile batch_id was created with (cl_profile_check_data_mapping): what cl_data_import
 * checks first, for a dry run to say the same. */
gboolean cl_data_mapping_check_for_batch (ClStore *store, gint64 batch_id, ClDataMapping *mapping, GError **error);
/* Rows the file leaves out: those with a problem. */
guint cl_data_file_count_refused (ClDataFile *file);

G_END_DECLS
