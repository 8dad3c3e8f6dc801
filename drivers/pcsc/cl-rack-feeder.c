#include "pcsc/cl-rack-feeder.h"

#include "core/cl-error.h"
#include "pcsc/cl-pcsc-connect.h"
#include "pcsc/cl-pcsc-reader.h"

/* After pcscd comes back, the cards that stayed in their readers reach it again only as their readers report them
 * (a virtual card reconnects to vpcd, which pcscd polls every 400 ms): until then a connect finds the reader empty.
 * For this long after the service is back, a card in production that is not there yet is waited for. */
#define RESTORED_GRACE_MS 10000

struct _ClRackFeeder
{
  ClFeeder parent_instance;

  GMutex lock;
  GCond cond;
  /* readers whose card was not taken yet, in insertion order (owned strings): a card taken leaves it and comes
   * back only with its next insertion, so a produced card is not produced twice */
  GQueue waiting;
  char *reserved;
  /* pcscd is away: no card is taken (its readers cannot be reached) until it is back */
  gboolean service_lost;
  gint64 restored_us; /* when pcscd was last back (monotonic), 0 before */
};

G_DEFINE_FINAL_TYPE (ClRackFeeder, cl_rack_feeder, CL_TYPE_FEEDER)

static void
drop_waiting (ClRackFeeder *self, const char *reader)
{
  for (GList *l = self->waiting.head; l != NULL; l = l->next)
    if (g_str_equal (l->data, reader))
      {
        g_free (l->data);
        g_queue_delete_link (&self->waiting, l);
        return;
      }
}

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  ClRackFeeder *self = user_data;

  g_mutex_lock (&self->lock);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static ClFeederCard *
cl_rack_feeder_next_card (ClFeeder *feeder, GCancellable *cancellable, GError **error)
{
  ClRackFeeder *self = CL_RACK_FEEDER (feeder);
  g_autofree char *reader = NULL;
  gulong handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self, NULL);

  g_mutex_lock (&self->lock);
  while ((g_queue_is_empty (&self->waiting) || self->service_lost) && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait (&self->cond, &self->lock);
  /* a rack's card is not brought by anyone: on a pause it stays queued in its reader */
  if (!g_cancellable_is_cancelled (cancellable) && !g_queue_is_empty (&self->waiting))
    reader = g_queue_pop_head (&self->waiting);
  g_mutex_unlock (&self->lock);
  /* outside the lock: disconnecting waits for a running on_cancelled, which takes it */
  g_cancellable_disconnect (cancellable, handler);

  if (reader == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "no card taken: the line is pausing or stopping");
      return NULL;
    }
  return cl_feeder_card_new (reader);
}

static ClTransport *
cl_rack_feeder_connect (ClFeeder *feeder, ClFeederCard *card, GCancellable *cancellable, GError **error)
{
  ClRackFeeder *self = CL_RACK_FEEDER (feeder);
  const char *reader = cl_feeder_card_get_reader (card);
  g_autoptr (GError) local = NULL;
  ClTransport *transport = cl_pcsc_connect_card (reader, cancellable, &local);
  gint64 left_ms;

  if (transport != NULL)
    return transport;
  if (!g_error_matches (local, CL_ERROR, CL_ERROR_CARD_REMOVED))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  g_mutex_lock (&self->lock);
  left_ms = self->restored_us == 0 ? 0 : RESTORED_GRACE_MS - (g_get_monotonic_time () - self->restored_us) / 1000;
  g_mutex_unlock (&self->lock);
  /* keyed on pcscd reporting a card in this reader; a card really taken out meanwhile is not waited for longer */
  if (left_ms <= 0 || !cl_pcsc_reader_wait_card (reader, NULL, (guint)left_ms, cancellable, NULL, NULL))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return cl_pcsc_connect_card (reader, cancellable, error);
}

static void
cl_rack_feeder_release (ClFeeder *feeder, ClFeederCard *card, ClTransport *transport)
{
  /* reset: the next reader of this card (QA, the customer's verifier) finds it powered fresh, no session open */
  cl_pcsc_release_card (transport);
}

static void
cl_rack_feeder_reader_changed (ClFeeder *feeder, const char *reader, gboolean present)
{
  ClRackFeeder *self = CL_RACK_FEEDER (feeder);

  g_mutex_lock (&self->lock);
  drop_waiting (self, reader);
  if (present && g_strcmp0 (reader, self->reserved) != 0)
    {
      g_queue_push_tail (&self->waiting, g_strdup (reader));
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->lock);
  CL_FEEDER_CLASS (cl_rack_feeder_parent_class)->reader_changed (feeder, reader, present);
}

static void
cl_rack_feeder_finalize (GObject *object)
{
  ClRackFeeder *self = CL_RACK_FEEDER (object);

  g_queue_clear_full (&self->waiting, g_free);
  g_free (self->reserved);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (cl_rack_feeder_parent_class)->finalize (object);
}

static void
cl_rack_feeder_class_init (ClRackFeederClass *klass)
{
  ClFeederClass *feeder_class = CL_FEEDER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cl_rack_feeder_finalize;
  feeder_class->max_cards_in_flight = 0;
  feeder_class->finish_cards_on_stop = FALSE;
  feeder_class->next_card = cl_rack_feeder_next_card;
  feeder_class->connect = cl_rack_feeder_connect;
  feeder_class->release = cl_rack_feeder_release;
  feeder_class->reader_changed = cl_rack_feeder_reader_changed;
}

static void
cl_rack_feeder_init (ClRackFeeder *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  g_queue_init (&self->waiting);
}

ClRackFeeder *
cl_rack_feeder_new (void)
{
  return g_object_new (CL_TYPE_RACK_FEEDER, NULL);
}

void
cl_rack_feeder_set_reserved_reader (ClRackFeeder *self, const char *reader)
{
  g_return_if_fail (CL_IS_RACK_FEEDER (self));

  g_mutex_lock (&self->lock);
  g_free (self->reserved);
  self->reserved = reader != NULL && *reader != '\0' ? g_strdup (reader) : NULL;
  if (self->reserved != NULL)
    drop_waiting (self, self->reserved);
  g_mutex_unlock (&self->lock);
}

void
cl_rack_feeder_set_service_lost (ClRackFeeder *self, gboolean lost, const char *detail)
{
  gboolean changed, cards_inside;

  g_return_if_fail (CL_IS_RACK_FEEDER (self));

  g_mutex_lock (&self->lock);
  changed = self->service_lost != !!lost;
  self->service_lost = !!lost;
  if (changed && !lost)
    self->restored_us = g_get_monotonic_time ();
  cards_inside = !g_queue_is_empty (&self->waiting);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (!changed)
    return;
  /* the cards stay in their readers meanwhile (the reader monitor does not report them removed) */
  if (lost)
    cl_feeder_emit_fault (CL_FEEDER (self), NULL, CL_LINE_FAULT_SERVICE_LOST, cards_inside, detail);
  else
    cl_feeder_emit_fault_cleared (CL_FEEDER (self), NULL, CL_LINE_FAULT_SERVICE_LOST);
}
