/* cl-login-dialog.c: start-up sign-in (cl-login-dialog.h). */
#include "cl-login-dialog.h"

#include <glib/gi18n.h>
#include <string.h>

#include "store/cl-store-users.h"

struct _ClLoginDialog
{
  AdwWindow parent_instance;

  ClSession *session;
  gboolean busy;

  AdwEntryRow *user_row;
  AdwPasswordEntryRow *password_row;
  GtkLabel *error_label;
  GtkSpinner *spinner;
  GtkWidget *sign_in_button;
};

G_DEFINE_FINAL_TYPE (ClLoginDialog, cl_login_dialog, ADW_TYPE_WINDOW)

typedef struct
{
  ClStore *store;
  char *user;
  char *password;
  ClUserRole role;
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  g_clear_object (&attempt->store);
  g_free (attempt->user);
  if (attempt->password != NULL)
    {
      memset (attempt->password, 0, strlen (attempt->password));
      g_free (attempt->password);
    }
  g_free (attempt);
}

static void
authenticate_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Attempt *attempt = task_data;
  GError *error = NULL;

  if (cl_store_user_authenticate (attempt->store, attempt->user, attempt->password, &attempt->role, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
set_busy (ClLoginDialog *self, gboolean busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "login.sign-in", !busy);
}

static void
on_authenticated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClLoginDialog *self = CL_LOGIN_DIALOG (source);
  Attempt *attempt = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }
  cl_session_sign_in (self->session, attempt->user, attempt->role);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
cl_login_dialog_submit (ClLoginDialog *self, const char *user, const char *password)
{
  g_autoptr (GTask) task = NULL;
  Attempt *attempt;

  g_return_if_fail (CL_IS_LOGIN_DIALOG (self));
  if (self->busy)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_label_set_text (self->error_label, "");
  if (cl_session_get_store (self->session) == NULL)
    {
      gtk_label_set_text (self->error_label, _ ("The record store is not open: nobody can sign in."));
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  attempt = g_new0 (Attempt, 1);
  attempt->store = g_object_ref (cl_session_get_store (self->session));
  attempt->user = g_strstrip (g_strdup (user));
  attempt->password = g_strdup (password);
  /* The entry's copy goes at once; only the worker's copy lives until the KDF is done. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  task = g_task_new (self, NULL, on_authenticated, NULL);
  g_task_set_task_data (task, attempt, (GDestroyNotify)attempt_free);
  set_busy (self, TRUE);
  g_task_run_in_thread (task, authenticate_in_thread);
}

static void
sign_in_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClLoginDialog *self = CL_LOGIN_DIALOG (widget);
  g_autofree char *password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));

  cl_login_dialog_submit (self, gtk_editable_get_text (GTK_EDITABLE (self->user_row)), password);
  memset (password, 0, strlen (password));
}

const char *
cl_login_dialog_get_error (ClLoginDialog *self)
{
  g_return_val_if_fail (CL_IS_LOGIN_DIALOG (self), NULL);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

gboolean
cl_login_dialog_get_busy (ClLoginDialog *self)
{
  return self->busy;
}

static void
cl_login_dialog_dispose (GObject *object)
{
  ClLoginDialog *self = CL_LOGIN_DIALOG (object);

  g_clear_object (&self->session);

  G_OBJECT_CLASS (cl_login_dialog_parent_class)->dispose (object);
}

static void
cl_login_dialog_class_init (ClLoginDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_login_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-login-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ClLoginDialog, user_row);
  gtk_widget_class_bind_template_child (widget_class, ClLoginDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, ClLoginDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ClLoginDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ClLoginDialog, sign_in_button);
  gtk_widget_class_install_action (widget_class, "login.sign-in", NULL, sign_in_action);
}

/* libadwaita 1.2's password row has a show/hide button that takes the focus but has no name, so a screen reader
 * reads it out by its icon's type, "GtkImage". It is the row's button with the reveal icon. */
static gboolean
name_peek_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)), "view-reveal-symbolic") == 0)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _ ("Show or hide the password"), -1);
      return TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (name_peek_button (child))
      return TRUE;
  return FALSE;
}

static void
cl_login_dialog_init (ClLoginDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_window_set_default_widget (GTK_WINDOW (self), self->sign_in_button);
  name_peek_button (GTK_WIDGET (self->password_row));
}

ClLoginDialog *
cl_login_dialog_new (GtkWindow *parent, ClSession *session)
{
  ClLoginDialog *self = g_object_new (CL_TYPE_LOGIN_DIALOG, "transient-for", parent, NULL);
  GtkApplication *app = parent != NULL ? gtk_window_get_application (parent) : NULL;

  self->session = g_object_ref (session);
  /* Quit is app.quit, and the dialog is not one of the application's windows (its active window must stay the
   * main window): without the group, Quit is insensitive and the modal dialog cannot be left at all. */
  if (app != NULL)
    gtk_widget_insert_action_group (GTK_WIDGET (self), "app", G_ACTION_GROUP (app));
  return self;
}
