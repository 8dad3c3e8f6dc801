/* cl-window.h: the main window: Line, Dashboard, Rejects and Setup views. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CL_TYPE_WINDOW (cl_window_get_type ())
G_DECLARE_FINAL_TYPE (ClWindow, cl_window, CL, WINDOW, AdwApplicationWindow)

/* stations: GListModel of ClStation; events: GListModel of ClLineEvent. */
ClWindow *cl_window_new (GtkApplication *app, GListModel *stations, GListModel *events);
/* "line", "dashboard", "rejects" or "setup". */
const char *cl_window_get_view (ClWindow *self);
void cl_window_set_view (ClWindow *self, const char *name);

G_END_DECLS
