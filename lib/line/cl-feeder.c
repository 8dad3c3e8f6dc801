#include "line/cl-feeder.h"

#include "core/cl-error.h"

enum
{
  SIGNAL_FAULT,
  SIGNAL_FAULT_CLEARED,
  SIGNAL_CARD_REMOVED,
  SIGNAL_NOTE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_ABSTRACT_TYPE (ClFeeder, cl_feeder, G_TYPE_OBJECT)

static void
cl_feeder_real_reader_changed (ClFeeder *self, const char *reader, gboolean present)
{
  if (!present)
    cl_feeder_emit_card_removed (self, reader);
}

static gboolean
cl_feeder_real_dispose (ClFeeder *self, ClFeederCard *card, ClDisposition disposition, GError **error)
{
  /* nothing moves the card: the person at the rack takes it, guided by the panel's result */
  return TRUE;
}

static void
cl_feeder_class_init (ClFeederClass *klass)
{
  klass->reader_changed = cl_feeder_real_reader_changed;
  klass->dispose = cl_feeder_real_dispose;

  signals[SIGNAL_FAULT]
    = g_signal_new ("fault", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                    G_TYPE_STRING, CL_TYPE_LINE_FAULT, G_TYPE_BOOLEAN, G_TYPE_STRING);
  signals[SIGNAL_FAULT_CLEARED] = g_signal_new ("fault-cleared", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                                NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, CL_TYPE_LINE_FAULT);
  signals[SIGNAL_CARD_REMOVED] = g_signal_new ("card-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_NOTE] = g_signal_new ("note", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cl_feeder_init (ClFeeder *self)
{
}

ClFeederCard *
cl_feeder_next_card (ClFeeder *self, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (CL_IS_FEEDER (self), NULL);
  g_return_val_if_fail (CL_FEEDER_GET_CLASS (self)->next_card != NULL, NULL);
  return CL_FEEDER_GET_CLASS (self)->next_card (self, cancellable, error);
}

ClTransport *
cl_feeder_connect (ClFeeder *self, ClFeederCard *card, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (CL_IS_FEEDER (self), NULL);
  g_return_val_if_fail (CL_IS_FEEDER_CARD (card), NULL);
  g_return_val_if_fail (CL_FEEDER_GET_CLASS (self)->connect != NULL, NULL);
  return CL_FEEDER_GET_CLASS (self)->connect (self, card, cancellable, error);
}

void
cl_feeder_release (ClFeeder *self, ClFeederCard *card, ClTransport *transport)
{
  g_return_if_fail (CL_IS_FEEDER (self));
  if (CL_FEEDER_GET_CLASS (self)->release != NULL)
    CL_FEEDER_GET_CLASS (self)->release (self, card, transport);
}

gboolean
cl_feeder_dispose (ClFeeder *self, ClFeederCard *card, ClDisposition disposition, GError **error)
{
  g_return_val_if_fail (CL_IS_FEEDER (self), FALSE);
  return CL_FEEDER_GET_CLASS (self)->dispose (self, card, disposition, error);
}

void
cl_feeder_retry (ClFeeder *self)
{
  g_return_if_fail (CL_IS_FEEDER (self));
  if (CL_FEEDER_GET_CLASS (self)->retry != NULL)
    CL_FEEDER_GET_CLASS (self)->retry (self);
}

void
cl_feeder_reader_changed (ClFeeder *self, const char *reader, gboolean present)
{
  g_return_if_fail (CL_IS_FEEDER (self));
  g_return_if_fail (reader != NULL);
  CL_FEEDER_GET_CLASS (self)->reader_changed (self, reader, present);
}

void
cl_feeder_shutdown (ClFeeder *self)
{
  g_return_if_fail (CL_IS_FEEDER (self));
  if (CL_FEEDER_GET_CLASS (self)->shutdown != NULL)
    CL_FEEDER_GET_CLASS (self)->shutdown (self);
}

gboolean
cl_feeder_hold (ClFeeder *self, gboolean hold)
{
  g_return_val_if_fail (CL_IS_FEEDER (self), FALSE);
  return CL_FEEDER_GET_CLASS (self)->hold != NULL && CL_FEEDER_GET_CLASS (self)->hold (self, hold);
}

guint
cl_feeder_get_max_cards_in_flight (ClFeeder *self)
{
  g_return_val_if_fail (CL_IS_FEEDER (self), 1);
  return CL_FEEDER_GET_CLASS (self)->max_cards_in_flight;
}

gboolean
cl_feeder_get_finish_cards_on_stop (ClFeeder *self)
{
  g_return_val_if_fail (CL_IS_FEEDER (self), TRUE);
  return CL_FEEDER_GET_CLASS (self)->finish_cards_on_stop;
}

ClFleetFeeder
cl_feeder_get_fleet_feeder (ClFeeder *self)
{
  g_return_val_if_fail (CL_IS_FEEDER (self), CL_FLEET_FEEDER_RACK);
  return CL_FEEDER_GET_CLASS (self)->fleet_feeder;
}

char *
cl_feeder_dup_printer (ClFeeder *self)
{
  g_return_val_if_fail (CL_IS_FEEDER (self), NULL);
  return CL_FEEDER_GET_CLASS (self)->dup_printer != NULL ? CL_FEEDER_GET_CLASS (self)->dup_printer (self) : NULL;
}

void
cl_feeder_emit_fault (ClFeeder *self, const char *reader, ClLineFault fault, gboolean card_inside, const char *detail)
{
  g_return_if_fail (CL_IS_FEEDER (self));
  g_signal_emit (self, signals[SIGNAL_FAULT], 0, reader, fault, card_inside, detail);
}

void
cl_feeder_emit_fault_cleared (ClFeeder *self, const char *reader, ClLineFault fault)
{
  g_return_if_fail (CL_IS_FEEDER (self));
  g_signal_emit (self, signals[SIGNAL_FAULT_CLEARED], 0, reader, fault);
}

void
cl_feeder_emit_card_removed (ClFeeder *self, const char *reader)
{
  g_return_if_fail (CL_IS_FEEDER (self));
  g_signal_emit (self, signals[SIGNAL_CARD_REMOVED], 0, reader);
}

void
cl_feeder_emit_note (ClFeeder *self, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  g_return_if_fail (CL_IS_FEEDER (self));
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_signal_emit (self, signals[SIGNAL_NOTE], 0, text);
}
