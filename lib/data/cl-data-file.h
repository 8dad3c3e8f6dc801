/* cl-data-file.h: a customer's data file read and validated against a mapping before anything is written (issue 17):
 * every row checked, every problem listed ("people.csv:17: employee_id: duplicate of line 9"; cl-data-problems.h).
 *
 * Refused whole (GError, nothing returned): a file that cannot be read as a table (cl-csv-table.h), a mapping naming
 * a column the file's header lacks, a photo column without a photos directory. Otherwise the file is returned with
 * its problems and its good rows (rows without a problem): the caller imports it when it has no problem, or only its
 * good rows when a supervisor says so.
 *
 * Each row's values are the mapping's target fields (face.name, chr.holder …); the photo is the row's own. The
 * reference and display values are names (core/cl-name.h: printable, at most 128 characters), as the store keeps.
 * The SHA-256 is of the file's bytes as read, BOM included: what the store records to recognise the same file. */
#pragma once

#include <glib-object.h>

#include "data/cl-csv-table.h"
#include "data/cl-data-mapping.h"
#include "data/cl-data-problems.h"

G_BEGIN_DECLS

typedef struct
{
  guint line;
  char *reference;
  char *display;
  GHashTable *values; /* target field -> value, face.photo left out */
  char *photo;        /* face.photo: the photo's full path; NULL: none */
  char *photo_type;   /* its media type ("image/png"); set exactly when photo is */
} ClDataRow;

void cl_data_row_free (ClDataRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClDataRow, cl_data_row_free)

#define CL_TYPE_DATA_FILE (cl_data_file_get_type ())
G_DECLARE_FINAL_TYPE (ClDataFile, cl_data_file, CL, DATA_FILE, GObject)

/* path: a regular file of at most CL_CSV_MAX_FILE_BYTES. photos_dir: NULL when the mapping has no face.photo. */
ClDataFile *cl_data_file_read (const char *path, ClDataMapping *mapping, const char *photos_dir, GError **error);
/* name: what problems call the file. */
ClDataFile *cl_data_file_parse (const char *name, const guint8 *data, gsize len, ClDataMapping *mapping,
                                const char *photos_dir, GError **error);

const char *cl_data_file_get_name (ClDataFile *self);
/* 64 lower-case hex digits, as sha256sum prints them. */
const char *cl_data_file_get_sha256 (ClDataFile *self);
const ClCsvTable *cl_data_file_get_table (ClDataFile *self);
ClDataProblems *cl_data_file_get_problems (ClDataFile *self);
/* Data rows in the file (the header not counted). */
guint cl_data_file_get_row_count (ClDataFile *self);
/* ClDataRow of the rows without a problem, in file order. */
GPtrArray *cl_data_file_get_good_rows (ClDataFile *self);

G_END_DECLS
