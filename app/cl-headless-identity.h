/* cl-headless-identity.h: who a `cardline --headless` run acts as.
 *
 * A headless line has nobody at a keyboard to sign in, so it runs as a service account:
 *   --user NAME   a station account (cardline-admin user add NAME --role operator|supervisor|admin) that must
 *                 exist, be active and be allowed line control; no password (the service manager vouches for
 *                 the process, as for any system service). The start is audited as "headless-start" by NAME.
 *   (no --user)   the built-in identity "service:headless" with the operator role, for demos and the rig; it
 *                 is not checked against the store and not audited here. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_HEADLESS_DEFAULT_ACTOR "service:headless"

/* store_path may be NULL (cl_store_location default). Returns the actor name, or NULL with error set. */
char *cl_headless_identity_check (const char *store_path, const char *user, GError **error);

G_END_DECLS
