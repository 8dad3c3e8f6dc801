/* cl-store-station-keys.h: the same master keys at every station of a fleet (issue 18 item 5; DESIGN §3 Key
 * custody, §8 "A fleet"; docs/fleet-keys.md).
 *
 * How a fleet's stations get their keys: each station has its own PKCS#11 token, loaded by the key ceremony's
 * transport-key export/import (cardline-admin keys export / import-wrapped, lib/keys/cl-key-transport.h) from one
 * key source. There is no network-HSM stand-in on the rig: Debian 12's p11-kit 0.24 RPC cannot pass AES-CMAC, the
 * *_ECB_ENCRYPT_DATA derivations, key wrap or AES-CBC, which the custody design needs. The DICA is one per token,
 * certified by the scheme root (SRCA): a DICA is an EC key pair generated in its token, never extractable
 * (cl-p11-ec-key.h), and the transport ceremony moves only secret keys under CKM_AES_KEY_WRAP, so exporting one DICA
 * to every token is something the code cannot do (and should not: a station's DICA can then be revoked alone).
 * What the fleet compares is therefore the master key sets and the scheme root; each station's DICA is recorded (its
 * holder and certificate fingerprint) but is its own, and the station checked at start that it chains to that root.
 *
 * What is recorded, when a station starts producing: per key its token label (KMC, KST) or holder reference
 * (SRCA, DICA), its version (0 for certificates) and its check value: the GlobalPlatform KCVs of ENC, MAC and DEK
 * computed inside the token ("ABCDEF/123456/7890AB"), or the SHA-256 of the certificate in hex. Never a key. A
 * station keeps one record per key set it has produced with (a station runs SCP03 and SCP02 batches with different
 * KMCs) and one scheme root and DICA, the latest.
 *
 * The fleet's reference: per key set (label and version) the check values of the first station that recorded it
 * (audited "fleet-keys-adopt"), so one station, a new fleet, or a new key version needs nothing more; and one
 * scheme root, the first station's. An administrator replaces entries by adopting a station's keys (cardline-admin
 * fleet keys --adopt STATION, audited): a wrong token started first, or a new scheme root. Never a vote ("the most
 * common set"): a wrong token started first is named by every other station, and a person decides. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

typedef struct
{
  char *key;         /* "KMC", "KST", "SRCA" (compared across the fleet), "DICA" (each station's own) */
  char *label;       /* the token label (KMC, KST) or the certificate's holder reference (SRCA, DICA) */
  guint version;     /* key version 1..255; 0 for a certificate */
  char *check_value; /* KCVs "ENC/MAC/DEK" in hex, or the certificate's SHA-256 in hex */
  char *source;      /* the fleet's entries: the station it was adopted from, and by whom; else NULL */
  char *adopted_by;
} ClStationKey;

ClStationKey *cl_station_key_new (const char *key, const char *label, guint version, const char *check_value);
void cl_station_key_free (ClStationKey *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClStationKey, cl_station_key_free)

/* Whether key is one the fleet's stations must share (KMC, KST, SRCA). */
gboolean cl_station_key_is_shared (const char *key);

/* Records keys (ClStationKey *) as station's: replaces its record of each key set (by label and version) and its
 * scheme root and DICA. A change is audited ("station-keys", actor station). A key set or scheme root the fleet does
 * not have yet joins the fleet's reference (audited "fleet-keys-adopt"); *joined (may be NULL) says whether one did. */
gboolean cl_store_station_keys_record (ClStore *self, const char *station, GPtrArray *keys, gboolean *joined,
                                       GError **error);
/* station's recorded keys (ClStationKey *), by key, label, version; empty when it never recorded any. */
GPtrArray *cl_store_station_keys_get (ClStore *self, const char *station, GError **error);
/* The names of the stations that recorded keys or hold a station lease (cl-store-station.h), sorted. */
GStrv cl_store_station_keys_stations (ClStore *self, GError **error);
/* The fleet's reference (shared keys only, with source and adopted_by), empty when there is none yet. */
GPtrArray *cl_store_fleet_keys_get (ClStore *self, GError **error);
/* Makes station's recorded shared keys the fleet's reference for those key sets and the scheme root
 * (CL_ERROR_NOT_FOUND when it recorded none), audited as "fleet-keys-adopt" by actor. */
gboolean cl_store_fleet_keys_adopt (ClStore *self, const char *station, const char *actor, GError **error);

/* How station_keys differ from the fleet's reference, one clause per shared key whose check value differs from the
 * fleet's entry for the same key set (the same scheme root role) ("KMC/01 check value A/B/C, the fleet's D/E/F
 * (station s1's)"), joined by "; " — or NULL when they match. Check values are no secret. */
char *cl_station_keys_differences (GPtrArray *fleet, GPtrArray *station_keys);
/* One line per key: "KMC/01 ABCDEF/123456/7890AB". */
char *cl_station_keys_describe (GPtrArray *keys);

G_END_DECLS
