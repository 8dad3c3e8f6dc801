/* cardline-admin user: station accounts.
 *
 *   cardline-admin user add NAME --role ROLE [--new-password-file FILE]
 *   cardline-admin user list
 *   cardline-admin user disable NAME
 *
 * Every verb needs an administrator signed in (--user, --password-file or the terminal; cl-admin-auth.h), who is
 * the audit actor; the one exception is the first account of a store that has none, which must be an
 * administrator and names itself. The new account's password is read from --new-password-file (first line), or
 * from standard input: prompted without echo on a terminal, the first line otherwise. It is never taken from the
 * command line (it would show in ps and the shell history) and never printed; the store keeps only its PBKDF2
 * hash. Names in the listing are escaped (cl_text_escape): a name cannot forge a row. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <gio/gio.h>

#include "cl-admin-auth.h"
#include "cl-admin-commands.h"
#include "core/cl-name.h"
#include "core/cl-secret-file.h"
#include "store/cl-password-source.h"
#include "store/cl-store-location.h"

static char *store_option;
static char *role_option;
static char *password_file_option;
static ClAdminAuth auth;

static const GOptionEntry entries[] = {
  { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_option,
    "The station store (default: the station's store, as cardline picks it)", "PATH" },
  { "role", 0, 0, G_OPTION_ARG_STRING, &role_option, "add: OPERATOR, SUPERVISOR, QA, CUSTODIAN or ADMIN", "ROLE" },
  { "new-password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file_option,
    "add: read the new account's password from FILE's first line (default: standard input)", "FILE" },
  CL_ADMIN_AUTH_ENTRIES (auth),
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

  /* the same rule as every password file: private to its owner, or the password is not one */
  if (password_file_option != NULL)
    return cl_secret_file_read ("New password file", password_file_option, CL_PASSWORD_MAX_BYTES, error);
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
user_add (ClStore *store, const char *name, const char *actor, gboolean first)
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
  if (first && role != CL_ROLE_ADMIN)
    {
      g_printerr ("cardline-admin user add: the store has no accounts yet: the first one is an administrator "
                  "(--role admin)\n");
      return 1;
    }
  if (first ? !cl_store_user_add_first_admin (store, name, password, &error)
            : !cl_store_user_add_with_password (store, name, role, password, actor, &error))
    {
      g_printerr ("cardline-admin user add: %s\n", error->message);
      return 1;
    }
  {
    g_autofree char *shown = cl_text_escape (name);

    printf ("Added user %s (%s).\n", shown, cl_user_role_to_string (role));
  }
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
      g_autofree char *name = cl_text_escape (info->name);

      printf ("%-24s %-11s %-8s %-8s %s\n", name, cl_user_role_to_string (info->role),
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
  {
    g_autofree char *shown = cl_text_escape (name);

    printf ("Disabled user %s.\n", shown);
  }
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
  gboolean any = FALSE;

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
  if (!(g_str_equal (verb, "list") && argc == 2) && !(g_str_equal (verb, "add") && argc == 3)
      && !(g_str_equal (verb, "disable") && argc == 3))
    {
      g_printerr ("cardline-admin user: expected “add NAME”, “list” or “disable NAME”\n");
      return 2;
    }
  if (!cl_store_user_any (store, &any, &error))
    {
      g_printerr ("cardline-admin user: %s\n", error->message);
      return 1;
    }
  /* an empty store has nobody to sign in: its first account is the one thing allowed without */
  if (!any && g_str_equal (verb, "add"))
    return user_add (store, argv[2], NULL, TRUE);
  if (!(actor = cl_admin_sign_in (store, &auth, CL_ROLE_BIT (CL_ROLE_ADMIN), "user", "manage accounts")))
    return 1;
  if (g_str_equal (verb, "list"))
    return user_list (store);
  if (g_str_equal (verb, "add"))
    return user_add (store, argv[2], actor, FALSE);
  return user_disable (store, argv[2], actor);
}

const ClAdminCommand cl_admin_command_user = {
  .name = "user",
  .summary = "Add, list or disable station accounts",
  .run = run,
};
