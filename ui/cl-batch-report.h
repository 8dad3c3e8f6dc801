/* cl-batch-report.h: a batch report exported from the dashboard: PDF (summary figures, the charts, the
 * reject table) and CSV (ClYieldSummary's rows). Both write what the dashboard shows, nothing more: no keys,
 * no PINs, no user passwords. */
#pragma once

#include <gio/gio.h>

#include "cl-dashboard-model.h"

G_BEGIN_DECLS

gboolean cl_batch_report_write_csv (const ClDashboardData *data, const char *path, GError **error);
/* rejects: ClRejectRow of the batch (may be NULL). title: e.g. the batch name. */
gboolean cl_batch_report_write_pdf (ClDashboardModel *model, const char *title, GPtrArray *rejects, const char *path,
                                    GError **error);

G_END_DECLS
