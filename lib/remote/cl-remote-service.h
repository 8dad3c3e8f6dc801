/* cl-remote-service.h: the production service's engine (issue 16, DESIGN §8), without HTTP: app/'s
 * cardline-server hands it each POST (the production URL's token from the path, the session cookie, the body) and
 * sends back what it answers. Blocking: call it on a worker thread, one per request.
 *
 * Answers, as the OpenSCDP dialect has them:
 *   200  a command template AA (Set-Cookie with the session on a first POST); AA 00 or notifies only when the card
 *        job had nothing to send within the answer budget (the HSM or the store is slow)
 *   204  the session is complete
 *   404  the URL's token is unknown (forged, mistyped)
 *   504  the service does not take the card up: the URL is expired, or too many sessions are open (first POST), or
 *        the session is unknown or over (later POSTs)
 *   400  the body does not parse or does not fit what was sent (the card's attempt is closed as for a pulled card;
 *        its journal stays consistent and it resumes when the card comes back)
 *   413  the body is larger than CL_RAM_MAX_BODY
 *   500  the store failed
 * Bounds: at most max_sessions at once; a session whose client sent nothing for client_timeout or that is older
 * than session_lifetime is closed as if its card had been pulled.
 *
 * The service is a station of the fleet (store/cl-store-fleet.h, feeder REMOTE): it registers under its station name,
 * beats with its lease and publishes its state, its counters and, per open session, a reader "remote session N" (N
 * the lowest number free: a bounded set of readers) with the session's chip and step; STOPPED when it stops. */
#pragma once

#include "production/cl-production-setup.h"

G_BEGIN_DECLS

typedef struct
{
  guint max_sessions;
  gint64 answer_budget_us;    /* each POST is answered within this (the client gives it 40 s) */
  gint64 client_timeout_us;   /* no POST for this long: the client is gone */
  gint64 session_lifetime_us; /* longest session */
} ClRemoteLimits;

#define CL_REMOTE_LIMITS_DEFAULT                                                                                       \
  {                                                                                                                    \
    32, 25 * G_USEC_PER_SEC, 90 * G_USEC_PER_SEC, 30 * 60 * G_USEC_PER_SEC                                             \
  }

typedef struct
{
  guint status;
  GBytes *body;     /* NULL: none */
  char *set_cookie; /* the session id to set, NULL: none */
  char *message;    /* for the log: why an error status */
} ClRemoteReply;

void cl_remote_reply_clear (ClRemoteReply *reply);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClRemoteReply, cl_remote_reply_clear)

#define CL_TYPE_REMOTE_SERVICE (cl_remote_service_get_type ())
G_DECLARE_FINAL_TYPE (ClRemoteService, cl_remote_service, CL, REMOTE_SERVICE, GObject)

/* Ends the attempts a killed predecessor with this station name left open (their cards resume when they come
 * back). station NULL: cl_station_identity(). A profile that ships cards initialised is refused
 * (CL_ERROR_PROFILE): its PINs would travel to the client outside the secure channel. A service whose token's keys
 * are not the fleet's is refused (CL_ERROR_FLEET_KEYS, production/cl-station-keys.h). */
ClRemoteService *cl_remote_service_new (ClProductionSetup *setup, const char *station, const ClRemoteLimits *limits,
                                        GError **error);
/* token: the last path segment of the URL posted to; cookie: the session cookie's value or NULL. */
void cl_remote_service_post (ClRemoteService *self, const char *token, const char *cookie, GBytes *body,
                             ClRemoteReply *reply);
/* Closes every session (their jobs end as for pulled cards) and waits for their workers. */
void cl_remote_service_stop (ClRemoteService *self);
guint cl_remote_service_count_sessions (ClRemoteService *self);

/* A new production URL token (256 bits from the CSPRNG, URL-safe text) and its hash as the store keeps it. */
char *cl_production_url_token_new (guint8 hash[32], GError **error);
/* The hash of a token; FALSE when the text cannot be a token (then it is unknown: 404). */
gboolean cl_production_url_token_hash (const char *token, guint8 hash[32]);

G_END_DECLS
