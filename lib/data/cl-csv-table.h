/* cl-csv-table.h: a customer's CSV data file read per RFC 4180 (issue 17): UTF-8 (a leading BOM is skipped), a
 * header row of unique, non-empty column names, fields separated by commas, a field with a comma, quote or line
 * break quoted with '"' and its quotes doubled, lines ended by CRLF or LF. Spaces are part of a field (RFC 4180 §2.4:
 * nothing is trimmed). Empty lines are skipped; line numbers count every physical line, the header being line 1.
 *
 * The parsing is libcsv's (Debian libcsv3) in strict mode; this file adds what it lacks: line numbers, the limits
 * below, UTF-8 and the header.
 *
 * Two kinds of wrong input:
 *  - the file cannot be read as a table (a stray or unclosed quote, no header, a bad header, a limit of the whole
 *    file): CL_ERROR_MALFORMED "FILE:LINE: …", nothing is returned;
 *  - a row is wrong on its own (its number of fields differs from the header's, a field is not UTF-8 or too long):
 *    the row is kept marked bad and the problem is added to problems, so every such row is listed. */
#pragma once

#include <glib.h>

#include "data/cl-data-problems.h"

G_BEGIN_DECLS

#define CL_CSV_MAX_FILE_BYTES   (64 * 1024 * 1024)
#define CL_CSV_MAX_FIELD_BYTES  (64 * 1024)
#define CL_CSV_MAX_RECORD_BYTES (1024 * 1024)
#define CL_CSV_MAX_ROWS         100000
#define CL_CSV_MAX_COLUMNS      256

typedef struct
{
  guint line;    /* where the row starts */
  gboolean bad;  /* a problem was listed for it: its fields are not to be used */
  char **fields; /* as many as the header has columns, unless bad */
} ClCsvRow;

typedef struct
{
  char **header;   /* the column names */
  GPtrArray *rows; /* ClCsvRow, in file order */
} ClCsvTable;

/* data: the file's bytes (len at most CL_CSV_MAX_FILE_BYTES); file: what errors and problems call it. */
ClCsvTable *cl_csv_table_parse (const char *file, const guint8 *data, gsize len, ClDataProblems *problems,
                                GError **error);
void cl_csv_table_free (ClCsvTable *self);
/* The index of column name in the header, or -1. */
gint cl_csv_table_column (const ClCsvTable *self, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClCsvTable, cl_csv_table_free)

G_END_DECLS
