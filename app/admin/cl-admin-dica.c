/* cardline-admin dica: one DICA per station token, certified by the scheme root (production/cl-dica.h).
 *
 *   dica request --chr CHR --out FILE [--label DICA]
 *       at the station's token (CARDLINE_P11_*): generates the DICA key pair and writes its request (a CVC signed by
 *       the new key itself)
 *   dica certify REQUEST --srca-cvc FILE --out FILE [--srca-label SRCA] [--years 10]
 *       at the scheme root's token: checks the request's signature and writes the DICA certificate signed by the
 *       SRCA; the station puts it in its PKI directory as dica.cvc next to the SRCA's srca.cvc
 * A key custodian or administrator of the store (--store, else the station's) signs in; both acts are audited. */
#include <stdio.h>

#include "cl-admin-auth.h"
#include "cl-admin-commands.h"
#include "cl-admin-token.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "production/cl-dica.h"
#include "store/cl-store-location.h"

#define PREFIX "cardline-admin dica"

static char *
fingerprint (GBytes *bytes)
{
  guint8 digest[32];

  cl_sha256 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), digest);
  return cl_hex_encode (digest, sizeof digest);
}

static GBytes *
request (ClP11Token *token, const char *label, const char *chr, char **detail, GError **error)
{
  g_autoptr (GBytes) made = NULL;
  g_autofree char *sha = NULL;

  if (chr == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "request: --chr CHR (the DICA's holder) is needed");
      return NULL;
    }
  if (!(made = cl_dica_request_new (token, label, chr, error)))
    return NULL;
  sha = fingerprint (made);
  *detail = g_strdup_printf ("token %s key %s request sha256 %s", cl_p11_token_get_label (token), label, sha);
  return g_steal_pointer (&made);
}

static GBytes *
certify (ClP11Token *token, const char *path, const char *srca_label, const char *srca_path, guint years,
         char **subject, char **detail, GError **error)
{
  g_autoptr (GMappedFile) asked = g_mapped_file_new (path, FALSE, error);
  g_autoptr (GMappedFile) root = asked ? g_mapped_file_new (srca_path, FALSE, error) : NULL;
  g_autoptr (GBytes) asked_bytes = NULL, root_bytes = NULL, made = NULL;
  g_autoptr (ClCvc) srca = NULL, dica = NULL;
  g_autoptr (ClP11EcKey) key = NULL;
  g_autofree char *sha = NULL;

  if (root == NULL)
    return NULL;
  asked_bytes = g_mapped_file_get_bytes (asked);
  root_bytes = g_mapped_file_get_bytes (root);
  if (!(srca = cl_cvc_new_from_bytes (root_bytes, error)))
    {
      g_prefix_error (error, "SRCA certificate %s: ", srca_path);
      return NULL;
    }
  if (!(key = cl_p11_ec_key_find (token, srca_label, error))
      || !(made = cl_dica_certify (key, srca, asked_bytes, years, error))
      || !(dica = cl_cvc_new_from_bytes (made, error))
      || !cl_cvc_verify_issued_by (dica, srca, CL_CVC_CURVE_NONE, error))
    return NULL;
  sha = fingerprint (made);
  *subject = g_strdup (cl_cvc_get_chr (dica));
  *detail = g_strdup_printf ("issued by %s (token %s key %s) until %s, sha256 %s", cl_cvc_get_chr (srca),
                             cl_p11_token_get_label (token), srca_label, cl_cvc_get_expiry_date (dica), sha);
  return g_steal_pointer (&made);
}

static int
run (int argc, char **argv)
{
  g_autofree char *chr = NULL, *out = NULL, *label = NULL, *srca_label = NULL, *srca_cvc = NULL;
  g_autofree char *store_option = NULL, *store_path = NULL, *actor = NULL, *subject = NULL, *detail = NULL;
  g_auto (ClAdminAuth) auth = { 0 };
  gint years = 10;
  GOptionEntry entries[] = {
    { "chr", 0, 0, G_OPTION_ARG_STRING, &chr, "request: the DICA's holder reference", "CHR" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, "request: token label of the DICA key [DICA]", "LABEL" },
    { "srca-label", 0, 0, G_OPTION_ARG_STRING, &srca_label, "certify: token label of the SRCA key [SRCA]", "LABEL" },
    { "srca-cvc", 0, 0, G_OPTION_ARG_FILENAME, &srca_cvc, "certify: the SRCA's certificate", "FILE" },
    { "years", 0, 0, G_OPTION_ARG_INT, &years, "certify: validity in years [10]", "N" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "Where the request or certificate goes", "FILE" },
    { "store", 0, 0, G_OPTION_ARG_STRING, &store_option, "Store for the audit trail (default: the station's)", "URI" },
    CL_ADMIN_AUTH_ENTRIES (auth),
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("request | certify REQUEST");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClStore) store = NULL;
  g_autoptr (ClP11Token) token = NULL;
  g_autoptr (GBytes) made = NULL;
  gboolean is_request;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "One DICA per station token, certified by the scheme root.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto fail;
  is_request = argc == 2 && g_str_equal (argv[1], "request");
  if ((!is_request && !(argc == 3 && g_str_equal (argv[1], "certify"))) || out == NULL
      || (!is_request && srca_cvc == NULL))
    return g_printerr ("usage: %s request --chr CHR --out FILE | certify REQUEST --srca-cvc FILE --out FILE\n", PREFIX),
           2;
  if (years < 1 || years > 30)
    return g_printerr ("%s: --years must be 1..30\n", PREFIX), 2;
  store_path = cl_store_location (store_option);
  if (!(store = cl_store_open (store_path, &error)))
    goto fail;
  actor = cl_admin_sign_in (store, &auth, CL_ROLE_BIT (CL_ROLE_CUSTODIAN) | CL_ROLE_BIT (CL_ROLE_ADMIN), "dica",
                            "handle keys");
  if (actor == NULL)
    return 1;
  if (!(token = cl_admin_token_open (&error)))
    goto fail;
  if (is_request)
    {
      subject = g_strdup (chr);
      made = request (token, label != NULL ? label : "DICA", chr, &detail, &error);
    }
  else
    made = certify (token, argv[2], srca_label != NULL ? srca_label : "SRCA", srca_cvc, (guint)years, &subject, &detail,
                    &error);
  if (made == NULL || !g_file_set_contents (out, g_bytes_get_data (made, NULL), (gssize)g_bytes_get_size (made), &error)
      || cl_store_audit_append (store, actor, is_request ? "dica.request" : "dica.certify", subject, detail, &error)
           <= 0)
    goto fail;
  printf ("DICA %s: %s written to %s (%s)\n", subject, is_request ? "request" : "certificate", out, detail);
  return 0;

fail:
  g_printerr ("%s: %s\n", PREFIX, error->message);
  return 1;
}

const ClAdminCommand cl_admin_command_dica = {
  .name = "dica",
  .summary = "One DICA per station token: request it at the station, certify it with the scheme root",
  .run = run,
};
