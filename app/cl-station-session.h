/* cl-station-session.h: the window's link to the station's records and people: opens the store, keeps the
 * signed-in session (sign-in dialog at start-up), carries out the role-gated line commands, provides the
 * QA service and the "app.printer-test" action (feed one card to the contact station and eject it). */
#pragma once

#include "cl-line.h"
#include "line/cl-batch-run.h"
#include "cl-window.h"

G_BEGIN_DECLS

#define CL_TYPE_STATION_SESSION (cl_station_session_get_type ())
G_DECLARE_FINAL_TYPE (ClStationSession, cl_station_session, CL, STATION_SESSION, GObject)

ClStationSession *cl_station_session_new (GtkApplication *app, ClWindow *window, ClLine *line);
/* Opens the store on a worker (a schema migration takes seconds on a big store), then on the main context gives
 * the window its session and asks for sign-in. store_path: --store, or NULL: cl_store_location() decides, as it
 * does for production. If the store cannot be opened the window stays up, with nobody able to
 * sign in and the reason in a toast; the callback gets that error. */
void cl_station_session_open_async (ClStationSession *self, const char *store_path, GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean cl_station_session_open_finish (ClStationSession *self, GAsyncResult *result, GError **error);
/* NULL until the store was opened (or failed to). */
ClSession *cl_station_session_get_session (ClStationSession *self);
/* The window produces with run (rack or printer-fed): Start (also: retry a fault now), Pause and Stop act on it, its
 * counters are on the Line view, a rack keeps the QA reader (GSettings qa-reader) out of production, and QA
 * re-tests run the sequence on the QA reader; QA's Reprint Face prints on reprint_face (NULL: none). */
void cl_station_session_set_production (ClStationSession *self, ClBatchRun *run, ClProductionSetup *setup,
                                        ClFacePrinter *reprint_face);
/* The run's printer-fed line is on printer (--printer URI; NULL: none), from start-up, before its station is up.
 * app.printer-test then tests that printer, not the settings' printer-address, and refuses while the line's batch
 * runs or is being opened: only once it is stopped (Stop) or complete. */
void cl_station_session_set_line_printer (ClStationSession *self, const char *printer);

G_END_DECLS
