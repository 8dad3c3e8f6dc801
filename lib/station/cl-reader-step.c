#include "station/cl-reader-step.h"

struct _ClReaderStep
{
  GObject parent_instance;

  char *name;
  ClReaderStepState state;
  gint64 duration_us;
  gint sw;
  char *detail;
};

G_DEFINE_ENUM_TYPE (ClReaderStepState, cl_reader_step_state, G_DEFINE_ENUM_VALUE (CL_READER_STEP_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (CL_READER_STEP_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (CL_READER_STEP_OK, "ok"),
                    G_DEFINE_ENUM_VALUE (CL_READER_STEP_SKIPPED, "skipped"),
                    G_DEFINE_ENUM_VALUE (CL_READER_STEP_FAILED, "failed"))

G_DEFINE_FINAL_TYPE (ClReaderStep, cl_reader_step, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_STATE,
  PROP_DURATION_US,
  PROP_SW,
  PROP_DETAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cl_reader_step_finalize (GObject *object)
{
  ClReaderStep *self = CL_READER_STEP (object);

  g_free (self->name);
  g_free (self->detail);
  G_OBJECT_CLASS (cl_reader_step_parent_class)->finalize (object);
}

static void
cl_reader_step_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClReaderStep *self = CL_READER_STEP (object);

  switch (prop_id)
    {
      case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_DURATION_US:
        g_value_set_int64 (value, self->duration_us);
        break;
      case PROP_SW:
        g_value_set_int (value, self->sw);
        break;
      case PROP_DETAIL:
        g_value_set_string (value, self->detail);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_reader_step_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClReaderStep *self = CL_READER_STEP (object);

  switch (prop_id)
    {
      case PROP_NAME:
        self->name = g_value_dup_string (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_reader_step_class_init (ClReaderStepClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cl_reader_step_finalize;
  object_class->get_property = cl_reader_step_get_property;
  object_class->set_property = cl_reader_step_set_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, CL_TYPE_READER_STEP_STATE, CL_READER_STEP_PENDING,
                                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DURATION_US] = g_param_spec_int64 (
    "duration-us", NULL, NULL, -1, G_MAXINT64, -1, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SW] = g_param_spec_int ("sw", NULL, NULL, -1, 0xFFFF, -1,
                                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_reader_step_init (ClReaderStep *self)
{
  self->state = CL_READER_STEP_PENDING;
  self->duration_us = -1;
  self->sw = -1;
}

ClReaderStep *
cl_reader_step_new (const char *name)
{
  g_return_val_if_fail (name != NULL && *name != '\0', NULL);
  return g_object_new (CL_TYPE_READER_STEP, "name", name, NULL);
}

const char *
cl_reader_step_get_name (ClReaderStep *self)
{
  g_return_val_if_fail (CL_IS_READER_STEP (self), NULL);
  return self->name;
}

ClReaderStepState
cl_reader_step_get_state (ClReaderStep *self)
{
  g_return_val_if_fail (CL_IS_READER_STEP (self), CL_READER_STEP_PENDING);
  return self->state;
}

gint64
cl_reader_step_get_duration_us (ClReaderStep *self)
{
  g_return_val_if_fail (CL_IS_READER_STEP (self), -1);
  return self->duration_us;
}

gint
cl_reader_step_get_sw (ClReaderStep *self)
{
  g_return_val_if_fail (CL_IS_READER_STEP (self), -1);
  return self->sw;
}

const char *
cl_reader_step_get_detail (ClReaderStep *self)
{
  g_return_val_if_fail (CL_IS_READER_STEP (self), NULL);
  return self->detail;
}

static void
set_state (ClReaderStep *self, ClReaderStepState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
cl_reader_step_start (ClReaderStep *self)
{
  g_return_if_fail (CL_IS_READER_STEP (self));
  set_state (self, CL_READER_STEP_RUNNING);
}

void
cl_reader_step_set_progress (ClReaderStep *self, const char *text)
{
  g_return_if_fail (CL_IS_READER_STEP (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_state (self, CL_READER_STEP_RUNNING);
  if (g_strcmp0 (self->detail, text) != 0)
    {
      g_free (self->detail);
      self->detail = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
cl_reader_step_end (ClReaderStep *self, ClReaderStepState state, gint64 duration_us, gint sw, const char *detail)
{
  g_return_if_fail (CL_IS_READER_STEP (self));
  g_return_if_fail (state == CL_READER_STEP_OK || state == CL_READER_STEP_SKIPPED || state == CL_READER_STEP_FAILED);

  /* one notification burst: a bound row never shows the new state with the old duration */
  g_object_freeze_notify (G_OBJECT (self));
  set_state (self, state);
  duration_us = MAX (duration_us, 0);
  if (self->duration_us != duration_us)
    {
      self->duration_us = duration_us;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION_US]);
    }
  sw = sw < 0 || sw > 0xFFFF ? -1 : sw;
  if (self->sw != sw)
    {
      self->sw = sw;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SW]);
    }
  if (g_strcmp0 (self->detail, detail) != 0)
    {
      g_free (self->detail);
      self->detail = g_strdup (detail);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}
