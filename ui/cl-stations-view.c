/* cl-stations-view.c: the fleet's stations (cl-stations-view.h). */
#include "cl-stations-view.h"

#include <glib/gi18n.h>

struct _ClStationsView
{
  AdwBin parent_instance;

  ClFleetModel *model;
  GHashTable *rows; /* station name -> ClStationRow (borrowed: the list owns it) */

  GtkLabel *summary_label;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (ClStationsView, cl_stations_view, ADW_TYPE_BIN)

enum
{
  STATION_ACTIVATED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

ClStationRow *
cl_stations_view_get_row (ClStationsView *self, const char *name)
{
  g_return_val_if_fail (CL_IS_STATIONS_VIEW (self), NULL);
  return g_hash_table_lookup (self->rows, name);
}

const char *
cl_stations_view_get_summary (ClStationsView *self)
{
  g_return_val_if_fail (CL_IS_STATIONS_VIEW (self), NULL);
  return gtk_label_get_text (self->summary_label);
}

static void
update_summary (ClStationsView *self, GPtrArray *stations)
{
  /* In the order a supervisor acts on them: what needs someone first. */
  static const char *const order[] = { N_ ("Lost"), N_ ("Fault"), N_ ("Paused"), N_ ("Running"), N_ ("Stopped") };
  guint counts[G_N_ELEMENTS (order)] = { 0 };
  g_autoptr (GString) text = g_string_new (NULL);
  const char *separator = ": ";

  for (guint i = 0; i < stations->len; i++)
    {
      const char *state = cl_station_row_state_text (g_ptr_array_index (stations, i));

      for (guint j = 0; j < G_N_ELEMENTS (order); j++)
        if (g_str_equal (state, _ (order[j])))
          counts[j]++;
    }
  if (stations->len > 0)
    g_string_append_printf (text, g_dngettext (NULL, "%u station", "%u stations", stations->len), stations->len);
  for (guint j = 0; j < G_N_ELEMENTS (order); j++)
    if (counts[j] > 0)
      {
        g_autofree char *word = g_utf8_strdown (_ (order[j]), -1);

        g_string_append_printf (text, "%s%u %s", separator, counts[j], word);
        separator = ", ";
      }
  gtk_label_set_text (self->summary_label, text->str);
}

static void
on_model_updated (ClStationsView *self)
{
  GPtrArray *stations = cl_fleet_model_get_stations (self->model);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer name, row;

  /* Rows are kept across reads so that focus and scroll stay where the supervisor left them. */
  for (guint i = 0; i < stations->len; i++)
    {
      const ClFleetStation *station = g_ptr_array_index (stations, i);
      ClStationRow *existing = g_hash_table_lookup (self->rows, station->name);

      if (existing == NULL)
        {
          existing = CL_STATION_ROW (cl_station_row_new ());
          g_object_set_data_full (G_OBJECT (existing), "station", g_strdup (station->name), g_free);
          gtk_list_box_append (self->list, GTK_WIDGET (existing));
          g_hash_table_insert (self->rows, g_strdup (station->name), existing);
        }
      cl_station_row_set_station (existing, station);
      g_hash_table_add (seen, station->name);
    }
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &name, &row))
    if (!g_hash_table_contains (seen, name))
      {
        gtk_list_box_remove (self->list, GTK_WIDGET (row));
        g_hash_table_iter_remove (&iter);
      }
  update_summary (self, stations);
}

static void
on_row_activated (ClStationsView *self, GtkListBoxRow *row)
{
  const char *name = g_object_get_data (G_OBJECT (row), "station");

  if (name != NULL)
    g_signal_emit (self, signals[STATION_ACTIVATED], 0, name);
}

static int
by_name (GtkListBoxRow *a, GtkListBoxRow *b, gpointer user_data)
{
  return g_strcmp0 (g_object_get_data (G_OBJECT (a), "station"), g_object_get_data (G_OBJECT (b), "station"));
}

void
cl_stations_view_set_model (ClStationsView *self, ClFleetModel *model)
{
  g_return_if_fail (CL_IS_STATIONS_VIEW (self));
  g_return_if_fail (self->model == NULL);
  if (model == NULL)
    return;
  self->model = g_object_ref (model);
  g_signal_connect_object (model, "updated", G_CALLBACK (on_model_updated), self, G_CONNECT_SWAPPED);
  on_model_updated (self);
}

ClFleetModel *
cl_stations_view_get_model (ClStationsView *self)
{
  g_return_val_if_fail (CL_IS_STATIONS_VIEW (self), NULL);
  return self->model;
}

static void
cl_stations_view_dispose (GObject *object)
{
  ClStationsView *self = CL_STATIONS_VIEW (object);

  g_clear_object (&self->model);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  G_OBJECT_CLASS (cl_stations_view_parent_class)->dispose (object);
}

static void
cl_stations_view_class_init (ClStationsViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = cl_stations_view_dispose;
  g_type_ensure (CL_TYPE_STATION_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-stations-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ClStationsView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ClStationsView, list);
  signals[STATION_ACTIVATED] = g_signal_new ("station-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                             NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cl_stations_view_init (ClStationsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_list_box_set_sort_func (self->list, by_name, NULL, NULL);
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
}

GtkWidget *
cl_stations_view_new (void)
{
  return g_object_new (CL_TYPE_STATIONS_VIEW, NULL);
}
