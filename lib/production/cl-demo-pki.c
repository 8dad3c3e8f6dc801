#include "cl-demo-pki.h"

#include "cl-p11-cvc.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "cvc/cl-cvc-body.h"
#include "p11/cl-p11-key-store.h"

#include <string.h>

#define SRCA_YEARS 20
#define DICA_YEARS 10

/* Key file groups of the SCP02 profile's KST and KMC (labels as smartcard-hsm-scp02.profile names them). */
static const char *const cl_demo_scp02_groups[] = { "KST2", "KMC2" };

static void say (ClDemoReportFunc report, gpointer user_data, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
say (ClDemoReportFunc report, gpointer user_data, const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list args;

  if (report == NULL)
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  report (line, user_data);
}

static GBytes *
key_value (GKeyFile *file, const char *path, const char *group, const char *role, GError **error)
{
  g_autofree char *text = g_key_file_get_string (file, group, role, NULL);
  g_autoptr (GError) local = NULL;
  GBytes *value;

  if (text == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: [%s] has no %s", path, group, role);
      return NULL;
    }
  value = cl_hex_decode (text, &local);
  cl_wipe (text, strlen (text));
  if (value == NULL)
    g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: [%s] %s: %s", path, group, role, local->message);
  return value;
}

static gboolean
import_key_set (ClP11Token *token, GKeyFile *file, const char *path, const char *name, ClDemoReportFunc report,
                gpointer user_data, GError **error)
{
  g_autofree char *type_text = g_key_file_get_string (file, name, "type", NULL);
  g_autofree char *version_text = g_key_file_get_string (file, name, "version", NULL);
  g_autoptr (GBytes) enc = NULL, mac = NULL, dek = NULL;
  g_autoptr (GArray) versions = NULL;
  ClKeyType type;
  guint64 version = 0;

  if (type_text == NULL || version_text == NULL
      || !g_ascii_string_to_unsigned (version_text, 16, 1, 0x7F, &version, NULL))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: [%s] needs type and a hex version 01..7F", path,
                   name);
      return FALSE;
    }
  if (g_strcmp0 (type_text, "aes") == 0)
    type = CL_KEY_TYPE_AES;
  else if (g_strcmp0 (type_text, "des3") == 0)
    type = CL_KEY_TYPE_DES3;
  else
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: [%s] type must be aes or des3", path, name);
      return FALSE;
    }

  versions = cl_p11_token_list_key_set_versions (token, name, error);
  if (versions == NULL)
    return FALSE;
  for (guint i = 0; i < versions->len; i++)
    if (g_array_index (versions, guint8, i) == version)
      {
        say (report, user_data, "%s/%02X kept (already in token %s)", name, (guint)version,
             cl_p11_token_get_label (token));
        return TRUE;
      }

  if (!(enc = key_value (file, path, name, "enc", error)) || !(mac = key_value (file, path, name, "mac", error))
      || !(dek = key_value (file, path, name, "dek", error)))
    return FALSE;
  if (!cl_p11_token_import_key_set (token, name, (guint8)version, type, enc, mac, dek, CL_P11_KEY_SET_FLAGS_NONE,
                                    error))
    return FALSE;
  say (report, user_data, "%s/%02X imported from %s (DEMO KEYS - NOT FOR PRODUCTION)", name, (guint)version, path);
  return TRUE;
}

static ClP11EcKey *
ensure_ec_key (ClP11Token *token, const char *label, gboolean *created, ClDemoReportFunc report, gpointer user_data,
               GError **error)
{
  g_autoptr (GError) local = NULL;
  ClP11EcKey *key = cl_p11_ec_key_find (token, label, &local);

  *created = FALSE;
  if (key != NULL)
    {
      say (report, user_data, "%s key pair kept (already in token %s)", label, cl_p11_token_get_label (token));
      return key;
    }
  if (!g_error_matches (local, CL_ERROR, CL_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  key = cl_p11_ec_key_generate (token, CL_P11_CURVE_P256, label, NULL, error);
  if (key != NULL)
    {
      *created = TRUE;
      say (report, user_data, "%s key pair generated (P-256) in token %s", label, cl_p11_token_get_label (token));
    }
  return key;
}

static GBytes *
make_cvc (ClP11EcKey *subject, const char *chr, ClP11EcKey *issuer, const char *car, guint years, GError **error)
{
  g_autoptr (ClCvcBody) body = cl_cvc_body_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) until = g_date_time_add_years (now, (gint)years);

  body->cpi = 0;
  body->car = g_strdup (car);
  body->chr = g_strdup (chr);
  body->public_key = cl_p11_cvc_public_key_template (subject, TRUE, error);
  if (body->public_key == NULL)
    return NULL;
  cl_cvc_body_set_validity (body, now, until);
  return cl_cvc_body_sign (body, cl_p11_cvc_sign, issuer, error);
}

static gboolean
ensure_cvc (const char *path, gboolean key_created, ClP11EcKey *subject, const char *chr, ClP11EcKey *issuer,
            const char *car, guint years, ClDemoReportFunc report, gpointer user_data, GError **error)
{
  g_autoptr (GBytes) cvc = NULL;
  g_autoptr (GError) local = NULL;

  if (!key_created && g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      say (report, user_data, "%s kept (%s)", chr, path);
      return TRUE;
    }
  cvc = make_cvc (subject, chr, issuer, car, years, error);
  if (cvc == NULL)
    return FALSE;
  if (!g_file_set_contents (path, g_bytes_get_data (cvc, NULL), (gssize)g_bytes_get_size (cvc), &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "writing %s: %s", path, local->message);
      return FALSE;
    }
  say (report, user_data, "%s written to %s (issued by %s)", chr, path, car);
  return TRUE;
}

gboolean
cl_demo_pki_setup (ClP11Token *token, const char *keys_file, const char *pki_dir, ClDemoReportFunc report,
                   gpointer user_data, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autoptr (ClP11EcKey) srca = NULL, dica = NULL;
  g_autofree char *srca_path = NULL, *dica_path = NULL;
  gboolean srca_new = FALSE, dica_new = FALSE;

  if (!g_key_file_load_from_file (file, keys_file, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "demo key file %s: %s", keys_file, local->message);
      return FALSE;
    }
  if (g_mkdir_with_parents (pki_dir, 0755) != 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "cannot create the PKI directory %s", pki_dir);
      return FALSE;
    }

  if (!import_key_set (token, file, keys_file, "KST", report, user_data, error)
      || !import_key_set (token, file, keys_file, "KMC", report, user_data, error))
    return FALSE;
  /* The 3DES sets of the SCP02 profile: optional, so that an older key file still sets up SCP03. */
  for (guint i = 0; i < G_N_ELEMENTS (cl_demo_scp02_groups); i++)
    if (g_key_file_has_group (file, cl_demo_scp02_groups[i])
        && !import_key_set (token, file, keys_file, cl_demo_scp02_groups[i], report, user_data, error))
      return FALSE;

  srca = ensure_ec_key (token, CL_DEMO_SRCA_LABEL, &srca_new, report, user_data, error);
  if (srca == NULL)
    return FALSE;
  dica = ensure_ec_key (token, CL_DEMO_DICA_LABEL, &dica_new, report, user_data, error);
  if (dica == NULL)
    return FALSE;

  srca_path = g_build_filename (pki_dir, "srca.cvc", NULL);
  dica_path = g_build_filename (pki_dir, "dica.cvc", NULL);
  /* A new SRCA invalidates the DICA certificate too: it must chain to the root now in the token. */
  return ensure_cvc (srca_path, srca_new, srca, CL_DEMO_SRCA_CHR, srca, CL_DEMO_SRCA_CHR, SRCA_YEARS, report, user_data,
                     error)
         && ensure_cvc (dica_path, srca_new || dica_new, dica, CL_DEMO_DICA_CHR, srca, CL_DEMO_SRCA_CHR, DICA_YEARS,
                        report, user_data, error);
}
