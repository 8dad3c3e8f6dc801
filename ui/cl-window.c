#include "cl-window.h"

#include <string.h>

#include "cardline-config.h"

#include <glib/gi18n.h>

#include "cl-dashboard-view.h"
#include "cl-line-view.h"
#include "cl-login-dialog.h"
#include "cl-rejects-view.h"
#include "cl-setup-view.h"
#include "cl-ui.h"
#include "core/cl-data-dirs.h"

struct _ClWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;

  ClSession *session;
  ClDashboardModel *dashboard_model;
  ClFleetModel *fleet_model;
  GtkWindow *login_dialog; /* weak: at most one at a time */

  AdwHeaderBar *header_bar;
  GtkLabel *user_label;
  AdwToastOverlay *toast_overlay;
  AdwViewStack *stack;
  ClLineView *line_view;
  ClDashboardView *dashboard_view;
  ClRejectsView *rejects_view;
  ClSetupView *setup_view;
};

G_DEFINE_FINAL_TYPE (ClWindow, cl_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  LINE_COMMAND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum
{
  PROP_0,
  PROP_STATIONS,
  PROP_EVENTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const view_names[] = { "line", "dashboard", "rejects", "setup" };

static gboolean
is_view_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (view_names); i++)
    if (g_strcmp0 (name, view_names[i]) == 0)
      return TRUE;
  return FALSE;
}

const char *
cl_window_get_view (ClWindow *self)
{
  g_return_val_if_fail (CL_IS_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->stack);
}

void
cl_window_set_view (ClWindow *self, const char *name)
{
  g_return_if_fail (CL_IS_WINDOW (self));

  if (!is_view_name (name))
    {
      g_warning ("No view named “%s”", name);
      return;
    }
  adw_view_stack_set_visible_child_name (self->stack, name);
}

static void
show_view_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  cl_window_set_view (CL_WINDOW (user_data), g_variant_get_string (parameter, NULL));
}

/* Operator actions: audited here with the signed-in user, carried out by whoever listens to "line-command". */
static void
line_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  ClWindow *self = CL_WINDOW (user_data);
  const char *name = g_action_get_name (G_ACTION (action));
  const char *command = name + strlen ("line-");

  if (self->session == NULL || !cl_session_allows (self->session, CL_PERMISSION_LINE_CONTROL))
    return;
  cl_session_audit (self->session, name, "line", NULL);
  g_signal_emit (self, signals[LINE_COMMAND], 0, command);
}

static void
sign_out_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  ClWindow *self = CL_WINDOW (user_data);

  if (self->session != NULL)
    cl_session_sign_out (self->session);
}

static const GActionEntry win_actions[] = {
  { .name = "show-view", .activate = show_view_action, .parameter_type = "s" },
  { .name = "line-start", .activate = line_action },
  { .name = "line-pause", .activate = line_action },
  { .name = "line-stop", .activate = line_action },
  { .name = "sign-out", .activate = sign_out_action },
};

static void
update_session (ClWindow *self)
{
  gboolean signed_in = self->session != NULL && cl_session_get_signed_in (self->session);
  gboolean line = self->session != NULL && cl_session_allows (self->session, CL_PERMISSION_LINE_CONTROL);
  static const char *const line_actions[] = { "line-start", "line-pause", "line-stop" };

  for (guint i = 0; i < G_N_ELEMENTS (line_actions); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), line_actions[i]);

      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), line);
    }
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "sign-out")),
                               signed_in);
  if (signed_in)
    {
      g_autofree char *text = g_strdup_printf ("%s · %s", cl_session_get_user (self->session),
                                               cl_user_role_to_string (cl_session_get_role (self->session)));
      gtk_label_set_text (self->user_label, text);
    }
  else
    gtk_label_set_text (self->user_label, _ ("Signed out"));
  if (self->session != NULL && !signed_in && gtk_widget_get_mapped (GTK_WIDGET (self)))
    cl_window_require_sign_in (self);
}

void
cl_window_require_sign_in (ClWindow *self)
{
  ClLoginDialog *dialog;

  g_return_if_fail (CL_IS_WINDOW (self));
  if (self->session == NULL || cl_session_get_signed_in (self->session))
    return;
  if (self->login_dialog != NULL)
    {
      gtk_window_present (self->login_dialog);
      return;
    }
  dialog = cl_login_dialog_new (GTK_WINDOW (self), self->session);
  g_set_weak_pointer (&self->login_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

ClSession *
cl_window_get_session (ClWindow *self)
{
  g_return_val_if_fail (CL_IS_WINDOW (self), NULL);
  return self->session;
}

void
cl_window_set_session (ClWindow *self, ClSession *session)
{
  g_return_if_fail (CL_IS_WINDOW (self));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
  g_signal_connect_object (session, "notify::signed-in", G_CALLBACK (update_session), self, G_CONNECT_SWAPPED);
  cl_dashboard_view_set_session (self->dashboard_view, session);
  cl_rejects_view_set_session (self->rejects_view, session);
  cl_setup_view_set_session (self->setup_view, session);
  if (cl_session_get_store (session) != NULL)
    {
      ClStore *store = cl_session_get_store (session);

      /* The window's thread is the UI thread: from here on a store call made on it is a bug (debug builds
       * say so with a g_critical). */
      cl_store_set_ui_thread (store, g_thread_self ());

      self->dashboard_model = cl_dashboard_model_new (store);
      /* No store signal crosses processes (cardline-admin, other stations): poll. */
      cl_dashboard_model_set_poll_interval (self->dashboard_model, 5);
      cl_dashboard_view_set_model (self->dashboard_view, self->dashboard_model);
      /* The fleet's stations follow the store's change notices (LISTEN/NOTIFY on PostgreSQL), read on a worker. */
      self->fleet_model = cl_fleet_model_new (store);
      cl_dashboard_view_set_fleet_model (self->dashboard_view, self->fleet_model);
      /* A station's counters moved: the charts need not wait for their poll. */
      g_signal_connect_object (self->fleet_model, "updated", G_CALLBACK (cl_dashboard_model_refresh),
                               self->dashboard_model, G_CONNECT_SWAPPED);
      cl_rejects_view_set_store (self->rejects_view, store);
      /* The dashboard's poll notices store changes; the rejects list follows the same beat. */
      g_signal_connect_object (self->dashboard_model, "updated", G_CALLBACK (cl_rejects_view_reload),
                               self->rejects_view, G_CONNECT_SWAPPED);
    }
  update_session (self);
}

void
cl_window_set_qa_service (ClWindow *self, ClQaService *service)
{
  g_return_if_fail (CL_IS_WINDOW (self));
  cl_rejects_view_set_qa_service (self->rejects_view, service);
}

void
cl_window_set_batch_counters (ClWindow *self, ClBatchCounters *counters)
{
  g_return_if_fail (CL_IS_WINDOW (self));
  cl_line_view_set_counters (self->line_view, counters);
}

void
cl_window_add_toast (ClWindow *self, const char *text)
{
  g_return_if_fail (CL_IS_WINDOW (self));
  g_return_if_fail (text != NULL);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

void
cl_window_set_in_use (ClWindow *self, const ClSetupInUse *in_use)
{
  g_return_if_fail (CL_IS_WINDOW (self));
  cl_setup_view_set_in_use (self->setup_view, in_use);
}

GSettings *
cl_window_get_settings (ClWindow *self)
{
  g_return_val_if_fail (CL_IS_WINDOW (self), NULL);
  return self->settings;
}

static void
on_qa_reader_changed (GSettings *settings, const char *key, ClWindow *self)
{
  g_autofree char *reader = g_settings_get_string (settings, "qa-reader");

  cl_rejects_view_set_qa_reader (self->rejects_view, reader);
}

/* Without an installed schema (running from the build tree) the window simply does not remember its state. */
static GSettings *
settings_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, CL_APP_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean
cl_window_close_request (GtkWindow *window)
{
  ClWindow *self = CL_WINDOW (window);

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (self->settings, "window-width", MAX (width, 360));
          g_settings_set_int (self->settings, "window-height", MAX (height, 294));
        }
      g_settings_apply (self->settings);
    }

  return GTK_WINDOW_CLASS (cl_window_parent_class)->close_request (window);
}

static void
cl_window_constructed (GObject *object)
{
  ClWindow *self = CL_WINDOW (object);

  G_OBJECT_CLASS (cl_window_parent_class)->constructed (object);

  self->settings = settings_if_installed ();
  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      g_settings_bind (self->settings, "last-view", self->stack, "visible-child-name", G_SETTINGS_BIND_DEFAULT);
      cl_setup_view_set_settings (self->setup_view, self->settings);
      g_signal_connect_object (self->settings, "changed::qa-reader", G_CALLBACK (on_qa_reader_changed), self, 0);
      on_qa_reader_changed (self->settings, "qa-reader", self);
    }
  {
    /* the source tree's profiles when running from the build tree, the installed ones otherwise */
    g_autofree char *profiles = cl_data_find ("profiles");

    if (profiles != NULL)
      cl_setup_view_set_profiles_dir (self->setup_view, profiles);
  }
}

static void
cl_window_dispose (GObject *object)
{
  ClWindow *self = CL_WINDOW (object);

  g_clear_object (&self->settings);
  g_clear_weak_pointer (&self->login_dialog);
  g_clear_object (&self->fleet_model);
  g_clear_object (&self->dashboard_model);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (cl_window_parent_class)->dispose (object);
}

static void
cl_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClWindow *self = CL_WINDOW (object);

  switch (prop_id)
    {
      case PROP_STATIONS:
        g_value_set_object (value, cl_line_view_get_stations (self->line_view));
        break;
      case PROP_EVENTS:
        g_value_set_object (value, cl_line_view_get_events (self->line_view));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClWindow *self = CL_WINDOW (object);

  switch (prop_id)
    {
      case PROP_STATIONS:
        cl_line_view_set_stations (self->line_view, g_value_get_object (value));
        cl_setup_view_set_stations (self->setup_view, g_value_get_object (value));
        break;
      case PROP_EVENTS:
        cl_line_view_set_events (self->line_view, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_window_class_init (ClWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = cl_window_constructed;
  object_class->dispose = cl_window_dispose;
  object_class->get_property = cl_window_get_property;
  object_class->set_property = cl_window_set_property;
  window_class->close_request = cl_window_close_request;

  properties[PROP_STATIONS]
    = g_param_spec_object ("stations", NULL, NULL, G_TYPE_LIST_MODEL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_EVENTS]
    = g_param_spec_object ("events", NULL, NULL, G_TYPE_LIST_MODEL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (const char *command): "start", "pause" or "stop", already checked against the role and audited. */
  signals[LINE_COMMAND] = g_signal_new ("line-command", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (CL_TYPE_LINE_VIEW);
  g_type_ensure (CL_TYPE_DASHBOARD_VIEW);
  g_type_ensure (CL_TYPE_REJECTS_VIEW);
  g_type_ensure (CL_TYPE_SETUP_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ClWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, line_view);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, dashboard_view);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, rejects_view);
  gtk_widget_class_bind_template_child (widget_class, ClWindow, setup_view);
}

static void
cl_window_init (ClWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);
  self->user_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->user_label), "dim-label");
  adw_header_bar_pack_end (self->header_bar, GTK_WIDGET (self->user_label));
  update_session (self);
}

ClWindow *
cl_window_new (GtkApplication *app, GListModel *stations, GListModel *events)
{
  return g_object_new (CL_TYPE_WINDOW, "application", app, "stations", stations, "events", events, NULL);
}
