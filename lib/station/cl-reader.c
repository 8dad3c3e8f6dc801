#include "station/cl-reader.h"

struct _ClReader
{
  GObject parent_instance;

  char *name;
  ClReaderState state;
  char *atr;
  guint card_count;
  char *last_event;
  GDateTime *last_event_time;
  char *instruction; /* FAULT only: what the operator has to do */
  char *chip_id;
  char *row_display;
  GListStore *steps; /* ClReaderStep */
  ClReaderResult result;
  char *result_text;
  guint good_count;
  guint reject_count;
};

G_DEFINE_ENUM_TYPE (ClReaderState, cl_reader_state, G_DEFINE_ENUM_VALUE (CL_READER_EMPTY, "empty"),
                    G_DEFINE_ENUM_VALUE (CL_READER_CARD_PRESENT, "card-present"),
                    G_DEFINE_ENUM_VALUE (CL_READER_PRODUCING, "producing"),
                    G_DEFINE_ENUM_VALUE (CL_READER_FAULT, "fault"), G_DEFINE_ENUM_VALUE (CL_READER_GONE, "gone"))

G_DEFINE_ENUM_TYPE (ClReaderResult, cl_reader_result, G_DEFINE_ENUM_VALUE (CL_READER_RESULT_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (CL_READER_RESULT_GOOD, "good"),
                    G_DEFINE_ENUM_VALUE (CL_READER_RESULT_REJECTED, "rejected"))

G_DEFINE_FINAL_TYPE (ClReader, cl_reader, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_STATE,
  PROP_ATR,
  PROP_CARD_COUNT,
  PROP_LAST_EVENT,
  PROP_LAST_EVENT_TIME,
  PROP_INSTRUCTION,
  PROP_CHIP_ID,
  PROP_ROW_DISPLAY,
  PROP_RESULT,
  PROP_RESULT_TEXT,
  PROP_GOOD_COUNT,
  PROP_REJECT_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* g_set_str() arrives only in GLib 2.76. */
static gboolean
set_str (char **slot, const char *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static void
cl_reader_finalize (GObject *object)
{
  ClReader *self = CL_READER (object);

  g_free (self->name);
  g_free (self->atr);
  g_free (self->last_event);
  g_free (self->instruction);
  g_free (self->chip_id);
  g_free (self->row_display);
  g_free (self->result_text);
  g_clear_object (&self->steps);
  g_clear_pointer (&self->last_event_time, g_date_time_unref);

  G_OBJECT_CLASS (cl_reader_parent_class)->finalize (object);
}

static void
cl_reader_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClReader *self = CL_READER (object);

  switch (prop_id)
    {
      case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_ATR:
        g_value_set_string (value, self->atr);
        break;
      case PROP_CARD_COUNT:
        g_value_set_uint (value, self->card_count);
        break;
      case PROP_LAST_EVENT:
        g_value_set_string (value, self->last_event);
        break;
      case PROP_LAST_EVENT_TIME:
        g_value_set_boxed (value, self->last_event_time);
        break;
      case PROP_INSTRUCTION:
        g_value_set_string (value, self->instruction);
        break;
      case PROP_CHIP_ID:
        g_value_set_string (value, self->chip_id);
        break;
      case PROP_ROW_DISPLAY:
        g_value_set_string (value, self->row_display);
        break;
      case PROP_RESULT:
        g_value_set_enum (value, self->result);
        break;
      case PROP_RESULT_TEXT:
        g_value_set_string (value, self->result_text);
        break;
      case PROP_GOOD_COUNT:
        g_value_set_uint (value, self->good_count);
        break;
      case PROP_REJECT_COUNT:
        g_value_set_uint (value, self->reject_count);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_reader_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ClReader *self = CL_READER (object);

  switch (prop_id)
    {
      case PROP_NAME:
        self->name = g_value_dup_string (value);
        break;
      case PROP_STATE:
        cl_reader_set_state (self, g_value_get_enum (value));
        break;
      case PROP_ATR:
        cl_reader_set_atr (self, g_value_get_string (value));
        break;
      case PROP_CARD_COUNT:
        cl_reader_set_card_count (self, g_value_get_uint (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_reader_class_init (ClReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cl_reader_finalize;
  object_class->get_property = cl_reader_get_property;
  object_class->set_property = cl_reader_set_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, CL_TYPE_READER_STATE, CL_READER_EMPTY,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ATR] = g_param_spec_string ("atr", NULL, NULL, NULL,
                                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CARD_COUNT] = g_param_spec_uint (
    "card-count", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_EVENT]
    = g_param_spec_string ("last-event", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_EVENT_TIME]
    = g_param_spec_boxed ("last-event-time", NULL, NULL, G_TYPE_DATE_TIME, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INSTRUCTION] = g_param_spec_string (
    "instruction", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHIP_ID] = g_param_spec_string ("chip-id", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* the card's data row being produced (its display field), NULL when the batch has no data */
  properties[PROP_ROW_DISPLAY] = g_param_spec_string (
    "row-display", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESULT] = g_param_spec_enum ("result", NULL, NULL, CL_TYPE_READER_RESULT, CL_READER_RESULT_NONE,
                                               G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RESULT_TEXT] = g_param_spec_string (
    "result-text", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GOOD_COUNT] = g_param_spec_uint ("good-count", NULL, NULL, 0, G_MAXUINT, 0,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REJECT_COUNT] = g_param_spec_uint (
    "reject-count", NULL, NULL, 0, G_MAXUINT, 0, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_reader_init (ClReader *self)
{
  self->state = CL_READER_EMPTY;
  self->steps = g_list_store_new (CL_TYPE_READER_STEP);
}

ClReader *
cl_reader_new (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (CL_TYPE_READER, "name", name, NULL);
}

const char *
cl_reader_get_name (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), NULL);
  return self->name;
}

ClReaderState
cl_reader_get_state (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), CL_READER_GONE);
  return self->state;
}

void
cl_reader_set_state (ClReader *self, ClReaderState state)
{
  g_return_if_fail (CL_IS_READER (self));

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  /* an instruction belongs to the fault it came with */
  if (state != CL_READER_FAULT && set_str (&self->instruction, NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INSTRUCTION]);
}

const char *
cl_reader_get_instruction (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), NULL);
  return self->instruction;
}

void
cl_reader_set_fault (ClReader *self, const char *instruction)
{
  g_return_if_fail (CL_IS_READER (self));

  g_object_freeze_notify (G_OBJECT (self));
  cl_reader_set_state (self, CL_READER_FAULT);
  if (set_str (&self->instruction, instruction))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INSTRUCTION]);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
cl_reader_get_atr (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), NULL);
  return self->atr;
}

void
cl_reader_set_atr (ClReader *self, const char *atr_hex)
{
  g_return_if_fail (CL_IS_READER (self));

  if (set_str (&self->atr, atr_hex))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATR]);
}

guint
cl_reader_get_card_count (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), 0);
  return self->card_count;
}

void
cl_reader_set_card_count (ClReader *self, guint count)
{
  g_return_if_fail (CL_IS_READER (self));

  if (self->card_count == count)
    return;
  self->card_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CARD_COUNT]);
}

const char *
cl_reader_get_last_event (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), NULL);
  return self->last_event;
}

GDateTime *
cl_reader_get_last_event_time (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), NULL);
  return self->last_event_time;
}

void
cl_reader_set_last_event (ClReader *self, const char *text, GDateTime *when)
{
  g_autoptr (GDateTime) now = NULL;

  g_return_if_fail (CL_IS_READER (self));

  if (when == NULL)
    when = now = g_date_time_new_now_local ();

  g_object_freeze_notify (G_OBJECT (self));
  if (set_str (&self->last_event, text))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_EVENT]);
  g_clear_pointer (&self->last_event_time, g_date_time_unref);
  self->last_event_time = g_date_time_ref (when);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_EVENT_TIME]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
cl_reader_card_inserted (ClReader *self, const char *atr_hex, GDateTime *when)
{
  g_return_if_fail (CL_IS_READER (self));

  /* Properties change together so a bound view never shows a half-updated station. */
  g_object_freeze_notify (G_OBJECT (self));
  cl_reader_set_atr (self, atr_hex);
  cl_reader_set_card_count (self, self->card_count + 1);
  cl_reader_set_state (self, CL_READER_CARD_PRESENT);
  cl_reader_set_last_event (self, "Card inserted", when);
  g_object_thaw_notify (G_OBJECT (self));
}

void
cl_reader_card_removed (ClReader *self, GDateTime *when)
{
  g_return_if_fail (CL_IS_READER (self));

  g_object_freeze_notify (G_OBJECT (self));
  cl_reader_set_atr (self, NULL);
  if (self->state == CL_READER_CARD_PRESENT || self->state == CL_READER_PRODUCING)
    cl_reader_set_state (self, CL_READER_EMPTY);
  cl_reader_set_last_event (self, "Card removed", when);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
cl_reader_get_chip_id (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), NULL);
  return self->chip_id;
}

void
cl_reader_set_chip_id (ClReader *self, const char *chip_id)
{
  g_return_if_fail (CL_IS_READER (self));

  if (set_str (&self->chip_id, chip_id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHIP_ID]);
}

const char *
cl_reader_get_row_display (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), NULL);
  return self->row_display;
}

void
cl_reader_set_row_display (ClReader *self, const char *row_display)
{
  g_return_if_fail (CL_IS_READER (self));

  if (set_str (&self->row_display, row_display))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROW_DISPLAY]);
}

GListModel *
cl_reader_get_steps (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), NULL);
  return G_LIST_MODEL (self->steps);
}

static void
set_result (ClReader *self, ClReaderResult result, const char *text)
{
  if (self->result != result)
    {
      self->result = result;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
    }
  if (set_str (&self->result_text, text))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT_TEXT]);
}

void
cl_reader_card_started (ClReader *self, const char *const *steps)
{
  g_autoptr (GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (CL_IS_READER (self));

  for (guint i = 0; steps != NULL && steps[i] != NULL; i++)
    g_ptr_array_add (fresh, cl_reader_step_new (steps[i]));

  g_object_freeze_notify (G_OBJECT (self));
  cl_reader_set_chip_id (self, NULL);
  cl_reader_set_row_display (self, NULL);
  set_result (self, CL_READER_RESULT_NONE, NULL);
  cl_reader_set_state (self, CL_READER_PRODUCING);
  /* one items-changed: a bound list rebuilds once, not once per step */
  g_list_store_splice (self->steps, 0, g_list_model_get_n_items (G_LIST_MODEL (self->steps)), fresh->pdata, fresh->len);
  g_object_thaw_notify (G_OBJECT (self));
}

static ClReaderStep *
find_step (ClReader *self, const char *name)
{
  GListModel *steps = G_LIST_MODEL (self->steps);

  for (guint i = 0; i < g_list_model_get_n_items (steps); i++)
    {
      ClReaderStep *step = g_list_model_get_item (steps, i);

      g_object_unref (step); /* the store keeps it */
      if (g_strcmp0 (cl_reader_step_get_name (step), name) == 0)
        return step;
    }
  {
    g_autoptr (ClReaderStep) step = cl_reader_step_new (name);

    g_list_store_append (self->steps, step);
    return step;
  }
}

void
cl_reader_step_started (ClReader *self, const char *step)
{
  g_return_if_fail (CL_IS_READER (self));
  g_return_if_fail (step != NULL && *step != '\0');

  cl_reader_step_start (find_step (self, step));
}

void
cl_reader_step_progress (ClReader *self, const char *step, const char *text)
{
  g_return_if_fail (CL_IS_READER (self));
  g_return_if_fail (step != NULL && *step != '\0');

  cl_reader_step_set_progress (find_step (self, step), text);
}

void
cl_reader_step_ended (ClReader *self, const char *step, ClReaderStepState state, gint64 duration_us, gint sw,
                      const char *detail)
{
  g_return_if_fail (CL_IS_READER (self));
  g_return_if_fail (step != NULL && *step != '\0');

  cl_reader_step_end (find_step (self, step), state, duration_us, sw, detail);
}

void
cl_reader_card_finished (ClReader *self, gboolean good, const char *text)
{
  g_return_if_fail (CL_IS_READER (self));

  g_object_freeze_notify (G_OBJECT (self));
  set_result (self, good ? CL_READER_RESULT_GOOD : CL_READER_RESULT_REJECTED, text);
  if (good)
    {
      self->good_count++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GOOD_COUNT]);
    }
  else
    {
      self->reject_count++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REJECT_COUNT]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

ClReaderResult
cl_reader_get_result (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), CL_READER_RESULT_NONE);
  return self->result;
}

const char *
cl_reader_get_result_text (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), NULL);
  return self->result_text;
}

guint
cl_reader_get_good_count (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), 0);
  return self->good_count;
}

guint
cl_reader_get_reject_count (ClReader *self)
{
  g_return_val_if_fail (CL_IS_READER (self), 0);
  return self->reject_count;
}
