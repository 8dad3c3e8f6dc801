/* cl-remote-station.h: what a station producing remotely (DESIGN §8, remote production) is set up with, one way for
 * the window and headless mode: the SRCA certificate it checks every card against, the relay to the production
 * service (its POST budget from $CARDLINE_REMOTE_POST_SECONDS, for tests of a slow network), and the service's name
 * as the station may show it. No token, no key, no profile, no record store: the service has those.
 *
 * The feeder and the card-face printer are drivers: app/ opens them and makes the run here. */
#pragma once

#include "remote/cl-remote-run.h"

G_BEGIN_DECLS

#define CL_TYPE_REMOTE_STATION (cl_remote_station_get_type ())
G_DECLARE_FINAL_TYPE (ClRemoteStation, cl_remote_station, CL, REMOTE_STATION, GObject)

/* Reads the SRCA certificate at srca_path (a CVC) and readies the relay to url. Any thread. Errors name what was
 * wrong (the file, the URL); the URL's secret path never appears in them. */
ClRemoteStation *cl_remote_station_new (const char *url, const char *srca_path, const char *ca_file, GError **error);
ClCvc *cl_remote_station_get_srca (ClRemoteStation *self);
ClRamRelay *cl_remote_station_get_relay (ClRemoteStation *self);
/* scheme://host:port of the service: a production URL carries its secret token in its path or query, which no
 * output, log or screen of the station shows. */
const char *cl_remote_station_get_service (ClRemoteStation *self);
/* The run: feeder brings the cards, face (NULL: none) prints good cards' faces; batch_name NULL: "remote";
 * quantity 0: until stopped. */
ClRemoteRun *cl_remote_station_new_run (ClRemoteStation *self, ClFeeder *feeder, ClFacePrinter *face,
                                        const char *batch_name, guint quantity);

G_END_DECLS
