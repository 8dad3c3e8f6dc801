#include "cl-step-row.h"

#include <glib/gi18n.h>

#include "cl-step-text.h"

struct _ClStepRow
{
  GtkListBoxRow parent_instance;

  ClReaderStep *step;
};

G_DEFINE_FINAL_TYPE (ClStepRow, cl_step_row, GTK_TYPE_LIST_BOX_ROW)

enum
{
  PROP_0,
  PROP_STEP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Template closures: the first argument is the object the expression is evaluated on. */
static char *
step_title (gpointer unused, const char *name)
{
  return g_strdup (cl_step_text_title (name));
}

static char *
state_icon (gpointer unused, ClReaderStepState state)
{
  return g_strdup (cl_step_text_state_icon (state));
}

static char *
state_text (gpointer unused, ClReaderStepState state)
{
  return g_strdup (cl_step_text_state (state));
}

static GStrv
state_classes (gpointer unused, ClReaderStepState state)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (CL_TYPE_READER_STEP_STATE);
  GStrv classes = g_new0 (char *, 3);

  classes[0] = g_strdup ("step-row");
  classes[1] = g_strdup_printf ("step-%s", g_enum_get_value (klass, state)->value_nick);
  return classes;
}

static char *
duration_text (gpointer unused, gint64 duration_us)
{
  char *text = cl_step_text_duration (duration_us);

  return text != NULL ? text : g_strdup ("");
}

/* A running step's live status (a production service's notify); an ended step's detail is its tooltip. */
static char *
progress_text (gpointer unused, ClReaderStepState state, const char *detail)
{
  return g_strdup (state == CL_READER_STEP_RUNNING && detail != NULL ? detail : "");
}

static gboolean
has_progress (gpointer unused, ClReaderStepState state, const char *detail)
{
  return state == CL_READER_STEP_RUNNING && detail != NULL && *detail != '\0';
}

static char *
sw_text (gpointer unused, gint sw)
{
  return sw < 0 ? g_strdup ("") : g_strdup_printf ("%04X", (guint)sw);
}

static void
update_accessible (ClStepRow *self)
{
  g_autofree char *duration = NULL;
  g_autofree char *label = NULL;
  ClReaderStepState state;
  gint sw;

  if (self->step == NULL)
    return;
  state = cl_reader_step_get_state (self->step);
  sw = cl_reader_step_get_sw (self->step);
  duration = cl_step_text_duration (cl_reader_step_get_duration_us (self->step));
  /* one sentence, so a screen reader says the step, its state, time and status word together */
  if (duration != NULL && sw >= 0)
    label
      = g_strdup_printf (_ ("%s: %s, %s, status word %04X"), cl_step_text_title (cl_reader_step_get_name (self->step)),
                         cl_step_text_state (state), duration, (guint)sw);
  else if (duration != NULL)
    label = g_strdup_printf (_ ("%s: %s, %s"), cl_step_text_title (cl_reader_step_get_name (self->step)),
                             cl_step_text_state (state), duration);
  else
    label = g_strdup_printf (_ ("%s: %s"), cl_step_text_title (cl_reader_step_get_name (self->step)),
                             cl_step_text_state (state));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), cl_reader_step_get_detail (self->step));
}

static void
cl_step_row_dispose (GObject *object)
{
  ClStepRow *self = CL_STEP_ROW (object);

  if (self->step != NULL)
    g_signal_handlers_disconnect_by_func (self->step, update_accessible, self);
  g_clear_object (&self->step);
  G_OBJECT_CLASS (cl_step_row_parent_class)->dispose (object);
}

static void
cl_step_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClStepRow *self = CL_STEP_ROW (object);

  switch (prop_id)
    {
      case PROP_STEP:
        g_value_set_object (value, self->step);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_step_row_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClStepRow *self = CL_STEP_ROW (object);

  switch (prop_id)
    {
      case PROP_STEP:
        self->step = g_value_dup_object (value);
        if (self->step != NULL)
          g_signal_connect_object (self->step, "notify", G_CALLBACK (update_accessible), self, G_CONNECT_SWAPPED);
        update_accessible (self);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_step_row_class_init (ClStepRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_step_row_dispose;
  object_class->get_property = cl_step_row_get_property;
  object_class->set_property = cl_step_row_set_property;

  properties[PROP_STEP] = g_param_spec_object ("step", NULL, NULL, CL_TYPE_READER_STEP,
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-step-row.ui");
  gtk_widget_class_bind_template_child_full (widget_class, "duration_label", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "progress_label", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "row_box", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, step_title);
  gtk_widget_class_bind_template_callback (widget_class, state_icon);
  gtk_widget_class_bind_template_callback (widget_class, state_text);
  gtk_widget_class_bind_template_callback (widget_class, state_classes);
  gtk_widget_class_bind_template_callback (widget_class, duration_text);
  gtk_widget_class_bind_template_callback (widget_class, sw_text);
  gtk_widget_class_bind_template_callback (widget_class, progress_text);
  gtk_widget_class_bind_template_callback (widget_class, has_progress);
}

static void
cl_step_row_init (ClStepRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
cl_step_row_new (ClReaderStep *step)
{
  return g_object_new (CL_TYPE_STEP_ROW, "step", step, NULL);
}

ClReaderStep *
cl_step_row_get_step (ClStepRow *self)
{
  g_return_val_if_fail (CL_IS_STEP_ROW (self), NULL);
  return self->step;
}
