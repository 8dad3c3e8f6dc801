/* cl-batch-counters.c: the Line view's batch counters (cl-batch-counters.h). */
#include "cl-batch-counters.h"

struct _ClBatchCounters
{
  GObject parent_instance;

  char *batch;
  guint quantity;
  guint fed;
  guint good;
  guint rejected;
  gboolean paused;
  gboolean ended;
};

G_DEFINE_FINAL_TYPE (ClBatchCounters, cl_batch_counters, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BATCH,
  PROP_QUANTITY,
  PROP_FED,
  PROP_GOOD,
  PROP_REJECTED,
  PROP_PAUSED,
  PROP_ENDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cl_batch_counters_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClBatchCounters *self = CL_BATCH_COUNTERS (object);

  switch (prop_id)
    {
      case PROP_BATCH:
        g_value_set_string (value, self->batch);
        break;
      case PROP_QUANTITY:
        g_value_set_uint (value, self->quantity);
        break;
      case PROP_FED:
        g_value_set_uint (value, self->fed);
        break;
      case PROP_GOOD:
        g_value_set_uint (value, self->good);
        break;
      case PROP_REJECTED:
        g_value_set_uint (value, self->rejected);
        break;
      case PROP_PAUSED:
        g_value_set_boolean (value, self->paused);
        break;
      case PROP_ENDED:
        g_value_set_boolean (value, self->ended);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_batch_counters_finalize (GObject *object)
{
  g_free (CL_BATCH_COUNTERS (object)->batch);
  G_OBJECT_CLASS (cl_batch_counters_parent_class)->finalize (object);
}

static void
cl_batch_counters_class_init (ClBatchCountersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = cl_batch_counters_get_property;
  object_class->finalize = cl_batch_counters_finalize;
  properties[PROP_BATCH] = g_param_spec_string ("batch", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUANTITY]
    = g_param_spec_uint ("quantity", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FED]
    = g_param_spec_uint ("fed", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_GOOD]
    = g_param_spec_uint ("good", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REJECTED]
    = g_param_spec_uint ("rejected", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED]
    = g_param_spec_boolean ("paused", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENDED] = g_param_spec_boolean ("ended", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_batch_counters_init (ClBatchCounters *self)
{
}

ClBatchCounters *
cl_batch_counters_new (const char *batch)
{
  ClBatchCounters *self = g_object_new (CL_TYPE_BATCH_COUNTERS, NULL);

  self->batch = g_strdup (batch);
  return self;
}

const char *
cl_batch_counters_get_batch (ClBatchCounters *self)
{
  g_return_val_if_fail (CL_IS_BATCH_COUNTERS (self), NULL);
  return self->batch;
}

guint
cl_batch_counters_get_quantity (ClBatchCounters *self)
{
  g_return_val_if_fail (CL_IS_BATCH_COUNTERS (self), 0);
  return self->quantity;
}

guint
cl_batch_counters_get_fed (ClBatchCounters *self)
{
  g_return_val_if_fail (CL_IS_BATCH_COUNTERS (self), 0);
  return self->fed;
}

guint
cl_batch_counters_get_good (ClBatchCounters *self)
{
  g_return_val_if_fail (CL_IS_BATCH_COUNTERS (self), 0);
  return self->good;
}

guint
cl_batch_counters_get_rejected (ClBatchCounters *self)
{
  g_return_val_if_fail (CL_IS_BATCH_COUNTERS (self), 0);
  return self->rejected;
}

gboolean
cl_batch_counters_get_paused (ClBatchCounters *self)
{
  g_return_val_if_fail (CL_IS_BATCH_COUNTERS (self), FALSE);
  return self->paused;
}

static void
update (ClBatchCounters *self, guint *field, guint value, guint prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
cl_batch_counters_set (ClBatchCounters *self, guint quantity, guint fed, guint good, guint rejected)
{
  g_return_if_fail (CL_IS_BATCH_COUNTERS (self));
  g_object_freeze_notify (G_OBJECT (self));
  update (self, &self->quantity, quantity, PROP_QUANTITY);
  update (self, &self->fed, fed, PROP_FED);
  update (self, &self->good, good, PROP_GOOD);
  update (self, &self->rejected, rejected, PROP_REJECTED);
  g_object_thaw_notify (G_OBJECT (self));
}

void
cl_batch_counters_add (ClBatchCounters *self, gboolean good)
{
  g_return_if_fail (CL_IS_BATCH_COUNTERS (self));
  cl_batch_counters_set (self, self->quantity, self->fed + 1, self->good + (good ? 1 : 0),
                         self->rejected + (good ? 0 : 1));
}

void
cl_batch_counters_set_paused (ClBatchCounters *self, gboolean paused)
{
  g_return_if_fail (CL_IS_BATCH_COUNTERS (self));
  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

gboolean
cl_batch_counters_get_ended (ClBatchCounters *self)
{
  g_return_val_if_fail (CL_IS_BATCH_COUNTERS (self), FALSE);
  return self->ended;
}

void
cl_batch_counters_set_ended (ClBatchCounters *self, gboolean ended)
{
  g_return_if_fail (CL_IS_BATCH_COUNTERS (self));
  ended = !!ended;
  if (self->ended == ended)
    return;
  self->ended = ended;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENDED]);
}
