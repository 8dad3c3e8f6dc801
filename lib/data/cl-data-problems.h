/* cl-data-problems.h: what is wrong with a customer's data file, row by row (issue 17 "validation before anything is
 * written"). Every problem reads "FILE:LINE: COLUMN: what is wrong" (e.g. "people.csv:17: employee_id: duplicate of
 * line 9"); a problem of a whole row has no COLUMN. Every problem is counted; those of the first lines are kept as
 * text, at most CL_DATA_PROBLEMS_LISTED, so a file with 100 000 bad rows cannot make the list itself the problem. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_DATA_PROBLEMS_LISTED 100

typedef struct _ClDataProblems ClDataProblems;

ClDataProblems *cl_data_problems_new (const char *file);
void cl_data_problems_free (ClDataProblems *self);
/* column: NULL for a problem of the whole row. */
void cl_data_problems_add (ClDataProblems *self, guint line, const char *column, const char *format, ...)
  G_GNUC_PRINTF (4, 5);
/* Every problem found, listed or not. */
guint cl_data_problems_count (const ClDataProblems *self);
/* The listed problems by line, those of one line in the order found (at most CL_DATA_PROBLEMS_LISTED). */
const char *const *cl_data_problems_list (const ClDataProblems *self);
/* The problems as one text, a problem a line, with "… and N more problem(s)" when some were not listed. */
char *cl_data_problems_to_text (const ClDataProblems *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClDataProblems, cl_data_problems_free)

G_END_DECLS
