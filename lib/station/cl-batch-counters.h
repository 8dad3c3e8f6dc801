/* cl-batch-counters.h: the running batch's counters as the operator sees them on the Line view: cards fed (one
 * per production attempt), good and rejected, and whether the line is paused. Same definitions as the store's
 * yield summary (fed = attempts, good = cards made good, rejected = rejected attempts) for the batch, so the
 * view and the store agree. Changed and read on the main thread only. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CL_TYPE_BATCH_COUNTERS (cl_batch_counters_get_type ())
G_DECLARE_FINAL_TYPE (ClBatchCounters, cl_batch_counters, CL, BATCH_COUNTERS, GObject)

ClBatchCounters *cl_batch_counters_new (const char *batch);
const char *cl_batch_counters_get_batch (ClBatchCounters *self);
guint cl_batch_counters_get_quantity (ClBatchCounters *self);
guint cl_batch_counters_get_fed (ClBatchCounters *self);
guint cl_batch_counters_get_good (ClBatchCounters *self);
guint cl_batch_counters_get_rejected (ClBatchCounters *self);
gboolean cl_batch_counters_get_paused (ClBatchCounters *self);
/* Sets every count at once (a batch continued from the store). */
void cl_batch_counters_set (ClBatchCounters *self, guint quantity, guint fed, guint good, guint rejected);
/* One attempt ended. */
void cl_batch_counters_add (ClBatchCounters *self, gboolean good);
void cl_batch_counters_set_paused (ClBatchCounters *self, gboolean paused);
/* The batch was stopped (or completed): the line takes no more cards for it. */
gboolean cl_batch_counters_get_ended (ClBatchCounters *self);
void cl_batch_counters_set_ended (ClBatchCounters *self, gboolean ended);

G_END_DECLS
