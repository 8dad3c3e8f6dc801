/* cardline-admin produce-url --batch NAME [--count N] [--cards M] [--expires T] [--base URL] [--store FILE]:
 * [--profile P --quantity Q]: prints N production URLs (issue 16), each admitting M cards into the batch through
 * cardline-server, valid for T (seconds, or with a unit: 30m, 12h, 7d; default 24h). The token in each URL (256 bits
 * from the CSPRNG) is shown here once; the store keeps only its hash. A supervisor or administrator signs in for it
 * (cl-admin-auth.h) and is the audit actor of "production-url-issue". */
#include <stdio.h>
#include <stdlib.h>

#include "cl-admin-auth.h"
#include "cl-admin-commands.h"
#include "production/cl-production-env.h"
#include "remote/cl-remote-service.h"
#include "store/cl-store-location.h"
#include "store/cl-store-production-url.h"
#include "store/cl-store.h"

/* "3600", "30m", "12h", "7d" → seconds; 0 when it is none of these or not positive. */
static gint64
parse_duration (const char *text)
{
  char *end = NULL;
  gint64 n = g_ascii_strtoll (text, &end, 10);
  gint64 unit = 1;

  if (end == text || n <= 0)
    return 0;
  if (*end == 'm')
    unit = 60;
  else if (*end == 'h')
    unit = 3600;
  else if (*end == 'd')
    unit = 86400;
  else if (*end != '\0')
    return 0;
  if (*end != '\0' && end[1] != '\0')
    return 0;
  return n <= G_MAXINT32 / unit ? n * unit : 0;
}

static int
run (int argc, char **argv)
{
  g_autofree char *store_path = NULL, *batch = NULL, *expires = NULL, *base = NULL, *actor = NULL;
  g_autofree char *profile_name = NULL;
  gint count = 1, cards = 1, quantity = 0;
  g_auto (ClAdminAuth) auth = { 0 };
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, "store file (default: the station's store)", "FILE" },
    { "batch", 0, 0, G_OPTION_ARG_STRING, &batch, "batch the cards go into", "NAME" },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &profile_name, "a new batch's profile (as cardline-server's)", "P" },
    { "quantity", 0, 0, G_OPTION_ARG_INT, &quantity, "a new batch's quantity", "Q" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "how many URLs to print (default 1)", "N" },
    { "cards", 0, 0, G_OPTION_ARG_INT, &cards, "cards each URL admits (default 1)", "M" },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires, "validity: seconds, or 30m, 12h, 7d (default 24h)", "T" },
    { "base", 0, 0, G_OPTION_ARG_STRING, &base, "the service's address (default https://localhost:8443)", "URL" },
    CL_ADMIN_AUTH_ENTRIES (auth),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— print production URLs for cardline-server");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  gint64 batch_id, seconds = expires != NULL ? 0 : 86400;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-admin produce-url: %s\n", error->message);
      return 2;
    }
  if (expires != NULL)
    seconds = parse_duration (expires);
  if (argc != 1 || batch == NULL || (profile_name != NULL && quantity <= 0) || count < 1 || count > 10000 || cards < 1
      || cards > 1000000 || seconds <= 0)
    {
      g_printerr ("cardline-admin produce-url: usage: cardline-admin produce-url --batch NAME [--count N] "
                  "[--cards M] [--expires T] [--base URL] [--store FILE] [--user NAME] [--password-file FILE]\n");
      return 2;
    }
  {
    g_autofree char *option = g_steal_pointer (&store_path);

    store_path = cl_store_location_full (option, NULL);
  }
  store = cl_store_open_existing (store_path, &error);
  if (store == NULL)
    goto fail;
  actor = cl_admin_sign_in (store, &auth, CL_ROLE_BIT (CL_ROLE_SUPERVISOR) | CL_ROLE_BIT (CL_ROLE_ADMIN), "produce-url",
                            "issue production URLs");
  if (actor == NULL)
    return 1;
  if (profile_name != NULL)
    {
      /* found with this profile and quantity, or created (cl_store_batch_open) */
      g_autoptr (ClProfile) profile = cl_production_profile_open (profile_name, &error);

      batch_id = profile == NULL || quantity <= 0
                   ? 0
                   : cl_store_batch_open (store, batch, cl_profile_get_name (profile), cl_profile_get_hash (profile),
                                          (guint)quantity, actor, &error);
      if (profile != NULL && quantity <= 0)
        g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--profile needs --quantity");
    }
  else
    batch_id = cl_store_batch_lookup (store, batch, &error);
  if (batch_id <= 0)
    goto fail;
  for (gint i = 0; i < count; i++)
    {
      guint8 hash[CL_PRODUCTION_URL_HASH_LEN];
      g_autofree char *token = cl_production_url_token_new (hash, &error);

      if (token == NULL
          || cl_store_production_url_add (store, batch_id, hash, (guint)cards,
                                          g_get_real_time () + seconds * G_USEC_PER_SEC, actor, &error)
               <= 0)
        goto fail;
      printf ("%s/ram/%s\n", base != NULL ? base : "https://localhost:8443", token);
    }
  return 0;

fail:
  g_printerr ("cardline-admin produce-url: %s\n", error->message);
  return 1;
}

const ClAdminCommand cl_admin_command_url = {
  .name = "produce-url",
  .summary = "Print production URLs that admit cards into a batch through cardline-server",
  .run = run,
};
