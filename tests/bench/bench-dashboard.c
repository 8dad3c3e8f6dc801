/* bench-dashboard: the supervisor dashboard over 100,000 cards.
 *
 * Fills a store (bulk SQL in one transaction: the public API's durable per-call commits would measure the disk,
 * not the dashboard) with 100,000 cards over five days and five batches: every attempt with its steps and
 * disposition, ~8 % rejects over several reasons and steps, a third of them re-fed good, some recovered or
 * scrapped by QA. Then measures
 *   query: cl_dashboard_data_build (every figure, series and Pareto the dashboard shows), all batches and one
 *   frame: snapshot of the dashboard view (charts redrawn) rendered to a texture with the window's GskRenderer
 *   qa:    the rejects list query and one card's history
 * and prints mean and p95 in ms. Run under a display: xvfb-run -a bench-dashboard [N_CARDS] */
#include <adwaita.h>
#include <glib/gstdio.h>

#include "cl-chart.h"
#include "cl-dashboard-model.h"
#include "cl-dashboard-view.h"
#include "cl-ui.h"
#include "store/cl-store-dashboard.h"
#include "store/cl-store-private.h"

#define QUERY_RUNS 10
#define FRAME_RUNS 60

static const ClRejectReason reasons[]
  = { CL_REJECT_NO_ATR,      CL_REJECT_AUTH_KST_FAILED, CL_REJECT_LOAD_FAILED,  CL_REJECT_INIT_FAILED,
      CL_REJECT_CERT_FAILED, CL_REJECT_VERIFY_FAILED,   CL_REJECT_CARD_REMOVED, CL_REJECT_TIMEOUT };
static const ClProductionStep reason_steps[]
  = { CL_STEP_IDENTIFY, CL_STEP_OPEN_KST, CL_STEP_LOAD_APPLET, CL_STEP_INIT_APPLET,
      CL_STEP_CERTIFY,  CL_STEP_VERIFY,   CL_STEP_ROTATE_KEYS, CL_STEP_CERTIFY };
static const gint64 step_ms[CL_PRODUCTION_STEP_COUNT] = { 120, 180, 60, 350, 2400, 1600, 900, 400, 0, 300 };

static sqlite3_stmt *
prepare (ClStore *store, const char *sql)
{
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *stmt = cl_store_prepare (store, sql, &error);

  g_assert_no_error (error);
  return stmt;
}

static void
step_done (sqlite3_stmt *stmt)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_error ("insert failed: %s", sqlite3_errmsg (sqlite3_db_handle (stmt)));
  sqlite3_reset (stmt);
}

static gint64
insert_attempt (ClStore *store, sqlite3_stmt *attempt, sqlite3_stmt *step, sqlite3_stmt *disposition, const char *chip,
                gint64 batch, const char *kind, gint64 started, gboolean first, gint fail)
{
  gint64 at = started, id;

  /* Steps first, against the id the attempt is about to get. */
  sqlite3_bind_text (attempt, 1, chip, -1, SQLITE_STATIC);
  if (batch > 0)
    sqlite3_bind_int64 (attempt, 2, batch);
  else
    sqlite3_bind_null (attempt, 2);
  sqlite3_bind_text (attempt, 3, kind, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (attempt, 4, started);
  for (guint s = CL_STEP_IDENTIFY; s <= CL_STEP_DISPOSE; s++)
    if (s != CL_STEP_FACE && !(fail >= 0 && s == CL_STEP_DISPOSE) && !(fail >= 0 && (gint)s > (gint)reason_steps[fail]))
      at += step_ms[s] * 1000 + g_random_int_range (0, 200000);
  sqlite3_bind_int64 (attempt, 5, at);
  sqlite3_bind_text (attempt, 6, fail >= 0 ? "REJECTED" : "GOOD", -1, SQLITE_STATIC);
  if (fail >= 0)
    {
      sqlite3_bind_text (attempt, 7, cl_reject_reason_to_string (reasons[fail]), -1, SQLITE_STATIC);
      sqlite3_bind_text (attempt, 8, cl_production_step_to_string (reason_steps[fail]), -1, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_null (attempt, 7);
      sqlite3_bind_null (attempt, 8);
    }
  sqlite3_bind_int (attempt, 9, fail >= 0 ? 0x6982 : 0x9000);
  sqlite3_bind_int (attempt, 10, first ? 1 : 0);
  step_done (attempt);
  id = sqlite3_last_insert_rowid (sqlite3_db_handle (attempt));

  at = started;
  for (guint s = CL_STEP_IDENTIFY; s <= CL_STEP_DISPOSE; s++)
    {
      gboolean failed = fail >= 0 && s == reason_steps[fail];
      gint64 length = step_ms[s] * 1000 + g_random_int_range (0, 200000);

      if (s == CL_STEP_FACE || (fail >= 0 && s == CL_STEP_DISPOSE))
        continue;
      if (fail >= 0 && (gint)s > (gint)reason_steps[fail])
        break;
      sqlite3_bind_int64 (step, 1, id);
      sqlite3_bind_text (step, 2, cl_production_step_to_string (s), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (step, 3, at);
      sqlite3_bind_int64 (step, 4, length);
      sqlite3_bind_text (step, 5, failed ? "FAILED" : "OK", -1, SQLITE_STATIC);
      sqlite3_bind_int (step, 6, failed ? 0x6982 : 0x9000);
      step_done (step);
      at += length;
    }
  sqlite3_bind_int64 (disposition, 1, id);
  sqlite3_bind_text (disposition, 2, fail >= 0 ? "REJECT_BIN" : "OUTPUT", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (disposition, 3, at);
  step_done (disposition);
  return id;
}

static void
fill (ClStore *store, guint n_cards)
{
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *card, *attempt, *step, *disposition, *qa;
  gint64 t0 = g_get_real_time () - (gint64)5 * 24 * 3600 * G_USEC_PER_SEC;
  gint64 spacing = (gint64)5 * 24 * 3600 * G_USEC_PER_SEC / n_cards;
  gint64 batches[5];

  for (guint b = 0; b < 5; b++)
    {
      g_autofree char *name = g_strdup_printf ("BATCH-%u", b + 1);

      batches[b] = cl_store_batch_create (store, name, "bench.profile",
                                          "0000000000000000000000000000000000000000000000000000000000000000",
                                          n_cards / 5, "bench", &error);
      g_assert_no_error (error);
    }
  g_mutex_lock (&store->lock);
  g_assert_true (cl_store_exec (store, "BEGIN", &error));
  card = prepare (store,
                  "INSERT INTO cards (chip_id, first_seen, last_seen, state, printed_serial) VALUES (?, ?, ?, ?, ?)");
  attempt = prepare (store, "INSERT INTO attempts (chip_id, batch_id, kind, station, reader, started, ended, result, "
                            "reject_reason, failed_step, last_sw, first_attempt) VALUES (?, ?, ?, 'bench', 'Reader 0', "
                            "?, ?, ?, ?, ?, ?, ?)");
  step = prepare (
    store, "INSERT INTO steps (attempt_id, step, started, duration_us, result, last_sw) VALUES (?, ?, ?, ?, ?, ?)");
  disposition = prepare (store, "INSERT INTO dispositions (attempt_id, destination, decided) VALUES (?, ?, ?)");
  qa = prepare (
    store,
    "INSERT INTO qa_actions (chip_id, attempt_id, action, user_name, note, created) VALUES (?, ?, ?, 'qa', ?, ?)");
  for (guint i = 0; i < n_cards; i++)
    {
      char chip[32], serial[32];
      gint64 started = t0 + (gint64)i * spacing;
      gint64 batch = batches[i * 5 / n_cards];
      gint fail = g_random_int_range (0, 100) < 8 ? g_random_int_range (0, G_N_ELEMENTS (reasons)) : -1;
      int fate = g_random_int_range (0, 10);
      const char *state = "GOOD";

      g_snprintf (chip, sizeof chip, "4790%012X", i);
      g_snprintf (serial, sizeof serial, "DE%08u", i);
      if (fail >= 0)
        state = fate < 3 ? "GOOD" : fate == 3 ? "GOOD" : fate == 4 ? "SCRAPPED" : "REJECTED";
      sqlite3_bind_text (card, 1, chip, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (card, 2, started);
      sqlite3_bind_int64 (card, 3, started);
      sqlite3_bind_text (card, 4, state, -1, SQLITE_STATIC);
      if (fail < 0 || fate < 3)
        sqlite3_bind_text (card, 5, serial, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (card, 5);
      step_done (card);
      insert_attempt (store, attempt, step, disposition, chip, batch, "PRODUCTION", started, TRUE, fail);
      if (fail < 0)
        continue;
      if (fate < 3) /* re-fed later, good */
        insert_attempt (store, attempt, step, disposition, chip, batch, "PRODUCTION",
                        started + (gint64)3600 * G_USEC_PER_SEC, FALSE, -1);
      else if (fate == 3 || fate == 4) /* QA: a good re-test recovers it, or it is scrapped */
        {
          gint64 retest = fate == 3 ? insert_attempt (store, attempt, step, disposition, chip, 0, "QA_RETEST",
                                                      started + (gint64)7200 * G_USEC_PER_SEC, FALSE, -1)
                                    : 0;

          sqlite3_bind_text (qa, 1, chip, -1, SQLITE_STATIC);
          if (retest > 0)
            sqlite3_bind_int64 (qa, 2, retest);
          else
            sqlite3_bind_null (qa, 2);
          sqlite3_bind_text (qa, 3, fate == 3 ? "RECOVER" : "SCRAP", -1, SQLITE_STATIC);
          sqlite3_bind_text (qa, 4, fate == 3 ? "re-test good" : "cracked", -1, SQLITE_STATIC);
          sqlite3_bind_int64 (qa, 5, started + (gint64)7300 * G_USEC_PER_SEC);
          step_done (qa);
        }
    }
  sqlite3_finalize (card);
  sqlite3_finalize (attempt);
  sqlite3_finalize (step);
  sqlite3_finalize (disposition);
  sqlite3_finalize (qa);
  g_assert_true (cl_store_exec (store, "COMMIT", &error));
  g_assert_true (cl_store_exec (store, "ANALYZE", &error));
  g_mutex_unlock (&store->lock);
}

static void
add_ms (GArray *ms, gint64 since)
{
  double value = (double)(g_get_monotonic_time () - since) / 1000.0;

  g_array_append_val (ms, value);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

static void
report (const char *what, GArray *ms)
{
  double total = 0;

  g_array_sort (ms, compare_doubles);
  for (guint i = 0; i < ms->len; i++)
    total += g_array_index (ms, double, i);
  printf ("%-34s mean %8.2f ms   p95 %8.2f ms   (n=%u)\n", what, total / ms->len,
          g_array_index (ms, double, MIN (ms->len - 1, (guint)(ms->len * 0.95))), ms->len);
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

static void
collect_charts (GtkWidget *root, GPtrArray *charts)
{
  if (CL_IS_CHART (root))
    g_ptr_array_add (charts, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_charts (child, charts);
}

static void
wait_for_paint (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  gboolean painted = FALSE;
  gulong handler = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (set_true), &painted);

  gtk_widget_queue_draw (window);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);
}

static void
queue_draw_charts (GtkWidget *root)
{
  if (CL_IS_CHART (root))
    gtk_widget_queue_draw (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    queue_draw_charts (child);
}

int
main (int argc, char **argv)
{
  guint n_cards = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-dashboard-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (ClStore) store = NULL;
  g_autoptr (GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (ClDashboardModel) model = NULL;
  ClDashboardData *data = NULL;
  GtkWidget *window, *view;
  GskRenderer *renderer;
  gint64 t;

  gtk_init ();
  adw_init ();
  cl_ui_init ();
  store = cl_store_open (path, &error);
  g_assert_no_error (error);
  t = g_get_monotonic_time ();
  fill (store, n_cards);
  {
    g_autoptr (ClYieldSummary) s = cl_store_yield_summary (store, 0, 0, 0, &error);

    printf ("filled %u cards in %.1f s: %" G_GUINT64_FORMAT " attempts fed, %" G_GUINT64_FORMAT
            " rejected, %" G_GUINT64_FORMAT " recovered, first-pass %.1f %%, final %.1f %%\n",
            n_cards, (g_get_monotonic_time () - t) / 1e6, s->fed, s->rejected, s->recovered, s->first_pass_yield * 100,
            s->final_yield * 100);
  }

  for (guint scope = 0; scope < 2; scope++)
    {
      g_array_set_size (ms, 0);
      for (guint i = 0; i < QUERY_RUNS; i++)
        {
          ClDashboardData *built;

          t = g_get_monotonic_time ();
          built = cl_dashboard_data_build (store, scope == 0 ? 0 : 3, &error);
          g_assert_no_error (error);
          add_ms (ms, t);
          if (scope == 0 && data == NULL)
            data = built;
          else
            cl_dashboard_data_free (built);
        }
      report (scope == 0 ? "query: dashboard, all batches" : "query: dashboard, one batch", ms);
    }
  {
    gint64 from, to;
    g_autoptr (ClYieldSummary) summary = NULL;
    g_autoptr (GArray) series = NULL;
    g_autoptr (GArray) final = NULL;

    t = g_get_monotonic_time ();
    summary = cl_store_yield_summary (store, 0, 0, 0, &error);
    printf ("  part: yield summary %.1f ms\n", (g_get_monotonic_time () - t) / 1000.0);
    t = g_get_monotonic_time ();
    cl_store_production_span (store, 0, &from, &to, &error);
    printf ("  part: span %.1f ms\n", (g_get_monotonic_time () - t) / 1000.0);
    t = g_get_monotonic_time ();
    series = cl_store_yield_series (store, 0, from, to + 1, cl_dashboard_bucket_for_span (to - from), &error);
    printf ("  part: yield series %.1f ms\n", (g_get_monotonic_time () - t) / 1000.0);
    t = g_get_monotonic_time ();
    final = cl_store_final_yield_series (store, 0, from, to + 1, cl_dashboard_bucket_for_span (to - from), &error);
    printf ("  part: final yield series %.1f ms\n", (g_get_monotonic_time () - t) / 1000.0);
  }
  {
    ClRejectQuery query = { .reason = -1 };
    ClRejectQuery search = { .reason = -1, .include_closed = TRUE, .search = "DE0000" };

    g_array_set_size (ms, 0);
    for (guint i = 0; i < QUERY_RUNS; i++)
      {
        g_autoptr (GPtrArray) rows = NULL;

        t = g_get_monotonic_time ();
        rows = cl_store_reject_search (store, i % 2 ? &search : &query, &error);
        g_assert_no_error (error);
        add_ms (ms, t);
      }
    report ("query: rejects list / serial search", ms);
    g_array_set_size (ms, 0);
    for (guint i = 0; i < QUERY_RUNS; i++)
      {
        g_autoptr (GPtrArray) events = NULL;
        char chip[32];

        g_snprintf (chip, sizeof chip, "4790%012X", g_random_int_range (0, (gint)n_cards));
        t = g_get_monotonic_time ();
        events = cl_store_card_history (store, chip, &error);
        g_assert_no_error (error);
        add_ms (ms, t);
      }
    report ("query: one card's history", ms);
  }

  model = cl_dashboard_model_new (NULL);
  cl_dashboard_model_apply (model, data);
  view = cl_dashboard_view_new ();
  cl_dashboard_view_set_model (CL_DASHBOARD_VIEW (view), model);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window) || gtk_widget_get_width (view) == 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  printf ("renderer: %s, view %d×%d\n", G_OBJECT_TYPE_NAME (renderer), gtk_widget_get_width (view),
          gtk_widget_get_height (view));

  g_array_set_size (ms, 0);
  for (guint i = 0; i < FRAME_RUNS; i++)
    {
      /* Offscreen: the window's paintable (its render node tree, charts redrawn) to a texture. */
      g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (window);
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      g_autoptr (GskRenderNode) node = NULL;
      g_autoptr (GdkTexture) texture = NULL;
      int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);

      /* The paintable follows the widget's last frame: let one paint after the charts' redraw, then time
       * building the node tree and rendering it to a texture with the window's GskRenderer. */
      queue_draw_charts (view);
      wait_for_paint (window);
      t = g_get_monotonic_time ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      g_assert_nonnull (node);
      texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
      add_ms (ms, t);
      if (i == 0)
        {
          g_autofree char *png = g_build_filename (g_get_tmp_dir (), "bench-dashboard.png", NULL);

          gdk_texture_save_to_png (texture, png);
          printf ("frame saved to %s\n", png);
        }
    }
  report ("frame: offscreen snapshot+render", ms);

  /* The charts' own drawing (what a data refresh costs on top of replaying the frame): every chart of the
   * view drawn with cl_chart_render into an image surface of its size. */
  g_array_set_size (ms, 0);
  {
    g_autoptr (GPtrArray) charts = g_ptr_array_new ();

    collect_charts (view, charts);
    for (guint i = 0; i < FRAME_RUNS; i++)
      {
        static const GdkRGBA fg = { 0, 0, 0, 1 };

        t = g_get_monotonic_time ();
        for (guint c = 0; c < charts->len; c++)
          {
            GtkWidget *chart = g_ptr_array_index (charts, c);
            int w = gtk_widget_get_width (chart), h = gtk_widget_get_height (chart);
            cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, MAX (w, 1), MAX (h, 1));
            cairo_t *cr = cairo_create (surface);

            cl_chart_render (CL_CHART (chart), cr, w, h, &fg);
            cairo_destroy (cr);
            cairo_surface_destroy (surface);
          }
        add_ms (ms, t);
      }
    printf ("charts drawn per frame: %u\n", charts->len);
  }
  report ("frame: all charts cl_chart_render", ms);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&store);
  for (guint i = 0; i < 3; i++)
    {
      static const char *const suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
  return 0;
}
