/* cl-remote-session.c: see cl-remote-session.h. */
#include "remote/cl-remote-session.h"

#include "apdu/cl-card-channel.h"
#include "core/cl-error.h"
#include "gp/cl-gp-card.h"
#include "line/cl-card-job.h"

struct _ClRemoteSession
{
  GObject parent_instance;

  ClProductionSetup *setup;
  ClProductionUrl url;
  char *batch_name;
  char *station;
  char *id;
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

static void
on_job_event (ClCardJob *job, ClLineEvent *event, gpointer user_data)
{
  ClRelayTransport *relay = user_data;
  g_autofree char *text = NULL;

  if (cl_line_event_get_kind (event) != CL_LINE_EVENT_STEP_STARTED)
    return;
  text = g_strdup_printf ("%s …", cl_production_step_to_string (cl_line_event_get_step (event)));
  cl_relay_transport_notify (relay, text, -1);
}

/* The chip behind the relay, or NULL with a notify that aborts the session already queued. */
static char *
identify (ClRemoteSession *self, ClRelayTransport *relay)
{
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
  if (!cl_store_production_url_admit (cl_production_setup_get_store (self->setup), self->url.id, chip,
                                      g_get_real_time (), self->station, &admission, &error))
    {
      g_warning ("remote session %s: %s", self->id, error->message);
      text = g_strdup ("The production service cannot record the card now: try again later");
      goto abort;
    }
  if (admission == CL_URL_EXPIRED || admission == CL_URL_USED_UP || admission == CL_URL_BATCH_FULL)
    {
      text = g_strdup (admission == CL_URL_EXPIRED   ? "The production URL has expired"
                       : admission == CL_URL_USED_UP ? "The production URL has been used for all its cards"
                                                     : "The batch has taken its quantity of cards: no new card");
      goto abort;
    }
  return g_steal_pointer (&chip);

abort:
  cl_relay_transport_notify_abort (relay, text);
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
  g_autofree char *chip = NULL, *reader = NULL, *text = NULL;
  const ClSequenceOutcome *outcome;

  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

    relay = g_object_ref (self->relay);
  }
  chip = identify (self, relay);
  if (chip == NULL)
    goto done;
  reader = g_strdup_printf ("remote/%.8s", self->id);
  card = cl_feeder_card_new (reader);
  job = cl_card_job_new (self->setup, NULL, card, self->url.batch_id, self->batch_name, self->station);
  /* the URL admitted the chip (identify): that is its share of the batch's quantity */
  cl_card_job_set_admitted (job, TRUE);
  cl_card_job_set_event_func (job, on_job_event, relay);
  if (!cl_card_job_run_on (job, CL_TRANSPORT (relay), NULL, &error))
    {
      g_warning ("remote session %s: the production service failed: %s", self->id, error->message);
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
  cl_relay_transport_finish (relay);
  return NULL;
}

static void
start_locked (ClRemoteSession *self, GBytes *atr, gboolean extended)
{
  g_autofree char *name = g_strdup_printf ("remote-%.8s", self->id);

  g_clear_object (&self->relay);
  self->relay = cl_relay_transport_new (atr, extended, self->answer_timeout_us);
  if (self->atr == NULL)
    self->atr = g_bytes_ref (atr);
  self->good = FALSE;
  self->worker = g_thread_new (name, run_worker, g_object_ref (self));
}

ClRemoteSession *
cl_remote_session_new (ClProductionSetup *setup, const ClProductionUrl *url, const char *batch_name,
                       const char *station, const char *id, GBytes *atr, gboolean extended, gint64 answer_timeout_us)
{
  ClRemoteSession *self = g_object_new (CL_TYPE_REMOTE_SESSION, NULL);
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;

  self->setup = g_object_ref (setup);
  self->url = *url;
  self->batch_name = g_strdup (batch_name);
  self->station = g_strdup (station);
  self->id = g_strdup (id);
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
