#include "line/cl-batch-state-writer.h"

struct _ClBatchStateWriter
{
  GObject parent_instance;

  ClStore *store;
  gint64 batch_id;
  ClBatchStateFailedFunc failed;
  gpointer failed_data;
  GThreadPool *pool; /* one thread: changes are written in push order */
};

G_DEFINE_FINAL_TYPE (ClBatchStateWriter, cl_batch_state_writer, G_TYPE_OBJECT)

typedef struct
{
  ClBatchState state;
  char *user;
} Change;

static void
write_change (gpointer data, gpointer user_data)
{
  Change *change = data;
  ClBatchStateWriter *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!cl_store_batch_set_state (self->store, self->batch_id, change->state, change->user, &error))
    {
      if (self->failed != NULL)
        self->failed (change->state, error, self->failed_data);
      else
        g_warning ("store: batch %" G_GINT64_FORMAT " not marked %s: %s", self->batch_id,
                   cl_batch_state_to_string (change->state), error->message);
    }
  g_free (change->user);
  g_free (change);
}

static void
cl_batch_state_writer_dispose (GObject *object)
{
  ClBatchStateWriter *self = CL_BATCH_STATE_WRITER (object);

  /* what was asked for is recorded before the writer goes */
  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (cl_batch_state_writer_parent_class)->dispose (object);
}

static void
cl_batch_state_writer_class_init (ClBatchStateWriterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_batch_state_writer_dispose;
}

static void
cl_batch_state_writer_init (ClBatchStateWriter *self)
{
}

ClBatchStateWriter *
cl_batch_state_writer_new (ClStore *store, gint64 batch_id, ClBatchStateFailedFunc failed, gpointer user_data)
{
  ClBatchStateWriter *self;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);

  self = g_object_new (CL_TYPE_BATCH_STATE_WRITER, NULL);
  self->store = g_object_ref (store);
  self->batch_id = batch_id;
  self->failed = failed;
  self->failed_data = user_data;
  self->pool = g_thread_pool_new (write_change, self, 1, FALSE, NULL);
  return self;
}

void
cl_batch_state_writer_push (ClBatchStateWriter *self, ClBatchState state, const char *user)
{
  Change *change;

  g_return_if_fail (CL_IS_BATCH_STATE_WRITER (self));
  g_return_if_fail (self->pool != NULL);

  change = g_new0 (Change, 1);
  change->state = state;
  change->user = g_strdup (user != NULL ? user : g_get_user_name ());
  g_thread_pool_push (self->pool, change, NULL);
}

void
cl_batch_state_writer_flush (ClBatchStateWriter *self)
{
  g_return_if_fail (CL_IS_BATCH_STATE_WRITER (self));

  if (self->pool == NULL)
    return;
  /* a one-thread pool is drained by freeing it with wait; a fresh one takes later changes */
  g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
  self->pool = g_thread_pool_new (write_change, self, 1, FALSE, NULL);
}
