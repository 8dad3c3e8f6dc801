/* cl-remote-headless.h: `cardline --headless --remote URL --srca FILE [--printer ADDR --printer-reader NAME]`: a
 * station producing remotely (DESIGN §8): no token, no key, no profile, no record store; its feeder brings the cards,
 * the production service at URL produces them, and the station checks each itself against its SRCA before it calls
 * the card good. Its events one line each, then a summary line. */
#pragma once

#include <glib.h>

#include "cl-headless-output.h"

G_BEGIN_DECLS

typedef struct
{
  const char *url;            /* the production URL (its query is a secret: never printed) */
  const char *srca;           /* the SRCA certificate (CVC) this station trusts */
  const char *ca_file;        /* PEM certificates that may issue the service's TLS certificate; NULL: the system's */
  const char *batch;          /* a name for the run; NULL: "remote" */
  guint quantity;             /* 0: until stopped */
  guint duration;             /* seconds, 0: until done or SIGINT/SIGTERM */
  const char *printer;        /* NULL: the rack of this station's readers */
  const char *printer_reader; /* the printer's contact-station reader */
  const char *face_printer;   /* with face_template: where good cards' faces go */
  const char *face_template;
  ClHeadlessOutput output;
} ClRemoteOptions;

/* The process exit status: 0 when the run ended normally (whatever the yield), 1 when it could not start, 2 for bad
 * options. */
int cl_remote_headless_run (const ClRemoteOptions *options);

G_END_DECLS
