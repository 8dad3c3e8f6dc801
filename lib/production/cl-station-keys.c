/* cl-station-keys.c: a station's keys recorded and compared with the fleet's (cl-station-keys.h). */
#include "cl-station-keys.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "store/cl-store-station-keys.h"

static ClStationKey *
key_set_entry (const char *key, const char *label, ClKeySet *set, GError **error)
{
  static const ClKeyRole roles[] = { CL_KEY_ROLE_ENC, CL_KEY_ROLE_MAC, CL_KEY_ROLE_DEK };
  char kcvs[3][7];
  g_autofree char *joined = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      guint8 kcv[3];

      if (!cl_key_set_check_value (set, roles[i], kcv, error))
        {
          g_prefix_error (error, "%s/%02X check value: ", label, cl_key_set_get_version (set));
          return NULL;
        }
      g_snprintf (kcvs[i], sizeof kcvs[i], "%02X%02X%02X", kcv[0], kcv[1], kcv[2]);
    }
  joined = g_strdup_printf ("%s/%s/%s", kcvs[0], kcvs[1], kcvs[2]);
  return cl_station_key_new (key, label, cl_key_set_get_version (set), joined);
}

static ClStationKey *
certificate_entry (const char *key, ClCvc *cvc)
{
  GBytes *encoded = cl_cvc_get_encoded (cvc);
  guint8 digest[32];
  g_autofree char *hex = NULL;

  cl_sha256 (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded), digest);
  hex = cl_hex_encode (digest, sizeof digest);
  return cl_station_key_new (key, cl_cvc_get_chr (cvc), 0, hex);
}

GPtrArray *
cl_station_keys_from_setup (ClProductionSetup *setup, GError **error)
{
  const ClProfileKeys *profile_keys = cl_profile_get_keys (cl_production_setup_get_profile (setup));
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_station_key_free);
  ClStationKey *entry;

  if (!(entry = key_set_entry ("KMC", profile_keys->kmc_label, cl_production_setup_get_kmc (setup), error)))
    return NULL;
  g_ptr_array_add (keys, entry);
  if (!(entry = key_set_entry ("KST", profile_keys->kst_label, cl_production_setup_get_kst (setup), error)))
    return NULL;
  g_ptr_array_add (keys, entry);
  g_ptr_array_add (keys, certificate_entry ("SRCA", cl_production_setup_get_srca_cvc (setup)));
  g_ptr_array_add (keys, certificate_entry ("DICA", cl_production_setup_get_dica_cvc (setup)));
  return g_steal_pointer (&keys);
}

gboolean
cl_station_keys_check (ClProductionSetup *setup, const char *station, GError **error)
{
  ClStore *store = cl_production_setup_get_store (setup);
  g_autoptr (GPtrArray) keys = cl_station_keys_from_setup (setup, error);
  g_autoptr (GPtrArray) fleet = NULL;
  g_autofree char *differences = NULL;

  if (keys == NULL || !cl_store_station_keys_record (store, station, keys, NULL, error)
      || !(fleet = cl_store_fleet_keys_get (store, error)))
    return FALSE;
  differences = cl_station_keys_differences (fleet, keys);
  if (differences == NULL)
    return TRUE;
  g_set_error (error, CL_ERROR, CL_ERROR_FLEET_KEYS,
               "Station “%s” does not hold the fleet's keys: %s. It will not produce: load the fleet's keys into this "
               "station's token with the key ceremony (cardline-admin keys import-wrapped), or have an administrator "
               "adopt this station's keys for the fleet (cardline-admin fleet keys --adopt %s)",
               station, differences, station);
  return FALSE;
}
