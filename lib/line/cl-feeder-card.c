#include "line/cl-feeder-card.h"

struct _ClFeederCard
{
  GObject parent_instance;

  char *reader;
  gboolean unproduced;
  ClRejectReason reason;
  char *detail;
  gboolean already_in_bin;
};

G_DEFINE_FINAL_TYPE (ClFeederCard, cl_feeder_card, G_TYPE_OBJECT)

static void
cl_feeder_card_finalize (GObject *object)
{
  ClFeederCard *self = CL_FEEDER_CARD (object);

  g_free (self->reader);
  g_free (self->detail);
  G_OBJECT_CLASS (cl_feeder_card_parent_class)->finalize (object);
}

static void
cl_feeder_card_class_init (ClFeederCardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_feeder_card_finalize;
}

static void
cl_feeder_card_init (ClFeederCard *self)
{
}

ClFeederCard *
cl_feeder_card_new (const char *reader)
{
  ClFeederCard *self;

  g_return_val_if_fail (reader != NULL, NULL);
  self = g_object_new (CL_TYPE_FEEDER_CARD, NULL);
  self->reader = g_strdup (reader);
  return self;
}

ClFeederCard *
cl_feeder_card_new_unproduced (const char *reader, ClRejectReason reason, const char *detail, gboolean already_in_bin)
{
  ClFeederCard *self = cl_feeder_card_new (reader);

  self->unproduced = TRUE;
  self->reason = reason;
  self->detail = g_strdup (detail);
  self->already_in_bin = already_in_bin;
  return self;
}

const char *
cl_feeder_card_get_reader (ClFeederCard *self)
{
  g_return_val_if_fail (CL_IS_FEEDER_CARD (self), NULL);
  return self->reader;
}

gboolean
cl_feeder_card_is_unproduced (ClFeederCard *self)
{
  g_return_val_if_fail (CL_IS_FEEDER_CARD (self), FALSE);
  return self->unproduced;
}

ClRejectReason
cl_feeder_card_get_reason (ClFeederCard *self)
{
  g_return_val_if_fail (CL_IS_FEEDER_CARD (self), CL_REJECT_PROTOCOL_ERROR);
  return self->reason;
}

const char *
cl_feeder_card_get_detail (ClFeederCard *self)
{
  g_return_val_if_fail (CL_IS_FEEDER_CARD (self), NULL);
  return self->detail;
}

gboolean
cl_feeder_card_get_already_in_bin (ClFeederCard *self)
{
  g_return_val_if_fail (CL_IS_FEEDER_CARD (self), FALSE);
  return self->already_in_bin;
}
