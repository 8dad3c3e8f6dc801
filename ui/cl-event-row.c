/* cl-event-row.c: an event list row (cl-event-row.h). A widget rather than closures in the list item template: the
 * accessible label is not a property a builder expression can bind. */
#include "cl-event-row.h"

#include "cl-event-text.h"

struct _ClEventRow
{
  GtkWidget parent_instance;

  ClLineEvent *event;
  char *accessible_text;
  GtkLabel *time_label;
  GtkLabel *title_label;
  GtkLabel *subtitle_label;
};

G_DEFINE_FINAL_TYPE (ClEventRow, cl_event_row, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_EVENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const tone_classes[] = {
  [CL_EVENT_TONE_NEUTRAL] = NULL,
  [CL_EVENT_TONE_GOOD] = "success",
  [CL_EVENT_TONE_WARNING] = "warning",
  [CL_EVENT_TONE_ERROR] = "error",
};

static void
update (ClEventRow *self)
{
  g_auto (ClEventText) text = { 0 };
  g_autofree char *time_text = NULL;
  g_autofree char *sentence = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (tone_classes); i++)
    if (tone_classes[i] != NULL)
      gtk_widget_remove_css_class (GTK_WIDGET (self->title_label), tone_classes[i]);
  g_clear_pointer (&self->accessible_text, g_free);
  if (self->event == NULL)
    {
      gtk_label_set_text (self->time_label, "");
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->subtitle_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), FALSE);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL);
      return;
    }

  cl_event_text_for_event (self->event, &text);
  time_text = cl_line_event_dup_time_text (self->event);
  gtk_label_set_text (self->time_label, time_text);
  gtk_label_set_text (self->title_label, text.title);
  gtk_label_set_text (self->subtitle_label, text.subtitle != NULL ? text.subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), text.subtitle != NULL);
  if ((guint)text.tone < G_N_ELEMENTS (tone_classes) && tone_classes[text.tone] != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->title_label), tone_classes[text.tone]);

  sentence = cl_event_text_dup_sentence (&text);
  self->accessible_text = g_strdup_printf ("%s, %s", time_text, sentence);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->accessible_text, -1);
}

void
cl_event_row_set_event (ClEventRow *self, ClLineEvent *event)
{
  g_return_if_fail (CL_IS_EVENT_ROW (self));
  g_return_if_fail (event == NULL || CL_IS_LINE_EVENT (event));

  if (!g_set_object (&self->event, event))
    return;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENT]);
}

ClLineEvent *
cl_event_row_get_event (ClEventRow *self)
{
  g_return_val_if_fail (CL_IS_EVENT_ROW (self), NULL);
  return self->event;
}

const char *
cl_event_row_get_title (ClEventRow *self)
{
  g_return_val_if_fail (CL_IS_EVENT_ROW (self), NULL);
  return gtk_label_get_text (self->title_label);
}

const char *
cl_event_row_get_subtitle (ClEventRow *self)
{
  g_return_val_if_fail (CL_IS_EVENT_ROW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->subtitle_label)) ? gtk_label_get_text (self->subtitle_label) : NULL;
}

const char *
cl_event_row_get_accessible_text (ClEventRow *self)
{
  g_return_val_if_fail (CL_IS_EVENT_ROW (self), NULL);
  return self->accessible_text;
}

static GtkLabel *
add_label (GtkWidget *parent, const char *css_class, gboolean wrap)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_valign (label, GTK_ALIGN_START);
  if (wrap)
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_widget_set_hexpand (label, TRUE);
    }
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  if (GTK_IS_BOX (parent))
    gtk_box_append (GTK_BOX (parent), label);
  else
    gtk_widget_set_parent (label, parent);
  return GTK_LABEL (label);
}

static void
cl_event_row_dispose (GObject *object)
{
  ClEventRow *self = CL_EVENT_ROW (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->event);
  g_clear_pointer (&self->accessible_text, g_free);

  G_OBJECT_CLASS (cl_event_row_parent_class)->dispose (object);
}

static void
cl_event_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClEventRow *self = CL_EVENT_ROW (object);

  switch (prop_id)
    {
      case PROP_EVENT:
        g_value_set_object (value, self->event);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_event_row_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClEventRow *self = CL_EVENT_ROW (object);

  switch (prop_id)
    {
      case PROP_EVENT:
        cl_event_row_set_event (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_event_row_class_init (ClEventRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_event_row_dispose;
  object_class->get_property = cl_event_row_get_property;
  object_class->set_property = cl_event_row_set_property;

  properties[PROP_EVENT] = g_param_spec_object ("event", NULL, NULL, CL_TYPE_LINE_EVENT,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "eventrow");
  /* A list item cannot be named in GTK 4.8, so screen readers read its content: one label with the sentence. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
cl_event_row_init (ClEventRow *self)
{
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))), 12);
  gtk_widget_add_css_class (GTK_WIDGET (self), "event-row");
  self->time_label = add_label (GTK_WIDGET (self), "dim-label", FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->time_label), "numeric");
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_parent (text, GTK_WIDGET (self));
  self->title_label = add_label (text, NULL, TRUE);
  self->subtitle_label = add_label (text, "dim-label", TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->subtitle_label), "caption");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), FALSE);
  /* The row's label says it all at once. Hidden here, on widgets whose visibility never changes: showing a widget
   * clears its hidden state, which the subtitle would otherwise lose. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->time_label), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (text), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
}

GtkWidget *
cl_event_row_new (void)
{
  return g_object_new (CL_TYPE_EVENT_ROW, NULL);
}
