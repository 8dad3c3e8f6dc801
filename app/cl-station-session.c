/* cl-station-session.c: store, sign-in and role-gated app actions for the window (cl-station-session.h). */
#include "cl-station-session.h"

#include <glib/gi18n.h>

#include "cl-line-qa-service.h"
#include "cl-store-qa-service.h"
#include "pcsc/cl-rack-feeder.h"
#include "printer/cl-evolis-printer.h"
#include "printer/cl-printer-address.h"
#include "store/cl-store-location.h"

#define PRINTER_TIMEOUT_MS 5000

struct _ClStationSession
{
  GObject parent_instance;

  GtkApplication *app;
  ClWindow *window; /* weak */
  ClLine *line;
  ClStore *store;
  ClSession *session;
  ClStoreQaService *qa_service;
  ClBatchRun *run;               /* NULL unless the window produces */
  char *line_printer;            /* --printer: the printer-fed line's printer in this run, else NULL */
  gboolean line_printer_stopped; /* Stop pressed while no printer-fed run was up (opening, or it failed to) */
  ClLineQaService *line_qa_service;
  GSimpleAction *printer_test;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (ClStationSession, cl_station_session, G_TYPE_OBJECT)

static void
toast (ClStationSession *self, const char *text)
{
  if (self->window != NULL)
    cl_window_add_toast (self->window, text);
  else
    g_message ("%s", text);
}

static void
on_line_command (ClWindow *window, const char *command, ClStationSession *self)
{
  const char *user = self->session != NULL ? cl_session_get_user (self->session) : NULL;
  gboolean holds;

  if (self->run == NULL && self->line_printer != NULL && g_str_equal (command, "stop"))
    self->line_printer_stopped = TRUE;
  if (self->run == NULL)
    {
      /* Without production the reader monitor is the line's only motion: pause and stop both stop watching. */
      if (g_str_equal (command, "start"))
        cl_line_start (self->line);
      else
        cl_line_stop (self->line);
      return;
    }
  /* Pause lets the cards in flight finish and takes no new one; Start also answers a fault; Stop ends the batch.
   * A printer's card still has to leave the contact station after Stop, so its reader stays watched. */
  holds = cl_feeder_get_finish_cards_on_stop (cl_batch_run_get_feeder (self->run));
  if (g_str_equal (command, "pause"))
    {
      cl_batch_run_set_paused (self->run, TRUE, user);
      toast (self, holds ? _ ("Line paused: the card in the printer finishes, no new card is fed")
                         : _ ("Line paused: cards in production finish, no new card is taken"));
    }
  else if (g_str_equal (command, "start"))
    {
      cl_line_start (self->line);
      cl_batch_run_set_paused (self->run, FALSE, user);
      cl_batch_run_retry (self->run);
    }
  else
    {
      cl_batch_run_stop_async (self->run, user, NULL, NULL, NULL);
      if (!holds)
        cl_line_stop (self->line);
    }
}

static void
on_qa_reader_changed (GSettings *settings, const char *key, ClStationSession *self)
{
  g_autofree char *reader = g_settings_get_string (settings, "qa-reader");

  if (self->run != NULL && CL_IS_RACK_FEEDER (cl_batch_run_get_feeder (self->run)))
    cl_rack_feeder_set_reserved_reader (CL_RACK_FEEDER (cl_batch_run_get_feeder (self->run)), reader);
}

/* QA re-tests run the batch's sequence on the QA reader; the Line view shows the batch's counters. */
static void
show_production (ClStationSession *self, ClProductionSetup *setup, ClBatchCounters *counters,
                 ClFacePrinter *reprint_face)
{
  g_clear_object (&self->line_qa_service);
  if (setup == NULL)
    return;
  self->line_qa_service = cl_line_qa_service_new (setup, NULL);
  cl_line_qa_service_set_line (self->line_qa_service, self->line);
  cl_line_qa_service_set_face_printer (self->line_qa_service, reprint_face);
  if (self->window != NULL)
    {
      cl_window_set_qa_service (self->window, CL_QA_SERVICE (self->line_qa_service));
      cl_window_set_batch_counters (self->window, counters);
    }
}

void
cl_station_session_set_production (ClStationSession *self, ClBatchRun *run, ClProductionSetup *setup,
                                   ClFacePrinter *reprint_face)
{
  GSettings *settings = self->window != NULL ? cl_window_get_settings (self->window) : NULL;

  g_return_if_fail (CL_IS_STATION_SESSION (self));
  g_set_object (&self->run, run);
  /* this run feeds from now on, whatever Stop was pressed before it was up */
  self->line_printer_stopped = FALSE;
  show_production (self, run != NULL ? setup : NULL, run != NULL ? cl_batch_run_get_counters (run) : NULL,
                   reprint_face);
  if (run == NULL || setup == NULL)
    return;
  if (settings != NULL)
    {
      g_signal_connect_object (settings, "changed::qa-reader", G_CALLBACK (on_qa_reader_changed), self, 0);
      on_qa_reader_changed (settings, "qa-reader", self);
    }
}

void
cl_station_session_set_line_printer (ClStationSession *self, const char *printer)
{
  g_return_if_fail (CL_IS_STATION_SESSION (self));
  g_free (self->line_printer);
  self->line_printer = g_strdup (printer);
  self->line_printer_stopped = FALSE;
}

/* ---- printer test ---- */

/* The line's printer belongs to its batch from start-up (production may still be opening) until the batch is
 * stopped or complete: a card fed by a test meanwhile would go into production. */
static gboolean
line_printer_busy (ClStationSession *self)
{
  if (self->line_printer == NULL)
    return FALSE;
  if (self->run == NULL)
    return !self->line_printer_stopped;
  /* after Stop the run may still be finishing the card inside: the printer is not free until it is done */
  return cl_batch_run_get_running (self->run) || !cl_batch_run_get_ending (self->run);
}

static void
printer_test_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *address = task_data;
  g_autoptr (ClPrinterTransport) transport = NULL;
  g_autoptr (ClCardPrinter) printer = NULL;
  GError *error = NULL;

  if (!(transport = cl_printer_address_connect (address, PRINTER_TIMEOUT_MS, cancellable, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  printer = cl_evolis_printer_new (transport);
  if (!cl_card_printer_feed_to_contact (printer, cancellable, &error)
      || !cl_card_printer_eject (printer, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_printer_tested (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClStationSession *self = CL_STATION_SESSION (source);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  g_simple_action_set_enabled (self->printer_test, TRUE);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    text = g_strdup (_ ("Printer test: one card fed to the contact station and ejected"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    text = g_strdup_printf (_ ("Printer test failed: %s"), error->message);
  if (text != NULL)
    toast (self, text);
}

static void
printer_test_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  ClStationSession *self = CL_STATION_SESSION (user_data);
  GSettings *settings = self->window ? cl_window_get_settings (self->window) : NULL;
  g_autofree char *address = NULL;
  g_autoptr (GTask) task = NULL;

  /* no session yet: the store is still opening, nobody has signed in */
  if (self->session == NULL || !cl_session_allows (self->session, CL_PERMISSION_STATION_SETUP))
    {
      toast (self, _ ("The printer test needs the supervisor role"));
      return;
    }
  if (line_printer_busy (self))
    {
      toast (self, _ ("The card printer is in use by the line: stop the batch first"));
      return;
    }
  /* with --printer the line's printer is the one on the station, whatever the settings say */
  if (self->line_printer != NULL)
    address = g_strdup (self->line_printer);
  else
    address = settings ? g_settings_get_string (settings, "printer-address") : g_strdup ("");
  if (*address == '\0')
    {
      toast (self, _ ("Set the card printer address first"));
      return;
    }
  cl_session_audit (self->session, "printer-test", address, NULL);
  g_simple_action_set_enabled (action, FALSE);
  task = g_task_new (self, self->cancellable, on_printer_tested, NULL);
  g_task_set_task_data (task, g_steal_pointer (&address), g_free);
  g_task_run_in_thread (task, printer_test_in_thread);
}

/* ---- life cycle ---- */

static void
cl_station_session_dispose (GObject *object)
{
  ClStationSession *self = CL_STATION_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->app != NULL)
    g_action_map_remove_action (G_ACTION_MAP (self->app), "printer-test");
  g_clear_object (&self->printer_test);
  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->qa_service);
  g_clear_object (&self->line_qa_service);
  g_clear_object (&self->run);
  g_clear_pointer (&self->line_printer, g_free);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->line);
  g_clear_weak_pointer (&self->app);

  G_OBJECT_CLASS (cl_station_session_parent_class)->dispose (object);
}

static void
cl_station_session_class_init (ClStationSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_station_session_dispose;
}

static void
cl_station_session_init (ClStationSession *self)
{
  self->cancellable = g_cancellable_new ();
}

ClStationSession *
cl_station_session_new (GtkApplication *app, ClWindow *window, ClLine *line)
{
  ClStationSession *self = g_object_new (CL_TYPE_STATION_SESSION, NULL);

  g_set_weak_pointer (&self->app, app);
  g_set_weak_pointer (&self->window, window);
  self->line = g_object_ref (line);
  g_signal_connect_object (window, "line-command", G_CALLBACK (on_line_command), self, 0);

  self->printer_test = g_simple_action_new ("printer-test", NULL);
  g_signal_connect (self->printer_test, "activate", G_CALLBACK (printer_test_action), self);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (self->printer_test));
  return self;
}

static void
open_store_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  ClStore *store = cl_store_open (task_data, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
on_store_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClStationSession *self = CL_STATION_SESSION (source);
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  self->store = g_task_propagate_pointer (G_TASK (result), &error);
  if (self->store == NULL)
    {
      g_autofree char *text = g_strdup_printf (_ ("The record store could not be opened: %s"), error->message);

      toast (self, text);
    }
  self->session = cl_session_new (self->store);
  if (self->window != NULL)
    {
      cl_window_set_session (self->window, self->session);
      if (self->store != NULL)
        {
          self->qa_service = cl_store_qa_service_new (self->store);
          cl_window_set_qa_service (self->window, CL_QA_SERVICE (self->qa_service));
        }
      cl_window_require_sign_in (self->window);
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cl_station_session_open_async (ClStationSession *self, const char *store_path, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  GTask *caller;

  g_return_if_fail (CL_IS_STATION_SESSION (self));
  g_return_if_fail (self->session == NULL);
  caller = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (caller, cl_station_session_open_async);
  task = g_task_new (self, NULL, on_store_opened, caller);
  /* the rule may read the settings: here on the main thread, not on the worker */
  g_task_set_task_data (task, cl_store_location (store_path), g_free);
  g_task_run_in_thread (task, open_store_in_thread);
}

gboolean
cl_station_session_open_finish (ClStationSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

ClSession *
cl_station_session_get_session (ClStationSession *self)
{
  g_return_val_if_fail (CL_IS_STATION_SESSION (self), NULL);
  return self->session;
}
