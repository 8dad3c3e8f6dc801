/* cl-session.h: who is signed in at the station and what that role may do.
 *
 * Permissions by role (admin actions proper — users, keys — live in cardline-admin):
 *   operator    line start/pause/stop
 *   supervisor  the operator's, plus dashboard export, batch setup and station setup
 *   QA          rejects re-test, resume and scrap
 *   custodian   nothing in the station window (key ceremonies run in cardline-admin)
 *   admin       everything
 * Every privileged action taken through the window is appended to the store's audit trail with the signed-in
 * user as the actor (cl_session_audit). */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

typedef enum
{
  CL_PERMISSION_LINE_CONTROL,
  CL_PERMISSION_DASHBOARD_EXPORT,
  CL_PERMISSION_BATCH_SETUP,
  CL_PERMISSION_STATION_SETUP,
  CL_PERMISSION_QA_RETEST,
  CL_PERMISSION_FACE_REPRINT, /* a good card's face printed again: QA or a supervisor, as cardline-admin card reprint */
  CL_PERMISSION_COUNT,
} ClPermission;

gboolean cl_role_allows (ClUserRole role, ClPermission permission);

#define CL_TYPE_SESSION (cl_session_get_type ())
G_DECLARE_FINAL_TYPE (ClSession, cl_session, CL, SESSION, GObject)

ClSession *cl_session_new (ClStore *store);
ClStore *cl_session_get_store (ClSession *self);
/* NULL while nobody is signed in. */
const char *cl_session_get_user (ClSession *self);
ClUserRole cl_session_get_role (ClSession *self);
gboolean cl_session_get_signed_in (ClSession *self);
/* After a successful authentication (cl_store_user_authenticate). Notifies "user" and "signed-in". */
void cl_session_sign_in (ClSession *self, const char *user, ClUserRole role);
void cl_session_sign_out (ClSession *self);
gboolean cl_session_allows (ClSession *self, ClPermission permission);
/* Queues an audit record (actor = the signed-in user now) for the audit trail. A worker appends the records one
 * after the other, in the order queued, off the UI thread; a failure is logged with g_warning from the main
 * context. FALSE if nothing can be audited (no store, nobody signed in). */
gboolean cl_session_audit (ClSession *self, const char *action, const char *subject, const char *detail);
/* Audit records queued or being written. */
guint cl_session_get_audits_pending (ClSession *self);

G_END_DECLS
