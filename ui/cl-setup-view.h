/* cl-setup-view.h: station setup saved in GSettings: profile, HSM token (module, label, PIN file — never the
 * PIN), the QA reader, the card printer and the CUPS destination, editable with CL_PERMISSION_STATION_SETUP;
 * and a new batch (name, quantity, the chosen profile's SHA-256) with CL_PERMISSION_BATCH_SETUP, audited by
 * the store as "batch-create" with the signed-in user. */
#pragma once

#include <adwaita.h>

#include "cl-session.h"

G_BEGIN_DECLS

#define CL_TYPE_SETUP_VIEW (cl_setup_view_get_type ())
G_DECLARE_FINAL_TYPE (ClSetupView, cl_setup_view, CL, SETUP_VIEW, AdwBin)

GtkWidget *cl_setup_view_new (void);
/* Schema org.cardline.Cardline. */
void cl_setup_view_set_settings (ClSetupView *self, GSettings *settings);
/* GListModel of ClStation: the QA reader is chosen among them. */
void cl_setup_view_set_stations (ClSetupView *self, GListModel *stations);
void cl_setup_view_set_session (ClSetupView *self, ClSession *session);
/* Where the profile chooser starts (data/profiles). */
void cl_setup_view_set_profiles_dir (ClSetupView *self, const char *dir);

G_END_DECLS
