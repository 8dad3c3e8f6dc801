#include "cl-production-setup.h"

#include "cl-production-scp02.h"
#include "cap/cl-cap-file.h"
#include "core/cl-error.h"
#include "keys/cl-key-inventory.h"
#include "p11/cl-p11-key-store.h"
#include "tlv/cl-tlv.h"

#include <string.h>

struct _ClProductionSetup
{
  GObject parent_instance;

  ClProfile *profile;
  ClP11Token *token;
  ClStore *store;
  ClP11KeySet *kst;
  ClP11KeySet *kmc;
  ClProductionCustody *custody;
  ClP11EcKey *dica_key;
  ClCvc *dica_cvc;
  ClCvc *srca_cvc;
  GBytes *lfdb;
};

G_DEFINE_FINAL_TYPE (ClProductionSetup, cl_production_setup, G_TYPE_OBJECT)

static ClCvc *
load_cvc (const char *path, const char *what, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *data = NULL;
  g_autoptr (GBytes) bytes = NULL;
  ClCvc *cvc;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                   "%s certificate: %s (run cardline-admin demo-setup for the demo PKI)", what, local->message);
      return NULL;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  cvc = cl_cvc_new_from_bytes (bytes, &local);
  if (cvc == NULL)
    g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "%s certificate %s: %s", what, path, local->message);
  return cvc;
}

/* The DICA key in the token must be the one its certificate names, or every device certificate would fail VERIFY. */
static gboolean
check_dica_key (ClProductionSetup *self, GError **error)
{
  g_autoptr (GBytes) point = cl_p11_ec_key_get_public_point (self->dica_key, error);
  GBytes *tmpl = cl_cvc_get_public_key_template (self->dica_cvc);
  ClTlv found;

  if (point == NULL)
    return FALSE;
  if (tmpl == NULL || !cl_tlv_find (g_bytes_get_data (tmpl, NULL), g_bytes_get_size (tmpl), 0x86, &found, NULL)
      || found.len != g_bytes_get_size (point) || memcmp (found.value, g_bytes_get_data (point, NULL), found.len) != 0)
    {
      g_set_error (
        error, CL_ERROR, CL_ERROR_PROFILE, "DICA certificate %s does not hold the public key of token key %s",
        cl_profile_get_certify (self->profile)->dica_cvc, cl_profile_get_certify (self->profile)->dica_key_label);
      return FALSE;
    }
  return TRUE;
}

ClProductionSetup *
cl_production_setup_new (ClProfile *profile, ClP11Token *token, ClStore *store, GError **error)
{
  g_autoptr (ClProductionSetup) self = g_object_new (CL_TYPE_PRODUCTION_SETUP, NULL);
  g_autoptr (ClCapFile) cap = NULL;
  g_autoptr (GError) local = NULL;
  ClP11KeySetOptions options = CL_P11_KEY_SET_OPTIONS_NONE;
  const ClProfileKeys *keys = cl_profile_get_keys (profile);
  const ClProfileCertify *certify = cl_profile_get_certify (profile);
  const char *chr = cl_chr_pattern_get_text (certify->holder_reference);

  g_return_val_if_fail (CL_IS_PROFILE (profile), NULL);
  self->profile = g_object_ref (profile);
  self->token = g_object_ref (token);
  self->store = g_object_ref (store);

  /* The line numbers cards by chip: a {batch}/{seq} holder would need a batch-wide counter it does not keep. */
  if (strstr (chr, "{batch}") != NULL || strstr (chr, "{seq") != NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                   "profile %s: certificate:holder-reference %s: the production line derives the holder from the "
                   "chip; use {chip:N} instead of {batch} and {seq}",
                   cl_profile_get_name (profile), chr);
      return NULL;
    }
  cap = cl_cap_file_new_from_path (cl_profile_get_applet (profile)->cap_file, &local);
  if (cap == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "profile %s: applet:cap-file %s: %s",
                   cl_profile_get_name (profile), cl_profile_get_applet (profile)->cap_file, local->message);
      return NULL;
    }
  self->lfdb = cl_cap_file_build_load_file_data_block (cap, FALSE, error);
  if (self->lfdb == NULL)
    return NULL;

  /* Host-side derivation is the profile's explicit opt-in (DESIGN §3 "Key custody"); the audit trail says so. */
  if (keys->host_derivation)
    {
      g_autofree char *detail
        = g_strdup_printf ("profile %s (%s) derives %s/%02X card keys on the host", cl_profile_get_name (profile),
                           cl_profile_get_hash (profile), keys->kmc_label, keys->kmc_version);

      options |= CL_P11_KEY_SET_ALLOW_HOST_DERIVATION;
      if (cl_store_audit_append (store, g_get_user_name (), "host-derivation", cl_profile_get_name (profile), detail,
                                 error)
          <= 0)
        return NULL;
    }
  self->kst = cl_key_inventory_find_key_set (token, keys->kst_label, keys->kst_version, options, error);
  if (self->kst == NULL)
    return NULL;
  self->kmc = cl_key_inventory_find_key_set (token, keys->kmc_label, keys->kmc_version, options, error);
  if (self->kmc == NULL)
    return NULL;
  if (cl_profile_get_scp (profile)->scp == 0x02
      && !cl_production_setup_check_scp02_wrap (profile, self->kmc, store, error))
    return NULL;
  /* older KMC versions, DKEK shares, PIN export key (cl-production-custody.h) */
  self->custody = cl_production_custody_new (profile, token, store, options, error);
  if (self->custody == NULL)
    return NULL;
  self->dica_key = cl_p11_ec_key_find (token, certify->dica_key_label, error);
  if (self->dica_key == NULL)
    return NULL;

  self->srca_cvc = load_cvc (certify->srca_cvc, "SRCA", error);
  if (self->srca_cvc == NULL)
    return NULL;
  self->dica_cvc = load_cvc (certify->dica_cvc, "DICA", error);
  if (self->dica_cvc == NULL)
    return NULL;
  if (!cl_cvc_verify_issued_by (self->srca_cvc, self->srca_cvc, CL_CVC_CURVE_NONE, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "SRCA certificate %s is not a valid self-signed root: %s",
                   certify->srca_cvc, local->message);
      return NULL;
    }
  if (!cl_cvc_verify_issued_by (self->dica_cvc, self->srca_cvc, CL_CVC_CURVE_NONE, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "DICA certificate %s does not chain to the SRCA: %s",
                   certify->dica_cvc, local->message);
      return NULL;
    }
  if (!check_dica_key (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

static void
cl_production_setup_finalize (GObject *object)
{
  ClProductionSetup *self = CL_PRODUCTION_SETUP (object);

  g_clear_object (&self->profile);
  g_clear_object (&self->kst);
  g_clear_object (&self->kmc);
  g_clear_pointer (&self->custody, cl_production_custody_free);
  g_clear_object (&self->dica_key);
  g_clear_object (&self->dica_cvc);
  g_clear_object (&self->srca_cvc);
  g_clear_pointer (&self->lfdb, g_bytes_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->token);
  G_OBJECT_CLASS (cl_production_setup_parent_class)->finalize (object);
}

static void
cl_production_setup_class_init (ClProductionSetupClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_production_setup_finalize;
}

static void
cl_production_setup_init (ClProductionSetup *self)
{
}

ClProfile *
cl_production_setup_get_profile (ClProductionSetup *self)
{
  return self->profile;
}

ClP11Token *
cl_production_setup_get_token (ClProductionSetup *self)
{
  return self->token;
}

ClStore *
cl_production_setup_get_store (ClProductionSetup *self)
{
  return self->store;
}

ClKeySet *
cl_production_setup_get_kst (ClProductionSetup *self)
{
  return CL_KEY_SET (self->kst);
}

ClKeySet *
cl_production_setup_get_kmc (ClProductionSetup *self)
{
  return CL_KEY_SET (self->kmc);
}

ClProductionCustody *
cl_production_setup_get_custody (ClProductionSetup *self)
{
  return self->custody;
}

ClP11EcKey *
cl_production_setup_get_dica_key (ClProductionSetup *self)
{
  return self->dica_key;
}

ClCvc *
cl_production_setup_get_dica_cvc (ClProductionSetup *self)
{
  return self->dica_cvc;
}

ClCvc *
cl_production_setup_get_srca_cvc (ClProductionSetup *self)
{
  return self->srca_cvc;
}

GBytes *
cl_production_setup_get_load_file_data_block (ClProductionSetup *self)
{
  return self->lfdb;
}
