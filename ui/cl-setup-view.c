/* cl-setup-view.c: station setup (cl-setup-view.h). */
#include "cl-setup-view.h"

#include <glib/gi18n.h>

#include "station/cl-reader.h"

struct _ClSetupView
{
  AdwBin parent_instance;

  GSettings *settings;
  GListModel *stations;
  ClSession *session;
  char *profiles_dir;
  char *running_profile; /* --profile: the line runs it, Setup's choice waits for a run without it */
  GtkStringList *reader_names;
  gboolean syncing_readers;

  AdwPreferencesPage *page;
  AdwPreferencesGroup *access_group;
  AdwPreferencesGroup *profile_group;
  AdwPreferencesGroup *records_group;
  AdwPreferencesGroup *hsm_group;
  AdwPreferencesGroup *readers_group;
  AdwPreferencesGroup *printer_group;
  AdwPreferencesGroup *batch_group;
  AdwEntryRow *batch_name_row;
  GtkSpinButton *batch_quantity;
  AdwActionRow *profile_row;
  AdwActionRow *store_row;
  AdwActionRow *printer_in_use_row;
  AdwEntryRow *hsm_module_row;
  AdwEntryRow *hsm_label_row;
  AdwActionRow *pin_file_row;
  AdwComboRow *qa_reader_row;
  AdwEntryRow *printer_address_row;
  AdwEntryRow *cups_row;
};

G_DEFINE_FINAL_TYPE (ClSetupView, cl_setup_view, ADW_TYPE_BIN)

static void
update_access (ClSetupView *self)
{
  gboolean allowed = self->session != NULL && cl_session_allows (self->session, CL_PERMISSION_STATION_SETUP);
  gboolean batches = self->session != NULL && cl_session_allows (self->session, CL_PERMISSION_BATCH_SETUP);
  GtkWidget *groups[] = { GTK_WIDGET (self->profile_group), GTK_WIDGET (self->hsm_group),
                          GTK_WIDGET (self->readers_group), GTK_WIDGET (self->printer_group) };

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    gtk_widget_set_sensitive (groups[i], allowed);
  gtk_widget_set_sensitive (GTK_WIDGET (self->batch_group), batches);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.create-batch", batches);
  adw_preferences_group_set_description (
    self->access_group,
    allowed ? _ ("Changes are saved at once.") : _ ("Read-only: editing the station setup needs the supervisor role."));
}

static void
show_path (AdwActionRow *row, const char *path)
{
  adw_action_row_set_subtitle (row, path && *path ? path : _ ("None chosen"));
}

static void sync_readers (ClSetupView *self);

static void
on_setting_changed (GSettings *settings, const char *key, ClSetupView *self)
{
  if (g_str_equal (key, "profile-path") && self->running_profile == NULL)
    {
      g_autofree char *path = g_settings_get_string (settings, key);
      show_path (self->profile_row, path);
    }
  else if (g_str_equal (key, "hsm-pin-file"))
    {
      g_autofree char *path = g_settings_get_string (settings, key);
      show_path (self->pin_file_row, path);
    }
  else if (g_str_equal (key, "qa-reader") && !self->syncing_readers)
    sync_readers (self);
}

static void
sync_readers (ClSetupView *self)
{
  g_autofree char *chosen = self->settings ? g_settings_get_string (self->settings, "qa-reader") : g_strdup ("");
  guint n = self->stations ? g_list_model_get_n_items (self->stations) : 0;
  guint selected = 0;
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);

  gtk_string_list_append (names, _ ("None"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ClReader) station = g_list_model_get_item (self->stations, i);

      gtk_string_list_append (names, cl_reader_get_name (station));
      if (g_str_equal (cl_reader_get_name (station), chosen))
        selected = i + 1;
    }
  /* A chosen reader that is unplugged now stays chosen, and listed. */
  if (*chosen != '\0' && selected == 0)
    {
      gtk_string_list_append (names, chosen);
      selected = n + 1;
    }
  self->syncing_readers = TRUE;
  g_set_object (&self->reader_names, names);
  adw_combo_row_set_model (self->qa_reader_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->qa_reader_row, selected);
  self->syncing_readers = FALSE;
}

static void
on_reader_selected (ClSetupView *self)
{
  guint selected = adw_combo_row_get_selected (self->qa_reader_row);
  const char *name;

  if (self->syncing_readers || self->settings == NULL || self->reader_names == NULL)
    return;
  name = selected == 0 ? "" : gtk_string_list_get_string (self->reader_names, selected);
  if (name == NULL)
    return;
  /* Our own change needs no rebuild of the list it came from. */
  self->syncing_readers = TRUE;
  g_settings_set_string (self->settings, "qa-reader", name);
  self->syncing_readers = FALSE;
  if (self->session != NULL)
    cl_session_audit (self->session, "setup-qa-reader", name, NULL);
}

void
cl_setup_view_set_settings (ClSetupView *self, GSettings *settings)
{
  struct
  {
    const char *key;
    AdwEntryRow *row;
  } entries[] = {
    { "hsm-module", self->hsm_module_row },
    { "hsm-token-label", self->hsm_label_row },
    { "printer-address", self->printer_address_row },
    { "cups-destination", self->cups_row },
  };

  g_return_if_fail (CL_IS_SETUP_VIEW (self));
  g_return_if_fail (self->settings == NULL);
  if (settings == NULL)
    return;
  self->settings = g_object_ref (settings);
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    g_settings_bind (settings, entries[i].key, entries[i].row, "text", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (settings, "changed", G_CALLBACK (on_setting_changed), self, 0);
  on_setting_changed (settings, "profile-path", self);
  on_setting_changed (settings, "hsm-pin-file", self);
  sync_readers (self);
}

void
cl_setup_view_set_stations (ClSetupView *self, GListModel *stations)
{
  g_return_if_fail (CL_IS_SETUP_VIEW (self));
  if (self->stations != NULL)
    g_signal_handlers_disconnect_by_func (self->stations, sync_readers, self);
  g_set_object (&self->stations, stations);
  if (stations != NULL)
    g_signal_connect_object (stations, "items-changed", G_CALLBACK (sync_readers), self, G_CONNECT_SWAPPED);
  sync_readers (self);
}

void
cl_setup_view_set_session (ClSetupView *self, ClSession *session)
{
  g_return_if_fail (CL_IS_SETUP_VIEW (self));
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_func (self->session, update_access, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect_object (session, "notify::signed-in", G_CALLBACK (update_access), self, G_CONNECT_SWAPPED);
  update_access (self);
}

static const char *
store_source_text (ClStoreSource source)
{
  switch (source)
    {
      case CL_STORE_FROM_COMMAND_LINE:
        return _ ("Set by the command line (--store) for this run");
      case CL_STORE_FROM_ENVIRONMENT:
        return _ ("Set by $CARDLINE_STORE");
      case CL_STORE_FROM_SETTINGS:
        return _ ("Set by the station settings (store-path)");
      case CL_STORE_FROM_DEFAULT:
      default:
        return _ ("The default location");
    }
}

void
cl_setup_view_set_in_use (ClSetupView *self, const ClSetupInUse *in_use)
{
  g_return_if_fail (CL_IS_SETUP_VIEW (self));

  g_clear_pointer (&self->running_profile, g_free);
  if (in_use != NULL && in_use->profile != NULL)
    {
      g_autofree char *text
        = g_strdup_printf ("%s\n%s", in_use->profile, _ ("Set by the command line (--profile) for this run"));

      self->running_profile = g_strdup (in_use->profile);
      adw_action_row_set_subtitle (self->profile_row, text);
    }
  else if (self->settings != NULL)
    on_setting_changed (self->settings, "profile-path", self);
  else
    show_path (self->profile_row, NULL);
  /* Choosing would not change what this run produces. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "setup.choose-profile", self->running_profile == NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->records_group), in_use != NULL && in_use->store != NULL);
  if (in_use != NULL && in_use->store != NULL)
    {
      g_autofree char *text = g_strdup_printf ("%s\n%s", in_use->store, store_source_text (in_use->store_source));

      adw_action_row_set_subtitle (self->store_row, text);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->printer_in_use_row), in_use != NULL && in_use->printer != NULL);
  if (in_use != NULL && in_use->printer != NULL)
    {
      g_autofree char *printer = NULL;
      g_autofree char *text = NULL;

      if (in_use->printer_reader != NULL)
        printer = g_strdup_printf (_ ("%s, contact station in reader %s"), in_use->printer, in_use->printer_reader);
      text = g_strdup_printf ("%s\n%s", printer != NULL ? printer : in_use->printer,
                              _ ("Set by the command line (--printer) for this run"));
      adw_action_row_set_subtitle (self->printer_in_use_row, text);
    }
}

void
cl_setup_view_set_profiles_dir (ClSetupView *self, const char *dir)
{
  g_free (self->profiles_dir);
  self->profiles_dir = g_strdup (dir);
}

static void
on_file_chosen (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  ClSetupView *self = CL_SETUP_VIEW (user_data);
  const char *key = g_object_get_data (G_OBJECT (dialog), "key");

  if (response == GTK_RESPONSE_ACCEPT && self->settings != NULL)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        {
          g_settings_set_string (self->settings, key, path);
          if (self->session != NULL)
            cl_session_audit (self->session, g_str_equal (key, "profile-path") ? "setup-profile" : "setup-pin-file",
                              path, NULL);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
choose_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClSetupView *self = CL_SETUP_VIEW (widget);
  gboolean profile = g_str_equal (action_name, "setup.choose-profile");
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (profile ? _ ("Choose a Profile") : _ ("Choose the PIN File"),
                                        GTK_WINDOW (gtk_widget_get_root (widget)), GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _ ("_Open"), _ ("_Cancel"));
  if (profile)
    {
      g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _ ("Cardline profiles"));
      gtk_file_filter_add_pattern (filter, "*.profile");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
      if (self->profiles_dir != NULL)
        {
          g_autoptr (GFile) dir = g_file_new_for_path (self->profiles_dir);

          gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), dir, NULL);
        }
    }
  g_object_set_data (G_OBJECT (dialog), "key", (gpointer)(profile ? "profile-path" : "hsm-pin-file"));
  g_signal_connect (dialog, "response", G_CALLBACK (on_file_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- new batch ---- */

typedef struct
{
  ClStore *store;
  char *name;
  char *profile_path;
  guint quantity;
  char *actor;
} BatchJob;

static void
batch_job_free (BatchJob *job)
{
  g_clear_object (&job->store);
  g_free (job->name);
  g_free (job->profile_path);
  g_free (job->actor);
  g_free (job);
}

static void
create_batch_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  BatchJob *job = task_data;
  g_autofree char *contents = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *profile_name = NULL;
  gsize length = 0;
  GError *error = NULL;
  gint64 id;

  /* The batch records which profile, byte for byte, it was set up with. */
  if (!g_file_get_contents (job->profile_path, &contents, &length, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *)contents, length);
  profile_name = g_path_get_basename (job->profile_path);
  id = cl_store_batch_create (job->store, job->name, profile_name, hash, job->quantity, job->actor, &error);
  if (id <= 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, id);
}

static void
on_batch_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClSetupView *self = CL_SETUP_VIEW (source);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  GtkWidget *overlay;

  if (g_task_propagate_int (G_TASK (result), &error) > 0)
    {
      text = g_strdup_printf (_ ("Batch “%s” created"), gtk_editable_get_text (GTK_EDITABLE (self->batch_name_row)));
      gtk_editable_set_text (GTK_EDITABLE (self->batch_name_row), "");
    }
  else
    text = g_strdup_printf (_ ("The batch was not created: %s"), error->message);
  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
  else
    adw_preferences_group_set_description (self->batch_group, text);
}

static void
create_batch_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClSetupView *self = CL_SETUP_VIEW (widget);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->batch_name_row))));
  g_autofree char *profile = self->running_profile != NULL ? g_strdup (self->running_profile)
                             : self->settings != NULL      ? g_settings_get_string (self->settings, "profile-path")
                                                           : g_strdup ("");
  g_autoptr (GTask) task = NULL;
  BatchJob *job;

  if (self->session == NULL || !cl_session_allows (self->session, CL_PERMISSION_BATCH_SETUP)
      || cl_session_get_store (self->session) == NULL)
    return;
  if (*name == '\0' || *profile == '\0')
    {
      adw_preferences_group_set_description (self->batch_group, _ ("Choose a profile and name the batch first."));
      return;
    }
  job = g_new0 (BatchJob, 1);
  job->store = g_object_ref (cl_session_get_store (self->session));
  job->name = g_steal_pointer (&name);
  job->profile_path = g_steal_pointer (&profile);
  job->quantity = (guint)gtk_spin_button_get_value_as_int (self->batch_quantity);
  job->actor = g_strdup (cl_session_get_user (self->session));
  task = g_task_new (self, NULL, on_batch_created, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify)batch_job_free);
  g_task_run_in_thread (task, create_batch_in_thread);
}

static void
cl_setup_view_dispose (GObject *object)
{
  ClSetupView *self = CL_SETUP_VIEW (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->stations);
  g_clear_object (&self->session);
  g_clear_object (&self->reader_names);
  g_clear_pointer (&self->profiles_dir, g_free);
  g_clear_pointer (&self->running_profile, g_free);

  G_OBJECT_CLASS (cl_setup_view_parent_class)->dispose (object);
}

static void
cl_setup_view_class_init (ClSetupViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_setup_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-setup-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, page);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, access_group);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, profile_group);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, records_group);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, hsm_group);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, readers_group);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, printer_group);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, batch_group);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, batch_name_row);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, batch_quantity);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, profile_row);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, store_row);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, printer_in_use_row);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, hsm_module_row);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, hsm_label_row);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, pin_file_row);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, qa_reader_row);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, printer_address_row);
  gtk_widget_class_bind_template_child (widget_class, ClSetupView, cups_row);
  gtk_widget_class_install_action (widget_class, "setup.choose-profile", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "setup.choose-pin-file", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "setup.create-batch", NULL, create_batch_action);
}

static void
cl_setup_view_init (ClSetupView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->qa_reader_row, "notify::selected", G_CALLBACK (on_reader_selected), self);
  sync_readers (self);
  update_access (self);
}

GtkWidget *
cl_setup_view_new (void)
{
  return g_object_new (CL_TYPE_SETUP_VIEW, NULL);
}
