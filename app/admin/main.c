/* cardline-admin: key ceremony, users, reports and store maintenance, one subcommand per file. */
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>

#include "cardline-config.h"
#include "cl-admin-commands.h"

#define CL_ADMIN_ENTRY(name) &cl_admin_command_##name,
static const ClAdminCommand *const commands[] = { CL_ADMIN_COMMANDS (CL_ADMIN_ENTRY) NULL };
#undef CL_ADMIN_ENTRY

static char *
commands_description (void)
{
  GString *text = g_string_new ("Commands:\n");

  for (guint i = 0; commands[i] != NULL; i++)
    g_string_append_printf (text, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
  g_string_append (text, "\nRun “cardline-admin COMMAND --help” for a command’s options.");
  return g_string_free (text, FALSE);
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("COMMAND [ARGUMENT…]");
  g_autoptr (GError) error = NULL;
  g_autofree char *description = commands_description ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_option_context_set_summary (context, "Administer a Cardline station.");
  g_option_context_set_description (context, description);
  /* Stop at the first non-option so the subcommand gets its own options. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-admin: %s\n", error->message);
      return 2;
    }

  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return 2;
    }

  for (guint i = 0; commands[i] != NULL; i++)
    if (g_str_equal (argv[1], commands[i]->name))
      return commands[i]->run (argc - 1, argv + 1);

  g_printerr ("cardline-admin: unknown command “%s”\n\n%s\n", argv[1], description);
  return 2;
}
