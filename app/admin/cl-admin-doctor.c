/* cardline-admin doctor: checks a station's installation against the profile it will run and says what to fix,
 * one line per check: pcscd and its readers; the PKCS#11 module, token and PIN file; the profile, its CAP file,
 * certificates and face; each key it names and each mechanism it needs (production/cl-station-check.h); the card
 * printer; the card-face destination; the store (its files owner-only, then verified on a snapshot: the station's
 * own file is only read).
 * Exit status 0 only when every check passed: the station can produce with that profile. */
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "cl-admin-commands.h"
#include "core/cl-json.h"
#include "cups/cl-face-printer.h"
#include "pcsc/cl-pcsc-reader.h"
#include "printer/cl-evolis-printer.h"
#include "printer/cl-printer-address.h"
#include "production/cl-production-env.h"
#include "production/cl-station-check.h"
#include "store/cl-store-location.h"
#include "store/cl-store-records.h"
#include "store/cl-store-snapshot.h"
#include "store/cl-store.h"

#define PRINTER_TIMEOUT_MS 5000
#define FACE_TIMEOUT_MS    5000

static void
add (GPtrArray *checks, ClStationCheck *check)
{
  g_ptr_array_add (checks, check);
}

static void
check_pcscd (GPtrArray *checks)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) readers = cl_pcsc_list_readers (&error);
  const char *socket = g_getenv ("PCSCLITE_CSOCK_NAME");
  g_autofree char *names = NULL;

  if (readers == NULL)
    {
      add (checks, cl_station_check_new ("pcscd", FALSE, "%s at %s: start pcscd (systemctl start pcscd.socket)",
                                         error->message, socket != NULL ? socket : "/run/pcscd/pcscd.comm"));
      return;
    }
  if (readers[0] == NULL)
    {
      add (checks, cl_station_check_new ("pcscd", FALSE,
                                         "pcscd answers but sees no reader: plug in the reader or the printer (a "
                                         "printer's contact station is its reader)"));
      return;
    }
  names = g_strjoinv (", ", readers);
  add (checks, cl_station_check_new ("pcscd", TRUE, "%u reader(s): %s", g_strv_length (readers), names));
}

static ClP11Token *
check_token (GPtrArray *checks)
{
  const char *module = g_getenv ("CARDLINE_P11_MODULE");
  const char *label = g_getenv ("CARDLINE_P11_TOKEN");
  const char *pin_file = g_getenv ("CARDLINE_P11_PIN_FILE");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11Token) token = NULL;

  if (module == NULL || label == NULL)
    {
      add (checks, cl_station_check_new ("token", FALSE,
                                         "set CARDLINE_P11_MODULE and CARDLINE_P11_TOKEN (%s is "
                                         "missing)",
                                         module == NULL ? "CARDLINE_P11_MODULE" : "CARDLINE_P11_TOKEN"));
      return NULL;
    }
  token = cl_p11_token_open (module, label, &error);
  if (token == NULL)
    {
      add (checks, cl_station_check_new ("token", FALSE, "%s (module %s)", error->message, module));
      return NULL;
    }
  add (checks, cl_station_check_new ("token", TRUE, "token \"%s\" present (module %s)", label, module));
  if (pin_file == NULL)
    {
      add (checks, cl_station_check_new ("pin file", FALSE,
                                         "set CARDLINE_P11_PIN_FILE to a 0600 file holding the "
                                         "token's user PIN"));
      return NULL;
    }
  if (!cl_p11_token_login_with_pin_file (token, pin_file, &error))
    {
      add (checks, cl_station_check_new ("pin file", FALSE, "%s (chmod 0600 %s; it must hold the user PIN)",
                                         error->message, pin_file));
      return NULL;
    }
  add (checks, cl_station_check_new ("pin file", TRUE, "%s: owner-only, logged in", pin_file));
  return g_steal_pointer (&token);
}

static ClProfile *
check_profile (const char *name, GPtrArray *checks)
{
  g_autoptr (GError) error = NULL;
  ClProfile *profile = cl_production_profile_open (name, &error);

  if (profile == NULL)
    add (checks, cl_station_check_new ("profile", FALSE, "%s", error->message));
  else
    add (checks, cl_station_check_new ("profile", TRUE, "%s (%s)", cl_profile_get_name (profile),
                                       cl_profile_get_path (profile)));
  return profile;
}

static const char *const feeder_levels[] = { "full", "half", "low", "empty" };

static void
check_printer (const char *address, GPtrArray *checks)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClPrinterTransport) transport = cl_printer_address_connect (address, PRINTER_TIMEOUT_MS, NULL, &error);
  g_autoptr (ClCardPrinter) printer = NULL;
  g_autoptr (ClPrinterIdentity) identity = NULL;
  ClPrinterStatus status;

  if (transport != NULL)
    {
      printer = cl_evolis_printer_new (transport);
      identity = cl_card_printer_identify (printer, NULL, &error);
    }
  if (identity == NULL || !cl_card_printer_get_status (printer, &status, NULL, &error))
    {
      add (checks, cl_station_check_new ("printer", FALSE,
                                         "%s does not answer: %s (check its cable or address, "
                                         "power and the cardline group's access to it)",
                                         address, error->message));
      return;
    }
  add (checks,
       cl_station_check_new ("printer", TRUE, "%s: model %s, serial %s, firmware %s, %" G_GUINT64_FORMAT " cards moved",
                             address, identity->model, identity->serial, identity->firmware, status.card_count));
  if (status.cover_open)
    add (checks, cl_station_check_new ("printer cover", FALSE, "open: close the printer's cover"));
  if (status.card != CL_PRINTER_CARD_NONE)
    add (checks, cl_station_check_new ("printer card", FALSE, "a card is inside: take it out (or reset the printer)"));
  add (checks, status.feeder == CL_PRINTER_FEEDER_EMPTY
                 ? cl_station_check_new ("printer feeder", FALSE, "empty: load blank cards")
                 : cl_station_check_new ("printer feeder", TRUE, "%s", feeder_levels[status.feeder]));
  /* The Evolis status has no ribbon level: an exhausted ribbon shows as the first feed's NACK (a line fault). */
  add (checks, cl_station_check_new ("printer ribbon", TRUE,
                                     "not reported by the printer's status; a ribbon-out "
                                     "pauses the line at the first feed"));
}

static void
check_face (const char *destination, GPtrArray *checks)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *state = NULL;

  if (!cl_face_printer_check (destination, FACE_TIMEOUT_MS, &state, &error))
    add (checks,
         cl_station_check_new ("cups", FALSE, "%s (give --face-printer or set CARDLINE_IPP_URI)", error->message));
  else
    add (checks, cl_station_check_new ("cups", TRUE, "%s accepts jobs (%s)", destination, state));
}

static void
check_store (const char *path, GPtrArray *checks)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) modes_error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cardline-doctor-XXXXXX", &error);
  g_autofree char *copy = dir != NULL ? g_build_filename (dir, "store.db", NULL) : NULL;
  g_autoptr (ClStore) store = NULL;
  guint64 records = 0;

  if (cl_store_is_postgresql (path))
    {
      /* a database server: read in place (a server's store is not copied), through a read-only session */
      store = cl_store_open_readonly (path, &error);
      if (store != NULL)
        cl_store_verify_audit_chain (store, &records, &error);
      if (error != NULL)
        add (checks, cl_station_check_new ("store", FALSE, "%s (is the database server up, and the URI right?)",
                                           error->message));
      else
        add (checks, cl_station_check_new ("store", TRUE, "%s: audit chain of %" G_GUINT64_FORMAT " records verified",
                                           cl_store_get_path (store), records));
      if (dir != NULL)
        g_rmdir (dir);
      return;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *parent = g_path_get_dirname (path);
      g_autofree char *grandparent = g_path_get_dirname (parent);
      /* the station creates the store (and its folder, 0700) on its first run */
      gboolean creatable = g_file_test (parent, G_FILE_TEST_IS_DIR)
                             ? g_access (parent, W_OK) == 0
                             : g_file_test (grandparent, G_FILE_TEST_IS_DIR) && g_access (grandparent, W_OK) == 0;

      add (checks, creatable ? cl_station_check_new ("store", TRUE,
                                                     "none yet at %s: the station creates it on its "
                                                     "first run",
                                                     path)
                             : cl_station_check_new ("store", FALSE,
                                                     "no store at %s and its folder cannot be created "
                                                     "or written (check CARDLINE_STORE and the "
                                                     "folder's owner)",
                                                     path));
      return;
    }
  /* the store holds password hashes: readable by others it is a leak even when its records verify */
  if (!cl_store_check_file_modes (path, &modes_error))
    add (checks, cl_station_check_new ("store modes", FALSE, "%s", modes_error->message));
  else
    add (checks, cl_station_check_new ("store modes", TRUE, "%s (and its -wal, -shm): owner only (0600)", path));
  if (dir != NULL && cl_store_snapshot (path, copy, &error) && (store = cl_store_open (copy, &error)) != NULL
      && cl_store_integrity_check (store, &error))
    cl_store_verify_audit_chain (store, &records, &error);
  if (error != NULL)
    add (checks, cl_station_check_new ("store", FALSE,
                                       "%s: %s (restore it from a backup; cardline-admin store "
                                       "verify says more)",
                                       path, error->message));
  else
    add (checks,
         cl_station_check_new ("store", TRUE, "%s: integrity ok, audit chain of %" G_GUINT64_FORMAT " records verified",
                               path, records));
  g_clear_object (&store);
  if (copy != NULL)
    {
      g_autofree char *wal = g_strconcat (copy, "-wal", NULL), *shm = g_strconcat (copy, "-shm", NULL);

      g_remove (wal);
      g_remove (shm);
      g_remove (copy);
    }
  if (dir != NULL)
    g_rmdir (dir);
}

static void
print_text (GPtrArray *checks, gboolean ok)
{
  for (guint i = 0; i < checks->len; i++)
    {
      ClStationCheck *check = checks->pdata[i];

      printf ("%-4s %s: %s\n", check->ok ? "ok" : "FAIL", check->part, check->detail);
    }
  printf ("%s\n", ok ? "doctor: the station can produce" : "doctor: fix what FAIL names, then run doctor again");
}

static void
print_json (GPtrArray *checks, gboolean ok)
{
  g_autoptr (GString) out = g_string_new (NULL);

  g_string_append_printf (out, "{\"ok\":%s,\"checks\":[", ok ? "true" : "false");
  for (guint i = 0; i < checks->len; i++)
    {
      ClStationCheck *check = checks->pdata[i];

      g_string_append_printf (out, "%s{\"part\":", i ? "," : "");
      cl_json_append_string (out, check->part);
      g_string_append_printf (out, ",\"ok\":%s,\"detail\":", check->ok ? "true" : "false");
      cl_json_append_string (out, check->detail);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}\n");
  fputs (out->str, stdout);
}

static int
run (int argc, char **argv)
{
  g_autofree char *profile_name = NULL, *printer = NULL, *face = NULL, *store_option = NULL, *store_path = NULL;
  gboolean json = FALSE, ok = TRUE;
  const GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile_name,
      "the profile to produce with (a file or an installed "
      "profile's name)",
      "PROFILE" },
    { "printer", 0, 0, G_OPTION_ARG_STRING, &printer,
      "the card printer (tcp://HOST:PORT, usb: or usb:VID:PID; default $CARDLINE_PRINTER)", "URI" },
    { "face-printer", 0, 0, G_OPTION_ARG_STRING, &face, "card-face destination (default $CARDLINE_IPP_URI)", "URI" },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_option, "store file (default: the station's store)", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "one JSON object with every check, for scripts", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— check this station and say what to fix");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) checks = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_station_check_free);
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (ClProfile) profile = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 1)
    {
      g_printerr ("cardline-admin doctor: %s\n", error != NULL ? error->message : "no arguments expected");
      return 2;
    }
  if (printer == NULL && g_getenv ("CARDLINE_PRINTER") != NULL && *g_getenv ("CARDLINE_PRINTER") != '\0')
    printer = g_strdup (g_getenv ("CARDLINE_PRINTER"));
  if (face == NULL && g_getenv ("CARDLINE_IPP_URI") != NULL && *g_getenv ("CARDLINE_IPP_URI") != '\0')
    face = g_strdup (g_getenv ("CARDLINE_IPP_URI"));
  store_path = cl_store_location_full (store_option, NULL);

  check_pcscd (checks);
  token = check_token (checks);
  if (profile_name != NULL && (profile = check_profile (profile_name, checks)) != NULL)
    {
      cl_station_check_profile_files (profile, checks);
      if (token != NULL)
        cl_station_check_profile_token (profile, token, checks);
    }
  if (printer != NULL)
    check_printer (printer, checks);
  if (face != NULL)
    check_face (face, checks);
  else if (profile != NULL && cl_profile_get_face_template (profile) != NULL)
    add (checks, cl_station_check_new ("cups", FALSE,
                                       "profile %s prints card faces: give --face-printer URI|QUEUE "
                                       "or set CARDLINE_IPP_URI",
                                       cl_profile_get_name (profile)));
  check_store (store_path, checks);

  for (guint i = 0; i < checks->len; i++)
    ok = ok && ((ClStationCheck *)checks->pdata[i])->ok;
  if (json)
    print_json (checks, ok);
  else
    print_text (checks, ok);
  return ok ? 0 : 1;
}

const ClAdminCommand cl_admin_command_doctor = {
  .name = "doctor",
  .summary = "Check this station (pcscd, token, keys, mechanisms, CAP, printer, CUPS, store) and say what to fix",
  .run = run,
};
