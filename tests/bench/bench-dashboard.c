/* bench-dashboard: the supervisor dashboard over N cards (default 100,000; make bench: 1,000,000).
 *
 * Fills a store on SQLite, on PostgreSQL or on both (bench-dashboard-fill.c: five days, five batches, rejects, re-feeds
 * and QA actions, in bulk SQL) and measures on each
 *   query: cl_dashboard_data_build (every figure, series and Pareto the dashboard shows), all batches, one batch and
 *          one station of the four (cl_dashboard_data_build_at)
 *   frame: snapshot of the dashboard view rendered to a texture with the window's GskRenderer and GTK's cairo
 *          renderer: a repaint (the charts queued for a redraw) and a frame after a data refresh (the series
 *          changed)
 *   qa:    the rejects list query, its serial/chip search (several terms) and one card's history
 * and prints mean and p95 in ms, both backends' medians side by side with their ratio, and the machine's load. Run
 * under a display, for PostgreSQL under the rig's pg part:
 *   rig-run --parts pg -- xvfb-run -a bench-dashboard [--store-backend sqlite|postgresql|both] [N_CARDS]
 * --check-rebuild (make check, small N): fills PostgreSQL through its yield triggers and checks that the bulk fill's
 * rebuild of the aggregate tables gives the same rows (bench_dashboard_check_rebuild); no display needed. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <time.h>

#include "cl-chart.h"
#include "cl-dashboard-model.h"
#include "cl-dashboard-view.h"
#include "cl-ui.h"
#include "store/cl-store-dashboard.h"
#include "store/cl-store-private.h"

#include "bench-common.h"
#include "bench-dashboard-fill.h"

#define QUERY_RUNS 10
#define FRAME_RUNS 60
/* Issue 14: a frame within one 60 Hz refresh, a query within 50 ms. */
#define FRAME_LIMIT_MS 16.0
#define QUERY_LIMIT_MS 50.0

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
static double
report_limit (const char *what, GArray *ms, double limit_ms)
{
  double total = 0;
  double median;

  g_array_sort (ms, compare_doubles);
  for (guint i = 0; i < ms->len; i++)
    total += g_array_index (ms, double, i);
  /* the median too: on a loaded machine (other builds on its cores) a few slow frames move the mean */
  median = g_array_index (ms, double, ms->len / 2);
  printf ("%-45s mean %8.2f ms   median %8.2f ms   p95 %8.2f ms   (n=%u)", what, total / ms->len, median,
          g_array_index (ms, double, MIN (ms->len - 1, (guint)(ms->len * 0.95))), ms->len);
  if (limit_ms > 0)
    printf ("   limit %.0f ms, ratio %.2f", limit_ms, total / ms->len / limit_ms);
  printf ("\n");
  return median;
}

static void
report (const char *what, GArray *ms)
{
  (void)report_limit (what, ms, 0);
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

/* The query figures compared between the backends: medians in ms. */
enum
{
  FIG_ALL,
  FIG_BATCH,
  FIG_STATION,
  FIG_REJECTS,
  FIG_SEARCH,
  FIG_HISTORY,
  FIG_SUMMARY,
  FIG_SPAN,
  FIG_SERIES,
  FIG_FINAL,
  FIG_FILL,
  FIG_STARTUP,
  N_FIGURES
};
static const char *const figure_names[N_FIGURES] = { "query: dashboard, all batches",
                                                     "query: dashboard, one batch",
                                                     "query: dashboard, one station (of 4)",
                                                     "query: rejects list",
                                                     "query: rejects serial/chip search",
                                                     "query: one card's history",
                                                     "part: yield summary",
                                                     "part: span",
                                                     "part: yield series",
                                                     "part: final yield series",
                                                     "fill (s, not ms)",
                                                     "start-up: open + queries" };

typedef struct
{
  const char *name; /* "SQLite", "PostgreSQL" */
  char *location;
  gboolean reuse;
  double figures[N_FIGURES];
} Backend;

static double
part_ms (gint64 since)
{
  return (g_get_monotonic_time () - since) / 1000.0;
}

/* The store's queries: the dashboard's, its parts, the QA views'. Returns the dashboard's data of all batches. */
static ClDashboardData *
measure_queries (ClStore *store, Backend *backend, guint n_cards)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  ClDashboardData *data = NULL;
  gint64 t;

  /* every batch at every station, one batch, every batch at one station */
  for (guint scope = 0; scope < 3; scope++)
    {
      guint fig = scope == 0 ? FIG_ALL : scope == 1 ? FIG_BATCH : FIG_STATION;
      g_autofree char *what = g_strdup_printf ("%s %s", backend->name, figure_names[fig]);

      g_array_set_size (ms, 0);
      for (guint i = 0; i < QUERY_RUNS; i++)
        {
          ClDashboardData *built;

          t = g_get_monotonic_time ();
          built = cl_dashboard_data_build_at (store, scope == 1 ? 3 : 0, scope == 2 ? "bench-1" : NULL, &error);
          g_assert_no_error (error);
          add_ms (ms, t);
          if (scope == 0 && data == NULL)
            data = built;
          else
            cl_dashboard_data_free (built);
        }
      backend->figures[fig] = report_limit (what, ms, QUERY_LIMIT_MS);
    }
  /* the parts, for every station (the figures compared) and for one */
  for (guint at = 0; at < 2; at++)
    {
      const char *station = at == 0 ? NULL : "bench-1";
      double part[4];
      gint64 from, to, bucket;
      g_autoptr (ClYieldSummary) summary = NULL;
      g_autoptr (GArray) series = NULL;
      g_autoptr (GArray) final = NULL;

      t = g_get_monotonic_time ();
      summary = cl_store_yield_summary_at (store, 0, station, 0, 0, &error);
      part[0] = part_ms (t);
      t = g_get_monotonic_time ();
      cl_store_production_span_at (store, 0, station, &from, &to, &error);
      part[1] = part_ms (t);
      /* as cl_dashboard_data_build asks: buckets on whole multiples of their length */
      bucket = cl_dashboard_bucket_for_span (to - from);
      from -= from % bucket;
      t = g_get_monotonic_time ();
      series = cl_store_yield_series_at (store, 0, station, from, to + 1, bucket, &error);
      part[2] = part_ms (t);
      t = g_get_monotonic_time ();
      final = cl_store_final_yield_series_at (store, 0, station, from, to + 1, bucket, &error);
      part[3] = part_ms (t);
      g_assert_no_error (error);
      printf ("  part%s%s: yield summary %.1f ms, span %.1f ms, yield series %.1f ms, final yield series %.1f ms\n",
              station ? " at " : "", station ? station : "", part[0], part[1], part[2], part[3]);
      if (station == NULL)
        {
          backend->figures[FIG_SUMMARY] = part[0];
          backend->figures[FIG_SPAN] = part[1];
          backend->figures[FIG_SERIES] = part[2];
          backend->figures[FIG_FINAL] = part[3];
        }
    }
  {
    ClRejectQuery query = { .reason = -1 };
    /* What an operator types: part of a serial (the fill's DE%08d), a whole one, part of a chip, one to two
     * characters (below the trigram index's three), and a term that matches no card (every row looked at). */
    static const char *const terms[] = { "DE0000", "DE00012345", "0001A2", "5", "E9", "ZZZ", "Q" };
    g_autofree char *rejects = g_strdup_printf ("%s %s", backend->name, figure_names[FIG_REJECTS]);
    g_autofree char *searches = g_strdup_printf ("%s %s", backend->name, figure_names[FIG_SEARCH]);
    g_autofree char *history = g_strdup_printf ("%s %s", backend->name, figure_names[FIG_HISTORY]);

    g_array_set_size (ms, 0);
    for (guint i = 0; i < QUERY_RUNS; i++)
      {
        g_autoptr (GPtrArray) rows = NULL;

        t = g_get_monotonic_time ();
        rows = cl_store_reject_search (store, &query, &error);
        g_assert_no_error (error);
        add_ms (ms, t);
      }
    report ("  the list as read before the view's pages (up to 10,000 rows)", ms);
    g_array_set_size (ms, 0);
    query.limit = CL_REJECTS_PAGE_FIRST;
    for (guint i = 0; i < QUERY_RUNS; i++)
      {
        g_autoptr (GPtrArray) rows = NULL;
        gboolean more;

        t = g_get_monotonic_time ();
        rows = cl_store_reject_search_page (store, &query, &more, &error);
        g_assert_no_error (error);
        add_ms (ms, t);
      }
    backend->figures[FIG_REJECTS] = report_limit (rejects, ms, QUERY_LIMIT_MS);
    g_array_set_size (ms, 0);
    for (guint term = 0; term < G_N_ELEMENTS (terms); term++)
      {
        g_autoptr (GArray) one = g_array_new (FALSE, FALSE, sizeof (double));
        g_autoptr (GArray) whole = g_array_new (FALSE, FALSE, sizeof (double));
        g_autofree char *what = NULL;
        g_autofree char *before = NULL;
        guint found = 0, found_whole = 0;
        gboolean more = FALSE;

        /* as the view asks (its first page and one row more), and as it asked before it had pages */
        for (guint i = 0; i < QUERY_RUNS; i++)
          {
            ClRejectQuery search = { .reason = -1, .include_closed = TRUE, .search = terms[term] };
            g_autoptr (GPtrArray) rows = NULL;

            t = g_get_monotonic_time ();
            rows = cl_store_reject_search (store, &search, &error);
            g_assert_no_error (error);
            add_ms (whole, t);
            found_whole = rows->len;
            g_clear_pointer (&rows, g_ptr_array_unref);
            search.limit = CL_REJECTS_PAGE_FIRST;
            t = g_get_monotonic_time ();
            rows = cl_store_reject_search_page (store, &search, &more, &error);
            g_assert_no_error (error);
            add_ms (one, t);
            g_array_append_val (ms, g_array_index (one, double, i));
            found = rows->len;
          }
        before
          = g_strdup_printf ("  search \"%s\" as read before the view's pages (%u rows)", terms[term], found_whole);
        report (before, whole);
        what
          = g_strdup_printf ("  search \"%s\" (%u rows%s)", terms[term], found, more ? ", older ones match too" : "");
        report (what, one);
      }
    backend->figures[FIG_SEARCH] = report_limit (searches, ms, QUERY_LIMIT_MS);
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
    backend->figures[FIG_HISTORY] = report_limit (history, ms, QUERY_LIMIT_MS);
  }
  return data;
}

/* Opens the backend's store, fills it unless it is reused, prints its yield figures. */
static ClStore *
open_filled (Backend *backend, guint n_cards)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = cl_store_open (backend->location, &error);
  g_autoptr (ClYieldSummary) s = NULL;
  gint64 t = g_get_monotonic_time ();

  if (store == NULL)
    g_error ("bench-dashboard: %s store %s: %s", backend->name, backend->location, error->message);
  if (!backend->reuse)
    {
      s = cl_store_yield_summary (store, 0, 0, 0, &error);
      g_assert_no_error (error);
      if (s->fed > 0)
        g_error ("bench-dashboard: the %s store %s already holds attempts: give it an empty one", backend->name,
                 backend->location);
      g_clear_pointer (&s, cl_yield_summary_free);
      printf ("%s: filling %u cards...\n", backend->name, n_cards);
      bench_dashboard_fill (store, n_cards);
    }
  backend->figures[FIG_FILL] = (g_get_monotonic_time () - t) / 1e6;
  s = cl_store_yield_summary (store, 0, 0, 0, &error);
  g_assert_no_error (error);
  printf ("%s: %s %u cards in %.1f s: %" G_GUINT64_FORMAT " attempts fed, %" G_GUINT64_FORMAT
          " rejected, %" G_GUINT64_FORMAT " recovered, first-pass %.1f %%, final %.1f %%\n",
          backend->name, backend->reuse ? "reused a store of" : "filled", n_cards, backend->figures[FIG_FILL], s->fed,
          s->rejected, s->recovered, s->first_pass_yield * 100, s->final_yield * 100);
  return g_steal_pointer (&store);
}

/* Start-up: what a station opening this store goes through before the dashboard's first frame shows its figures:
 * the store opened (schema checked, migrations none), the dashboard's queries, a new window with the view, and
 * that window's first paint. The store's pages are in the page cache from the runs before (a warm start). */
static void
measure_startup (Backend *backend)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClDashboardModel) first_model = cl_dashboard_model_new (NULL);
  g_autoptr (ClStore) store = NULL;
  ClDashboardData *first_data;
  GtkWidget *first_window, *first_view;
  gint64 t0 = g_get_monotonic_time (), t_open, t_query;
  double total;

  store = cl_store_open (backend->location, &error);
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
  total = part_ms (t0);
  backend->figures[FIG_STARTUP] = (t_query - t0) / 1000.0;
  printf ("%s start-up: first frame %.1f ms after opening the store (limit 1000 ms, ratio %.2f): store open %.1f ms, "
          "dashboard queries %.1f ms, window to first paint %.1f ms\n",
          backend->name, total, total / 1000.0, (t_open - t0) / 1000.0, (t_query - t_open) / 1000.0, part_ms (t_query));
  gtk_window_destroy (GTK_WINDOW (first_window));
}

static void
print_side_by_side (const Backend *backends, guint n)
{
  if (n < 2)
    return;
  printf ("\nside by side (medians in ms; the fill in s)         %12s %12s   ratio %s/%s\n", backends[0].name,
          backends[1].name, backends[1].name, backends[0].name);
  for (guint f = 0; f < N_FIGURES; f++)
    printf ("  %-49s %12.2f %12.2f   %.2f\n", figure_names[f], backends[0].figures[f], backends[1].figures[f],
            backends[0].figures[f] > 0 ? backends[1].figures[f] / backends[0].figures[f] : 0.0);
}

static G_NORETURN void
usage (void)
{
  g_printerr ("usage: bench-dashboard [--store-backend sqlite|postgresql|both] [--check-rebuild] [N_CARDS]\n"
              "  postgresql: the rig's server (CARDLINE_TEST_PG_URI, an empty database; rig-run --parts pg)\n");
  exit (2);
}

int
main (int argc, char **argv)
{
  guint n_cards = 100000;
  const char *backend_arg = "sqlite";
  gboolean check_rebuild = FALSE;
  g_autoptr (GError) error = NULL;
  /* BENCH_DASHBOARD_STORE=PATH keeps the filled SQLite store there, and reuses it when it exists (no fill). */
  const char *kept = g_getenv ("BENCH_DASHBOARD_STORE");
  g_autofree char *dir = kept != NULL ? NULL : g_dir_make_tmp ("bench-dashboard-XXXXXX", NULL);
  g_autofree char *path = kept != NULL ? g_strdup (kept) : g_build_filename (dir, "store.db", NULL);
  Backend backends[2] = { { 0 } };
  guint n_backends = 0;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (ClDashboardModel) model = NULL;
  ClDashboardData *data = NULL;
  GtkWidget *window, *view;
  GskRenderer *renderer, *cairo_renderer;
  g_autoptr (GArray) cairo_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  BenchLoad load_start, load_end;
  gint64 t;

  /* the fill's progress shows as it happens when make bench's output goes to a pipe or a log */
  setvbuf (stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--store-backend") && i + 1 < argc)
      backend_arg = argv[++i];
    else if (g_str_equal (argv[i], "--check-rebuild"))
      check_rebuild = TRUE;
    else if (g_ascii_isdigit (argv[i][0]))
      n_cards = (guint)g_ascii_strtoull (argv[i], NULL, 10);
    else
      usage ();
  if (n_cards < 10)
    usage ();
  if (!check_rebuild && (g_str_equal (backend_arg, "sqlite") || g_str_equal (backend_arg, "both")))
    backends[n_backends++] = (Backend){ .name = "SQLite",
                                        .location = g_strdup (path),
                                        .reuse = kept != NULL && g_file_test (kept, G_FILE_TEST_EXISTS) };
  if (g_str_equal (backend_arg, "postgresql") || g_str_equal (backend_arg, "both") || check_rebuild)
    {
      const char *uri = g_getenv ("CARDLINE_TEST_PG_URI");

      if (uri == NULL)
        g_error ("bench-dashboard: CARDLINE_TEST_PG_URI is not set: run under tests/rig/rig-run --parts pg");
      /* BENCH_DASHBOARD_PG_REUSE=1: the database holds a store this bench filled before (a rig kept up by hand):
       * measured as it is, migrated first if it is of an older version (before and after a migration, one fill) */
      backends[n_backends++] = (Backend){ .name = "PostgreSQL",
                                          .location = g_strdup (uri),
                                          .reuse = g_getenv ("BENCH_DASHBOARD_PG_REUSE") != NULL };
    }
  if (n_backends == 0)
    usage ();
  /* The small mode make check runs: the PostgreSQL fill's rebuilt aggregates against the triggers'. */
  if (check_rebuild)
    {
      store = cl_store_open (backends[n_backends - 1].location, &error);
      g_assert_no_error (error);
      bench_dashboard_check_rebuild (store, n_cards);
      g_clear_object (&store);
      n_backends = 0;
    }
  if (n_backends == 0)
    goto out;

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
  bench_load_read (&load_start);
  for (guint b = 0; b < n_backends; b++)
    {
      store = open_filled (&backends[b], n_cards);
      if (data != NULL)
        cl_dashboard_data_free (data);
      data = measure_queries (store, &backends[b], n_cards);
      g_clear_object (&store);
    }
  printf ("the frames below show the %s store's figures (the view draws the same data from either backend)\n",
          backends[n_backends - 1].name);

  model = cl_dashboard_model_new (NULL);
  cl_dashboard_model_apply (model, g_steal_pointer (&data)); /* takes it */
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

  /* The same frames also through GTK's cairo renderer, the one the station uses (app/main.c sets GSK_RENDERER=cairo
   * unless the environment names another): under xvfb the window's GL renderer is Mesa's software GL. */
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
  report_limit ("frame: snapshot+render (cairo: station's)", cairo_ms, FRAME_LIMIT_MS);
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

  for (guint b = 0; b < n_backends; b++)
    measure_startup (&backends[b]);
  print_side_by_side (backends, n_backends);
  bench_load_read (&load_end);
  bench_load_print (&load_start, &load_end, "its children");

out:
  for (guint i = 0; kept == NULL && i < 3; i++)
    {
      static const char *const suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  if (dir != NULL)
    g_rmdir (dir);
  for (guint b = 0; b < G_N_ELEMENTS (backends); b++)
    g_free (backends[b].location);
  return 0;
}
