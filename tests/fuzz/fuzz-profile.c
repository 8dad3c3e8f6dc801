/* Fuzz target for lib/profile: bytes -> key file -> validated profile. A profile that loads must hold every
 * field its getters promise; one that does not must say why under CL_ERROR_PROFILE. */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "core/cl-error.h"
#include "profile/cl-profile.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) profile = NULL;
  g_autofree char *chr = NULL;

  profile = cl_profile_new_from_data ((const char *)data, size, "fuzz.profile", "/nonexistent", "/nonexistent", &error);
  if (profile == NULL)
    {
      g_assert (error != NULL && error->domain == CL_ERROR && error->code == CL_ERROR_PROFILE);
      return 0;
    }
  g_assert (strlen (cl_profile_get_hash (profile)) == 64);
  g_assert (g_bytes_get_size (cl_profile_get_card (profile)->atr)
            == g_bytes_get_size (cl_profile_get_card (profile)->atr_mask));
  g_assert (cl_profile_get_applet (profile)->cap_file != NULL);
  g_assert (cl_profile_get_certify (profile)->holder_reference != NULL);
  g_assert ((cl_profile_get_fixed_pin (profile) != NULL)
            == (cl_profile_get_init (profile)->pin_source == CL_SECRET_FIXED));
  chr
    = cl_chr_pattern_expand (cl_profile_get_certify (profile)->holder_reference, "B1", 1, "0123456789ABCDEF0123", NULL);
  (void)chr;
  return 0;
}
