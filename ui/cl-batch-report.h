/* cl-batch-report.h: a batch report exported from the dashboard: PDF (summary figures, the charts, the
 * reject table) and CSV (ClYieldSummary's rows). Both write what the dashboard shows, nothing more: no keys,
 * no PINs, no user passwords. */
#pragma once

#include <gio/gio.h>

#include "cl-dashboard-model.h"
#include "store/cl-store-rows.h"

G_BEGIN_DECLS

gboolean cl_batch_report_write_csv (const ClDashboardData *data, const char *path, GError **error);
/* rejects: ClRejectRow of the batch, the latest first (may be NULL); rejects_cut: the batch has older ones that are
 * not in rejects, which the report then says. rows: the batch's data rows per state (NULL or all 0: the batch has no
 * data; the line is left out). title: e.g. the batch name. */
gboolean cl_batch_report_write_pdf (ClDashboardModel *model, const char *title, GPtrArray *rejects,
                                    gboolean rejects_cut, const ClRowCounts *rows, const char *path, GError **error);

/* Where one column of the summary block, width points wide, puts its values: past its widest label and gap, so no
 * label meets its value whatever the strings (translations are longer). Only if the widest value would then leave
 * the column do the values move left, never past half the column (width > 2 * gap); labels wider than
 * *label_width are then shortened to it, which keeps the gap. Returns the values' x from the column's left edge. */
double cl_batch_report_summary_value_x (double widest_label, double widest_value, double width, double gap,
                                        double *label_width);

G_END_DECLS
