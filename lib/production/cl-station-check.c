#include "cl-station-check.h"

#include <stdarg.h>

#include "cap/cl-cap-file.h"
#include "core/cl-error.h"
#include "gp/cl-gp-install.h"
#include "keys/cl-key-inventory.h"
#include "p11/cl-p11-ec-key.h"
#include "p11/cl-p11-key-check.h"
#include "p11/cl-p11-key-store.h"

/* The plain LOAD block a short APDU leaves under C-MAC and C-DEC (255 - 8 MAC bytes, padded to the cipher block
 * with at least one byte): the smallest any profile's secure channel allows. */
#define LOAD_BLOCK_WORST 239

ClStationCheck *
cl_station_check_new (const char *part, gboolean ok, const char *format, ...)
{
  ClStationCheck *check = g_new0 (ClStationCheck, 1);
  va_list args;

  check->part = g_strdup (part);
  check->ok = ok;
  va_start (args, format);
  check->detail = g_strdup_vprintf (format, args);
  va_end (args);
  return check;
}

ClStationCheck *
cl_station_check_from_error (const char *part, const GError *error, const char *detail)
{
  return error != NULL ? cl_station_check_new (part, FALSE, "%s", error->message)
                       : cl_station_check_new (part, TRUE, "%s", detail);
}

void
cl_station_check_free (ClStationCheck *check)
{
  g_free (check->part);
  g_free (check->detail);
  g_free (check);
}

static void
check_cap (ClProfile *profile, GPtrArray *checks)
{
  const char *path = cl_profile_get_applet (profile)->cap_file;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClCapFile) cap = cl_cap_file_new_from_path (path, &error);
  g_autoptr (GBytes) lfdb = NULL;
  g_autoptr (GPtrArray) blocks = NULL;

  if (cap != NULL)
    lfdb = cl_cap_file_build_load_file_data_block (cap, FALSE, &error);
  if (lfdb != NULL)
    blocks = cl_gp_load_apdus (lfdb, LOAD_BLOCK_WORST, &error);
  if (blocks == NULL)
    {
      g_ptr_array_add (checks,
                       cl_station_check_new ("cap", FALSE, "applet:cap-file %s: %s (give the vendor's CAP file)", path,
                                             error->message));
      return;
    }
  g_ptr_array_add (checks, cl_station_check_new ("cap", TRUE, "%s: %zu bytes to load in %u LOAD blocks", path,
                                                 g_bytes_get_size (lfdb), blocks->len));
}

void
cl_station_check_profile_files (ClProfile *profile, GPtrArray *checks)
{
  const ClProfileCertify *certify = cl_profile_get_certify (profile);
  const struct
  {
    const char *part;
    const char *path;
    const char *fix;
  } files[] = {
    { "certificate srca", certify->srca_cvc, "cardline-admin demo-setup writes the demo PKI; else CARDLINE_PKI_DIR" },
    { "certificate dica", certify->dica_cvc, "cardline-admin demo-setup writes the demo PKI; else CARDLINE_PKI_DIR" },
    { "face", cl_profile_get_face_template (profile), "install the face template the profile names" },
  };

  check_cap (profile, checks);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (files[i].path != NULL)
      g_ptr_array_add (checks, g_file_test (files[i].path, G_FILE_TEST_IS_REGULAR)
                                 ? cl_station_check_new (files[i].part, TRUE, "%s", files[i].path)
                                 : cl_station_check_new (files[i].part, FALSE, "%s is not readable (%s)", files[i].path,
                                                         files[i].fix));
}

static void
check_key_set (ClP11Token *token, const char *name, guint8 version, const ClP11KeyUse uses[3],
               ClP11KeySetOptions options, GPtrArray *checks, ClP11KeySet **out)
{
  g_autofree char *part = g_strdup_printf ("key %s/%02X", name, version);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClP11KeySet) set = cl_key_inventory_find_key_set (token, name, version, options, &error);

  for (ClKeyRole role = CL_KEY_ROLE_ENC; set != NULL && role <= CL_KEY_ROLE_DEK && error == NULL; role++)
    {
      g_autofree char *label = cl_p11_key_label (name, role);

      cl_p11_token_check_key (token, cl_p11_key_set_get_handle (set, role), label, uses[role - 1], &error);
    }
  g_ptr_array_add (checks, cl_station_check_from_error (part, error, "present, sensitive, non-extractable"));
  if (out != NULL && error == NULL)
    *out = g_steal_pointer (&set);
}

typedef struct
{
  CK_MECHANISM_TYPE mechanism;
  const char *name;
  CK_FLAGS flags;
  const char *what;
  const char *opt_in; /* NULL: no profile setting works around it */
} Need;

static void
check_mechanism (ClP11Token *token, const Need *need, GPtrArray *checks)
{
  g_autofree char *part = g_strdup_printf ("mechanism %s", need->name);

  if (cl_p11_token_has_mechanism (token, need->mechanism, need->flags))
    g_ptr_array_add (checks, cl_station_check_new (part, TRUE, "offered (%s)", need->what));
  else
    g_ptr_array_add (checks, cl_station_check_new (part, FALSE, "token \"%s\" does not offer %s for %s; %s",
                                                   cl_p11_token_get_label (token), need->name, need->what,
                                                   need->opt_in != NULL ? need->opt_in
                                                                        : "no profile setting works around it: use "
                                                                          "a token that offers it"));
}

static void
check_mechanisms (ClProfile *profile, ClP11Token *token, GPtrArray *checks)
{
  const ClProfileKeys *keys = cl_profile_get_keys (profile);
  static const Need aes[] = {
    { CKM_AES_CMAC, "CKM_AES_CMAC", CKF_SIGN, "the SCP03 session key derivation", NULL },
    { CKM_AES_ECB, "CKM_AES_ECB", CKF_ENCRYPT, "key check values", NULL },
  };
  static const Need des3[] = {
    { CKM_DES3_ECB, "CKM_DES3_ECB", CKF_ENCRYPT, "key check values and SCP02 session keys", NULL },
    { CKM_DES3_CBC, "CKM_DES3_CBC", CKF_ENCRYPT, "SCP02 session keys", NULL },
  };
  static const Need aes_ecb = { CKM_AES_ECB_ENCRYPT_DATA, "CKM_AES_ECB_ENCRYPT_DATA", CKF_DERIVE,
                                "card key diversification (keys:diversification=aes-ecb)",
                                "the profile could use keys:diversification=kdf3 with keys:host-derivation=true "
                                "(card keys assembled on the host, audited)" };
  static const Need des3_ecb = { CKM_DES3_ECB_ENCRYPT_DATA, "CKM_DES3_ECB_ENCRYPT_DATA", CKF_DERIVE,
                                 "card key diversification (EMV / VISA2)", NULL };
  static const Need ecdsa = { CKM_ECDSA, "CKM_ECDSA", CKF_SIGN, "device certificates signed by the DICA", NULL };
  gboolean is_aes = keys->kst_type == CL_KEY_TYPE_AES;

  for (guint i = 0; i < 2; i++)
    check_mechanism (token, is_aes ? &aes[i] : &des3[i], checks);
  if (keys->diversification == CL_DIVERSIFY_AES_ECB)
    check_mechanism (token, &aes_ecb, checks);
  else if (keys->diversification == CL_DIVERSIFY_EMV || keys->diversification == CL_DIVERSIFY_VISA2)
    check_mechanism (token, &des3_ecb, checks);
  check_mechanism (token, &ecdsa, checks);
}

/* PUT KEY wraps the card keys in the token, or on the host under the opt-in (cl_p11_key_set_check_wrap). */
static void
check_wrap (ClProfile *profile, ClP11KeySet *kmc, GPtrArray *checks)
{
  g_autoptr (GError) error = NULL;
  gboolean on_host = FALSE;

  if (!cl_p11_key_set_check_wrap (kmc, &on_host, &error))
    g_ptr_array_add (checks, cl_station_check_new ("mechanism C_WrapKey", FALSE, "%s", error->message));
  else
    g_ptr_array_add (checks, cl_station_check_new ("mechanism C_WrapKey", TRUE, "%s",
                                                   on_host ? "card keys wrapped on the host (keys:host-derivation=true)"
                                                           : "card keys wrapped in the token"));
}

void
cl_station_check_profile_token (ClProfile *profile, ClP11Token *token, GPtrArray *checks)
{
  const ClProfileKeys *keys = cl_profile_get_keys (profile);
  const ClProfileCertify *certify = cl_profile_get_certify (profile);
  ClP11KeySetOptions options
    = keys->host_derivation ? CL_P11_KEY_SET_ALLOW_HOST_DERIVATION : CL_P11_KEY_SET_OPTIONS_NONE;
  gboolean is_aes = keys->kst_type == CL_KEY_TYPE_AES;
  ClP11KeyUse session_use = is_aes ? CL_P11_KEY_USE_SIGN : CL_P11_KEY_USE_ENCRYPT;
  ClP11KeyUse kst_uses[3] = { session_use, session_use, is_aes ? CL_P11_KEY_USE_WRAP : CL_P11_KEY_USE_ENCRYPT };
  ClP11KeyUse derive = keys->diversification == CL_DIVERSIFY_NONE ? CL_P11_KEY_USE_NONE : CL_P11_KEY_USE_DERIVE;
  ClP11KeyUse kmc_uses[3] = { derive, derive, derive };
  g_autoptr (ClP11KeySet) kmc = NULL;
  g_autoptr (ClP11EcKey) dica = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dica_part = g_strdup_printf ("key %s", certify->dica_key_label);

  check_key_set (token, keys->kst_label, keys->kst_version, kst_uses, options, checks, NULL);
  check_key_set (token, keys->kmc_label, keys->kmc_version, kmc_uses, options, checks, &kmc);
  dica = cl_p11_ec_key_find (token, certify->dica_key_label, &error);
  if (dica != NULL)
    cl_p11_token_check_key (token, cl_p11_ec_key_get_private_handle (dica), certify->dica_key_label,
                            CL_P11_KEY_USE_SIGN, &error);
  g_ptr_array_add (checks, cl_station_check_from_error (dica_part, error, "present, sensitive, non-extractable"));
  check_mechanisms (profile, token, checks);
  if (kmc != NULL)
    check_wrap (profile, kmc, checks);
}
