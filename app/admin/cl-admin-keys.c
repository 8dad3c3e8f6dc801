/* cardline-admin keys: the key ceremony (lib/keys) on the configured token.
 *
 * Token: CARDLINE_P11_MODULE, CARDLINE_P11_TOKEN, CARDLINE_P11_PIN_FILE. Audit: the hash-chained audit trail of
 * the store --audit FILE, else $CARDLINE_KEYS_AUDIT, else the station store (cl_store_location(), as cardline
 * picks it), so ceremonies and production share one chain. A key custodian or administrator of that store signs
 * in (cl-admin-auth.h: --user, --password-file or the terminal) and is the actor of every record.
 * Secrets (components, passwords, password shares) never come from the command line. On a terminal they are
 * typed with echo off. Otherwise (scripted ceremonies, tests) they are read one per line from standard input
 * — the documented non-terminal mode — and secrets to be shown (generated components, password shares) are
 * written one per 0600 file into --secret-dir instead of the screen. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cl-admin-auth.h"
#include "cl-admin-commands.h"
#include "cl-admin-token.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "keys/cl-key-ceremony.h"
#include "keys/cl-key-inventory.h"
#include "keys/cl-key-transport.h"
#include "keys/cl-password-shares.h"
#include "store/cl-store-location.h"
#include "schsm/cl-dkek-share.h"

typedef struct
{
  char *secret_dir;
  guint shown;
} Io;

/* One line from stdin; echo off on a terminal. The caller wipes and frees it. */
static char *
read_secret (const char *prompt, GError **error)
{
  gboolean tty = isatty (STDIN_FILENO);
  struct termios old, quiet;
  char buffer[256];
  char *line;

  if (tty)
    {
      fprintf (stderr, "%s: ", prompt);
      fflush (stderr);
      tcgetattr (STDIN_FILENO, &old);
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  line = fgets (buffer, sizeof buffer, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
      fputc ('\n', stderr);
    }
  if (line == NULL)
    {
      cl_wipe (buffer, sizeof buffer);
      g_set_error (error, CL_ERROR, CL_ERROR_CANCELLED, "No input for \"%s\"", prompt);
      return NULL;
    }
  buffer[strcspn (buffer, "\r\n")] = '\0';
  line = g_strdup (buffer);
  cl_wipe (buffer, sizeof buffer);
  return line;
}

static char *
prompt_component (const ClKeyComponentInfo *info, gpointer user_data, GError **error)
{
  g_autofree char *prompt
    = g_strdup_printf ("Component %u of %u for %s%s%s", info->index, info->count, info->label,
                       info->custodian ? ", custodian " : "", info->custodian ? info->custodian : "");
  return read_secret (prompt, error);
}

static gboolean
confirm_component (const ClKeyComponentInfo *info, const char *kcv_hex, gpointer user_data)
{
  printf ("Component %u of %u for %s: check value %s\n", info->index, info->count, info->label, kcv_hex);
  fflush (stdout);
  if (isatty (STDIN_FILENO))
    {
      char answer[16] = "";
      fprintf (stderr, "Does it match the custodian's slip? [y/N] ");
      if (fgets (answer, sizeof answer, stdin) == NULL || (answer[0] != 'y' && answer[0] != 'Y'))
        return FALSE;
    }
  return TRUE;
}

/* Shows a secret once: on a terminal, then clears the screen; otherwise into a 0600 file of --secret-dir. */
static gboolean
show_secret (Io *io, const char *title, const char *secret, const char *kcv_hex, GError **error)
{
  if (isatty (STDOUT_FILENO) && isatty (STDIN_FILENO))
    {
      char enter[8];
      printf ("\n%s\n%s\n\nNote it down, then press Enter.", title, secret);
      fflush (stdout);
      if (fgets (enter, sizeof enter, stdin) == NULL)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_CANCELLED, "Ceremony interrupted");
          return FALSE;
        }
      printf ("\033[H\033[2J\033[3J");
    }
  else
    {
      g_autofree char *file = NULL;
      if (io->secret_dir == NULL)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                       "Not on a terminal: --secret-dir is needed to hand out %s", title);
          return FALSE;
        }
      /* Never overwrite an earlier hand-out that nobody has collected yet. */
      do
        {
          g_free (file);
          file = g_strdup_printf ("%s/secret-%02u.txt", io->secret_dir, ++io->shown);
        }
      while (g_file_test (file, G_FILE_TEST_EXISTS));
      if (!g_file_set_contents_full (file, secret, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
        return FALSE;
      printf ("%s written to %s\n", title, file);
    }
  if (kcv_hex != NULL)
    printf ("%s: check value %s\n", title, kcv_hex);
  fflush (stdout);
  return TRUE;
}

static gboolean
show_component (const ClKeyComponentInfo *info, const char *hex, const char *kcv_hex, gpointer user_data,
                GError **error)
{
  g_autofree char *title
    = g_strdup_printf ("Component %u of %u for %s%s%s", info->index, info->count, info->label,
                       info->custodian ? ", custodian " : "", info->custodian ? info->custodian : "");
  return show_secret (user_data, title, hex, kcv_hex, error);
}

static ClKeyAudit *
open_audit (const char *path, GError **error)
{
  g_autofree char *fallback = NULL;

  /* ceremonies land in the station store's audit chain, next to production's records */
  if (path == NULL)
    path = g_getenv ("CARDLINE_KEYS_AUDIT");
  if (path == NULL)
    path = fallback = cl_store_location (NULL);
  return cl_key_audit_new (path, error);
}

static void
print_record (const ClKeyRecord *r)
{
  g_autoptr (GDateTime) created = g_date_time_new_from_unix_utc (r->created);
  g_autofree char *created_s = g_date_time_format (created, "%F %T");
  g_autofree char *used_s = NULL;
  g_autofree char *kcv = g_strjoin ("/", r->kcv[0] ? r->kcv[0] : "", r->kcv[1], r->kcv[2], NULL);

  if (r->last_used > 0)
    {
      g_autoptr (GDateTime) used = g_date_time_new_from_unix_utc (r->last_used);
      used_s = g_date_time_format (used, "%F %T");
    }
  printf ("%-20s %3u  %-9s %-4s %2zu  %-20s %-8s %-19s %-19s %s%s\n", r->name, r->version,
          cl_key_kind_to_string (r->kind), cl_key_type_to_string (r->type), r->length, kcv,
          cl_kcv_method_to_string (r->kcv_method), created_s, used_s ? used_s : "never",
          r->retired ? "retired" : "active", r->exportable ? ",exportable" : "");
}

static int
fail (const char *what, GError *error)
{
  g_printerr ("cardline-admin keys %s: %s\n", what, error->message);
  g_error_free (error);
  return 1;
}

int keys_main (int argc, char **argv);

int
keys_main (int argc, char **argv)
{
  g_autofree char *name = NULL, *kind_s = NULL, *type_s = NULL, *method_s = NULL, *audit_path = NULL;
  g_autofree char *actor = NULL, *transport = NULL, *out = NULL, *secret_dir = NULL;
  g_auto (GStrv) custodians = NULL;
  g_auto (ClAdminAuth) auth = { 0 };
  gint version = 1, length = 16, components = 2, transport_version = 1, threshold = 0, total = 0, n_shares = 0;
  gboolean exportable = FALSE, destroy = FALSE;
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Key name (label stem)", "NAME" },
    { "key-version", 0, 0, G_OPTION_ARG_INT, &version, "Key version 1..127 [1]", "V" },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind_s, "set, single or transport [set]", "KIND" },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type_s, "aes or des3 [aes]", "TYPE" },
    { "length", 0, 0, G_OPTION_ARG_INT, &length, "Key length in bytes [16]", "N" },
    { "kcv-method", 0, 0, G_OPTION_ARG_STRING, &method_s, "gp or aes-cmac [gp]", "METHOD" },
    { "components", 0, 0, G_OPTION_ARG_INT, &components, "Number of components M [2]", "M" },
    { "custodian", 0, 0, G_OPTION_ARG_STRING_ARRAY, &custodians, "Custodian of the next component (repeat)", "WHO" },
    { "exportable", 0, 0, G_OPTION_ARG_NONE, &exportable, "May be wrapped out under a transport key", NULL },
    { "transport", 0, 0, G_OPTION_ARG_STRING, &transport, "Transport key name (export)", "NAME" },
    { "transport-version", 0, 0, G_OPTION_ARG_INT, &transport_version, "Transport key version [1]", "V" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Output file (export)", "FILE" },
    { "destroy", 0, 0, G_OPTION_ARG_NONE, &destroy, "retire: destroy the key objects", NULL },
    { "threshold", 0, 0, G_OPTION_ARG_INT, &threshold, "dkek-split: shares needed", "N" },
    { "shares", 0, 0, G_OPTION_ARG_INT, &total, "dkek-split: shares made", "M" },
    { "combine", 0, 0, G_OPTION_ARG_INT, &n_shares, "dkek-combine: shares presented", "N" },
    { "secret-dir", 0, 0, G_OPTION_ARG_FILENAME, &secret_dir, "Not on a terminal: where secrets are handed out",
      "DIR" },
    { "audit", 0, 0, G_OPTION_ARG_FILENAME, &audit_path,
      "Store for the audit trail (default: $CARDLINE_KEYS_AUDIT, else the station's store)", "FILE" },
    CL_ADMIN_AUTH_ENTRIES (auth),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (
    "generate|import|export|import-wrapped FILE|list|retire|dkek-create FILE|dkek-split FILE|dkek-combine FILE");
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (ClKeyAudit) audit = NULL;
  GError *error = NULL;
  const char *action;
  ClKeySpec spec = { 0 };
  Io io = { NULL, 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Key ceremony: master keys from components, transport files, DKEK shares.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail ("", error);
  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return 2;
    }
  action = argv[1];
  io.secret_dir = secret_dir;
  audit = open_audit (audit_path, &error);
  if (audit == NULL)
    return fail (action, error);
  actor = cl_admin_sign_in (cl_key_audit_get_store (audit), &auth,
                            CL_ROLE_BIT (CL_ROLE_CUSTODIAN) | CL_ROLE_BIT (CL_ROLE_ADMIN), "keys", "handle keys");
  if (actor == NULL)
    return 1;

  if (g_str_equal (action, "dkek-create") || g_str_equal (action, "dkek-split") || g_str_equal (action, "dkek-combine"))
    {
      guint8 share[CL_DKEK_SHARE_LEN], kcv[32], password[8];
      g_autoptr (GBytes) file = NULL;
      g_autofree char *kcv_hex = NULL, *details = NULL;
      char *typed = NULL;

      if (argc != 3)
        return g_printerr ("cardline-admin keys %s: name the share file\n", action), 2;
      if (g_str_equal (action, "dkek-combine"))
        {
          g_autofree char *contents = NULL;
          ClPasswordShare shares[CL_PASSWORD_SHARES_MAX];
          guint64 prime = 0;
          gsize len;
          char *line;
          gboolean ok;

          if (n_shares < 1 || n_shares > CL_PASSWORD_SHARES_MAX)
            return g_printerr ("cardline-admin keys dkek-combine: --combine N (shares presented) is needed\n"), 2;
          if (!g_file_get_contents (argv[2], &contents, &len, &error))
            return fail (action, error);
          line = read_secret ("Prime", &error);
          ok = line != NULL && cl_password_share_parse_hex (line, &prime, &error);
          g_free (line);
          for (gint i = 0; ok && i < n_shares; i++)
            {
              g_autofree char *p_id = g_strdup_printf ("Share %d ID", i + 1);
              g_autofree char *p_val = g_strdup_printf ("Share %d value", i + 1);
              line = read_secret (p_id, &error);
              ok = line != NULL && cl_password_share_parse_id (line, &shares[i].id, &error);
              g_free (line);
              line = ok ? read_secret (p_val, &error) : NULL;
              ok = ok && line != NULL && cl_password_share_parse_hex (line, &shares[i].value, &error);
              if (line != NULL)
                cl_wipe (line, strlen (line));
              g_free (line);
            }
          ok = ok && cl_password_shares_combine (prime, shares, (guint)n_shares, password, &error);
          cl_wipe (shares, sizeof shares);
          if (ok)
            printf ("Deciphering DKEK share, please wait...\n");
          ok = ok && cl_dkek_share_decrypt ((const guint8 *)contents, len, (const char *)password, 8, share, &error);
          cl_wipe (password, sizeof password);
          if (!ok)
            {
              cl_key_audit_record (audit, actor, "dkek.combine.failed", argv[2], error->message, NULL);
              return fail (action, error);
            }
        }
      else
        {
          if (!cl_random_bytes (share, sizeof share, &error))
            return fail (action, error);
          if (g_str_equal (action, "dkek-create"))
            {
              typed = read_secret ("Password to encrypt the DKEK share", &error);
              if (typed == NULL)
                return fail (action, error);
              if (strlen (typed) < 6)
                {
                  cl_wipe (typed, strlen (typed));
                  g_free (typed);
                  return g_printerr ("cardline-admin keys dkek-create: the password needs 6 characters or more\n"), 1;
                }
            }
          else
            {
              ClPasswordShare shares[CL_PASSWORD_SHARES_MAX];
              guint64 prime;

              if (total < 2 || total > CL_PASSWORD_SHARES_MAX)
                return g_printerr ("cardline-admin keys dkek-split: --threshold N --shares M are needed\n"), 2;
              if (!cl_password_shares_split ((guint)threshold, (guint)total, &prime, password, shares, &error))
                return fail (action, error);
              for (gint i = 0; i < total; i++)
                {
                  g_autofree char *text = cl_password_share_format (prime, &shares[i]);
                  g_autofree char *title
                    = g_strdup_printf ("Password share %d of %d (%d needed)", i + 1, total, threshold);
                  gboolean ok = show_secret (&io, title, text, NULL, &error);
                  cl_wipe (text, strlen (text));
                  if (!ok)
                    return cl_wipe (password, 8), fail (action, error);
                }
              cl_wipe (shares, sizeof shares);
              typed = g_malloc (9);
              memcpy (typed, password, 8);
              typed[8] = '\0';
              cl_wipe (password, 8);
            }
          printf ("Enciphering DKEK share, please wait...\n");
          fflush (stdout);
          file = cl_dkek_share_encrypt (share, typed, g_str_equal (action, "dkek-split") ? 8 : strlen (typed), NULL,
                                        &error);
          cl_wipe (typed, 8);
          g_free (typed);
          if (file == NULL
              || !g_file_set_contents_full (argv[2], g_bytes_get_data (file, NULL), g_bytes_get_size (file),
                                            G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
            return cl_wipe (share, sizeof share), fail (action, error);
        }
      /* The KCV the SmartCard-HSM reports when this is its only share: SHA-256(share)[0..7]. */
      cl_sha256 (share, sizeof share, kcv);
      cl_wipe (share, sizeof share);
      kcv_hex = cl_hex_encode (kcv, 8);
      printf ("DKEK share %s: check value (as the only share) %s\n", argv[2], kcv_hex);
      details = g_str_equal (action, "dkek-split") ? g_strdup_printf (
                  "file=%s kcv-if-only-share=%s password-split=%d-of-%d", argv[2], kcv_hex, threshold, total)
                                                   : g_strdup_printf ("file=%s kcv-if-only-share=%s", argv[2], kcv_hex);
      if (!cl_key_audit_record (audit, actor,
                                g_str_equal (action, "dkek-create")  ? "dkek.create"
                                : g_str_equal (action, "dkek-split") ? "dkek.split"
                                                                     : "dkek.combine",
                                argv[2], details, &error))
        return fail (action, error);
      return 0;
    }

  token = cl_admin_token_open (&error);
  if (token == NULL)
    return fail (action, error);

  if (g_str_equal (action, "generate") || g_str_equal (action, "import"))
    {
      ClKeyCeremonyIo cio = { show_component, prompt_component, confirm_component, &io };
      g_autoptr (ClKeyRecord) record = NULL;

      spec.name = name;
      spec.version = (guint8)CLAMP (version, 0, 255);
      spec.length = (gsize)MAX (length, 0);
      spec.exportable = exportable;
      if ((kind_s != NULL && !cl_key_kind_from_string (kind_s, &spec.kind, &error))
          || (type_s != NULL && !cl_key_type_from_string (type_s, &spec.type, &error))
          || (method_s != NULL && !cl_kcv_method_from_string (method_s, &spec.kcv_method, &error)))
        return fail (action, error);
      record = g_str_equal (action, "generate")
                 ? cl_key_ceremony_generate (token, &spec, (guint)MAX (components, 0), (const char *const *)custodians,
                                             &cio, audit, actor, &error)
                 : cl_key_ceremony_import (token, &spec, (guint)MAX (components, 0), (const char *const *)custodians,
                                           &cio, audit, actor, &error);
      if (record == NULL)
        return fail (action, error);
      for (guint i = 0; i < cl_key_kind_get_n_keys (record->kind); i++)
        printf ("Key %s/%s version %u: check value %s (%s), combined %s\n", record->name,
                cl_key_kind_get_slot_name (record->kind, i), record->version, record->kcv[i],
                cl_kcv_method_to_string (record->kcv_method),
                record->origin == CL_KEY_ORIGIN_COMBINED_IN_TOKEN ? "in the token" : "in locked host memory");
      return 0;
    }
  if (g_str_equal (action, "list"))
    {
      g_autoptr (GPtrArray) list = cl_key_inventory_list (token, &error);
      if (list == NULL)
        return fail (action, error);
      printf ("%-20s %3s  %-9s %-4s %2s  %-20s %-8s %-19s %-19s %s\n", "NAME", "VER", "KIND", "TYPE", "LN", "KCV",
              "METHOD", "CREATED (UTC)", "LAST USED", "STATE");
      for (guint i = 0; i < list->len; i++)
        print_record (g_ptr_array_index (list, i));
      return 0;
    }
  if (g_str_equal (action, "retire"))
    {
      if (name == NULL)
        return g_printerr ("cardline-admin keys retire: --name is needed\n"), 2;
      if (!cl_key_inventory_retire (token, name, (guint8)CLAMP (version, 0, 255), destroy, audit, actor, &error))
        return fail (action, error);
      printf ("Key %s version %d retired%s\n", name, version, destroy ? " and destroyed" : "");
      return 0;
    }
  if (g_str_equal (action, "export"))
    {
      g_autoptr (ClKeyRecord) record = NULL;
      if (name == NULL || transport == NULL || out == NULL)
        return g_printerr ("cardline-admin keys export: --name, --transport and --out are needed\n"), 2;
      record = cl_key_transport_export (token, name, (guint8)CLAMP (version, 0, 255), transport,
                                        (guint8)CLAMP (transport_version, 0, 255), out, audit, actor, &error);
      if (record == NULL)
        return fail (action, error);
      printf ("Key %s version %u wrapped under %s/%d into %s; check value %s\n", name, record->version, transport,
              transport_version, out, record->kcv[0]);
      return 0;
    }
  if (g_str_equal (action, "import-wrapped"))
    {
      g_autoptr (ClKeyRecord) record = NULL;
      if (argc != 3)
        return g_printerr ("cardline-admin keys import-wrapped: name the file\n"), 2;
      record = cl_key_transport_import (token, argv[2], audit, actor, &error);
      if (record == NULL)
        return fail (action, error);
      printf ("Key %s version %u imported; check value %s matches the file\n", record->name, record->version,
              record->kcv[0]);
      return 0;
    }
  g_printerr ("cardline-admin keys: unknown action “%s”\n", action);
  return 2;
}

const ClAdminCommand cl_admin_command_keys = {
  .name = "keys",
  .summary = "Key ceremony: generate, import, export, list, retire keys; DKEK shares",
  .run = keys_main,
};
