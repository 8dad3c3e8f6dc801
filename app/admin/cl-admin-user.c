/* cardline-admin user: station accounts.
 *
 *   cardline-admin user add NAME --role ROLE [--password-file FILE]
 *   cardline-admin user list
 *   cardline-admin user disable NAME
 *
 * The password is read from FILE (first line), or from standard input: prompted without echo on a terminal,
 * the first line otherwise. It is never taken from the command line (it would show in ps and the shell
 * history) and never printed; the store keeps only its PBKDF2 hash. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <gio/gio.h>

#include "cl-admin-commands.h"
#include "store/cl-store-location.h"
#include "store/cl-store-users.h"

static char *store_option;
static char *role_option;
static char *password_file_option;
static char *actor_option;

static const GOptionEntry entries[] = {
  { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_option,
    "The station store (default: the station's store, as cardline picks it)", "PATH" },
  { "role", 0, 0, G_OPTION_ARG_STRING, &role_option, "add: OPERATOR, SUPERVISOR, QA, CUSTODIAN or ADMIN", "ROLE" },
  { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file_option,
    "add: read the password from FILE's first line", "FILE" },
  { "actor", 0, 0, G_OPTION_ARG_STRING, &actor_option,
    "Who is doing this, for the audit trail (default: the login name)", "NAME" },
  { NULL },
};

static void
wipe (char *secret)
{
  if (secret != NULL)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (char, wipe)

static char *
first_line (char *text)
{
  text[strcspn (text, "\r\n")] = '\0';
  return text;
}

static char *
read_password (GError **error)
{
  char buffer[1024];
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO);
  char *line;

  if (password_file_option != NULL)
    {
      char *contents = NULL;

      if (!g_file_get_contents (password_file_option, &contents, NULL, error))
        return NULL;
      return first_line (contents);
    }
  if (tty)
    {
      fprintf (stderr, "Password: ");
      fflush (stderr);
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr (STDIN_FILENO, TCSANOW, &quiet);
    }
  line = fgets (buffer, sizeof buffer, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved);
      fprintf (stderr, "\n");
    }
  if (line == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "No password on standard input");
      return NULL;
    }
  line = g_strdup (first_line (buffer));
  memset (buffer, 0, sizeof buffer);
  return line;
}

static int
user_add (ClStore *store, const char *name, const char *actor)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (char) password = NULL;
  g_autofree char *role_name = NULL;
  ClUserRole role;

  if (role_option == NULL)
    {
      g_printerr ("cardline-admin user add: --role is required\n");
      return 2;
    }
  role_name = g_ascii_strup (role_option, -1);
  if (!cl_user_role_from_string (role_name, &role, &error))
    {
      g_printerr ("cardline-admin user add: %s\n", error->message);
      return 2;
    }
  if (!(password = read_password (&error)))
    {
      g_printerr ("cardline-admin user add: %s\n", error->message);
      return 1;
    }
  if (!cl_store_user_add_with_password (store, name, role, password, actor, &error))
    {
      g_printerr ("cardline-admin user add: %s\n", error->message);
      return 1;
    }
  printf ("Added user %s (%s).\n", name, cl_user_role_to_string (role));
  return 0;
}

static int
user_list (ClStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) users = cl_store_user_list (store, &error);

  if (users == NULL)
    {
      g_printerr ("cardline-admin user list: %s\n", error->message);
      return 1;
    }
  printf ("%-24s %-11s %-8s %-8s %s\n", "NAME", "ROLE", "STATE", "PASSWORD", "CREATED");
  for (guint i = 0; i < users->len; i++)
    {
      ClUserInfo *info = g_ptr_array_index (users, i);
      g_autoptr (GDateTime) created = g_date_time_new_from_unix_local (info->created / G_USEC_PER_SEC);
      g_autofree char *when = g_date_time_format (created, "%Y-%m-%d %H:%M");

      printf ("%-24s %-11s %-8s %-8s %s\n", info->name, cl_user_role_to_string (info->role),
              info->disabled ? "disabled" : "active", info->has_password ? "set" : "none", when);
    }
  return 0;
}

static int
user_disable (ClStore *store, const char *name, const char *actor)
{
  g_autoptr (GError) error = NULL;

  if (!cl_store_user_disable (store, name, actor, &error))
    {
      g_printerr ("cardline-admin user disable: %s\n", error->message);
      return 1;
    }
  printf ("Disabled user %s.\n", name);
  return 0;
}

static int
run (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("add NAME --role ROLE | list | disable NAME");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autofree char *path = NULL;
  g_autofree char *actor = NULL;
  const char *verb;

  g_option_context_set_summary (context,
                                "Manage the station's operator, supervisor, QA, custodian and admin accounts.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-admin user: %s\n", error->message);
      return 2;
    }
  if (argc < 2)
    {
      g_printerr ("cardline-admin user: expected add, list or disable\n");
      return 2;
    }
  verb = argv[1];
  path = cl_store_location (store_option);
  store = cl_store_open (path, &error);
  if (store == NULL)
    {
      g_printerr ("cardline-admin user: %s\n", error->message);
      return 1;
    }
  actor = g_strdup_printf ("admin:%s", actor_option ? actor_option : g_get_user_name ());
  if (g_str_equal (verb, "list") && argc == 2)
    return user_list (store);
  if (g_str_equal (verb, "add") && argc == 3)
    return user_add (store, argv[2], actor);
  if (g_str_equal (verb, "disable") && argc == 3)
    return user_disable (store, argv[2], actor);
  g_printerr ("cardline-admin user: expected “add NAME”, “list” or “disable NAME”\n");
  return 2;
}

const ClAdminCommand cl_admin_command_user = {
  .name = "user",
  .summary = "Add, list or disable station accounts",
  .run = run,
};
