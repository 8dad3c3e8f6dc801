/* Unit tests of the relay transport: the card job's side on a worker thread, the HTTP side here, as
 * cardline-server drives them. Waits are keyed on the relay's own condition with deadlines, never on sleeps. */
#include "apdu/cl-card-channel.h"
#include "core/cl-error.h"
#include "remote/cl-ram-codec.h"
#include "remote/cl-relay-transport.h"

#define SECOND G_USEC_PER_SEC

typedef struct
{
  ClRelayTransport *relay;
  guint n_commands;
  GPtrArray *responses; /* of the batch */
  GError *error;
} Job;

static gpointer
run_batch (gpointer data)
{
  Job *job = data;
  g_autoptr (ClCardChannel) channel = cl_card_channel_new (CL_TRANSPORT (job->relay));
  g_autoptr (GPtrArray) apdus = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_apdu_free);

  cl_relay_transport_notify (job->relay, "loading", 3);
  for (guint i = 0; i < job->n_commands; i++)
    g_ptr_array_add (apdus, cl_apdu_new (0x80, 0xE8, 0x00, (guint8)i, (const guint8 *)"abc", 3, 0));
  job->responses = cl_card_channel_transmit_batch (channel, apdus, NULL, &job->error);
  cl_relay_transport_finish (job->relay);
  return NULL;
}

static GPtrArray *
take (ClRelayTransport *relay, gboolean *finished)
{
  return cl_relay_transport_take_items (relay, g_get_monotonic_time () + 10 * SECOND, finished);
}

/* The client's answers: 90 00 for each command, a card error after `good` of them when good >= 0. */
static GPtrArray *
answers_for (GPtrArray *items, gint good)
{
  GPtrArray *answers = cl_ram_items_new ();
  g_autoptr (GBytes) ok = g_bytes_new_static ("\x90\x00", 2);
  gint n = 0;

  for (guint i = 0; i < items->len; i++)
    {
      const ClRamItem *item = g_ptr_array_index (items, i);

      if (item->kind != CL_RAM_ITEM_COMMAND)
        continue;
      if (good >= 0 && n == good)
        {
          g_ptr_array_add (answers, cl_ram_item_new_card_error ("Card was removed."));
          break;
        }
      g_ptr_array_add (answers, cl_ram_item_new_response (ok));
      n++;
    }
  return answers;
}

static void
test_batch_split (void)
{
  g_autoptr (GBytes) atr = g_bytes_new_static ("\x3B\x80\x80\x01\x01", 5);
  g_autoptr (ClRelayTransport) relay = cl_relay_transport_new (atr, TRUE, 10 * SECOND);
  Job job = { relay, 130, NULL, NULL };
  GThread *worker = g_thread_new ("job", run_batch, &job);
  g_autoptr (GPtrArray) first = NULL, second = NULL, last = NULL, a1 = NULL, a2 = NULL;
  g_autoptr (GError) error = NULL;
  gboolean finished = FALSE;

  /* the notify first, then the most C-APDUs one template may carry */
  first = take (relay, &finished);
  g_assert_false (finished);
  g_assert_cmpint (((ClRamItem *)g_ptr_array_index (first, 0))->kind, ==, CL_RAM_ITEM_NOTIFY);
  g_assert_cmpuint (cl_ram_items_count (first, CL_RAM_ITEM_COMMAND), ==, CL_RAM_MAX_COMMANDS);
  a1 = answers_for (first, -1);
  g_assert_true (cl_relay_transport_answer (relay, a1, &error));
  second = take (relay, &finished);
  g_assert_cmpuint (cl_ram_items_count (second, CL_RAM_ITEM_COMMAND), ==, 3);
  a2 = answers_for (second, -1);
  g_assert_true (cl_relay_transport_answer (relay, a2, &error));
  last = take (relay, &finished);
  g_assert_true (finished);
  g_assert_cmpuint (last->len, ==, 0);
  g_thread_join (worker);
  g_assert_no_error (job.error);
  g_assert_cmpuint (job.responses->len, ==, 130);
  g_assert_cmpuint (cl_relay_transport_get_round_trips (relay), ==, 2);
  g_ptr_array_unref (job.responses);
}

static void
test_card_error (void)
{
  g_autoptr (GBytes) atr = g_bytes_new_static ("\x3B\x80\x80\x01\x01", 5);
  g_autoptr (ClRelayTransport) relay = cl_relay_transport_new (atr, TRUE, 10 * SECOND);
  Job job = { relay, 5, NULL, NULL };
  GThread *worker = g_thread_new ("job", run_batch, &job);
  g_autoptr (GPtrArray) items = NULL, answers = NULL, after = NULL;
  g_autoptr (GError) error = NULL;
  gboolean finished = FALSE;

  items = take (relay, &finished);
  g_assert_cmpuint (cl_ram_items_count (items, CL_RAM_ITEM_COMMAND), ==, 5);
  answers = answers_for (items, 2);
  g_assert_true (cl_relay_transport_answer (relay, answers, &error));
  after = take (relay, &finished);
  g_assert_true (finished);
  g_thread_join (worker);
  /* the card went away in the middle: the batch fails as for a pulled card */
  g_assert_error (job.error, CL_ERROR, CL_ERROR_CARD_REMOVED);
  g_assert_null (job.responses);
  g_error_free (job.error);
}

static void
test_answers_do_not_fit (void)
{
  g_autoptr (GBytes) atr = g_bytes_new_static ("\x3B\x80\x80\x01\x01", 5);
  g_autoptr (ClRelayTransport) relay = cl_relay_transport_new (atr, TRUE, 10 * SECOND);
  Job job = { relay, 4, NULL, NULL };
  GThread *worker = g_thread_new ("job", run_batch, &job);
  g_autoptr (GPtrArray) items = NULL, answers = NULL;
  g_autoptr (GError) error = NULL;
  gboolean finished = FALSE;

  items = take (relay, &finished);
  answers = answers_for (items, -1);
  g_ptr_array_remove_index (answers, 0); /* three answers to four commands, and no card error */
  g_assert_false (cl_relay_transport_answer (relay, answers, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_thread_join (worker);
  g_assert_error (job.error, CL_ERROR, CL_ERROR_CARD_REMOVED);
  g_error_free (job.error);
}

static void
test_client_gone (void)
{
  g_autoptr (GBytes) atr = g_bytes_new_static ("\x3B\x80\x80\x01\x01", 5);
  /* a client that never answers: the job's wait ends after the answer timeout */
  g_autoptr (ClRelayTransport) relay = cl_relay_transport_new (atr, TRUE, SECOND / 5);
  Job job = { relay, 1, NULL, NULL };
  GThread *worker = g_thread_new ("job", run_batch, &job);
  g_autoptr (GPtrArray) items = NULL;
  gboolean finished = FALSE;

  items = take (relay, &finished);
  g_assert_cmpuint (cl_ram_items_count (items, CL_RAM_ITEM_COMMAND), ==, 1);
  g_thread_join (worker);
  g_assert_error (job.error, CL_ERROR, CL_ERROR_CARD_REMOVED);
  g_error_free (job.error);
}

static void
test_budget (void)
{
  g_autoptr (GBytes) atr = g_bytes_new_static ("\x3B\x80\x80\x01\x01", 5);
  g_autoptr (ClRelayTransport) relay = cl_relay_transport_new (atr, TRUE, 10 * SECOND);
  g_autoptr (GPtrArray) items = NULL;
  gboolean finished = TRUE;
  gint64 start = g_get_monotonic_time ();

  const ClRamItem *item;

  /* a job that has nothing to send (the HSM is slow): the POST is answered when its budget is spent, with a notify
   * that says why nothing happens (not an empty template) */
  items = cl_relay_transport_take_items (relay, start + SECOND / 10, &finished);
  g_assert_false (finished);
  g_assert_cmpuint (items->len, ==, 1);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->kind, ==, CL_RAM_ITEM_NOTIFY);
  g_assert_cmpint (item->id, >, 0);
  g_assert_cmpstr (item->text, ==, CL_RELAY_TRANSPORT_BUSY_TEXT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, SECOND / 10);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/relay-transport/batch-split", test_batch_split);
  g_test_add_func ("/relay-transport/card-error", test_card_error);
  g_test_add_func ("/relay-transport/answers-do-not-fit", test_answers_do_not_fit);
  g_test_add_func ("/relay-transport/client-gone", test_client_gone);
  g_test_add_func ("/relay-transport/budget", test_budget);
  return g_test_run ();
}
