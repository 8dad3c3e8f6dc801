#include "station/cl-reader-list.h"

#include <string.h>

struct _ClReaderList
{
  GObject parent_instance;

  GPtrArray *stations;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClReaderList, cl_reader_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum
{
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
cl_reader_list_get_item_type (GListModel *model)
{
  return CL_TYPE_READER;
}

static guint
cl_reader_list_get_n_items (GListModel *model)
{
  return CL_READER_LIST (model)->stations->len;
}

static gpointer
cl_reader_list_get_item (GListModel *model, guint position)
{
  ClReaderList *self = CL_READER_LIST (model);

  if (position >= self->stations->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->stations, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cl_reader_list_get_item_type;
  iface->get_n_items = cl_reader_list_get_n_items;
  iface->get_item = cl_reader_list_get_item;
}

static void
cl_reader_list_finalize (GObject *object)
{
  ClReaderList *self = CL_READER_LIST (object);

  g_ptr_array_unref (self->stations);

  G_OBJECT_CLASS (cl_reader_list_parent_class)->finalize (object);
}

static void
cl_reader_list_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClReaderList *self = CL_READER_LIST (object);

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
cl_reader_list_class_init (ClReaderListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cl_reader_list_finalize;
  object_class->get_property = cl_reader_list_get_property;

  /* GListModel gains "n-items" only in GLib 2.76; views bind to this one to show their empty state. */
  properties[PROP_N_ITEMS]
    = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_reader_list_init (ClReaderList *self)
{
  self->stations = g_ptr_array_new_with_free_func (g_object_unref);
}

ClReaderList *
cl_reader_list_new (void)
{
  return g_object_new (CL_TYPE_READER_LIST, NULL);
}

ClReader *
cl_reader_list_find (ClReaderList *self, const char *name, guint *position)
{
  g_return_val_if_fail (CL_IS_READER_LIST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->stations->len; i++)
    {
      ClReader *station = g_ptr_array_index (self->stations, i);

      if (g_strcmp0 (cl_reader_get_name (station), name) == 0)
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
cl_reader_list_add (ClReaderList *self, ClReader *station)
{
  const char *name;
  guint position = 0;

  g_return_val_if_fail (CL_IS_READER_LIST (self), FALSE);
  g_return_val_if_fail (CL_IS_READER (station), FALSE);

  name = cl_reader_get_name (station);
  if (cl_reader_list_find (self, name, NULL) != NULL)
    return FALSE;

  while (position < self->stations->len
         && compare_names (cl_reader_get_name (g_ptr_array_index (self->stations, position)), name) < 0)
    position++;

  g_ptr_array_insert (self->stations, position, g_object_ref (station));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return TRUE;
}

gboolean
cl_reader_list_remove (ClReaderList *self, const char *name)
{
  guint position;

  g_return_val_if_fail (CL_IS_READER_LIST (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (cl_reader_list_find (self, name, &position) == NULL)
    return FALSE;

  g_ptr_array_remove_index (self->stations, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return TRUE;
}
