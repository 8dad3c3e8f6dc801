/* A full rack of 16 readers in the Line view of a 1280×800 window (under Xvfb, no rig; test-line-tiles.c has them on
 * real production). The readers are driven through ClReader's transitions, what the line calls on the UI thread
 * for each typed event, including those production on the rig does not give (fault, gone, card data), with long
 * real-world reader names:
 *
 *   up to CL_LINE_VIEW_MAX_PANELS readers get full panels; one more and every reader is a tile; all 16 tiles are
 *   mapped and wholly inside the window and the view's scrolled area, with the counters bar on show; each tile's
 *   state word, icon class, chip, step and progress follow its reader (idle, producing, good, reject, fault, gone),
 *   the data row's display field when the card has one; a tile is focusable and names its reader; activating it
 *   opens that reader's detailed panel, the way back returns the focus to it; a reader that goes away while its
 *   panel is open takes the panel with it; back to 3 readers, full panels again. Screenshots in
 *   BUILD/tests/artifacts. */
#include <adwaita.h>
#include <string.h>

#include "cl-line-view.h"
#include "cl-reader-panel.h"
#include "cl-reader-tile.h"
#include "cl-test-widgets.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "station/cl-batch-counters.h"
#include "station/cl-event-log.h"
#include "station/cl-reader-list.h"

#define RACK   16
#define WIDTH  1280
#define HEIGHT 800

static const char *const plan[] = { "IDENTIFY",    "OPEN_KST", "CONFIGURE", "ROTATE_KEYS", "LOAD_APPLET",
                                    "INIT_APPLET", "CERTIFY",  "VERIFY",    "DISPOSE",     NULL };

static const char *
tile_label (ClReaderTile *tile, const char *id)
{
  return cl_test_template_label (GTK_WIDGET (tile), CL_TYPE_READER_TILE, id);
}

static GtkWidget *
tile_button (ClReaderTile *tile)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (tile), CL_TYPE_READER_TILE, "button"));
}

static guint
count_type (GtkWidget *root, GType type)
{
  guint n = G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_get_mapped (root);

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_type (child, type);
  return n;
}

static void
check_rack_shown (ClWindow *window, ClLineView *line, GListModel *stations)
{
  cl_test_wait_for_frame (GTK_WIDGET (window));
  /* the window's surface is the screen's size; the window widget inside it leaves room for its frame */
  g_assert_cmpint (gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (window))), ==, WIDTH);
  g_assert_cmpint (gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (window))), ==, HEIGHT);
  g_assert_cmpuint (count_type (GTK_WIDGET (line), CL_TYPE_READER_TILE), ==, g_list_model_get_n_items (stations));
  g_assert_cmpuint (count_type (GTK_WIDGET (line), CL_TYPE_READER_PANEL), ==, 0);
  for (guint i = 0; i < g_list_model_get_n_items (stations); i++)
    {
      g_autoptr (ClReader) reader = g_list_model_get_item (stations, i);
      ClReaderTile *tile = cl_line_view_get_tile (line, reader);

      g_assert_nonnull (tile);
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (tile)));
      cl_test_assert_inside (GTK_WIDGET (tile), GTK_WIDGET (window), cl_reader_get_name (reader));
      cl_test_assert_inside (GTK_WIDGET (tile), gtk_widget_get_ancestor (GTK_WIDGET (tile), GTK_TYPE_SCROLLED_WINDOW),
                             cl_reader_get_name (reader));
      /* focusable, and what it says starts with its reader */
      g_assert_true (gtk_widget_get_focusable (tile_button (tile)));
      g_assert_true (g_str_has_prefix (cl_reader_tile_get_accessible_text (tile), cl_reader_get_name (reader)));
    }
}

/* The tile says state in words, with the icon and colour class that go with it. */
static void
assert_tile (ClReaderTile *tile, const char *word, const char *css_class)
{
  g_assert_cmpstr (tile_label (tile, "state_label"), ==, word);
  g_assert_true (gtk_widget_has_css_class (tile_button (tile), css_class));
  g_assert_nonnull (strstr (cl_reader_tile_get_accessible_text (tile), word));
}

static void
on_activate (GtkApplication *app)
{
  g_autoptr (ClReaderList) stations = cl_reader_list_new ();
  g_autoptr (ClEventLog) events = cl_event_log_new (100);
  g_autoptr (ClBatchCounters) counters = cl_batch_counters_new ("rack-layout");
  g_autoptr (GPtrArray) readers = g_ptr_array_new_with_free_func (g_object_unref);
  ClWindow *window;
  ClLineView *line;
  GtkStack *stack;
  ClReader *producing, *good, *rejected, *fault, *gone, *with_row;
  ClReaderTile *tile;
  ClReaderPanel *panel;

  window = cl_window_new (app, G_LIST_MODEL (stations), G_LIST_MODEL (events));
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  g_object_set (gtk_widget_get_settings (GTK_WIDGET (window)), "gtk-enable-animations", FALSE, NULL);
  cl_window_set_batch_counters (window, counters);
  cl_batch_counters_set (counters, 2000, 0, 0, 0);
  gtk_window_present (GTK_WINDOW (window));
  cl_window_set_view (window, "line");
  line = CL_LINE_VIEW (cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_LINE_VIEW));
  stack = GTK_STACK (cl_test_find_by_type (GTK_WIDGET (line), GTK_TYPE_STACK));

  /* Readers as a real rack names them: long, alike but for their serial and slot. */
  for (guint i = 0; i < RACK; i++)
    {
      g_autofree char *name = g_strdup_printf (
        "Identiv uTrust 4701 F Dual Interface Reader [uTrust 4701 F CL Reader] (5369132421%04u) %02u 00", i, i);

      g_ptr_array_add (readers, cl_reader_new (name));
    }

  /* Up to CL_LINE_VIEW_MAX_PANELS readers: full panels, as before. */
  for (guint i = 0; i < CL_LINE_VIEW_MAX_PANELS; i++)
    cl_reader_list_add (stations, g_ptr_array_index (readers, i));
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "stations");
  g_assert_cmpuint (count_type (GTK_WIDGET (line), CL_TYPE_READER_PANEL), ==, CL_LINE_VIEW_MAX_PANELS);
  g_assert_cmpuint (count_type (GTK_WIDGET (line), CL_TYPE_READER_TILE), ==, 0);
  g_assert_null (cl_line_view_get_tile (line, g_ptr_array_index (readers, 0)));
  /* there is nothing to open over full panels */
  cl_line_view_show_reader (line, g_ptr_array_index (readers, 0));
  g_assert_null (cl_line_view_get_shown_reader (line));

  /* The full rack: 16 tiles. */
  for (guint i = CL_LINE_VIEW_MAX_PANELS; i < RACK; i++)
    cl_reader_list_add (stations, g_ptr_array_index (readers, i));
  check_rack_shown (window, line, G_LIST_MODEL (stations));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "tiles");
  /* the tiles reflow: they do not make the window wider than a small laptop's screen */
  {
    int minimum = 0;

    gtk_widget_measure (GTK_WIDGET (line), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    g_print ("# Line view minimum width with tiles: %d\n", minimum);
    g_assert_cmpint (minimum, <=, 1024);
  }
  tile = cl_line_view_get_tile (line, g_ptr_array_index (readers, 0));
  assert_tile (tile, "Idle", "tile-idle");
  g_assert_cmpstr (tile_label (tile, "chip_label"), ==, "—");
  g_assert_false (gtk_widget_get_visible (
    GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (tile), CL_TYPE_READER_TILE, "row_label"))));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-line-rack-idle"));

  /* Every reader with a card in production, the same transitions the line makes; then each its own way. */
  for (guint i = 0; i < RACK; i++)
    {
      ClReader *reader = g_ptr_array_index (readers, i);
      g_autofree char *chip = g_strdup_printf ("4790516776007450%04u", i);

      cl_reader_card_inserted (reader, "3B8A80010031C173C8400000900090", NULL);
      cl_reader_card_started (reader, plan);
      cl_reader_set_chip_id (reader, chip);
      cl_reader_step_started (reader, "IDENTIFY");
      cl_reader_step_ended (reader, "IDENTIFY", CL_READER_STEP_OK, 2100, 0x9000, NULL);
      cl_reader_step_started (reader, "OPEN_KST");
    }
  cl_batch_counters_set (counters, 2000, RACK, 0, 0);
  producing = g_ptr_array_index (readers, 0);
  good = g_ptr_array_index (readers, 1);
  rejected = g_ptr_array_index (readers, 2);
  fault = g_ptr_array_index (readers, 3);
  gone = g_ptr_array_index (readers, 4);
  with_row = g_ptr_array_index (readers, 5);
  check_rack_shown (window, line, G_LIST_MODEL (stations));
  tile = cl_line_view_get_tile (line, producing);
  assert_tile (tile, "Producing", "tile-producing");
  g_assert_cmpstr (tile_label (tile, "chip_label"), ==, "…0074500000");
  g_assert_cmpstr (tile_label (tile, "step_label"), ==, "Open secure channel");
  g_assert_cmpstr (tile_label (tile, "progress_label"), ==, "1 of 9");

  for (guint i = 1; i < G_N_ELEMENTS (plan) - 1; i++)
    {
      cl_reader_step_started (good, plan[i]);
      cl_reader_step_ended (good, plan[i], i == 3 ? CL_READER_STEP_SKIPPED : CL_READER_STEP_OK, 5000, 0x9000, NULL);
    }
  cl_reader_card_finished (good, TRUE, "Serial 0000000412");
  cl_reader_set_state (good, CL_READER_CARD_PRESENT); /* what the line does after a rack's card */
  cl_reader_card_removed (good, NULL);

  cl_reader_step_ended (rejected, "OPEN_KST", CL_READER_STEP_OK, 8400, 0x9000, NULL);
  cl_reader_step_started (rejected, "CONFIGURE");
  cl_reader_step_ended (rejected, "CONFIGURE", CL_READER_STEP_OK, 8400, 0x9000, NULL);
  cl_reader_step_started (rejected, "ROTATE_KEYS");
  cl_reader_step_ended (rejected, "ROTATE_KEYS", CL_READER_STEP_OK, 8400, 0x9000, NULL);
  cl_reader_step_started (rejected, "LOAD_APPLET");
  cl_reader_step_ended (rejected, "LOAD_APPLET", CL_READER_STEP_FAILED, 8400, 0x6581, "LOAD_FAILED");
  cl_reader_step_started (rejected, "DISPOSE");
  cl_reader_step_ended (rejected, "DISPOSE", CL_READER_STEP_OK, 100, -1, "reject bin");
  cl_reader_card_finished (rejected, FALSE, "LOAD_FAILED at LOAD_APPLET, SW 6581");
  /* before the line sets the reader's state after the result, the tile already says it */
  assert_tile (cl_line_view_get_tile (line, rejected), "Reject", "tile-reject");
  cl_reader_set_state (rejected, CL_READER_CARD_PRESENT);

  cl_reader_set_fault (fault, "PC/SC service lost: production paused; it resumes when the service is back");
  cl_reader_set_state (gone, CL_READER_GONE);
  cl_reader_set_row_display (with_row, "Dr. Maximiliane Oberhuber-Wittgenstein, Abteilung Kryptographie 0042");
  cl_batch_counters_set (counters, 2000, RACK, 1, 1);
  check_rack_shown (window, line, G_LIST_MODEL (stations));

  tile = cl_line_view_get_tile (line, good);
  assert_tile (tile, "Good", "tile-good");
  g_assert_cmpstr (tile_label (tile, "step_label"), ==, "Eject card");
  g_assert_cmpstr (tile_label (tile, "progress_label"), ==, "9 of 9");

  tile = cl_line_view_get_tile (line, rejected);
  assert_tile (tile, "Reject", "tile-reject");
  g_assert_cmpstr (tile_label (tile, "step_label"), ==, "Load applet"); /* where it failed, not where it ended */
  g_assert_cmpstr (tile_label (tile, "progress_label"), ==, "6 of 9");

  tile = cl_line_view_get_tile (line, fault);
  assert_tile (tile, "Fault", "tile-fault");
  g_assert_true (g_str_has_prefix (tile_label (tile, "step_label"), "PC/SC service lost"));
  g_assert_nonnull (strstr (cl_reader_tile_get_accessible_text (tile), "PC/SC service lost"));

  assert_tile (cl_line_view_get_tile (line, gone), "Gone", "tile-gone");

  tile = cl_line_view_get_tile (line, with_row);
  assert_tile (tile, "Producing", "tile-producing");
  g_assert_true (gtk_widget_get_visible (
    GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (tile), CL_TYPE_READER_TILE, "row_label"))));
  g_assert_cmpstr (tile_label (tile, "row_label"), ==,
                   "Dr. Maximiliane Oberhuber-Wittgenstein, Abteilung Kryptographie 0042");
  g_assert_nonnull (strstr (cl_reader_tile_get_accessible_text (tile), "Oberhuber-Wittgenstein"));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-line-rack-16"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-line-rack-16-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* A click on the rejected reader's tile: its detailed panel, the one the line showed before racks. */
  tile = cl_line_view_get_tile (line, rejected);
  g_signal_emit_by_name (tile_button (tile), "clicked");
  g_assert_true (cl_line_view_get_shown_reader (line) == rejected);
  panel = cl_line_view_get_detail_panel (line);
  g_assert_nonnull (panel);
  g_assert_true (cl_reader_panel_get_reader (panel) == rejected);
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "detail");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));
  g_assert_nonnull (cl_test_find_label (GTK_WIDGET (panel), "REJECTED"));
  g_assert_nonnull (cl_test_find_label (GTK_WIDGET (panel), "LOAD_FAILED at LOAD_APPLET, SW 6581"));
  g_assert_nonnull (cl_test_find_label (GTK_WIDGET (line), cl_reader_get_name (rejected)));
  g_free (cl_test_save_screenshot (GTK_WIDGET (window), "ui-line-rack-detail"));
  /* the panel follows its reader as the tile did */
  cl_reader_card_removed (rejected, NULL);
  cl_reader_card_inserted (rejected, "3B8A80010031C173C8400000900090", NULL);
  cl_reader_card_started (rejected, plan);
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_null (cl_test_find_label (GTK_WIDGET (panel), "REJECTED"));
  g_assert_nonnull (cl_test_find_label (GTK_WIDGET (panel), "Producing"));

  /* Back (the details' button, Escape): the tiles, the focus on the tile opened. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "line.back", NULL));
  g_assert_null (cl_line_view_get_shown_reader (line));
  g_assert_null (cl_line_view_get_detail_panel (line));
  check_rack_shown (window, line, G_LIST_MODEL (stations));
  g_assert_true (gtk_widget_has_focus (tile_button (tile)));
  assert_tile (tile, "Producing", "tile-producing");

  /* Enter on a focused tile opens it too (GtkButton's activate is its Enter and Space binding). */
  tile = cl_line_view_get_tile (line, good);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (tile)));
  g_assert_true (gtk_widget_activate (gtk_root_get_focus (GTK_ROOT (window))));
  /* a button shows itself pressed for a moment before it says it was clicked */
  {
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (cl_line_view_get_shown_reader (line) == NULL && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_true (cl_line_view_get_shown_reader (line) == good);
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_nonnull (cl_test_find_label (GTK_WIDGET (cl_line_view_get_detail_panel (line)), "GOOD"));
  /* its reader goes from the line: its details go with it */
  cl_reader_list_remove (stations, cl_reader_get_name (good));
  g_assert_null (cl_line_view_get_shown_reader (line));
  check_rack_shown (window, line, G_LIST_MODEL (stations));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "tiles");

  /* Down to CL_LINE_VIEW_MAX_PANELS readers: full panels again. */
  while (g_list_model_get_n_items (G_LIST_MODEL (stations)) > CL_LINE_VIEW_MAX_PANELS)
    {
      g_autoptr (ClReader) last = g_list_model_get_item (G_LIST_MODEL (stations), 0);

      cl_reader_list_remove (stations, cl_reader_get_name (last));
    }
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "stations");
  g_assert_cmpuint (count_type (GTK_WIDGET (line), CL_TYPE_READER_PANEL), ==, CL_LINE_VIEW_MAX_PANELS);
  g_assert_cmpuint (count_type (GTK_WIDGET (line), CL_TYPE_READER_TILE), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_rack (void)
{
  g_autoptr (AdwApplication) app = NULL;
  int status;

  /* Same resource base path as the real application, so style.css loads. */
  app = g_object_new (ADW_TYPE_APPLICATION, "application-id", "org.cardline.Cardline.RackLayout", "flags",
                      G_APPLICATION_NON_UNIQUE, "resource-base-path", "/org/cardline/Cardline", NULL);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);
  status = g_application_run (G_APPLICATION (app), 0, NULL);
  g_assert_cmpint (status, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cl_ui_init ();

  g_test_add_func ("/ui/line/rack-of-16", test_rack);

  return g_test_run ();
}
