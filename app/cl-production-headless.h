/* cl-production-headless.h: `cardline --headless --profile FILE --batch NAME --quantity N`: the production line
 * without a window, its events one line each, and the batch's yield summary at the end. */
#pragma once

#include <glib.h>

#include "cl-headless-output.h"

G_BEGIN_DECLS

typedef struct
{
  const char *profile;
  const char *batch;
  guint quantity;
  const char *store;          /* --store, NULL: cl_store_location() decides */
  const char *summary_json;   /* NULL: none */
  guint duration;             /* seconds, 0: until the batch is complete or SIGINT/SIGTERM */
  const char *printer;        /* NULL: rack mode; else the printer-fed line on this printer */
  const char *printer_reader; /* the printer's contact-station reader */
  const char *face_printer;   /* NULL: $CARDLINE_IPP_URI */
  ClHeadlessOutput output;    /* headless only */
  const char *user;           /* the signed-in account that runs the batch */
} ClProductionOptions;

/* Returns the process exit status: 0 when the run ended normally (whatever the yield), 1 when it could not start. */
int cl_production_headless_run (const ClProductionOptions *options);

G_END_DECLS
