#include "cl-test-widgets.h"

#include <adwaita.h>

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

/* A wait that takes longer than this is a hang, however loaded the machine. */
#define FRAME_TIMEOUT_S 30

/* How a failure names the widget: its type, a window's title, and what state it is in. */
static char *
describe (GtkWidget *widget)
{
  const char *title = GTK_IS_WINDOW (widget) ? gtk_window_get_title (GTK_WINDOW (widget)) : NULL;

  return g_strdup_printf ("%s%s%s%s (%s, %d×%d)", G_OBJECT_TYPE_NAME (widget), title != NULL ? " “" : "",
                          title != NULL ? title : "", title != NULL ? "”" : "",
                          gtk_widget_get_mapped (widget) ? "mapped" : "not mapped", gtk_widget_get_width (widget),
                          gtk_widget_get_height (widget));
}

static gboolean
set_flag (gpointer flag)
{
  *(gboolean *)flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until done (data). Everything these waits wait for (a map, a layout, a frame, an idle)
 * happens in a main-context dispatch, so a blocking iteration wakes for it, loaded machine or not; the deadline only
 * turns a hung UI into a failure naming widget, it is never what the wait waits for. */
static void
iterate_until (gboolean (*done) (gpointer), gpointer data, GtkWidget *widget, const char *what)
{
  gboolean expired = FALSE;
  guint deadline = g_timeout_add_seconds (FRAME_TIMEOUT_S, set_flag, &expired);

  while (!done (data))
    {
      if (expired)
        {
          g_autofree char *name = describe (widget);

          g_error ("%s: timed out after %d s waiting until %s", name, FRAME_TIMEOUT_S, what);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  if (!expired)
    g_source_remove (deadline);
}

static gboolean
is_set (gpointer flag)
{
  return *(gboolean *)flag;
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

/* Runs what the code under test queued on the main context so far (its g_idle_add ()s, a model's deferred update)
 * before going on: an idle of default idle priority runs once every source of that priority or higher that was
 * ready before it has. Waited for, not drained: a drain stops at the first moment nothing is ready, which on a busy
 * machine is luck. */
static void
settle (GtkWidget *widget)
{
  gboolean ran = FALSE;

  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, set_flag, &ran, NULL);
  iterate_until (is_set, &ran, widget, "the main loop has run the work queued so far");
}

typedef struct
{
  GtkWidget *widget;
  GskRenderNode *node; /* what the widget was painted with, taken in the frame that painted it */
  int width, height;
} Frame;

/* A frame of the widget's clock has been painted. The render node the widget was just painted with is its cached one
 * until anything queues a draw, so it is taken here, not after more main-loop work (a late worker result, a style
 * change) may have dropped it. No node: this frame did not paint the widget (not yet allocated, its surface not yet
 * shown): ask for another. */
static void
on_after_paint (GdkFrameClock *clock, Frame *frame)
{
  int width = gtk_widget_get_width (frame->widget);
  int height = gtk_widget_get_height (frame->widget);

  if (frame->node != NULL)
    return;
  if (gtk_widget_get_mapped (frame->widget) && width > 0 && height > 0)
    {
      /* made now, the paintable shows the widget's current render node, if it has one, and nothing otherwise */
      g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (frame->widget);
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      gdk_paintable_snapshot (paintable, snapshot, width, height);
      frame->node = gtk_snapshot_free_to_node (snapshot);
      frame->width = width;
      frame->height = height;
    }
  if (frame->node == NULL)
    gtk_widget_queue_draw (frame->widget);
}

static gboolean
has_node (gpointer frame)
{
  return ((Frame *)frame)->node != NULL;
}

/* Waits until widget is mapped, then asks for a frame and waits until one has painted widget with a non-zero size;
 * returns the render node it was painted with. */
static GskRenderNode *
paint_frame (GtkWidget *widget, int *width, int *height)
{
  Frame frame = { widget };
  GdkFrameClock *clock;
  gulong handler;

  /* mapped implies realized: the widget has its frame clock */
  iterate_until (is_mapped, widget, widget, "it is mapped");
  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &frame);
  /* drops the cached node: only a frame that paints widget from now on gives one */
  gtk_widget_queue_draw (widget);
  iterate_until (has_node, &frame, widget, "a frame paints it with a non-zero size");
  g_signal_handler_disconnect (clock, handler);
  *width = frame.width;
  *height = frame.height;
  return frame.node;
}

void
cl_test_wait_for_frame (GtkWidget *window)
{
  g_autoptr (GskRenderNode) node = NULL;
  int width, height;

  settle (window);
  node = paint_frame (window, &width, &height);
  /* what the frame itself queued (a list's rows bound, an adjustment's change) has run too, as callers expect */
  settle (window);
}

char *
cl_test_save_screenshot (GtkWidget *window, const char *name)
{
  const char *build_dir = g_getenv ("CARDLINE_BUILD_DIR");
  g_autofree char *dir = g_build_filename (build_dir != NULL ? build_dir : ".", "tests", "artifacts", NULL);
  g_autofree char *path = g_strdup_printf ("%s/%s.png", dir, name);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  int width, height;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  settle (window);
  /* the node of the frame that painted window, not the cached one later, which anything may have dropped by then */
  node = paint_frame (window, &width, &height);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
  g_print ("# screenshot: %s\n", path);
  return g_steal_pointer (&path);
}

void
cl_test_assert_inside (GtkWidget *widget, GtkWidget *outer, const char *what)
{
  graphene_rect_t bounds;
  double width = gtk_widget_get_width (outer), height = gtk_widget_get_height (outer);

  g_assert_true (gtk_widget_compute_bounds (widget, outer, &bounds));
  if (bounds.origin.x < 0 || bounds.origin.y < 0 || bounds.origin.x + bounds.size.width > width + 0.5
      || bounds.origin.y + bounds.size.height > height + 0.5 || bounds.size.width < 1 || bounds.size.height < 1)
    g_error ("%s at %.0f,%.0f %.0f×%.0f is not inside %s (%.0f×%.0f)", what, bounds.origin.x, bounds.origin.y,
             bounds.size.width, bounds.size.height, G_OBJECT_TYPE_NAME (outer), width, height);
}

const char *
cl_test_template_label (GtkWidget *widget, GType type, const char *id)
{
  GObject *child = gtk_widget_get_template_child (widget, type, id);

  g_assert_true (GTK_IS_LABEL (child));
  return gtk_label_get_text (GTK_LABEL (child));
}
