#include "cl-test-app.h"

#include "cl-session.h"
#include "cl-step-row.h"
#include "cl-test-widgets.h"

void
cl_test_iterate_for (gint64 ms)
{
  gint64 until = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (2000);
}

void
cl_test_save_view_screenshot (GtkWidget *window, const char *name)
{
  /* no transition to let settle: cl_test_run_window turned animations off, so the frame the screenshot waits for
   * shows the view as switched */
  g_free (cl_test_save_screenshot (window, name));
}

typedef struct
{
  ClTestWindowFunc run;
} WindowRun;

static void
on_activate (GApplication *app, WindowRun *window_run)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (CL_IS_WINDOW (window));
  /* Transitions (the view switcher's, CSS ones, toasts sliding in) take time that a loaded machine stretches;
   * without them a change is complete in the next frame, which is what cl_test_save_view_screenshot waits for. */
  g_object_set (gtk_widget_get_settings (GTK_WIDGET (window)), "gtk-enable-animations", FALSE, NULL);
  window_run->run (CL_WINDOW (window));
  g_application_quit (app);
}

void
cl_test_run_window (GApplication *app, int argc, char **argv, ClTestWindowFunc run)
{
  WindowRun window_run = { run };

  /* after the app's own handler, which builds the window */
  g_signal_connect_after (app, "activate", G_CALLBACK (on_activate), &window_run);
  g_application_run (app, argc, argv);
  g_signal_handlers_disconnect_by_data (app, &window_run);
}

void
cl_test_add_user (const char *path, const char *user, ClUserRole role, const char *password)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = cl_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_true (cl_store_user_add_with_password (store, user, role, password, "test", &error));
  g_assert_no_error (error);
}

ClLoginDialog *
cl_test_find_login_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (CL_IS_LOGIN_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return CL_LOGIN_DIALOG (window);
    }
  return NULL;
}

void
cl_test_sign_in (ClWindow *window, const char *user, const char *password)
{
  ClLoginDialog *dialog;
  ClSession *session;

  CL_TEST_WAIT_UNTIL ((dialog = cl_test_find_login_dialog ()) != NULL);
  session = cl_window_get_session (window);
  cl_login_dialog_submit (dialog, user, password);
  CL_TEST_WAIT_UNTIL (cl_session_get_signed_in (session));
  g_assert_cmpstr (cl_session_get_user (session), ==, user);
  g_print ("# signed in as %s\n", user);
}

typedef struct
{
  const char *path;
  ClTestStoreRead read;
  gpointer data;
  gint done;
} StoreRead;

static gpointer
store_read_thread (gpointer user_data)
{
  StoreRead *job = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = cl_store_open (job->path, &error);

  g_assert_no_error (error);
  job->read (store, job->data);
  g_clear_object (&store);
  g_atomic_int_set (&job->done, TRUE);
  return NULL;
}

void
cl_test_read_store (const char *path, ClTestStoreRead read, gpointer data)
{
  StoreRead job = { path, read, data, FALSE };
  GThread *thread = g_thread_new ("test-store", store_read_thread, &job);

  /* not a bare join: the window goes on answering its workers while the test waits */
  CL_TEST_WAIT_UNTIL (g_atomic_int_get (&job.done));
  g_thread_join (thread);
}

ClYieldSummary *
cl_test_batch_summary (ClStore *store, const char *name, gint64 *batch)
{
  g_autoptr (GError) error = NULL;
  gint64 id = cl_store_batch_lookup (store, name, &error);
  ClYieldSummary *summary;

  g_assert_no_error (error);
  summary = cl_store_yield_summary (store, id, 0, 0, &error);
  g_assert_no_error (error);
  if (batch != NULL)
    *batch = id;
  return summary;
}

ClLineView *
cl_test_line_view (ClWindow *window)
{
  return CL_LINE_VIEW (cl_test_find_by_type (GTK_WIDGET (window), CL_TYPE_LINE_VIEW));
}

const char *
cl_test_bar_text (ClWindow *window, const char *which)
{
  return cl_batch_counters_bar_get_text (cl_line_view_get_counters_bar (cl_test_line_view (window)), which);
}

gboolean
cl_test_bar_equals (ClWindow *window, const char *which, guint64 value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, value);

  return g_strcmp0 (cl_test_bar_text (window, which), text) == 0;
}

GSubprocess *
cl_test_spawn_rack_feeder (const char *feeder, const char *vcard, const char *store_path, const char *ports,
                           const char *names, const char *timeout_s, const char *cards_dir, guint n)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, "CARDLINE_VPCD_PORTS", ports, TRUE);
  g_subprocess_launcher_setenv (launcher, "CARDLINE_READER_NAMES", names, TRUE);
  g_ptr_array_add (argv, g_strdup (feeder));
  g_ptr_array_add (argv, g_strdup ("--vcard"));
  g_ptr_array_add (argv, g_strdup (vcard));
  g_ptr_array_add (argv, g_strdup ("--store"));
  g_ptr_array_add (argv, g_strdup (store_path));
  if (timeout_s != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--timeout"));
      g_ptr_array_add (argv, g_strdup (timeout_s));
    }
  for (guint i = 1; i <= n; i++)
    g_ptr_array_add (argv, g_strdup_printf ("%s/card-%04u.vcard", cards_dir, i));
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

ClReader *
cl_test_find_station (ClWindow *window, const char *reader)
{
  GListModel *stations = cl_line_view_get_stations (cl_test_line_view (window));

  for (guint i = 0; stations != NULL && i < g_list_model_get_n_items (stations); i++)
    {
      g_autoptr (ClReader) station = g_list_model_get_item (stations, i);

      if (g_strcmp0 (cl_reader_get_name (station), reader) == 0)
        return station; /* the list keeps it */
    }
  return NULL;
}

static gboolean
is_panel_of (GtkWidget *widget, gconstpointer station)
{
  return CL_IS_READER_PANEL (widget) && cl_reader_panel_get_reader (CL_READER_PANEL (widget)) == station;
}

ClReaderPanel *
cl_test_find_panel (GtkWidget *root, ClReader *station)
{
  return CL_READER_PANEL (cl_test_find (root, is_panel_of, station));
}

const char *
cl_test_panel_label (ClReaderPanel *panel, const char *id)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (panel), CL_TYPE_READER_PANEL, id);

  g_assert_true (GTK_IS_LABEL (child));
  return gtk_label_get_text (GTK_LABEL (child));
}

char *
cl_test_panel_steps (ClReaderPanel *panel)
{
  GtkWidget *list = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (panel), CL_TYPE_READER_PANEL, "steps_list"));
  g_autoptr (GEnumClass) klass = g_type_class_ref (CL_TYPE_READER_STEP_STATE);
  GString *text = g_string_new (NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      ClReaderStep *step;
      GObject *duration;

      if (!CL_IS_STEP_ROW (row))
        continue;
      step = cl_step_row_get_step (CL_STEP_ROW (row));
      duration = gtk_widget_get_template_child (row, CL_TYPE_STEP_ROW, "duration_label");
      g_string_append_printf (text, "%s%s=%s[%s]", text->len > 0 ? " " : "", cl_reader_step_get_name (step),
                              g_enum_get_value (klass, cl_reader_step_get_state (step))->value_nick,
                              gtk_label_get_text (GTK_LABEL (duration)));
    }
  return g_string_free (text, FALSE);
}

char *
cl_test_panel_result (ClReaderPanel *panel)
{
  g_autofree char *steps = cl_test_panel_steps (panel);

  return g_strdup_printf ("%s | %s | %s", cl_test_panel_label (panel, "result_label"),
                          cl_test_panel_label (panel, "result_detail_label"), steps);
}
