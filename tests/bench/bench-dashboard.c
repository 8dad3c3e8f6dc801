/* bench-dashboard: the supervisor dashboard over N cards (default 100,000; make bench: 1,000,000).
 *
 * Fills a store (bulk SQL in one transaction: the public API's durable per-call commits would measure the disk,
 * not the dashboard) with 100,000 cards over five days and five batches: every attempt with its steps and
 * disposition, ~8 % rejects over several reasons and steps, a third of them re-fed good, some recovered or
 * scrapped by QA. Then measures
 *   query: cl_dashboard_data_build (every figure, series and Pareto the dashboard shows), all batches and one
 *   frame: snapshot of the dashboard view rendered to a texture with the window's GskRenderer and GTK's cairo
 *          renderer: a repaint (the charts queued for a redraw) and a frame after a data refresh (the series
 *          changed)
 *   qa:    the rejects list query and one card's history
 * and prints mean and p95 in ms. Run under a display: xvfb-run -a bench-dashboard [N_CARDS] */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <time.h>

#include "cl-chart.h"
#include "cl-dashboard-model.h"
#include "cl-dashboard-view.h"
#include "cl-ui.h"
#include "store/cl-store-dashboard.h"
#include "store/cl-store-private.h"

#define QUERY_RUNS 10
#define FRAME_RUNS 60
/* Issue 14: a frame within one 60 Hz refresh, a query within 50 ms. */
#define FRAME_LIMIT_MS 16.0
#define QUERY_LIMIT_MS 50.0

static const ClRejectReason reasons[]
  = { CL_REJECT_NO_ATR,      CL_REJECT_AUTH_KST_FAILED, CL_REJECT_LOAD_FAILED,  CL_REJECT_INIT_FAILED,
      CL_REJECT_CERT_FAILED, CL_REJECT_VERIFY_FAILED,   CL_REJECT_CARD_REMOVED, CL_REJECT_TIMEOUT };
static const ClProductionStep reason_steps[]
  = { CL_STEP_IDENTIFY, CL_STEP_OPEN_KST, CL_STEP_LOAD_APPLET, CL_STEP_INIT_APPLET,
      CL_STEP_CERTIFY,  CL_STEP_VERIFY,   CL_STEP_ROTATE_KEYS, CL_STEP_CERTIFY };
static const gint64 step_ms[CL_PRODUCTION_STEP_COUNT] = { 120, 180, 60, 350, 2400, 1600, 900, 400, 0, 300 };

/* A pseudo-random step length in µs that both the attempt's end and the step's start compute alike. */
#define STEP_LENGTH(pid, s) "(k" s ".ms * 1000 + ((" pid " * 1103515245 + k" s ".s * 12345) % 200000))"

/* Bulk SQL in one transaction. The yield triggers are dropped for the fill and their aggregates rebuilt at the end
 * by the store's own migration that introduced them (cl_store_migrations[1]: drops the aggregate tables and the
 * triggers, recreates them and backfills from the rows), which is exactly what they would have accumulated; a
 * million rows through the triggers one by one took over 15 minutes. */
static void
fill (ClStore *store, guint n_cards)
{
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_real_time () - (gint64)5 * 24 * 3600 * G_USEC_PER_SEC;
  gint64 spacing = (gint64)5 * 24 * 3600 * G_USEC_PER_SEC / n_cards;
  gint64 first_batch = 0;
  g_autoptr (GString) sql = g_string_new (NULL);

  for (guint b = 0; b < 5; b++)
    {
      g_autofree char *name = g_strdup_printf ("BATCH-%u", b + 1);
      gint64 id = cl_store_batch_create (store, name, "bench.profile",
                                         "0000000000000000000000000000000000000000000000000000000000000000",
                                         n_cards / 5, "bench", &error);

      g_assert_no_error (error);
      if (b == 0)
        first_batch = id;
      g_assert_cmpint (id, ==, first_batch + b);
    }
  g_string_append (sql, "CREATE TEMP TABLE k (s INTEGER PRIMARY KEY, name TEXT NOT NULL, ms INTEGER NOT NULL);\n"
                        "CREATE TEMP TABLE f (f INTEGER PRIMARY KEY, reason TEXT NOT NULL, step INTEGER NOT NULL);\n");
  /* the steps a card goes through (the face is not printed here) */
  for (guint st = CL_STEP_IDENTIFY; st <= CL_STEP_DISPOSE; st++)
    if (st != CL_STEP_FACE)
      g_string_append_printf (sql, "INSERT INTO k VALUES (%u, '%s', %" G_GINT64_FORMAT ");\n", st,
                              cl_production_step_to_string (st), step_ms[st]);
  for (guint r = 0; r < G_N_ELEMENTS (reasons); r++)
    g_string_append_printf (sql, "INSERT INTO f VALUES (%u, '%s', %d);\n", r, cl_reject_reason_to_string (reasons[r]),
                            (int)reason_steps[r]);
  /* each card: ~8 % rejected first (fail), and fate for those: 0-2 re-fed good, 3 recovered by a QA re-test,
   * 4 scrapped, 5-9 left rejected */
  g_string_append_printf (
    sql,
    "CREATE TEMP TABLE gen AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %u) "
    "SELECT i, printf('4790%%012X', i) AS chip, printf('DE%%08d', i) AS serial, %" G_GINT64_FORMAT
    " + i * %" G_GINT64_FORMAT " AS started, %" G_GINT64_FORMAT " + i * 5 / %u AS batch, "
    "CASE WHEN abs(random()) %% 100 < 8 THEN abs(random()) %% %u END AS fail, abs(random()) %% 10 AS fate FROM n;\n",
    n_cards - 1, t0, spacing, first_batch, n_cards, (guint)G_N_ELEMENTS (reasons));
  g_string_append (
    sql,
    "INSERT INTO cards (chip_id, first_seen, last_seen, state, printed_serial) SELECT chip, started, started, "
    "CASE WHEN fail IS NULL OR fate <= 3 THEN 'GOOD' WHEN fate = 4 THEN 'SCRAPPED' ELSE 'REJECTED' END, "
    "CASE WHEN fail IS NULL OR fate < 3 THEN serial END FROM gen ORDER BY i;\n"
    /* every attempt: the first feed, a good re-feed an hour later, a good QA re-test two hours later */
    "CREATE TEMP TABLE plan (pid INTEGER PRIMARY KEY, chip TEXT, batch INTEGER, kind TEXT, started INTEGER, "
    "first INTEGER, fail INTEGER);\n"
    "INSERT INTO plan (chip, batch, kind, started, first, fail) SELECT chip, batch, kind, started, first, fail FROM ("
    "SELECT i, 0 AS o, chip, batch, 'PRODUCTION' AS kind, started, 1 AS first, fail FROM gen UNION ALL "
    "SELECT i, 1, chip, batch, 'PRODUCTION', started + 3600000000, 0, NULL FROM gen "
    "WHERE fail IS NOT NULL AND fate < 3 UNION ALL "
    "SELECT i, 1, chip, NULL, 'QA_RETEST', started + 7200000000, 0, NULL FROM gen WHERE fail IS NOT NULL AND fate = 3"
    ") ORDER BY i, o;\n"
    "CREATE INDEX plan_chip ON plan (chip, kind);\n"
    /* a rejected attempt ends at its failed step, without a dispose step */
    "CREATE TEMP VIEW plan_steps AS SELECT p.pid, p.started, p.fail, k.s, k.name, k.ms, f.step AS fail_step "
    "FROM plan p JOIN k LEFT JOIN f ON f.f = p.fail WHERE p.fail IS NULL OR k.s <= f.step;\n");
  g_string_append (
    sql,
    "INSERT INTO attempts (id, chip_id, batch_id, kind, station, reader, started, ended, result, reject_reason, "
    "failed_step, last_sw, first_attempt) SELECT p.pid, p.chip, p.batch, p.kind, 'bench', "
    "'Reader 0', p.started, p.started + (SELECT sum(" STEP_LENGTH (
      "p.pid",
      "") ") FROM k LEFT JOIN f ON f.f = p.fail "
          "WHERE p.fail IS NULL OR k.s <= f.step), CASE WHEN p.fail IS NULL THEN 'GOOD' ELSE 'REJECTED' END, "
          "(SELECT reason FROM f WHERE f.f = p.fail), (SELECT name FROM k JOIN f ON k.s = f.step WHERE f.f = p.fail), "
          "CASE WHEN p.fail IS NULL THEN 36864 ELSE 27010 END, p.first FROM plan p ORDER BY p.pid;\n"
          "INSERT INTO steps (attempt_id, step, started, duration_us, result, last_sw) SELECT ps.pid, ps.name, "
          "ps.started + coalesce((SELECT sum(" STEP_LENGTH (
            "ps.pid",
            "2") ") FROM k AS k2 WHERE "
                 "k2.s < ps.s), 0), (SELECT " STEP_LENGTH (
                   "ps.pid",
                   "3") " FROM k AS k3 WHERE k3.s = ps.s), CASE WHEN ps.s IS "
                        "ps.fail_step THEN 'FAILED' ELSE 'OK' END, CASE WHEN ps.s IS ps.fail_step THEN 27010 ELSE "
                        "36864 END "
                        "FROM plan_steps ps ORDER BY ps.pid, ps.s;\n"
                        "INSERT INTO dispositions (attempt_id, destination, decided) SELECT id, CASE result WHEN "
                        "'REJECTED' THEN "
                        "'REJECT_BIN' ELSE 'OUTPUT' END, ended FROM attempts ORDER BY id;\n"
                        "INSERT INTO qa_actions (chip_id, attempt_id, action, user_name, note, created) SELECT g.chip, "
                        "CASE WHEN g.fate = 3 THEN (SELECT pid FROM plan WHERE plan.chip = g.chip AND "
                        "plan.kind = 'QA_RETEST') END, CASE WHEN g.fate = 3 THEN 'RECOVER' ELSE 'SCRAP' END, 'qa', "
                        "CASE WHEN g.fate = 3 THEN 're-test good' ELSE 'cracked' END, g.started + 7300000000 FROM gen "
                        "g "
                        "WHERE g.fail IS NOT NULL AND g.fate IN (3, 4) ORDER BY g.i;\n"
                        "DROP VIEW plan_steps;\nDROP TABLE plan;\nDROP TABLE gen;\nDROP TABLE k;\nDROP TABLE f;\n");

  g_mutex_lock (&store->lock);
  /* a cache that holds the new pages until the commit, instead of spilling them to the WAL over and over */
  g_assert_true (cl_store_exec (store, "PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY", &error));
  g_assert_true (cl_store_exec (store, "BEGIN", &error));
  g_assert_true (cl_store_exec (store,
                                "DROP TRIGGER attempts_yield_insert; DROP TRIGGER attempts_yield_identify; "
                                "DROP TRIGGER attempts_yield_end; DROP TRIGGER steps_yield_insert; "
                                "DROP TRIGGER qa_actions_yield_insert",
                                &error));
  g_assert_no_error (error);
  /* statement by statement, timed: the fill's own cost shows where a larger store would spend its time */
  {
    g_auto (GStrv) parts = g_strsplit (sql->str, ";\n", -1);

    for (guint i = 0; parts[i] != NULL; i++)
      {
        gint64 t = g_get_monotonic_time ();

        if (*parts[i] == '\0')
          continue;
        g_assert_true (cl_store_exec (store, parts[i], &error));
        g_assert_no_error (error);
        if (g_get_monotonic_time () - t > G_USEC_PER_SEC)
          printf ("  fill: %.1f s  %.60s...\n", (g_get_monotonic_time () - t) / 1e6, parts[i]);
      }
  }
  {
    gint64 t = g_get_monotonic_time ();

    g_assert_true (cl_store_exec (store, cl_store_migrations[1], &error));
    g_assert_no_error (error);
    printf ("  fill: %.1f s  the yield aggregates rebuilt (cl_store_migrations[1])\n",
            (g_get_monotonic_time () - t) / 1e6);
  }
  g_assert_true (cl_store_exec (store, "COMMIT", &error));
  g_assert_true (cl_store_exec (store, "ANALYZE; PRAGMA cache_size = -2000", &error));
  g_mutex_unlock (&store->lock);
}

static void
add_ms (GArray *ms, gint64 since)
{
  double value = (double)(g_get_monotonic_time () - since) / 1000.0;

  g_array_append_val (ms, value);
}

/* This thread's CPU time in µs: what a frame costs, without the time other processes had its core (a loaded machine
 * stretches the wall time of every frame alike). */
static gint64
thread_cpu_us (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64)now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* limit_ms > 0: issue 14's limit for it, and the mean's ratio to it. */
static void
report_limit (const char *what, GArray *ms, double limit_ms)
{
  double total = 0;

  g_array_sort (ms, compare_doubles);
  for (guint i = 0; i < ms->len; i++)
    total += g_array_index (ms, double, i);
  /* the median too: on a loaded machine (other builds on its cores) a few slow frames move the mean */
  printf ("%-34s mean %8.2f ms   median %8.2f ms   p95 %8.2f ms   (n=%u)", what, total / ms->len,
          g_array_index (ms, double, ms->len / 2),
          g_array_index (ms, double, MIN (ms->len - 1, (guint)(ms->len * 0.95))), ms->len);
  if (limit_ms > 0)
    printf ("   limit %.0f ms, ratio %.2f", limit_ms, total / ms->len / limit_ms);
  printf ("\n");
}

static void
report (const char *what, GArray *ms)
{
  report_limit (what, ms, 0);
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
  /* BENCH_DASHBOARD_STORE=PATH keeps the filled store there, and reuses it when it exists (no fill). */
  const char *kept = g_getenv ("BENCH_DASHBOARD_STORE");
  gboolean reuse = kept != NULL && g_file_test (kept, G_FILE_TEST_EXISTS);
  g_autofree char *dir = kept != NULL ? NULL : g_dir_make_tmp ("bench-dashboard-XXXXXX", NULL);
  g_autofree char *path = kept != NULL ? g_strdup (kept) : g_build_filename (dir, "store.db", NULL);
  g_autoptr (ClStore) store = NULL;
  g_autoptr (GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (ClDashboardModel) model = NULL;
  ClDashboardData *data = NULL;
  GtkWidget *window, *view;
  GskRenderer *renderer, *cairo_renderer;
  g_autoptr (GArray) cairo_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 t;

  gtk_init ();
  adw_init ();
  cl_ui_init ();
  /* cardline's stylesheet, which AdwApplication loads for the station from its resources: the frames measured are
   * the station's, cards and charts styled as it shows them */
  {
    g_autoptr (GtkCssProvider) style = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (style, "/org/cardline/Cardline/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (style),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  store = cl_store_open (path, &error);
  g_assert_no_error (error);
  t = g_get_monotonic_time ();
  if (!reuse)
    fill (store, n_cards);
  {
    g_autoptr (ClYieldSummary) s = cl_store_yield_summary (store, 0, 0, 0, &error);

    printf ("%s %u cards in %.1f s: %" G_GUINT64_FORMAT " attempts fed, %" G_GUINT64_FORMAT
            " rejected, %" G_GUINT64_FORMAT " recovered, first-pass %.1f %%, final %.1f %%\n",
            reuse ? "reused a store of" : "filled", n_cards, (g_get_monotonic_time () - t) / 1e6, s->fed, s->rejected,
            s->recovered, s->first_pass_yield * 100, s->final_yield * 100);
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
      report_limit (scope == 0 ? "query: dashboard, all batches" : "query: dashboard, one batch", ms, QUERY_LIMIT_MS);
    }
  {
    gint64 from, to, bucket;
    g_autoptr (ClYieldSummary) summary = NULL;
    g_autoptr (GArray) series = NULL;
    g_autoptr (GArray) final = NULL;

    t = g_get_monotonic_time ();
    summary = cl_store_yield_summary (store, 0, 0, 0, &error);
    printf ("  part: yield summary %.1f ms\n", (g_get_monotonic_time () - t) / 1000.0);
    t = g_get_monotonic_time ();
    cl_store_production_span (store, 0, &from, &to, &error);
    printf ("  part: span %.1f ms\n", (g_get_monotonic_time () - t) / 1000.0);
    /* as cl_dashboard_data_build asks: buckets on whole multiples of their length */
    bucket = cl_dashboard_bucket_for_span (to - from);
    from -= from % bucket;
    t = g_get_monotonic_time ();
    series = cl_store_yield_series (store, 0, from, to + 1, bucket, &error);
    printf ("  part: yield series %.1f ms\n", (g_get_monotonic_time () - t) / 1000.0);
    t = g_get_monotonic_time ();
    final = cl_store_final_yield_series (store, 0, from, to + 1, bucket, &error);
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
    report_limit ("query: rejects list / serial search", ms, QUERY_LIMIT_MS);
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
    report_limit ("query: one card's history", ms, QUERY_LIMIT_MS);
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

  /* The same frames also through GTK's CPU renderer: under xvfb the window's GL renderer is Mesa's software GL, which
   * no station with a graphics chip uses; cairo is the renderer without one. */
  cairo_renderer = gsk_cairo_renderer_new ();
  g_assert_true (gsk_renderer_realize (cairo_renderer, gtk_native_get_surface (GTK_NATIVE (window)), &error));
  g_array_set_size (ms, 0);
  for (guint i = 0; i < FRAME_RUNS; i++)
    {
      /* Offscreen: the window's paintable (its render node tree, charts redrawn) to a texture. */
      g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (window);
      GtkSnapshot *snapshot = gtk_snapshot_new ();
      g_autoptr (GskRenderNode) node = NULL;
      g_autoptr (GdkTexture) texture = NULL;
      g_autoptr (GdkTexture) cairo_texture = NULL;
      int width = gtk_widget_get_width (window), height = gtk_widget_get_height (window);
      gint64 snapshot_us, rendered, cpu, snapshot_cpu_us;
      double frame_cpu_ms;

      /* The paintable follows the widget's last frame: let one paint after the charts' redraw, then time
       * building the node tree and rendering it to a texture with the window's GskRenderer. */
      queue_draw_charts (view);
      wait_for_paint (window);
      t = g_get_monotonic_time ();
      cpu = thread_cpu_us ();
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
      g_assert_nonnull (node);
      snapshot_us = g_get_monotonic_time () - t;
      snapshot_cpu_us = thread_cpu_us () - cpu;
      texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
      add_ms (ms, t);
      rendered = g_get_monotonic_time ();
      cpu = thread_cpu_us ();
      cairo_texture = gsk_renderer_render_texture (cairo_renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
      add_ms (cairo_ms, rendered - snapshot_us);
      frame_cpu_ms = (thread_cpu_us () - cpu + snapshot_cpu_us) / 1000.0;
      g_array_append_val (cpu_ms, frame_cpu_ms);
      if (i == 0)
        {
          g_autofree char *png = g_build_filename (g_get_tmp_dir (), "bench-dashboard.png", NULL);

          gdk_texture_save_to_png (texture, png);
          printf ("frame saved to %s\n", png);
        }
    }
  report_limit (G_OBJECT_TYPE (renderer) == GSK_TYPE_CAIRO_RENDERER ? "frame: snapshot+render (cairo)"
                                                                    : "frame: snapshot+render (GL)",
                ms, FRAME_LIMIT_MS);
  report_limit ("frame: snapshot+render (cairo)", cairo_ms, FRAME_LIMIT_MS);
  report_limit ("  the same, CPU time", cpu_ms, FRAME_LIMIT_MS);

  /* A frame after a data refresh (the dashboard's poll found new figures): every chart's series changed, the view's
   * node tree built again (the charts drawn, the rest of the view from GTK's cache) and rendered by the cairo
   * renderer. The frames above repaint without a change, as most of a station's frames do. */
  g_array_set_size (ms, 0);
  g_array_set_size (cpu_ms, 0);
  {
    g_autoptr (GPtrArray) charts = g_ptr_array_new ();
    int width = gtk_widget_get_width (view), height = gtk_widget_get_height (view);

    collect_charts (view, charts);
    for (guint i = 0; i < FRAME_RUNS; i++)
      {
        GtkSnapshot *snapshot = gtk_snapshot_new ();
        g_autoptr (GskRenderNode) node = NULL;
        g_autoptr (GdkTexture) texture = NULL;

        gint64 cpu = thread_cpu_us ();
        double frame_cpu_ms;

        t = g_get_monotonic_time ();
        for (guint c = 0; c < charts->len; c++)
          {
            GListModel *series = cl_chart_get_series (g_ptr_array_index (charts, c));

            for (guint s = 0; s < g_list_model_get_n_items (series); s++)
              {
                g_autoptr (ClChartSeries) one = g_list_model_get_item (series, s);

                g_signal_emit_by_name (one, "changed");
              }
          }
        gtk_widget_snapshot_child (window, view, snapshot);
        node = gtk_snapshot_free_to_node (snapshot);
        g_assert_nonnull (node);
        texture = gsk_renderer_render_texture (cairo_renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
        add_ms (ms, t);
        frame_cpu_ms = (thread_cpu_us () - cpu) / 1000.0;
        g_array_append_val (cpu_ms, frame_cpu_ms);
      }
  }
  report_limit ("frame after a data refresh (cairo)", ms, FRAME_LIMIT_MS);
  report_limit ("  the same, CPU time", cpu_ms, FRAME_LIMIT_MS);
  gsk_renderer_unrealize (cairo_renderer);
  g_clear_object (&cairo_renderer);

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

  /* Start-up: what a station opening this store goes through before the dashboard's first frame shows its figures:
   * the store opened (schema checked, migrations none), the dashboard's queries, a new window with the view, and
   * that window's first paint. The store's pages are in the page cache from the runs above (a warm start). */
  {
    g_autoptr (ClDashboardModel) first_model = cl_dashboard_model_new (NULL);
    ClDashboardData *first_data;
    GtkWidget *first_window, *first_view;
    gint64 t0 = g_get_monotonic_time (), t_open, t_query;

    store = cl_store_open (path, &error);
    g_assert_no_error (error);
    t_open = g_get_monotonic_time ();
    first_data = cl_dashboard_data_build (store, 0, &error);
    g_assert_no_error (error);
    t_query = g_get_monotonic_time ();
    cl_dashboard_model_apply (first_model, first_data); /* takes it */
    first_view = cl_dashboard_view_new ();
    cl_dashboard_view_set_model (CL_DASHBOARD_VIEW (first_view), first_model);
    first_window = gtk_window_new ();
    gtk_window_set_default_size (GTK_WINDOW (first_window), 1280, 800);
    gtk_window_set_child (GTK_WINDOW (first_window), first_view);
    gtk_window_present (GTK_WINDOW (first_window));
    while (!gtk_widget_get_realized (first_window))
      g_main_context_iteration (NULL, TRUE);
    wait_for_paint (first_window);
    printf ("start-up: first frame %.1f ms after opening the store (limit 1000 ms, ratio %.2f): store open %.1f ms, "
            "dashboard queries %.1f ms, window to first paint %.1f ms\n",
            (g_get_monotonic_time () - t0) / 1000.0, (g_get_monotonic_time () - t0) / 1000.0 / 1000.0,
            (t_open - t0) / 1000.0, (t_query - t_open) / 1000.0, (g_get_monotonic_time () - t_query) / 1000.0);
    gtk_window_destroy (GTK_WINDOW (first_window));
    g_clear_object (&store);
  }
  for (guint i = 0; kept == NULL && i < 3; i++)
    {
      static const char *const suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  if (dir != NULL)
    g_rmdir (dir);
  return 0;
}
