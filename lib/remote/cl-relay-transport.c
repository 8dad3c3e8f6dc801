/* cl-relay-transport.c: see cl-relay-transport.h. One mutex and one condition guard the queues; both sides wait on
 * the condition with a deadline, never by polling. */
#include "remote/cl-relay-transport.h"

#include "core/cl-error.h"
#include "remote/cl-ram-codec.h"

struct _ClRelayTransport
{
  GObject parent_instance;

  GBytes *atr;
  gboolean extended;
  gint64 answer_timeout_us;

  GMutex lock;
  GCond changed;
  GPtrArray *outbox;     /* ClRamItem not yet taken by the HTTP side */
  GQueue answers;        /* GBytes: R-APDUs not yet taken by the job */
  guint in_flight;       /* C-APDUs taken by the HTTP side and not answered yet */
  guint unanswered;      /* C-APDUs queued by the job whose answers it has not taken */
  gboolean needs_answer; /* the job waits in take_answer() */
  gboolean finished;
  char *closed; /* why every exchange fails now; NULL while open */
  guint round_trips;
  guint notifies;
  gboolean aborted; /* an abort notify is queued: the client POSTs no more */
};

static void cl_relay_transport_iface_init (ClTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ClRelayTransport, cl_relay_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, cl_relay_transport_iface_init))

static void
cl_relay_transport_finalize (GObject *object)
{
  ClRelayTransport *self = CL_RELAY_TRANSPORT (object);

  g_clear_pointer (&self->atr, g_bytes_unref);
  g_ptr_array_unref (self->outbox);
  g_queue_clear_full (&self->answers, (GDestroyNotify)g_bytes_unref);
  g_free (self->closed);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->changed);
  G_OBJECT_CLASS (cl_relay_transport_parent_class)->finalize (object);
}

static void
cl_relay_transport_class_init (ClRelayTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_relay_transport_finalize;
}

static void
cl_relay_transport_init (ClRelayTransport *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->changed);
  g_queue_init (&self->answers);
  self->outbox = cl_ram_items_new ();
}

ClRelayTransport *
cl_relay_transport_new (GBytes *atr, gboolean extended, gint64 answer_timeout_us)
{
  ClRelayTransport *self = g_object_new (CL_TYPE_RELAY_TRANSPORT, NULL);

  self->atr = g_bytes_ref (atr);
  self->extended = extended;
  self->answer_timeout_us = answer_timeout_us;
  return self;
}

/* Lock held. */
static void
close_locked (ClRelayTransport *self, const char *message)
{
  if (self->closed == NULL)
    self->closed = g_strdup (message);
  g_cond_broadcast (&self->changed);
}

void
cl_relay_transport_queue (ClRelayTransport *self, GBytes *command)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  g_ptr_array_add (self->outbox, cl_ram_item_new_command (command));
  self->unanswered++;
}

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  ClRelayTransport *self = user_data;
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  g_cond_broadcast (&self->changed);
}

GBytes *
cl_relay_transport_take_answer (ClRelayTransport *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  gint64 deadline = g_get_monotonic_time () + self->answer_timeout_us;
  gulong handler = cancellable != NULL ? g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self, NULL) : 0;
  GBytes *answer = NULL;

  locker = g_mutex_locker_new (&self->lock);
  g_return_val_if_fail (self->unanswered > 0, NULL);
  self->needs_answer = TRUE;
  g_cond_broadcast (&self->changed);
  while (g_queue_is_empty (&self->answers) && self->closed == NULL && !g_cancellable_is_cancelled (cancellable))
    if (!g_cond_wait_until (&self->changed, &self->lock, deadline))
      {
        close_locked (self, "the client did not answer in time (it went away)");
        break;
      }
  self->needs_answer = FALSE;
  if (!g_queue_is_empty (&self->answers))
    {
      answer = g_queue_pop_head (&self->answers);
      self->unanswered--;
    }
  else if (g_cancellable_is_cancelled (cancellable))
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the card's exchange was cancelled");
  else
    g_set_error (error, CL_ERROR, CL_ERROR_CARD_REMOVED, "the remote card is gone: %s", self->closed);
  g_clear_pointer (&locker, g_mutex_locker_free);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  return answer;
}

static GBytes *
relay_transmit (ClTransport *transport, GBytes *command, GCancellable *cancellable, GError **error)
{
  ClRelayTransport *self = CL_RELAY_TRANSPORT (transport);

  /* the answers of commands queued earlier come first; the caller takes them before sending one that waits */
  g_return_val_if_fail (self->unanswered == 0, NULL);
  cl_relay_transport_queue (self, command);
  return cl_relay_transport_take_answer (self, cancellable, error);
}

static GBytes *
relay_get_atr (ClTransport *transport)
{
  return g_bytes_ref (CL_RELAY_TRANSPORT (transport)->atr);
}

static gboolean
relay_supports_extended (ClTransport *transport)
{
  return CL_RELAY_TRANSPORT (transport)->extended;
}

static gboolean
relay_queue (ClTransport *transport, GBytes *command, GError **error)
{
  cl_relay_transport_queue (CL_RELAY_TRANSPORT (transport), command);
  return TRUE;
}

static GBytes *
relay_collect (ClTransport *transport, GCancellable *cancellable, GError **error)
{
  return cl_relay_transport_take_answer (CL_RELAY_TRANSPORT (transport), cancellable, error);
}

static void
cl_relay_transport_iface_init (ClTransportInterface *iface)
{
  iface->queue = relay_queue;
  iface->collect = relay_collect;
  iface->transmit = relay_transmit;
  iface->get_atr = relay_get_atr;
  iface->supports_extended = relay_supports_extended;
}

void
cl_relay_transport_notify (ClRelayTransport *self, const char *text, gint seconds)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  g_ptr_array_add (self->outbox, cl_ram_item_new_notify ((gint32)++self->notifies, text, seconds));
}

void
cl_relay_transport_notify_abort (ClRelayTransport *self, gint32 id, const char *text)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  g_return_if_fail (id < 0);
  g_ptr_array_add (self->outbox, cl_ram_item_new_notify (id, text, -1));
  self->aborted = TRUE;
}

void
cl_relay_transport_finish (ClRelayTransport *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  self->finished = TRUE;
  g_cond_broadcast (&self->changed);
}

GPtrArray *
cl_relay_transport_take_items (ClRelayTransport *self, gint64 deadline, gboolean *finished)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  GPtrArray *items = cl_ram_items_new ();
  guint commands = 0, i;
  gboolean late = FALSE;

  /* answers handed over and not yet taken by the job do not count: the job is about to go on; once the card is
   * gone, the job's end (and its last notify) is what comes next */
  while (!self->finished && (self->closed != NULL || !(self->needs_answer && g_queue_is_empty (&self->answers))))
    if (!g_cond_wait_until (&self->changed, &self->lock, deadline))
      {
        late = TRUE;
        break;
      }
  /* notifies go out at once; C-APDUs once the job waits for one of their answers, so a template carries all the
   * commands queued before it (LOAD blocks) */
  for (i = 0; i < self->outbox->len;)
    {
      ClRamItem *item = g_ptr_array_index (self->outbox, i);

      if (item->kind == CL_RAM_ITEM_COMMAND && (self->closed != NULL || self->aborted))
        {
          /* the card is gone or the session ends: a command nobody will answer is not sent */
          g_ptr_array_remove_index (self->outbox, i);
          continue;
        }
      if (item->kind == CL_RAM_ITEM_COMMAND)
        {
          if ((!self->needs_answer && !self->finished) || commands == CL_RAM_MAX_COMMANDS)
            break;
          commands++;
        }
      i++;
    }
  for (guint j = 0; j < i; j++)
    g_ptr_array_add (items, g_ptr_array_steal_index (self->outbox, 0));
  self->in_flight = commands;
  if (commands > 0)
    self->round_trips++;
  if (late && items->len == 0 && !self->finished && self->closed == NULL)
    g_ptr_array_add (items, cl_ram_item_new_notify ((gint32)++self->notifies, CL_RELAY_TRANSPORT_BUSY_TEXT, -1));
  *finished = self->finished && items->len == 0;
  return items;
}

gboolean
cl_relay_transport_answer (ClRelayTransport *self, GPtrArray *items, GError **error)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  guint responses = cl_ram_items_count (items, CL_RAM_ITEM_RESPONSE);
  const char *card_error = NULL;

  for (guint i = 0; i < items->len; i++)
    {
      ClRamItem *item = g_ptr_array_index (items, i);

      if (item->kind == CL_RAM_ITEM_CARD_ERROR)
        card_error = item->text;
    }
  if (responses > self->in_flight || (responses < self->in_flight && card_error == NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "RAMOverHTTP response template: %u R-APDUs answer %u C-APDUs",
                   responses, self->in_flight);
      close_locked (self, "the client's answers did not fit the commands sent");
      return FALSE;
    }
  for (guint i = 0; i < items->len; i++)
    {
      ClRamItem *item = g_ptr_array_index (items, i);

      if (item->kind == CL_RAM_ITEM_RESPONSE)
        g_queue_push_tail (&self->answers, g_bytes_ref (item->data));
    }
  self->in_flight = 0;
  if (card_error != NULL)
    {
      g_autofree char *why = g_strdup_printf ("the client reported a card error: %s", card_error);

      close_locked (self, why);
    }
  g_cond_broadcast (&self->changed);
  return TRUE;
}

void
cl_relay_transport_close (ClRelayTransport *self, const char *message)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  close_locked (self, message);
}

gboolean
cl_relay_transport_is_finished (ClRelayTransport *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return self->finished;
}

guint
cl_relay_transport_get_round_trips (ClRelayTransport *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return self->round_trips;
}
