/* cl-station-publisher.c: a station's live state written to the fleet's records, coalesced, off the callers'
 * threads (cl-station-publisher.h). */
#include "line/cl-station-publisher.h"

#include "core/cl-error.h"

#define RETRY_US ((gint64)G_USEC_PER_SEC)

typedef struct
{
  char *key; /* "READER\nFAULT": a fault is cleared where it was raised */
  char *instruction;
} Fault;

static void
fault_free (gpointer data)
{
  Fault *fault = data;

  g_free (fault->key);
  g_free (fault->instruction);
  g_free (fault);
}

static void
reader_free (gpointer data)
{
  cl_fleet_reader_free (data);
}

struct _ClStationPublisher
{
  GObject parent_instance;
  ClStore *store;
  char *station;
  GThread *thread;

  GMutex lock;
  GCond cond;
  /* the snapshot, under lock */
  gboolean paused;
  gboolean stopped;
  GPtrArray *faults;   /* of Fault, oldest first: the newest one's instruction is shown */
  ClFleetLive counts;  /* good, rejected, counting_since, last_card */
  GHashTable *readers; /* name -> ClFleetReader */
  GHashTable *dirty;   /* reader names changed since the last write */
  guint64 noted;       /* changes noted */
  guint64 written;     /* the last change written */
  gboolean stopping;   /* dispose: write what is left, then end */
  gboolean refused;    /* the store says this process no longer is the station: nothing more is written */
};

G_DEFINE_FINAL_TYPE (ClStationPublisher, cl_station_publisher, G_TYPE_OBJECT)

/* ---- the snapshot (lock held) ---- */

static ClFleetReader *
reader_locked (ClStationPublisher *self, const char *name)
{
  ClFleetReader *reader = g_hash_table_lookup (self->readers, name);

  if (reader == NULL)
    {
      reader = g_new0 (ClFleetReader, 1);
      reader->reader = g_strdup (name);
      reader->step = -1;
      g_hash_table_insert (self->readers, reader->reader, reader);
    }
  g_hash_table_add (self->dirty, g_strdup (name));
  return reader;
}

static void
reader_empty_locked (ClStationPublisher *self, const char *name)
{
  ClFleetReader *reader = reader_locked (self, name);

  reader->card_present = FALSE;
  g_clear_pointer (&reader->chip_id, g_free);
  reader->step = -1;
}

static char *
fault_key (ClLineEvent *event)
{
  const char *reader = cl_line_event_get_reader (event);

  return g_strdup_printf ("%s\n%d", reader != NULL ? reader : "", (int)cl_line_event_get_fault (event));
}

static void
fault_clear_locked (ClStationPublisher *self, const char *key)
{
  for (guint i = self->faults->len; i-- > 0;)
    if (g_str_equal (((Fault *)g_ptr_array_index (self->faults, i))->key, key))
      g_ptr_array_remove_index (self->faults, i);
}

static void
count_locked (ClStationPublisher *self, gboolean good)
{
  gint64 now = g_get_real_time ();

  if (good)
    self->counts.good++;
  else
    self->counts.rejected++;
  if (self->counts.counting_since == 0)
    self->counts.counting_since = now;
  self->counts.last_card = now;
}

static void
note_locked (ClStationPublisher *self, ClLineEvent *event)
{
  const char *reader = cl_line_event_get_reader (event);
  const char *chip = cl_line_event_get_chip_id (event);

  switch (cl_line_event_get_kind (event))
    {
      case CL_LINE_EVENT_CARD_PRESENT:
        if (reader != NULL)
          {
            reader_empty_locked (self, reader);
            reader_locked (self, reader)->card_present = TRUE;
          }
        break;
      case CL_LINE_EVENT_STEP_STARTED:
      case CL_LINE_EVENT_STEP_FINISHED:
        if (reader != NULL)
          {
            ClFleetReader *r = reader_locked (self, reader);

            r->card_present = TRUE;
            if (chip != NULL && g_strcmp0 (r->chip_id, chip) != 0)
              {
                g_free (r->chip_id);
                r->chip_id = g_strdup (chip);
              }
            r->step = (gint)cl_line_event_get_step (event);
          }
        break;
      case CL_LINE_EVENT_GOOD:
      case CL_LINE_EVENT_REJECTED:
        count_locked (self, cl_line_event_get_kind (event) == CL_LINE_EVENT_GOOD);
        if (reader != NULL)
          reader_empty_locked (self, reader);
        break;
      case CL_LINE_EVENT_CARD_REMOVED:
        if (reader != NULL)
          reader_empty_locked (self, reader);
        break;
      case CL_LINE_EVENT_FAULT:
        {
          Fault *fault = g_new0 (Fault, 1);
          const char *instruction = cl_line_event_get_instruction (event);

          fault->key = fault_key (event);
          fault_clear_locked (self, fault->key);
          fault->instruction = g_strdup (instruction != NULL && *instruction != '\0'
                                           ? instruction
                                           : cl_line_fault_instruction (cl_line_event_get_fault (event)));
          g_ptr_array_add (self->faults, fault);
          break;
        }
      case CL_LINE_EVENT_FAULT_CLEARED:
        {
          g_autofree char *key = fault_key (event);

          fault_clear_locked (self, key);
          break;
        }
      case CL_LINE_EVENT_PAUSED:
        self->paused = TRUE;
        break;
      case CL_LINE_EVENT_RESUMED:
        self->paused = FALSE;
        break;
      case CL_LINE_EVENT_BATCH_DONE:
        self->stopped = TRUE;
        break;
      default:
        return; /* nothing the fleet shows */
    }
  self->noted++;
  g_cond_broadcast (&self->cond);
}

/* The live state as it is now. */
static ClFleetLive
live_locked (ClStationPublisher *self, char **instruction)
{
  ClFleetLive live = self->counts;

  *instruction = NULL;
  if (self->stopped || self->stopping)
    live.state = CL_FLEET_STOPPED;
  else if (self->faults->len > 0)
    {
      live.state = CL_FLEET_FAULT;
      *instruction = g_strdup (((Fault *)g_ptr_array_index (self->faults, self->faults->len - 1))->instruction);
    }
  else
    live.state = self->paused ? CL_FLEET_PAUSED : CL_FLEET_RUNNING;
  live.instruction = *instruction;
  return live;
}

/* Copies of the readers changed since the last write, in the order they were first seen; clears the set. */
static GArray *
take_dirty_locked (ClStationPublisher *self)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (ClFleetReader));
  GHashTableIter iter;
  gpointer name;

  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    {
      const ClFleetReader *r = g_hash_table_lookup (self->readers, name);
      ClFleetReader copy = { g_strdup (r->reader), g_strdup (r->chip_id), r->step, r->card_present };

      g_array_append_val (out, copy);
    }
  g_hash_table_remove_all (self->dirty);
  return out;
}

static void
readers_free (GArray *readers)
{
  for (guint i = 0; i < readers->len; i++)
    {
      g_free (g_array_index (readers, ClFleetReader, i).reader);
      g_free (g_array_index (readers, ClFleetReader, i).chip_id);
    }
  g_array_free (readers, TRUE);
}

/* ---- the writer ---- */

static gpointer
writer (gpointer data)
{
  ClStationPublisher *self = data;
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  gint64 next_write = 0; /* monotonic: no write before (coalescing, or a retry's wait) */
  gboolean warned = FALSE;

  for (;;)
    {
      g_autofree char *instruction = NULL;
      g_autoptr (GError) error = NULL;
      GArray *readers;
      ClFleetLive live;
      guint64 generation;
      gboolean ok;

      while (!self->stopping && self->written == self->noted)
        g_cond_wait (&self->cond, &self->lock);
      if (self->refused || (self->stopping && self->written == self->noted && self->stopped))
        break;
      while (!self->stopping && g_get_monotonic_time () < next_write)
        g_cond_wait_until (&self->cond, &self->lock, next_write);
      live = live_locked (self, &instruction);
      readers = take_dirty_locked (self);
      generation = self->noted;
      g_mutex_unlock (&self->lock);
      ok = cl_store_fleet_publish (self->store, self->station, &live, (const ClFleetReader *)(gpointer)readers->data,
                                   readers->len, &error);
      g_mutex_lock (&self->lock);
      next_write = g_get_monotonic_time () + CL_STATION_PUBLISHER_COALESCE_MS * 1000;
      if (ok)
        {
          self->written = generation;
          if (live.state == CL_FLEET_STOPPED && self->stopping)
            self->stopped = TRUE;
          warned = FALSE;
        }
      else
        {
          /* written again whole with the next try */
          for (guint i = 0; i < readers->len; i++)
            g_hash_table_add (self->dirty, g_strdup (g_array_index (readers, ClFleetReader, i).reader));
          if (!warned)
            g_warning ("Station %s: publishing its state to the fleet: %s", self->station, error->message);
          warned = TRUE;
          self->refused = g_error_matches (error, CL_ERROR, CL_ERROR_CLAIMED)
                          || g_error_matches (error, CL_ERROR, CL_ERROR_NOT_FOUND);
          next_write = g_get_monotonic_time () + RETRY_US;
          /* a store that is down as the station stops: its last state is left for the lost verdict */
          if (self->stopping)
            self->refused = TRUE;
        }
      readers_free (readers);
      g_cond_broadcast (&self->cond);
    }
  g_cond_broadcast (&self->cond);
  return NULL;
}

/* ---- the object ---- */

static void
cl_station_publisher_dispose (GObject *object)
{
  ClStationPublisher *self = CL_STATION_PUBLISHER (object);

  if (self->thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->stopping = TRUE;
      self->noted++; /* STOPPED is one more change */
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  g_clear_object (&self->store);
  G_OBJECT_CLASS (cl_station_publisher_parent_class)->dispose (object);
}

static void
cl_station_publisher_finalize (GObject *object)
{
  ClStationPublisher *self = CL_STATION_PUBLISHER (object);

  g_free (self->station);
  g_ptr_array_unref (self->faults);
  g_hash_table_unref (self->readers);
  g_hash_table_unref (self->dirty);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (cl_station_publisher_parent_class)->finalize (object);
}

static void
cl_station_publisher_class_init (ClStationPublisherClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = cl_station_publisher_dispose;
  G_OBJECT_CLASS (klass)->finalize = cl_station_publisher_finalize;
}

static void
cl_station_publisher_init (ClStationPublisher *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->faults = g_ptr_array_new_with_free_func (fault_free);
  self->readers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, reader_free);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

ClStationPublisher *
cl_station_publisher_new (ClStore *store, const ClFleetRegistration *registration, GError **error)
{
  g_autoptr (ClStationPublisher) self = NULL;

  g_return_val_if_fail (CL_IS_STORE (store), NULL);
  g_return_val_if_fail (registration != NULL, NULL);
  if (!cl_store_fleet_register (store, registration, error))
    return NULL;
  self = g_object_new (CL_TYPE_STATION_PUBLISHER, NULL);
  self->store = g_object_ref (store);
  self->station = g_strdup (registration->name);
  self->thread = g_thread_new ("station-publisher", writer, self);
  return g_steal_pointer (&self);
}

void
cl_station_publisher_event (ClStationPublisher *self, ClLineEvent *event)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;

  g_return_if_fail (CL_IS_STATION_PUBLISHER (self));
  g_return_if_fail (CL_IS_LINE_EVENT (event));
  locker = g_mutex_locker_new (&self->lock);
  note_locked (self, event);
}

void
cl_station_publisher_reader (ClStationPublisher *self, const char *reader)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;

  g_return_if_fail (CL_IS_STATION_PUBLISHER (self));
  g_return_if_fail (reader != NULL);
  locker = g_mutex_locker_new (&self->lock);
  if (g_hash_table_contains (self->readers, reader))
    return;
  reader_empty_locked (self, reader);
  self->noted++;
  g_cond_broadcast (&self->cond);
}

void
cl_station_publisher_stopped (ClStationPublisher *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;

  g_return_if_fail (CL_IS_STATION_PUBLISHER (self));
  locker = g_mutex_locker_new (&self->lock);
  self->stopped = TRUE;
  self->noted++;
  g_cond_broadcast (&self->cond);
}

gboolean
cl_station_publisher_flush (ClStationPublisher *self, gint64 timeout_us)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  guint64 target;

  g_return_val_if_fail (CL_IS_STATION_PUBLISHER (self), FALSE);
  locker = g_mutex_locker_new (&self->lock);
  target = self->noted;
  while (self->written < target && !self->refused)
    if (!g_cond_wait_until (&self->cond, &self->lock, deadline))
      return self->written >= target;
  return self->written >= target;
}
