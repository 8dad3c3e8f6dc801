#include "cl-production-headless.h"

#include <stdio.h>
#include <unistd.h>

#include "cl-headless.h"
#include "core/cl-name.h"
#include "cl-production-run.h"
#include "store/cl-store-location.h"

int
cl_production_headless_run (const ClProductionOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProductionParts) parts = NULL;
  g_autoptr (ClLine) line = NULL;
  g_autoptr (ClYieldSummary) summary = NULL;
  g_autofree char *store_path = NULL, *text = NULL, *json = NULL;
  g_autofree char *batch = NULL, *user = NULL, *shown_store = NULL, *printer = NULL, *reader = NULL;
  g_autofree char *profile = NULL;
  ClStore *store;
  gboolean complete;
  guint cards;
  double seconds = 0;

  if (options->batch == NULL || options->quantity == 0 || (options->printer != NULL && options->printer_reader == NULL))
    {
      g_printerr (options->printer != NULL ? "cardline: --printer needs --printer-reader NAME, --profile, --batch NAME "
                                             "and --quantity N (N > 0)\n"
                                           : "cardline: --profile needs --batch NAME and --quantity N (N > 0)\n");
      return 2;
    }
  store_path = cl_store_location (options->store);
  parts = cl_production_parts_open (options, store_path, &error);
  if (parts == NULL)
    goto fail;
  store = cl_production_setup_get_store (parts->setup);
  /* names are data: escaped, a name cannot start a line of its own (cl-name.h) */
  batch = cl_text_escape (options->batch);
  user = cl_text_escape (options->user);
  shown_store = cl_text_escape (store_path);
  printer = cl_text_escape (options->printer);
  reader = cl_text_escape (options->printer_reader);
  profile = cl_text_escape (cl_profile_get_name (cl_production_setup_get_profile (parts->setup)));

  if (options->printer != NULL)
    printf ("production batch=%s profile=%s quantity=%u store=%s user=%s printer=%s reader=%s (SIGUSR1 %d: resume "
            "after a fault)\n",
            batch, profile, options->quantity, shown_store, user, printer, reader, (int)getpid ());
  else
    printf ("production batch=%s profile=%s quantity=%u store=%s user=%s\n", batch, profile, options->quantity,
            shown_store, user);
  fflush (stdout);

  line = cl_line_new ();
  cl_production_parts_start (parts, line);
  cl_headless_run_production (line, parts->run, options->duration, options->output);
  complete = g_cancellable_is_cancelled (cl_batch_run_get_done (parts->run));

  summary = cl_store_yield_summary (store, cl_batch_run_get_batch_id (parts->run), 0, 0, &error);
  if (summary == NULL)
    goto fail;
  text = cl_yield_summary_to_text (summary);
  printf ("batch %s %s\n%s%s", batch, complete ? "complete" : "stopped", text,
          g_str_has_suffix (text, "\n") ? "" : "\n");
  if (options->printer != NULL)
    {
      cards = cl_batch_run_get_throughput (parts->run, &seconds);
      printf ("printer-line cards=%u seconds=%.1f cards-per-hour=%.0f\n", cards, seconds,
              seconds > 0 ? cards * 3600.0 / seconds : 0.0);
    }
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
