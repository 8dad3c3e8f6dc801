/* cl-batch-counters-bar.c: the Line view's batch counters (cl-batch-counters-bar.h). */
#include "cl-batch-counters-bar.h"

#include <glib/gi18n.h>

struct _ClBatchCountersBar
{
  AdwBin parent_instance;

  ClBatchCounters *counters;
  GtkLabel *batch_label;
  GtkLabel *fed_label;
  GtkLabel *good_label;
  GtkLabel *rejected_label;
  GtkLabel *state_label;
};

G_DEFINE_FINAL_TYPE (ClBatchCountersBar, cl_batch_counters_bar, ADW_TYPE_BIN)

static void
set_count (GtkLabel *label, guint value)
{
  g_autofree char *text = g_strdup_printf ("%u", value);

  gtk_label_set_text (label, text);
}

static void
refresh (ClBatchCountersBar *self)
{
  ClBatchCounters *c = self->counters;
  g_autofree char *batch = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self), c != NULL);
  if (c == NULL)
    return;
  if (cl_batch_counters_get_quantity (c) > 0)
    batch = g_strdup_printf (_ ("Batch %s · %u cards"), cl_batch_counters_get_batch (c),
                             cl_batch_counters_get_quantity (c));
  else
    batch = g_strdup_printf (_ ("Batch %s"), cl_batch_counters_get_batch (c));
  gtk_label_set_text (self->batch_label, batch);
  set_count (self->fed_label, cl_batch_counters_get_fed (c));
  set_count (self->good_label, cl_batch_counters_get_good (c));
  set_count (self->rejected_label, cl_batch_counters_get_rejected (c));
  if (cl_batch_counters_get_ended (c))
    gtk_label_set_text (self->state_label, _ ("Stopped"));
  else
    gtk_label_set_text (self->state_label, cl_batch_counters_get_paused (c) ? _ ("Paused") : _ ("Running"));
  if (cl_batch_counters_get_paused (c))
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "warning");
}

void
cl_batch_counters_bar_set_counters (ClBatchCountersBar *self, ClBatchCounters *counters)
{
  g_return_if_fail (CL_IS_BATCH_COUNTERS_BAR (self));
  if (self->counters != NULL)
    g_signal_handlers_disconnect_by_data (self->counters, self);
  g_set_object (&self->counters, counters);
  if (counters != NULL)
    g_signal_connect_swapped (counters, "notify", G_CALLBACK (refresh), self);
  refresh (self);
}

ClBatchCounters *
cl_batch_counters_bar_get_counters (ClBatchCountersBar *self)
{
  g_return_val_if_fail (CL_IS_BATCH_COUNTERS_BAR (self), NULL);
  return self->counters;
}

const char *
cl_batch_counters_bar_get_text (ClBatchCountersBar *self, const char *which)
{
  g_return_val_if_fail (CL_IS_BATCH_COUNTERS_BAR (self), NULL);
  if (g_str_equal (which, "fed"))
    return gtk_label_get_text (self->fed_label);
  if (g_str_equal (which, "good"))
    return gtk_label_get_text (self->good_label);
  if (g_str_equal (which, "rejected"))
    return gtk_label_get_text (self->rejected_label);
  if (g_str_equal (which, "state"))
    return gtk_label_get_text (self->state_label);
  return gtk_label_get_text (self->batch_label);
}

static void
cl_batch_counters_bar_dispose (GObject *object)
{
  ClBatchCountersBar *self = CL_BATCH_COUNTERS_BAR (object);

  if (self->counters != NULL)
    g_signal_handlers_disconnect_by_data (self->counters, self);
  g_clear_object (&self->counters);
  gtk_widget_dispose_template (GTK_WIDGET (self), CL_TYPE_BATCH_COUNTERS_BAR);
  G_OBJECT_CLASS (cl_batch_counters_bar_parent_class)->dispose (object);
}

static void
cl_batch_counters_bar_class_init (ClBatchCountersBarClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = cl_batch_counters_bar_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-batch-counters-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, ClBatchCountersBar, batch_label);
  gtk_widget_class_bind_template_child (widget_class, ClBatchCountersBar, fed_label);
  gtk_widget_class_bind_template_child (widget_class, ClBatchCountersBar, good_label);
  gtk_widget_class_bind_template_child (widget_class, ClBatchCountersBar, rejected_label);
  gtk_widget_class_bind_template_child (widget_class, ClBatchCountersBar, state_label);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
cl_batch_counters_bar_init (ClBatchCountersBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  refresh (self);
}
