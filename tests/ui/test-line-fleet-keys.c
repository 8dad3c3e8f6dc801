/* The station window whose token does not hold the fleet's keys (issue 18 item 5), run by test-line-fleet-keys.sh
 * under rig-run and xvfb-run: the real app wiring (ClApplication with --profile, the rack line, the reader monitor)
 * in this process. Another station recorded the fleet's keys on the store first, from a token with another scheme
 * root; this window's station refuses to produce: its reader's panel shows the fault's instruction, the event log
 * the fault naming the key that differs (the SRCA, by its certificate), no batch is created; a screenshot in
 * BUILD/tests/artifacts.
 *
 *   test-line-fleet-keys PROFILE STORE */
#include <adwaita.h>
#include <string.h>

#include "cl-application.h"
#include "cl-test-app.h"
#include "cl-test-widgets.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "station/cl-line-event.h"
#include "station/cl-line-fault.h"
#include "station/cl-reader.h"

#define PASSWORD "correct horse battery"

static char *reader;
static int status = 1;

static gboolean
fault_shown (ClReaderPanel *panel, const char *text)
{
  GtkWidget *banner
    = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (panel), CL_TYPE_READER_PANEL, "fault_banner"));

  return gtk_widget_get_visible (banner) && cl_test_find_label (banner, text) != NULL;
}

/* The Line view's log holds the fleet-keys fault; *note gets its technical detail. */
static gboolean
fault_logged (ClWindow *window, const char **note)
{
  GListModel *events = cl_line_view_get_events (cl_test_line_view (window));

  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr (ClLineEvent) event = g_list_model_get_item (events, i);
      const ClLineEventFields *f = cl_line_event_get_fields (event);

      if (cl_line_event_get_kind (event) == CL_LINE_EVENT_FAULT && f->fault == CL_LINE_FAULT_FLEET_KEYS)
        {
          *note = f->note;
          return TRUE;
        }
    }
  return FALSE;
}

static void
run_test (ClWindow *window)
{
  const char *instruction = cl_line_fault_instruction (CL_LINE_FAULT_FLEET_KEYS), *note = NULL;
  ClReaderPanel *panel;
  ClReader *station;

  cl_test_sign_in (window, "owen", PASSWORD);
  CL_TEST_WAIT_UNTIL ((station = cl_test_find_station (window, reader)) != NULL);
  panel = cl_test_find_panel (GTK_WIDGET (window), station);
  g_assert_nonnull (panel);
  CL_TEST_WAIT_UNTIL_S (fault_shown (panel, instruction), 120);
  g_assert_cmpint (cl_reader_get_state (station), ==, CL_READER_FAULT);
  CL_TEST_WAIT_UNTIL (fault_logged (window, &note));
  g_print ("# fault: %s\n", note);
  g_assert_nonnull (strstr (note, "does not hold the fleet's keys"));
  g_assert_nonnull (strstr (note, "SRCA CLSRCA00001 certificate SHA-256"));
  /* the keys that match are not named */
  g_assert_null (strstr (note, "KMC/01"));
  cl_test_save_view_screenshot (GTK_WIDGET (window), "ui-line-fleet-keys");
  status = 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (ClApplication) app = NULL;
  const char *app_argv[]
    = { "cardline", "--profile", NULL, "--batch", "fleet-window", "--quantity", "3", "--store", NULL, NULL };
  g_auto (GStrv) names = NULL;

  if (argc != 3)
    {
      g_printerr ("usage: %s PROFILE STORE\n", argv[0]);
      return 2;
    }
  app_argv[2] = argv[1];
  app_argv[8] = argv[2];
  names = g_strsplit (g_getenv ("CARDLINE_READER_NAMES"), ",", -1);
  reader = g_strdup (names[0]);
  cl_ui_init ();
  cl_test_add_user (argv[2], "owen", CL_ROLE_OPERATOR, PASSWORD);
  app = cl_application_new (g_get_monotonic_time ());
  cl_test_run_window (G_APPLICATION (app), G_N_ELEMENTS (app_argv) - 1, (char **)app_argv, run_test);
  g_free (reader);
  return status;
}
