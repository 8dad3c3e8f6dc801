#include "station/cl-line-event.h"

#include "core/cl-name.h"

struct _ClLineEvent
{
  GObject parent_instance;

  GDateTime *time;
  ClLineEventKind kind;
  char *reader;
  char *detail;
  guint64 sequence;
  char *message;
  char *line;
  gboolean typed;
  ClLineEventFields fields; /* strings owned */
};

G_DEFINE_ENUM_TYPE (ClLineEventKind, cl_line_event_kind, G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_NOTE, "note"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_READER_ADDED, "reader-added"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_READER_REMOVED, "reader-removed"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_CARD_INSERTED, "card-inserted"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_CARD_REMOVED, "card-removed"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_SERVICE_UNAVAILABLE, "service-unavailable"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_SERVICE_LOST, "service-lost"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_SERVICE_RESTORED, "service-restored"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_CARD_PRESENT, "card-present"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_STEP_STARTED, "step-started"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_STEP_FINISHED, "step-finished"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_GOOD, "good"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_REJECTED, "rejected"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_FAULT, "fault"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_FAULT_CLEARED, "fault-cleared"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_PAUSED, "paused"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_RESUMED, "resumed"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_BATCH_DONE, "batch-done"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_SERVICE_NOTIFY, "service-notify"),
                    G_DEFINE_ENUM_VALUE (CL_LINE_EVENT_SERVICE_ENDED, "service-ended"))

G_DEFINE_FINAL_TYPE (ClLineEvent, cl_line_event, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TIME,
  PROP_TIME_TEXT,
  PROP_KIND,
  PROP_READER,
  PROP_DETAIL,
  PROP_SEQUENCE,
  PROP_MESSAGE,
  PROP_LINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
cl_line_event_kind_to_string (ClLineEventKind kind)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (CL_TYPE_LINE_EVENT_KIND);
  GEnumValue *value = g_enum_get_value (klass, kind);

  /* The nick strings are static, so they outlive the class reference. */
  return value != NULL ? value->value_nick : "unknown";
}

static void
cl_line_event_finalize (GObject *object)
{
  ClLineEvent *self = CL_LINE_EVENT (object);

  g_clear_pointer (&self->time, g_date_time_unref);
  g_free (self->reader);
  g_free (self->detail);
  g_free (self->message);
  g_free (self->line);
  g_free ((char *)self->fields.station);
  g_free ((char *)self->fields.chip_id);
  g_free ((char *)self->fields.serial);
  g_free ((char *)self->fields.note);
  g_free ((char *)self->fields.instruction);
  g_free ((char *)self->fields.atr);
  g_free ((char *)self->fields.row_reference);
  g_free ((char *)self->fields.row_display);
  g_strfreev ((GStrv)self->fields.plan);

  G_OBJECT_CLASS (cl_line_event_parent_class)->finalize (object);
}

static void
cl_line_event_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClLineEvent *self = CL_LINE_EVENT (object);

  switch (prop_id)
    {
      case PROP_TIME:
        g_value_set_boxed (value, self->time);
        break;
      case PROP_TIME_TEXT:
        g_value_take_string (value, cl_line_event_dup_time_text (self));
        break;
      case PROP_KIND:
        g_value_set_enum (value, self->kind);
        break;
      case PROP_READER:
        g_value_set_string (value, self->reader);
        break;
      case PROP_DETAIL:
        g_value_set_string (value, self->detail);
        break;
      case PROP_SEQUENCE:
        g_value_set_uint64 (value, self->sequence);
        break;
      case PROP_MESSAGE:
        g_value_set_string (value, self->message);
        break;
      case PROP_LINE:
        g_value_set_string (value, self->line);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_line_event_class_init (ClLineEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cl_line_event_finalize;
  object_class->get_property = cl_line_event_get_property;

  properties[PROP_TIME] = g_param_spec_boxed ("time", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_TIME_TEXT] = g_param_spec_string ("time-text", NULL, NULL, NULL, ro);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, CL_TYPE_LINE_EVENT_KIND, CL_LINE_EVENT_NOTE, ro);
  properties[PROP_READER] = g_param_spec_string ("reader", NULL, NULL, NULL, ro);
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, ro);
  properties[PROP_SEQUENCE] = g_param_spec_uint64 ("sequence", NULL, NULL, 0, G_MAXUINT64, 0,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, ro);
  properties[PROP_LINE] = g_param_spec_string ("line", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_line_event_init (ClLineEvent *self)
{
  self->fields.sw = -1;
}

static void
set_message (ClLineEvent *self, const char *kind_name)
{
  g_autoptr (GString) message = g_string_new (kind_name);
  g_autofree char *time_text = NULL;

  g_autofree char *reader = cl_text_escape (self->reader);
  g_autofree char *detail = cl_text_escape (self->detail);

  /* one event, one line: a newline or ESC in a reader's name or a note cannot forge another (cl-name.h) */
  if (reader != NULL)
    g_string_append_printf (message, " %s", reader);
  if (detail != NULL)
    g_string_append_printf (message, " %s", detail);
  self->message = g_string_free (g_steal_pointer (&message), FALSE);
  time_text = cl_line_event_dup_time_text (self);
  self->line = g_strdup_printf ("%s %s", time_text, self->message);
}

ClLineEvent *
cl_line_event_new (GDateTime *when, ClLineEventKind kind, const char *reader, const char *detail)
{
  ClLineEvent *self = g_object_new (CL_TYPE_LINE_EVENT, NULL);

  self->time = when != NULL ? g_date_time_ref (when) : g_date_time_new_now_local ();
  self->kind = kind;
  self->reader = g_strdup (reader);
  self->detail = g_strdup (detail);
  set_message (self, cl_line_event_kind_to_string (kind));
  return self;
}

ClLineEvent *
cl_line_event_new_typed (ClLineEventKind kind, const char *reader, const ClLineEventFields *fields, const char *text)
{
  ClLineEvent *self;
  char *one_line;

  g_return_val_if_fail (kind >= CL_LINE_EVENT_CARD_PRESENT, NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  self = g_object_new (CL_TYPE_LINE_EVENT, NULL);
  self->time = g_date_time_new_now_local ();
  self->kind = kind;
  self->typed = TRUE;
  self->reader = g_strdup (reader);
  self->fields = *fields;
  self->fields.station = g_strdup (fields->station);
  self->fields.chip_id = g_strdup (fields->chip_id);
  self->fields.serial = g_strdup (fields->serial);
  self->fields.note = g_strdup (fields->note);
  self->fields.instruction = g_strdup (fields->instruction);
  self->fields.atr = g_strdup (fields->atr);
  self->fields.row_reference = g_strdup (fields->row_reference);
  self->fields.row_display = g_strdup (fields->row_display);
  self->fields.plan = (const char *const *)g_strdupv ((GStrv)fields->plan);
  if (text == NULL)
    return self;
  /* one event, one line: a detail never breaks a script's line reader */
  one_line = g_strdup (text);
  g_strdelimit (one_line, "\r\n", ' ');
  self->detail = one_line;
  /* the batch run's lines have always been notes; scripts key on that */
  set_message (self, "note");
  return self;
}

gboolean
cl_line_event_has_line (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), FALSE);
  return self->line != NULL;
}

const ClLineEventFields *
cl_line_event_get_fields (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), NULL);
  return &self->fields;
}

const char *
cl_line_event_get_chip_id (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), NULL);
  return self->fields.chip_id;
}

ClProductionStep
cl_line_event_get_step (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), CL_STEP_IDENTIFY);
  return self->fields.step;
}

ClStepResult
cl_line_event_get_result (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), CL_STEP_RESULT_OK);
  return self->fields.result;
}

gint
cl_line_event_get_sw (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), -1);
  return self->fields.sw;
}

gint64
cl_line_event_get_duration_us (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), 0);
  return self->fields.duration_us;
}

ClRejectReason
cl_line_event_get_reason (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), CL_REJECT_PROTOCOL_ERROR);
  return self->fields.reason;
}

const char *
cl_line_event_get_serial (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), NULL);
  return self->fields.serial;
}

const char *
cl_line_event_get_note (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), NULL);
  return self->fields.note;
}

ClLineFault
cl_line_event_get_fault (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), CL_LINE_FAULT_PRINTER_ERROR);
  return self->fields.fault;
}

const char *
cl_line_event_get_instruction (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), NULL);
  return self->fields.instruction;
}

GDateTime *
cl_line_event_get_time (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), NULL);
  return self->time;
}

char *
cl_line_event_dup_time_text (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), NULL);
  return g_date_time_format (self->time, "%H:%M:%S");
}

ClLineEventKind
cl_line_event_get_kind (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), CL_LINE_EVENT_NOTE);
  return self->kind;
}

const char *
cl_line_event_get_reader (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), NULL);
  return self->reader;
}

const char *
cl_line_event_get_detail (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), NULL);
  return self->detail;
}

guint64
cl_line_event_get_sequence (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), 0);
  return self->sequence;
}

void
cl_line_event_set_sequence (ClLineEvent *self, guint64 sequence)
{
  g_return_if_fail (CL_IS_LINE_EVENT (self));

  if (self->sequence == sequence)
    return;
  self->sequence = sequence;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQUENCE]);
}

const char *
cl_line_event_get_line (ClLineEvent *self)
{
  g_return_val_if_fail (CL_IS_LINE_EVENT (self), NULL);
  return self->line;
}
