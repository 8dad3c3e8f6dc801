/* cardline-admin fleet keys (cl-admin-fleet-keys.h).
 *
 *   fleet keys [--store URI]
 *       The fleet's reference key set (KMC, KST, scheme root) and, per station, whether the keys it recorded when it
 *       last started producing match it: one line per station, "ok" or which key differs or is missing (by label,
 *       version and check value; the store holds no key). A station known to the store (it took a station lease)
 *       that never recorded keys is missing. Each station's own DICA is shown, not compared: one DICA per token,
 *       each certified by the scheme root (store/cl-store-station-keys.h). Exit 1 when any station differs or
 *       is missing. Needs no sign-in: check values are no secret.
 *   fleet keys --adopt STATION [--user NAME --password-file FILE]
 *       An administrator makes STATION's recorded set the fleet's (a new KMC version, or the wrong token started
 *       first), audited as "fleet-keys-adopt". */
#include <stdio.h>

#include "cl-admin-auth.h"
#include "cl-admin-fleet-keys.h"
#include "store/cl-store-location.h"
#include "store/cl-store-station-keys.h"

#define PREFIX "cardline-admin fleet keys"

static void
print_fleet (GPtrArray *fleet)
{
  for (guint i = 0; i < fleet->len; i++)
    {
      const ClStationKey *k = g_ptr_array_index (fleet, i);
      g_autoptr (GPtrArray) one = g_ptr_array_new ();
      g_autofree char *text = NULL;

      g_ptr_array_add (one, (gpointer)k);
      text = cl_station_keys_describe (one);
      printf ("  %s (station %s's, adopted by %s)\n", text, k->source, k->adopted_by);
    }
}

/* One station's line; TRUE when it matches. */
static gboolean
report_station (ClStore *store, const char *station, GPtrArray *fleet, GError **error)
{
  g_autoptr (GPtrArray) keys = cl_store_station_keys_get (store, station, error);
  g_autofree char *differences = NULL;
  const ClStationKey *dica = NULL;

  if (keys == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    if (g_str_equal (((ClStationKey *)g_ptr_array_index (keys, i))->key, "DICA"))
      dica = g_ptr_array_index (keys, i);
  if (keys->len == 0)
    {
      printf ("station %s: MISSING: it recorded no keys (it has not produced since keys are recorded)\n", station);
      return FALSE;
    }
  differences = cl_station_keys_differences (fleet, keys);
  printf ("station %s: %s%s", station, differences != NULL ? "DIFFERS: " : "ok",
          differences != NULL ? differences : "");
  if (dica != NULL)
    printf ("%sits DICA %s %s", differences != NULL ? "; " : ", ", dica->label, dica->check_value);
  printf ("\n");
  return differences == NULL;
}

int
cl_admin_fleet_keys (const char *store_option, const char *adopt, ClAdminAuth *auth)
{
  g_autofree char *store_path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (GPtrArray) fleet = NULL;
  g_auto (GStrv) stations = NULL;
  guint bad = 0;

  store_path = cl_store_location (store_option);
  if (!(store = cl_store_open (store_path, &error)))
    goto fail;
  if (adopt != NULL)
    {
      g_autofree char *actor
        = cl_admin_sign_in (store, auth, CL_ROLE_BIT (CL_ROLE_ADMIN), "fleet keys", "adopt the fleet's keys");

      if (actor == NULL)
        return 1;
      if (!cl_store_fleet_keys_adopt (store, adopt, actor, &error))
        goto fail;
      printf ("the fleet's keys are now station %s's (adopted by %s)\n", adopt, actor);
    }
  if (!(fleet = cl_store_fleet_keys_get (store, &error))
      || !(stations = cl_store_station_keys_stations (store, &error)))
    goto fail;
  if (fleet->len == 0)
    printf ("the fleet has no key set yet: the first station to produce records it\n");
  else
    {
      printf ("the fleet's keys:\n");
      print_fleet (fleet);
    }
  for (guint i = 0; stations[i] != NULL; i++)
    if (!report_station (store, stations[i], fleet, &error))
      {
        if (error != NULL)
          goto fail;
        bad++;
      }
  if (bad > 0)
    g_printerr ("%s: %u station(s) do not hold the fleet's keys\n", PREFIX, bad);
  return bad > 0 ? 1 : 0;

fail:
  g_printerr ("%s: %s\n", PREFIX, error->message);
  return 1;
}
