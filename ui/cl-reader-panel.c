#include "cl-reader-panel.h"

#include <glib/gi18n.h>

#include "cl-step-row.h"

struct _ClReaderPanel
{
  AdwBin parent_instance;

  ClReader *station;
  char *state_class;

  GtkWidget *panel_box;
  GtkWidget *steps_heading;
  GtkListBox *steps_list;
};

G_DEFINE_FINAL_TYPE (ClReaderPanel, cl_reader_panel, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_READER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
cl_reader_panel_state_label (ClReaderState state)
{
  switch (state)
    {
      case CL_READER_EMPTY:
        return _ ("No card");
      case CL_READER_CARD_PRESENT:
        return _ ("Card present");
      case CL_READER_PRODUCING:
        return _ ("Producing");
      case CL_READER_FAULT:
        return _ ("Needs attention");
      case CL_READER_GONE:
        return _ ("Reader gone");
      default:
        return _ ("Unknown");
    }
}

/* Template closures: the first argument is the object the expression is evaluated on. */
static char *
state_label (gpointer unused, ClReaderState state)
{
  return g_strdup (cl_reader_panel_state_label (state));
}

static char *
state_icon_name (gpointer unused, ClReaderState state)
{
  switch (state)
    {
      case CL_READER_EMPTY:
        return g_strdup ("media-removable-symbolic");
      case CL_READER_CARD_PRESENT:
        return g_strdup ("auth-smartcard-symbolic");
      case CL_READER_PRODUCING:
        return g_strdup ("system-run-symbolic");
      case CL_READER_FAULT:
        return g_strdup ("dialog-warning-symbolic");
      case CL_READER_GONE:
      default:
        return g_strdup ("action-unavailable-symbolic");
    }
}

static char *
atr_text (gpointer unused, const char *atr)
{
  /* An em dash rather than an empty cell: "no card" must look deliberate. */
  return g_strdup (atr != NULL && *atr != '\0' ? atr : "—");
}

static char *
count_text (gpointer unused, guint count)
{
  return g_strdup_printf ("%u", count);
}

static char *
last_event_text (gpointer unused, const char *text, GDateTime *when)
{
  g_autofree char *time_text = NULL;

  if (text == NULL)
    return g_strdup ("—");
  if (when == NULL)
    return g_strdup (text);
  time_text = g_date_time_format (when, "%H:%M:%S");
  return g_strdup_printf ("%s  %s", time_text, text);
}

static gboolean
has_text (gpointer unused, const char *text)
{
  return text != NULL && *text != '\0';
}

static char *
text_or_empty (gpointer unused, const char *text)
{
  return g_strdup (text != NULL ? text : "");
}

static gboolean
has_result (gpointer unused, ClReaderResult result)
{
  return result != CL_READER_RESULT_NONE;
}

const char *
cl_reader_panel_result_label (ClReaderResult result)
{
  switch (result)
    {
      case CL_READER_RESULT_GOOD:
        return _ ("GOOD");
      case CL_READER_RESULT_REJECTED:
        return _ ("REJECTED");
      case CL_READER_RESULT_NONE:
      default:
        return "";
    }
}

static char *
result_title (gpointer unused, ClReaderResult result)
{
  return g_strdup (cl_reader_panel_result_label (result));
}

static GStrv
result_classes (gpointer unused, ClReaderResult result)
{
  GStrv classes = g_new0 (char *, 3);

  classes[0] = g_strdup ("result-banner");
  classes[1] = g_strdup (result == CL_READER_RESULT_GOOD ? "result-good" : "result-rejected");
  return classes;
}

static char *
yield_text (gpointer unused, guint good, guint rejected)
{
  if (good + rejected == 0)
    return g_strdup ("—");
  return g_strdup_printf ("%.1f %%", 100.0 * good / (good + rejected));
}

static GtkWidget *
create_step_row (gpointer item, gpointer user_data)
{
  return cl_step_row_new (CL_READER_STEP (item));
}

static void
update_steps_visible (ClReaderPanel *self)
{
  gboolean any = self->station != NULL && g_list_model_get_n_items (cl_reader_get_steps (self->station)) > 0;

  gtk_widget_set_visible (self->steps_heading, any);
  gtk_widget_set_visible (GTK_WIDGET (self->steps_list), any);
}

static void
update_state (ClReaderPanel *self)
{
  g_autofree char *accessible = NULL;
  g_autoptr (GEnumClass) klass = NULL;
  ClReaderState state;

  if (self->state_class != NULL)
    gtk_widget_remove_css_class (self->panel_box, self->state_class);
  g_clear_pointer (&self->state_class, g_free);

  if (self->station == NULL)
    return;

  state = cl_reader_get_state (self->station);
  klass = g_type_class_ref (CL_TYPE_READER_STATE);
  self->state_class = g_strdup_printf ("state-%s", g_enum_get_value (klass, state)->value_nick);
  gtk_widget_add_css_class (self->panel_box, self->state_class);

  if (cl_reader_get_instruction (self->station) != NULL)
    accessible = g_strdup_printf (_ ("%s: %s. %s"), cl_reader_get_name (self->station),
                                  cl_reader_panel_state_label (state), cl_reader_get_instruction (self->station));
  else if (cl_reader_get_result (self->station) != CL_READER_RESULT_NONE)
    accessible = g_strdup_printf (_ ("%s: %s, last card %s, %u good, %u rejected"), cl_reader_get_name (self->station),
                                  cl_reader_panel_state_label (state),
                                  cl_reader_panel_result_label (cl_reader_get_result (self->station)),
                                  cl_reader_get_good_count (self->station), cl_reader_get_reject_count (self->station));
  else
    accessible = g_strdup_printf (_ ("%s: %s, %u cards seen"), cl_reader_get_name (self->station),
                                  cl_reader_panel_state_label (state), cl_reader_get_card_count (self->station));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
on_station_notify (ClReaderPanel *self)
{
  update_state (self);
}

void
cl_reader_panel_set_reader (ClReaderPanel *self, ClReader *station)
{
  g_return_if_fail (CL_IS_READER_PANEL (self));
  g_return_if_fail (station == NULL || CL_IS_READER (station));

  if (self->station == station)
    return;

  if (self->station != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->station, on_station_notify, self);
      g_signal_handlers_disconnect_by_func (cl_reader_get_steps (self->station), update_steps_visible, self);
    }
  g_set_object (&self->station, station);
  if (station != NULL)
    {
      static const char *const watched[] = { "notify::state",  "notify::card-count", "notify::instruction",
                                             "notify::result", "notify::good-count", "notify::reject-count" };

      for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
        g_signal_connect_object (station, watched[i], G_CALLBACK (on_station_notify), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (cl_reader_get_steps (station), "items-changed", G_CALLBACK (update_steps_visible), self,
                               G_CONNECT_SWAPPED);
    }
  gtk_list_box_bind_model (self->steps_list, station != NULL ? cl_reader_get_steps (station) : NULL, create_step_row,
                           NULL, NULL);
  update_steps_visible (self);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READER]);
}

ClReader *
cl_reader_panel_get_reader (ClReaderPanel *self)
{
  g_return_val_if_fail (CL_IS_READER_PANEL (self), NULL);
  return self->station;
}

static void
cl_reader_panel_dispose (GObject *object)
{
  ClReaderPanel *self = CL_READER_PANEL (object);

  if (self->station != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->station, on_station_notify, self);
      g_signal_handlers_disconnect_by_func (cl_reader_get_steps (self->station), update_steps_visible, self);
      gtk_list_box_bind_model (self->steps_list, NULL, NULL, NULL, NULL);
    }
  g_clear_object (&self->station);
  g_clear_pointer (&self->state_class, g_free);

  G_OBJECT_CLASS (cl_reader_panel_parent_class)->dispose (object);
}

static void
cl_reader_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClReaderPanel *self = CL_READER_PANEL (object);

  switch (prop_id)
    {
      case PROP_READER:
        g_value_set_object (value, self->station);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_reader_panel_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClReaderPanel *self = CL_READER_PANEL (object);

  switch (prop_id)
    {
      case PROP_READER:
        cl_reader_panel_set_reader (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_reader_panel_class_init (ClReaderPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_reader_panel_dispose;
  object_class->get_property = cl_reader_panel_get_property;
  object_class->set_property = cl_reader_panel_set_property;

  properties[PROP_READER] = g_param_spec_object ("reader", NULL, NULL, CL_TYPE_READER,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-reader-panel.ui");
  gtk_widget_class_set_css_name (widget_class, "stationpanel");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_bind_template_child (widget_class, ClReaderPanel, panel_box);
  gtk_widget_class_bind_template_child (widget_class, ClReaderPanel, steps_heading);
  gtk_widget_class_bind_template_child (widget_class, ClReaderPanel, steps_list);
  /* reachable by name (gtk_widget_get_template_child) for tests that read what the operator sees */
  {
    static const char *const shown[]
      = { "fault_banner", "result_banner", "result_label",   "result_detail_label", "chip_label",
          "fed_label",    "good_label",    "rejected_label", "yield_label",         "row_label" };

    for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
      gtk_widget_class_bind_template_child_full (widget_class, shown[i], FALSE, 0);
  }
  gtk_widget_class_bind_template_callback (widget_class, has_text);
  gtk_widget_class_bind_template_callback (widget_class, text_or_empty);
  gtk_widget_class_bind_template_callback (widget_class, has_result);
  gtk_widget_class_bind_template_callback (widget_class, result_title);
  gtk_widget_class_bind_template_callback (widget_class, result_classes);
  gtk_widget_class_bind_template_callback (widget_class, yield_text);
  gtk_widget_class_bind_template_callback (widget_class, state_label);
  gtk_widget_class_bind_template_callback (widget_class, state_icon_name);
  gtk_widget_class_bind_template_callback (widget_class, atr_text);
  gtk_widget_class_bind_template_callback (widget_class, count_text);
  gtk_widget_class_bind_template_callback (widget_class, last_event_text);
}

static void
cl_reader_panel_init (ClReaderPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cl_reader_panel_new (ClReader *station)
{
  return g_object_new (CL_TYPE_READER_PANEL, "reader", station, NULL);
}
