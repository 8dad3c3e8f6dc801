/* cardline-admin report: a batch's yield figures from the store, in the definitions of cl-yield-summary.h
 * (the same figures cardline --headless prints at the end of a run). An export of the batch's records, as the
 * Dashboard's: a supervisor or administrator signs in for it (cl-admin-auth.h), and it is audited. */
#include <stdio.h>

#include "cl-admin-auth.h"
#include "cl-admin-commands.h"
#include "store/cl-store-dashboard.h"
#include "store/cl-store-location.h"
#include "store/cl-store.h"

static int
run (int argc, char **argv)
{
  g_autofree char *batch = NULL, *station = NULL, *format = NULL, *store_path = NULL, *text = NULL, *actor = NULL;
  g_autofree char *subject = NULL;
  g_auto (ClAdminAuth) auth = { 0 };
  const GOptionEntry entries[] = {
    { "batch", 0, 0, G_OPTION_ARG_STRING, &batch, "batch name (default: all batches)", "NAME" },
    { "station", 0, 0, G_OPTION_ARG_STRING, &station, "one station's figures (default: every station)", "NAME" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "text (default), csv or json", "FORMAT" },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      "store file (default: the station's store, as cardline picks it)", "FILE" },
    CL_ADMIN_AUTH_ENTRIES (auth),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— print a batch's yield report");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClYieldSummary) summary = NULL;
  gint64 batch_id = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto fail;
  if (format == NULL)
    format = g_strdup ("text");
  if (!g_str_equal (format, "text") && !g_str_equal (format, "csv") && !g_str_equal (format, "json"))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--format must be text, csv or json, not %s",
                   format);
      goto fail;
    }
  {
    g_autofree char *option = g_steal_pointer (&store_path);

    store_path = cl_store_location_full (option, NULL);
  }
  store = cl_store_open_existing (store_path, &error);
  if (store == NULL)
    goto fail;
  actor = cl_admin_sign_in (store, &auth, CL_ROLE_BIT (CL_ROLE_SUPERVISOR) | CL_ROLE_BIT (CL_ROLE_ADMIN), "report",
                            "export batch reports");
  if (actor == NULL)
    return 1;
  if (batch != NULL && (batch_id = cl_store_batch_lookup (store, batch, &error)) <= 0)
    goto fail;
  if (station != NULL && !cl_store_check_yield_station (store, station, &error))
    goto fail;
  summary = cl_store_yield_summary_at (store, batch_id, station, 0, 0, &error);
  if (summary == NULL)
    goto fail;
  if (g_str_equal (format, "json"))
    text = cl_yield_summary_to_json (summary);
  else if (g_str_equal (format, "csv"))
    text = cl_yield_summary_to_csv (summary);
  else
    text = cl_yield_summary_to_text (summary);
  subject = g_strdup_printf ("%s%s%s", batch != NULL ? batch : "all batches", station != NULL ? " at " : "",
                             station != NULL ? station : "");
  if (cl_store_audit_append (store, actor, "report-export", subject, format, &error) <= 0)
    goto fail;
  printf ("%s%s", text, g_str_has_suffix (text, "\n") ? "" : "\n");
  return 0;

fail:
  g_printerr ("cardline-admin report: %s\n", error->message);
  return 1;
}

const ClAdminCommand cl_admin_command_report = {
  .name = "report",
  .summary = "Print a batch's yield report from the store, for every station or one (text, csv or json)",
  .run = run,
};
