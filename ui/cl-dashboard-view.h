/* cl-dashboard-view.h: the supervisor's dashboard: batch selector, figures, live charts, report export. */
#pragma once

#include <adwaita.h>

#include "cl-dashboard-model.h"
#include "cl-session.h"
#include "cl-stations-view.h"

G_BEGIN_DECLS

#define CL_TYPE_DASHBOARD_VIEW (cl_dashboard_view_get_type ())
G_DECLARE_FINAL_TYPE (ClDashboardView, cl_dashboard_view, CL, DASHBOARD_VIEW, AdwBin)

GtkWidget *cl_dashboard_view_new (void);
ClDashboardModel *cl_dashboard_view_get_model (ClDashboardView *self);
void cl_dashboard_view_set_model (ClDashboardView *self, ClDashboardModel *model);
/* The fleet's stations above the charts (set once). */
void cl_dashboard_view_set_fleet_model (ClDashboardView *self, ClFleetModel *model);
ClStationsView *cl_dashboard_view_get_stations_view (ClDashboardView *self);
/* Scopes the figures and charts to the cards station made (NULL: every station), as choosing it in the Station
 * drop-down does; a row activated in the Stations view calls it. */
void cl_dashboard_view_show_station (ClDashboardView *self, const char *station);
void cl_dashboard_view_set_session (ClDashboardView *self, ClSession *session);
/* The value label of a figure: "fed", "good", "rejected", "recovered", "first-pass", "final", "throughput",
 * "cycle" (tests read them). */
GtkLabel *cl_dashboard_view_get_counter (ClDashboardView *self, const char *name);

/* Writes the report of the selected batch ("pdf" or "csv") to path; the rejects (and data rows) for the PDF are read
 * on a worker. Audited as "report-export". "manifest-csv" / "manifest-json" write the selected batch's manifest
 * (store/cl-store-manifest.h) on a worker, audited as "manifest-export"; with all batches selected that is an
 * error. Fails with CL_UI_ERROR_NOT_ALLOWED unless the session may export. */
void cl_dashboard_view_export_async (ClDashboardView *self, const char *format, const char *path,
                                     GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean cl_dashboard_view_export_finish (ClDashboardView *self, GAsyncResult *result, GError **error);

G_END_DECLS
