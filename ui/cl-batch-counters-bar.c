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
  GtkLabel *yield_label;
  GtkProgressBar *progress_bar;
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
  {
    guint good = cl_batch_counters_get_good (c), rejected = cl_batch_counters_get_rejected (c);
    guint quantity = cl_batch_counters_get_quantity (c);
    g_autofree char *yield = NULL;
    g_autofree char *progress = NULL;

    /* the same first-pass yield the dashboard and the report give: good over disposed */
    yield = good + rejected > 0 ? g_strdup_printf ("%.1f %%", 100.0 * good / (good + rejected)) : g_strdup ("—");
    gtk_label_set_text (self->yield_label, yield);
    gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), quantity > 0);
    if (quantity > 0)
      {
        progress = g_strdup_printf (_ ("%u of %u cards done"), MIN (good + rejected, quantity), quantity);
        gtk_progress_bar_set_fraction (self->progress_bar, MIN (1.0, (double)(good + rejected) / quantity));
        gtk_progress_bar_set_text (self->progress_bar, progress);
      }
  }
  /* as the store records it: CLOSED once the quantity is disposed, ABORTED when stopped short of it */
  if (cl_batch_counters_get_ended (c) && cl_batch_counters_get_quantity (c) > 0
      && cl_batch_counters_get_good (c) + cl_batch_counters_get_rejected (c) >= cl_batch_counters_get_quantity (c))
    gtk_label_set_text (self->state_label, _ ("Complete"));
  else if (cl_batch_counters_get_ended (c))
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
  if (g_str_equal (which, "yield"))
    return gtk_label_get_text (self->yield_label);
  if (g_str_equal (which, "progress"))
    return gtk_progress_bar_get_text (self->progress_bar);
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
  gtk_widget_class_bind_template_child (widget_class, ClBatchCountersBar, yield_label);
  gtk_widget_class_bind_template_child (widget_class, ClBatchCountersBar, progress_bar);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
cl_batch_counters_bar_init (ClBatchCountersBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  refresh (self);
}
