/* A full rack's Line view (run by test-line-tiles.sh under rig-run --readers 8 and xvfb-run): the real app wiring
 * (ClApplication with --profile, the rack-mode line, the PC/SC reader monitor) in this process. The rig's 8 vpcd
 * readers have two slots each, so pcscd lists 16 readers (its most), "… 00 00" and "… 00 01": the rack feeder feeds
 * one virtual card into each of the 16, one card with a LOAD defect.
 *
 *   in a 1280×800 window the 16 readers are 16 tiles, each mapped and wholly inside the window and the view's
 *   scrolled area; as the cards are produced every tile that got a card says Producing, then Good or Reject (the
 *   defective card), its chip and step those of its reader; activating a tile (Enter on it) opens that reader's
 *   detailed panel, with the last card's result; Escape goes back to the tiles, the focus on the tile opened.
 *   Screenshots in BUILD/tests/artifacts.
 *
 *   test-line-tiles PROFILE STORE CARDS-DIR CARDLINE-VCARD RACK-FEEDER */
#include <adwaita.h>
#include <string.h>

#include "cl-application.h"
#include "cl-line-view.h"
#include "cl-reader-panel.h"
#include "cl-reader-tile.h"
#include "cl-test-app.h"
#include "cl-test-widgets.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "station/cl-reader.h"

#define PASSWORD "correct horse battery"
#define BATCH    "ui-line-tiles"
#define WIDTH    1280
#define HEIGHT   800

static const char *profile_path, *store_path, *cards_dir, *vcard_exe, *feeder_exe;
static int status = 1;

/* What one reader's tile showed while the batch ran: each state word once, in the order first seen. */
typedef struct
{
  ClReader *reader;
  ClReaderTile *tile;
  GPtrArray *seen;
} TileWatch;

static TileWatch *watches;
static guint n_readers; /* both slots of the rig's readers */

static const char *
tile_label (ClReaderTile *tile, const char *id)
{
  return cl_test_template_label (GTK_WIDGET (tile), CL_TYPE_READER_TILE, id);
}

static gboolean
seen (TileWatch *watch, const char *word)
{
  for (guint i = 0; i < watch->seen->len; i++)
    if (g_str_equal (g_ptr_array_index (watch->seen, i), word))
      return TRUE;
  return FALSE;
}

/* Connected after the tile's own handlers: the tile has already followed the change the operator would see. */
static void
on_reader_changed (ClReader *reader, GParamSpec *pspec, TileWatch *watch)
{
  const char *word = tile_label (watch->tile, "state_label");

  g_assert_cmpstr (word, ==, cl_reader_tile_state_label (cl_reader_tile_state_for (reader)));
  if (!seen (watch, word))
    g_ptr_array_add (watch->seen, g_strdup (word));
}

static ClReader *
station_at (ClLineView *line, guint i)
{
  g_autoptr (ClReader) station = g_list_model_get_item (cl_line_view_get_stations (line), i);

  return station; /* the list keeps it */
}

static guint
n_stations (ClWindow *window)
{
  GListModel *stations = cl_line_view_get_stations (cl_test_line_view (window));

  return stations != NULL ? g_list_model_get_n_items (stations) : 0;
}

/* Every reader a tile, mapped and wholly inside the window and the view's scrolled area, named for its reader. */
static void
check_tiles_shown (ClWindow *window)
{
  ClLineView *line = cl_test_line_view (window);

  cl_test_wait_for_frame (GTK_WIDGET (window));
  /* the window's surface is the screen's size; the window widget inside it leaves room for its frame */
  g_assert_cmpint (gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (window))), ==, WIDTH);
  g_assert_cmpint (gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (window))), ==, HEIGHT);
  for (guint i = 0; i < n_readers; i++)
    {
      ClReader *reader = station_at (line, i);
      ClReaderTile *tile = cl_line_view_get_tile (line, reader);
      GtkWidget *scroller;

      g_assert_nonnull (tile);
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (tile)));
      cl_test_assert_inside (GTK_WIDGET (tile), GTK_WIDGET (window), cl_reader_get_name (reader));
      scroller = gtk_widget_get_ancestor (GTK_WIDGET (tile), GTK_TYPE_SCROLLED_WINDOW);
      g_assert_nonnull (scroller);
      cl_test_assert_inside (GTK_WIDGET (tile), scroller, cl_reader_get_name (reader));
      g_assert_cmpstr (tile_label (tile, "name_label"), ==, cl_reader_get_name (reader));
      g_assert_true (g_str_has_prefix (cl_reader_tile_get_accessible_text (tile), cl_reader_get_name (reader)));
    }
  /* one widget per reader: no full panels behind the tiles */
  g_assert_null (cl_test_find_by_type (GTK_WIDGET (line), CL_TYPE_READER_PANEL));
}

/* "A,B" of the rig's slot-0 readers as "A,A+1,B,B+1": the ports, or the names, of both slots of each. */
static char *
both_slots (const char *variable, gboolean ports)
{
  g_auto (GStrv) slot0 = g_strsplit (g_getenv (variable), ",", -1);
  GString *all = g_string_new (NULL);

  for (guint i = 0; slot0[i] != NULL; i++)
    {
      guint64 port = 0;

      g_string_append_printf (all, "%s%s,", all->len > 0 ? "," : "", slot0[i]);
      if (ports)
        {
          g_assert_true (g_ascii_string_to_unsigned (slot0[i], 10, 1, 65534, &port, NULL));
          g_string_append_printf (all, "%" G_GUINT64_FORMAT, port + 1);
        }
      else
        {
          g_assert_true (g_str_has_suffix (slot0[i], " 00"));
          g_string_append_len (all, slot0[i], strlen (slot0[i]) - 1);
          g_string_append_c (all, '1');
        }
    }
  return g_string_free (all, FALSE);
}

static GSubprocess *
spawn_feeder (void)
{
  g_autofree char *ports = both_slots ("CARDLINE_VPCD_PORTS", TRUE);
  g_autofree char *names = both_slots ("CARDLINE_READER_NAMES", FALSE);

  /* every slot of the rig; a loaded machine runs 16 cards at once: a card is pulled when its attempt ended, the
   * timeout is only for a card the line never finishes */
  return cl_test_spawn_rack_feeder (feeder_exe, vcard_exe, store_path, ports, names, "300", cards_dir, n_readers);
}

static void
run_test (ClWindow *window)
{
  ClLineView *line = cl_test_line_view (window);
  g_autoptr (GSubprocess) feeder = NULL;
  g_autoptr (GError) error = NULL;
  guint good_tiles = 0, reject_tiles = 0, produced = 0, rejects = 0, readers_used = 0;
  ClReaderTile *opened_tile = NULL;
  ClReader *opened = NULL;
  ClReaderPanel *panel;
  GtkWidget *focus;

  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  cl_test_sign_in (window, "olga", PASSWORD);
  cl_window_set_view (window, "line");
  CL_TEST_WAIT_UNTIL (n_stations (window) == n_readers);
  /* production starts once the app's worker has opened the token and the store */
  CL_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (cl_line_view_get_counters_bar (line))));
  check_tiles_shown (window);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-tiles-idle");

  for (guint i = 0; i < n_readers; i++)
    {
      static const char *const watched[] = { "notify::state", "notify::result" };

      watches[i].reader = station_at (line, i);
      watches[i].tile = cl_line_view_get_tile (line, watches[i].reader);
      watches[i].seen = g_ptr_array_new_with_free_func (g_free);
      g_assert_cmpstr (tile_label (watches[i].tile, "state_label"), ==, "Idle");
      for (guint w = 0; w < G_N_ELEMENTS (watched); w++)
        g_signal_connect_after (watches[i].reader, watched[w], G_CALLBACK (on_reader_changed), &watches[i]);
    }

  feeder = spawn_feeder ();
  CL_TEST_WAIT_UNTIL_S (cl_test_bar_equals (window, "fed", n_readers), 300);
  g_subprocess_wait_check (feeder, NULL, &error);
  g_assert_no_error (error);
  CL_TEST_WAIT_UNTIL (cl_test_bar_equals (window, "good", n_readers - 1) && cl_test_bar_equals (window, "rejected", 1));

  for (guint i = 0; i < n_readers; i++)
    {
      TileWatch *watch = &watches[i];
      ClReader *reader = watch->reader;
      const char *word = tile_label (watch->tile, "state_label");
      g_autofree char *chip = cl_reader_tile_short_chip_id (cl_reader_get_chip_id (reader));
      guint cards = cl_reader_get_good_count (reader) + cl_reader_get_reject_count (reader);
      g_autofree char *seen_text = NULL;

      g_ptr_array_add (watch->seen, NULL);
      seen_text = g_strjoinv (" → ", (char **)watch->seen->pdata);
      g_ptr_array_set_size (watch->seen, watch->seen->len - 1);
      g_print ("# %s: %u card(s), tile showed %s; now %s | %s | %s | %s\n", cl_reader_get_name (reader), cards,
               seen_text, word, tile_label (watch->tile, "chip_label"), tile_label (watch->tile, "step_label"),
               tile_label (watch->tile, "progress_label"));
      produced += cards;
      rejects += cl_reader_get_reject_count (reader);
      /* a reader's tile said Reject for its rejected card, even if a later card made it Good again */
      if (cl_reader_get_reject_count (reader) > 0)
        g_assert_true (seen (watch, "Reject"));
      if (cards == 0)
        {
          /* the feeder gave this reader's card to a reader freed earlier */
          g_assert_cmpstr (word, ==, "Idle");
          continue;
        }
      readers_used++;
      g_assert_true (seen (watch, "Producing"));
      g_assert_cmpstr (tile_label (watch->tile, "chip_label"), ==, chip);
      g_assert_cmpstr (chip, !=, "—");
      if (cl_reader_get_result (reader) == CL_READER_RESULT_GOOD)
        {
          good_tiles++;
          g_assert_cmpstr (word, ==, "Good");
          g_assert_true (seen (watch, "Good"));
          /* a good card ran every step: the last one shown, all of them done */
          g_assert_cmpstr (tile_label (watch->tile, "step_label"), ==, "Eject card");
          g_assert_true (g_str_has_suffix (tile_label (watch->tile, "progress_label"), " of 9"));
          g_assert_true (g_str_has_prefix (tile_label (watch->tile, "progress_label"), "9 of"));
          if (opened == NULL)
            {
              opened = reader;
              opened_tile = watch->tile;
            }
        }
      else
        {
          reject_tiles++;
          g_assert_cmpint (cl_reader_get_result (reader), ==, CL_READER_RESULT_REJECTED);
          g_assert_cmpstr (word, ==, "Reject");
          /* the step the card failed at */
          g_assert_cmpstr (tile_label (watch->tile, "step_label"), ==, "Load applet");
          opened = reader;
          opened_tile = watch->tile;
        }
      g_assert_nonnull (strstr (cl_reader_tile_get_accessible_text (watch->tile), word));
      g_assert_nonnull (strstr (cl_reader_tile_get_accessible_text (watch->tile), chip));
    }
  /* one card per reader, unless the feeder gave a reader freed early the card of one it had not fed yet */
  g_assert_cmpuint (produced, ==, n_readers);
  g_assert_cmpuint (rejects, ==, 1);
  g_assert_cmpuint (reject_tiles, <=, 1);
  g_assert_cmpuint (good_tiles + reject_tiles, ==, readers_used);
  check_tiles_shown (window);
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-tiles-produced");

  /* Enter on the rejected card's tile (a good one's if a later card replaced it): that reader's detailed panel, with
   * the result and its reason or serial. */
  g_assert_nonnull (opened_tile);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (opened_tile)));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (opened_tile)));
  g_assert_true (gtk_widget_get_focusable (focus));
  g_assert_true (gtk_widget_activate (focus));
  /* a button shows itself pressed for a moment before it says it was clicked */
  CL_TEST_WAIT_UNTIL (cl_line_view_get_shown_reader (line) != NULL);
  g_assert_true (cl_line_view_get_shown_reader (line) == opened);
  panel = cl_line_view_get_detail_panel (line);
  g_assert_nonnull (panel);
  g_assert_true (cl_reader_panel_get_reader (panel) == opened);
  cl_test_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (opened_tile)));
  {
    GObject *result = gtk_widget_get_template_child (GTK_WIDGET (panel), CL_TYPE_READER_PANEL, "result_label");
    GObject *detail = gtk_widget_get_template_child (GTK_WIDGET (panel), CL_TYPE_READER_PANEL, "result_detail_label");

    if (cl_reader_get_result (opened) == CL_READER_RESULT_REJECTED)
      {
        g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (result)), ==, "REJECTED");
        g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (detail)), "LOAD_FAILED"));
      }
    else
      {
        g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (result)), ==, "GOOD");
        g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (detail)), "Serial "));
      }
  }
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-tile-detail");

  /* Escape: back to the tiles, the focus on the tile that was opened */
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  /* what the view's Escape binding activates, from where the focus is (GTK 4.8 cannot synthesise the key) */
  g_assert_true (gtk_widget_activate_action (focus, "line.back", NULL));
  g_assert_null (cl_line_view_get_shown_reader (line));
  g_assert_null (cl_line_view_get_detail_panel (line));
  check_tiles_shown (window);
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (opened_tile)));

  for (guint i = 0; i < n_readers; i++)
    {
      g_signal_handlers_disconnect_by_data (watches[i].reader, &watches[i]);
      g_ptr_array_unref (watches[i].seen);
    }
  status = 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (ClApplication) app = NULL;
  g_autofree char *quantity = NULL;
  const char *app_argv[]
    = { "cardline", "--profile", NULL, "--batch", BATCH, "--quantity", NULL, "--store", NULL, NULL };

  if (argc != 6)
    {
      g_printerr ("usage: %s PROFILE STORE CARDS-DIR CARDLINE-VCARD RACK-FEEDER\n", argv[0]);
      return 2;
    }
  profile_path = argv[1];
  store_path = argv[2];
  cards_dir = argv[3];
  vcard_exe = argv[4];
  feeder_exe = argv[5];
  app_argv[2] = profile_path;
  app_argv[8] = store_path;

  {
    g_auto (GStrv) slot0 = g_strsplit (g_getenv ("CARDLINE_READER_NAMES"), ",", -1);

    n_readers = 2 * g_strv_length (slot0);
    g_assert_cmpuint (n_readers, ==, 16); /* a full rack: pcscd's most */
    watches = g_new0 (TileWatch, n_readers);
    quantity = g_strdup_printf ("%u", n_readers);
    app_argv[6] = quantity;
  }
  cl_ui_init ();
  cl_test_add_user (store_path, "olga", CL_ROLE_OPERATOR, PASSWORD);
  app = cl_application_new (g_get_monotonic_time ());
  cl_test_run_window (G_APPLICATION (app), G_N_ELEMENTS (app_argv) - 1, (char **)app_argv, run_test);
  g_free (watches);
  return status;
}
