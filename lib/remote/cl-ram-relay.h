/* cl-ram-relay.h: the station's side of RAMOverHTTP in the OpenSCDP dialect (DESIGN §8): one session relays one card's
 * exchanges to the production service at one URL. Only POSTs, all to that URL, with the dialect's headers; the
 * session is held by the cookie the service sets (a fresh cookie jar per session, so no card ever carries another
 * card's session); no redirects are followed; each POST gets CL_RAM_RELAY_POST_SECONDS in total, connect to last
 * byte, and is never retried.
 *
 * Each command template's items run in order on the card: C-APDUs go to the card unchanged and their whole answers
 * back; a reset answers the new ATR; notifies go to the notify func (a negative id ends the session at once, without
 * a further POST). When the card fails (pulled, mute, its reader or pcscd gone) the batch stops there, the card's
 * error text (the PC/SC error's) goes back as E1, and that POST is still made: the service decides what the
 * attempt becomes. Everything relayed is the service's secure messaging: the relay holds no key.
 *
 * Blocking: run it on the card's own thread, never the UI's. It makes its own main context for the HTTP exchange. */
#pragma once

#include "apdu/cl-transport.h"

G_BEGIN_DECLS

#define CL_RAM_RELAY_POST_SECONDS 40

typedef enum
{
  CL_RAM_SESSION_COMPLETED, /* 204: the service completed the session */
  CL_RAM_SESSION_REFUSED,   /* 504 to the first POST: the service did not take the card up */
  CL_RAM_SESSION_ABORTED,   /* 504 later, or a notify with a negative id */
} ClRamSessionEnd;

typedef struct
{
  ClRamSessionEnd end;
  char *card_error;       /* the E1 text this station sent (the card failed under the session), or NULL */
  GError *card_failure;   /* that failure as the transport reported it (cl-transport.h codes), or NULL */
  char *last_notify;      /* the service's last notify text, or NULL */
  gint32 abort_id;        /* ABORTED by a notify: its (negative) id (CL_RAM_NOTIFY_*); 0 otherwise */
  guint round_trips;      /* POSTs answered */
  guint64 apdus;          /* C-APDUs the card answered */
  guint64 bytes_sent;     /* request bodies */
  guint64 bytes_received; /* answer bodies */
} ClRamSessionResult;

void cl_ram_session_result_clear (ClRamSessionResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClRamSessionResult, cl_ram_session_result_clear)

/* id, text and seconds to completion (-1: not said) of the service's notify; on the card's thread. */
typedef void (*ClRamNotifyFunc) (gint32 id, const char *text, gint32 seconds, gpointer user_data);

#define CL_TYPE_RAM_RELAY (cl_ram_relay_get_type ())
G_DECLARE_FINAL_TYPE (ClRamRelay, cl_ram_relay, CL, RAM_RELAY, GObject)

/* url: https (or http, for a service on loopback); a bad URL is CL_ERROR_INVALID_ARGUMENT naming it. ca_file: the
 * certificates (PEM) that may issue the service's; NULL: the system's CA store. */
ClRamRelay *cl_ram_relay_new (const char *url, const char *ca_file, GError **error);
/* Seconds per POST (default CL_RAM_RELAY_POST_SECONDS). */
void cl_ram_relay_set_post_seconds (ClRamRelay *self, guint seconds);

/* TRUE: the session ended as result->end says. FALSE: CL_ERROR_PRODUCTION_SERVICE when the service could not be
 * reached, did not answer a POST in time, or answered outside the dialect (the station's fault: the card is not to
 * blame; result still says what was relayed), or G_IO_ERROR_CANCELLED. */
gboolean cl_ram_relay_run (ClRamRelay *self, ClTransport *transport, ClRamNotifyFunc notify, gpointer user_data,
                           ClRamSessionResult *result, GCancellable *cancellable, GError **error);

G_END_DECLS
