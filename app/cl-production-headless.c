#include "cl-production-headless.h"

#include <stdio.h>

#include "cl-headless.h"
#include "cl-printer-headless.h"
#include "cl-production-line.h"
#include "production/cl-production-env.h"
#include "store/cl-store-location.h"

int
cl_production_headless_run (const ClProductionOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) profile = NULL;
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClProductionSetup) setup = NULL;
  g_autoptr (ClLine) line = NULL;
  g_autoptr (ClProductionLine) production = NULL;
  g_autoptr (ClYieldSummary) summary = NULL;
  g_autofree char *store_path = NULL, *text = NULL, *json = NULL;
  gboolean complete;

  if (options->printer != NULL)
    return cl_printer_headless_run (options);
  if (options->batch == NULL || options->quantity == 0)
    {
      g_printerr ("cardline: --profile needs --batch NAME and --quantity N (N > 0)\n");
      return 2;
    }
  store_path = cl_store_location (options->store);

  profile = cl_production_profile_open (options->profile, &error);
  if (profile == NULL || !(token = cl_production_token_open_from_env (&error))
      || !(store = cl_store_open (store_path, &error)))
    goto fail;
  setup = cl_production_setup_new (profile, token, store, &error);
  if (setup == NULL)
    goto fail;
  line = cl_line_new ();
  production = cl_production_line_new (line, setup, options->batch, options->quantity, &error);
  if (production == NULL)
    goto fail;
  cl_production_line_start (production);

  printf ("production batch=%s profile=%s quantity=%u store=%s\n", options->batch, cl_profile_get_name (profile),
          options->quantity, store_path);
  fflush (stdout);
  cl_headless_run_until (line, options->duration, cl_production_line_get_done (production));
  cl_production_line_stop (production);
  complete = g_cancellable_is_cancelled (cl_production_line_get_done (production));
  if (complete
      && !cl_store_batch_set_state (store, cl_production_line_get_batch_id (production), CL_BATCH_CLOSED,
                                    g_get_user_name (), &error))
    goto fail;

  summary = cl_store_yield_summary (store, cl_production_line_get_batch_id (production), 0, 0, &error);
  if (summary == NULL)
    goto fail;
  text = cl_yield_summary_to_text (summary);
  printf ("batch %s %s\n%s%s", options->batch, complete ? "complete" : "stopped", text,
          g_str_has_suffix (text, "\n") ? "" : "\n");
  fflush (stdout);
  if (options->summary_json != NULL)
    {
      json = cl_yield_summary_to_json (summary);
      if (!g_file_set_contents (options->summary_json, json, -1, &error))
        goto fail;
    }
  return 0;

fail:
  g_printerr ("cardline: %s\n", error->message);
  return 1;
}
