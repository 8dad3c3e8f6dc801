/* a11y-app: the station window for the accessibility test (test-a11y.py), which inspects it from outside over
 * AT-SPI. Wired as the application wires it (accelerators, app actions, session, store, QA service, batch
 * counters), over the known test store (cl-test-store.h) and two stations with a card and events, so that every
 * view has real content: a view that is empty hides the very controls that most need names. It opens with the
 * sign-in dialog up, as the application does, and runs until app.quit (Ctrl+Q) or SIGTERM. */
#include <adwaita.h>
#include <glib-unix.h>

#include "cl-store-qa-service.h"
#include "cl-test-store.h"
#include "store/cl-store-fleet.h"

#define A11Y_INSTRUCTION "Reader 2 is gone: plug it back in, then press Resume"
#include "cl-ui.h"
#include "cl-window.h"
#include "station/cl-batch-counters.h"
#include "station/cl-event-log.h"
#include "station/cl-reader-list.h"

typedef struct
{
  char *store_path;
  ClStore *store;
  ClReaderList *stations;
  ClEventLog *events;
  ClSession *session;
  ClStoreQaService *qa;
  ClBatchCounters *counters;
} Fixture;

static void
quit_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action },
};

static gboolean
on_sigterm (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

static void
on_startup (GtkApplication *app, Fixture *fixture)
{
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  cl_ui_set_accels (app);
}

static void
on_activate (GtkApplication *app, Fixture *fixture)
{
  g_autoptr (ClReader) rig = cl_reader_new ("Cardline Rig 0 00 00");
  g_autoptr (ClReader) qa_reader = cl_reader_new ("QA Reader 0");
  ClWindow *window;

  if (gtk_application_get_active_window (app) != NULL)
    return;
  fixture->store = cl_test_store_new (&fixture->store_path);
  cl_test_store_fill (fixture->store, TRUE);
  /* A fleet station held by a fault: the Dashboard's Stations view shows its state and instruction. */
  {
    ClFleetRegistration station = {
      "rack-a11y", CL_FLEET_FEEDER_RACK, NULL, NULL, NULL, (gint64)3600 * G_USEC_PER_SEC
    }; /* not lost while the test runs */
    ClFleetLive live = { CL_FLEET_FAULT, A11Y_INSTRUCTION, 9, 1, 0, 0 };

    if (!cl_store_fleet_register (fixture->store, &station, NULL)
        || !cl_store_fleet_set_live (fixture->store, "rack-a11y", &live, NULL))
      g_error ("cannot register the fleet station");
  }
  fixture->stations = cl_reader_list_new ();
  fixture->events = cl_event_log_new (100);
  cl_reader_list_add (fixture->stations, rig);
  cl_reader_list_add (fixture->stations, qa_reader);
  cl_event_log_add (fixture->events, CL_LINE_EVENT_READER_ADDED, "Cardline Rig 0 00 00", NULL);
  cl_event_log_add (fixture->events, CL_LINE_EVENT_READER_ADDED, "QA Reader 0", NULL);
  /* A full rack (16 readers with the QA reader): the Line view shows tiles. */
  for (guint i = 1; g_getenv ("CARDLINE_A11Y_RACK") != NULL && i < 15; i++)
    {
      g_autofree char *name = g_strdup_printf ("Cardline Rig %u 00 %02u", i / 2, i % 2);
      g_autoptr (ClReader) reader = cl_reader_new (name);

      cl_reader_list_add (fixture->stations, reader);
    }
  cl_reader_card_inserted (rig, "3B8A80010031C173C8400000900090", NULL);
  cl_event_log_add (fixture->events, CL_LINE_EVENT_CARD_INSERTED, "Cardline Rig 0 00 00",
                    "ATR 3B8A80010031C173C8400000900090");
  fixture->session = cl_session_new (fixture->store);
  fixture->qa = cl_store_qa_service_new (fixture->store);
  fixture->counters = cl_batch_counters_new ("B1");
  cl_batch_counters_set (fixture->counters, 10, 11, 7, 4);

  window = cl_window_new (app, G_LIST_MODEL (fixture->stations), G_LIST_MODEL (fixture->events));
  cl_window_set_session (window, fixture->session);
  cl_window_set_qa_service (window, CL_QA_SERVICE (fixture->qa));
  cl_window_set_batch_counters (window, fixture->counters);
  /* The Rejects view's re-test controls are enabled once a QA reader is chosen. */
  if (cl_window_get_settings (window) != NULL)
    g_settings_set_string (cl_window_get_settings (window), "qa-reader", "QA Reader 0");
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  cl_window_require_sign_in (window);
  g_print ("a11y-app: ready\n");
}

int
main (int argc, char **argv)
{
  g_autoptr (AdwApplication) app = NULL;
  Fixture fixture = { 0 };
  int status;

  /* The test finds this process on the accessibility bus by this name. */
  g_set_prgname ("cardline-a11y");
  cl_ui_init ();
  app = g_object_new (ADW_TYPE_APPLICATION, "application-id", "org.cardline.Cardline.A11y", "flags",
                      G_APPLICATION_NON_UNIQUE, "resource-base-path", "/org/cardline/Cardline", NULL);
  g_signal_connect (app, "startup", G_CALLBACK (on_startup), &fixture);
  g_signal_connect (app, "activate", G_CALLBACK (on_activate), &fixture);
  g_unix_signal_add (SIGTERM, on_sigterm, app);
  status = g_application_run (G_APPLICATION (app), argc, argv);

  g_clear_object (&fixture.counters);
  g_clear_object (&fixture.qa);
  g_clear_object (&fixture.session);
  g_clear_object (&fixture.events);
  g_clear_object (&fixture.stations);
  g_clear_object (&fixture.store);
  if (fixture.store_path != NULL)
    cl_test_store_remove (fixture.store_path);
  g_free (fixture.store_path);
  return status;
}
