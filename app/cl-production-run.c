#include "cl-production-run.h"

#include "cl-station-feed.h"
#include "cups/cl-cups-face-printer.h"
#include "pcsc/cl-rack-feeder.h"
#include "printer/cl-printer-feeder.h"
#include "production/cl-production-env.h"

void
cl_production_parts_free (ClProductionParts *parts)
{
  if (parts == NULL)
    return;
  g_clear_object (&parts->run);
  g_clear_object (&parts->setup);
  g_clear_object (&parts->reprint_face);
  g_free (parts);
}

static ClFeeder *
open_feeder (const ClProductionOptions *options, GError **error)
{
  if (options->printer == NULL)
    return CL_FEEDER (cl_rack_feeder_new ());
  if (options->printer_reader == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--printer needs --printer-reader NAME");
      return NULL;
    }
  /* a wrong address is the operator's typo: said now, not at the first feed */
  return CL_FEEDER (cl_printer_feeder_new (options->printer, options->printer_reader, error));
}

static const char *
face_destination (const ClProductionOptions *options)
{
  return options->face_printer != NULL ? options->face_printer : g_getenv ("CARDLINE_IPP_URI");
}

/* QA reprints a good card's face wherever the station has a face printer, whatever feeds the line. */
static gboolean
open_reprint_face (const ClProductionOptions *options, ClProfile *profile, ClFacePrinter **face, GError **error)
{
  const char *template_path = cl_profile_get_face_template (profile);

  *face = NULL;
  if (template_path == NULL || face_destination (options) == NULL)
    return TRUE;
  *face = CL_FACE_PRINTER (cl_cups_face_printer_new (template_path, face_destination (options), error));
  return *face != NULL;
}

/* Faces are printed on a printer-fed line whose profile has one; a rack's cards are not in a printer. */
static gboolean
open_face (const ClProductionOptions *options, ClProfile *profile, ClFacePrinter **face, GError **error)
{
  *face = NULL;
  if (options->printer == NULL || cl_profile_get_face_template (profile) == NULL)
    return TRUE;
  if (face_destination (options) == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "profile %s prints card faces: give --face-printer URI|QUEUE (or set CARDLINE_IPP_URI)",
                   cl_profile_get_name (profile));
      return FALSE;
    }
  return open_reprint_face (options, profile, face, error);
}

ClProductionParts *
cl_production_parts_open (const ClProductionOptions *options, const char *store_path, GError **error)
{
  g_autoptr (ClProductionParts) parts = g_new0 (ClProductionParts, 1);
  g_autoptr (ClProfile) profile = NULL;
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClFeeder) feeder = NULL;
  g_autoptr (ClFacePrinter) face = NULL;

  if (options->batch == NULL || options->quantity == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--profile needs --batch NAME and --quantity N");
      return NULL;
    }
  if (!(feeder = open_feeder (options, error)))
    return NULL;
  profile = cl_production_profile_open (options->profile, error);
  if (profile == NULL || !open_face (options, profile, &face, error)
      || !(token = cl_production_token_open_from_env (error)) || !(store = cl_store_open (store_path, error)))
    return NULL;
  parts->setup = cl_production_setup_new (profile, token, store, error);
  if (parts->setup == NULL)
    return NULL;
  parts->run = cl_batch_run_new (parts->setup, feeder, NULL, options->batch, options->quantity, options->user, error);
  if (parts->run == NULL)
    return NULL;
  if (face != NULL)
    cl_batch_run_set_face_printer (parts->run, face);
  /* bench-printer-line's comparison: each face rendered at FACE, as before it was rendered during the chip's run */
  if (g_strcmp0 (g_getenv ("CARDLINE_FACE_AHEAD"), "0") == 0)
    cl_batch_run_set_face_ahead (parts->run, FALSE);
  if (!open_reprint_face (options, profile, &parts->reprint_face, error))
    return NULL;
  return g_steal_pointer (&parts);
}

/* A rack's card inserted while the line is paused waits in its reader: the log says so, as it always has. */
static void
on_card_inserted (ClLine *line, const char *reader, GBytes *atr, gpointer user_data)
{
  ClBatchRun *run = user_data;

  if (cl_batch_run_get_paused (run) && !cl_feeder_get_finish_cards_on_stop (cl_batch_run_get_feeder (run)))
    cl_event_log_add (cl_line_get_events (line), CL_LINE_EVENT_NOTE, reader, "line paused: card waits");
}

/* The readers the line knows (and any that connect later) are listed in the fleet's records. */
static void
on_readers_changed (GListModel *readers, guint position, guint removed, guint added, gpointer user_data)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (ClReader) reader = g_list_model_get_item (readers, i);

      cl_batch_run_note_reader (user_data, cl_reader_get_name (reader));
    }
}

void
cl_production_parts_start (ClProductionParts *parts, ClLine *line)
{
  GListModel *readers;

  g_return_if_fail (parts != NULL && parts->run != NULL);

  readers = G_LIST_MODEL (cl_line_get_stations (line));
  g_signal_connect_object (readers, "items-changed", G_CALLBACK (on_readers_changed), parts->run, 0);
  on_readers_changed (readers, 0, 0, g_list_model_get_n_items (readers), parts->run);
  cl_station_feed_follow (line, parts->run);
  g_signal_connect_object (line, "card-inserted", G_CALLBACK (on_card_inserted), parts->run, 0);
  cl_line_attach_feeder (line, cl_batch_run_get_feeder (parts->run));
  cl_batch_run_start (parts->run);
}
