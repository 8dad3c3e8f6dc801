/* cl-import-dialog.c: the window's data file import (cl-import-dialog.h). Checking the file (CSV, photos decoded) and
 * writing the rows run on workers; only the results come back to the UI thread. */
#include "cl-import-dialog.h"

#include <glib/gi18n.h>

#include "data/cl-data-import.h"

/* rows shown in the preview: enough to recognise the file and see that the columns line up */
#define PREVIEW_ROWS 10

struct _ClImportDialog
{
  AdwWindow parent_instance;

  ClSession *session;
  gint64 batch_id;
  char *batch_name;
  char *data_path;
  char *photos_dir;
  char *mapping_path;
  ClDataMapping *mapping;
  ClDataFile *file;
  guint generation; /* of the check shown; a newer one makes older results stale */
  gboolean busy;

  AdwWindowTitle *title;
  GtkSpinner *spinner;
  GtkLabel *summary;
  GtkGrid *preview;
  GtkLabel *problems;
};

G_DEFINE_FINAL_TYPE (ClImportDialog, cl_import_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_CHECKED,
  SIGNAL_IMPORTED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

typedef struct
{
  ClStore *store;
  gint64 batch_id;
  guint generation;
  char *data_path;
  char *photos_dir;
  char *mapping_path;
  ClDataMapping *mapping;
  ClDataFile *file;
  gboolean good_only;
  char *actor;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->store);
  g_free (job->data_path);
  g_free (job->photos_dir);
  g_free (job->mapping_path);
  g_clear_object (&job->mapping);
  g_clear_object (&job->file);
  g_free (job->actor);
  g_free (job);
}

/* g_set_str() is GLib 2.76 */
static void
set_str (char **where, const char *value)
{
  char *copy = g_strdup (value);

  g_free (*where);
  *where = copy;
}

static void
update_actions (ClImportDialog *self)
{
  gboolean checked = !self->busy && self->file != NULL;
  guint problems = checked ? cl_data_problems_count (cl_data_file_get_problems (self->file)) : 0;
  guint good = checked ? cl_data_file_get_good_rows (self->file)->len : 0;
  gboolean allowed = cl_session_allows (self->session, CL_PERMISSION_BATCH_SETUP);
  /* as `cardline-admin batch import --good-rows-only`: the supervisor's call alone */
  gboolean supervisor
    = cl_session_get_signed_in (self->session) && cl_session_get_role (self->session) == CL_ROLE_SUPERVISOR;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose-data", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose-photos", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose-mapping", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.import", allowed && checked && problems == 0 && good > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.import-good-rows",
                                 allowed && supervisor && checked && problems > 0 && good > 0);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
show_preview (ClImportDialog *self)
{
  const ClCsvTable *table = cl_data_file_get_table (self->file);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview))) != NULL)
    gtk_grid_remove (self->preview, child);
  for (guint c = 0; table->header[c] != NULL; c++)
    {
      GtkWidget *label = gtk_label_new (table->header[c]);

      gtk_widget_add_css_class (label, "heading");
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_grid_attach (self->preview, label, (int)c + 1, 0, 1, 1);
    }
  for (guint r = 0; r < table->rows->len && r < PREVIEW_ROWS; r++)
    {
      const ClCsvRow *row = g_ptr_array_index (table->rows, r);
      g_autofree char *line = g_strdup_printf ("%u", row->line);
      GtkWidget *number = gtk_label_new (line);

      gtk_widget_add_css_class (number, "dim-label");
      gtk_grid_attach (self->preview, number, 0, (int)r + 1, 1, 1);
      for (guint c = 0; row->fields[c] != NULL; c++)
        {
          GtkWidget *label = gtk_label_new (row->fields[c]);

          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
          gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
          gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
          gtk_grid_attach (self->preview, label, (int)c + 1, (int)r + 1, 1, 1);
        }
    }
}

static void
show_checked (ClImportDialog *self)
{
  ClDataProblems *problems = cl_data_file_get_problems (self->file);
  g_autofree char *text = cl_data_problems_to_text (problems);
  g_autofree char *summary = g_strdup_printf (
    _ ("%s: %u rows, %u good, %u with problems (%u problems). SHA-256 %s"), cl_data_file_get_name (self->file),
    cl_data_file_get_row_count (self->file), cl_data_file_get_good_rows (self->file)->len,
    cl_data_file_count_refused (self->file), cl_data_problems_count (problems), cl_data_file_get_sha256 (self->file));

  gtk_label_set_text (self->summary, summary);
  gtk_label_set_text (self->problems, text);
  show_preview (self);
}

static void
check_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  job->mapping = job->mapping_path != NULL ? cl_data_mapping_new_from_file (job->mapping_path, &error)
                                           : cl_data_mapping_for_batch (job->store, job->batch_id, &error);
  if (job->mapping != NULL)
    job->file = cl_data_file_read (job->data_path, job->mapping, job->photos_dir, &error);
  if (job->file == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClImportDialog *self = CL_IMPORT_DIALOG (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (job->generation != self->generation)
    return;
  self->busy = FALSE;
  g_clear_object (&self->file);
  g_clear_object (&self->mapping);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->file = g_steal_pointer (&job->file);
      self->mapping = g_steal_pointer (&job->mapping);
      show_checked (self);
    }
  else
    {
      GtkWidget *child;

      gtk_label_set_text (self->summary, error->message);
      gtk_label_set_text (self->problems, "");
      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview))) != NULL)
        gtk_grid_remove (self->preview, child);
    }
  update_actions (self);
  g_signal_emit (self, signals[SIGNAL_CHECKED], 0);
}

void
cl_import_dialog_check (ClImportDialog *self, const char *data_path, const char *photos_dir, const char *mapping_path)
{
  g_autoptr (GTask) task = NULL;
  Job *job;

  g_return_if_fail (CL_IS_IMPORT_DIALOG (self));
  set_str (&self->data_path, data_path);
  set_str (&self->photos_dir, photos_dir);
  set_str (&self->mapping_path, mapping_path);
  if (self->data_path == NULL)
    return;
  job = g_new0 (Job, 1);
  job->store = g_object_ref (cl_session_get_store (self->session));
  job->batch_id = self->batch_id;
  job->generation = ++self->generation;
  job->data_path = g_strdup (self->data_path);
  job->photos_dir = g_strdup (self->photos_dir);
  job->mapping_path = g_strdup (self->mapping_path);
  self->busy = TRUE;
  gtk_label_set_text (self->summary, _ ("Checking every row…"));
  update_actions (self);
  task = g_task_new (self, NULL, on_checked, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify)job_free);
  g_task_run_in_thread (task, check_in_thread);
}

static void
import_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  ClRowsImportOutcome outcome = CL_ROWS_IMPORTED;
  GError *error = NULL;

  if (cl_data_import (job->store, job->batch_id, job->file, job->mapping, job->good_only, job->actor, &outcome, &error)
      == 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, outcome);
}

static void
on_imported (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClImportDialog *self = CL_IMPORT_DIALOG (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  gssize outcome = g_task_propagate_int (G_TASK (result), &error);

  self->busy = FALSE;
  if (error != NULL)
    text = g_strdup (error->message);
  else if (outcome == CL_ROWS_ALREADY_IMPORTED)
    text = g_strdup_printf (_ ("%s is already the data file of batch %s: nothing changed"),
                            cl_data_file_get_name (job->file), self->batch_name);
  else
    text = g_strdup_printf (_ ("%u rows of %s imported into batch %s"), cl_data_file_get_good_rows (job->file)->len,
                            cl_data_file_get_name (job->file), self->batch_name);
  gtk_label_set_text (self->summary, text);
  update_actions (self);
  g_signal_emit (self, signals[SIGNAL_IMPORTED], 0);
}

static void
import_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClImportDialog *self = CL_IMPORT_DIALOG (widget);
  g_autoptr (GTask) task = NULL;
  Job *job;

  if (self->file == NULL || self->busy)
    return;
  job = g_new0 (Job, 1);
  job->store = g_object_ref (cl_session_get_store (self->session));
  job->batch_id = self->batch_id;
  job->file = g_object_ref (self->file);
  job->mapping = g_object_ref (self->mapping);
  job->good_only = g_str_equal (action_name, "import.import-good-rows");
  job->actor = g_strdup (cl_session_get_user (self->session));
  self->busy = TRUE;
  gtk_label_set_text (self->summary, _ ("Importing…"));
  update_actions (self);
  task = g_task_new (self, NULL, on_imported, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify)job_free);
  g_task_run_in_thread (task, import_in_thread);
}

static void
on_chosen (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  ClImportDialog *self = CL_IMPORT_DIALOG (user_data);
  const char *which = g_object_get_data (G_OBJECT (dialog), "which");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *data = g_strdup (self->data_path);
      g_autofree char *photos = g_strdup (self->photos_dir);
      g_autofree char *mapping = g_strdup (self->mapping_path);

      if (g_str_equal (which, "data"))
        set_str (&data, path);
      else if (g_str_equal (which, "photos"))
        set_str (&photos, path);
      else
        set_str (&mapping, path);
      cl_import_dialog_check (self, data, photos, mapping);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
choose_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  const char *which = g_str_equal (action_name, "import.choose-data")     ? "data"
                      : g_str_equal (action_name, "import.choose-photos") ? "photos"
                                                                          : "mapping";
  gboolean folder = g_str_equal (which, "photos");
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (
    g_str_equal (which, "data") ? _ ("Choose the Data File")
    : folder                    ? _ ("Choose the Photos Folder")
                                : _ ("Choose the Mapping File"),
    GTK_WINDOW (widget), folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Open"),
    _ ("_Cancel"));

  g_object_set_data (G_OBJECT (dialog), "which", (gpointer)which);
  g_signal_connect (dialog, "response", G_CALLBACK (on_chosen), g_object_ref (widget));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

const char *
cl_import_dialog_get_summary (ClImportDialog *self)
{
  return gtk_label_get_text (self->summary);
}

const char *
cl_import_dialog_get_problems (ClImportDialog *self)
{
  return gtk_label_get_text (self->problems);
}

static void
cl_import_dialog_dispose (GObject *object)
{
  ClImportDialog *self = CL_IMPORT_DIALOG (object);

  g_clear_object (&self->session);
  g_clear_object (&self->mapping);
  g_clear_object (&self->file);
  g_clear_pointer (&self->batch_name, g_free);
  g_clear_pointer (&self->data_path, g_free);
  g_clear_pointer (&self->photos_dir, g_free);
  g_clear_pointer (&self->mapping_path, g_free);
  G_OBJECT_CLASS (cl_import_dialog_parent_class)->dispose (object);
}

static void
cl_import_dialog_class_init (ClImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_import_dialog_dispose;
  signals[SIGNAL_CHECKED]
    = g_signal_new ("checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_IMPORTED]
    = g_signal_new ("imported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClImportDialog, title);
  gtk_widget_class_bind_template_child (widget_class, ClImportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClImportDialog, summary);
  gtk_widget_class_bind_template_child (widget_class, ClImportDialog, preview);
  gtk_widget_class_bind_template_child (widget_class, ClImportDialog, problems);
  gtk_widget_class_install_action (widget_class, "import.choose-data", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "import.choose-photos", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "import.choose-mapping", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "import.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "import.import-good-rows", NULL, import_action);
}

static void
cl_import_dialog_init (ClImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

ClImportDialog *
cl_import_dialog_new (GtkWindow *parent, ClSession *session, gint64 batch_id, const char *batch_name)
{
  ClImportDialog *self = g_object_new (CL_TYPE_IMPORT_DIALOG, "transient-for", parent, NULL);
  g_autofree char *subtitle = g_strdup_printf (_ ("Batch %s"), batch_name);

  self->session = g_object_ref (session);
  self->batch_id = batch_id;
  self->batch_name = g_strdup (batch_name);
  adw_window_title_set_subtitle (self->title, subtitle);
  update_actions (self);
  return self;
}
