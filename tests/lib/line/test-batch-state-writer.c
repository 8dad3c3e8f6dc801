/* ClBatchStateWriter: state changes are written in the order they were pushed, however quick the presses, and
 * every queued change is on disk once the writer is flushed or gone. */
#include <glib/gstdio.h>

#include "line/cl-batch-state-writer.h"

static ClStore *
open_store (char **dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  ClStore *store;

  *dir = g_dir_make_tmp ("cardline-writer-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (*dir, "station.db", NULL);
  store = cl_store_open (path, &error);
  g_assert_no_error (error);
  return store;
}

static void
remove_dir (char *dir)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/station.db%s", dir, suffixes[i]);

      g_unlink (name);
    }
  g_rmdir (dir);
  g_free (dir);
}

static ClBatchState
state_of (ClStore *store, gint64 batch)
{
  g_autoptr (GError) error = NULL;
  ClBatchState state = CL_BATCH_RUNNING;

  g_assert_true (cl_store_batch_get_state (store, batch, &state, &error));
  g_assert_no_error (error);
  return state;
}

static void
test_order (void)
{
  char *dir = NULL;
  g_autoptr (ClStore) store = open_store (&dir);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClBatchStateWriter) writer = NULL;
  gint64 batch = cl_store_batch_create (
    store, "writer", "profile", "0000000000000000000000000000000000000000000000000000000000000000", 10, "lead", &error);

  g_assert_no_error (error);
  g_assert_cmpint (batch, >, 0);
  writer = cl_batch_state_writer_new (store, batch, NULL, NULL);
  /* an operator hammering Pause and Resume: the last press is what the store must say */
  for (guint round = 0; round < 5; round++)
    {
      for (guint i = 0; i < 40; i++)
        cl_batch_state_writer_push (writer, i % 2 == 0 ? CL_BATCH_PAUSED : CL_BATCH_RUNNING, "olga");
      cl_batch_state_writer_push (writer, round % 2 == 0 ? CL_BATCH_PAUSED : CL_BATCH_RUNNING, "olga");
      cl_batch_state_writer_flush (writer);
      g_assert_cmpint (state_of (store, batch), ==, round % 2 == 0 ? CL_BATCH_PAUSED : CL_BATCH_RUNNING);
    }

  /* queued changes are written when the writer goes, not dropped */
  cl_batch_state_writer_push (writer, CL_BATCH_PAUSED, "olga");
  cl_batch_state_writer_push (writer, CL_BATCH_CLOSED, "olga");
  g_clear_object (&writer);
  g_assert_cmpint (state_of (store, batch), ==, CL_BATCH_CLOSED);

  g_clear_object (&store);
  remove_dir (dir);
}

static void
on_failed (ClBatchState state, const GError *error, gpointer user_data)
{
  g_atomic_int_inc ((gint *)user_data);
}

static void
test_failure_reported (void)
{
  char *dir = NULL;
  g_autoptr (ClStore) store = open_store (&dir);
  g_autoptr (ClBatchStateWriter) writer = NULL;
  gint failures = 0;

  /* no such batch: the change cannot be recorded, and the writer says so instead of losing it silently */
  writer = cl_batch_state_writer_new (store, 4242, on_failed, &failures);
  cl_batch_state_writer_push (writer, CL_BATCH_PAUSED, "olga");
  cl_batch_state_writer_flush (writer);
  g_assert_cmpint (g_atomic_int_get (&failures), ==, 1);

  g_clear_object (&writer);
  g_clear_object (&store);
  remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/batch-state-writer/order", test_order);
  g_test_add_func ("/batch-state-writer/failure-reported", test_failure_reported);
  return g_test_run ();
}
