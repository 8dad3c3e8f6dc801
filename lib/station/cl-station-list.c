#include "station/cl-station-list.h"

#include <string.h>

struct _ClStationList
{
  GObject parent_instance;

  GPtrArray *stations;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClStationList, cl_station_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum
{
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
cl_station_list_get_item_type (GListModel *model)
{
  return CL_TYPE_STATION;
}

static guint
cl_station_list_get_n_items (GListModel *model)
{
  return CL_STATION_LIST (model)->stations->len;
}

static gpointer
cl_station_list_get_item (GListModel *model, guint position)
{
  ClStationList *self = CL_STATION_LIST (model);

  if (position >= self->stations->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->stations, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cl_station_list_get_item_type;
  iface->get_n_items = cl_station_list_get_n_items;
  iface->get_item = cl_station_list_get_item;
}

static void
cl_station_list_finalize (GObject *object)
{
  ClStationList *self = CL_STATION_LIST (object);

  g_ptr_array_unref (self->stations);

  G_OBJECT_CLASS (cl_station_list_parent_class)->finalize (object);
}

static void
cl_station_list_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClStationList *self = CL_STATION_LIST (object);

  switch (prop_id)
    {
      case PROP_N_ITEMS:
        g_value_set_uint (value, self->stations->len);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_station_list_class_init (ClStationListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cl_station_list_finalize;
  object_class->get_property = cl_station_list_get_property;

  /* GListModel gains "n-items" only in GLib 2.76; views bind to this one to show their empty state. */
  properties[PROP_N_ITEMS]
    = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_station_list_init (ClStationList *self)
{
  self->stations = g_ptr_array_new_with_free_func (g_object_unref);
}

ClStationList *
cl_station_list_new (void)
{
  return g_object_new (CL_TYPE_STATION_LIST, NULL);
}

ClStation *
cl_station_list_find (ClStationList *self, const char *name, guint *position)
{
  g_return_val_if_fail (CL_IS_STATION_LIST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->stations->len; i++)
    {
      ClStation *station = g_ptr_array_index (self->stations, i);

      if (g_strcmp0 (cl_station_get_name (station), name) == 0)
        {
          if (position != NULL)
            *position = i;
          return station;
        }
    }
  return NULL;
}

/* Natural order ("Rig 2" before "Rig 10"), so panels stand in the order the readers are racked. */
static int
compare_names (const char *a, const char *b)
{
  g_autofree char *key_a = g_utf8_collate_key_for_filename (a, -1);
  g_autofree char *key_b = g_utf8_collate_key_for_filename (b, -1);

  return strcmp (key_a, key_b);
}

gboolean
cl_station_list_add (ClStationList *self, ClStation *station)
{
  const char *name;
  guint position = 0;

  g_return_val_if_fail (CL_IS_STATION_LIST (self), FALSE);
  g_return_val_if_fail (CL_IS_STATION (station), FALSE);

  name = cl_station_get_name (station);
  if (cl_station_list_find (self, name, NULL) != NULL)
    return FALSE;

  while (position < self->stations->len
         && compare_names (cl_station_get_name (g_ptr_array_index (self->stations, position)), name) < 0)
    position++;

  g_ptr_array_insert (self->stations, position, g_object_ref (station));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return TRUE;
}

gboolean
cl_station_list_remove (ClStationList *self, const char *name)
{
  guint position;

  g_return_val_if_fail (CL_IS_STATION_LIST (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (cl_station_list_find (self, name, &position) == NULL)
    return FALSE;

  g_ptr_array_remove_index (self->stations, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return TRUE;
}
