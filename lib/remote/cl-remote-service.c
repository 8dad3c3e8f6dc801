/* cl-remote-service.c: see cl-remote-service.h. */
#include "remote/cl-remote-service.h"

#include <string.h>

#include "core/cl-error.h"
#include "p11/cl-p11-token.h"
#include "production/cl-station-keys.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "remote/cl-ram-codec.h"
#include "remote/cl-remote-session.h"
#include "line/cl-station-publisher.h"
#include "store/cl-station-lease.h"
#include "store/cl-store-production-url.h"
#include "store/cl-store-station.h"

#define TOKEN_BYTES      32
#define TOKEN_CHARS      43 /* base64url of 32 bytes, no padding */
#define SESSION_ID_BYTES 16
/* A reader that passes this much takes extended-length APDUs. */
#define SHORT_APDU_MAX 261

struct _ClRemoteService
{
  GObject parent_instance;

  ClProductionSetup *setup; /* under lock: renewed once a session got the HSM back */
  guint generation;         /* the token's generation setup's objects were found in */
  ClStore *store;           /* setup's, for the threads that read it without the lock */
  char *station;
  ClRemoteLimits limits;
  ClStationLease *lease;
  ClStationPublisher *publisher; /* the service's state in the fleet's records; NULL once stopped */

  GMutex lock;
  GHashTable *sessions; /* id → ClRemoteSession */
};

G_DEFINE_FINAL_TYPE (ClRemoteService, cl_remote_service, G_TYPE_OBJECT)

void
cl_remote_reply_clear (ClRemoteReply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->set_cookie, g_free);
  g_clear_pointer (&reply->message, g_free);
  reply->status = 0;
}

static void
cl_remote_service_finalize (GObject *object)
{
  ClRemoteService *self = CL_REMOTE_SERVICE (object);

  cl_remote_service_stop (self);
  g_hash_table_unref (self->sessions);
  g_clear_object (&self->publisher);
  g_clear_object (&self->lease);
  g_clear_object (&self->setup);
  g_clear_object (&self->store);
  g_free (self->station);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (cl_remote_service_parent_class)->finalize (object);
}

static void
cl_remote_service_class_init (ClRemoteServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_remote_service_finalize;
}

static void
cl_remote_service_init (ClRemoteService *self)
{
  g_mutex_init (&self->lock);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

ClRemoteService *
cl_remote_service_new (ClProductionSetup *setup, const char *station, const ClRemoteLimits *limits, GError **error)
{
  g_autoptr (ClRemoteService) self = g_object_new (CL_TYPE_REMOTE_SERVICE, NULL);
  ClStore *store = cl_production_setup_get_store (setup);
  const ClRemoteLimits defaults = CL_REMOTE_LIMITS_DEFAULT;
  ClFleetRegistration registration = { NULL, CL_FLEET_FEEDER_REMOTE, NULL, NULL, NULL, CL_STATION_LEASE_US };

  ClProfile *profile = cl_production_setup_get_profile (setup);

  /* Everything the client relays must be secure-messaging ciphertext. INITIALIZE DEVICE (SO-PIN, PIN) and IMPORT
   * DKEK SHARE go to the SmartCard-HSM applet, outside the GlobalPlatform secure channel: they would reach the
   * client in plaintext. */
  if (cl_profile_get_init (profile)->ship == CL_SHIP_INITIALISED)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                   "profile %s ships cards initialised: their SO-PIN and PIN would reach the client outside the "
                   "secure channel; remote production serves profiles with ship=uninitialised",
                   cl_profile_get_name (profile));
      return NULL;
    }
  self->setup = g_object_ref (setup);
  self->generation = cl_p11_token_get_generation (cl_production_setup_get_token (setup));
  self->store = g_object_ref (store);
  self->station = g_strdup (cl_station_identity (station));
  self->limits = limits != NULL ? *limits : defaults;
  /* one process per station name: another would end this one's attempts as abandoned */
  self->lease = cl_station_lease_new (store, self->station, CL_STATION_LEASE_US, error);
  /* the service produces with its token's keys: the fleet's, like every station's (cl-station-keys.h) */
  if (self->lease == NULL || !cl_station_keys_check (setup, self->station, error)
      || cl_store_attempt_abandon_open (store, self->station, error) < 0)
    return NULL;
  registration.name = self->station;
  if (!(self->publisher = cl_station_publisher_new (store, &registration, error)))
    return NULL;
  return g_steal_pointer (&self);
}

/* A session reconnected the HSM (cl-remote-session.c): new sessions start with its objects looked up again instead of
 * each meeting the old ones gone. */
static void
renew_setup_locked (ClRemoteService *self)
{
  ClP11Token *token = cl_production_setup_get_token (self->setup);
  guint generation = cl_p11_token_get_generation (token);
  g_autoptr (ClProductionSetup) fresh = NULL;
  g_autoptr (GError) error = NULL;

  if (generation == self->generation)
    return;
  fresh = cl_production_setup_new (cl_production_setup_get_profile (self->setup), token,
                                   cl_production_setup_get_store (self->setup), &error);
  if (fresh == NULL)
    {
      /* the session's own recovery tries again */
      g_message ("Station %s: the HSM's objects are not found again yet: %s", self->station, error->message);
      return;
    }
  g_set_object (&self->setup, fresh);
  self->generation = generation;
}

/* ---- tokens ---- */

char *
cl_production_url_token_new (guint8 hash[32], GError **error)
{
  guint8 secret[TOKEN_BYTES];
  g_autofree char *text = NULL;

  if (!cl_random_bytes (secret, sizeof secret, error))
    return NULL;
  text = g_base64_encode (secret, sizeof secret);
  cl_wipe (secret, sizeof secret);
  /* URL-safe, no padding */
  for (char *p = text; *p != '\0'; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  text[TOKEN_CHARS] = '\0';
  cl_production_url_token_hash (text, hash);
  return g_steal_pointer (&text);
}

gboolean
cl_production_url_token_hash (const char *token, guint8 hash[32])
{
  if (token == NULL || strlen (token) != TOKEN_CHARS)
    return FALSE;
  for (const char *p = token; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  cl_sha256 ((const guint8 *)token, TOKEN_CHARS, hash);
  return TRUE;
}

/* ---- replies ---- */

static void
reply_error (ClRemoteReply *reply, guint status, const char *message)
{
  reply->status = status;
  g_free (reply->message);
  reply->message = g_strdup (message);
}

/* ---- sessions ---- */

static ClRemoteSession *
session_lookup (ClRemoteService *self, const char *id)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
  ClRemoteSession *session = id != NULL ? g_hash_table_lookup (self->sessions, id) : NULL;

  return session != NULL ? g_object_ref (session) : NULL;
}

static void
session_end (ClRemoteService *self, ClRemoteSession *session, const char *why)
{
  g_autoptr (ClRemoteSession) held = g_object_ref (session);

  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

    g_hash_table_remove (self->sessions, cl_remote_session_get_id (session));
  }
  cl_remote_session_stop (held, why);
}

/* The lowest "remote session N" no open session is: the fleet's records keep one reader per number ever used. */
static char *
free_reader_locked (ClRemoteService *self)
{
  for (guint n = 1;; n++)
    {
      g_autofree char *name = g_strdup_printf ("remote session %u", n);
      GHashTableIter iter;
      gpointer value;
      gboolean used = FALSE;

      g_hash_table_iter_init (&iter, self->sessions);
      while (!used && g_hash_table_iter_next (&iter, NULL, &value))
        used = g_str_equal (cl_remote_session_get_reader (value), name);
      if (!used)
        return g_steal_pointer (&name);
    }
}

/* Sessions whose client went quiet or that ran too long end as if their card had been pulled. */
static void
reap (ClRemoteService *self)
{
  g_autoptr (GPtrArray) over = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 now = g_get_monotonic_time ();

  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, self->sessions);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      if (now - cl_remote_session_get_last_seen (value) > self->limits.client_timeout_us
          || now - cl_remote_session_get_started (value) > self->limits.session_lifetime_us)
        g_ptr_array_add (over, g_object_ref (value));
  }
  for (guint i = 0; i < over->len; i++)
    session_end (self, g_ptr_array_index (over, i), "the session timed out (the client went quiet or ran too long)");
}

static gboolean
items_abort (GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    {
      const ClRamItem *item = g_ptr_array_index (items, i);

      if (item->kind == CL_RAM_ITEM_NOTIFY && item->id < 0)
        return TRUE;
    }
  return FALSE;
}

/* What the card job has for the client now: a template, or 204 when the session is complete. */
static void
respond (ClRemoteService *self, ClRemoteSession *session, ClRemoteReply *reply)
{
  g_autoptr (ClRelayTransport) relay = cl_remote_session_get_relay (session);
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;
  gboolean finished = FALSE;

  items = cl_relay_transport_take_items (relay, g_get_monotonic_time () + self->limits.answer_budget_us, &finished);
  cl_remote_session_touch (session);
  if (finished)
    {
      session_end (self, session, "the session is complete");
      reply->status = 204;
      return;
    }
  reply->body = cl_ram_commands_encode (items, &error);
  if (reply->body == NULL)
    {
      /* a command the job made that the dialect cannot carry: the card's attempt ends as for a pulled card */
      session_end (self, session, error->message);
      reply_error (reply, 500, error->message);
      return;
    }
  reply->status = 200;
  if (items_abort (items))
    session_end (self, session, "the service aborted the session");
}

static void
post_first (ClRemoteService *self, const ClProductionUrl *url, const char *cookie, const guint8 *data, gsize len,
            ClRemoteReply *reply)
{
  g_auto (ClRamHello) hello = { 0 };
  g_autoptr (ClRemoteSession) session = NULL;
  g_autoptr (GError) error = NULL;
  gboolean extended;

  if (!cl_ram_hello_decode (data, len, &hello, &error))
    {
      reply_error (reply, 400, error->message);
      return;
    }
  if (g_get_real_time () >= url->expires)
    {
      if (!cl_store_production_url_refuse (self->store, url->id, "expired", self->station, &error))
        g_warning ("store: %s", error->message);
      reply_error (reply, 504, "the production URL has expired");
      return;
    }
  if (url->admitted >= url->cards && url->finished >= url->admitted)
    {
      /* every card it allows is made: no card of its own can come back to resume */
      if (!cl_store_production_url_refuse (self->store, url->id, "used up", self->station, &error))
        g_warning ("store: %s", error->message);
      reply_error (reply, 504, "the production URL has been used for all its cards");
      return;
    }
  if (url->batch_quantity > 0 && url->batch_good >= url->batch_quantity)
    {
      /* the batch is complete: whatever card this is, nothing of the batch is left to make or resume */
      g_autofree char *why = g_strdup_printf ("the batch is complete: its %u cards are made", url->batch_quantity);

      if (!cl_store_production_url_refuse (self->store, url->id, "batch complete", self->station, &error))
        g_warning ("store: %s", error->message);
      reply_error (reply, 504, why);
      return;
    }
  extended = hello.max_command == 0 || hello.max_command > SHORT_APDU_MAX;
  session = session_lookup (self, cookie);
  if (session != NULL && cl_remote_session_get_url_id (session) == url->id)
    {
      /* the card comes back under its session after a card error */
      g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (cl_remote_session_get_post_lock (session));

      if (!cl_remote_session_restart (session, hello.atr, extended, &error))
        {
          reply_error (reply, 504, error->message);
          return;
        }
      respond (self, session, reply);
      return;
    }
  g_clear_object (&session);
  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
    guint8 raw[SESSION_ID_BYTES];
    g_autofree char *id = NULL, *reader = NULL;

    if (self->publisher == NULL)
      {
        reply_error (reply, 504, "the production service stops");
        return;
      }
    if (g_hash_table_size (self->sessions) >= self->limits.max_sessions)
      {
        reply_error (reply, 504, "too many sessions are open");
        return;
      }
    if (!cl_random_bytes (raw, sizeof raw, &error))
      {
        reply_error (reply, 500, error->message);
        return;
      }
    id = cl_hex_encode (raw, sizeof raw);
    reader = free_reader_locked (self);
    renew_setup_locked (self);
    session = cl_remote_session_new (self->setup, url, NULL, self->station, id, reader, self->publisher, hello.atr,
                                     extended, self->limits.client_timeout_us);
    g_hash_table_insert (self->sessions, g_strdup (id), g_object_ref (session));
  }
  reply->set_cookie = g_strdup (cl_remote_session_get_id (session));
  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (cl_remote_session_get_post_lock (session));

    respond (self, session, reply);
  }
}

static void
post_next (ClRemoteService *self, const ClProductionUrl *url, const char *cookie, const guint8 *data, gsize len,
           ClRemoteReply *reply)
{
  g_autoptr (ClRemoteSession) session = session_lookup (self, cookie);
  g_autoptr (ClRelayTransport) relay = NULL;
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GError) error = NULL;

  if (session == NULL || cl_remote_session_get_url_id (session) != url->id)
    {
      reply_error (reply, 504, "no such session (it ended, timed out, or the service restarted)");
      return;
    }
  cl_remote_session_touch (session); /* the client is here: not reaped while its answer is made */
  locker = g_mutex_locker_new (cl_remote_session_get_post_lock (session));
  relay = cl_remote_session_get_relay (session);
  items = cl_ram_responses_decode (data, len, &error);
  if (items == NULL || !cl_relay_transport_answer (relay, items, &error))
    {
      g_autofree char *why = g_strdup_printf ("the client sent a malformed template: %s", error->message);

      /* the card's attempt ends as for a pulled card; the card resumes when it comes back */
      g_clear_pointer (&locker, g_mutex_locker_free);
      session_end (self, session, why);
      reply_error (reply, 400, why);
      return;
    }
  respond (self, session, reply);
}

void
cl_remote_service_post (ClRemoteService *self, const char *token, const char *cookie, GBytes *body,
                        ClRemoteReply *reply)
{
  guint8 hash[32];
  ClProductionUrl url;
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  const guint8 *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;

  g_return_if_fail (CL_IS_REMOTE_SERVICE (self));
  memset (reply, 0, sizeof *reply);
  if (len > CL_RAM_MAX_BODY)
    {
      reply_error (reply, 413, "the body is larger than any RAMOverHTTP template");
      return;
    }
  if (!cl_production_url_token_hash (token, hash))
    {
      reply_error (reply, 404, "no such production URL");
      return;
    }
  if (!cl_store_production_url_find (self->store, hash, &url, &error))
    {
      gboolean unknown = g_error_matches (error, CL_ERROR, CL_ERROR_NOT_FOUND);

      reply_error (reply, unknown ? 404 : 500, unknown ? "no such production URL" : error->message);
      return;
    }
  reap (self);
  if (len > 0 && data[0] == CL_RAM_TAG_HELLO)
    post_first (self, &url, cookie, data, len, reply);
  else if (len > 0 && data[0] == CL_RAM_TAG_RESPONSES)
    post_next (self, &url, cookie, data, len, reply);
  else
    reply_error (reply, 400, "the body is neither a first POST (E8) nor a response template (AB)");
}

void
cl_remote_service_stop (ClRemoteService *self)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (ClStationPublisher) publisher = NULL;

  {
    g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, self->sessions);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_ptr_array_add (all, g_object_ref (value));
    g_hash_table_remove_all (self->sessions);
    publisher = g_steal_pointer (&self->publisher);
  }
  for (guint i = 0; i < all->len; i++)
    cl_remote_session_stop (g_ptr_array_index (all, i), "the production service stops");
  /* the sessions' last events are in: the service is STOPPED in the fleet's records before its lease ends */
  if (publisher != NULL)
    {
      cl_station_publisher_stopped (publisher);
      if (!cl_station_publisher_flush (publisher, 5 * G_USEC_PER_SEC))
        g_warning ("Station %s: its STOPPED state did not reach the store", self->station);
    }
}

guint
cl_remote_service_count_sessions (ClRemoteService *self)
{
  g_autoptr (GMutexLocker) G_GNUC_UNUSED locker = g_mutex_locker_new (&self->lock);

  return g_hash_table_size (self->sessions);
}
