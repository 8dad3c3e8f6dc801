/* cl-batch-counters-bar.h: the batch counters strip at the top of the Line view (fed, good, rejected, state). */
#pragma once

#include <adwaita.h>

#include "station/cl-batch-counters.h"

G_BEGIN_DECLS

#define CL_TYPE_BATCH_COUNTERS_BAR (cl_batch_counters_bar_get_type ())
G_DECLARE_FINAL_TYPE (ClBatchCountersBar, cl_batch_counters_bar, CL, BATCH_COUNTERS_BAR, AdwBin)

/* NULL hides the bar (no batch is produced in this window). */
void cl_batch_counters_bar_set_counters (ClBatchCountersBar *self, ClBatchCounters *counters);
ClBatchCounters *cl_batch_counters_bar_get_counters (ClBatchCountersBar *self);
/* What the bar shows, as shown (tests read what the operator reads): which is "fed", "good", "rejected", "yield",
 * "state", "progress" or anything else for the batch title. */
const char *cl_batch_counters_bar_get_text (ClBatchCountersBar *self, const char *which);

G_END_DECLS
