/* station-child.c: a station process for the store tests (station-child.h). */
#include "station-child.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/cl-store-claim.h"
#include "store/cl-store-fleet.h"
#include "store/cl-store-station.h"

static gboolean
hold_station (const StationChild *child)
{
  ClStore *store = cl_store_open (child->path, NULL);
  const char *readers[] = { "Reader 0", NULL };
  ClFleetRegistration reg = { child->name, CL_FLEET_FEEDER_RACK, readers, NULL, NULL, child->lease_us };
  g_autofree char *owner = cl_store_chip_owner (child->name, "Reader 0");
  gint64 id;

  if (store == NULL
      || (!child->only_registered && !cl_store_station_acquire (store, child->name, child->lease_us, NULL))
      || ((child->fleet_register || child->only_registered) && !cl_store_fleet_register (store, &reg, NULL)))
    return FALSE;
  if (child->only_registered)
    return TRUE;
  id = cl_store_attempt_begin (store, 0, CL_ATTEMPT_PRODUCTION, child->name, "Reader 0", 0, NULL);
  return id > 0
         && (child->chip_id == NULL
             || cl_store_chip_claim (store, child->chip_id, owner, id, (gint64)60 * G_USEC_PER_SEC, NULL));
}

pid_t
station_child_spawn (const StationChild *child)
{
  int ready[2];
  pid_t pid;
  char byte;

  g_assert_cmpint (pipe (ready), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (ready[0]);
      if (!hold_station (child) || write (ready[1], "r", 1) != 1)
        _exit (1);
      for (;;)
        pause ();
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  return pid;
}

void
station_child_kill (pid_t pid)
{
  int status;

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
}
