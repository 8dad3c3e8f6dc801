#include "cl-fake-feeder.h"

#include "core/cl-error.h"

typedef struct
{
  GMutex lock;
  GCond cond;
  GQueue cards;           /* ClTransport, or NULL for an unreachable card */
  GHashTable *transports; /* reader -> ClTransport */
  guint next_index;
  gboolean faulted;
  ClLineFault fault;
  gboolean retry;
  guint feeds, output, rejected, released;
  gboolean shut_down;
} ClFakeFeederPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (ClFakeFeeder, cl_fake_feeder, CL_TYPE_FEEDER)

struct _ClFakeRack
{
  ClFakeFeeder parent_instance;
};

G_DEFINE_FINAL_TYPE (ClFakeRack, cl_fake_rack, CL_TYPE_FAKE_FEEDER)

#define PRIV(self) ((ClFakeFeederPrivate *)cl_fake_feeder_get_instance_private (CL_FAKE_FEEDER (self)))

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  ClFakeFeederPrivate *priv = user_data;

  g_mutex_lock (&priv->lock);
  g_cond_broadcast (&priv->cond);
  g_mutex_unlock (&priv->lock);
}

static ClFeederCard *
fake_next_card (ClFeeder *feeder, GCancellable *cancellable, GError **error)
{
  ClFakeFeederPrivate *priv = PRIV (feeder);
  gulong handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), priv, NULL);
  g_autofree char *reader = NULL;
  ClTransport *transport = NULL;
  gboolean have = FALSE, reported = FALSE;
  ClLineFault fault = CL_LINE_FAULT_FEEDER_EMPTY;

  g_mutex_lock (&priv->lock);
  priv->feeds++;
  for (;;)
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (priv->faulted && !priv->retry)
        {
          if (!reported)
            {
              fault = priv->fault;
              reported = TRUE;
              g_mutex_unlock (&priv->lock);
              cl_feeder_emit_fault (feeder, "fake 0", fault, FALSE, "the fake feeder was told to fail");
              g_mutex_lock (&priv->lock);
              continue; /* the test may have cleared it while the lock was released */
            }
          g_cond_wait (&priv->cond, &priv->lock);
          continue;
        }
      priv->retry = FALSE;
      if (reported)
        {
          reported = FALSE;
          priv->faulted = FALSE;
          g_mutex_unlock (&priv->lock);
          cl_feeder_emit_fault_cleared (feeder, "fake 0", fault);
          g_mutex_lock (&priv->lock);
        }
      if (!g_queue_is_empty (&priv->cards))
        {
          transport = g_queue_pop_head (&priv->cards);
          have = TRUE;
          reader = g_strdup_printf ("fake %u", priv->next_index++);
          if (transport != NULL)
            g_hash_table_insert (priv->transports, g_strdup (reader), transport);
          break;
        }
      g_cond_wait (&priv->cond, &priv->lock);
    }
  g_mutex_unlock (&priv->lock);
  g_cancellable_disconnect (cancellable, handler);
  if (!have)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "no card: cancelled");
      return NULL;
    }
  return cl_feeder_card_new (reader);
}

static ClTransport *
fake_connect (ClFeeder *feeder, ClFeederCard *card, GCancellable *cancellable, GError **error)
{
  ClFakeFeederPrivate *priv = PRIV (feeder);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);
  ClTransport *transport = g_hash_table_lookup (priv->transports, cl_feeder_card_get_reader (card));

  if (transport == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "%s: no card (the fake reader saw none)",
                   cl_feeder_card_get_reader (card));
      return NULL;
    }
  return g_object_ref (transport);
}

static void
fake_release (ClFeeder *feeder, ClFeederCard *card, ClTransport *transport)
{
  ClFakeFeederPrivate *priv = PRIV (feeder);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);

  /* the card stays in its reader until it is disposed: a card job that lost its session reaches it again */
  priv->released++;
}

static gboolean
fake_dispose (ClFeeder *feeder, ClFeederCard *card, ClDisposition disposition, GError **error)
{
  ClFakeFeederPrivate *priv = PRIV (feeder);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);

  if (disposition == CL_DISPOSITION_OUTPUT)
    priv->output++;
  else
    priv->rejected++;
  g_hash_table_remove (priv->transports, cl_feeder_card_get_reader (card));
  return TRUE;
}

static void
fake_retry (ClFeeder *feeder)
{
  ClFakeFeederPrivate *priv = PRIV (feeder);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);

  priv->retry = TRUE;
  g_cond_broadcast (&priv->cond);
}

static void
fake_shutdown (ClFeeder *feeder)
{
  ClFakeFeederPrivate *priv = PRIV (feeder);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);

  priv->shut_down = TRUE;
}

/* a card never fed; NULL stands for an empty feed */
static void
card_free (gpointer card)
{
  if (card != NULL)
    g_object_unref (card);
}

static void
cl_fake_feeder_finalize (GObject *object)
{
  ClFakeFeederPrivate *priv = PRIV (object);

  g_queue_clear_full (&priv->cards, card_free);
  g_hash_table_unref (priv->transports);
  g_mutex_clear (&priv->lock);
  g_cond_clear (&priv->cond);
  G_OBJECT_CLASS (cl_fake_feeder_parent_class)->finalize (object);
}

static void
cl_fake_feeder_class_init (ClFakeFeederClass *klass)
{
  ClFeederClass *feeder_class = CL_FEEDER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = cl_fake_feeder_finalize;
  feeder_class->max_cards_in_flight = 1;
  feeder_class->finish_cards_on_stop = TRUE;
  feeder_class->next_card = fake_next_card;
  feeder_class->connect = fake_connect;
  feeder_class->release = fake_release;
  feeder_class->dispose = fake_dispose;
  feeder_class->retry = fake_retry;
  feeder_class->shutdown = fake_shutdown;
}

static void
cl_fake_feeder_init (ClFakeFeeder *self)
{
  ClFakeFeederPrivate *priv = PRIV (self);

  g_mutex_init (&priv->lock);
  g_cond_init (&priv->cond);
  g_queue_init (&priv->cards);
  priv->transports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

static void
cl_fake_rack_class_init (ClFakeRackClass *klass)
{
  ClFeederClass *feeder_class = CL_FEEDER_CLASS (klass);

  feeder_class->max_cards_in_flight = 0;
  feeder_class->finish_cards_on_stop = FALSE;
  /* a rack's person takes the card: nothing is moved */
  feeder_class->dispose = CL_FEEDER_CLASS (g_type_class_peek (CL_TYPE_FEEDER))->dispose;
}

static void
cl_fake_rack_init (ClFakeRack *self)
{
}

ClFakeFeeder *
cl_fake_feeder_new (void)
{
  return g_object_new (CL_TYPE_FAKE_FEEDER, NULL);
}

ClFakeFeeder *
cl_fake_rack_new (void)
{
  return g_object_new (CL_TYPE_FAKE_RACK, NULL);
}

void
cl_fake_feeder_add_card (ClFakeFeeder *self, ClTransport *transport)
{
  ClFakeFeederPrivate *priv = PRIV (self);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);

  g_queue_push_tail (&priv->cards, transport != NULL ? g_object_ref (transport) : NULL);
  g_cond_broadcast (&priv->cond);
}

void
cl_fake_feeder_set_fault (ClFakeFeeder *self, ClLineFault fault)
{
  ClFakeFeederPrivate *priv = PRIV (self);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);

  priv->faulted = TRUE;
  priv->fault = fault;
  priv->retry = FALSE;
}

void
cl_fake_feeder_clear_fault (ClFakeFeeder *self)
{
  ClFakeFeederPrivate *priv = PRIV (self);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);

  priv->retry = TRUE;
  g_cond_broadcast (&priv->cond);
}

#define GETTER(name, field)                                                                                            \
  guint cl_fake_feeder_get_##name (ClFakeFeeder *self)                                                                 \
  {                                                                                                                    \
    ClFakeFeederPrivate *priv = PRIV (self);                                                                           \
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);                                  \
    return priv->field;                                                                                                \
  }

GETTER (feeds, feeds)
GETTER (output, output)
GETTER (rejected, rejected)
GETTER (released, released)

gboolean
cl_fake_feeder_get_shut_down (ClFakeFeeder *self)
{
  ClFakeFeederPrivate *priv = PRIV (self);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&priv->lock);

  return priv->shut_down;
}
