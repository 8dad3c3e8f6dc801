/* station-child.h: a station process for the store and UI tests (a real one: another pid, killed with SIGKILL). A
 * forked child opens the store, takes the station's lease, registers it in the fleet's records if asked, and begins
 * one production attempt at "Reader 0" (claiming a chip for it if asked); or, only_registered, just registers it. It
 * is returned once it holds all of that, and then waits until killed. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct
{
  const char *path; /* the store's location */
  const char *name; /* the station */
  gint64 lease_us;
  gboolean fleet_register;  /* registered in the fleet's records (cl-store-fleet.h) as a rack */
  const char *chip_id;      /* claimed for the attempt for a minute (NULL: none) */
  gboolean only_registered; /* fleet_register without a lease or an attempt */
} StationChild;

pid_t station_child_spawn (const StationChild *child);
/* SIGKILL, then reaped. */
void station_child_kill (pid_t pid);

G_END_DECLS
