/* cl-station-session.h: the window's link to the station's records and people: opens the store, keeps the
 * signed-in session (sign-in dialog at start-up), carries out the role-gated line commands, provides the
 * QA service and the "app.printer-test" action (feed one card to the contact station and eject it). */
#pragma once

#include "cl-line.h"
#include "cl-production-line.h"
#include "cl-window.h"

G_BEGIN_DECLS

#define CL_TYPE_STATION_SESSION (cl_station_session_get_type ())
G_DECLARE_FINAL_TYPE (ClStationSession, cl_station_session, CL, STATION_SESSION, GObject)

/* store_path: NULL for the default (GSettings store-path, $CARDLINE_STORE, the user data dir). If the store
 * cannot be opened the window still comes up, with nobody able to sign in and the reason in a toast. */
ClStationSession *cl_station_session_new (GtkApplication *app, ClWindow *window, ClLine *line, const char *store_path);
ClSession *cl_station_session_get_session (ClStationSession *self);
/* The window produces (rack mode): Pause/Resume/Stop act on production, the QA reader (GSettings qa-reader) is
 * kept out of it, and QA re-tests run the sequence on the QA reader. */
void cl_station_session_set_production (ClStationSession *self, ClProductionLine *production,
                                        ClProductionSetup *setup);

G_END_DECLS
