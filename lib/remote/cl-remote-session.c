/* cl-remote-session.c: see cl-remote-session.h. */
#include "remote/cl-remote-session.h"

#include "apdu/cl-card-channel.h"
#include "core/cl-error.h"
#include "core/cl-wait.h"
#include "gp/cl-gp-card.h"
#include "line/cl-card-job.h"
#include "p11/cl-p11-token.h"
#include "remote/cl-ram-codec.h"
#include "store/cl-store-place.h"

/* How long a card waits for a failed part of the service: 0.5 + 1 + 2 s, within a client's patience. */
#define RECOVER_TRIES    3
#define RECOVER_FIRST_MS 500

struct _ClRemoteSession
{
  GObject parent_instance;

  ClProductionSetup *setup; /* under lock: a card job that got the HSM back replaces it */
  guint generation;         /* the token's generation setup's objects were found in */
  ClProductionUrl url;
  char *batch_name;
  char *station;
  char *id;
  char *reader;
  ClStationPublisher *publisher;
  gint64 answer_timeout_us;
  GMutex post_lock;

  GMutex lock; /* the fields below */
  ClRelayTransport *relay;
  GBytes *atr;
  GThread *worker;
  char *chip_id;
  gboolean good;
  gint64 started;
  gint64 last_seen;
};

G_DEFINE_FINAL_TYPE (ClRemoteSession, cl_remote_session, G_TYPE_OBJECT)

static void
cl_remote_session_finalize (GObject *object)
{
  ClRemoteSession *self = CL_REMOTE_SESSION (object);

  g_assert (self->worker == NULL);
  g_clear_object (&self->setup);
  g_clear_object (&self->relay);
  g_clear_pointer (&self->atr, g_bytes_unref);
  g_free (self->batch_name);
  g_free (self->station);
  g_free (self->id);
  g_free (self->reader);
  g_clear_object (&self->publisher);
  g_free (self->chip_id);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->post_lock);
  G_OBJECT_CLASS (cl_remote_session_parent_class)->finalize (object);
}

static void
cl_remote_session_class_init (ClRemoteSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_remote_session_finalize;
}

static void
cl_remote_session_init (ClRemoteSession *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->post_lock);
}

/* ---- the worker ---- */

typedef struct
{
  ClRemoteSession *session;
  ClRelayTransport *relay;
} JobEvents;

static void
publish (ClRemoteSession *self, ClLineEvent *event)
{
  if (self->publisher != NULL)
    cl_station_publisher_event (self->publisher, event);
}

static void
publish_kind (ClRemoteSession *self, ClLineEventKind kind)
{
  g_autoptr (ClLineEvent) event = cl_line_event_new (NULL, kind, self->reader, NULL);

  publish (self, event);
}

/* A part of the service failed under a card (its store, its HSM): the fleet shows the service in FAULT with the
 * part's instruction until a card gets past it. The card is never blamed. */
static void
publish_fault (ClRemoteSession *self, ClLineFault fault, gboolean cleared, const char *detail)
{
  ClLineEventFields fields = CL_LINE_EVENT_FIELDS_INIT;
  g_autoptr (ClLineEvent) event = NULL;

  fields.fault = fault;
  if (!cleared)
    {
      fields.instruction = cl_line_fault_instruction (fault);
      fields.note = detail;
    }
  event = cl_line_event_new_typed (cleared ? CL_LINE_EVENT_FAULT_CLEARED : CL_LINE_EVENT_FAULT, NULL, &fields, NULL);
  publish (self, event);
}

static ClProductionSetup *
dup_setup (ClRemoteSession *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return g_object_ref (self->setup);
}

static ClProductionSetup *
new_setup (ClProductionSetup *setup, GError **error)
{
  return cl_production_setup_new (cl_production_setup_get_profile (setup), cl_production_setup_get_token (setup),
                                  cl_production_setup_get_store (setup), error);
}

/* One reconnect of a token at a time, and none when another session's already brought it back. */
G_LOCK_DEFINE_STATIC (reconnect);

/* Card job thread, a part failed under the card. A client waits on every answer, so the service waits only briefly
 * (RECOVER_TRIES, backing off) before it ends the card's session: the card keeps its attempt's state and resumes
 * when it comes back. The HSM is reconnected, its objects looked up again, and the card goes on with them. */
static ClProductionSetup *
job_recover (ClCardJob *job, ClLineFault fault, const GError *error, guint tries, GCancellable *cancellable,
             gpointer user_data)
{
  ClRemoteSession *self = user_data;
  g_autoptr (ClProductionSetup) setup = dup_setup (self);
  ClP11Token *token = cl_production_setup_get_token (setup);
  g_autoptr (ClProductionSetup) fresh = NULL;
  g_autoptr (GError) local = NULL;

  if (tries == 0)
    publish_fault (self, fault, FALSE, error->message);
  if (tries >= RECOVER_TRIES || (fault != CL_LINE_FAULT_HSM && fault != CL_LINE_FAULT_STORE))
    return NULL;
  /* a stop (the service shutting down) ends the wait: the card is retained, not held up */
  if (!cl_wait_unless_cancelled (cancellable, (gint64)(RECOVER_FIRST_MS << tries) * G_TIME_SPAN_MILLISECOND))
    return NULL;
  if (fault == CL_LINE_FAULT_STORE)
    return g_steal_pointer (&setup);
  G_LOCK (reconnect);
  /* another session may have brought the token back already (its generation moved): then only the objects are
   * looked up again; a failed reconnect also moves it, and leaves the token down until one works */
  if (cl_p11_token_get_generation (token) != self->generation)
    fresh = new_setup (setup, &local);
  if (fresh == NULL)
    {
      g_clear_error (&local);
      if (cl_p11_token_reconnect (token, &local))
        fresh = new_setup (setup, &local);
    }
  G_UNLOCK (reconnect);
  if (fresh == NULL)
    {
      g_message ("%s: the HSM is not back: %s", self->reader, local->message);
      return g_steal_pointer (&setup);
    }
  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

    g_set_object (&self->setup, fresh);
    self->generation = cl_p11_token_get_generation (token);
  }
  return g_steal_pointer (&fresh);
}

static void
job_resumed (ClCardJob *job, ClLineFault fault, gpointer user_data)
{
  publish_fault (user_data, fault, TRUE, NULL);
}

static void
on_job_event (ClCardJob *job, ClLineEvent *event, gpointer user_data)
{
  JobEvents *events = user_data;
  g_autofree char *text = NULL;

  publish (events->session, event);
  if (cl_line_event_get_kind (event) != CL_LINE_EVENT_STEP_STARTED)
    return;
  text = g_strdup_printf ("%s …", cl_production_step_to_string (cl_line_event_get_step (event)));
  cl_relay_transport_notify (events->relay, text, -1);
}

/* A place in the URL's batch for the card (cl-store-place.h): TRUE and *took when one was taken (none is needed in a
 * batch without a quantity); FALSE with the abort's id and text. */
static gboolean
take_place (ClRemoteSession *self, gboolean *took, gint32 *abort_id, char **text)
{
  g_autoptr (GError) error = NULL;
  gint64 place;

  *took = FALSE;
  if (self->url.batch_quantity == 0)
    return TRUE;
  place = cl_store_place_take (cl_production_setup_get_store (self->setup), self->url.batch_id, self->station, &error);
  if (place < 0)
    {
      g_warning ("remote session %s: taking a place in batch %" G_GINT64_FORMAT ": %s", self->reader,
                 self->url.batch_id, error->message);
      publish_fault (self, CL_LINE_FAULT_STORE, FALSE, error->message);
      *text = g_strdup ("The production service cannot record the card now: try again later");
      return FALSE;
    }
  if (place == 0)
    {
      *abort_id = CL_RAM_NOTIFY_NO_PLACE;
      *text = g_strdup_printf ("The batch is complete: no place is left in it for a card (its %u cards are made or in "
                               "production)",
                               self->url.batch_quantity);
      return FALSE;
    }
  *took = TRUE;
  return TRUE;
}

/* Gives back the place take_place() took and no attempt bound. */
static void
give_back_place (ClRemoteSession *self)
{
  g_autoptr (GError) error = NULL;

  if (!cl_store_place_give_back (cl_production_setup_get_store (self->setup), self->url.batch_id, self->station,
                                 &error))
    g_warning ("remote session %s: giving back a place in batch %" G_GINT64_FORMAT ": %s", self->reader,
               self->url.batch_id, error->message);
}

/* The chip behind the relay, or NULL with a notify that aborts the session already queued. *took_place: the session
 * holds a place in the batch for the chip (no attempt bound it yet). */
static char *
identify (ClRemoteSession *self, ClRelayTransport *relay, gboolean *took_place)
{
  gint32 abort_id = CL_RAM_NOTIFY_ABORT;
  g_autoptr (ClCardChannel) channel = cl_card_channel_new (CL_TRANSPORT (relay));
  g_autoptr (GError) error = NULL;
  g_autofree char *chip = NULL, *text = NULL;
  ClUrlAdmission admission;
  ClGpFci fci;
  ClCplc cplc;

  cl_relay_transport_notify (relay, "Identifying the card …", -1);
  if (!cl_gp_select_isd (channel, &fci, NULL, &error) || !cl_gp_get_cplc (channel, &cplc, NULL, &error))
    {
      text = g_strdup_printf ("The card could not be identified: %s", error->message);
      goto abort;
    }
  chip = cl_cplc_chip_id (&cplc);
  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

    if (self->chip_id != NULL && !g_str_equal (self->chip_id, chip))
      {
        text = g_strdup ("This is not the card that opened the session: start a new session for it");
        goto abort;
      }
    if (self->chip_id == NULL)
      self->chip_id = g_strdup (chip);
  }
  if (!take_place (self, took_place, &abort_id, &text))
    goto abort;
  if (!cl_store_production_url_admit (cl_production_setup_get_store (self->setup), self->url.id, chip,
                                      g_get_real_time (), self->station, &admission, &error))
    {
      g_warning ("remote session %s: %s", self->reader, error->message);
      publish_fault (self, CL_LINE_FAULT_STORE, FALSE, error->message);
      text = g_strdup ("The production service cannot record the card now: try again later");
      goto abort;
    }
  if (admission == CL_URL_EXPIRED || admission == CL_URL_USED_UP || admission == CL_URL_BATCH_FULL)
    {
      text = g_strdup (admission == CL_URL_EXPIRED   ? "The production URL has expired"
                       : admission == CL_URL_USED_UP ? "The production URL has been used for all its cards"
                                                     : "The batch has taken its quantity of cards: no new card");
      if (admission == CL_URL_BATCH_FULL)
        abort_id = CL_RAM_NOTIFY_NO_PLACE;
      goto abort;
    }
  return g_steal_pointer (&chip);

abort:
  if (*took_place)
    give_back_place (self);
  *took_place = FALSE;
  cl_relay_transport_notify_abort (relay, abort_id, text);
  return NULL;
}

static gpointer
run_worker (gpointer data)
{
  g_autoptr (ClRemoteSession) self = data;
  g_autoptr (ClRelayTransport) relay = NULL;
  g_autoptr (ClCardJob) job = NULL;
  g_autoptr (ClFeederCard) card = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *chip = NULL, *text = NULL;
  const ClSequenceOutcome *outcome;
  gboolean took_place = FALSE, recorded;
  JobEvents events = { self, NULL };

  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

    relay = g_object_ref (self->relay);
  }
  events.relay = relay;
  publish_kind (self, CL_LINE_EVENT_CARD_PRESENT);
  chip = identify (self, relay, &took_place);
  if (chip == NULL)
    goto done;
  card = cl_feeder_card_new (self->reader);
  {
    g_autoptr (ClProductionSetup) setup = dup_setup (self);

    job = cl_card_job_new (setup, NULL, card, self->url.batch_id, self->batch_name, self->station);
  }
  /* the URL admitted the chip (identify), and its attempt binds the place identify took */
  cl_card_job_set_admitted (job, TRUE);
  cl_card_job_set_event_func (job, on_job_event, &events);
  cl_card_job_set_recover_func (job, job_recover, job_resumed, self);
  recorded = cl_card_job_run_on (job, CL_TRANSPORT (relay), NULL, &error);
  if (recorded)
    {
      /* a card got through: whatever part an earlier session met failing works (no-ops when none did) */
      publish_fault (self, CL_LINE_FAULT_HSM, TRUE, NULL);
      publish_fault (self, CL_LINE_FAULT_STORE, TRUE, NULL);
    }
  if (!recorded)
    {
      if (took_place && !cl_card_job_began_attempt (job))
        give_back_place (self);
      took_place = FALSE;
      if (g_error_matches (error, CL_ERROR, CL_ERROR_BATCH_FULL))
        {
          /* another session of this service used the place meanwhile */
          cl_relay_transport_notify_abort (relay, CL_RAM_NOTIFY_NO_PLACE, error->message);
          goto done;
        }
      g_warning ("remote session %s: the production service failed: %s", self->reader, error->message);
      /* a part gave out under the card (job_recover told the fleet); the card resumes when it comes back */
      text = g_strdup_printf ("The production service failed (%s): the card was not finished", error->message);
    }
  else if ((outcome = cl_card_job_get_outcome (job)) == NULL)
    text = g_strdup ("The card was not produced");
  else if (outcome->good)
    {
      g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

      self->good = TRUE;
      text = g_strdup_printf ("Card good: serial %s", outcome->serial != NULL ? outcome->serial : "?");
    }
  else
    text = g_strdup_printf ("Card rejected: %s at %s%s%s", cl_reject_reason_to_string (outcome->reason),
                            cl_production_step_to_string (outcome->failed_step), outcome->detail ? ": " : "",
                            outcome->detail ? outcome->detail : "");
  cl_relay_transport_notify (relay, text, -1);
done:
  if (took_place && !cl_card_job_began_attempt (job))
    give_back_place (self);
  /* the session's reader is empty until its card comes back (a card made or rejected emptied it already) */
  publish_kind (self, CL_LINE_EVENT_CARD_REMOVED);
  cl_relay_transport_finish (relay);
  return NULL;
}

static void
start_locked (ClRemoteSession *self, GBytes *atr, gboolean extended)
{
  const char *name = "remote-session";

  g_clear_object (&self->relay);
  self->relay = cl_relay_transport_new (atr, extended, self->answer_timeout_us);
  if (self->atr == NULL)
    self->atr = g_bytes_ref (atr);
  self->good = FALSE;
  self->worker = g_thread_new (name, run_worker, g_object_ref (self));
}

ClRemoteSession *
cl_remote_session_new (ClProductionSetup *setup, const ClProductionUrl *url, const char *batch_name,
                       const char *station, const char *id, const char *reader, ClStationPublisher *publisher,
                       GBytes *atr, gboolean extended, gint64 answer_timeout_us)
{
  ClRemoteSession *self = g_object_new (CL_TYPE_REMOTE_SESSION, NULL);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;

  self->setup = g_object_ref (setup);
  self->generation = cl_p11_token_get_generation (cl_production_setup_get_token (setup));
  self->url = *url;
  self->batch_name = g_strdup (batch_name);
  self->station = g_strdup (station);
  self->id = g_strdup (id);
  self->reader = g_strdup (reader);
  self->publisher = publisher != NULL ? g_object_ref (publisher) : NULL;
  self->answer_timeout_us = answer_timeout_us;
  self->started = self->last_seen = g_get_monotonic_time ();
  locker = g_mutex_locker_new (&self->lock);
  start_locked (self, atr, extended);
  return self;
}

const char *
cl_remote_session_get_id (ClRemoteSession *self)
{
  return self->id;
}

const char *
cl_remote_session_get_reader (ClRemoteSession *self)
{
  return self->reader;
}

gint64
cl_remote_session_get_url_id (ClRemoteSession *self)
{
  return self->url.id;
}

ClRelayTransport *
cl_remote_session_get_relay (ClRemoteSession *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return g_object_ref (self->relay);
}

static void
join (ClRemoteSession *self)
{
  GThread *worker;

  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

    worker = g_steal_pointer (&self->worker);
  }
  if (worker != NULL)
    g_thread_join (worker);
}

gboolean
cl_remote_session_restart (ClRemoteSession *self, GBytes *atr, gboolean extended, GError **error)
{
  g_autoptr (ClRelayTransport) relay = cl_remote_session_get_relay (self);

  /* another card is refused before anything of the session's own card is touched; the chip itself is checked again
   * when the new run identifies it (identify()) */
  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

    if (!g_bytes_equal (atr, self->atr))
      {
        g_set_error (error, CL_ERROR, CL_ERROR_SECURITY, "not the card that opened the session (another ATR)");
        return FALSE;
      }
  }
  /* The client took the card up again with its cookie: after a card error, or because its connection dropped
   * while the card was in production. What ran ends as for a pulled card (the attempt is closed as torn) and the
   * new run resumes the card from its journal. */
  if (!cl_relay_transport_is_finished (relay))
    cl_relay_transport_close (relay, "the client took its card up again (its connection dropped)");
  join (self);
  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

    start_locked (self, atr, extended);
  }
  return TRUE;
}

void
cl_remote_session_stop (ClRemoteSession *self, const char *why)
{
  g_autoptr (ClRelayTransport) relay = cl_remote_session_get_relay (self);

  cl_relay_transport_close (relay, why);
  join (self);
}

GMutex *
cl_remote_session_get_post_lock (ClRemoteSession *self)
{
  return &self->post_lock;
}

void
cl_remote_session_touch (ClRemoteSession *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  self->last_seen = g_get_monotonic_time ();
}

gint64
cl_remote_session_get_last_seen (ClRemoteSession *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return self->last_seen;
}

gint64
cl_remote_session_get_started (ClRemoteSession *self)
{
  return self->started;
}

char *
cl_remote_session_dup_chip_id (ClRemoteSession *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return g_strdup (self->chip_id);
}

gboolean
cl_remote_session_get_good (ClRemoteSession *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return self->good;
}
