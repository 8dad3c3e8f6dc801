/* cardline-admin batch export-pins --batch NAME --out FILE [--store FILE]: writes the customer's PIN export of a
 * batch (lib/production/cl-pin-export.h): every card's SO-PIN (and random user PIN) as a CMS envelope only the
 * customer's private key opens. Nothing is decrypted here; the station cannot.
 * cardline-admin batch manifest --batch NAME --format csv|json [--out FILE]: the batch's manifest
 * (store/cl-store-manifest.h), on standard output unless --out names a file; audited as "manifest-export".
 * A supervisor or administrator signs in for either (cl-admin-auth.h) and is the audit actor. */
#include <stdio.h>

#include "cl-admin-auth.h"
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

static int
run (int argc, char **argv)
{
  g_autofree char *store_path = NULL, *batch = NULL, *out = NULL, *actor = NULL, *format = NULL;
  g_auto (ClAdminAuth) auth = { 0 };
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      "store file (default: the station's store, as cardline picks it)", "FILE" },
    { "batch", 0, 0, G_OPTION_ARG_STRING, &batch, "batch name", "NAME" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "export file to write", "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "manifest format: csv or json", "FORMAT" },
    CL_ADMIN_AUTH_ENTRIES (auth),
    { NULL },
  };
  g_autoptr (GOptionContext) context
    = g_option_context_new ("export-pins|manifest — a batch's encrypted PIN export or its manifest, for its customer");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  gboolean manifest;
  gint n;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-admin batch: %s\n", error->message);
      return 2;
    }
  manifest = argc == 2 && g_str_equal (argv[1], "manifest");
  if (argc != 2 || !(manifest || g_str_equal (argv[1], "export-pins")) || batch == NULL || (!manifest && out == NULL)
      || (manifest && g_strcmp0 (format, "csv") != 0 && g_strcmp0 (format, "json") != 0))
    {
      g_printerr ("cardline-admin batch: usage: cardline-admin batch export-pins --batch NAME --out FILE "
                  "[--store FILE] [--user NAME] [--password-file FILE]\n"
                  "       cardline-admin batch manifest --batch NAME --format csv|json [--out FILE] "
                  "[--store FILE] [--user NAME] [--password-file FILE]\n");
      return 2;
    }
  {
    g_autofree char *option = g_steal_pointer (&store_path);

    store_path = cl_store_location_full (option, NULL);
  }
  if (!g_file_test (store_path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("cardline-admin batch: no store at %s\n", store_path);
      return 1;
    }
  store = cl_store_open (store_path, &error);
  if (store == NULL)
    goto fail;
  actor = cl_admin_sign_in (store, &auth, CL_ROLE_BIT (CL_ROLE_SUPERVISOR) | CL_ROLE_BIT (CL_ROLE_ADMIN), "batch",
                            manifest ? "export a batch's manifest" : "export a batch's PINs");
  if (actor == NULL)
    return 1;
  if (manifest)
    {
      if (write_manifest (store, batch, format, out, actor, &error))
        return 0;
      g_printerr ("cardline-admin batch manifest: %s\n", error->message);
      return 1;
    }
  n = cl_pin_export_write (store, batch, out, actor, &error);
  if (n < 0)
    goto fail;
  printf ("batch %s: %d card PIN envelope(s) written to %s\n", batch, n, out);
  return 0;

fail:
  g_printerr ("cardline-admin batch export-pins: %s\n", error->message);
  return 1;
}

const ClAdminCommand cl_admin_command_batch = {
  .name = "batch",
  .summary = "Batch exports: `batch export-pins` writes the customer's encrypted PIN export, `batch manifest` "
             "which data row became which chip",
  .run = run,
};
