#include "cl-line-view.h"

#include <glib/gi18n.h>

#include "cl-batch-counters-bar.h"
#include "cl-event-row.h"
#include "cl-reader-panel.h"
#include "cl-reader-tile.h"
#include "station/cl-line-event.h"
#include "station/cl-reader.h"

struct _ClLineView
{
  AdwBin parent_instance;

  GListModel *stations;
  GListModel *events;

  GtkStack *stations_stack;
  ClBatchCountersBar *counters_bar;
  AdwStatusPage *empty_page;
  GtkFlowBox *stations_box;
  GtkFlowBox *tiles_box;
  GtkWidget *back_button;
  GtkLabel *detail_title;
  AdwBin *detail_bin;
  GtkFlowBox *bound_box;   /* the one of stations_box and tiles_box the stations are shown in */
  ClReader *detail_reader; /* the reader whose detailed panel is open over the tiles */
  GtkListView *events_list;
  gboolean events_pinned; /* the operator is at the top of the log: new events stay in sight */
  guint pin_tick;
};

G_DEFINE_FINAL_TYPE (ClLineView, cl_line_view, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_STATIONS,
  PROP_EVENTS,
  PROP_SHOWN_READER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkWidget *
create_station_panel (gpointer item, gpointer user_data)
{
  GtkWidget *panel = GTK_WIDGET (cl_reader_panel_new (CL_READER (item)));
  GtkWidget *child = gtk_flow_box_child_new ();

  /* The flow box child is what takes the focus; unnamed, GTK 4.8 reads it out as "GtkFlowBoxChild". */
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), panel);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_RELATION_LABELLED_BY, panel, NULL, -1);
  return child;
}

static void
on_tile_open (ClReaderTile *tile, ClLineView *self)
{
  cl_line_view_show_reader (self, cl_reader_tile_get_reader (tile));
}

static GtkWidget *
create_station_tile (gpointer item, gpointer user_data)
{
  GtkWidget *tile = cl_reader_tile_new (CL_READER (item));
  GtkWidget *child = gtk_flow_box_child_new ();

  /* the tile's button takes the focus and says what the tile shows; the flow box child only lays it out */
  gtk_widget_set_focusable (child, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL, cl_reader_get_name (item), -1);
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), tile);
  g_signal_connect_object (tile, "open", G_CALLBACK (on_tile_open), user_data, 0);
  return child;
}

static gboolean
use_tiles (ClLineView *self)
{
  return self->stations != NULL && g_list_model_get_n_items (self->stations) > CL_LINE_VIEW_MAX_PANELS;
}

static gboolean
has_station (ClLineView *self, ClReader *reader)
{
  for (guint i = 0; self->stations != NULL && i < g_list_model_get_n_items (self->stations); i++)
    {
      g_autoptr (ClReader) station = g_list_model_get_item (self->stations, i);

      if (station == reader)
        return TRUE;
    }
  return FALSE;
}

/* Shows the stations as panels or as tiles, whichever their number calls for; only the shown box is bound, so
 * each reader has one widget following it. */
static void
update_layout (ClLineView *self)
{
  GtkFlowBox *box = use_tiles (self) ? self->tiles_box : self->stations_box;
  gboolean empty = self->stations == NULL || g_list_model_get_n_items (self->stations) == 0;

  if (box != self->bound_box)
    {
      if (self->bound_box != NULL)
        gtk_flow_box_bind_model (self->bound_box, NULL, NULL, NULL, NULL);
      self->bound_box = box;
      if (box == self->tiles_box)
        gtk_flow_box_bind_model (box, self->stations, create_station_tile, self, NULL);
      else
        gtk_flow_box_bind_model (box, self->stations, create_station_panel, NULL, NULL);
    }
  if (self->detail_reader != NULL && (!use_tiles (self) || !has_station (self, self->detail_reader)))
    cl_line_view_show_reader (self, NULL);

  if (empty)
    gtk_stack_set_visible_child_name (self->stations_stack, "empty");
  else if (self->detail_reader != NULL)
    gtk_stack_set_visible_child_name (self->stations_stack, "detail");
  else
    gtk_stack_set_visible_child_name (self->stations_stack, box == self->tiles_box ? "tiles" : "stations");
}

static void
on_stations_changed (ClLineView *self)
{
  update_layout (self);
}

static gboolean
is_tile_of (GtkWidget *child, ClReader *reader)
{
  GtkWidget *tile = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child));

  return CL_IS_READER_TILE (tile) && cl_reader_tile_get_reader (CL_READER_TILE (tile)) == reader;
}

ClReaderTile *
cl_line_view_get_tile (ClLineView *self, ClReader *reader)
{
  g_return_val_if_fail (CL_IS_LINE_VIEW (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->tiles_box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_FLOW_BOX_CHILD (child) && is_tile_of (child, reader))
      return CL_READER_TILE (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (child)));
  return NULL;
}

void
cl_line_view_show_reader (ClLineView *self, ClReader *reader)
{
  g_autoptr (ClReader) previous = NULL;
  ClReaderTile *tile;

  g_return_if_fail (CL_IS_LINE_VIEW (self));
  g_return_if_fail (reader == NULL || CL_IS_READER (reader));

  if (reader == self->detail_reader)
    return;
  if (reader != NULL && (!use_tiles (self) || !has_station (self, reader)))
    return; /* full panels are on show already, or the reader went */

  previous = g_steal_pointer (&self->detail_reader);
  self->detail_reader = reader != NULL ? g_object_ref (reader) : NULL;
  /* a new panel on the same reader: it follows the reader from now on, as the tile does */
  adw_bin_set_child (self->detail_bin, reader != NULL ? cl_reader_panel_new (reader) : NULL);
  gtk_label_set_label (self->detail_title, reader != NULL ? cl_reader_get_name (reader) : "");
  if (reader != NULL)
    {
      gtk_stack_set_visible_child_name (self->stations_stack, "detail");
      gtk_widget_grab_focus (self->back_button);
    }
  else
    {
      update_layout (self);
      /* back where the operator left: the tile they opened */
      tile = previous != NULL ? cl_line_view_get_tile (self, previous) : NULL;
      if (tile != NULL)
        gtk_widget_grab_focus (GTK_WIDGET (tile));
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "line.back", reader != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWN_READER]);
}

ClReader *
cl_line_view_get_shown_reader (ClLineView *self)
{
  g_return_val_if_fail (CL_IS_LINE_VIEW (self), NULL);
  return self->detail_reader;
}

ClReaderPanel *
cl_line_view_get_detail_panel (ClLineView *self)
{
  g_return_val_if_fail (CL_IS_LINE_VIEW (self), NULL);
  return CL_IS_READER_PANEL (adw_bin_get_child (self->detail_bin))
           ? CL_READER_PANEL (adw_bin_get_child (self->detail_bin))
           : NULL;
}

static void
back_to_tiles (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  cl_line_view_show_reader (CL_LINE_VIEW (widget), NULL);
}

void
cl_line_view_set_stations (ClLineView *self, GListModel *stations)
{
  g_return_if_fail (CL_IS_LINE_VIEW (self));
  g_return_if_fail (stations == NULL || G_IS_LIST_MODEL (stations));

  if (self->stations == stations)
    return;

  if (self->stations != NULL)
    g_signal_handlers_disconnect_by_func (self->stations, on_stations_changed, self);
  g_set_object (&self->stations, stations);
  if (stations != NULL)
    g_signal_connect_object (stations, "items-changed", G_CALLBACK (on_stations_changed), self,
                             G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  /* rebound to the new list by update_layout */
  if (self->bound_box != NULL)
    gtk_flow_box_bind_model (self->bound_box, NULL, NULL, NULL, NULL);
  self->bound_box = NULL;
  update_layout (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATIONS]);
}

GListModel *
cl_line_view_get_stations (ClLineView *self)
{
  g_return_val_if_fail (CL_IS_LINE_VIEW (self), NULL);
  return self->stations;
}

/* With no readers, the most likely cause is the PC/SC service; say so where the operator looks. */
static void
update_empty_page (ClLineView *self)
{
  guint n = self->events != NULL ? g_list_model_get_n_items (self->events) : 0;
  g_autoptr (ClLineEvent) last = n > 0 ? g_list_model_get_item (self->events, n - 1) : NULL;
  ClLineEventKind kind = last != NULL ? cl_line_event_get_kind (last) : CL_LINE_EVENT_NOTE;

  if (kind == CL_LINE_EVENT_SERVICE_LOST || kind == CL_LINE_EVENT_SERVICE_UNAVAILABLE)
    {
      adw_status_page_set_icon_name (self->empty_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->empty_page, _ ("PC/SC Service Not Reachable"));
      adw_status_page_set_description (self->empty_page, cl_line_event_get_detail (last));
    }
  else if (kind != CL_LINE_EVENT_NOTE || n == 0)
    {
      adw_status_page_set_icon_name (self->empty_page, "auth-smartcard-symbolic");
      adw_status_page_set_title (self->empty_page, _ ("No Readers"));
      adw_status_page_set_description (self->empty_page, _ ("Connect a reader or start the rig."));
    }
}

static void
on_events_changed (ClLineView *self)
{
  update_empty_page (self);
}

void
cl_line_view_set_counters (ClLineView *self, ClBatchCounters *counters)
{
  g_return_if_fail (CL_IS_LINE_VIEW (self));
  cl_batch_counters_bar_set_counters (self->counters_bar, counters);
}

ClBatchCountersBar *
cl_line_view_get_counters_bar (ClLineView *self)
{
  g_return_val_if_fail (CL_IS_LINE_VIEW (self), NULL);
  return self->counters_bar;
}

static void
on_events_scrolled (GtkAdjustment *adjustment, ClLineView *self)
{
  if (self->pin_tick != 0)
    return; /* our own move back to the top */
  self->events_pinned = gtk_adjustment_get_value (adjustment) <= gtk_adjustment_get_lower (adjustment) + 1;
}

static gboolean
pin_events_to_top (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  ClLineView *self = user_data;

  /* A list view keeps its anchor on the row that was at the top, so rows inserted above it would push the newest
   * events out of sight; scrolling to the first row re-anchors on the newest (GTK 4.8 has no scroll_to API). */
  self->pin_tick = 0;
  gtk_widget_activate_action (GTK_WIDGET (self->events_list), "list.scroll-to-item", "u", 0);
  return G_SOURCE_REMOVE;
}

static void
on_shown_events_changed (GListModel *shown, guint position, guint removed, guint added, ClLineView *self)
{
  if (self->events_pinned && position == 0 && added > 0 && self->pin_tick == 0)
    self->pin_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->events_list), pin_events_to_top, self, NULL);
}

void
cl_line_view_set_events (ClLineView *self, GListModel *events)
{
  g_autoptr (GtkNoSelection) selection = NULL;

  g_return_if_fail (CL_IS_LINE_VIEW (self));
  g_return_if_fail (events == NULL || G_IS_LIST_MODEL (events));

  if (self->events == events)
    return;

  if (self->events != NULL)
    g_signal_handlers_disconnect_by_func (self->events, on_events_changed, self);
  g_set_object (&self->events, events);

  if (events != NULL)
    {
      g_signal_connect_object (events, "items-changed", G_CALLBACK (on_events_changed), self,
                               G_CONNECT_SWAPPED | G_CONNECT_AFTER);
      /* Newest first keeps the latest event in sight without scrolling (GTK 4.8 has no scroll_to). */
      GtkExpression *sequence = gtk_property_expression_new (CL_TYPE_LINE_EVENT, NULL, "sequence");
      GtkNumericSorter *sorter = gtk_numeric_sorter_new (sequence);
      GtkSortListModel *sorted;

      gtk_numeric_sorter_set_sort_order (sorter, GTK_SORT_DESCENDING);
      sorted = gtk_sort_list_model_new (g_object_ref (events), GTK_SORTER (sorter));
      selection = gtk_no_selection_new (G_LIST_MODEL (sorted));
      g_signal_connect_object (selection, "items-changed", G_CALLBACK (on_shown_events_changed), self, 0);
    }
  gtk_list_view_set_model (self->events_list, GTK_SELECTION_MODEL (selection));
  update_empty_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENTS]);
}

GListModel *
cl_line_view_get_events (ClLineView *self)
{
  g_return_val_if_fail (CL_IS_LINE_VIEW (self), NULL);
  return self->events;
}

static void
cl_line_view_dispose (GObject *object)
{
  ClLineView *self = CL_LINE_VIEW (object);

  if (self->stations != NULL)
    g_signal_handlers_disconnect_by_func (self->stations, on_stations_changed, self);
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_func (self->events, on_events_changed, self);
  if (self->pin_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->events_list), self->pin_tick);
  self->pin_tick = 0;
  g_clear_object (&self->detail_reader);
  g_clear_object (&self->stations);
  g_clear_object (&self->events);

  G_OBJECT_CLASS (cl_line_view_parent_class)->dispose (object);
}

static void
cl_line_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClLineView *self = CL_LINE_VIEW (object);

  switch (prop_id)
    {
      case PROP_STATIONS:
        g_value_set_object (value, self->stations);
        break;
      case PROP_EVENTS:
        g_value_set_object (value, self->events);
        break;
      case PROP_SHOWN_READER:
        g_value_set_object (value, self->detail_reader);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_line_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClLineView *self = CL_LINE_VIEW (object);

  switch (prop_id)
    {
      case PROP_STATIONS:
        cl_line_view_set_stations (self, g_value_get_object (value));
        break;
      case PROP_EVENTS:
        cl_line_view_set_events (self, g_value_get_object (value));
        break;
      case PROP_SHOWN_READER:
        cl_line_view_show_reader (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_line_view_class_init (ClLineViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_line_view_dispose;
  object_class->get_property = cl_line_view_get_property;
  object_class->set_property = cl_line_view_set_property;

  properties[PROP_STATIONS] = g_param_spec_object (
    "stations", NULL, NULL, G_TYPE_LIST_MODEL, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_EVENTS] = g_param_spec_object ("events", NULL, NULL, G_TYPE_LIST_MODEL,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOWN_READER] = g_param_spec_object (
    "shown-reader", NULL, NULL, CL_TYPE_READER, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CL_TYPE_LINE_EVENT);
  g_type_ensure (CL_TYPE_EVENT_ROW);
  g_type_ensure (CL_TYPE_READER_PANEL);
  g_type_ensure (CL_TYPE_READER_TILE);
  g_type_ensure (CL_TYPE_BATCH_COUNTERS_BAR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-line-view.ui");
  gtk_widget_class_set_css_name (widget_class, "lineview");
  gtk_widget_class_bind_template_child (widget_class, ClLineView, stations_stack);
  gtk_widget_class_bind_template_child (widget_class, ClLineView, counters_bar);
  gtk_widget_class_bind_template_child (widget_class, ClLineView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ClLineView, stations_box);
  gtk_widget_class_bind_template_child (widget_class, ClLineView, events_list);
  gtk_widget_class_bind_template_child (widget_class, ClLineView, tiles_box);
  gtk_widget_class_bind_template_child (widget_class, ClLineView, detail_title);
  gtk_widget_class_bind_template_child (widget_class, ClLineView, detail_bin);
  gtk_widget_class_bind_template_child (widget_class, ClLineView, back_button);
  /* from a reader's details back to the tiles: the details' back button, and Escape anywhere in the view */
  gtk_widget_class_install_action (widget_class, "line.back", NULL, back_to_tiles);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "line.back", NULL);
}

static void
cl_line_view_init (ClLineView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->events_pinned = TRUE;
  if (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->events_list)) != NULL)
    g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->events_list)), "value-changed",
                             G_CALLBACK (on_events_scrolled), self, 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "line.back", FALSE);
  update_layout (self);
}

GtkWidget *
cl_line_view_new (void)
{
  return g_object_new (CL_TYPE_LINE_VIEW, NULL);
}
