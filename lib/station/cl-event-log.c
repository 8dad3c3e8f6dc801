#include "station/cl-event-log.h"

struct _ClEventLog
{
  GObject parent_instance;

  GPtrArray *events;
  guint capacity;
  guint64 total;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClEventLog, cl_event_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum
{
  PROP_0,
  PROP_CAPACITY,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
cl_event_log_get_item_type (GListModel *model)
{
  return CL_TYPE_LINE_EVENT;
}

static guint
cl_event_log_get_n_items (GListModel *model)
{
  return CL_EVENT_LOG (model)->events->len;
}

static gpointer
cl_event_log_get_item (GListModel *model, guint position)
{
  ClEventLog *self = CL_EVENT_LOG (model);

  if (position >= self->events->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->events, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = cl_event_log_get_item_type;
  iface->get_n_items = cl_event_log_get_n_items;
  iface->get_item = cl_event_log_get_item;
}

static void
cl_event_log_finalize (GObject *object)
{
  ClEventLog *self = CL_EVENT_LOG (object);

  g_ptr_array_unref (self->events);

  G_OBJECT_CLASS (cl_event_log_parent_class)->finalize (object);
}

static void
cl_event_log_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClEventLog *self = CL_EVENT_LOG (object);

  switch (prop_id)
    {
      case PROP_CAPACITY:
        g_value_set_uint (value, self->capacity);
        break;
      case PROP_N_ITEMS:
        g_value_set_uint (value, self->events->len);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_event_log_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClEventLog *self = CL_EVENT_LOG (object);

  switch (prop_id)
    {
      case PROP_CAPACITY:
        self->capacity = g_value_get_uint (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_event_log_class_init (ClEventLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cl_event_log_finalize;
  object_class->get_property = cl_event_log_get_property;
  object_class->set_property = cl_event_log_set_property;

  properties[PROP_CAPACITY] = g_param_spec_uint ("capacity", NULL, NULL, 1, G_MAXUINT, CL_EVENT_LOG_DEFAULT_CAPACITY,
                                                 G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS]
    = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_event_log_init (ClEventLog *self)
{
  self->events = g_ptr_array_new_with_free_func (g_object_unref);
  self->capacity = CL_EVENT_LOG_DEFAULT_CAPACITY;
}

ClEventLog *
cl_event_log_new (guint capacity)
{
  return g_object_new (CL_TYPE_EVENT_LOG, "capacity", capacity > 0 ? capacity : CL_EVENT_LOG_DEFAULT_CAPACITY, NULL);
}

guint
cl_event_log_get_capacity (ClEventLog *self)
{
  g_return_val_if_fail (CL_IS_EVENT_LOG (self), 0);
  return self->capacity;
}

guint64
cl_event_log_get_total (ClEventLog *self)
{
  g_return_val_if_fail (CL_IS_EVENT_LOG (self), 0);
  return self->total;
}

void
cl_event_log_append (ClEventLog *self, ClLineEvent *event)
{
  g_return_if_fail (CL_IS_EVENT_LOG (self));
  g_return_if_fail (CL_IS_LINE_EVENT (event));

  cl_line_event_set_sequence (event, ++self->total);

  /* Drop first, then add: a view never sees more than capacity rows. */
  if (self->events->len >= self->capacity)
    {
      g_ptr_array_remove_index (self->events, 0);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 1, 0);
    }

  g_ptr_array_add (self->events, g_object_ref (event));
  g_list_model_items_changed (G_LIST_MODEL (self), self->events->len - 1, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

ClLineEvent *
cl_event_log_add (ClEventLog *self, ClLineEventKind kind, const char *reader, const char *detail)
{
  g_autoptr (ClLineEvent) event = NULL;

  g_return_val_if_fail (CL_IS_EVENT_LOG (self), NULL);

  event = cl_line_event_new (NULL, kind, reader, detail);
  /* The log keeps a reference, so the event outlives this function for the caller. */
  cl_event_log_append (self, event);
  return event;
}
