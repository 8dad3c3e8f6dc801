/* cardline-admin version: the versions a support request needs. */
#include <openssl/crypto.h>
#include <stdio.h>

#include "cardline-config.h"
#include "cl-admin-commands.h"

static int
run (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— print versions");
  g_autoptr (GError) error = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-admin version: %s\n", error->message);
      return 2;
    }

  printf ("cardline-admin %s\n", PACKAGE_VERSION);
  printf ("GLib %u.%u.%u\n", glib_major_version, glib_minor_version, glib_micro_version);
  printf ("%s\n", OpenSSL_version (OPENSSL_VERSION));
  return 0;
}

const ClAdminCommand cl_admin_command_version = {
  .name = "version",
  .summary = "Print the versions of Cardline and its libraries",
  .run = run,
};
