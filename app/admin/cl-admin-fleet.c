/* cardline-admin fleet: the stations that share the store (cl-store-fleet.h).
 *
 *   fleet status [--store FILE|URI] [--json]
 *       Every registered station: state (LOST when it stopped beating), the fault's instruction, feeder and readers
 *       (the card and step at each), counters, throughput and yield of its current start; then the fleet's totals.
 *       Read only: no sign-in, nothing recorded.
 *   fleet recover [--store FILE|URI] [--user NAME] [--password-file FILE] (STATION | --all-lost)
 *       Closes a lost station's open attempts and expires its chip claims now, by the rule for a killed station
 *       (live stations do it with their heartbeat). An administrator or supervisor signs in; audited.
 *   fleet keys [--store FILE|URI] [--adopt STATION]
 *       Every station's key check values against the fleet's (cl-admin-fleet-keys.c). */
#include <stdio.h>

#include "cl-admin-auth.h"
#include "cl-admin-commands.h"
#include "cl-admin-fleet-keys.h"
#include "core/cl-json.h"
#include "core/cl-name.h"
#include "store/cl-store-fleet.h"
#include "store/cl-store-location.h"
#include "store/cl-store.h"

#define PREFIX "cardline-admin fleet"

static ClStore *
open_store (const char *option, GError **error)
{
  g_autofree char *location = cl_store_location_full (option, NULL);

  return cl_store_open_existing (location, error);
}

static const char *
state_word (const ClFleetStation *s)
{
  return s->lost ? "LOST" : cl_fleet_state_to_string (s->state);
}

static char *
ago (gint64 now, gint64 then)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT " s ago", MAX (now - then, 0) / G_USEC_PER_SEC);
}

static void
print_text (GPtrArray *stations, gint64 now)
{
  gint64 good = 0, rejected = 0, lost = 0;
  double per_min = 0;

  for (guint i = 0; i < stations->len; i++)
    {
      const ClFleetStation *s = g_ptr_array_index (stations, i);
      g_autofree char *name = cl_text_escape (s->name);
      g_autofree char *host = cl_text_escape (s->host);
      g_autofree char *beat = ago (now, s->heartbeat);
      double yield = cl_fleet_station_yield (s);
      double rate = cl_fleet_station_throughput (s);

      printf ("%s: %s", name, state_word (s));
      if (s->lost)
        printf (" (last state %s, no heartbeat for %" G_GINT64_FORMAT " s)", cl_fleet_state_to_string (s->state),
                MAX (now - s->heartbeat, 0) / G_USEC_PER_SEC);
      printf (", %s", s->feeder == CL_FLEET_FEEDER_PRINTER  ? "printer"
                      : s->feeder == CL_FLEET_FEEDER_REMOTE ? "remote"
                                                            : "rack");
      if (s->printer != NULL)
        {
          g_autofree char *printer = cl_text_escape (s->printer);

          printf (" %s", printer);
        }
      printf (", %u reader%s, host %s pid %" G_GINT64_FORMAT ", version %s\n", s->readers->len,
              s->readers->len == 1 ? "" : "s", host, s->pid, s->version);
      printf ("  good %" G_GINT64_FORMAT ", rejected %" G_GINT64_FORMAT, s->good, s->rejected);
      if (yield >= 0)
        printf (", yield %.1f%%", yield * 100);
      printf (", %.1f cards/min, heartbeat %s\n", rate, beat);
      if (s->instruction != NULL)
        {
          g_autofree char *instruction = cl_text_escape (s->instruction);

          printf ("  fault: %s\n", instruction);
        }
      if (s->recovered > 0)
        {
          g_autofree char *by = cl_text_escape (s->recovered_by);
          g_autofree char *when = ago (now, s->recovered);

          printf ("  open attempts closed and claims expired by %s, %s\n", by, when);
        }
      for (guint r = 0; r < s->readers->len; r++)
        {
          const ClFleetReader *reader = g_ptr_array_index (s->readers, r);
          g_autofree char *reader_name = cl_text_escape (reader->reader);

          if (!reader->card_present)
            printf ("  %s: no card\n", reader_name);
          else
            printf ("  %s: chip %s at %s\n", reader_name, reader->chip_id != NULL ? reader->chip_id : "(not read yet)",
                    reader->step >= 0 ? cl_production_step_to_string ((ClProductionStep)reader->step) : "(starting)");
        }
      good += s->good;
      rejected += s->rejected;
      lost += s->lost ? 1 : 0;
      if (!s->lost && s->state != CL_FLEET_STOPPED)
        per_min += rate;
    }
  printf ("fleet: %u station%s, %" G_GINT64_FORMAT " lost; good %" G_GINT64_FORMAT ", rejected %" G_GINT64_FORMAT,
          stations->len, stations->len == 1 ? "" : "s", lost, good, rejected);
  if (good + rejected > 0)
    printf (", yield %.1f%%", 100.0 * (double)good / (double)(good + rejected));
  printf (", %.1f cards/min\n", per_min);
}

static void
append_number (GString *out, const char *key, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out, ",\"%s\":%s", key, g_ascii_formatd (buf, sizeof buf, "%.3f", value));
}

static void
append_opt_string (GString *out, const char *key, const char *value)
{
  g_string_append_printf (out, ",\"%s\":", key);
  if (value == NULL)
    g_string_append (out, "null");
  else
    cl_json_append_string (out, value);
}

static void
print_json (GPtrArray *stations)
{
  g_autoptr (GString) out = g_string_new ("{\"stations\":[");

  for (guint i = 0; i < stations->len; i++)
    {
      const ClFleetStation *s = g_ptr_array_index (stations, i);
      double yield = cl_fleet_station_yield (s);

      g_string_append (out, i > 0 ? ",{\"name\":" : "{\"name\":");
      cl_json_append_string (out, s->name);
      g_string_append_printf (out, ",\"state\":\"%s\",\"lost\":%s,\"feeder\":\"%s\"",
                              cl_fleet_state_to_string (s->state), s->lost ? "true" : "false",
                              cl_fleet_feeder_to_string (s->feeder));
      append_opt_string (out, "instruction", s->instruction);
      append_opt_string (out, "host", s->host);
      g_string_append_printf (out, ",\"pid\":%" G_GINT64_FORMAT, s->pid);
      append_opt_string (out, "printer", s->printer);
      append_opt_string (out, "version", s->version);
      g_string_append_printf (out,
                              ",\"good\":%" G_GINT64_FORMAT ",\"rejected\":%" G_GINT64_FORMAT
                              ",\"heartbeat_us\":%" G_GINT64_FORMAT ",\"registered_us\":%" G_GINT64_FORMAT
                              ",\"lease_us\":%" G_GINT64_FORMAT,
                              s->good, s->rejected, s->heartbeat, s->registered, s->lease_us);
      append_number (out, "cards_per_min", cl_fleet_station_throughput (s));
      if (yield >= 0)
        append_number (out, "yield", yield);
      else
        g_string_append (out, ",\"yield\":null");
      append_opt_string (out, "recovered_by", s->recovered_by);
      g_string_append (out, ",\"readers\":[");
      for (guint r = 0; r < s->readers->len; r++)
        {
          const ClFleetReader *reader = g_ptr_array_index (s->readers, r);

          g_string_append (out, r > 0 ? ",{\"name\":" : "{\"name\":");
          cl_json_append_string (out, reader->reader);
          g_string_append_printf (out, ",\"card_present\":%s", reader->card_present ? "true" : "false");
          append_opt_string (out, "chip_id", reader->chip_id);
          append_opt_string (out, "step",
                             reader->step >= 0 ? cl_production_step_to_string ((ClProductionStep)reader->step) : NULL);
          g_string_append_c (out, '}');
        }
      g_string_append (out, "]}");
    }
  g_string_append (out, "]}");
  printf ("%s\n", out->str);
}

static int
status (const char *store_option, gboolean json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = open_store (store_option, &error);
  g_autoptr (GPtrArray) stations = NULL;
  gint64 now = g_get_real_time ();

  if (store == NULL || !(stations = cl_store_fleet_list (store, now, &error)))
    {
      g_printerr ("%s status: %s\n", PREFIX, error->message);
      return 1;
    }
  if (json)
    print_json (stations);
  else
    print_text (stations, now);
  return 0;
}

static int
recover (const char *store_option, ClAdminAuth *auth, const char *station, gboolean all)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = open_store (store_option, &error);
  g_autofree char *actor = NULL;
  gint n;

  if (store == NULL)
    goto fail;
  actor = cl_admin_sign_in (store, auth, CL_ROLE_BIT (CL_ROLE_SUPERVISOR) | CL_ROLE_BIT (CL_ROLE_ADMIN), "fleet",
                            "recover lost stations");
  if (actor == NULL)
    return 1;
  n = all ? cl_store_fleet_recover_all_lost (store, actor, &error)
          : cl_store_fleet_recover_lost (store, station, actor, &error);
  if (n < 0)
    goto fail;
  printf ("%d open attempt%s closed\n", n, n == 1 ? "" : "s");
  return 0;

fail:
  g_printerr ("%s recover: %s\n", PREFIX, error->message);
  return 1;
}

static int
run (int argc, char **argv)
{
  g_autofree char *store_option = NULL, *adopt = NULL;
  gboolean json = FALSE, all_lost = FALSE;
  g_auto (ClAdminAuth) auth = { 0 };
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_option,
      "store file or PostgreSQL URI (default: the station's store, as cardline picks it)", "STORE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "status: one JSON object", NULL },
    { "all-lost", 0, 0, G_OPTION_ARG_NONE, &all_lost, "recover: every lost station", NULL },
    { "adopt", 0, 0, G_OPTION_ARG_STRING, &adopt, "keys: make this station's recorded keys the fleet's (administrator)",
      "STATION" },
    CL_ADMIN_AUTH_ENTRIES (auth),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("status | recover (STATION | --all-lost) | keys");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", PREFIX, error->message);
      return 2;
    }
  if (argc == 2 && g_str_equal (argv[1], "keys"))
    return cl_admin_fleet_keys (store_option, adopt, &auth);
  if (argc == 2 && g_str_equal (argv[1], "status"))
    return status (store_option, json);
  if (argc == 3 && g_str_equal (argv[1], "recover") && !all_lost)
    return recover (store_option, &auth, argv[2], FALSE);
  if (argc == 2 && g_str_equal (argv[1], "recover") && all_lost)
    return recover (store_option, &auth, NULL, TRUE);
  g_printerr ("%s: usage: cardline-admin fleet status [--store STORE] [--json]\n"
              "       cardline-admin fleet recover [--store STORE] [--user NAME] [--password-file FILE] "
              "(STATION | --all-lost)\n"
              "       cardline-admin fleet keys [--store STORE] [--adopt STATION]\n",
              PREFIX);
  return 2;
}

const ClAdminCommand cl_admin_command_fleet = {
  .name = "fleet",
  .summary = "The stations sharing the store: `fleet status` (state, counters, lost stations), `fleet recover`, "
             "`fleet keys` (their key check values)",
  .run = run,
};
