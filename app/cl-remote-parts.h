/* cl-remote-parts.h: the parts of a station producing remotely (DESIGN §8), built one way for the window and
 * headless mode: the station's setup (lib/remote/cl-remote-station.h: SRCA, relay), the feeder (the printer's with
 * --printer, else the rack of the station's readers), the card-face printer, and the run. No token, no key, no
 * profile, no record store. Any thread may open them (the window does it on a worker); they start on the main
 * context. */
#pragma once

#include "cl-headless-output.h"
#include "cl-line.h"
#include "remote/cl-remote-station.h"

G_BEGIN_DECLS

typedef struct
{
  const char *url;            /* the production URL (its path and query are secret: never printed) */
  const char *srca;           /* the SRCA certificate (CVC) this station trusts */
  const char *ca_file;        /* PEM certificates that may issue the service's TLS certificate; NULL: the system's */
  const char *batch;          /* a name for the run; NULL: "remote" */
  guint quantity;             /* 0: until stopped */
  guint duration;             /* seconds, 0: until done or SIGINT/SIGTERM (headless) */
  const char *printer;        /* NULL: the rack of this station's readers */
  const char *printer_reader; /* the printer's contact-station reader */
  const char *face_printer;   /* with face_template: where good cards' faces go */
  const char *face_template;
  ClHeadlessOutput output;
} ClRemoteOptions;

typedef struct
{
  ClRemoteStation *station;
  ClFeeder *feeder;
  ClRemoteRun *run;
  char *description; /* "remote production service=… srca=… quantity=… feeder=…" */
} ClRemoteParts;

void cl_remote_parts_free (ClRemoteParts *parts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClRemoteParts, cl_remote_parts_free)

/* Checks the options (CL_ERROR_INVALID_ARGUMENT naming the one missing) and opens the parts. */
ClRemoteParts *cl_remote_parts_open (const ClRemoteOptions *options, GError **error);
/* Main context: the line's readers feed the run's feeder (cards already waiting included), its events reach the
 * line's stations and log (the service's notifies as the SERVICE step's live status), and the run starts. */
void cl_remote_parts_start (ClRemoteParts *parts, ClLine *line);

/* The window's: opens the parts on a worker, so the window never waits on the certificate, the printer or the
 * service. options are copied. */
void cl_remote_parts_open_async (const ClRemoteOptions *options, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
ClRemoteParts *cl_remote_parts_open_finish (GAsyncResult *result, GError **error);

G_END_DECLS
