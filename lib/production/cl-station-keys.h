/* cl-station-keys.h: a station's keys as the fleet compares them (store/cl-store-station-keys.h), taken from
 * what the batch's setup holds when the station starts producing: the KMC and KST by label, version and the
 * check values of ENC, MAC and DEK computed inside the token (C_Encrypt; no key value reaches the host), the scheme
 * root (SRCA) and the station's own DICA by holder and certificate SHA-256. The setup has already verified that the
 * DICA certificate chains to the SRCA and holds the token's DICA key. */
#pragma once

#include "production/cl-production-setup.h"

G_BEGIN_DECLS

/* ClStationKey * in the order KMC, KST, SRCA, DICA. */
GPtrArray *cl_station_keys_from_setup (ClProductionSetup *setup, GError **error);
/* Records station's keys in the setup's store and compares them with the fleet's reference (per key set the first
 * station's, or the one an administrator adopted; one scheme root). CL_ERROR_FLEET_KEYS naming each key that
 * differs (by label, version and check value, never the key) and what to do: the station must not produce. A key
 * the token lacks has failed the setup already (cl_production_setup_new). */
gboolean cl_station_keys_check (ClProductionSetup *setup, const char *station, GError **error);

G_END_DECLS
