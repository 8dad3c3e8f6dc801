/* bench-profile.c: the shipped profile with another applet or card (bench-profile.h). */
#include "bench-profile.h"

#include <string.h>

#include "production/cl-production-env.h"

char *
bench_profile_large_cap (void)
{
  return g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "demo", "smartcard-hsm-standin-large.cap", NULL);
}

ClProductionSetup *
bench_profile_variant (ClP11Token *token, ClStore *store, const char *dir, const char *cap, guint max_command)
{
  g_autofree char *shipped
    = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "profiles", "smartcard-hsm.profile", NULL);
  g_autofree char *name = g_strdup_printf ("variant-%u-%s.profile", max_command, strstr (cap, "large") ? "l" : "s");
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL, *cap_line = g_strdup_printf ("cap-file=%s", cap);
  g_autofree char *card_line = g_strdup_printf ("[card]\nmax-command-length=%u", max_command);
  g_autoptr (GString) variant = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) profile = NULL;
  ClProductionSetup *result = NULL;

  if (!g_file_get_contents (shipped, &text, NULL, &error))
    g_error ("bench: %s", error->message);
  variant = g_string_new (text);
  if (g_string_replace (variant, "cap-file=demo/smartcard-hsm-standin.cap", cap_line, 1) != 1)
    g_error ("bench: %s names no demo/smartcard-hsm-standin.cap to replace", shipped);
  if (max_command != 0)
    g_string_replace (variant, "[card]", card_line, 1);
  if (!g_file_set_contents (path, variant->str, -1, &error) || !(profile = cl_production_profile_open (path, &error))
      || !(result = cl_production_setup_new (profile, token, store, &error)))
    g_error ("bench: the variant profile %s: %s", path, error->message);
  return result;
}
