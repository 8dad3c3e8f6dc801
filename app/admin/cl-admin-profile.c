/* cardline-admin profile check FILE: loads a profile as the station would (errors name file, group and key) and says
 * what it means before a batch runs on it: card key diversification (published or Cardline-specific, in the token or
 * under the audited host-derivation opt-in), shipping state and PIN delivery. Exit 1 when it does not load. */
#include <stdio.h>

#include "cl-admin-commands.h"
#include "production/cl-production-env.h"
#include "profile/cl-profile-describe.h"

static int
run (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("check FILE — load a profile and say what it means");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) profile = NULL;
  g_autofree char *diversification = NULL, *shipping = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-admin profile: %s\n", error->message);
      return 2;
    }
  if (argc != 3 || !g_str_equal (argv[1], "check"))
    {
      g_printerr ("cardline-admin profile: usage: cardline-admin profile check FILE\n");
      return 2;
    }
  profile = cl_production_profile_open (argv[2], &error);
  if (profile == NULL)
    {
      g_printerr ("cardline-admin profile check: %s\n", error->message);
      return 1;
    }
  diversification = cl_profile_describe_diversification (profile);
  shipping = cl_profile_describe_shipping (profile);
  printf ("profile %s (%s)\n", cl_profile_get_name (profile), cl_profile_get_hash (profile));
  printf ("card keys: %s\n", diversification);
  printf ("shipping: %s\n", shipping);
  return 0;
}

const ClAdminCommand cl_admin_command_profile = {
  .name = "profile",
  .summary = "Profiles: `profile check FILE` loads one and says how its cards are keyed and shipped",
  .run = run,
};
