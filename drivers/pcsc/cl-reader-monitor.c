#include "cl-reader-monitor.h"

#include <winscard.h>

#include "cl-pcsc-error.h"
#include "cl-pcsc-reader.h"

/* pcsc-lite's reader hot-plug pseudo-reader. */
#define PNP_READER "\\\\?PnP?\\Notification"
/* SCardCancel can miss a thread that is just about to wait; a bounded wait caps how long stop() can then
 * take. It also re-lists the readers now and then should a PnP notification ever be lost. */
#define WAIT_TIMEOUT_MS   2000
#define RETRY_INTERVAL_US G_TIME_SPAN_SECOND
/* After the service came back, how long a reader or card known before the outage may take to show up again (a
 * driver reloading, a reader re-enumerating) before it counts as gone. */
#define RESYNC_GRACE_US (10 * G_TIME_SPAN_SECOND)

enum
{
  SIGNAL_READER_ADDED,
  SIGNAL_READER_REMOVED,
  SIGNAL_CARD_INSERTED,
  SIGNAL_CARD_REMOVED,
  SIGNAL_SERVICE_LOST,
  SIGNAL_SERVICE_RESTORED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

struct _ClReaderMonitor
{
  GObject parent_instance;

  GMutex lock; /* guards everything below, shared with the monitor thread */
  GCond cond;
  GThread *thread;
  gboolean stopping;
  SCARDCONTEXT context;
  gboolean has_context;
  GMainContext *main_context;
  GStrv readers;
  /* Bumped by stop(): events queued before it are dropped rather than emitted after it. */
  guint generation;
};

G_DEFINE_FINAL_TYPE (ClReaderMonitor, cl_reader_monitor, G_TYPE_OBJECT)

/* What the monitor thread knows about one reader. */
typedef struct
{
  char *name;
  DWORD state;
  gboolean present;
  guint counter;
  /* Set when the service came back: pcscd's event counters restarted with it, so only presence tells whether the
   * card is still there; a card not seen again by then counts as removed. 0 once settled. */
  gint64 resync_until;
} Reader;

static void
reader_free (gpointer data)
{
  Reader *reader = data;
  g_free (reader->name);
  g_free (reader);
}

typedef struct
{
  GWeakRef monitor;
  guint generation;
  guint signal;
  char *reader;
  GBytes *atr;
  GError *error;
} Event;

static void
event_free (gpointer data)
{
  Event *event = data;
  g_weak_ref_clear (&event->monitor);
  g_free (event->reader);
  g_clear_pointer (&event->atr, g_bytes_unref);
  g_clear_error (&event->error);
  g_free (event);
}

static gboolean
event_dispatch (gpointer data)
{
  Event *event = data;
  g_autoptr (ClReaderMonitor) self = g_weak_ref_get (&event->monitor);
  gboolean current;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  g_mutex_lock (&self->lock);
  current = event->generation == self->generation;
  g_mutex_unlock (&self->lock);
  if (!current)
    return G_SOURCE_REMOVE;

  switch (event->signal)
    {
      case SIGNAL_CARD_INSERTED:
        g_signal_emit (self, signals[SIGNAL_CARD_INSERTED], 0, event->reader, event->atr);
        break;
      case SIGNAL_SERVICE_LOST:
        g_signal_emit (self, signals[SIGNAL_SERVICE_LOST], 0, event->error);
        break;
      case SIGNAL_SERVICE_RESTORED:
        g_signal_emit (self, signals[SIGNAL_SERVICE_RESTORED], 0);
        break;
      default:
        g_signal_emit (self, signals[event->signal], 0, event->reader);
        break;
    }
  return G_SOURCE_REMOVE;
}

/* Called on the monitor thread; takes @atr and @error. */
static void
queue_event (ClReaderMonitor *self, guint signal, const char *reader, GBytes *atr, GError *error)
{
  Event *event = g_new0 (Event, 1);

  g_weak_ref_init (&event->monitor, self);
  event->signal = signal;
  event->reader = g_strdup (reader);
  event->atr = atr;
  event->error = error;
  g_mutex_lock (&self->lock);
  event->generation = self->generation;
  g_mutex_unlock (&self->lock);
  g_main_context_invoke_full (self->main_context, G_PRIORITY_DEFAULT, event_dispatch, event, event_free);
}

static gboolean
is_stopping (ClReaderMonitor *self)
{
  gboolean stopping;
  g_mutex_lock (&self->lock);
  stopping = self->stopping;
  g_mutex_unlock (&self->lock);
  return stopping;
}

/* Sleeps for the retry interval or until stop(). */
static void
wait_retry (ClReaderMonitor *self)
{
  gint64 end = g_get_monotonic_time () + RETRY_INTERVAL_US;

  g_mutex_lock (&self->lock);
  while (!self->stopping)
    if (!g_cond_wait_until (&self->cond, &self->lock, end))
      break;
  g_mutex_unlock (&self->lock);
}

static void
publish_readers (ClReaderMonitor *self, GPtrArray *readers)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < readers->len; i++)
    g_strv_builder_add (builder, ((Reader *)g_ptr_array_index (readers, i))->name);
  g_mutex_lock (&self->lock);
  g_strfreev (self->readers);
  self->readers = g_strv_builder_end (builder);
  g_mutex_unlock (&self->lock);
}

static void
forget_reader (ClReaderMonitor *self, Reader *reader)
{
  if (reader->present)
    queue_event (self, SIGNAL_CARD_REMOVED, reader->name, NULL, NULL);
  queue_event (self, SIGNAL_READER_REMOVED, reader->name, NULL, NULL);
}

/* The service went away (or never came). Its readers and their cards are not gone with it: a card stays in its
 * reader while pcscd restarts, and reporting it removed would end its attempt as if the operator had pulled it.
 * They are checked again once the service is back (settle_resync). */
static void
lose_context (ClReaderMonitor *self, SCARDCONTEXT context, GPtrArray *readers, LONG rv, gboolean *lost_reported)
{
  GError *error = NULL;

  g_mutex_lock (&self->lock);
  self->has_context = FALSE;
  g_mutex_unlock (&self->lock);
  if (context != 0)
    SCardReleaseContext (context);

  for (guint i = 0; i < readers->len; i++)
    {
      Reader *reader = g_ptr_array_index (readers, i);

      reader->state = SCARD_STATE_UNAWARE;
      reader->resync_until = G_MAXINT64; /* the grace starts when the service is back */
    }

  if (!*lost_reported)
    {
      cl_pcsc_set_error (&error, rv, "the PC/SC service is not reachable");
      queue_event (self, SIGNAL_SERVICE_LOST, NULL, NULL, error);
      *lost_reported = TRUE;
    }
}

static void
sync_readers (ClReaderMonitor *self, GPtrArray *readers, GStrv names)
{
  gint64 now = g_get_monotonic_time ();
  gboolean changed = FALSE;

  for (guint i = readers->len; i > 0; i--)
    {
      Reader *reader = g_ptr_array_index (readers, i - 1);
      if (!g_strv_contains ((const char *const *)names, reader->name) && reader->resync_until <= now)
        {
          forget_reader (self, reader);
          g_ptr_array_remove_index (readers, i - 1);
          changed = TRUE;
        }
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      Reader *reader;
      gboolean known = FALSE;

      for (guint j = 0; j < readers->len && !known; j++)
        known = g_str_equal (((Reader *)g_ptr_array_index (readers, j))->name, names[i]);
      if (known)
        continue;
      reader = g_new0 (Reader, 1);
      reader->name = g_strdup (names[i]);
      reader->state = SCARD_STATE_UNAWARE;
      g_ptr_array_add (readers, reader);
      queue_event (self, SIGNAL_READER_ADDED, reader->name, NULL, NULL);
      changed = TRUE;
    }
  if (changed)
    publish_readers (self, readers);
}

static void
update_reader (ClReaderMonitor *self, Reader *reader, const SCARD_READERSTATE *state)
{
  DWORD event_state = state->dwEventState;
  gboolean present;
  guint counter;

  if (!(event_state & SCARD_STATE_CHANGED))
    return;
  reader->state = event_state & ~SCARD_STATE_CHANGED;
  /* A reader on its way out: the next listing reports it removed. */
  if (event_state & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE | SCARD_STATE_UNAVAILABLE))
    return;

  present = (event_state & SCARD_STATE_PRESENT) != 0;
  /* pcsc-lite counts insertions and removals in the upper 16 bits: a changed count with a card present
   * both times means it was swapped between two waits. */
  counter = (event_state >> 16) & 0xffff;
  if (reader->resync_until != 0)
    {
      /* the first sight after an outage: a card still (or again) there is the one the line knew; an empty reader
       * may still be reconnecting its card, which settle_resync decides at the end of the grace */
      if (!present)
        return;
      reader->resync_until = 0;
      reader->counter = counter;
      if (!reader->present)
        {
          reader->present = TRUE;
          queue_event (self, SIGNAL_CARD_INSERTED, reader->name,
                       g_bytes_new (state->rgbAtr, MIN (state->cbAtr, sizeof state->rgbAtr)), NULL);
        }
      return;
    }
  if (reader->present && (!present || counter != reader->counter))
    queue_event (self, SIGNAL_CARD_REMOVED, reader->name, NULL, NULL);
  if (present && (!reader->present || counter != reader->counter))
    {
      gsize atr_len = MIN (state->cbAtr, sizeof state->rgbAtr);
      queue_event (self, SIGNAL_CARD_INSERTED, reader->name, g_bytes_new (state->rgbAtr, atr_len), NULL);
    }
  reader->present = present;
  reader->counter = counter;
}

/* The service is back: readers and cards known before it went get the grace from now on. */
static void
start_resync (GPtrArray *readers)
{
  gint64 until = g_get_monotonic_time () + RESYNC_GRACE_US;

  for (guint i = 0; i < readers->len; i++)
    {
      Reader *reader = g_ptr_array_index (readers, i);

      if (reader->resync_until != 0)
        reader->resync_until = until;
    }
}

/* A card known before the outage that its reader has not shown again within the grace was taken out meanwhile. */
static void
settle_resync (ClReaderMonitor *self, GPtrArray *readers)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < readers->len; i++)
    {
      Reader *reader = g_ptr_array_index (readers, i);

      if (reader->resync_until == 0 || reader->resync_until > now || reader->state == SCARD_STATE_UNAWARE)
        continue;
      reader->resync_until = 0;
      if (reader->present && !(reader->state & SCARD_STATE_PRESENT))
        queue_event (self, SIGNAL_CARD_REMOVED, reader->name, NULL, NULL);
      reader->present = (reader->state & SCARD_STATE_PRESENT) != 0;
    }
}

static gpointer
monitor_thread (gpointer data)
{
  ClReaderMonitor *self = data;
  g_autoptr (GPtrArray) readers = g_ptr_array_new_with_free_func (reader_free);
  g_autoptr (GPtrArray) watched = g_ptr_array_new ();
  SCARDCONTEXT context = 0;
  DWORD pnp_state = SCARD_STATE_UNAWARE;
  gboolean lost_reported = FALSE;

  while (!is_stopping (self))
    {
      g_auto (GStrv) names = NULL;
      g_autofree SCARD_READERSTATE *states = NULL;
      gboolean with_pnp;
      LONG rv;

      if (context == 0)
        {
          rv = SCardEstablishContext (SCARD_SCOPE_SYSTEM, NULL, NULL, &context);
          if (rv != SCARD_S_SUCCESS)
            {
              context = 0;
              lose_context (self, 0, readers, rv, &lost_reported);
              wait_retry (self);
              continue;
            }
          g_mutex_lock (&self->lock);
          self->context = context;
          self->has_context = TRUE;
          g_mutex_unlock (&self->lock);
          pnp_state = SCARD_STATE_UNAWARE;
        }

      rv = cl_pcsc_list_reader_names (context, &names);
      if (rv != SCARD_S_SUCCESS)
        {
          lose_context (self, context, readers, rv, &lost_reported);
          context = 0;
          wait_retry (self);
          continue;
        }
      if (lost_reported)
        {
          start_resync (readers);
          queue_event (self, SIGNAL_SERVICE_RESTORED, NULL, NULL, NULL);
        }
      lost_reported = FALSE;
      sync_readers (self, readers, names);
      settle_resync (self, readers);

      /* only the listed readers are waited on: one still in its grace would fail the whole wait */
      g_ptr_array_set_size (watched, 0);
      for (guint i = 0; i < readers->len; i++)
        if (g_strv_contains ((const char *const *)names, ((Reader *)g_ptr_array_index (readers, i))->name))
          g_ptr_array_add (watched, g_ptr_array_index (readers, i));
      /* pcscd takes at most PCSCLITE_MAX_READERS_CONTEXTS states in one wait (more is SCARD_E_INVALID_PARAMETER) and
       * serves no more readers than that: with a full rack there is no room for the PnP notification, nor can a
       * reader be added until one goes, which its own state shows; the periodic re-listing covers the rest. */
      g_ptr_array_set_size (watched, MIN (watched->len, PCSCLITE_MAX_READERS_CONTEXTS));
      with_pnp = watched->len < PCSCLITE_MAX_READERS_CONTEXTS;
      states = g_new0 (SCARD_READERSTATE, watched->len + 1);
      for (guint i = 0; i < watched->len; i++)
        {
          Reader *reader = g_ptr_array_index (watched, i);
          states[i].szReader = reader->name;
          states[i].dwCurrentState = reader->state;
        }
      states[watched->len].szReader = PNP_READER;
      states[watched->len].dwCurrentState = pnp_state;

      rv = SCardGetStatusChange (context, WAIT_TIMEOUT_MS, states, watched->len + (with_pnp ? 1 : 0));
      if (is_stopping (self))
        break;
      switch (rv)
        {
          case SCARD_S_SUCCESS:
            for (guint i = 0; i < watched->len; i++)
              update_reader (self, g_ptr_array_index (watched, i), &states[i]);
            if (with_pnp)
              pnp_state = states[watched->len].dwEventState & ~SCARD_STATE_CHANGED;
            break;
          case SCARD_E_TIMEOUT:
          case SCARD_E_CANCELLED:
          case SCARD_E_UNKNOWN_READER:
          case SCARD_E_READER_UNAVAILABLE:
            /* A reader vanished between listing and waiting: list again. */
            break;
          default:
            lose_context (self, context, readers, rv, &lost_reported);
            context = 0;
            wait_retry (self);
            break;
        }
    }

  g_mutex_lock (&self->lock);
  self->has_context = FALSE;
  g_mutex_unlock (&self->lock);
  if (context != 0)
    SCardReleaseContext (context);
  return NULL;
}

gboolean
cl_reader_monitor_start (ClReaderMonitor *self, GError **error)
{
  g_return_val_if_fail (CL_IS_READER_MONITOR (self), FALSE);

  g_mutex_lock (&self->lock);
  if (self->thread != NULL)
    {
      g_mutex_unlock (&self->lock);
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "the reader monitor is already running");
      return FALSE;
    }
  self->stopping = FALSE;
  g_clear_pointer (&self->main_context, g_main_context_unref);
  self->main_context = g_main_context_ref_thread_default ();
  self->thread = g_thread_try_new ("cl-reader-monitor", monitor_thread, self, error);
  g_mutex_unlock (&self->lock);
  return self->thread != NULL;
}

void
cl_reader_monitor_stop (ClReaderMonitor *self)
{
  GThread *thread;

  g_return_if_fail (CL_IS_READER_MONITOR (self));

  g_mutex_lock (&self->lock);
  thread = g_steal_pointer (&self->thread);
  if (thread == NULL)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->stopping = TRUE;
  self->generation++;
  if (self->has_context)
    SCardCancel (self->context);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  g_thread_join (thread);
}

GStrv
cl_reader_monitor_dup_readers (ClReaderMonitor *self)
{
  GStrv readers;

  g_return_val_if_fail (CL_IS_READER_MONITOR (self), NULL);
  g_mutex_lock (&self->lock);
  readers = self->readers ? g_strdupv (self->readers) : g_new0 (char *, 1);
  g_mutex_unlock (&self->lock);
  return readers;
}

static void
cl_reader_monitor_dispose (GObject *object)
{
  cl_reader_monitor_stop (CL_READER_MONITOR (object));
  G_OBJECT_CLASS (cl_reader_monitor_parent_class)->dispose (object);
}

static void
cl_reader_monitor_finalize (GObject *object)
{
  ClReaderMonitor *self = CL_READER_MONITOR (object);

  g_clear_pointer (&self->main_context, g_main_context_unref);
  g_strfreev (self->readers);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (cl_reader_monitor_parent_class)->finalize (object);
}

static void
cl_reader_monitor_class_init (ClReaderMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cl_reader_monitor_dispose;
  object_class->finalize = cl_reader_monitor_finalize;

  signals[SIGNAL_READER_ADDED] = g_signal_new ("reader-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_READER_REMOVED] = g_signal_new ("reader-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_CARD_INSERTED] = g_signal_new ("card-inserted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                                NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BYTES);
  signals[SIGNAL_CARD_REMOVED] = g_signal_new ("card-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_SERVICE_LOST] = g_signal_new ("service-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_SERVICE_RESTORED] = g_signal_new ("service-restored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cl_reader_monitor_init (ClReaderMonitor *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}

ClReaderMonitor *
cl_reader_monitor_new (void)
{
  return g_object_new (CL_TYPE_READER_MONITOR, NULL);
}
