/* cl-reject-item.c: a rejected card as a list item (cl-reject-item.h). */
#include "cl-reject-item.h"

#include <glib/gi18n.h>

struct _ClRejectItem
{
  GObject parent_instance;

  ClRejectRow *row;
};

G_DEFINE_FINAL_TYPE (ClRejectItem, cl_reject_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CHIP_ID,
  PROP_SERIAL,
  PROP_BATCH,
  PROP_REASON,
  PROP_STEP,
  PROP_SW,
  PROP_REJECTED,
  PROP_STATE,
  PROP_ATTEMPTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cl_reject_item_finalize (GObject *object)
{
  g_clear_pointer (&CL_REJECT_ITEM (object)->row, cl_reject_row_free);
  G_OBJECT_CLASS (cl_reject_item_parent_class)->finalize (object);
}

static void
cl_reject_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ClRejectRow *row = CL_REJECT_ITEM (object)->row;

  switch (prop_id)
    {
      case PROP_CHIP_ID:
        g_value_set_string (value, row->chip_id);
        break;
      case PROP_SERIAL:
        g_value_set_string (value, row->printed_serial ? row->printed_serial : "—");
        break;
      case PROP_BATCH:
        g_value_set_string (value, row->batch_name ? row->batch_name : "—");
        break;
      case PROP_REASON:
        g_value_set_string (value, cl_reject_reason_to_string (row->reason));
        break;
      case PROP_STEP:
        g_value_set_string (value, cl_production_step_to_string (row->failed_step));
        break;
      case PROP_SW:
        g_value_take_string (value, row->last_sw >= 0 ? g_strdup_printf ("%04X", (guint)row->last_sw) : g_strdup ("—"));
        break;
      case PROP_REJECTED:
        {
          g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (row->rejected / G_USEC_PER_SEC);

          g_value_take_string (value, g_date_time_format (when, "%Y-%m-%d %H:%M:%S"));
        }
        break;
      case PROP_STATE:
        /* QA looks for such a card in the output hopper as well as in the reject bin */
        if (row->disposition == CL_DISPOSITION_UNKNOWN && row->state == CL_CARD_REJECTED)
          g_value_set_string (value, _ ("REJECTED (whereabouts unknown)"));
        else
          g_value_set_string (value, cl_card_state_to_string (row->state));
        break;
      case PROP_ATTEMPTS:
        g_value_take_string (value, g_strdup_printf ("%u", row->attempts));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cl_reject_item_class_init (ClRejectItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  static const char *const names[N_PROPS]
    = { NULL, "chip-id", "serial", "batch", "reason", "step", "sw", "rejected", "state", "attempts" };

  object_class->finalize = cl_reject_item_finalize;
  object_class->get_property = cl_reject_item_get_property;
  for (guint i = 1; i < N_PROPS; i++)
    properties[i] = g_param_spec_string (names[i], NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cl_reject_item_init (ClRejectItem *self)
{
}

ClRejectItem *
cl_reject_item_new (ClRejectRow *row)
{
  ClRejectItem *self = g_object_new (CL_TYPE_REJECT_ITEM, NULL);

  self->row = row;
  return self;
}

const ClRejectRow *
cl_reject_item_get_row (ClRejectItem *self)
{
  g_return_val_if_fail (CL_IS_REJECT_ITEM (self), NULL);
  return self->row;
}

const char *
cl_reject_item_get_chip_id (ClRejectItem *self)
{
  g_return_val_if_fail (CL_IS_REJECT_ITEM (self), NULL);
  return self->row->chip_id;
}
