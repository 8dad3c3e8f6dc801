/* cl-admin.h: a cardline-admin subcommand. Adding one = a file app/admin/cl-admin-NAME.c defining
 * `const ClAdminCommand cl_admin_command_NAME` plus NAME in admin_commands in app/meson.build. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;
  const char *summary;
  /* argv[0] is the subcommand's name; parse the rest with a GOptionContext. Returns the exit status. */
  int (*run) (int argc, char **argv);
} ClAdminCommand;

G_END_DECLS
