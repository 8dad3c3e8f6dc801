#include "cl-test-widgets.h"

#include <adwaita.h>

#define FRAME_TIMEOUT_S 30

GtkWidget *
cl_test_find (GtkWidget *root, gboolean (*match) (GtkWidget *widget, gconstpointer data), gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cl_test_find (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_type (GtkWidget *widget, gconstpointer type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

GtkWidget *
cl_test_find_by_type (GtkWidget *root, GType type)
{
  return cl_test_find (root, is_type, GSIZE_TO_POINTER (type));
}

static gboolean
is_label (GtkWidget *widget, gconstpointer text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

GtkWidget *
cl_test_find_label (GtkWidget *root, const char *text)
{
  return cl_test_find (root, is_label, text);
}

static gboolean
is_row (GtkWidget *widget, gconstpointer title)
{
  return ADW_IS_ACTION_ROW (widget)
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0;
}

GtkWidget *
cl_test_find_row (GtkWidget *root, const char *title)
{
  return cl_test_find (root, is_row, title);
}

gboolean
cl_test_overlay_shows_toast (GtkWidget *overlay, const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (overlay); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_str_equal (G_OBJECT_TYPE_NAME (child), "AdwToastWidget") && cl_test_find_label (child, text) != NULL)
      return TRUE;
  return FALSE;
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

/* Iterates the main context until *flag or a mapped window; a hung UI fails the test instead of blocking it. */
static void
iterate_until (gboolean (*done) (gpointer), gpointer data, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + FRAME_TIMEOUT_S * G_USEC_PER_SEC;

  while (!done (data))
    {
      if (g_get_monotonic_time () >= deadline)
        g_error ("window not %s within %d s", what, FRAME_TIMEOUT_S);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static gboolean
is_mapped (gpointer window)
{
  return gtk_widget_get_mapped (window);
}

static gboolean
is_set (gpointer flag)
{
  return *(gboolean *)flag;
}

void
cl_test_wait_for_frame (GtkWidget *window)
{
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gulong handler;

  iterate_until (is_mapped, window, "mapped");
  clock = gtk_widget_get_frame_clock (window);
  g_assert_nonnull (clock);
  handler = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (set_true), &painted);
  gtk_widget_queue_draw (window);
  iterate_until (is_set, &painted, "painted");
  g_signal_handler_disconnect (clock, handler);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

char *
cl_test_save_screenshot (GtkWidget *window, const char *name)
{
  const char *build_dir = g_getenv ("CARDLINE_BUILD_DIR");
  g_autofree char *dir = g_build_filename (build_dir != NULL ? build_dir : ".", "tests", "artifacts", NULL);
  g_autofree char *path = g_strdup_printf ("%s/%s.png", dir, name);
  g_autoptr (GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  int width, height;

  cl_test_wait_for_frame (window);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  g_print ("# screenshot: %s\n", path);
  return g_steal_pointer (&path);
}
