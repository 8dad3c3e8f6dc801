/* cardline-admin batch SUBCOMMAND: a batch's data with its customer.
 *
 * batch import --batch NAME --data FILE.csv [--photos DIR] [--mapping FILE] [--dry-run] [--good-rows-only]: the
 * customer's per-card data file as the batch's rows (cl-admin-batch-import.c).
 *
 * batch export-pins --batch NAME --out FILE [--store FILE]: writes the customer's PIN export of a batch
 * (lib/production/cl-pin-export.h): every card's SO-PIN (and random user PIN) as a CMS envelope only the customer's
 * private key opens. Nothing is decrypted here; the station cannot. A supervisor or administrator signs in for it
 * (cl-admin-auth.h) and is the audit actor.
 *
 * batch manifest --batch NAME --format csv|json [--out FILE]: the batch's manifest (store/cl-store-manifest.h), on
 * standard output unless --out names a file; audited as "manifest-export". A supervisor or administrator signs in. */
#include <stdio.h>

#include "cl-admin-batch.h"
#include "cl-admin-commands.h"
#include "production/cl-pin-export.h"
#include "store/cl-store-location.h"
#include "store/cl-store-manifest.h"
#include "store/cl-store.h"

/* Writes the manifest of batch in format to out (NULL: standard output). */
static gboolean
write_manifest (ClStore *store, const char *batch, const char *format, const char *out, const char *actor,
                GError **error)
{
  g_autoptr (ClManifest) manifest = cl_store_manifest (store, batch, error);
  g_autofree char *text = NULL, *detail = NULL;

  if (manifest == NULL)
    return FALSE;
  text = g_str_equal (format, "csv") ? cl_manifest_to_csv (manifest) : cl_manifest_to_json (manifest);
  detail = g_strdup_printf ("format %s records %u rows done %" G_GINT64_FORMAT " pending %" G_GINT64_FORMAT
                            " failed %" G_GINT64_FORMAT " to %s",
                            format, manifest->records->len, manifest->rows.done, manifest->rows.pending,
                            manifest->rows.failed, out != NULL ? out : "standard output");
  if (cl_store_audit_append (store, actor, "manifest-export", batch, detail, error) <= 0)
    return FALSE;
  if (out != NULL)
    return g_file_set_contents_full (out, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0640, error);
  fputs (text, stdout);
  return fflush (stdout) == 0;
}

static void
options_clear (ClAdminBatchOptions *o)
{
  g_free (o->store_path);
  g_free (o->batch);
  g_free (o->out);
  g_free (o->data);
  g_free (o->photos);
  g_free (o->mapping);
  g_free (o->format);
  cl_admin_auth_clear (&o->auth);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClAdminBatchOptions, options_clear)

static int
export_pins (ClAdminBatchOptions *o)
{
  g_autofree char *actor = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  gint n;

  if (o->batch == NULL || o->out == NULL)
    {
      g_printerr ("cardline-admin batch: usage: cardline-admin batch export-pins --batch NAME --out FILE "
                  "[--store FILE] [--user NAME] [--password-file FILE]\n");
      return 2;
    }
  store = cl_store_open_existing (o->store_path, &error);
  if (store == NULL)
    goto fail;
  actor = cl_admin_sign_in (store, &o->auth, CL_ROLE_BIT (CL_ROLE_SUPERVISOR) | CL_ROLE_BIT (CL_ROLE_ADMIN), "batch",
                            "export a batch's PINs");
  if (actor == NULL)
    return 1;
  n = cl_pin_export_write (store, o->batch, o->out, actor, &error);
  if (n < 0)
    goto fail;
  printf ("batch %s: %d card PIN envelope(s) written to %s\n", o->batch, n, o->out);
  return 0;

fail:
  g_printerr ("cardline-admin batch export-pins: %s\n", error->message);
  return 1;
}

static int
manifest (ClAdminBatchOptions *o)
{
  g_autofree char *actor = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;

  if (o->batch == NULL || (g_strcmp0 (o->format, "csv") != 0 && g_strcmp0 (o->format, "json") != 0))
    {
      g_printerr ("cardline-admin batch: usage: cardline-admin batch manifest --batch NAME --format csv|json "
                  "[--out FILE] [--store FILE] [--user NAME] [--password-file FILE]\n");
      return 2;
    }
  store = cl_store_open_existing (o->store_path, &error);
  if (store == NULL)
    {
      g_printerr ("cardline-admin batch manifest: %s\n", error->message);
      return 1;
    }
  actor = cl_admin_sign_in (store, &o->auth, CL_ROLE_BIT (CL_ROLE_SUPERVISOR) | CL_ROLE_BIT (CL_ROLE_ADMIN), "batch",
                            "export a batch's manifest");
  if (actor == NULL)
    return 1;
  if (write_manifest (store, o->batch, o->format, o->out, actor, &error))
    return 0;
  g_printerr ("cardline-admin batch manifest: %s\n", error->message);
  return 1;
}

static int
run (int argc, char **argv)
{
  g_auto (ClAdminBatchOptions) o = { 0 };
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &o.store_path,
      "store file (default: the station's store, as cardline picks it)", "FILE" },
    { "batch", 0, 0, G_OPTION_ARG_STRING, &o.batch, "batch name", "NAME" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &o.out, "export-pins, manifest: file to write", "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &o.format, "manifest: csv or json", "FORMAT" },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &o.data, "import: the customer's data file (CSV, UTF-8, a header row)",
      "FILE" },
    { "photos", 0, 0, G_OPTION_ARG_FILENAME, &o.photos, "import: directory of the photos the data file names", "DIR" },
    { "mapping", 0, 0, G_OPTION_ARG_FILENAME, &o.mapping,
      "import: which column feeds which card field (default: the batch profile's [data] groups)", "FILE" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &o.dry_run, "import: check every row and write nothing", NULL },
    { "good-rows-only", 0, 0, G_OPTION_ARG_NONE, &o.good_rows_only,
      "import: only the rows without a problem, the others left out (supervisor; audited)", NULL },
    CL_ADMIN_AUTH_ENTRIES (o.auth),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (
    "import|export-pins|manifest — a batch's per-card data file, its encrypted PIN export, or its manifest");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-admin batch: %s\n", error->message);
      return 2;
    }
  {
    g_autofree char *option = g_steal_pointer (&o.store_path);

    o.store_path = cl_store_location_full (option, NULL);
  }
  if (argc == 2 && g_str_equal (argv[1], "import"))
    return cl_admin_batch_import (&o);
  if (argc == 2 && g_str_equal (argv[1], "export-pins"))
    return export_pins (&o);
  if (argc == 2 && g_str_equal (argv[1], "manifest"))
    return manifest (&o);
  g_printerr ("cardline-admin batch: usage: cardline-admin batch import|export-pins|manifest [OPTION…] (see --help)\n");
  return 2;
}

const ClAdminCommand cl_admin_command_batch = {
  .name = "batch",
  .summary = "Batch data: `batch import` a customer's data file, `batch export-pins` the encrypted PIN export, "
             "`batch manifest` which data row became which chip",
  .run = run,
};
