/* cl-admin-fleet-keys.h: `cardline-admin fleet keys` (cl-admin-fleet-keys.c), run by `cardline-admin fleet`. */
#pragma once

#include "cl-admin-auth.h"

G_BEGIN_DECLS

/* Prints the fleet's keys and every station's verdict; with adopt, an administrator (auth) first makes that
 * station's keys the fleet's. Exit status: 0 all stations hold the fleet's keys, 1 otherwise or on error. */
int cl_admin_fleet_keys (const char *store_option, const char *adopt, ClAdminAuth *auth);

G_END_DECLS
