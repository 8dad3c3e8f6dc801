/* cl-data-cell.h: one value of a data file against its column's rules (cl-data-mapping.h).
 *
 * Besides the column's own rules, every value fed to a card is refused when a spreadsheet would run it as a
 * formula: a leading '=', '+', '-', '@', tab or carriage return (the manifest echoes row values back to the
 * customer, who opens it in a spreadsheet). The one exception: a column of type number may start with '-' when the
 * whole value is a number, which a spreadsheet reads as that number. Values are refused rather than quoted, so the
 * card never carries a text the customer did not write. */
#pragma once

#include "data/cl-data-mapping.h"
#include "data/cl-data-problems.h"

G_BEGIN_DECLS

/* Adds a problem "FILE:LINE: COLUMN: …" for each rule value breaks (the unique rule is the file's: see
 * cl-data-file.c). TRUE when there was none. */
gboolean cl_data_cell_check (const ClDataRule *rule, const char *column, const char *value, guint line,
                             ClDataProblems *problems);
/* value shortened to 40 characters with control characters shown as \t, \r, \n or ?: for problem messages. */
char *cl_data_cell_shown (const char *value);

G_END_DECLS
