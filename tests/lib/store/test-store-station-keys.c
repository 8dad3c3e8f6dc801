/* Each station's key check values and the fleet's reference (issue 18 item 5, cl-store-station-keys.h): the first
 * station's keys become the fleet's; a station with another KMC or scheme root is named by what differs; a new key
 * version or a second profile's key set joins the fleet; a station's DICA is its own and never compared; an
 * administrator adopts another station's keys; every change is audited and the chain verifies; a record that is no
 * check value is refused. */
#include "core/cl-error.h"
#include "store/cl-store-station-keys.h"
#include "store/cl-store-station.h"
#include "store-fixture.h"

typedef StoreFixture Fixture;

#define SRCA_SHA "0618E2E9643D12BBFF674675D08C118CA404713FFA3A343D50295D45D41BD6AD"

static GPtrArray *
key_set (const char *kmc_kcvs, guint kmc_version, gboolean with_kst, const char *dica_sha)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_station_key_free);

  g_ptr_array_add (keys, cl_station_key_new ("KMC", "KMC", kmc_version, kmc_kcvs));
  if (with_kst)
    g_ptr_array_add (keys, cl_station_key_new ("KST", "KST", 0x30, "EDB52D/FD0A90/21B561"));
  g_ptr_array_add (keys, cl_station_key_new ("SRCA", "CLSRCA00001", 0, SRCA_SHA));
  g_ptr_array_add (keys, cl_station_key_new ("DICA", "CLDICA00001", 0, dica_sha));
  return keys;
}

static char *
differences_of (Fixture *f, const char *station)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) fleet = cl_store_fleet_keys_get (f->store, &error);
  g_autoptr (GPtrArray) mine = cl_store_station_keys_get (f->store, station, &error);

  g_assert_no_error (error);
  return cl_station_keys_differences (fleet, mine);
}

static void
test_first_station_defines_the_fleet (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) one = key_set ("06237F/8D9596/E61455", 1, TRUE, "AAAAAA");
  g_autoptr (GPtrArray) two = key_set ("06237F/8D9596/E61455", 1, TRUE, "BBBBBB");
  g_autoptr (GPtrArray) fleet = NULL;
  g_autofree char *diff = NULL;
  gboolean became = FALSE;

  fleet = cl_store_fleet_keys_get (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fleet->len, ==, 0);

  g_assert_true (cl_store_station_keys_record (f->store, "rack-1", one, &became, &error));
  g_assert_no_error (error);
  g_assert_true (became);
  g_assert_true (cl_store_station_keys_record (f->store, "rack-2", two, &became, &error));
  g_assert_no_error (error);
  g_assert_false (became);

  g_clear_pointer (&fleet, g_ptr_array_unref);
  fleet = cl_store_fleet_keys_get (f->store, &error);
  g_assert_no_error (error);
  /* the shared keys only: each station's DICA is its own */
  g_assert_cmpuint (fleet->len, ==, 3);
  g_assert_cmpstr (((ClStationKey *)g_ptr_array_index (fleet, 0))->source, ==, "rack-1");
  g_assert_cmpstr (((ClStationKey *)g_ptr_array_index (fleet, 0))->adopted_by, ==, "rack-1");
  diff = differences_of (f, "rack-2");
  g_assert_null (diff);
  g_assert_cmpint (store_fixture_raw_int (f, "SELECT count(*) FROM audit WHERE action = 'fleet-keys-adopt'"), ==, 1);
  /* the same set again is no news for the audit trail */
  g_assert_true (cl_store_station_keys_record (f->store, "rack-2", two, NULL, &error));
  g_assert_cmpint (store_fixture_raw_int (f, "SELECT count(*) FROM audit WHERE action = 'station-keys'"), ==, 2);
}

static void
test_differences_named (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) fleet = key_set ("06237F/8D9596/E61455", 1, TRUE, "AAAAAA");
  g_autoptr (GPtrArray) other_kmc = key_set ("199A71/D17DEF/4BE80B", 1, TRUE, "AAAAAA");
  g_autoptr (GPtrArray) new_version = key_set ("06237F/8D9596/E61455", 2, TRUE, "AAAAAA");
  g_autoptr (GPtrArray) no_kst = key_set ("06237F/8D9596/E61455", 1, FALSE, "AAAAAA");
  g_autoptr (GPtrArray) other_root = key_set ("06237F/8D9596/E61455", 1, TRUE, "AAAAAA");
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL;
  ClStationKey *srca = g_ptr_array_index (other_root, 2);
  g_auto (GStrv) stations = NULL;

  g_assert_true (cl_store_station_keys_record (f->store, "s1", fleet, NULL, &error));
  g_assert_true (cl_store_station_keys_record (f->store, "s2", other_kmc, NULL, &error));
  g_assert_true (cl_store_station_keys_record (f->store, "s3", new_version, NULL, &error));
  g_assert_true (cl_store_station_keys_record (f->store, "s4", no_kst, NULL, &error));
  g_assert_no_error (error);
  a = differences_of (f, "s2");
  g_assert_cmpstr (a, ==, "KMC/01 check value 199A71/D17DEF/4BE80B, the fleet's 06237F/8D9596/E61455 (station s1's)");
  /* a new key version joins the fleet (the first station to record it defines it); a profile without a KST too */
  b = differences_of (f, "s3");
  g_assert_null (b);
  c = differences_of (f, "s4");
  g_assert_null (c);
  /* another scheme root (a token set up on its own): named by its certificate, not by the station's DICA */
  g_free (srca->check_value);
  srca->check_value = g_strdup ("1F59CEFA8261AC347B7E6B6B00DBBEF1106DDB5D509C9A3B1A512ECE85B14150");
  g_assert_true (cl_store_station_keys_record (f->store, "s5", other_root, NULL, &error));
  g_assert_no_error (error);
  d = differences_of (f, "s5");
  g_assert_cmpstr (
    d, ==,
    "SRCA CLSRCA00001 certificate SHA-256 1F59CEFA8261AC347B7E6B6B00DBBEF1106DDB5D509C9A3B1A512ECE85B14150, "
    "the fleet's " SRCA_SHA " (station s1's)");

  /* a station that took a lease but never recorded keys is listed too: fleet keys names it missing */
  g_assert_true (cl_store_station_acquire (f->store, "printer-1", G_USEC_PER_SEC * 60, &error));
  g_assert_no_error (error);
  stations = cl_store_station_keys_stations (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (stations), ==, 6);
  g_assert_cmpstr (stations[0], ==, "printer-1");
}

static void
test_adopt (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) old_set = key_set ("06237F/8D9596/E61455", 1, TRUE, "AAAAAA");
  g_autoptr (GPtrArray) new_set = key_set ("199A71/D17DEF/4BE80B", 1, TRUE, "BBBBBB");
  g_autofree char *before = NULL, *after = NULL, *first = NULL;
  g_autoptr (GPtrArray) fleet = NULL;
  guint64 n = 0;

  g_assert_true (cl_store_station_keys_record (f->store, "s1", old_set, NULL, &error));
  g_assert_true (cl_store_station_keys_record (f->store, "s2", new_set, NULL, &error));
  g_assert_no_error (error);
  before = differences_of (f, "s2");
  g_assert_nonnull (before);
  g_assert_false (cl_store_fleet_keys_adopt (f->store, "nobody", "ada", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (cl_store_fleet_keys_adopt (f->store, "s2", "ada", &error));
  g_assert_no_error (error);
  after = differences_of (f, "s2");
  g_assert_null (after);
  first = differences_of (f, "s1");
  g_assert_nonnull (first);
  fleet = cl_store_fleet_keys_get (f->store, &error);
  for (guint i = 0; i < fleet->len; i++)
    {
      g_assert_cmpstr (((ClStationKey *)g_ptr_array_index (fleet, i))->source, ==, "s2");
      g_assert_cmpstr (((ClStationKey *)g_ptr_array_index (fleet, i))->adopted_by, ==, "ada");
    }
  g_assert_cmpint (store_fixture_raw_int (f, "SELECT count(*) FROM audit WHERE action = 'fleet-keys-adopt' AND "
                                             "actor = 'ada' AND subject = 's2'"),
                   ==, 1);
  g_assert_true (cl_store_verify_audit_chain (f->store, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, >=, 4);
}

/* One station runs an SCP03 batch, then an SCP02 one: both key sets stay recorded, both are the fleet's. */
static void
test_two_profiles (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) scp03 = key_set ("06237F/8D9596/E61455", 1, TRUE, "AAAAAA");
  g_autoptr (GPtrArray) scp02 = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_station_key_free);
  g_autoptr (GPtrArray) mine = NULL, fleet = NULL;
  g_autofree char *diff = NULL;

  g_ptr_array_add (scp02, cl_station_key_new ("KMC", "KMC2", 1, "AB12CD/AB12CD/AB12CD"));
  g_ptr_array_add (scp02, cl_station_key_new ("SRCA", "CLSRCA00001", 0, SRCA_SHA));
  g_assert_true (cl_store_station_keys_record (f->store, "s1", scp03, NULL, &error));
  g_assert_true (cl_store_station_keys_record (f->store, "s1", scp02, NULL, &error));
  g_assert_no_error (error);
  mine = cl_store_station_keys_get (f->store, "s1", &error);
  g_assert_cmpuint (mine->len, ==, 5);
  fleet = cl_store_fleet_keys_get (f->store, &error);
  g_assert_cmpuint (fleet->len, ==, 4);
  diff = differences_of (f, "s1");
  g_assert_null (diff);
}

static void
test_refuses_what_is_no_check_value (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_station_key_free);

  /* not hex: something that is no check value never reaches the store */
  g_ptr_array_add (keys, cl_station_key_new ("KMC", "KMC", 1, "my secret key"));
  g_assert_false (cl_store_station_keys_record (f->store, "s1", keys, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_ptr_array_set_size (keys, 0);
  g_ptr_array_add (keys, cl_station_key_new ("DKEK", "DKEK", 1, "ABCDEF"));
  g_assert_false (cl_store_station_keys_record (f->store, "s1", keys, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (store_fixture_raw_int (f, "SELECT count(*) FROM station_keys"), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, store_fixture_setup, func, store_fixture_teardown)
  ADD ("/store/station-keys/first-station-defines-the-fleet", test_first_station_defines_the_fleet);
  ADD ("/store/station-keys/differences-named", test_differences_named);
  ADD ("/store/station-keys/adopt", test_adopt);
  ADD ("/store/station-keys/two-profiles", test_two_profiles);
  ADD ("/store/station-keys/refuses-what-is-no-check-value", test_refuses_what_is_no_check_value);
#undef ADD
  return g_test_run ();
}
