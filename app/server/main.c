/* cardline-server: the production service (issue 16, DESIGN §8). It holds the PKCS#11 token and the store and
 * produces cards over RAMOverHTTP (OpenSCDP dialect) for clients at the readers, each admitted by a production URL
 * (`cardline-admin produce-url`). The token and profile come as for a station (lib/production/cl-production-env.h);
 * the engine is lib/remote/cl-remote-service.h.
 *
 *   cardline-server --profile P --cert FILE --key FILE [--client-ca FILE] [--listen ADDRESS] [--port N]
 *                   [--store FILE] [--station NAME] [--max-sessions N] [--answer-budget S] [--client-timeout S]
 *
 * Prints "listening on https://ADDRESS:PORT/" once it accepts connections; SIGINT/SIGTERM stop it (open sessions
 * end as for pulled cards: their cards resume at the next start; the service is STOPPED in the fleet's records).
 * --store may be a fleet's postgresql:// URI: the service then shares its batches' places with the local stations. */
#include <glib-unix.h>
#include <stdio.h>

#include "cl-server-http.h"
#include "production/cl-production-env.h"
#include "store/cl-store-location.h"

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  g_autofree char *profile_name = NULL, *store_option = NULL, *cert = NULL, *key = NULL, *station = NULL;
  g_autofree char *client_ca = NULL;
  g_autofree char *address = g_strdup ("127.0.0.1"), *store_path = NULL;
  gint port = 8443, max_sessions = 32, budget = 25, client_timeout = 90;
  const GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_STRING, &profile_name, "production profile (file or shipped name)", "P" },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_option, "store file (default: as cardline picks it)", "FILE" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "TLS certificate (PEM)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, "TLS private key (PEM)", "FILE" },
    { "client-ca", 0, 0, G_OPTION_ARG_FILENAME, &client_ca,
      "mutual TLS: serve only clients with a certificate from these CAs (PEM)", "FILE" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &address, "IP address to listen on (default 127.0.0.1)", "ADDRESS" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "port (default 8443; 0: any free one)", "N" },
    { "station", 0, 0, G_OPTION_ARG_STRING, &station, "station name of the service's attempts", "NAME" },
    { "max-sessions", 0, 0, G_OPTION_ARG_INT, &max_sessions, "sessions open at once (default 32)", "N" },
    { "answer-budget", 0, 0, G_OPTION_ARG_INT, &budget, "seconds within which every POST is answered (25)", "S" },
    { "client-timeout", 0, 0, G_OPTION_ARG_INT, &client_timeout, "seconds after which a quiet client is gone (90)",
      "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— the production service (RAMOverHTTP)");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) profile = NULL;
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClProductionSetup) setup = NULL;
  g_autoptr (ClRemoteService) service = NULL;
  g_autoptr (ClServerHttp) http = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  ClRemoteLimits limits = CL_REMOTE_LIMITS_DEFAULT;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto usage;
  if (profile_name == NULL || cert == NULL || key == NULL || port < 0 || port > 65535 || max_sessions < 1 || budget < 1
      || budget > 35 || client_timeout <= budget)
    {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--profile, --cert and --key are needed; --answer-budget is 1-35 s (the client gives "
                           "40 s) and --client-timeout longer than it");
      goto usage;
    }
  limits.max_sessions = (guint)max_sessions;
  limits.answer_budget_us = (gint64)budget * G_USEC_PER_SEC;
  limits.client_timeout_us = (gint64)client_timeout * G_USEC_PER_SEC;
  store_path = cl_store_location_full (store_option, NULL);
  if (client_ca != NULL && !g_path_is_absolute (client_ca))
    {
      /* GTlsFileDatabase takes absolute paths only */
      g_autofree char *relative = g_steal_pointer (&client_ca);

      client_ca = g_canonicalize_filename (relative, NULL);
    }
  if (!(profile = cl_production_profile_open (profile_name, &error))
      || !(token = cl_production_token_open_from_env (&error)) || !(store = cl_store_open (store_path, &error))
      || !(setup = cl_production_setup_new (profile, token, store, &error))
      || !(service = cl_remote_service_new (setup, station, &limits, &error))
      || !(http = cl_server_http_new (service, address, (guint)port, cert, key, client_ca, &error)))
    {
      g_printerr ("cardline-server: %s\n", error->message);
      return 1;
    }
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  printf ("listening on https://%s:%u/\n", address, cl_server_http_get_port (http));
  fflush (stdout);
  g_main_loop_run (loop);
  cl_remote_service_stop (service);
  printf ("stopped\n");
  return 0;

usage:
  g_printerr ("cardline-server: %s\n", error->message);
  return 2;
}
