/* cl-batch-state-writer.h: a batch's state changes (running, paused, closed, aborted) written to the store off the
 * main thread, one at a time and in the order they were asked for, so quick Pause/Resume presses end as the last
 * press in the store. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_BATCH_STATE_WRITER (cl_batch_state_writer_get_type ())
G_DECLARE_FINAL_TYPE (ClBatchStateWriter, cl_batch_state_writer, CL, BATCH_STATE_WRITER, GObject)

/* Called on the writer's thread when a change could not be recorded. */
typedef void (*ClBatchStateFailedFunc) (ClBatchState state, const GError *error, gpointer user_data);

ClBatchStateWriter *cl_batch_state_writer_new (ClStore *store, gint64 batch_id, ClBatchStateFailedFunc failed,
                                               gpointer user_data);
/* Queues the change; returns at once. user NULL: the login name. */
void cl_batch_state_writer_push (ClBatchStateWriter *self, ClBatchState state, const char *user);
/* Blocks until every queued change is written (shutdown, tests). */
void cl_batch_state_writer_flush (ClBatchStateWriter *self);

G_END_DECLS
