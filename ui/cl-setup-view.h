/* cl-setup-view.h: station setup saved in GSettings: profile, HSM token (module, label, PIN file — never the
 * PIN), the QA reader, the card printer and the CUPS destination, editable with CL_PERMISSION_STATION_SETUP;
 * what this run uses instead where its command line said so (profile, store, printer);
 * and a new batch (name, quantity, the chosen profile's SHA-256) with CL_PERMISSION_BATCH_SETUP, audited by
 * the store as "batch-create" with the signed-in user. */
#pragma once

#include <adwaita.h>

#include "cl-session.h"
#include "store/cl-store-location.h"

G_BEGIN_DECLS

/* What this run of the station uses, decided when it started; NULL: not set. */
typedef struct
{
  const char *profile;        /* --profile: the line runs it, whatever Setup's choice */
  const char *store;          /* the record store in use */
  ClStoreSource store_source; /* which rule gave it (store/cl-store-location.h) */
  const char *printer;        /* --printer: the printer-fed station runs on it */
  const char *printer_reader; /* --printer-reader */
} ClSetupInUse;

#define CL_TYPE_SETUP_VIEW (cl_setup_view_get_type ())
G_DECLARE_FINAL_TYPE (ClSetupView, cl_setup_view, CL, SETUP_VIEW, AdwBin)

GtkWidget *cl_setup_view_new (void);
/* Schema org.cardline.Cardline. */
void cl_setup_view_set_settings (ClSetupView *self, GSettings *settings);
/* GListModel of ClReader: the QA reader is chosen among them. */
void cl_setup_view_set_stations (ClSetupView *self, GListModel *stations);
void cl_setup_view_set_session (ClSetupView *self, ClSession *session);
/* Shows what the line actually runs, marked where the command line set it; a profile from the command line
 * takes the place of Setup's choice in the profile row and for new batches. NULL: nothing beyond the settings. */
void cl_setup_view_set_in_use (ClSetupView *self, const ClSetupInUse *in_use);
/* Where the profile chooser starts (data/profiles). */
void cl_setup_view_set_profiles_dir (ClSetupView *self, const char *dir);

G_END_DECLS
