/* cl-card-session.h: a card job's connection to its card, as a scoped resource: made by connecting through the
 * feeder, released (card powered down) when the last reference goes, on every path out of the job:
 *
 *   g_autoptr (ClCardSession) session = cl_card_session_new (feeder, card, cancellable, error);
 *   if (session == NULL) return ...;
 *   ... cl_card_session_get_transport (session) ... */
#pragma once

#include "line/cl-feeder.h"

G_BEGIN_DECLS

#define CL_TYPE_CARD_SESSION (cl_card_session_get_type ())
G_DECLARE_FINAL_TYPE (ClCardSession, cl_card_session, CL, CARD_SESSION, GObject)

ClCardSession *cl_card_session_new (ClFeeder *feeder, ClFeederCard *card, GCancellable *cancellable, GError **error);
ClTransport *cl_card_session_get_transport (ClCardSession *self);

G_END_DECLS
