/* cl-window.h: the main window: Line, Dashboard, Rejects and Setup views. */
#pragma once

#include <adwaita.h>

#include "cl-session.h"
#include "cl-setup-view.h"
#include "station/cl-batch-counters.h"
#include "station/cl-qa-service.h"

G_BEGIN_DECLS

#define CL_TYPE_WINDOW (cl_window_get_type ())
G_DECLARE_FINAL_TYPE (ClWindow, cl_window, CL, WINDOW, AdwApplicationWindow)

/* stations: GListModel of ClReader; events: GListModel of ClLineEvent. */
ClWindow *cl_window_new (GtkApplication *app, GListModel *stations, GListModel *events);
/* "line", "dashboard", "rejects" or "setup". */
const char *cl_window_get_view (ClWindow *self);
void cl_window_set_view (ClWindow *self, const char *name);

/* Set once: the signed-in user gates the actions, and its store feeds the dashboard and rejects views.
 * Without a session every privileged action stays disabled. */
void cl_window_set_session (ClWindow *self, ClSession *session);
ClSession *cl_window_get_session (ClWindow *self);
void cl_window_set_qa_service (ClWindow *self, ClQaService *service);
/* The batch this window produces: its counters on the Line view. */
void cl_window_set_batch_counters (ClWindow *self, ClBatchCounters *counters);
/* A short notice over the views, in this window's overlay whichever window is active (at start-up the
 * sign-in dialog). Callers outside the window use this instead of walking its widget tree, whose top levels
 * belong to AdwApplicationWindow. */
void cl_window_add_toast (ClWindow *self, const char *text);
/* What this run uses as its command line and environment decided (the Setup view shows it). */
void cl_window_set_in_use (ClWindow *self, const ClSetupInUse *in_use);
/* NULL when the schema is not installed. */
GSettings *cl_window_get_settings (ClWindow *self);
/* Shows the sign-in dialog unless someone is signed in. Signing out shows it again. */
void cl_window_require_sign_in (ClWindow *self);

G_END_DECLS
