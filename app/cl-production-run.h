/* cl-production-run.h: the parts a production run is made of, built one way for the window and headless mode: the
 * profile, the token, the store and the setup; the feeder (the printer's with --printer, else the rack of the
 * station's readers); the card-face printer (printer-fed runs whose profile has a face); and the batch run. Only
 * store and token work: any thread may build them (the window does it on a worker). */
#pragma once

#include "cl-line.h"
#include "cl-production-headless.h"
#include "line/cl-batch-run.h"

G_BEGIN_DECLS

typedef struct
{
  ClProductionSetup *setup;
  ClBatchRun *run;
  /* QA's Reprint Face printer: the profile's face on --face-printer (or $CARDLINE_IPP_URI) when the profile has a
   * face and a destination is given, on a rack line too; NULL otherwise. Not the run's own. */
  ClFacePrinter *reprint_face;
} ClProductionParts;

void cl_production_parts_free (ClProductionParts *parts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClProductionParts, cl_production_parts_free)

/* store_path: already resolved (cl_store_location()). face_printer NULL: $CARDLINE_IPP_URI. */
ClProductionParts *cl_production_parts_open (const ClProductionOptions *options, const char *store_path,
                                             GError **error);
/* Main context: the line's readers feed the run's feeder (cards already waiting included) and its events reach the
 * line's stations and log; then the run starts. */
void cl_production_parts_start (ClProductionParts *parts, ClLine *line);

G_END_DECLS
