/* bench-store: records N cards (default 100000) the way the line does (attempt, identify, 8 steps, a PUT KEY
 * journal pair, end with disposition; ~5 % rejected and re-fed), then times the yield queries the dashboard
 * runs. Usage: bench-store [N] [DIR|postgresql://...]; the store is created in DIR (default: a temporary directory)
 * and removed, or is the PostgreSQL database of the URI (the rig's: tests/bench/run BUILDDIR store runs both), whose
 * cost per card is then the fleet's: a round trip to the server per statement instead of a file in the process. */
#include <glib/gstdio.h>

#include "store/cl-store.h"

#define HASH "0000000000000000000000000000000000000000000000000000000000000000"

static void
check (gboolean ok, GError *error)
{
  if (!ok)
    g_error ("bench-store: %s", error ? error->message : "failed");
}

static void
record_card (ClStore *store, gint64 batch, guint n, gint64 t, gboolean reject)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *chip = g_strdup_printf ("4790%08X", n);
  ClAttemptEnd end = { reject ? CL_ATTEMPT_REJECTED : CL_ATTEMPT_GOOD,
                       CL_REJECT_LOAD_FAILED,
                       CL_STEP_LOAD_APPLET,
                       reject ? 0x6A80 : 0x9000,
                       reject ? CL_DISPOSITION_REJECT_BIN : CL_DISPOSITION_OUTPUT,
                       t + 8 * G_USEC_PER_SEC };
  gint64 id = cl_store_attempt_begin (store, batch, CL_ATTEMPT_PRODUCTION, "line-1", "Reader 0", t, &error);
  gint64 intent;

  check (id > 0, error);
  check (cl_store_attempt_identify (store, id, chip, t, NULL, &error), error);
  for (guint s = CL_STEP_IDENTIFY; s <= CL_STEP_VERIFY; s++)
    {
      check (cl_store_attempt_add_step (store, id, (ClProductionStep)s, t + s * G_USEC_PER_SEC, 900000,
                                        CL_STEP_RESULT_OK, 0x9000, NULL, &error),
             error);
      if (s == CL_STEP_ROTATE_KEYS)
        {
          intent = cl_store_journal_intent (store, id, chip, CL_JOURNAL_PUT_KEY, 0x30, 0x01, NULL, &error);
          check (intent > 0, error);
          check (cl_store_journal_outcome (store, intent, CL_JOURNAL_DONE, NULL, &error), error);
        }
    }
  check (cl_store_attempt_end (store, id, &end, &error), error);
}

int
main (int argc, char **argv)
{
  guint n = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  g_autoptr (GError) error = NULL;
  gboolean pg = argc > 2 && g_str_has_prefix (argv[2], "postgresql:");
  g_autofree char *dir = argc > 2 ? g_strdup (argv[2]) : g_dir_make_tmp ("bench-store-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (GTimer) timer = g_timer_new ();
  g_autoptr (ClYieldSummary) summary = NULL;
  g_autoptr (GArray) series = NULL;
  gint64 batch, t0 = (gint64)1700000000 * G_USEC_PER_SEC;
  guint attempts = 0;
  double insert_s;

  check (dir != NULL, error);
  path = pg ? g_strdup (dir) : g_build_filename (dir, "bench.db", NULL);
  store = cl_store_open (path, &error);
  check (store != NULL, error);
  /* a place for every card and for every re-feed of a rejected one (one in 20), which keeps its place */
  batch = cl_store_batch_create (store, "BENCH", "smartcard-hsm", HASH, n + n / 20 + 1, "bench", &error);
  check (batch > 0, error);

  g_timer_start (timer);
  for (guint i = 0; i < n; i++)
    {
      gint64 t = t0 + (gint64)i * 10 * G_USEC_PER_SEC;
      gboolean reject = i % 20 == 7;

      record_card (store, batch, i, t, reject);
      attempts++;
      if (reject)
        {
          record_card (store, batch, i, t + 5 * G_USEC_PER_SEC, FALSE);
          attempts++;
        }
    }
  insert_s = g_timer_elapsed (timer, NULL);
  g_print ("bench-store: %s\n", pg ? "PostgreSQL (the URI given)" : "SQLite (WAL, synchronous FULL)");
  g_print ("bench-store: %u cards, %u attempts, %u steps in %.2f s: %.0f cards/s, %.0f attempts/s, "
           "%.2f ms per attempt (%u commits each%s)\n",
           n, attempts, attempts * 8, insert_s, n / insert_s, attempts / insert_s, insert_s * 1000 / attempts, 13,
           pg ? "" : ", 3 of them fsynced");

  g_timer_start (timer);
  summary = cl_store_yield_summary (store, batch, 0, 0, &error);
  check (summary != NULL, error);
  g_print ("bench-store: batch yield summary in %.1f ms (fed %" G_GUINT64_FORMAT ", good %" G_GUINT64_FORMAT
           ", first-pass %.3f)\n",
           g_timer_elapsed (timer, NULL) * 1000, summary->fed, summary->good, summary->first_pass_yield);
  g_clear_pointer (&summary, cl_yield_summary_free);
  g_timer_start (timer);
  summary = cl_store_yield_summary (store, 0, 0, 0, &error);
  check (summary != NULL, error);
  g_print ("bench-store: overall yield summary in %.1f ms\n", g_timer_elapsed (timer, NULL) * 1000);
  g_timer_start (timer);
  series = cl_store_yield_series (store, batch, t0, t0 + (gint64)n * 10 * G_USEC_PER_SEC + 1,
                                  (gint64)3600 * G_USEC_PER_SEC, &error);
  check (series != NULL, error);
  g_print ("bench-store: hourly series (%u buckets) in %.1f ms\n", series->len, g_timer_elapsed (timer, NULL) * 1000);

  g_clear_object (&store);
  if (argc <= 2)
    {
      const char *suffixes[] = { "", "-wal", "-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *p = g_strconcat (path, suffixes[i], NULL);
          g_unlink (p);
        }
      g_rmdir (dir);
    }
  return 0;
}
