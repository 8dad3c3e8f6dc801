/* cl-store-fleet.h: stations as records (issue 18 item 3; DESIGN §8 "fleet"): every station that shares the store
 * registers what it is (name, host, feeder, readers or printer, Cardline version) and keeps its live state there
 * (running / paused / fault with the operator's instruction / stopped, the card and step at each reader, its
 * counters), so that a supervisor (the Dashboard's Stations view, `cardline-admin fleet status`) sees every station
 * of the fleet from the one store.
 *
 * Schema version 10: table fleet_stations (one row per station name, kept after the station stops: a record, not
 * the lease) and fleet_readers (one row per reader of a station). The station identity lease (stations,
 * cl-store-station.h) is untouched: the lease says who may produce as a station, these rows say how it is doing.
 *
 * Each write of a station's state (register, state, readers, counters, recovery) increments its revision; a
 * heartbeat does not. The revision is what ClStoreWatch (cl-store-watch.h) reports: on PostgreSQL a trigger
 * NOTIFYs channel CL_STORE_FLEET_CHANNEL with the station's name whenever the revision moves.
 *
 * Lost: a station not STOPPED whose last heartbeat is older than its lease (it was killed, hung, or cut off from the
 * store), or that ran on the reader's host and whose process is gone (as a lease is taken over at once then). Any live
 * station, or cardline-admin, recovers a lost station (cl_store_fleet_recover_lost): its lease is ended and taken from
 * it (a process that comes back finds it taken over and must stop producing), its open attempts are closed by the rule
 * for a killed station (cl_store_attempt_abandon_open: REJECTED PROTOCOL_ERROR, RETAINED, each audited
 * "attempt-abandoned") and its chip claims expire; the recovery is audited
 * ("station-recovered"). Verdicts use the wall clock of the reading process, as leases do.
 *
 * Any thread but the UI thread (every call is a store transaction). */
#pragma once

#include "store/cl-production-types.h"
#include "store/cl-store.h"

G_BEGIN_DECLS

/* The PostgreSQL NOTIFY channel of station state changes; the payload is the station's name. */
#define CL_STORE_FLEET_CHANNEL "cardline_fleet"

typedef enum
{
  CL_FLEET_FEEDER_RACK,
  CL_FLEET_FEEDER_PRINTER,
  CL_FLEET_FEEDER_REMOTE, /* a client relaying to a production service */
} ClFleetFeeder;

typedef enum
{
  CL_FLEET_RUNNING,
  CL_FLEET_PAUSED,
  CL_FLEET_FAULT, /* held by a fault: the instruction says what the operator must do */
  CL_FLEET_STOPPED,
} ClFleetState;

/* "RACK", "PRINTER", "REMOTE" / "RUNNING", "PAUSED", "FAULT", "STOPPED": the store's spelling. */
const char *cl_fleet_feeder_to_string (ClFleetFeeder feeder);
gboolean cl_fleet_feeder_from_string (const char *text, ClFleetFeeder *out, GError **error);
const char *cl_fleet_state_to_string (ClFleetState state);
gboolean cl_fleet_state_from_string (const char *text, ClFleetState *out, GError **error);

/* What a station is: given once per start. */
typedef struct
{
  const char *name; /* the station identity (cl_station_identity) */
  ClFleetFeeder feeder;
  const char *const *readers; /* NULL-terminated reader names, in display order (NULL: none known yet) */
  const char *printer;        /* the printer's address (NULL without one) */
  const char *version;        /* the Cardline version (NULL: this build's) */
  gint64 lease_us;            /* how long without a heartbeat before it is lost (0: CL_STATION_LEASE_US) */
} ClFleetRegistration;

/* One reader of a station: the card in it and the step it is at. */
typedef struct
{
  char *reader;
  char *chip_id;         /* NULL: no card (or not identified yet) */
  gint step;             /* a ClProductionStep, -1: none */
  gboolean card_present; /* a card job is at this reader */
} ClFleetReader;

/* The live state a station publishes; counters are this start's (since counting_since). */
typedef struct
{
  ClFleetState state;
  const char *instruction; /* FAULT: the operator's instruction; otherwise NULL */
  gint64 good;
  gint64 rejected;
  gint64 counting_since; /* µs: the first card of this start (0: none yet); throughput's basis */
  gint64 last_card;      /* µs: the last disposition (0: none yet) */
} ClFleetLive;

/* One station as read back. */
typedef struct
{
  char *name;
  char *host;
  gint64 pid;
  ClFleetFeeder feeder;
  char *printer; /* NULL without one */
  char *version;
  ClFleetState state;
  char *instruction; /* NULL unless FAULT */
  gint64 good;
  gint64 rejected;
  gint64 counting_since;
  gint64 last_card;
  gint64 registered; /* µs: this start */
  gint64 updated;    /* µs: the last state write */
  gint64 heartbeat;  /* µs: the last heartbeat */
  gint64 lease_us;
  gint64 revision;
  gboolean lost;    /* not STOPPED, and no heartbeat for longer than lease_us (at the reader's now) or its process
                     * of this host is gone */
  gint64 recovered; /* µs: when a lost station's attempts were closed (0: not recovered since its start) */
  char *recovered_by;
  GPtrArray *readers; /* of ClFleetReader *, in display order */
} ClFleetStation;

void cl_fleet_reader_free (ClFleetReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClFleetReader, cl_fleet_reader_free)
void cl_fleet_station_free (ClFleetStation *station);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClFleetStation, cl_fleet_station_free)
/* Cards per minute over this start (good + rejected from counting_since to last_card); 0 with fewer than two. */
double cl_fleet_station_throughput (const ClFleetStation *station);
/* good / (good + rejected), 0..1; -1 with no card yet. */
double cl_fleet_station_yield (const ClFleetStation *station);

/* On a station's start (after it took its lease): writes what it is, state RUNNING, counters zero, every reader
 * empty, heartbeat now, and clears a recovery; this process's host and pid. */
gboolean cl_store_fleet_register (ClStore *self, const ClFleetRegistration *registration, GError **error);
/* The station's live state (one transaction). A station that is not registered is CL_ERROR_NOT_FOUND. */
gboolean cl_store_fleet_set_live (ClStore *self, const char *station, const ClFleetLive *live, GError **error);
/* The card and step at each reader given; readers not known yet are added after the known ones. n_readers may be
 * 0. The same transaction as live when live is not NULL. */
gboolean cl_store_fleet_publish (ClStore *self, const char *station, const ClFleetLive *live,
                                 const ClFleetReader *readers, guint n_readers, GError **error);
/* The station is alive: from the thread that renews its lease (ClStationLease), never the UI thread. Only the
 * process that registered the station beats for it; another is CL_ERROR_CLAIMED. */
gboolean cl_store_fleet_heartbeat (ClStore *self, const char *station, GError **error);
/* Every registered station, by name, with its lost verdict at now (0: the current time). */
GPtrArray *cl_store_fleet_list (ClStore *self, gint64 now, GError **error);
/* One station; CL_ERROR_NOT_FOUND if it never registered. */
ClFleetStation *cl_store_fleet_get (ClStore *self, const char *station, gint64 now, GError **error);
/* Closes a lost station's open attempts and expires its claims (see above); actor names who did it (a station or
 * an admin user) for the audit. A station that is not lost is CL_ERROR_CLAIMED (it is alive: nothing is taken from
 * it). Returns how many attempts were closed, -1 on error. */
gint cl_store_fleet_recover_lost (ClStore *self, const char *station, const char *actor, GError **error);
/* Recovers every lost station not recovered yet (ClStationLease does it with each heartbeat of a registered station);
 * returns how many attempts were closed in all, -1 on error. */
gint cl_store_fleet_recover_all_lost (ClStore *self, const char *actor, GError **error);

G_END_DECLS
