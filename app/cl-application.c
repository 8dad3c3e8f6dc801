#include "cl-application.h"

#include <string.h>

#include <glib/gi18n.h>
#include <stdio.h>

#include "cardline-config.h"
#include "cl-headless.h"
#include "cl-headless-identity.h"
#include "cl-line.h"
#include "cl-production-headless.h"
#include "cl-remote-headless.h"
#include "cl-remote-parts.h"
#include "cl-production-window.h"
#include "cl-station-feed.h"
#include "cl-station-session.h"
#include "core/cl-error.h"
#include "cl-ui.h"
#include "cl-window.h"
#include "core/cl-name.h"
#include "store/cl-store-location.h"

struct _ClApplication
{
  AdwApplication parent_instance;

  ClLine *line;
  ClProductionOptions production;      /* --profile given: produce in the window too */
  char *production_strings[6];         /* owns production's strings */
  gboolean production_asked;           /* opened for the first person allowed to run the line who signed in */
  char *store_path;                    /* the one store of this run: production's and the session's */
  ClStoreSource store_source;          /* which rule chose it, for Setup */
  ClProductionParts *production_parts; /* NULL until opened on a worker, or when that failed */
  ClStationSession *station_session;   /* store, sign-in, role-gated actions (task "ui") */
  GCancellable *opening;               /* the store and production being opened off the UI thread */
  guint n_opening;
  gint64 start_time;
  guint duration;
  guint quit_source;
  ClRemoteOptions remote;  /* --remote given: this station produces remotely (no token, no key) */
  char *remote_strings[8]; /* owns remote's strings */
  gboolean remote_mode;
  ClRemoteParts *remote_parts; /* the window's remote run, once opened on a worker */
};

G_DEFINE_FINAL_TYPE (ClApplication, cl_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "headless", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Run the line without a window, printing one line per event"),
    NULL },
  { "duration", 0, 0, G_OPTION_ARG_INT, NULL, N_ ("Quit after SECONDS (for demos and tests)"), N_ ("SECONDS") },
  { "output", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("Headless output: human (the default on a terminal), lines (the default otherwise) or json"), N_ ("FORMAT") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_ ("Print the version and exit"), NULL },
  { "profile", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_ ("Produce cards with this profile: a file, or the name of an installed one"), N_ ("PROFILE") },
  { "batch", 0, 0, G_OPTION_ARG_STRING, NULL, N_ ("Batch name (created if new, continued if known)"), N_ ("NAME") },
  { "quantity", 0, 0, G_OPTION_ARG_INT, NULL, N_ ("Stop once N cards are disposed"), N_ ("N") },
  { "store", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_ ("Record store (default $CARDLINE_STORE, else the Setup settings, else the user data folder)"), N_ ("FILE") },
  { "summary-json", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_ ("Write the batch summary as JSON to FILE"), N_ ("FILE") },
  { "printer", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("Feed cards from this card printer (tcp://HOST:PORT, usb: or usb:VID:PID; default $CARDLINE_PRINTER)"),
    N_ ("URI") },
  { "printer-reader", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("The PC/SC reader of the printer's contact station (default $CARDLINE_PRINTER_READER)"), N_ ("NAME") },
  { "face-printer", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("Card faces go to this IPP URI or CUPS queue (default $CARDLINE_IPP_URI)"), N_ ("URI") },
  { "station", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("This station's name on the store (default $CARDLINE_STATION, else the host name); one process per name"),
    N_ ("NAME") },
  { "user", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("--headless: the station account (operator, supervisor or admin) who runs the batch"), N_ ("NAME") },
  { "remote", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_ ("Produce remotely: relay each card to the production service at URL (no token, no key on this station)"),
    N_ ("URL") },
  { "srca", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_ ("--remote: the SRCA certificate every produced card's chain must end in"), N_ ("FILE") },
  { "remote-ca", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_ ("--remote: PEM certificates that may issue the service's TLS certificate (default: the system's)"),
    N_ ("FILE") },
  { "face-template", 0, 0, G_OPTION_ARG_FILENAME, NULL, N_ ("--remote: the card-face template for --face-printer"),
    N_ ("FILE") },
  { "password-file", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_ ("--headless: read --user's password from FILE (mode 0600; default: ask on the terminal)"), N_ ("FILE") },
  { NULL }
};

static const struct
{
  const char *option;
  const char *variable;
} printer_env[] = { { "printer", "CARDLINE_PRINTER" }, { "printer-reader", "CARDLINE_PRINTER_READER" } };

static gint
cl_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  ClApplication *self = CL_APPLICATION (app);
  gint32 duration = 0;
  ClHeadlessOutput output = cl_headless_output_default ();

  /* A service's EnvironmentFile (cardline-station@.service) names the printer: one variable keeps a reader name
   * with spaces in one piece. Only for production: the window alone must not refuse to start over them. */
  for (guint i = 0; i < G_N_ELEMENTS (printer_env) && g_variant_dict_contains (options, "profile"); i++)
    if (!g_variant_dict_contains (options, printer_env[i].option) && g_getenv (printer_env[i].variable) != NULL
        && *g_getenv (printer_env[i].variable) != '\0')
      g_variant_dict_insert (options, printer_env[i].option, "s", g_getenv (printer_env[i].variable));

  if (g_variant_dict_contains (options, "version"))
    {
      printf ("cardline %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "duration", "i", &duration))
    {
      if (duration <= 0)
        {
          g_printerr ("cardline: --duration needs a positive number of seconds\n");
          return 2;
        }
      self->duration = (guint)duration;
      /* A timed run is a demo or a test; it must not hand its work to an already running instance. */
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }

  {
    g_autofree char *name = NULL;
    g_autoptr (GError) error = NULL;

    if (g_variant_dict_lookup (options, "output", "s", &name) && !cl_headless_output_parse (name, &output, &error))
      {
        g_printerr ("cardline: --output: %s\n", error->message);
        return 2;
      }
  }

  /* Remote production: no store, no token, no profile on this station (cl-remote-headless.h). */
  if (g_variant_dict_contains (options, "remote"))
    {
      char **strings = self->remote_strings;
      gint quantity = 0;

      if (g_variant_dict_contains (options, "profile"))
        {
          g_printerr ("cardline: --remote runs without --profile (the production service has the profile)\n");
          return 2;
        }
      g_variant_dict_lookup (options, "remote", "s", &strings[0]);
      g_variant_dict_lookup (options, "srca", "^ay", &strings[1]);
      g_variant_dict_lookup (options, "remote-ca", "^ay", &strings[2]);
      g_variant_dict_lookup (options, "batch", "s", &strings[3]);
      g_variant_dict_lookup (options, "quantity", "i", &quantity);
      g_variant_dict_lookup (options, "printer", "s", &strings[4]);
      g_variant_dict_lookup (options, "printer-reader", "s", &strings[5]);
      g_variant_dict_lookup (options, "face-printer", "s", &strings[6]);
      g_variant_dict_lookup (options, "face-template", "^ay", &strings[7]);
      self->remote
        = (ClRemoteOptions){ strings[0],     strings[1], strings[2], strings[3], quantity > 0 ? (guint)quantity : 0,
                             self->duration, strings[4], strings[5], strings[6], strings[7],
                             output };
      if (g_variant_dict_contains (options, "headless"))
        return cl_remote_headless_run (&self->remote);
      /* the window: signs in on this station's store like any window, then relays (cl-remote-parts.h) */
      self->remote_mode = TRUE;
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }

  /* One store for everything this run does: headless or window, production and sign-in alike. */
  {
    g_autofree char *store = NULL;

    g_variant_dict_lookup (options, "store", "^ay", &store);
    self->store_path = cl_store_location_full (store, &self->store_source);
    /* another instance runs on its own store: --store must not be handed to it and dropped there */
    if (store != NULL)
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
  }

  /* Names are data: one that could forge a line of output or a row of a listing is refused here (cl-name.h). */
  {
    static const struct
    {
      const char *option, *what;
    } names[] = { { "batch", "--batch" },
                  { "user", "--user" },
                  { "printer", "--printer" },
                  { "printer-reader", "--printer-reader" },
                  { "face-printer", "--face-printer" } };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *value = NULL;
        g_autoptr (GError) error = NULL;

        if (g_variant_dict_lookup (options, names[i].option, "s", &value)
            && !cl_name_check (names[i].what, value, &error))
          {
            g_printerr ("cardline: %s\n", error->message);
            return 2;
          }
      }
  }

  /* Without a profile there is nothing to feed for: refuse instead of quietly watching the readers. */
  if (g_variant_dict_contains (options, "printer") && !g_variant_dict_contains (options, "profile")
      && !self->remote_mode)
    {
      g_printerr ("cardline: --printer needs --profile FILE, --batch NAME and --quantity N\n");
      return 2;
    }

  {
    g_autofree char *station = NULL;
    g_autoptr (GError) error = NULL;
    gboolean given = g_variant_dict_lookup (options, "station", "s", &station);
    const char *name = given ? station : g_getenv ("CARDLINE_STATION");
    const char *what = given ? "--station" : "CARDLINE_STATION";

    /* Every part that names the station (batch run, card jobs, QA re-test) asks cl_station_identity(), which reads
     * CARDLINE_STATION: set once here, before any thread starts. The option and the service's variable get the one
     * rule for names (cl_name_check), and no '/': a station name is never taken for a path. */
    if (name != NULL && (given || *name != '\0') && !cl_name_check (what, name, &error))
      {
        g_printerr ("cardline: %s\n", error->message);
        return 2;
      }
    if (name != NULL && strchr (name, '/') != NULL)
      {
        g_printerr ("cardline: %s has a '/': a station name is not a path\n", what);
        return 2;
      }
    if (given)
      g_setenv ("CARDLINE_STATION", station, TRUE);
  }

  /* Headless runs here, before registration and startup, so GTK never opens a display. A batch runs for a person
   * who signed in (cl-headless-identity.h): the window's sign-in, without the window. */
  if (g_variant_dict_contains (options, "headless") && g_variant_dict_contains (options, "profile"))
    {
      g_autofree char *profile = NULL, *batch = NULL, *summary_json = NULL;
      g_autofree char *printer = NULL, *printer_reader = NULL, *face_printer = NULL;
      g_autofree char *user = NULL, *password_file = NULL, *actor = NULL;
      g_autoptr (GError) error = NULL;
      gint32 quantity = 0;
      ClProductionOptions production = { 0 };

      g_variant_dict_lookup (options, "user", "s", &user);
      g_variant_dict_lookup (options, "password-file", "^ay", &password_file);
      if (!(actor = cl_headless_identity_check (self->store_path, user, password_file, &error)))
        {
          g_printerr ("cardline: %s\n", error->message);
          return 2;
        }
      production.user = actor;
      g_variant_dict_lookup (options, "profile", "^ay", &profile);
      g_variant_dict_lookup (options, "batch", "s", &batch);
      g_variant_dict_lookup (options, "quantity", "i", &quantity);
      g_variant_dict_lookup (options, "summary-json", "^ay", &summary_json);
      production.profile = profile;
      production.batch = batch;
      production.quantity = quantity > 0 ? (guint)quantity : 0;
      production.store = self->store_path;
      production.summary_json = summary_json;
      production.duration = self->duration;
      production.output = output;
      g_variant_dict_lookup (options, "printer", "s", &printer);
      g_variant_dict_lookup (options, "printer-reader", "s", &printer_reader);
      g_variant_dict_lookup (options, "face-printer", "s", &face_printer);
      production.printer = printer;
      production.printer_reader = printer_reader;
      production.face_printer = face_printer;
      return cl_production_headless_run (&production);
    }
  if (g_variant_dict_contains (options, "profile"))
    {
      gint32 quantity = 0;

      g_variant_dict_lookup (options, "profile", "^ay", &self->production_strings[0]);
      g_variant_dict_lookup (options, "batch", "s", &self->production_strings[1]);
      g_variant_dict_lookup (options, "quantity", "i", &quantity);
      g_variant_dict_lookup (options, "printer", "s", &self->production_strings[2]);
      g_variant_dict_lookup (options, "printer-reader", "s", &self->production_strings[3]);
      g_variant_dict_lookup (options, "face-printer", "s", &self->production_strings[4]);
      if (g_variant_dict_contains (options, "user"))
        {
          /* the window's batch runs for whoever signs in there, not for a name on the command line */
          g_printerr ("cardline: --user is for --headless; in the window, the batch waits for a sign-in\n");
          return 2;
        }
      self->production.profile = self->production_strings[0];
      self->production.batch = self->production_strings[1];
      self->production.store = self->store_path;
      self->production.quantity = quantity > 0 ? (guint)quantity : 0;
      self->production.printer = self->production_strings[2];
      self->production.printer_reader = self->production_strings[3];
      self->production.face_printer = self->production_strings[4];
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }

  if (g_variant_dict_contains (options, "headless"))
    {
      g_autoptr (ClLine) line = cl_line_new ();

      return cl_headless_run (line, self->duration, output);
    }

  return -1;
}

static void
quit_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
about_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Cardline developers", NULL };
  GtkWidget *about = g_object_new (ADW_TYPE_ABOUT_WINDOW, "application-name", "Cardline", "application-icon", CL_APP_ID,
                                   "version", PACKAGE_VERSION, "comments", _ ("Smart-card production station"),
                                   "developers", developers, "license-type", GTK_LICENSE_LGPL_2_1, "transient-for",
                                   gtk_application_get_active_window (app), "modal", TRUE, NULL);

  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action },
  { .name = "about", .activate = about_action },
};

static void
cl_application_startup (GApplication *app)
{
  ClApplication *self = CL_APPLICATION (app);

  G_APPLICATION_CLASS (cl_application_parent_class)->startup (app);
  if (g_getenv ("CARDLINE_DEBUG_STARTUP") != NULL)
    g_printerr ("cardline: GTK and libadwaita started %.1f ms after main()\n",
                (g_get_monotonic_time () - self->start_time) / 1000.0);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  cl_ui_set_accels (GTK_APPLICATION (app));
}

static void
on_first_frame (GdkFrameClock *clock, ClApplication *self)
{
  gint64 elapsed = g_get_monotonic_time () - self->start_time;

  g_signal_handlers_disconnect_by_func (clock, on_first_frame, self);
  g_printerr ("cardline: first frame painted %.1f ms after main()\n", elapsed / 1000.0);
}

static void
on_window_map (GtkWidget *window, ClApplication *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_handlers_disconnect_by_func (window, on_window_map, self);
  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (on_first_frame), self);
}

static gboolean
quit_after_duration (gpointer user_data)
{
  ClApplication *self = CL_APPLICATION (user_data);

  self->quit_source = 0;
  g_application_quit (G_APPLICATION (self));
  return G_SOURCE_REMOVE;
}

static void
debug_startup (ClApplication *self, const char *what)
{
  if (g_getenv ("CARDLINE_DEBUG_STARTUP") != NULL)
    g_printerr ("cardline: %s %.1f ms after main()\n", what, (g_get_monotonic_time () - self->start_time) / 1000.0);
}

static void
opening_done (ClApplication *self)
{
  self->n_opening--;
}

static void
on_production_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ClApplication) self = user_data;
  g_autoptr (GError) error = NULL;
  ClProductionParts *parts = cl_production_window_open_finish (result, &error);
  ClEventLog *events = cl_line_get_events (self->line);

  opening_done (self);
  if (parts == NULL)
    {
      /* keys that differ from the fleet's are a station fault with its instruction, not a passing note */
      if (g_error_matches (error, CL_ERROR, CL_ERROR_FLEET_KEYS))
        cl_station_feed_fault (self->line, CL_LINE_FAULT_FLEET_KEYS, error->message);
      /* shutting down: nobody is there to read it */
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cl_event_log_add (events, CL_LINE_EVENT_NOTE, NULL, error->message);
      return;
    }
  self->production_parts = parts;
  debug_startup (self, "production ready");
  /* From here the window's thread must not wait for the production store either (debug builds say so). */
  cl_store_set_ui_thread (cl_production_setup_get_store (parts->setup), g_thread_self ());
  cl_station_session_set_production (self->station_session, parts->run, parts->setup, parts->reprint_face);
  cl_production_parts_start (parts, self->line);
  cl_event_log_add (events, CL_LINE_EVENT_NOTE, NULL, "store and token ready: production starts");
}

static void
on_remote_done (GCancellable *done, gpointer user_data)
{
  /* on the card's thread; stopping is thread-safe */
  cl_remote_run_stop (user_data);
}

static void
on_remote_finished (ClRemoteRun *run, ClApplication *self)
{
  g_autofree char *summary = cl_remote_run_summary (run);

  cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, NULL, summary);
}

/* The window's Pause lets the card in flight finish its session and takes no new one; Start resumes and answers a
 * fault at once (the run also tries again by itself, backing off); Stop takes no more cards. All are checked against
 * the role and audited by the window. */
static void
on_remote_command (ClWindow *window, const char *command, ClApplication *self)
{
  if (self->remote_parts == NULL)
    return;
  if (g_str_equal (command, "pause"))
    cl_remote_run_set_paused (self->remote_parts->run, TRUE);
  else if (g_str_equal (command, "start"))
    {
      cl_remote_run_set_paused (self->remote_parts->run, FALSE);
      cl_remote_run_retry (self->remote_parts->run);
    }
  else if (g_str_equal (command, "stop"))
    cl_remote_run_stop (self->remote_parts->run);
}

static void
on_remote_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ClApplication) self = user_data;
  g_autoptr (GError) error = NULL;
  ClRemoteParts *parts = cl_remote_parts_open_finish (result, &error);
  GtkWindow *window;

  opening_done (self);
  if (parts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, NULL, error->message);
      return;
    }
  self->remote_parts = parts;
  g_signal_connect_object (parts->run, "finished", G_CALLBACK (on_remote_finished), self, 0);
  g_cancellable_connect (cl_remote_run_get_done (parts->run), G_CALLBACK (on_remote_done), parts->run, NULL);
  cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, NULL, parts->description);
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (CL_IS_WINDOW (window))
    {
      cl_window_set_batch_counters (CL_WINDOW (window), cl_remote_run_get_counters (parts->run));
      g_signal_connect_object (window, "line-command", G_CALLBACK (on_remote_command), self, 0);
    }
  cl_remote_parts_start (parts, self->line);
}

/* A batch given on the command line starts only once someone allowed to run the line has signed in, and runs for
 * them: nobody's batch never runs (the header would say "Signed out" while cards are made). */
static void
on_signed_in (ClSession *session, GParamSpec *pspec, ClApplication *self)
{
  ClEventLog *events = cl_line_get_events (self->line);
  g_autofree char *text = NULL;

  if (self->production_asked || self->opening == NULL || g_cancellable_is_cancelled (self->opening)
      || !cl_session_allows (session, CL_PERMISSION_LINE_CONTROL))
    return;
  self->production_asked = TRUE;
  g_signal_handlers_disconnect_by_func (session, on_signed_in, self);
  if (self->remote_mode)
    {
      text = g_strdup_printf ("signed in: %s starts remote production", cl_session_get_user (session));
      cl_event_log_add (events, CL_LINE_EVENT_NOTE, NULL, text);
      self->n_opening++;
      cl_remote_parts_open_async (&self->remote, self->opening, on_remote_opened, g_object_ref (self));
      return;
    }
  g_free (self->production_strings[5]);
  self->production_strings[5] = g_strdup (cl_session_get_user (session));
  self->production.user = self->production_strings[5];
  text = g_strdup_printf ("signed in: %s starts batch %s", self->production.user, self->production.batch);
  cl_event_log_add (events, CL_LINE_EVENT_NOTE, NULL, text);
  self->n_opening++;
  cl_production_window_open_async (self->line, &self->production, self->opening, on_production_opened,
                                   g_object_ref (self));
}

static void
on_store_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ClApplication) self = user_data;
  ClSession *session = cl_station_session_get_session (self->station_session);

  /* a store that did not open is the session's toast; production tries the same store and says why it fails */
  cl_station_session_open_finish (CL_STATION_SESSION (source), result, NULL);
  debug_startup (self, "store opened");
  /* after the session's store, not beside it: two first openings of one store would both migrate it */
  if ((self->production.profile != NULL || self->remote_mode) && session != NULL
      && !g_cancellable_is_cancelled (self->opening))
    {
      g_autofree char *text = g_strdup_printf ("batch %s waits for an operator or supervisor to sign in",
                                               self->remote_mode                ? "remote"
                                               : self->production.batch != NULL ? self->production.batch
                                                                                : "");

      cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, NULL, text);
      g_signal_connect_object (session, "notify::signed-in", G_CALLBACK (on_signed_in), self, 0);
      on_signed_in (session, NULL, self);
    }
  opening_done (self);
}

static void
cl_application_activate (GApplication *app)
{
  ClApplication *self = CL_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      self->line = cl_line_new ();
      window = GTK_WINDOW (cl_window_new (GTK_APPLICATION (app), G_LIST_MODEL (cl_line_get_stations (self->line)),
                                          G_LIST_MODEL (cl_line_get_events (self->line))));
      if (g_getenv ("CARDLINE_DEBUG_STARTUP") != NULL)
        {
          debug_startup (self, "window built");
          g_signal_connect (window, "map", G_CALLBACK (on_window_map), self);
        }
      /* The store (a migration takes seconds on a big store) and the token open on workers: the window is up
       * and the readers show meanwhile; sign-in and production follow when they are ready. */
      cl_event_log_add (cl_line_get_events (self->line), CL_LINE_EVENT_NOTE, NULL,
                        self->production.profile != NULL ? "Opening the store and token…" : "Opening the store…");
      {
        ClSetupInUse in_use = { .profile = self->production.profile,
                                .store = self->store_path,
                                .store_source = self->store_source,
                                .printer = self->production.printer,
                                .printer_reader = self->production.printer_reader };

        cl_window_set_in_use (CL_WINDOW (window), &in_use);
      }
      self->station_session = cl_station_session_new (GTK_APPLICATION (app), CL_WINDOW (window), self->line);
      cl_station_session_set_line_printer (self->station_session, self->production.printer);
      self->opening = g_cancellable_new ();
      self->n_opening = 1;
      cl_station_session_open_async (self->station_session, self->store_path, on_store_opened, g_object_ref (self));
      cl_line_start (self->line);
      if (self->duration > 0)
        self->quit_source = g_timeout_add_seconds (self->duration, quit_after_duration, self);
    }

  gtk_window_present (window);
  cl_window_require_sign_in (CL_WINDOW (window));
}

static void
cl_application_shutdown (GApplication *app)
{
  ClApplication *self = CL_APPLICATION (app);

  g_clear_handle_id (&self->quit_source, g_source_remove);
  /* A worker still opening holds the store: let it finish (a migration is not interrupted), start nothing. */
  if (self->opening != NULL)
    g_cancellable_cancel (self->opening);
  while (self->n_opening > 0)
    g_main_context_iteration (NULL, TRUE);
  if (self->line != NULL)
    cl_line_stop (self->line);
  /* A remote card in flight ends its session before the process goes (a printer's card leaves the station). */
  if (self->remote_parts != NULL)
    {
      cl_remote_run_stop (self->remote_parts->run);
      while (cl_remote_run_get_running (self->remote_parts->run))
        g_main_context_iteration (NULL, TRUE);
    }
  /* The cards in flight are recorded and the batch's end written before the process goes. */
  if (self->production_parts != NULL)
    {
      cl_batch_run_stop_async (self->production_parts->run, NULL, NULL, NULL, NULL);
      while (cl_batch_run_get_running (self->production_parts->run))
        g_main_context_iteration (NULL, TRUE);
    }

  G_APPLICATION_CLASS (cl_application_parent_class)->shutdown (app);
}

static void
cl_application_dispose (GObject *object)
{
  ClApplication *self = CL_APPLICATION (object);

  g_clear_object (&self->station_session);
  g_clear_pointer (&self->production_parts, cl_production_parts_free);
  g_clear_pointer (&self->remote_parts, cl_remote_parts_free);
  g_clear_object (&self->opening);
  g_clear_object (&self->line);
  for (guint i = 0; i < G_N_ELEMENTS (self->production_strings); i++)
    g_clear_pointer (&self->production_strings[i], g_free);
  for (guint i = 0; i < G_N_ELEMENTS (self->remote_strings); i++)
    g_clear_pointer (&self->remote_strings[i], g_free);
  g_clear_pointer (&self->store_path, g_free);

  G_OBJECT_CLASS (cl_application_parent_class)->dispose (object);
}

static void
cl_application_class_init (ClApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cl_application_dispose;
  app_class->handle_local_options = cl_application_handle_local_options;
  app_class->startup = cl_application_startup;
  app_class->activate = cl_application_activate;
  app_class->shutdown = cl_application_shutdown;
}

static void
cl_application_init (ClApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self), _ ("Smart-card production station."));
}

ClApplication *
cl_application_new (gint64 start_time)
{
  ClApplication *self
    = g_object_new (CL_TYPE_APPLICATION, "application-id", CL_APP_ID, "flags", G_APPLICATION_DEFAULT_FLAGS, NULL);

  self->start_time = start_time;
  return self;
}
