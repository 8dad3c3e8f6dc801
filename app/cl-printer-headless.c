#include "cl-printer-headless.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "cl-headless.h"
#include "cl-printer-station.h"
#include "production/cl-production-env.h"
#include "store/cl-store-location.h"

/* SIGUSR1 is the headless station's Resume button: the operator fixed the fault, retry now. */
static gboolean
on_resume (gpointer user_data)
{
  cl_printer_station_resume (CL_PRINTER_STATION (user_data));
  return G_SOURCE_CONTINUE;
}

static gboolean
start_station (gpointer user_data)
{
  cl_printer_station_start (CL_PRINTER_STATION (user_data));
  return G_SOURCE_REMOVE;
}

int
cl_printer_headless_run (const ClProductionOptions *options)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) profile = NULL;
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClProductionSetup) setup = NULL;
  g_autoptr (ClLine) line = NULL;
  g_autoptr (ClPrinterStation) station = NULL;
  g_autoptr (ClYieldSummary) summary = NULL;
  g_autofree char *store_path = NULL, *text = NULL, *json = NULL;
  const char *face = options->face_printer != NULL ? options->face_printer : g_getenv ("CARDLINE_IPP_URI");
  gboolean complete;
  guint resume, cards;
  double seconds = 0;

  if (options->batch == NULL || options->quantity == 0 || options->printer_reader == NULL)
    {
      g_printerr (
        "cardline: --printer needs --printer-reader NAME, --profile, --batch NAME and --quantity N (N > 0)\n");
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
  station = cl_printer_station_new (line, setup, options->printer, options->printer_reader, face, options->batch,
                                    options->quantity, &error);
  if (station == NULL)
    goto fail;

  printf ("production batch=%s profile=%s quantity=%u store=%s printer=%s reader=%s (SIGUSR1 %d: resume after a "
          "fault)\n",
          options->batch, cl_profile_get_name (profile), options->quantity, store_path, options->printer,
          options->printer_reader, (int)getpid ());
  fflush (stdout);
  resume = g_unix_signal_add (SIGUSR1, on_resume, station);
  /* after the line's monitor has started, so the first card's insertion is seen */
  g_idle_add (start_station, station);
  cl_headless_run_until (line, options->duration, cl_printer_station_get_done (station));
  cl_printer_station_stop (station);
  g_source_remove (resume);
  complete = g_cancellable_is_cancelled (cl_printer_station_get_done (station));
  if (complete
      && !cl_store_batch_set_state (store, cl_printer_station_get_batch_id (station), CL_BATCH_CLOSED,
                                    g_get_user_name (), &error))
    goto fail;

  summary = cl_store_yield_summary (store, cl_printer_station_get_batch_id (station), 0, 0, &error);
  if (summary == NULL)
    goto fail;
  cards = cl_printer_station_get_throughput (station, &seconds);
  text = cl_yield_summary_to_text (summary);
  printf ("batch %s %s\n%s%s", options->batch, complete ? "complete" : "stopped", text,
          g_str_has_suffix (text, "\n") ? "" : "\n");
  printf ("printer-line cards=%u seconds=%.1f cards-per-hour=%.0f\n", cards, seconds,
          seconds > 0 ? cards * 3600.0 / seconds : 0.0);
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
